"""The Whoosh index on disk (or in memory) and its generation: opening, checking, the state
file, the searcher of the current generation and the values cached per generation.

Every job of :class:`~reader.core.search.whoosh_engine.WhooshEngine` (building, planning a
query, counting, snippets, suggestions) works on this handle; this module holds what they share.
"""

from __future__ import annotations

import contextlib
import errno
import json
import logging
import os
import re
import shutil
import threading
import time
from bisect import bisect_right
from pathlib import Path
from typing import Any

from whoosh.filedb.filestore import FileStorage, RamStorage
from whoosh.filedb.structfile import BufferFile
from whoosh.searching import Searcher

from reader.core.atomic import atomic_write_text
from reader.core.corpus import Corpus
from reader.core.document import Document
from reader.core.errors import ReaderError
from reader.core.search import querylang, whoosh_mmap, whoosh_postings
from reader.core.search.build_workers import file_state, pid_alive
from reader.core.search.engine import (
    IndexUnusable,
    UpdateReport,
)
from reader.core.search.fields import registered_fields
from reader.core.search.records import Extra, extras_for, section_records
from reader.core.search.schema import build_schema, schema_version

whoosh_mmap.install()  # segment files are read in place from the map, not copied
whoosh_postings.install()  # every segment written also keeps its postings as flat arrays
log = logging.getLogger(__name__)

STATE_FILE = "parallax-index.json"
INDEX_NAME = "MAIN"
#: Below this many documents a single process is faster than starting workers.
PARALLEL_MIN_DOCS = 300
WRITER_LIMIT_MB = 96
#: Posting pool of each build worker: a segment is closed before it fills (see build_workers).
WORKER_LIMIT_MB = 160
PROGRESS_EVERY = 25
#: Expanded terms (prefix*, wildcards) above which snippets fall back to analysing the section.
MAX_POSTING_TERMS = 64
#: Errors that mean "this folder cannot be written", not "the index is damaged".
_UNWRITABLE = {errno.EROFS, errno.EACCES, errno.EPERM}
_DEBRIS = re.compile(r"^index\.(new|old)-(?:(\d+)-)?[0-9a-f]{8}$")


def _unwritable(exc: BaseException) -> bool:
    return isinstance(exc, OSError) and exc.errno in _UNWRITABLE


def clean_debris(parent: Path, *, max_age: float = 3600.0) -> int:
    """Remove ``index.new-*``/``index.old-*`` folders a killed build left behind; how many.

    A folder names the process that made it; it is removed when that process is gone (or, for
    names without a pid, when it is older than ``max_age``), never while a build runs in it.
    """
    removed = 0
    try:
        entries = list(parent.iterdir())
    except OSError:
        return 0
    for path in entries:
        match = _DEBRIS.match(path.name)
        if match is None or not path.is_dir():
            continue
        pid = int(match.group(2)) if match.group(2) else None
        if pid is not None:
            stale = pid != os.getpid() and not pid_alive(pid)
        else:
            try:
                stale = time.time() - path.stat().st_mtime > max_age
            except OSError:
                continue
        if stale:
            shutil.rmtree(path, ignore_errors=True)
            removed += not path.exists()
    if removed:
        log.info("removed %d index folder(s) left by an interrupted build in %s", removed, parent)
    return removed


def _describe(exc: BaseException) -> str:
    text = str(exc).splitlines()[0] if str(exc) else ""
    return f"{type(exc).__name__}: {text}"[:200] if text else type(exc).__name__


def _text(value: Any) -> str:
    return value.decode("utf-8") if isinstance(value, bytes) else str(value)


class _ViewFile(BufferFile):
    """Whoosh's :class:`BufferFile` without the ``BytesIO`` copy of the whole buffer.

    Opening a column through Whoosh copies its file out of the mmap (a text column of 20,000
    documents: ~45 MB and ~50 ms per index generation); the column readers only call ``get``,
    which slices the memoryview.
    """

    def __init__(self, buf: Any, name: str | None = None) -> None:
        self._buf = buf
        self._name = name
        self.file = None
        self.onclose = None
        self.is_real = False
        self.is_closed = False

    def close(self) -> None:
        self.is_closed = True


