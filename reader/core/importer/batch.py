"""Importing a batch of files and folders into a corpus, one source at a time.

Each source is read, sniffed, decoded, extracted, rendered, checked with the loader's
rules and only then written: first its original (into ``originals/``), then its
``<id>.md``, both atomically. Any problem with one source becomes a reason in the
report and the batch goes on. Cancelling stops between sources, so every file in the
corpus is whole: a document and its original are written together or not at all.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import stat
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from reader.core.atomic import atomic_write_bytes, atomic_write_text
from reader.core.document import parse_body
from reader.core.errors import ReaderError
from reader.core.frontmatter import read_corpus_file
from reader.core.importer.decode import decode_bytes
from reader.core.importer.html import read_html
from reader.core.importer.model import Extracted, Skip
from reader.core.importer.plaintext import read_markdown, read_text, title_from_filename
from reader.core.importer.render import front_matter, render, render_body, unique_id, verify
from reader.core.importer.sniff import (
    DOCX,
    EMAIL,
    EPUB,
    EXTENSIONS,
    HTML,
    MARKDOWN,
    MBOX,
    PDF,
    describe_binary,
    looks_like_email,
    sniff_container,
    sniff_kind,
)
from reader.core.paths import bundled_corpus_path
from reader.core.text import content_hash

log = logging.getLogger(__name__)

Progress = Callable[[int, int], None]
Cancelled = Callable[[], bool]

ORIGINALS = "originals"
DEFAULT_MAX_MB = 50


class ImportRefused(ReaderError):
    """The target corpus cannot take imports (the read-only sample, a missing or locked folder)."""


@dataclass(frozen=True)
class Imported:
    path: str
    id: str
    title: str
    file: Path
    header: dict[str, Any]

    def to_json(self) -> dict[str, Any]:
        return {"path": self.path, "id": self.id, "title": self.title}


@dataclass(frozen=True)
class Skipped:
    path: str
    reason: str

    def to_json(self) -> dict[str, Any]:
        return {"path": self.path, "reason": self.reason}


@dataclass(frozen=True)
class Duplicate:
    path: str
    id: str

    def to_json(self) -> dict[str, Any]:
        return {"path": self.path, "id": self.id}


@dataclass
class ImportReport:
    """What happened to every source; ``cancelled`` when the user stopped it midway."""

    corpus: Path
    imported: list[Imported] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    duplicates: list[Duplicate] = field(default_factory=list)
    cancelled: bool = False
    #: The corpus's ``event``, to offer for the imported documents that name none.
    suggested_event: str | None = None

    def without(self, key: str) -> list[Imported]:
        """Imported documents whose ``key`` (outlet, event) is still empty: ask once for all of them."""
        return [i for i in self.imported if not i.header.get(key)]

    def to_json(self) -> dict[str, Any]:
        return {
            "imported": [i.to_json() for i in self.imported],
            "skipped": [s.to_json() for s in self.skipped],
            "duplicates": [d.to_json() for d in self.duplicates],
            "without_outlet": [i.id for i in self.without("outlet")],
            "suggested_event": self.suggested_event,
        }


# -- the target corpus -----------------------------------------------------------------
def check_target(root: Path) -> Path:
    """The corpus folder, resolved, if imports may go there; else :class:`ImportRefused`."""
    root = Path(root).expanduser()
    if not root.is_dir():
        raise ImportRefused(f"corpus folder not found: {root}")
    resolved = root.resolve()
    try:
        bundled = bundled_corpus_path().resolve()
    except OSError as exc:
        log.debug("the bundled corpus path does not resolve: %s", exc)
        bundled = None
    if resolved == bundled:
        raise ImportRefused(
            "the bundled sample corpus is read-only. Create a corpus of your own with "
            "'parallax corpus new NAME' (or copy the sample with 'parallax corpus copy-sample'), "
            "then import into it (it becomes the current corpus, or pass --corpus DIR)")
    if not os.access(resolved, os.W_OK):
        raise ImportRefused(f"cannot write to the corpus folder {resolved}")
    return resolved


@dataclass
class CorpusIndex:
    """What the corpus holds already: ids, text hashes and original-file hashes."""

    ids: set[str] = field(default_factory=set)
    by_text: dict[str, str] = field(default_factory=dict)
    by_original: dict[str, str] = field(default_factory=dict)

    @classmethod
    def of(cls, root: Path) -> CorpusIndex:
        index = cls()
        for path in sorted(root.glob("*.md")):
            index.ids.add(path.stem)
            split, _ = read_corpus_file(path)
            if split is None:
                continue
            doc_id = str(split.header.get("id") or path.stem)
            index.ids.add(doc_id)
            text = parse_body(split.body, split.body_line)[0]
            if text:
                index.by_text.setdefault(content_hash(text), doc_id)
            sha = split.header.get("original_sha256")
            if isinstance(sha, str):
                index.by_original.setdefault(sha, doc_id)
        return index


# -- collecting sources ----------------------------------------------------------------
def collect(paths: list[Path]) -> tuple[list[Path], list[Skipped]]:
    """Files to import from files and folders (recursively); loops and dead links are skipped."""
    files: list[Path] = []
    skipped: list[Skipped] = []
    seen_files: set[tuple[int, int]] = set()
    seen_dirs: set[tuple[int, int]] = set()

    def add_file(path: Path, st: os.stat_result) -> None:
        key = (st.st_dev, st.st_ino)
        if key not in seen_files:
            seen_files.add(key)
            files.append(path)

    def visit(path: Path, explicit: bool, base: Path | None) -> None:
        if base is not None and not explicit and path.is_symlink():
            try:
                target = path.resolve(strict=True)
            except (OSError, RuntimeError):
                target = None  # dead links and loops get their own reasons below
            if target is not None and not target.is_relative_to(base):
                skipped.append(Skipped(str(path), f"symbolic link to {target}, outside the folder being "
                                                  "imported: not followed (import that file itself if you mean it)"))
                return
        try:
            st = path.stat()
        except RuntimeError:
            skipped.append(Skipped(str(path), "symlink loop: the link points back to itself"))
            return
        except OSError as exc:
            if path.is_symlink():
                why = "symlink loop" if exc.errno == 40 else "broken symbolic link (its target does not exist)"
                skipped.append(Skipped(str(path), why))
            else:
                skipped.append(Skipped(str(path), f"cannot read: {exc.strerror or exc}"))
            return
        if stat.S_ISDIR(st.st_mode):
            key = (st.st_dev, st.st_ino)
            if key in seen_dirs:
                skipped.append(Skipped(str(path), "symlink loop: this folder was already visited"))
                return
            seen_dirs.add(key)
            try:
                entries = sorted(os.scandir(path), key=lambda e: e.name)
            except OSError as exc:
                skipped.append(Skipped(str(path), f"cannot read folder: {exc.strerror or exc}"))
                return
            names = {e.name for e in entries}
            for entry in entries:
                if entry.name.startswith(".") or entry.name.startswith("~"):
                    continue  # hidden files, editor backups, our own temp files
                if entry.name.endswith("_files") and any(
                        f"{entry.name[:-6]}{ext}" in names for ext in (".html", ".htm")):
                    continue  # a browser's "complete page" assets folder
                visit(Path(entry.path), explicit=False, base=base)
            return
        if not stat.S_ISREG(st.st_mode):
            what = ("a named pipe (FIFO)" if stat.S_ISFIFO(st.st_mode) else "a socket" if stat.S_ISSOCK(st.st_mode)
                    else "a device" if stat.S_ISCHR(st.st_mode) or stat.S_ISBLK(st.st_mode) else "not a regular file")
            skipped.append(Skipped(str(path), f"not a regular file: {what}, not read"))
            return
        suffix = path.suffix.lower()
        if not explicit and suffix and suffix not in EXTENSIONS:
            skipped.append(Skipped(str(path), f"unsupported file type ({suffix}); import .txt, .md, .html, .pdf, "
                                              ".docx, .epub, .eml or .mbox"))
            return
        add_file(path, st)

    for given in paths:
        path = Path(given).expanduser()
        try:
            base = path.resolve() if path.is_dir() else None
        except (OSError, RuntimeError):
            base = None
        visit(path, explicit=True, base=base)
    return files, skipped


# -- one source ------------------------------------------------------------------------
Source = tuple[Extracted, str | None, str]


def read_source(path: Path, data: bytes) -> list[Source]:
    """Bytes of one file to ``[(extracted, encoding, kind), ...]`` (an mbox holds several); :class:`Skip`."""
    if not data.strip():
        raise Skip("empty file")
    container = sniff_container(path, data)
    if container == PDF:
        from reader.core.importer.pdf import read_pdf

        return [(read_pdf(data), None, PDF)]
    if container == DOCX:
        from reader.core.importer.docx import read_docx

        return [(read_docx(data), None, DOCX)]
    if container == EPUB:
        from reader.core.importer.epub import read_epub

        return [(read_epub(data), None, EPUB)]
    what = describe_binary(data)
    if what:
        raise Skip(f"not a text document: looks like {what}")
    mail = looks_like_email(path, data)
    if mail is not None:
        from reader.core.importer.mail import read_message, split_mbox

        messages = split_mbox(data) if mail == MBOX else [data]
        found: list[Source] = []
        reasons: list[str] = []
        for message in messages:
            try:
                found.append((read_message(message), None, EMAIL))
            except Skip as skip:
                reasons.append(skip.reason)
        if not found:
            raise Skip(reasons[0] if reasons else "empty mailbox: no messages in it")
        return found
    kind = sniff_kind(path, data)
    text, encoding = decode_bytes(data, html=kind == HTML)
    if not text.strip():
        raise Skip("empty file")
    if kind == HTML:
        return [(read_html(text), encoding, kind)]
    if kind == MARKDOWN:
        return [(read_markdown(text, path), encoding, kind)]
    return [(read_text(text, path), encoding, kind)]


class Importer:
    """Imports sources into one corpus folder; keeps the corpus's ids and hashes up to date."""

    def __init__(self, root: Path, *, max_mb: float = DEFAULT_MAX_MB,
                 now: Callable[[], datetime] | None = None, outlet: str | None = None,
                 event: str | None = None) -> None:
        self.root = check_target(root)
        self.max_bytes = int(max_mb * 1024 * 1024)
        self.index = CorpusIndex.of(self.root)
        #: The corpus's event: offered to the user (report.suggested_event), never stamped unasked.
        self.corpus_event = _corpus_event(self.root)
        #: Given for the batch: fills documents whose source names no outlet / event.
        self.outlet = " ".join((outlet or "").split()) or None
        self.event = " ".join((event or "").split()) or None
        self._now = now or (lambda: datetime.now(UTC))

    def run(self, paths: list[Path], progress: Progress | None = None,
            cancelled: Cancelled | None = None) -> ImportReport:
        """Import every source in order; cancelling stops between sources."""
        report = ImportReport(self.root, suggested_event=self.corpus_event)
        files, skipped = collect(paths)
        report.skipped.extend(skipped)
        total = len(files)
        if progress is not None:
            progress(0, total)
        for done, path in enumerate(files, 1):
            if cancelled is not None and cancelled():
                report.cancelled = True
                break
            self._finish(path, self._submit(path), report)
            if progress is not None:
                progress(done, total)
        return report

    def _submit(self, path: Path) -> Any:
        """Read and extract one file: ``("skip", reason)``, ``("duplicate", id)`` or ``("loaded", ...)``."""
        try:
            data, sha = self._load(path)
        except Skip as skip:
            return ("skip", skip.reason)
        if sha in self.index.by_original:
            return ("duplicate", self.index.by_original[sha])
        return ("loaded", data, sha, extract_safely(path, data))

    def _load(self, path: Path) -> tuple[bytes, str]:
        try:
            size = path.stat().st_size
        except OSError as exc:
            raise Skip(f"cannot read: {exc.strerror or exc}") from None
        if size == 0:
            raise Skip("empty file")
        if size > self.max_bytes:
            raise Skip(f"too large: {_size(size)} is over the {_size(self.max_bytes)} limit "
                       "(setting import.max_size_mb)")
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise Skip(f"cannot read: {exc.strerror or exc}") from None
        return data, hashlib.sha256(data).hexdigest()

    def _finish(self, path: Path, work: Any, report: ImportReport) -> None:
        shown = str(path)
        if work[0] == "skip":
            report.skipped.append(Skipped(shown, work[1]))
            return
        if work[0] == "duplicate":
            report.duplicates.append(Duplicate(shown, work[1]))
            return
        _, data, sha, outcome = work
        if outcome[0] == "skip":
            report.skipped.append(Skipped(shown, outcome[1]))
            return
        if sha in self.index.by_original:  # the same bytes twice in one batch
            report.duplicates.append(Duplicate(shown, self.index.by_original[sha]))
            return
        original_rel: str | None = None
        for extracted, encoding, kind in outcome[1]:
            try:
                done = self._write(path, data, sha, extracted, encoding, kind, report, original_rel)
            except Skip as skip:
                report.skipped.append(Skipped(shown, skip.reason))
                continue
            except OSError as exc:
                report.skipped.append(Skipped(shown, f"cannot import: {exc.strerror or exc}"))
                continue
            except Exception as exc:  # one bad source must never stop the batch or show a traceback
                log.debug("import of %s failed", shown, exc_info=True)
                report.skipped.append(Skipped(shown, f"cannot import: {type(exc).__name__}: {exc}"))
                continue
            if done is not None:
                original_rel = original_rel or done.header.get("original")
                self._attachments(path, done, extracted, report)

    def _attachments(self, path: Path, parent: Imported, extracted: Extracted, report: ImportReport) -> None:
        """Importable attachments of an e-mail become documents that name the mail they came in."""
        linked: list[str] = []
        for name, payload in extracted.attachments:
            shown = f"{path}#{name}"
            member = Path(Path(name).name or "attachment")
            if member.suffix.lower() not in EXTENSIONS or not payload:
                continue
            if len(payload) > self.max_bytes:
                report.skipped.append(Skipped(shown, f"too large: {_size(len(payload))} attachment"))
                continue
            sha = hashlib.sha256(payload).hexdigest()
            if sha in self.index.by_original:
                report.duplicates.append(Duplicate(shown, self.index.by_original[sha]))
                linked.append(self.index.by_original[sha])
                continue
            outcome = extract_safely(member, payload)
            if outcome[0] == "skip":
                report.skipped.append(Skipped(shown, outcome[1]))
                continue
            for sub, encoding, kind in outcome[1]:
                sub.attachments = []  # one level: a mail inside a mail is not unpacked further
                sub.outlet = sub.outlet or str(parent.header.get("outlet") or "")
                sub.author = sub.author or str(parent.header.get("author") or "")
                if not sub.published and parent.header.get("published"):
                    sub.published = str(parent.header["published"])
                    sub.date_note = "from the e-mail it was attached to"
                sub.extra.setdefault("provenance", {})
                if isinstance(sub.extra["provenance"], dict):
                    sub.extra["provenance"]["attached_to"] = parent.id
                try:
                    done = self._write(member, payload, sha, sub, encoding, kind, report, None, shown=shown)
                except (Skip, OSError) as exc:
                    reason = exc.reason if isinstance(exc, Skip) else f"cannot import: {exc.strerror or exc}"
                    report.skipped.append(Skipped(shown, reason))
                    continue
                if done is not None:
                    linked.append(done.id)
        if linked:
            parent.header.setdefault("provenance", {})["attachments_imported_as"] = linked
            _rewrite_header(parent)

    def _write(self, path: Path, data: bytes, original_sha: str, extracted: Extracted, encoding: str | None,
               kind: str, report: ImportReport, original_rel: str | None, shown: str | None = None) -> Imported | None:
        shown = shown or str(path)
        if not extracted.title.strip():
            extracted.title = title_from_filename(path)
        if not extracted.outlet and self.outlet:
            extracted.outlet = self.outlet
        if not extracted.event and self.event:
            extracted.event = self.event
        doc_id = unique_id(extracted.wanted_id, extracted.title, self.index.ids)
        suffix = path.suffix.lower() if path.suffix.lower() in EXTENSIONS else {
            HTML: ".html", MARKDOWN: ".md", PDF: ".pdf", DOCX: ".docx", EPUB: ".epub", EMAIL: ".eml"}.get(kind, ".txt")
        write_original = original_rel is None
        original_rel = original_rel or f"{ORIGINALS}/{doc_id}{suffix}"
        provenance = extracted.extra.get("provenance")
        provenance = dict(provenance) if isinstance(provenance, dict) else (
            {"note": provenance} if provenance else {})
        provenance.update({"imported_from": str(path.resolve()) if shown == str(path) else shown, "format": kind})
        extras: dict[str, Any] = {"encoding": encoding} if encoding else {}
        header = front_matter(doc_id, extracted, {
            **extras,
            "original": original_rel,
            "original_sha256": original_sha,
            "imported": self._now().replace(microsecond=0).isoformat().replace("+00:00", "Z"),
            "provenance": provenance,
        })
        text = render(header, render_body(extracted))
        target = self.root / f"{doc_id}.md"
        digest = verify(text, target)
        if digest in self.index.by_text:
            report.duplicates.append(Duplicate(shown, self.index.by_text[digest]))
            return None
        original_path = self.root / original_rel
        if write_original:
            original_path.parent.mkdir(exist_ok=True)
            atomic_write_bytes(original_path, data)
        try:
            atomic_write_text(target, text)
        except BaseException:
            if write_original:
                with contextlib.suppress(OSError):
                    original_path.unlink()
            raise
        self.index.ids.add(doc_id)
        self.index.by_text[digest] = doc_id
        self.index.by_original.setdefault(original_sha, doc_id)
        done = Imported(shown, doc_id, extracted.title, target, header)
        report.imported.append(done)
        return done


