"""A corpus: a folder of ``<id>.md`` documents plus ``corpus.yaml``.

Scanning reads and validates every file's front matter and cheap body checks, so the
library lists quickly; the canonical text of a document is built only when it is opened
(and kept in a small cache). A bad file is reported as a :class:`Problem` and skipped.
"""

from __future__ import annotations

import contextlib
import errno
import functools
import logging
import os
import re
import stat
import threading
import uuid
from collections import OrderedDict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from reader.core.atomic import atomic_write_text
from reader.core.document import KNOWN_KEYS, Document, DocumentMeta, build_document, coerce_date
from reader.core.errors import CorpusError, DocumentNotFound, ReaderError
from reader.core.frontmatter import (
    ERROR,
    MAX_FILE_BYTES,
    WARNING,
    Problem,
    SplitFile,
    file_kind,
    read_corpus_file,
    too_large,
)
from reader.core.scan_cache import ScanCache, stamp_of

ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._-]{0,127}$")
CORPUS_FILE = "corpus.yaml"
#: The bundled sample's identity, fixed in the shipped ``corpus.yaml`` (its folder is read-only,
#: so the id cannot be written on first use; an app upgrade that moves it keeps its notes).
SAMPLE_ID = "parallax-sample-kazakhstan-2022"
_ID_LINE = re.compile(r"^id:.*$", re.MULTILINE)
_ID_COMMENT = "# This corpus's identity: notes are kept under it wherever the folder moves. A copy needs a new one.\n"

log = logging.getLogger(__name__)

Progress = Callable[[int, int], None]
Cancelled = Callable[[], bool]


class ScanCancelled(ReaderError):
    """The caller asked to stop; the corpus keeps its previous state."""


@dataclass(frozen=True)
class CorpusInfo:
    """What ``corpus.yaml`` says about the collection."""

    title: str
    description: str = ""
    event: str = ""
    date_range: tuple[str | None, str | None] = (None, None)
    extra: dict[str, Any] = field(default_factory=dict)
    id: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "description": self.description,
            "event": self.event,
            "date_range": list(self.date_range),
            "id": self.id,
        }


