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
from reader.core.importer.sniff import EXTENSIONS, HTML, MARKDOWN, describe_binary, sniff_kind
from reader.core.paths import bundled_corpus_path
from reader.core.text import content_hash

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

    def to_json(self) -> dict[str, Any]:
        return {
            "imported": [i.to_json() for i in self.imported],
            "skipped": [s.to_json() for s in self.skipped],
            "duplicates": [d.to_json() for d in self.duplicates],
        }


# -- the target corpus -----------------------------------------------------------------
def check_target(root: Path) -> Path:
    """The corpus folder, resolved, if imports may go there; else :class:`ImportRefused`."""
    root = Path(root).expanduser()
    if not root.is_dir():
        raise ImportRefused(f"corpus folder not found: {root}")
    resolved = root.resolve()
    with contextlib.suppress(OSError):
        if resolved == bundled_corpus_path().resolve():
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

    def visit(path: Path, explicit: bool) -> None:
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
                visit(Path(entry.path), explicit=False)
            return
        if not stat.S_ISREG(st.st_mode):
            skipped.append(Skipped(str(path), "not a regular file"))
            return
        suffix = path.suffix.lower()
        if not explicit and suffix and suffix not in EXTENSIONS:
            skipped.append(Skipped(str(path), f"unsupported file type ({suffix}); import .txt, .md or .html"))
            return
        add_file(path, st)

    for given in paths:
        visit(Path(given).expanduser(), explicit=True)
    return files, skipped


# -- one source ------------------------------------------------------------------------
def read_source(path: Path, data: bytes) -> tuple[Extracted, str, str]:
    """Bytes of one file to ``(extracted, encoding, kind)``; :class:`Skip` with a reason."""
    if not data.strip():
        raise Skip("empty file")
    what = describe_binary(data)
    if what:
        raise Skip(f"not a text document: looks like {what}")
    kind = sniff_kind(path, data)
    text, encoding = decode_bytes(data, html=kind == HTML)
    if not text.strip():
        raise Skip("empty file")
    if kind == HTML:
        return read_html(text), encoding, kind
    if kind == MARKDOWN:
        return read_markdown(text, path), encoding, kind
    return read_text(text, path), encoding, kind


class Importer:
    """Imports sources into one corpus folder; keeps the corpus's ids and hashes up to date."""

    def __init__(self, root: Path, *, max_mb: float = DEFAULT_MAX_MB,
                 now: Callable[[], datetime] | None = None) -> None:
        self.root = check_target(root)
        self.max_bytes = int(max_mb * 1024 * 1024)
        self.index = CorpusIndex.of(self.root)
        self.default_event = _corpus_event(self.root)
        self._now = now or (lambda: datetime.now(UTC))

    def run(self, paths: list[Path], progress: Progress | None = None,
            cancelled: Cancelled | None = None) -> ImportReport:
        """Import every source in order; cancelling stops between sources."""
        report = ImportReport(self.root)
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
        try:
            self._write(path, data, sha, outcome[1], outcome[2], outcome[3], report)
        except Skip as skip:
            report.skipped.append(Skipped(shown, skip.reason))
        except OSError as exc:
            report.skipped.append(Skipped(shown, f"cannot import: {exc.strerror or exc}"))
        except Exception as exc:  # one bad source must never stop the batch or show a traceback
            report.skipped.append(Skipped(shown, f"cannot import: {type(exc).__name__}: {exc}"))

    def _write(self, path: Path, data: bytes, original_sha: str, extracted: Extracted, encoding: str, kind: str,
               report: ImportReport) -> None:
        shown = str(path)
        if not extracted.title.strip():
            extracted.title = title_from_filename(path)
        if not extracted.event and self.default_event:
            extracted.event = self.default_event  # the corpus is about one event: say so until edited
        doc_id = unique_id(extracted.wanted_id, extracted.title, self.index.ids)
        suffix = path.suffix.lower() if path.suffix.lower() in EXTENSIONS else {
            HTML: ".html", MARKDOWN: ".md"}.get(kind, ".txt")
        original_rel = f"{ORIGINALS}/{doc_id}{suffix}"
        provenance = extracted.extra.get("provenance")
        provenance = dict(provenance) if isinstance(provenance, dict) else (
            {"note": provenance} if provenance else {})
        provenance.update({"imported_from": str(path.resolve()), "format": kind})
        header = front_matter(doc_id, extracted, {
            "encoding": encoding,
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
            return
        original_path = self.root / original_rel
        original_path.parent.mkdir(exist_ok=True)
        atomic_write_bytes(original_path, data)
        try:
            atomic_write_text(target, text)
        except BaseException:
            with contextlib.suppress(OSError):
                original_path.unlink()
            raise
        self.index.ids.add(doc_id)
        self.index.by_text[digest] = doc_id
        self.index.by_original[original_sha] = doc_id
        report.imported.append(Imported(shown, doc_id, extracted.title, target, header))


def extract_safely(path: Path, data: bytes) -> tuple[Any, ...]:
    """``("ok", extracted, encoding, kind)`` or ``("skip", reason)``; never raises."""
    try:
        return ("ok", *read_source(path, data))
    except Skip as skip:
        return ("skip", skip.reason)
    except RecursionError:
        return ("skip", "broken HTML: nested too deeply to read")
    except Exception as exc:  # one bad source must never stop the batch or show a traceback
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
                 progress: Progress | None = None, cancelled: Cancelled | None = None) -> ImportReport:
    """Import files and folders into the corpus at ``root``; see :class:`Importer`."""
    return Importer(root, max_mb=max_mb).run([Path(p) for p in paths], progress, cancelled)
