"""The user's corpora: create, list, copy the sample, switch, and edit a document's metadata.

A user corpus is a folder (by default ``<data dir>/corpora/<name>``, or any folder the
user picks) with a ``corpus.yaml``. The bundled sample is read-only: imports and
metadata edits refuse it with a message that says how to get an editable copy.
Switching remembers the folder in the settings (``corpus.path``, ``corpus.recent``).
"""

from __future__ import annotations

import re
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from reader.core.atomic import atomic_write_text
from reader.core.corpus import CORPUS_FILE, Corpus, new_corpus_id, write_corpus_id
from reader.core.document import KNOWN_KEYS, coerce_date
from reader.core.errors import CorpusError, ReaderError
from reader.core.frontmatter import ERROR, decode_text, read_limited, split_front_matter
from reader.core.paths import AppPaths, bundled_corpus_path
from reader.core.settings import Settings

NAME_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 ._-]{0,63}$")
EDITABLE = ("title", "outlet", "author", "published", "event", "date_note", "language", "url", "subtitle")


class ReadOnlyCorpus(ReaderError):
    """The bundled sample (or another read-only corpus) cannot be changed."""


@dataclass(frozen=True)
class CorpusEntry:
    """One corpus the user can open."""

    name: str
    path: Path
    title: str
    documents: int
    bundled: bool
    current: bool

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "path": str(self.path), "title": self.title, "documents": self.documents,
                "bundled": self.bundled, "current": self.current}


def corpora_dir(paths: AppPaths) -> Path:
    return paths.data_dir / "corpora"


def is_bundled(root: Path) -> bool:
    try:
        return Path(root).resolve() == bundled_corpus_path().resolve()
    except OSError:
        return False


def ensure_writable(root: Path) -> None:
    if is_bundled(root):
        raise ReadOnlyCorpus(
            "the bundled sample corpus is read-only; make an editable copy with "
            "'parallax corpus copy-sample' (File ▸ Copy Sample Corpus in the window) and work there")


def resolve_corpus(paths: AppPaths, name_or_path: str) -> Path:
    """A corpus named in the data dir, or a folder path."""
    candidate = corpora_dir(paths) / name_or_path
    if NAME_PATTERN.match(name_or_path) and candidate.is_dir():
        return candidate
    folder = Path(name_or_path).expanduser()
    if folder.is_dir():
        return folder.resolve()
    raise CorpusError(f"no corpus named {name_or_path!r} and no such folder")


def create_corpus(paths: AppPaths, name: str, folder: Path | None = None, *, title: str | None = None,
                  description: str = "", event: str = "") -> Path:
    """Make a new, empty corpus; ``folder`` defaults to ``<data dir>/corpora/<name>``."""
    name = name.strip()
    if folder is None:
        if not NAME_PATTERN.match(name):
            raise CorpusError(f"invalid corpus name {name!r}: use letters, digits, spaces, '.', '_' or '-'")
        folder = corpora_dir(paths) / name
    folder = Path(folder).expanduser()
    if is_bundled(folder):
        raise ReadOnlyCorpus("the bundled sample corpus folder cannot be used for a new corpus")
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise CorpusError(f"{folder} already exists and is not an empty folder")
    try:
        folder.mkdir(parents=True, exist_ok=True)
        # the id is the corpus's identity: notes follow it when the folder is moved or renamed
        info: dict[str, Any] = {"id": new_corpus_id(), "title": title or name or folder.name}
        if description:
            info["description"] = description
        if event:
            info["event"] = event
        atomic_write_text(folder / CORPUS_FILE, "# A Parallax Reader corpus: one <id>.md per document.\n"
                          + yaml.safe_dump(info, allow_unicode=True, sort_keys=False))
    except OSError as exc:
        raise CorpusError(f"cannot create the corpus folder {folder}: {exc.strerror or exc}") from None
    return folder.resolve()


def copy_sample(paths: AppPaths, name: str = "sample") -> Path:
    """An editable copy of the bundled sample in the data dir (``sample``, ``sample-2``...)."""
    base = corpora_dir(paths)
    target, n = base / name, 2
    while target.exists():
        target = base / f"{name}-{n}"
        n += 1
    base.mkdir(parents=True, exist_ok=True)
    tmp = base / f".{target.name}.copying"
    shutil.rmtree(tmp, ignore_errors=True)
    try:
        # copyfile, not copy2: the installed sample's modes (0644/0755) must not leak into user data
        shutil.copytree(bundled_corpus_path(), tmp, copy_function=shutil.copyfile)
        _make_own(tmp)
        # a copy is a corpus of its own: a new identity, so its notes never mix with the sample's
        write_corpus_id(tmp, new_corpus_id())
        tmp.replace(target)  # appears whole or not at all
    except (OSError, CorpusError) as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        raise CorpusError(f"cannot copy the sample corpus: {getattr(exc, 'strerror', None) or exc}") from None
    return target.resolve()