class Corpus:
    """A validated, lazily loaded folder of documents."""

    _CACHE_SIZE = 32

    def __init__(self, root: Path, *, read_only: bool = False, scan_cache: Path | None = None) -> None:
        root = Path(root).expanduser()
        if not root.exists():
            raise CorpusError(f"corpus folder not found: {root}")
        if not root.is_dir():
            raise CorpusError(f"not a folder: {root}")
        self.root = root.resolve()
        self.read_only = read_only
        #: where the last scan's per-file results are kept (None: every scan reads every file)
        self.scan_cache = scan_cache
        self.info = CorpusInfo(title=self.root.name)
        self.problems: list[Problem] = []
        self._metas: dict[str, DocumentMeta] = {}
        self._ordered: list[DocumentMeta] | None = None  # metas() of this scan, sorted once
        self._body_lines: dict[str, int] = {}
        self._stamps: dict[str, tuple[int, int]] = {}
        self._docs: OrderedDict[str, Document] = OrderedDict()
        self._lock = threading.Lock()

    # -- scanning -----------------------------------------------------------------
    def files(self) -> list[Path]:
        """Document files in a stable order (hidden and temp files excluded)."""
        return self._entries()[0]

    def _entries(self) -> tuple[list[Path], list[Problem]]:
        """Readable document files, and a problem for each ``*.md`` entry that is refused."""
        files, problems, _stats = self._listing()
        return files, problems

    def _listing(self) -> tuple[list[Path], list[Problem], dict[str, os.stat_result]]:
        """:meth:`_entries`, plus each regular file's ``lstat`` (one ``scandir`` gives them:
        sorting 20,000 ``Path`` objects and stat-ing each file three times cost 0.8 s)."""
        files: list[Path] = []
        problems: list[Problem] = []
        stats: dict[str, os.stat_result] = {}
        try:
            with os.scandir(self.root) as listing:
                entries = [e for e in listing if e.name.endswith(".md") and not e.name.startswith(".")]
        except OSError as exc:
            log.warning("cannot list %s: %s", self.root, exc)
            entries = []
        for entry in sorted(entries, key=lambda e: e.name):
            path = self.root / entry.name
            try:
                info: os.stat_result | None = entry.stat(follow_symlinks=False)
            except OSError:
                info = None
            refused = self.refusal(path, info)
            if refused:
                problems.append(Problem(self._shown(path), None, ERROR, refused))
            else:
                files.append(path)
                if info is not None and stat.S_ISREG(info.st_mode):
                    stats[entry.name] = info
        return files, problems, stats

    def refusal(self, path: Path, info: os.stat_result | None = None) -> str | None:
        """Why ``path`` is not read as a document, or None.

        Only ``stat`` is used (nothing is opened, so a named pipe cannot block the scan).
        A symbolic link is followed only when its target stays inside the corpus folder:
        a link to ``/etc/passwd`` must never become a document (nor reach an export).
        """
        if info is None:
            try:
                info = path.lstat()
            except OSError as exc:
                return f"cannot read file: {exc.strerror or exc}"
        if stat.S_ISLNK(info.st_mode):
            try:
                target = path.resolve(strict=True)
            except RuntimeError:  # Python 3.11 reports a loop this way
                return "a symbolic link loop; skipped"
            except OSError as exc:
                if exc.errno == errno.ELOOP:
                    return "a symbolic link loop; skipped"
                return "a broken symbolic link (its target is missing); skipped"
            if not target.is_relative_to(self.root):
                return f"a symbolic link to {target}, outside the corpus folder; refused"
            try:
                info = target.stat()
            except OSError as exc:
                return f"cannot read file: {exc.strerror or exc}"
        kind = file_kind(info.st_mode)
        if kind is not None:
            return f"{kind} named like a document, not a document file; skipped"
        if info.st_size > MAX_FILE_BYTES:
            return too_large(info.st_size)
        return None

    def scan(self, progress: Progress | None = None, cancelled: Cancelled | None = None) -> Corpus:
        """(Re)read every file's metadata; problems land in :attr:`problems`."""
        problems: list[Problem] = []
        info = self._read_info(problems)
        metas: dict[str, DocumentMeta] = {}
        body_lines: dict[str, int] = {}
        stamps: dict[str, tuple[int, int]] = {}
        scanned: list[tuple[Path, DocumentMeta | None, int, list[Problem]]] = []
        paths, refused, stats = self._listing()
        problems.extend(refused)
        cache = ScanCache(self.scan_cache)
        for n, path in enumerate(paths, 1):
            if cancelled is not None and cancelled():
                raise ScanCancelled("scan cancelled")
            scanned.append((path, *self._scan_cached(path, cache, stats.get(path.name))))
            if progress is not None:
                progress(n, len(paths))
        cache.save()
        log.debug("scanned %d files of %s (%d unchanged since the last scan)", len(paths), self.root, cache.hits)
        # On a duplicate id the file named after the id wins, else the first in name order.
        owner: dict[str, Path] = {}
        for path, meta, _line, _problems in scanned:
            if meta is not None and (meta.id not in owner or (path.stem == meta.id != owner[meta.id].stem)):
                owner[meta.id] = path
        for path, meta, first_line, file_problems in scanned:
            if meta is not None and owner[meta.id] != path:
                file_problems.append(Problem(self._shown(path), None, ERROR,
                                             f"duplicate id {meta.id!r} (already used by "
                                             f"{self._shown(owner[meta.id])}); skipped"))
            elif meta is not None:
                metas[meta.id] = meta
                body_lines[meta.id] = first_line
                info_of = stats.get(path.name)
                if info_of is not None:
                    stamps[meta.id] = (info_of.st_size, info_of.st_mtime_ns)
            problems.extend(file_problems)
        if not paths and not refused:
            problems.append(Problem(str(self.root), None, WARNING, "no documents (*.md) in this folder"))
        with self._lock:
            self.info, self._metas, self._body_lines, self.problems = info, metas, body_lines, problems
            self._ordered = None
            self._stamps = stamps
            self._docs.clear()
        return self

    def file_stamps(self) -> dict[str, tuple[int, int]]:
        """Each document's file size and modification time as the last scan saw them (a reload
        compares two of these to tell which documents changed); a link is stat-ed now."""
        stamps = {}
        for doc_id, meta in self._metas.items():
            known = self._stamps.get(doc_id)
            if known is None:
                try:
                    st = Path(meta.path).stat()
                    known = (st.st_size, st.st_mtime_ns)
                except OSError:
                    known = (-1, -1)
            stamps[doc_id] = known
        return stamps

    def _shown(self, path: Path) -> str:
        return str(path)

    def _read_info(self, problems: list[Problem]) -> CorpusInfo:
        path = self.root / CORPUS_FILE
        if not path.exists():
            return CorpusInfo(title=self.root.name)
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
        except yaml.MarkedYAMLError as exc:
            line = exc.problem_mark.line + 1 if exc.problem_mark else None
            problems.append(Problem(str(path), line, ERROR, f"YAML error: {exc.problem or exc}"))
            return CorpusInfo(title=self.root.name)
        except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
            problems.append(Problem(str(path), None, ERROR, f"cannot read corpus description: {exc}"))
            return CorpusInfo(title=self.root.name)
        if not isinstance(data, dict):
            problems.append(Problem(str(path), 1, ERROR, "corpus.yaml must be a mapping"))
            return CorpusInfo(title=self.root.name)
        rng = data.get("date_range") or {}
        if isinstance(rng, dict):
            span = (coerce_date(rng.get("start")), coerce_date(rng.get("end")))
        elif isinstance(rng, list) and len(rng) == 2:
            span = (coerce_date(rng[0]), coerce_date(rng[1]))
        else:
            span = (None, None)
        known = {"id", "title", "description", "event", "date_range"}
        return CorpusInfo(
            title=str(data.get("title") or self.root.name),
            description=str(data.get("description") or "").strip(),
            event=str(data.get("event") or ""),
            date_range=span,
            extra={k: v for k, v in data.items() if k not in known},
            id=_id_of(data) or "",
        )

    def _scan_cached(self, path: Path, cache: ScanCache,
                     info: os.stat_result | None) -> tuple[DocumentMeta | None, int, list[Problem]]:
        """A regular file unchanged since the last scan is not read again (see scan_cache)."""
        if info is None:  # a symbolic link (its target can change under the same link), or unknown
            return self._scan_file(path)
        stamp = stamp_of(info)
        entry = cache.lookup(path, stamp)
        if entry is None:
            entry = self._scan_file(path)
            cache.record(path, stamp, entry)
        return entry

    def _scan_file(self, path: Path) -> tuple[DocumentMeta | None, int, list[Problem]]:
        shown = self._shown(path)
        split, problems = read_corpus_file(path, shown)
        if split is None:
            return None, 0, problems
        meta = self._meta_from_header(split, path, shown, problems)
        if meta is not None and not split.body.strip():
            problems.append(Problem(shown, split.body_line, ERROR, "empty text: the file has front matter but no body"))
            return None, 0, problems
        return meta, split.body_line, problems

    @staticmethod
    def _meta_from_header(split: SplitFile, path: Path, shown: str, problems: list[Problem]) -> DocumentMeta | None:
        header = split.header
        line = 2  # front matter starts on line 2
        for key in sorted(set(header) - KNOWN_KEYS):
            problems.append(Problem(shown, line, WARNING, f"unknown front-matter key {key!r} (kept, not used)"))
        doc_id = header.get("id")
        if doc_id is None or (isinstance(doc_id, str) and not doc_id.strip()):
            problems.append(Problem(shown, line, ERROR, "missing 'id' in front matter"))
            return None
        doc_id = str(doc_id).strip()
        if not ID_PATTERN.match(doc_id):
            problems.append(Problem(shown, line, ERROR,
                                    f"invalid id {doc_id!r}: use lower-case letters, digits, '-', '_' or '.'"))
            return None
        title = header.get("title")
        if not isinstance(title, str) or not title.strip():
            problems.append(Problem(shown, line, ERROR, "missing 'title' in front matter"))
            return None
        if path.stem != doc_id:
            problems.append(Problem(shown, line, WARNING, f"file name does not match id {doc_id!r}"))
        outlet = header.get("outlet")
        if not outlet and not header.get("imported"):  # the importer reports a missing outlet once per batch
            problems.append(Problem(shown, line, WARNING, "no 'outlet' in front matter"))
        published = None
        if header.get("published") not in (None, ""):
            published = coerce_date(header["published"])
            if published is None:
                problems.append(Problem(shown, line, WARNING,
                                        f"'published' is not an ISO date: {header['published']!r} (ignored)"))
        extra = {k: v for k, v in header.items() if k not in {
            "id", "title", "outlet", "author", "published", "date_note", "language", "url", "event"}}
        return DocumentMeta(
            id=doc_id,
            title=title.strip(),
            outlet=str(outlet or "").strip(),
            author=str(header.get("author") or "").strip(),
            published=published,
            path=path,
            language=str(header.get("language") or "en"),
            date_note=(str(header["date_note"]) if header.get("date_note") else None),
            url=(str(header["url"]) if header.get("url") else None),
            event=(str(header["event"]) if header.get("event") else None),
            extra=extra,
        )

    # -- access -------------------------------------------------------------------
    @property
    def ids(self) -> list[str]:
        return list(self._metas)

    def metas(self) -> list[DocumentMeta]:
        """Documents' metadata, oldest first, then by outlet and title (a new list each call).

        Sorted once per scan: at 20,000 documents each sort took 20-80 ms, and the window asks
        for the list on the GUI thread (library, compare, panels)."""
        with self._lock:  # a scan replacing the documents meanwhile must not get the old order kept
            if self._ordered is None:
                self._ordered = sorted(self._metas.values(), key=lambda m: (m.published or "9999", m.outlet, m.title))
            return list(self._ordered)

    def __len__(self) -> int:
        return len(self._metas)

    def __contains__(self, doc_id: object) -> bool:
        return doc_id in self._metas

    def meta(self, doc_id: str) -> DocumentMeta:
        try:
            return self._metas[doc_id]
        except KeyError:
            raise DocumentNotFound(doc_id) from None

    def document(self, doc_id: str) -> Document:
        """Load the full document (canonical text, sections); cached by id."""
        with self._lock:
            cached = self._docs.get(doc_id)
            if cached is not None:
                self._docs.move_to_end(doc_id)
                return cached
        meta = self.meta(doc_id)
        refused = self.refusal(meta.path)  # it may have been swapped for a link out since the scan
        if refused:
            raise ReaderError(f"{doc_id}: {meta.path.name}: {refused}")
        split, problems = read_corpus_file(meta.path)
        if split is None:
            raise ReaderError(f"{doc_id}: the file changed and can no longer be read: "
                              + "; ".join(p.message for p in problems))
        doc, _issues = build_document(meta, split.body, split.body_line)
        with self._lock:
            self._docs[doc_id] = doc
            while len(self._docs) > self._CACHE_SIZE:
                self._docs.popitem(last=False)
        return doc

    def documents(self) -> Iterator[Document]:
        for meta in self.metas():
            yield self.document(meta.id)

    def check(self, progress: Progress | None = None) -> tuple[list[Document], list[Problem]]:
        """Full validation: scan, then build every document and collect body problems."""
        self.scan(progress)
        docs: list[Document] = []
        problems = list(self.problems)
        for meta in self.metas():
            refused = self.refusal(meta.path)
            if refused:
                problems.append(Problem(str(meta.path), None, ERROR, refused))
                continue
            split, file_problems = read_corpus_file(meta.path)
            if split is None:  # changed on disk since the scan
                problems.extend(file_problems)
                continue
            doc, issues = build_document(meta, split.body, split.body_line)
            problems.extend(Problem(str(meta.path), i.line, i.severity, i.message) for i in issues)
            if not doc.text.strip():
                problems.append(Problem(str(meta.path), split.body_line, ERROR, "empty text"))
                continue
            docs.append(doc)
        return docs, problems