def _rewrite_header(item: Imported) -> None:
    """Write an imported document again with its updated header (its text is unchanged)."""
    split, _ = read_corpus_file(item.file)
    if split is None:
        return
    atomic_write_text(item.file, render(item.header, split.body.lstrip("\n")))


def extract_safely(path: Path, data: bytes) -> tuple[Any, ...]:
    """``("ok", [(extracted, encoding, kind), ...])`` or ``("skip", reason)``; never raises."""
    try:
        return ("ok", read_source(path, data))
    except Skip as skip:
        return ("skip", skip.reason)
    except RecursionError:
        return ("skip", "broken HTML: nested too deeply to read")
    except Exception as exc:  # one bad source must never stop the batch or show a traceback
        log.debug("import failed in a worker", exc_info=True)
        return ("skip", f"cannot import: {type(exc).__name__}: {exc}")


def _corpus_event(root: Path) -> str | None:
    """The ``event`` of ``corpus.yaml``, if the corpus names one."""
    import yaml

    try:
        data = yaml.safe_load((root / "corpus.yaml").read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return None
    event = data.get("event") if isinstance(data, dict) else None
    return " ".join(str(event).split()) or None if event else None


def _size(n: int) -> str:
    return f"{n / 1048576:.1f} MB" if n >= 104858 else f"{n:,} bytes"


def import_paths(root: Path, paths: list[Path], *, max_mb: float = DEFAULT_MAX_MB,
                 progress: Progress | None = None, cancelled: Cancelled | None = None,
                 outlet: str | None = None, event: str | None = None) -> ImportReport:
    """Import files and folders into the corpus at ``root``; see :class:`Importer`."""
    return Importer(root, max_mb=max_mb, outlet=outlet, event=event).run([Path(p) for p in paths], progress,
                                                                         cancelled)