class _ColumnViews:
    """A variable-bytes column of every segment, read in place from the mmap, by global docnum."""

    def __init__(self, readers: list[Any], offsets: list[int]) -> None:
        self._readers = readers
        self._offsets = offsets

    @classmethod
    def of(cls, searcher: Searcher, fieldname: str, column: Any) -> _ColumnViews | None:
        """The views, or None where a segment is not an mmapped compound file (Whoosh then reads it)."""
        from whoosh.codec.whoosh3 import W3Codec

        readers: list[Any] = []
        offsets: list[int] = []
        for sub, offset in searcher.leaf_searchers():
            perdoc = getattr(sub.reader(), "_perdoc", None)
            if perdoc is None:
                return None
            name = W3Codec.column_filename(perdoc._segment, fieldname)
            outer: Any = getattr(perdoc, "_storage", None)
            # A segment's files: its compound file, under an overlay of loose files.
            storage: Any = None
            for part in (getattr(outer, "a", None), getattr(outer, "b", None), outer):
                if part is not None and hasattr(part, "range") and part.file_exists(name):
                    storage = part
                    break
            source = getattr(storage, "_source", None)
            if storage is None or source is None:
                return None
            start, length = storage.range(name)
            view = _ViewFile(memoryview(source)[start:start + length], name=name)
            readers.append(column.reader(view, 0, length, perdoc._doccount))
            offsets.append(offset)
        return cls(readers, offsets) if readers else None

    def __getitem__(self, docnum: int) -> bytes:
        i = bisect_right(self._offsets, docnum) - 1
        return self._readers[i][docnum - self._offsets[i]]