# -- identity ------------------------------------------------------------------------------------
def new_corpus_id() -> str:
    return uuid.uuid4().hex


def _id_of(data: object) -> str | None:
    if isinstance(data, dict) and isinstance(data.get("id"), (str, int)) and str(data["id"]).strip():
        return str(data["id"]).strip()
    return None


def _read_yaml(path: Path) -> tuple[str | None, object]:
    """``(text, parsed)``; ``(None, None)`` if the file is missing; raises on unreadable YAML."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None, None
    return text, yaml.safe_load(text)


def with_corpus_id(text: str | None, corpus_id: str) -> str:
    """``corpus.yaml`` text with its ``id`` set to ``corpus_id``, comments and order kept.

    An existing top-level ``id:`` line is replaced, else one is appended (after a comment
    saying what it is for). The result is parsed back: if the file is not a plain block
    mapping (a flow mapping, say), it is rewritten from its data instead.
    """
    if text is None or not text.strip():
        return "# A Parallax Reader corpus: one <id>.md per document.\n" + _ID_COMMENT + f"id: {corpus_id}\n"
    before = yaml.safe_load(text)
    if _ID_LINE.search(text):
        candidate = _ID_LINE.sub(f"id: {corpus_id}", text, count=1)
    else:
        candidate = text + ("" if text.endswith("\n") else "\n") + _ID_COMMENT + f"id: {corpus_id}\n"
    try:
        after = yaml.safe_load(candidate)
    except yaml.YAMLError:
        after = None
    expected = dict(before or {}, id=corpus_id) if isinstance(before, dict) or before is None else None
    if isinstance(after, dict) and expected is not None and after == expected:
        return candidate
    if expected is None:
        raise CorpusError("corpus.yaml must be a mapping")
    return yaml.safe_dump(expected, allow_unicode=True, sort_keys=False)


def write_corpus_id(root: Path, corpus_id: str) -> None:
    """Give the corpus at ``root`` the identity ``corpus_id`` (an atomic rewrite of corpus.yaml)."""
    path = Path(root) / CORPUS_FILE
    text, _data = _read_yaml(path)
    atomic_write_text(path, with_corpus_id(text, corpus_id))
    _IDENTITIES.clear()


_IDENTITIES: dict[tuple[str, int, int], str] = {}


def corpus_identity(root: Path, *, writable: bool = True, default: str | None = None) -> str:
    """The identity notes of the corpus at ``root`` are kept under; it survives moving the folder.

    It is the ``id`` in ``corpus.yaml``. A corpus without one gets a new random id written
    there on first use, so the folder can be moved or renamed without hiding its notes.
    Where nothing can be written (a read-only folder, a broken ``corpus.yaml``) the key is
    ``default``, else the folder's absolute path, as notes were keyed before identities.
    """
    root = Path(root).resolve()
    path = root / CORPUS_FILE
    try:
        st = path.stat()
        cache_key = (str(root), st.st_mtime_ns, st.st_size)
    except OSError:
        cache_key = (str(root), 0, -1)
    cached = _IDENTITIES.get(cache_key)
    if cached is not None:
        return cached
    fallback = default or str(root)
    try:
        _text, data = _read_yaml(path)
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        log.info("corpus %s: cannot read %s (%s); notes keyed by its path", root, CORPUS_FILE, exc)
        return fallback
    found = _id_of(data)
    if found is None and writable and (data is None or isinstance(data, dict)):
        try:
            found = _write_new_id(root, path)
        except (OSError, CorpusError, UnicodeDecodeError, yaml.YAMLError) as exc:
            log.info("corpus %s: cannot write its identity (%s); notes keyed by its path", root, exc)
            found = None
    identity = found or fallback
    try:
        st = path.stat()
        _IDENTITIES[(str(root), st.st_mtime_ns, st.st_size)] = identity
    except OSError:
        pass
    return identity


def corpus_key_at(root: Path) -> str:
    """The key of the user's data about the corpus at ``root`` (notes, entity overlay): its
    identity; the read-only bundled sample's is the fixed id it ships with."""
    bundled = _is_bundled(str(root))
    return corpus_identity(root, writable=not bundled, default=SAMPLE_ID if bundled else None)