def _make_own(folder: Path) -> None:
    """A fresh copy is the user's: private and writable (0700 folders, 0600 files).

    The installed sample may be read-only, or 0644/0755; neither mode belongs in user data.
    """
    folder.chmod(0o700)
    for path in folder.rglob("*"):
        if not path.is_symlink():
            path.chmod(0o700 if path.is_dir() else 0o600)


def remember(settings: Settings, root: Path) -> None:
    """Make ``root`` the current corpus and put it first in the recent list."""
    root = Path(root).resolve()
    if is_bundled(root):
        settings.set("corpus.path", "")
        return
    settings.set("corpus.path", str(root))
    recent = [str(root)] + [p for p in settings.get("corpus.recent") if p != str(root)]
    settings.set("corpus.recent", recent[:10])


def recent_corpora(settings: Settings) -> list[Path]:
    return [Path(p) for p in settings.get("corpus.recent") if Path(p).is_dir()]


def list_corpora(paths: AppPaths, settings: Settings, current: Path | None = None) -> list[CorpusEntry]:
    """The sample, every corpus in the data dir, then recent folders elsewhere."""
    folders: list[Path] = [bundled_corpus_path()]
    base = corpora_dir(paths)
    if base.is_dir():
        folders += sorted(p for p in base.iterdir() if p.is_dir() and not p.name.startswith("."))
    folders += recent_corpora(settings)
    current_resolved = Path(current).resolve() if current else None
    entries: list[CorpusEntry] = []
    seen: set[Path] = set()
    for folder in folders:
        resolved = folder.resolve()
        if resolved in seen:
            continue
        seen.add(resolved)
        title = resolved.name
        try:
            data = yaml.safe_load((resolved / CORPUS_FILE).read_text(encoding="utf-8"))
            if isinstance(data, dict) and data.get("title"):
                title = str(data["title"])
        except (OSError, UnicodeDecodeError, yaml.YAMLError):
            pass
        count = sum(1 for p in resolved.glob("*.md") if not p.name.startswith("."))
        bundled = is_bundled(resolved)
        entries.append(CorpusEntry("sample (bundled)" if bundled else resolved.name, resolved, title, count,
                                   bundled, resolved == current_resolved))
    return entries


def edit_document_meta(corpus: Corpus, doc_id: str, changes: dict[str, Any]) -> Path:
    """Rewrite one document's front matter with ``changes``; the text is kept byte for byte.

    Empty values remove optional keys; ``title`` cannot be empty. The new file is checked
    with the loader's rules before it replaces the old one, atomically.
    """
    ensure_writable(corpus.root)
    if corpus.read_only:
        raise ReadOnlyCorpus("this corpus is read-only")
    meta = corpus.meta(doc_id)
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise ReaderError(f"cannot edit {', '.join(sorted(unknown))}; editable: {', '.join(EDITABLE)}")
    refused = corpus.refusal(meta.path)
    data, why = (None, refused) if refused else read_limited(meta.path)
    if data is None:
        raise ReaderError(f"cannot read {meta.path}: {why}")
    raw, decode_problems = decode_text(data, str(meta.path))  # UTF-16 is rewritten as UTF-8
    if raw is None:
        raise ReaderError("; ".join(p.message for p in decode_problems))
    split, problems = split_front_matter(raw, str(meta.path))
    if split is None:
        raise ReaderError("; ".join(p.message for p in problems))
    header = dict(split.header)
    for key, value in changes.items():
        value = "" if value is None else str(value).strip()
        if key == "title" and not value:
            raise ReaderError("the title cannot be empty")
        if key == "published" and value:
            date = coerce_date(value)
            if date is None:
                raise ReaderError(f"not an ISO date (YYYY-MM-DD): {value!r}")
            value = date
        if value or key in ("outlet", "author"):
            header[key] = value
        else:
            header.pop(key, None)
    lines = raw.replace("\r\n", "\n").lstrip("\ufeff").split("\n")
    body = "\n".join(lines[split.body_line - 1 :])
    dumped = yaml.safe_dump(header, allow_unicode=True, sort_keys=False, width=10**6)
    text = f"---\n{dumped}---\n{body}"
    check, problems = split_front_matter(text, str(meta.path))
    issues: list[Any] = []
    if check is None or Corpus._meta_from_header(check, meta.path, str(meta.path), issues) is None or any(
            p.severity == ERROR for p in issues):
        raise ReaderError("the edited metadata would not load: "
                          + "; ".join(p.message for p in problems + issues if p.severity == ERROR))
    if check.body != split.body:
        raise ReaderError("internal: editing the metadata would change the text; nothing was written")
    atomic_write_text(meta.path, text)
    return meta.path


__all__ = ["EDITABLE", "KNOWN_KEYS", "CorpusEntry", "ReadOnlyCorpus", "copy_sample", "corpora_dir",
           "create_corpus", "edit_document_meta", "ensure_writable", "is_bundled", "list_corpora", "remember",
           "resolve_corpus"]
