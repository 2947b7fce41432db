"""One metadata change for many documents at once, and its undo.

Giving twenty imported pages their outlet should be one action, not twenty edits. A bulk
edit first checks every document and value (nothing is written when one is wrong), then
rewrites each front matter atomically, keeping what every field held before so the whole
change can be undone in one step (the window's Ctrl+Z, or applying the returned
``previous`` values). Text is never touched: only front matter.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

import yaml

from reader.core.atomic import atomic_write_text
from reader.core.corpora import EDITABLE, ReadOnlyCorpus, edit_document_meta, ensure_writable
from reader.core.corpus import Corpus
from reader.core.document import coerce_date
from reader.core.errors import ReaderError
from reader.core.frontmatter import split_front_matter

log = logging.getLogger(__name__)

#: What can be set on many documents at once (a title belongs to one document).
BULK_KEYS = ("outlet", "author", "published", "event", "language", "tags", "date_note", "url")
_ALIASES = {"date": "published", "date-note": "date_note", "lang": "language", "tag": "tags"}


@dataclass
class BulkEdit:
    """What a bulk edit changed: per document, the fields' values before (None: absent)."""

    changes: dict[str, Any]
    previous: dict[str, dict[str, Any]] = field(default_factory=dict)

    @property
    def ids(self) -> list[str]:
        return list(self.previous)


def parse_assignment(item: str) -> tuple[str, str]:
    """``outlet=BBC News`` -> ``("outlet", "BBC News")``; a clear error for anything else."""
    key, sep, value = item.partition("=")
    key = _ALIASES.get(key.strip().lower(), key.strip().lower())
    if not sep or not key:
        raise ReaderError(f"--set wants KEY=VALUE (e.g. outlet=\"BBC News\"), not {item!r}")
    if key not in BULK_KEYS:
        raise ReaderError(f"cannot set {key!r} on many documents; use one of {', '.join(BULK_KEYS)}")
    return key, value.strip()


def split_tags(value: Any) -> list[str]:
    items = [str(v) for v in value] if isinstance(value, list) else str(value or "").split(",")
    return list(dict.fromkeys(" ".join(t.split()) for t in items if t.strip()))


def _normalise(changes: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in changes.items():
        if key not in BULK_KEYS:
            raise ReaderError(f"cannot set {key!r} on many documents; use one of {', '.join(BULK_KEYS)}")
        if key == "tags":
            out[key] = split_tags(value) or None
            continue
        text = " ".join(str(value if value is not None else "").split())
        if key == "published" and text:
            date = coerce_date(text)
            if date is None:
                raise ReaderError(f"not an ISO date (YYYY-MM-DD): {text!r}")
            text = date
        out[key] = text
    return out


def _header(path: Any) -> dict[str, Any]:
    try:
        raw = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ReaderError(f"cannot read {path}: {exc}") from None
    split, problems = split_front_matter(raw, str(path))
    if split is None:
        raise ReaderError("; ".join(p.message for p in problems))
    return dict(split.header)


def _write_tags(corpus: Corpus, doc_id: str, tags: list[str] | None) -> None:
    """``tags`` is a list, which the one-document editor does not take: same rules, same atomic write."""
    path = corpus.meta(doc_id).path
    raw = path.read_text(encoding="utf-8")
    split, problems = split_front_matter(raw, str(path))
    if split is None:
        raise ReaderError("; ".join(p.message for p in problems))
    header = dict(split.header)
    if tags:
        header["tags"] = tags
    else:
        header.pop("tags", None)
    lines = raw.replace("\r\n", "\n").lstrip("\ufeff").split("\n")
    body = "\n".join(lines[split.body_line - 1:])
    text = f"---\n{yaml.safe_dump(header, allow_unicode=True, sort_keys=False, width=10**6)}---\n{body}"
    check, _ = split_front_matter(text, str(path))
    if check is None or check.body != split.body:
        raise ReaderError("internal: editing the tags would change the text; nothing was written")
    atomic_write_text(path, text)


def _apply(corpus: Corpus, doc_id: str, values: dict[str, Any]) -> None:
    plain = {k: ("" if v is None else v) for k, v in values.items() if k != "tags"}
    if plain:
        edit_document_meta(corpus, doc_id, plain)
    if "tags" in values:
        _write_tags(corpus, doc_id, values["tags"])


def bulk_edit(corpus: Corpus, ids: list[str], changes: dict[str, Any]) -> BulkEdit:
    """Set ``changes`` on every document in ``ids``; all checked first, undone if a write fails."""
    if corpus.read_only:
        raise ReadOnlyCorpus("this corpus is read-only")
    ensure_writable(corpus.root)
    if not ids:
        raise ReaderError("no documents given")
    if not changes:
        raise ReaderError("nothing to set: give KEY=VALUE")
    values = _normalise(changes)
    edit = BulkEdit(values)
    for doc_id in dict.fromkeys(ids):
        header = _header(corpus.meta(doc_id).path)  # unknown ids fail here, before any write
        edit.previous[doc_id] = {k: header.get(k) for k in values}
    done: list[str] = []
    try:
        for doc_id in edit.previous:
            _apply(corpus, doc_id, values)
            done.append(doc_id)
    except (ReaderError, OSError) as exc:
        for doc_id in done:
            try:
                _apply(corpus, doc_id, edit.previous[doc_id])
            except (ReaderError, OSError):
                log.exception("could not restore %s after a failed bulk edit", doc_id)
        raise ReaderError(f"not changed (stopped at {len(done) + 1} of {len(edit.previous)}): {exc}") from None
    return edit


def undo_bulk_edit(corpus: Corpus, edit: BulkEdit) -> None:
    """Put back what every field held before ``edit``."""
    for doc_id, before in edit.previous.items():
        restored = {k: (v if k == "tags" else ("" if v is None else str(v))) for k, v in before.items()}
        _apply(corpus, doc_id, restored)


__all__ = ["BULK_KEYS", "EDITABLE", "BulkEdit", "bulk_edit", "parse_assignment", "split_tags", "undo_bulk_edit"]