@functools.lru_cache(maxsize=64)
def _is_bundled(root: str) -> bool:
    """Whether ``root`` is the bundled sample's folder. Remembered per path: the window asks for
    the corpus key a dozen times per document it opens, and two ``resolve()`` calls (an lstat
    per path component) cost a millisecond each time."""
    from reader.core.paths import bundled_corpus_path

    try:
        return Path(root).resolve() == bundled_corpus_path().resolve()
    except OSError:
        return False


@contextlib.contextmanager
def _folder_lock(root: Path) -> Iterator[None]:
    """An exclusive lock on the corpus folder (flock on its descriptor; none where unsupported)."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows
        yield
        return
    fd = os.open(root, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # releases the lock


def _write_new_id(root: Path, path: Path) -> str:
    """Write a new id, unless another process did first: two first opens must agree on one."""
    with _folder_lock(root):
        text, data = _read_yaml(path)
        existing = _id_of(data)
        if existing is not None:
            return existing
        found = new_corpus_id()
        atomic_write_text(path, with_corpus_id(text, found))
    log.info("corpus %s: new identity %s written to %s", root, found, CORPUS_FILE)
    return found


def legacy_keys(root: Path, identity: str) -> list[str]:
    """Keys notes of this corpus were stored under before corpora had identities."""
    keys = [str(Path(root).resolve())]
    if identity == SAMPLE_ID:
        keys.append("bundled")
    return [k for k in keys if k != identity]


def has_errors(problems: list[Problem]) -> bool:
    return any(p.severity == ERROR for p in problems)
