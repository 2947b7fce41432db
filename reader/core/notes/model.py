"""A note: a body, tags and a colour, anchored to a passage (or a whole document)."""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

from reader.core.errors import ReaderError
from reader.core.notes.anchoring import ANCHORED, ORPHAN, STATUSES, QuoteSelector

log = logging.getLogger(__name__)

PASSAGE = "passage"
DOCUMENT = "document"

#: Zotero's eight highlight colours (base hues); the GUI tints them for the theme.
COLORS: dict[str, str] = {
    "yellow": "#ffd400",
    "red": "#ff6666",
    "green": "#5fb236",
    "blue": "#2ea8e5",
    "purple": "#a28ae5",
    "magenta": "#e56eee",
    "orange": "#f19837",
    "grey": "#aaaaaa",
}
DEFAULT_COLOR = "yellow"


class NotesError(ReaderError):
    """Something about notes the user must be told (read-only folder, full disk, unknown id...)."""


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def new_id() -> str:
    return uuid.uuid4().hex


def check_color(color: str) -> str:
    name = (color or DEFAULT_COLOR).strip().lower()
    if name == "gray":
        name = "grey"
    if name not in COLORS:
        raise NotesError(f"unknown colour {color!r}; choose one of {', '.join(COLORS)}")
    return name


def check_status(status: str) -> str:
    if status not in STATUSES:
        raise NotesError(f"unknown status {status!r}; choose one of {', '.join(STATUSES)}")
    return status


def clean_tags(tags: object) -> tuple[str, ...]:
    """Tags from a list or a comma-separated string: trimmed, no '#', unique, in order."""
    if isinstance(tags, str):
        items = tags.split(",")
    elif isinstance(tags, (list, tuple)):
        items = [str(t) for t in tags]
    else:
        items = []
    out: list[str] = []
    for item in items:
        tag = item.strip().lstrip("#").strip()
        if tag and tag not in out:
            out.append(tag)
    return tuple(out)


def blend(hex_color: str, background: str, alpha: float) -> str:
    """``hex_color`` laid over ``background`` at ``alpha``: highlight tints for light and dark themes."""
    fg = [int(hex_color[i:i + 2], 16) for i in (1, 3, 5)]
    bg = [int(background[i:i + 2], 16) for i in (1, 3, 5)]
    mixed = [round(alpha * f + (1 - alpha) * b) for f, b in zip(fg, bg, strict=True)]
    return "#" + "".join(f"{c:02x}" for c in mixed)


def highlight_color(color: str, background: str, dark: bool) -> str:
    """The note highlight behind text: light tints on light paper, deep tones on dark."""
    return blend(COLORS.get(color, COLORS[DEFAULT_COLOR]), background, 0.42 if dark else 0.38)


@dataclass(frozen=True)
class Note:
    """One note; ``start``/``end`` are None for whole-document notes and orphans."""

    id: str
    corpus: str
    doc: str
    doc_hash: str = ""
    start: int | None = None
    end: int | None = None
    exact: str = ""
    prefix: str = ""
    suffix: str = ""
    original: str = ""
    status: str = ANCHORED
    kind: str = PASSAGE
    body: str = ""
    tags: tuple[str, ...] = ()
    color: str = DEFAULT_COLOR
    created: str = field(default_factory=now_iso)
    updated: str = field(default_factory=now_iso)
    #: moves with every stored change; a stale edit is told apart by it (see NoteStore.update)
    version: int = 1
    #: some of its text could not be decoded and was repaired with replacement characters
    damaged: bool = False

    @property
    def is_orphan(self) -> bool:
        return self.status == ORPHAN

    @property
    def whole_document(self) -> bool:
        return self.kind == DOCUMENT

    @property
    def selector(self) -> QuoteSelector:
        return QuoteSelector(self.exact, self.prefix, self.suffix)

    def with_changes(self, **changes: Any) -> Note:
        return replace(self, **changes)

    def to_json(self) -> dict[str, Any]:
        """The shape ``parallax notes list --json`` prints (``damaged`` only on a damaged note)."""
        data: dict[str, Any] = {
            "id": self.id, "doc": self.doc, "quote": self.exact, "start": self.start, "end": self.end,
            "status": self.status, "text": self.body, "tags": list(self.tags), "color": self.color,
            "created": self.created, "updated": self.updated,
        }
        if self.damaged:
            data["damaged"] = True
        return data

    def to_record(self) -> dict[str, Any]:
        """Everything, for the JSON export (round-trips through :func:`from_record`)."""
        data = self.to_json()
        data.update({"kind": self.kind, "prefix": self.prefix, "suffix": self.suffix,
                     "original": self.original, "doc_hash": self.doc_hash})
        return data

    @classmethod
    def from_record(cls, data: dict[str, Any], corpus: str) -> Note:
        try:
            start = data.get("start")
            end = data.get("end")
            return cls(
                id=str(data["id"]), corpus=corpus, doc=str(data["doc"]),
                doc_hash=str(data.get("doc_hash") or ""),
                start=int(start) if start is not None else None,
                end=int(end) if end is not None else None,
                exact=str(data.get("quote") or data.get("exact") or ""),
                prefix=str(data.get("prefix") or ""), suffix=str(data.get("suffix") or ""),
                original=str(data.get("original") or data.get("quote") or ""),
                status=check_status(str(data.get("status") or ANCHORED)),
                kind=DOCUMENT if data.get("kind") == DOCUMENT else PASSAGE,
                body=str(data.get("text") or data.get("body") or ""),
                tags=clean_tags(data.get("tags") or ()),
                color=check_color(str(data.get("color") or DEFAULT_COLOR)),
                created=str(data.get("created") or now_iso()),
                updated=str(data.get("updated") or data.get("created") or now_iso()),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise NotesError(f"not a note record: {exc}") from None
