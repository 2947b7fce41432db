"""The Whoosh implementation of :class:`SearchEngine`: one on-disk index per corpus.

Layout: ``<cache>/index/`` holds the Whoosh files plus ``parallax-index.json`` (schema
version and, per document, its content hash and the file's size, mtime, ctime and inode).
A full build writes a fresh folder beside the old one (in worker processes, see
:mod:`reader.core.search.build_workers`) and swaps it in, so a cancelled or failed build
leaves the previous index untouched and a corrupt one is simply replaced; folders a killed
build left behind are removed at the next build. Updates compare file stats first (cheap)
and content hashes second — also when size and mtime match but ctime or inode changed
(``cp -p``, ``rsync -t``) — and touch only documents that were added, changed or removed.

A cache folder that cannot be written (read-only mount, no permission) does not stop search:
the stored index is searched from memory (copied, then updated there), or built in memory
when there is none, and :attr:`UpdateReport.notice` says so.

Searching does as little as it can: top hits without snippets, facet counts from per-value
document sets cached per index generation (set intersections, no per-match Python loop),
snippets only for the hits asked for (:meth:`WhooshEngine.snippets`), located from the body
postings' positions and each record's stored token map instead of re-analysing documents.
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
import uuid
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from whoosh import collectors, query, sorting
from whoosh.filedb.filestore import FileStorage, RamStorage, copy_storage
from whoosh.searching import Searcher
from whoosh.writing import CLEAR, IndexWriter

from reader.core.atomic import atomic_write_text
from reader.core.corpus import Corpus
from reader.core.document import ARTICLE, Document
from reader.core.errors import ReaderError
from reader.core.search import highlight, querylang
from reader.core.search.analysis import StemmingAnalyzer, normalise_word
from reader.core.search.build_workers import extras_picklable, file_state, parallel_build, pid_alive
from reader.core.search.docsets import DocSets, leaf_ids
from reader.core.search.engine import (
    Cancelled,
    Filters,
    IndexCancelled,
    IndexUnusable,
    Progress,
    SearchEngine,
    SearchHit,
    SearchResults,
    UpdateReport,
)
from reader.core.search.fields import flush_fields, registered_fields
from reader.core.search.formats import token_end, token_starts
from reader.core.search.ranking import Ranker
from reader.core.search.records import Extra, extras_for, section_records
from reader.core.search.schema import build_schema, facet_fields, schema_version
from reader.core.search.writer import LeanSegmentWriter

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


class WhooshEngine(SearchEngine):
    """Search one corpus with a Whoosh index in ``index_dir``."""

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
        self.last_rebuild: UpdateReport | None = None

    # -- state --------------------------------------------------------------------
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
        atomic_write_text(self._state_path(folder), json.dumps(data, separators=(",", ":")))

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

    def segment_count(self) -> int:
        with self._lock:
            return len(self._open()._segments())

    # -- documents ----------------------------------------------------------------
    def _extras(self) -> list[Extra]:
        return extras_for(registered_fields(), self._schema)

    def _section_records(self, doc: Document) -> Any:
        return section_records(doc, self._extras())

    # -- building -----------------------------------------------------------------
    def build(self, corpus: Corpus | None = None, progress: Progress | None = None,
              cancelled: Cancelled | None = None, *, reason: str = "full rebuild requested") -> UpdateReport:
        corpus = corpus or self.corpus
        started = time.perf_counter()
        parent = self.index_dir.parent
        try:
            parent.mkdir(parents=True, exist_ok=True)
            clean_debris(parent)
            fresh = parent / f"index.new-{os.getpid()}-{uuid.uuid4().hex[:8]}"
            fresh.mkdir()
        except OSError as exc:
            if not _unwritable(exc):
                raise ReaderError(f"cannot build the search index in {parent}: {exc.strerror or exc}") from exc
            return self._build_in_memory(corpus, progress, cancelled, reason, started, exc)
        try:
            storage = FileStorage(str(fresh))
            docs = self._index_all(storage, corpus, progress, cancelled)
            self._write_state(docs, fresh)
            self._swap_in(fresh)
        except OSError as exc:
            if not _unwritable(exc):
                raise
            return self._build_in_memory(corpus, progress, cancelled, reason, started, exc)
        finally:
            shutil.rmtree(fresh, ignore_errors=True)
        with self._lock:
            self._ram, self._ram_state, self.notice = None, None, ""
        report = UpdateReport(added=len(docs), seconds=time.perf_counter() - started, rebuilt=True,
                              reason=reason, documents=len(docs))
        self.last_rebuild = report
        return report

    def _index_all(self, storage: Any, corpus: Corpus, progress: Progress | None,
                   cancelled: Cancelled | None) -> dict[str, list[Any]]:
        """Every document of ``corpus`` into a new index in ``storage``; the per-document state."""
        metas = corpus.metas()
        total = len(metas)
        ix = storage.create_index(self._schema, INDEX_NAME)
        extras = self._extras()
        if (self.procs > 1 and total >= PARALLEL_MIN_DOCS and isinstance(storage, FileStorage)
                and extras_picklable(extras)):
            return parallel_build(ix, metas, extras, self.procs, max(self.limitmb, WORKER_LIMIT_MB), progress,
                                  cancelled)
        docs: dict[str, list[Any]] = {}
        writer: IndexWriter = LeanSegmentWriter(ix, limitmb=self.limitmb)
        try:
            for n, meta in enumerate(metas, 1):
                if cancelled is not None and cancelled():
                    raise IndexCancelled("indexing cancelled; the previous index is unchanged")
                try:
                    doc = corpus.document(meta.id)
                except ReaderError:
                    continue  # unreadable since the scan; the corpus reports it
                for record in section_records(doc, extras):
                    writer.add_document(**record)
                docs[doc.id] = file_state(meta.path, doc.content_hash)
                if progress is not None and (n % PROGRESS_EVERY == 0 or n == total):
                    progress(n, total)
            flush_fields()
            writer.commit()
        except BaseException:
            writer.cancel()
            raise
        return docs

    def _build_in_memory(self, corpus: Corpus, progress: Progress | None, cancelled: Cancelled | None,
                         reason: str, started: float, exc: OSError) -> UpdateReport:
        """The cache folder cannot be written: index into memory for this session, and say so."""
        ram = RamStorage()
        docs = self._index_all(ram, corpus, progress, cancelled)
        with self._lock:
            self._reset()
            self._ram = ram
            self._ram_state = {"schema": schema_version(), "docs": docs}
            self.notice = (f"the search index folder {self.index_dir.parent} cannot be written "
                           f"({exc.strerror or exc}); searching from an index built in memory")
        report = UpdateReport(added=len(docs), seconds=time.perf_counter() - started, rebuilt=True,
                              reason=reason, documents=len(docs), notice=self.notice)
        self.last_rebuild = report
        return report

    def _to_memory(self, exc: OSError) -> None:
        """Copy the stored (readable) index into memory, to update it there."""
        with self._lock:
            state = self._read_state()
            ram = RamStorage()
            copy_storage(FileStorage(str(self.index_dir), readonly=True), ram)
            self._reset()
            self._ram, self._ram_state = ram, state
            self.notice = (f"the search index folder {self.index_dir} cannot be written "
                           f"({exc.strerror or exc}); searching from a copy in memory, updated there")

    def _swap_in(self, fresh: Path) -> None:
        with self._lock:
            self._reset()
            old = self.index_dir.parent / f"index.old-{os.getpid()}-{uuid.uuid4().hex[:8]}"
            if self.index_dir.exists():
                self.index_dir.rename(old)
            fresh.rename(self.index_dir)
            shutil.rmtree(old, ignore_errors=True)

    def update(self, corpus: Corpus | None = None, progress: Progress | None = None,
               cancelled: Cancelled | None = None) -> UpdateReport:
        corpus = corpus or self.corpus
        reason = self.needs_rebuild()
        if reason is not None:
            return self.build(corpus, progress, cancelled, reason=reason)
        started = time.perf_counter()
        state = self._read_state() or {"docs": {}}
        known: dict[str, list[Any]] = dict(state["docs"])
        metas = corpus.metas()
        total = len(metas)
        added: list[Document] = []
        changed: list[Document] = []
        unchanged = 0
        new_state: dict[str, list[Any]] = {}
        for n, meta in enumerate(metas, 1):
            if cancelled is not None and cancelled():
                raise IndexCancelled("indexing cancelled; the index is unchanged")
            stat = file_state(meta.path, "")
            old = known.get(meta.id)
            if old is not None and old[1:] == stat[1:]:
                new_state[meta.id] = old
                unchanged += 1
                continue
            # New, or size/mtime changed, or same size and mtime but another ctime or inode
            # (cp -p, rsync -t): the content hash decides.
            try:
                doc = corpus.document(meta.id)
            except ReaderError:
                if old is not None:
                    new_state[meta.id] = old
                continue
            new_state[meta.id] = [doc.content_hash, *stat[1:]]
            if old is None:
                added.append(doc)
            elif old[0] != doc.content_hash:
                changed.append(doc)
            else:
                unchanged += 1
            if progress is not None and n % 500 == 0:
                progress(n, total)
        removed = [doc_id for doc_id in known if doc_id not in new_state]
        if added or changed or removed:
            try:
                self._apply(added, changed, removed)
            except ReaderError:
                raise
            except OSError as exc:
                if not _unwritable(exc) or self._ram is not None:
                    raise ReaderError(f"cannot update the search index: {exc.strerror or exc}") from exc
                self._to_memory(exc)
                self._apply(added, changed, removed)
            except Exception as exc:  # a damaged index found while writing: rebuild, reported
                self._reset()
                return self.build(corpus, progress, cancelled,
                                  reason=f"the index cannot be updated ({_describe(exc)})")
        if new_state != known:
            try:
                self._write_state(new_state)
            except OSError as exc:
                if not _unwritable(exc):
                    raise ReaderError(f"cannot save the search index state: {exc.strerror or exc}") from exc
                # Stats only (a touched file): the index is right, the next run compares hashes again.
                log.info("index state not saved (%s)", exc)
        if progress is not None:
            progress(total, total)
        return UpdateReport(len(added), len(changed), len(removed), unchanged, time.perf_counter() - started,
                            documents=len(new_state), notice=self.notice)

    def _apply(self, added: list[Document], changed: list[Document], removed: list[str]) -> None:
        with self._write_lock:
            with self._lock:
                ix = self._open()
            # Docnums from the open searcher (same generation as the writer's base): deleting by
            # term made the writer open a reader on every segment again.
            doomed = self._docnums_of([*removed, *(d.id for d in changed)])
            writer = ix.writer(limitmb=self.limitmb)
            try:
                if doomed is None or writer.generation != self._search_handle().reader().generation() + 1:
                    for doc_id in [*removed, *(d.id for d in changed)]:
                        writer.delete_by_term("id", doc_id)
                else:
                    for docnum in doomed:
                        writer.delete_document(docnum)
                for doc in added + changed:
                    for record in self._section_records(doc):
                        writer.add_document(**record)
                flush_fields()
                writer.commit(merge=False)
            except BaseException:
                writer.cancel()
                raise

    def _docnums_of(self, doc_ids: list[str]) -> list[int] | None:
        """Record numbers of these documents in the current generation (None: ask the writer)."""
        try:
            with self._lock:
                searcher = self._search_handle()
                return [n for doc_id in doc_ids for n in searcher.document_numbers(id=doc_id)]
        except Exception:  # the writer's own lookup is the fallback
            return None

    def merge(self, cancelled: Cancelled | None = None) -> bool:
        """Merge small segments; searches go on meanwhile on the previous generation."""
        with self._write_lock:
            before = self.segment_count()
            if before <= 1 or (cancelled is not None and cancelled()):
                return False
            with self._lock:
                ix = self._open()
            try:
                writer = ix.writer(limitmb=self.limitmb)
                writer.commit()  # the default policy merges the small segments
            except OSError as exc:
                if _unwritable(exc):
                    return False  # housekeeping only
                raise
            return self.segment_count() < before

    def clear(self) -> None:
        with self._lock:
            if self.index_dir.exists():
                writer = self._open().writer()
                writer.commit(mergetype=CLEAR)

    # -- searching ----------------------------------------------------------------
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

    def search(self, query_text: str, *, limit: int = 20, filters: Filters | None = None,
               snippets: int = 3) -> SearchResults:
        parsed = querylang.parse(query_text, self._schema, self._parser)
        return self._guard(self._search, parsed, limit, filters or {}, snippets)

    def _filter_query(self, filters: Filters, skip: str | None = None) -> query.Query | None:
        parts: list[query.Query] = []
        for name, values in filters.items():
            if name == skip or not values:
                continue
            fieldname = {"outlet": "facet_outlet", "published": "day"}.get(name, name)
            if fieldname not in self._schema.names():
                continue
            parts.append(query.Or([query.Term(fieldname, v) for v in values]))
        if not parts:
            return None
        return parts[0] if len(parts) == 1 else query.And(parts)

    def _facet_map(self) -> dict[str, sorting.FacetType]:
        facets: dict[str, sorting.FacetType] = {
            "outlet": sorting.FieldFacet("facet_outlet", maptype=sorting.Count),
            "published": sorting.FieldFacet("day", maptype=sorting.Count),
        }
        for spec in registered_fields():
            if spec.facet:
                facets[spec.name] = sorting.FieldFacet(spec.name, allow_overlap=True, maptype=sorting.Count)
        return facets

    def _prepared(self, parsed: querylang.ParsedQuery, filters: Filters,
                  searcher: Searcher) -> tuple[query.Query, query.Query, bool]:
        """(base query with fuzzy/outlet/date leaves expanded, the query as run, collapse by id)."""
        base = q = self._expand_fuzzy(parsed.query, searcher)
        if not parsed.explicit_section and not filters.get("section"):
            q = query.And([q, query.Term("section", ARTICLE)])
        collapse = parsed.explicit_section or bool(filters.get("section"))
        return base, q, collapse

    def _search(self, parsed: querylang.ParsedQuery, limit: int, filters: Filters,
                snippet_count: int) -> SearchResults:
        started = time.perf_counter()
        searcher = self._search_handle()
        base, q, collapse = self._prepared(parsed, filters, searcher)
        sets = self._docsets(searcher)
        # Structured parts (outlet, days, section, facet filters) become one document set used
        # as Whoosh's filter; Whoosh scores only the text part, keeping its block skipping.
        text_q, structured = self._split_structured(base, sets)
        narrowing = self._filter_set(searcher, filters, skip="section")
        narrowing = _meet(narrowing, structured)
        allowed = set(filters.get("section") or ()) or (None if parsed.explicit_section else {ARTICLE})
        sections = self._facet_sets(searcher, "section")
        in_sections = None if allowed is None else frozenset().union(*(sections.get(a, frozenset()) for a in allowed))
        allow = _meet(narrowing, in_sections)
        ranker = self._ranker(searcher)
        if not collapse and ranker.supports(text_q):
            # Terms and booleans: BM25F from cached per-term impacts (no matcher walk), and the
            # matches for the counts from the same impacts (no second read of the postings).
            top, matching = ranker.top(text_q, limit, allow)
        elif (matching := sets.of(text_q)) is None and not collapse:
            # Phrases, proximity: positions must be checked, so count from the scored walk itself
            # (recorded), plus a walk restricted to the sections the hits leave out.
            results, matching = self._recorded_search(searcher, text_q, limit, allow, narrowing, allowed)
            top = [(r.docnum, float(r.score or 0.0)) for r in results[:limit]]
        else:
            results = searcher.search(text_q, limit=max(1, limit), filter=None if allow is None else set(allow),
                                      terms=False, collapse="id" if collapse else None)
            top = [(r.docnum, float(r.score or 0.0)) for r in results[:limit]]
        if matching is None:
            matching = frozenset(searcher.docs_for_query(text_q))
        facets, total = self._count(searcher, matching, narrowing, in_sections)
        if collapse:  # one document may match in both of its sections
            try:
                total = len(results)
            except AttributeError:  # Whoosh's CollapseCollector cannot count positional matches
                final = _meet(_meet(matching, narrowing), in_sections) or frozenset()
                total = len({searcher.stored_fields(d)["id"] for d in final})
        rows = top[:limit] if limit > 0 else []
        hits = [self._plain_hit(searcher.stored_fields(d), score) for d, score in rows]
        where = self._cached(searcher, "docnums", dict)  # for snippets() of these hits: no key lookup
        if len(where) > 20000:
            where.clear()
        where.update(((h.id, h.section), d) for (d, _s), h in zip(rows, hits, strict=True))
        if snippet_count > 0 and hits:
            spec = self._match_spec(q, searcher)
            texts = self._snippets_for([(d, h) for (d, _s), h in zip(rows, hits, strict=True)], spec,
                                       snippet_count, searcher)
            hits = [replace(h, snippets=s) for h, s in zip(hits, texts, strict=True)]
        facets = {name: facets.get(name, {}) for name in facet_fields()}
        suggestion = self._suggest(parsed.text, searcher)
        return SearchResults(parsed.text, total, hits, facets, suggestion, time.perf_counter() - started)

    def _recorded_search(self, searcher: Searcher, text_q: query.Query, limit: int, allow: frozenset[int] | None,
                         narrowing: frozenset[int] | None,
                         allowed: set[str] | None) -> tuple[Any, frozenset[int]]:
        """Top hits and every match, from one walk of a positional query (no second pass)."""
        top = _RecordingCollector(limit=max(1, limit))
        col: Any = top if allow is None else collectors.FilterCollector(top, allow=set(allow))
        searcher.search_with_collector(text_q, col)
        seen = set(top.seen)
        if allowed is not None:
            others = [name for name in self._facet_sets(searcher, "section") if name not in allowed]
            if others:
                rest = query.And([text_q, query.Or([query.Term("section", name) for name in others])])
                found = searcher.docs_for_query(rest)
                seen.update(found if narrowing is None else (d for d in found if d in narrowing))
        return col.results(), frozenset(seen)

    def _ranker(self, searcher: Searcher) -> Ranker:
        return self._cached(searcher, "ranker", lambda: Ranker(searcher))

    def _docsets(self, searcher: Searcher) -> DocSets:
        def table(fieldname: str) -> dict[str, frozenset[int]] | None:
            return self._facet_sets(searcher, fieldname) if fieldname in self._TABLED else None

        return self._cached(searcher, "docsets", lambda: DocSets(searcher, table))

    #: Whole-value fields whose value -> documents tables are cached per generation anyway.
    _TABLED = frozenset({"facet_outlet", "day", "section"})

    #: Fields whose terms are whole values (no positions, no scoring that matters).
    _STRUCTURED = frozenset({"facet_outlet", "day", "section", "language", "id"})

    def _split_structured(self, q: query.Query, sets: DocSets) -> tuple[query.Query, frozenset[int] | None]:
        """``(text part, documents the structured part allows)`` of a query's top-level AND."""
        def structured(part: query.Query) -> bool:
            if isinstance(part, query.Term):
                return part.fieldname in self._STRUCTURED
            if isinstance(part, query.Or) and type(part) is query.Or:
                return all(structured(c) for c in part.subqueries)
            return False

        children = list(q.subqueries) if isinstance(q, query.And) and type(q) is query.And else [q]
        keep = [c for c in children if not structured(c)]
        moved = [c for c in children if structured(c)]
        if not moved:
            return q, None
        allow: frozenset[int] | None = None
        for part in moved:
            allow = _meet(allow, sets.of(part))
        if not keep:
            return query.Every(), allow
        return (keep[0] if len(keep) == 1 else query.And(keep, boost=q.boost)), allow

    def _filter_set(self, searcher: Searcher, filters: Filters, skip: str | None = None) -> frozenset[int] | None:
        """Documents the facet filters allow (values of one facet OR-ed, facets AND-ed); None = all."""
        allow: frozenset[int] | None = None
        for name, values in filters.items():
            if name == skip or not values:
                continue
            fieldname = {"outlet": "facet_outlet", "published": "day"}.get(name, name)
            if fieldname not in self._schema.names():
                continue
            table = self._facet_sets(searcher, fieldname)
            allow = _meet(allow, frozenset().union(*(table.get(v, frozenset()) for v in values)))
        return allow

    # -- lazy snippets ---------------------------------------------------------------
    def snippets(self, query_text: str, hits: Sequence[SearchHit], *, count: int = 3,
                 filters: Filters | None = None) -> list[SearchHit]:
        """``hits`` (from :meth:`search` with ``snippets=0``) with their snippets filled in."""
        if not hits or count <= 0:
            return list(hits)
        parsed = querylang.parse(query_text, self._schema, self._parser)
        return self._guard(self._fill_snippets, parsed, list(hits), count, filters or {})

    def _fill_snippets(self, parsed: querylang.ParsedQuery, hits: list[SearchHit], count: int,
                       filters: Filters) -> list[SearchHit]:
        searcher = self._search_handle()
        _base, q, _collapse = self._prepared(parsed, filters, searcher)
        spec = self._match_spec(q, searcher)
        located: list[tuple[int, SearchHit]] = []
        where = self._cached(searcher, "docnums", dict)
        for hit in hits:
            docnum = where.get((hit.id, hit.section))
            if docnum is None:
                docnum = searcher.document_number(key=f"{hit.id}#{hit.section}")
            located.append((-1 if docnum is None else docnum, hit))
        texts = self._snippets_for(located, spec, count, searcher)
        return [replace(h, snippets=s) for h, s in zip(hits, texts, strict=True)]

    def _snippets_for(self, located: list[tuple[int, SearchHit]], spec: highlight.MatchSpec, count: int,
                      searcher: Searcher) -> list[list[str]]:
        """Snippets for each ``(docnum, hit)``; hits located from postings and the token map."""
        positions = self._posting_positions(sorted({d for d, _h in located if d >= 0}), spec, searcher)
        out: list[list[str]] = []
        for docnum, hit in located:
            try:
                doc = self.corpus.document(hit.id)
            except ReaderError:
                out.append([])
                continue
            section = doc.section(hit.section)
            if section is None:
                out.append([])
                continue
            found = positions.get(docnum) if docnum >= 0 else None
            stored = searcher.stored_fields(docnum) if found is not None else {}
            if found is None or doc.content_hash != stored.get("hash") or "tokens" not in stored:
                spans = highlight.find_hits(doc.text, section.start, section.end, spec)  # stale: analyse
            else:
                spans = self._spans_from_map(doc.text, section.start, stored["tokens"], found, spec)
            out.append(highlight.snippets(doc.text, section.start, section.end, spans, count))
        return out

    @staticmethod
    def _spans_from_map(text: str, base: int, blob: bytes, found: dict[str, list[int]],
                        spec: highlight.MatchSpec) -> list[tuple[int, int]]:
        """Canonical hit ranges from term positions through the record's token map.

        The same ranges :func:`highlight.find_hits` finds by analysing the section (a test
        holds them equal), at the cost of a few regex matches instead of a whole analysis.
        """
        starts = token_starts(blob)
        occurrences: dict[str, list[tuple[int, int, int]]] = {}
        for word, posl in found.items():
            occ = []
            for p in posl:
                if p < len(starts):
                    start = base + starts[p]
                    occ.append((p, start, token_end(text, start)))
            occurrences[word] = occ
        spans = [(s, e) for term in spec.terms for _p, s, e in occurrences.get(term, ())]
        for phrase, slop in spec.phrases:
            spans.extend(highlight.phrase_spans(phrase, max(1, slop), occurrences))
        return highlight.merge_spans(spans)

    def _posting_positions(self, docnums: list[int], spec: highlight.MatchSpec,
                           searcher: Searcher) -> dict[int, dict[str, list[int]]]:
        """Per docnum, the positions of each query word in its body, read from the postings.

        A docnum missing from the result means "unknown" (too many expanded terms): the
        caller analyses that section instead.
        """
        if not docnums:
            return {}
        words = set(spec.terms) | {w for phrase, _slop in spec.phrases for w in phrase}
        if len(words) > MAX_POSTING_TERMS:
            return {}
        reader = searcher.reader()
        found: dict[int, dict[str, list[int]]] = {d: {} for d in docnums}
        for word in words:
            try:
                matcher = reader.postings("body", word)
            except Exception:  # TermNotFound: the word is not in any body
                continue
            for docnum in docnums:
                if not matcher.is_active():
                    break
                if matcher.id() < docnum:
                    matcher.skip_to(docnum)
                    if not matcher.is_active():
                        break
                if matcher.id() == docnum:
                    found[docnum][word] = matcher.value_as("positions")
        return found

    # -- facets -------------------------------------------------------------------------
    def _facet_sets(self, searcher: Searcher, fieldname: str) -> dict[str, frozenset[int]]:
        """``value -> docnums`` of one facet field, read once per index generation.

        Built per segment from the segment's postings and shifted by its offset; the counts of
        a search are then set intersections instead of a Python loop over every match.
        """
        def make() -> dict[str, frozenset[int]]:
            sets: dict[str, set[int]] = {}
            for sub, offset in searcher.leaf_searchers():
                reader = sub.reader()
                if fieldname not in reader.indexed_field_names():
                    continue
                for value in reader.lexicon(fieldname):
                    text = _text(value)
                    ids = leaf_ids(reader.postings(fieldname, value))
                    target = sets.setdefault(text, set())
                    target.update(offset + d for d in ids) if offset else target.update(ids)
            return {k: frozenset(v) for k, v in sets.items()}

        return self._cached(searcher, f"facet:{fieldname}", make)

    def _count(self, searcher: Searcher, matching: frozenset[int], narrowing: frozenset[int] | None,
               in_sections: frozenset[int] | None) -> tuple[dict[str, dict[str, int]], int]:
        """Facet counts and the total, by intersecting the matches with the cached facet sets.

        Sections are counted for the query without its implicit section restriction (the
        panel shows where else the words occur); the other facets only for allowed sections.
        """
        matches = matching if narrowing is None else matching & narrowing
        section_sets = self._facet_sets(searcher, "section").items()
        by_section = {v: n for v, docs in section_sets if (n := _overlap(matches, docs))}
        if in_sections is not None:
            matches = matches & in_sections
        facets: dict[str, dict[str, int]] = {"section": _sorted_counts(by_section)}
        fieldnames = {"outlet": "facet_outlet", "published": "day"}
        for spec in registered_fields():
            if spec.facet and spec.name in self._schema.names():
                fieldnames[spec.name] = spec.name
        for name, fieldname in fieldnames.items():
            value_sets = self._facet_sets(searcher, fieldname).items()
            counts = {v: n for v, docs in value_sets if (n := _overlap(matches, docs))}
            facets[name] = dict(sorted(counts.items())) if name == "published" else _sorted_counts(counts)
        return facets, len(matches)

    def _facets_from(self, results: Any) -> dict[str, dict[str, int]]:
        out: dict[str, dict[str, int]] = {}
        for name in self._facet_map():
            groups = results.groups(name)
            if name == "published":
                out[name] = dict(sorted((str(k), v) for k, v in groups.items()))
            else:
                out[name] = _sorted_counts(groups)
        return out

    @staticmethod
    def _plain_hit(fields: dict[str, Any], score: float) -> SearchHit:
        return SearchHit(fields["id"], fields.get("title", ""),
                         fields.get("outlet", ""), fields.get("date"), score, fields.get("section", ARTICLE), [])

    def _hit(self, result: Any, spec: highlight.MatchSpec, snippet_count: int) -> SearchHit:
        hit = self._plain_hit(result.fields(), float(result.score or 0.0))
        if snippet_count <= 0:
            return hit
        texts = self._snippets_for([(result.docnum, hit)], spec, snippet_count, self._search_handle())
        return replace(hit, snippets=texts[0])

    def _match_spec(self, q: query.Query, searcher: Searcher) -> highlight.MatchSpec:
        spec = highlight.MatchSpec()
        reader = searcher.reader()
        for leaf in querylang.highlight_leaves(q):
            if isinstance(leaf, query.Phrase):
                spec.phrases.append((tuple(str(w) for w in leaf.words), int(leaf.slop)))
            elif isinstance(leaf, query.Term):
                spec.terms.add(_text(leaf.text))
            elif isinstance(leaf, query.MultiTerm):
                for _fieldname, text in leaf.expanded_terms(reader):
                    spec.terms.add(_text(text))
        return spec

    def _expand_fuzzy(self, q: query.Query, searcher: Searcher) -> query.Query:
        """Replace ``word~`` leaves by the corpus words within the edit distance.

        Whoosh walks the whole lexicon with an automaton per fuzzy term and field (seconds on a
        large corpus); matching against the cached vocabulary with rapidfuzz takes milliseconds.
        """
        if isinstance(q, query.Phrase | query.Term) and q.fieldname == "outlet":
            # A whole outlet name: the facet column answers it without walking positions.
            words = [_text(w) for w in q.words] if isinstance(q, query.Phrase) else [_text(q.text)]
            exact = self._outlet_names(searcher).get(" ".join(words))
            return query.Term("facet_outlet", exact, boost=q.boost) if exact else q
        if isinstance(q, query.NumericRange) and q.fieldname == "published":
            # Documents carry a day, so a range is the days of the index inside it: a small Or of
            # terms (answered from the cached day sets) instead of Whoosh's tiered numeric range
            # over 64-bit timestamps. The query parser gives a NumericRange of DATETIME longs.
            from whoosh.util.times import long_to_datetime

            start = getattr(q, "startdate", None) or (long_to_datetime(q.start) if q.start is not None else None)
            end = getattr(q, "enddate", None) or (long_to_datetime(q.end) if q.end is not None else None)
            low = start.date().isoformat() if start else "0000-00-00"
            high = end.date().isoformat() if end else "9999-99-99"
            days = [d for d in self._days(searcher) if low <= d <= high]
            return query.Or([query.Term("day", d) for d in days], boost=q.boost) if days else query.NullQuery
        if isinstance(q, query.FuzzyTerm):
            from rapidfuzz import process
            from rapidfuzz.distance import Levenshtein

            text = _text(q.text)
            prefix = text[:q.prefixlength] if q.prefixlength else ""

            def near() -> list[str]:
                found = process.extract(text, self._vocabulary(searcher), scorer=Levenshtein.distance,
                                        score_cutoff=q.maxdist, limit=24)
                return sorted({cand for cand, _dist, _i in found if cand.startswith(prefix)} | {text})

            words = self._cached(searcher, f"fuzzy:{text}:{q.maxdist}:{prefix}", near)
            return query.Or([query.Term(q.fieldname, w, boost=q.boost) for w in words])
        if q.is_leaf():
            return q
        return q.apply(lambda child: self._expand_fuzzy(child, searcher))

    def facets(self, query_text: str, filters: Filters | None = None) -> dict[str, dict[str, int]]:
        return self.search(query_text, limit=0, filters=filters, snippets=0).facets

    def hit_spans(self, query_text: str, doc: Document) -> list[tuple[int, int]]:
        parsed = querylang.parse(query_text, self._schema, self._parser)
        spec = self._guard(lambda: self._match_spec(
            self._expand_fuzzy(parsed.query, self._search_handle()), self._search_handle()))
        wanted = _sections_of(parsed.query) if parsed.explicit_section else {ARTICLE}
        spans: list[tuple[int, int]] = []
        for section in doc.sections:
            if section.name in wanted:
                spans.extend(highlight.find_hits(doc.text, section.start, section.end, spec))
        return spans

    # -- suggestions ----------------------------------------------------------------
    def suggest(self, query_text: str) -> str | None:
        return self._guard(lambda: self._suggest(query_text, self._search_handle()))

    def _days(self, searcher: Searcher) -> list[str]:
        """Publication days present in the index (``undated`` left out)."""
        return self._cached(searcher, "days", lambda: [
            d for d in (_text(t) for t in searcher.reader().lexicon("day")) if d[:1].isdigit()])

    def _outlet_names(self, searcher: Searcher) -> dict[str, str]:
        """Outlet names keyed by their analysed words (``"moon of alabama"``)."""
        def make() -> dict[str, str]:
            names = {_text(t) for t in searcher.reader().lexicon("facet_outlet")}
            return {" ".join(re.findall(r"\w+(?:[.'’]\w+)*", n.lower())): n for n in names}

        return self._cached(searcher, "outlets", make)

    def _vocabulary(self, searcher: Searcher) -> list[str]:
        """Body words a suggestion or a fuzzy term may become, read once per index generation."""
        return self._cached(searcher, "vocabulary", lambda: [
            w for w in (_text(t) for t in searcher.reader().lexicon("body")) if w.isalpha() and len(w) > 2])

    def _suggest(self, query_text: str, searcher: Searcher) -> str | None:
        from rapidfuzz import process
        from rapidfuzz.distance import Levenshtein

        reader = searcher.reader()
        replacements: dict[str, str] = {}
        for word in suggestible_words(query_text):
            term = normalise_word(word)
            freq = reader.doc_frequency("body", term)
            if freq > 1 or len(term) < 4:
                continue
            max_dist = 1 if len(term) <= 5 else 2
            found = process.extract(term, self._vocabulary(searcher), scorer=Levenshtein.distance,
                                    score_cutoff=max_dist, limit=12)
            best: tuple[int, int, str] | None = None
            for cand, dist, _ in found:
                if cand == term:
                    continue
                cand_freq = reader.doc_frequency("body", cand)
                if cand_freq <= max(freq, 0) * 3 or cand_freq == 0:
                    continue
                key = (int(dist), -cand_freq, cand)
                if best is None or key < best:
                    best = key
            if best is not None:
                surface = self._surface_form(best[2], searcher)
                if surface:
                    replacements[word] = _match_case(word, surface)
        if not replacements:
            return None
        out = query_text
        for word, repl in replacements.items():
            out = _replace_word(out, word, repl)
        return out if out != query_text else None

    def _surface_form(self, term: str, searcher: Searcher) -> str | None:
        """A word as printed in the corpus for an index term (terms are stemmed).

        Read through the first body posting and its record's token map (no re-analysis),
        cached per index generation.
        """
        def make() -> str:
            try:
                matcher = searcher.reader().postings("body", term)
            except Exception:  # TermNotFound
                return ""
            while matcher.is_active():
                docnum = matcher.id()
                fields = searcher.stored_fields(docnum)
                try:
                    doc = self.corpus.document(fields["id"])
                except ReaderError:
                    matcher.next()
                    continue
                section = doc.section(fields.get("section", ARTICLE))
                posl = matcher.value_as("positions")
                starts = token_starts(fields.get("tokens") or b"")
                if section is None or not posl or posl[0] >= len(starts) or doc.content_hash != fields.get("hash"):
                    return self._surface_by_analysis(term, doc)
                start = section.start + starts[posl[0]]
                return doc.text[start:token_end(doc.text, start)]
            return ""

        return self._cached(searcher, f"surface:{term}", make) or None

    @staticmethod
    def _surface_by_analysis(term: str, doc: Document) -> str:
        for token in StemmingAnalyzer()(doc.text, chars=True):
            if token.text == term:
                return doc.text[token.startchar:token.endchar]
        return ""

    # -- more like this ---------------------------------------------------------------
    def more_like_this(self, doc: Document, *, limit: int = 10) -> SearchResults:
        return self._guard(self._more_like, doc, limit)

    def _more_like(self, doc: Document, limit: int) -> SearchResults:
        started = time.perf_counter()
        searcher = self._search_handle()
        article = doc.section_text(ARTICLE) or doc.text
        from whoosh.lang.stopwords import stoplists

        common = {normalise_word(w) for w in stoplists["en"]}
        keys = [(t, w) for t, w in searcher.key_terms_from_text("body", article, numterms=40)
                if t not in common and len(t) > 2][:15]
        if not keys:
            return SearchResults(f"like:{doc.id}", 0, [], {}, None)
        top = max(w for _t, w in keys) or 1.0
        q = query.And([query.Or([query.Term("body", t, boost=w / top) for t, w in keys]),
                       query.Term("section", ARTICLE)])
        results = searcher.search(q, limit=limit, mask=query.Term("id", doc.id), groupedby=self._facet_map(),
                                  terms=False)
        spec = highlight.MatchSpec(terms={t for t, _w in keys})
        hits = [self._hit(r, spec, 1) for r in results[:limit]]
        facets = self._facets_from(results)
        facets["section"] = {ARTICLE: len(results)} if len(results) else {}
        facets = {name: facets.get(name, {}) for name in facet_fields()}
        return SearchResults(f"like:{doc.id}", len(results), hits, facets, None, time.perf_counter() - started)

    def warm(self) -> None:
        """Read what the first search would (facet sets, vocabulary, days) now, e.g. in a job thread."""
        def work() -> None:
            searcher = self._search_handle()
            for fieldname in ("section", "facet_outlet", "day"):
                self._facet_sets(searcher, fieldname)
            for spec in registered_fields():
                if spec.facet and spec.name in self._schema.names():
                    self._facet_sets(searcher, spec.name)
            self._vocabulary(searcher)
            self._days(searcher)
            self._outlet_names(searcher)

        self._guard(work)

    def close(self) -> None:
        self._reset()