class IndexHandle:
    """The index of one corpus and its current generation (see the module docstring)."""

    def __init__(self, index_dir: Path, corpus: Corpus, *, procs: int | None = None,
                 limitmb: int = WRITER_LIMIT_MB) -> None:
        self.index_dir = Path(index_dir)
        self.corpus = corpus
        self.procs = procs if procs is not None else min(2, os.cpu_count() or 1)
        self.limitmb = limitmb
        self._lock = threading.RLock()
        #: Held by writers (update, merge) only, so a background merge never blocks a search.
        self._write_lock = threading.Lock()
        self._ix: Any = None
        self._searcher: Searcher | None = None
        self._schema = build_schema()
        self._parser = querylang.make_parser(self._schema)
        self._gen_cache: dict[str, Any] = {}
        self._gen_key: Any = None
        self._ram: RamStorage | None = None
        self._ram_state: dict[str, Any] | None = None
        self._checked: int | None = None
        self._state_memo: tuple[tuple[int, int, int], dict[str, Any]] | None = None
        #: Set when the cache folder cannot be written and the index lives in memory.
        self.notice = ""
        #: Niceness of the build's worker processes: the window sets it so indexing yields the
        #: CPU to the GUI; the CLI and the benchmark build at full priority.
        self.worker_nice = 0
        self.last_rebuild: UpdateReport | None = None

    def _state_path(self, folder: Path | None = None) -> Path:
        return (folder or self.index_dir) / STATE_FILE

    def _read_state(self) -> dict[str, Any] | None:
        if self._ram is not None:
            return self._ram_state
        path = self._state_path()
        try:
            st = path.stat()
            stamp = (st.st_size, st.st_mtime_ns, st.st_ino)
            if self._state_memo is not None and self._state_memo[0] == stamp:
                return self._state_memo[1]  # parsing 20,000 entries twice per update cost 0.1 s
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        if not isinstance(data, dict) or not isinstance(data.get("docs"), dict):
            return None
        self._state_memo = (stamp, data)
        return data

    def _write_state(self, docs: dict[str, list[Any]], folder: Path | None = None) -> None:
        data = {"schema": schema_version(), "docs": docs}
        if self._ram is not None and folder is None:
            self._ram_state = data
            return
        atomic_write_text(self._state_path(folder), json.dumps(data, separators=(",", ":")), durable=False)

    def needs_rebuild(self) -> str | None:
        with self._lock:
            if self._ram is None and not any(self.index_dir.glob(f"_{INDEX_NAME}_*.toc")):
                return "no index yet (first use, or the cache folder was deleted)"
            state = self._read_state()
            if state is None:
                return "the index's state file is missing or unreadable"
            if state.get("schema") != schema_version():
                return f"the search schema changed (index {state.get('schema')}, app {schema_version()})"
            try:
                ix = self._open()
                generation = ix.latest_generation()
                if self._checked != generation:  # each generation's files are checked once
                    self._check_readable(len(state["docs"]))
                    self._checked = generation
            except Exception as exc:  # any failure to read the files means: rebuild
                self._reset()
                return f"the index cannot be read ({_describe(exc)})"
            return None

    def _open(self) -> Any:
        if self._ix is None:
            if self._ram is not None:
                self._ix = self._ram.open_index(INDEX_NAME)
            else:
                self._ix = FileStorage(str(self.index_dir), readonly=False).open_index(INDEX_NAME)
        return self._ix

    def _check_readable(self, expected_docs: int) -> None:
        """Touch every segment's files (truncated files fail here, not mid-search)."""
        ix = self._open()
        with ix.reader() as reader:
            count = reader.doc_count()
            for fieldname in ("body", "title"):
                for _term in zip(range(3), reader.lexicon(fieldname), strict=False):
                    pass
            if expected_docs < 5000:
                ids = {fields["id"] for fields in reader.all_stored_fields()}
                if len(ids) != expected_docs:
                    raise IndexUnusable(f"{len(ids)} documents in the index, {expected_docs} expected")
            elif count < expected_docs:
                raise IndexUnusable(f"{count} records in the index, {expected_docs} documents expected")
            for segment in ix._segments():
                for name in segment.file_names() if hasattr(segment, "file_names") else ():
                    ix.storage.file_length(name)

    def _reset(self) -> None:
        with self._lock:
            if self._searcher is not None:
                with contextlib.suppress(Exception):  # a broken index may fail to close; dropped anyway
                    self._searcher.close()
            self._searcher = None
            self._ix = None
            self._checked = None
            self._gen_cache = {}
            self._gen_key = None

    def _search_handle(self) -> Searcher:
        with self._lock:
            if self._searcher is None:
                self._searcher = self._open().searcher()
            elif not self._searcher.up_to_date():
                # A fresh searcher, not refresh(): Whoosh's reader reuse keeps stale deletion sets.
                self._searcher.close()
                self._searcher = self._open().searcher()
            return self._searcher

    def _cached(self, searcher: Searcher, name: str, make: Any) -> Any:
        """A value computed once per searcher (index generation): vocabulary, facet sets, ..."""
        if self._gen_key is not searcher:
            self._gen_key = searcher
            self._gen_cache = {}
        value = self._gen_cache.get(name)
        if value is None:
            value = self._gen_cache[name] = make()
        return value

    def _column(self, searcher: Searcher, fieldname: str) -> Any:
        """A per-record column (by global docnum) of this generation, opened once; None if absent."""
        def make() -> tuple[Any]:  # boxed: a column reader may be falsy (its len)
            reader = searcher.reader()
            if fieldname not in self._schema.names() or not reader.has_column(fieldname):
                return (None,)
            views = _ColumnViews.of(searcher, fieldname, self._schema[fieldname].column_type)
            return (views or reader.column_reader(fieldname, translate=False),)

        return self._cached(searcher, f"column:{fieldname}", make)[0]

    def _unchanged_since_indexed(self, doc_id: str, content_hash: Any) -> bool:
        """Whether the file of ``doc_id`` is still the one indexed with ``content_hash``.

        The state remembers each file's size, mtime, ctime and inode as indexed: when a stat
        matches, the record's stored text is the document's text, so snippets need not read,
        parse and canonicalise the file (about 0.3 ms a hit). Anything else (changed, gone,
        refused, not in the corpus) means "read the document", as before.
        """
        if doc_id not in self.corpus:
            return False
        state = self._read_state()
        entry = state["docs"].get(doc_id) if state else None
        if not isinstance(entry, list) or len(entry) != 6 or entry[0] != content_hash or entry[2] < 0:
            return False
        return file_state(Path(entry[1]), entry[0]) == entry

    def segment_count(self) -> int:
        with self._lock:
            return len(self._open()._segments())

    def _extras(self) -> list[Extra]:
        return extras_for(registered_fields(), self._schema)

    def _section_records(self, doc: Document) -> Any:
        return section_records(doc, self._extras())

    def _guard(self, fn: Any, *args: Any, **kwargs: Any) -> Any:
        """Run a read; Whoosh failures inside a damaged index become :class:`IndexUnusable`."""
        try:
            with self._lock:
                return fn(*args, **kwargs)
        except ReaderError:
            raise
        except Exception as exc:
            self._reset()
            raise IndexUnusable(f"the index cannot be read ({_describe(exc)})") from exc

    def close(self) -> None:
        self._reset()