# -- helpers ------------------------------------------------------------------------
def _describe(exc: BaseException) -> str:
    text = str(exc).splitlines()[0] if str(exc) else ""
    return f"{type(exc).__name__}: {text}"[:200] if text else type(exc).__name__


def _text(value: Any) -> str:
    return value.decode("utf-8") if isinstance(value, bytes) else str(value)


class _RecordingCollector(collectors.TopCollector):
    """Top N by score that also records every document it scores.

    Block skipping and matcher replacement are off: both skip documents that cannot reach
    the top N, and here every match must be seen (positional queries walk them all anyway).
    """

    def __init__(self, limit: int) -> None:
        super().__init__(limit=limit, usequality=False, replace=0)
        self.seen: list[int] = []

    def collect(self, sub_docnum: int) -> Any:
        self.seen.append(self.offset + sub_docnum)
        return super().collect(sub_docnum)


def _meet(a: frozenset[int] | None, b: frozenset[int] | None) -> frozenset[int] | None:
    """Intersection where None means "everything"."""
    if a is None:
        return b
    if b is None:
        return a
    return a & b if len(a) <= len(b) else b & a


def _overlap(a: frozenset[int], b: frozenset[int]) -> int:
    return len(a & b) if len(a) <= len(b) else len(b & a)


def _sorted_counts(groups: dict[Any, int]) -> dict[str, int]:
    return dict(sorted(((str(k), int(v)) for k, v in groups.items() if k not in (None, "")),
                       key=lambda kv: (-kv[1], kv[0])))


def _sections_of(q: query.Query) -> set[str]:
    found = {str(leaf.text) for leaf in q.leaves() if isinstance(leaf, query.Term) and leaf.fieldname == "section"}
    return found or {ARTICLE}


def suggestible_words(query_text: str) -> list[str]:
    """Plain words of a query a spelling suggestion may replace (no fields, operators, wildcards)."""
    words: list[str] = []
    # Values of non-text fields (outlet:"Moon of Alabama", published:[...]) are not spelling candidates.
    masked = re.sub(r'\b(?!title:|body:)[A-Za-z_]\w*:(?:"[^"]*"|\[[^\]]*\]|\{[^}]*\}|\S+)', " ", query_text)
    for match in re.finditer(r'(?<![\w:*?~-])(?:(title|body):)?([^\W\d_][\w\'’]*)(?![\w:*?~])', masked):
        word = match.group(2)
        if word in ("AND", "OR", "NOT", "TO"):
            continue
        words.append(word)
    return words


def _match_case(original: str, surface: str) -> str:
    if original.isupper() and len(original) > 1:
        return surface.upper()
    if original[:1].isupper():
        return surface[:1].upper() + surface[1:]
    return surface.lower()


def _replace_word(text: str, word: str, replacement: str) -> str:
    return re.sub(rf"(?<![\w]){re.escape(word)}(?![\w])", replacement, text, count=1)
