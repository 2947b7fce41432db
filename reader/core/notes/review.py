"""Notes whose place changed: where each was before, where it is now, and the user's verdict.

Re-anchoring may only guess (a short quote found again without its context is marked
``needs-review``) and even a confident move deserves a look, so no change of place is
silent. Just before :func:`reader.core.notes.service.refresh_anchors` stores new places,
:func:`record_before` keeps each note's last confirmed place in the ``anchor_reviews``
table (store migration 4); the row stays until the user accepts the new place or
re-attaches the note (:func:`accept`, :func:`reattach`), so a note re-anchored twice
still shows the place the user last saw. Rows are written before the new anchors (a
kill in between leaves a row describing the note as it still is, harmless), and a note
leaving ``anchored`` always replaces a leftover row, so a stale row cannot survive.

The table belongs to the notes store; this module reaches its connection and its
one-transaction writer (``_conn``, ``_write``) instead of widening the store's API.
"""

from __future__ import annotations

import logging
import sqlite3
from dataclasses import dataclass
from typing import Any

from reader.core.document import Document
from reader.core.errors import DocumentNotFound, ReaderError
from reader.core.notes.anchoring import ANCHORED, CONFIDENT, ORPHAN, REVIEW, quote_selector
from reader.core.notes.model import Note, NotesError, now_iso
from reader.core.notes.store import NoteStore

log = logging.getLogger(__name__)

_COLS = ("note_id", "doc_hash", "start", "end", "exact", "prefix", "suffix", "status", "since")


@dataclass(frozen=True)
class Place:
    """A passage: offsets (None when unknown or gone), the quote and its context."""

    start: int | None
    end: int | None
    quote: str
    prefix: str = ""
    suffix: str = ""

    def to_json(self) -> dict[str, Any]:
        return {"start": self.start, "end": self.end, "quote": self.quote, "prefix": self.prefix,
                "suffix": self.suffix}


@dataclass(frozen=True)
class ReviewItem:
    """One note to review: its last confirmed place and where re-anchoring put it."""

    note: Note
    before: Place
    after: Place | None  # None: an orphan, no place now
    since: str = ""

    @property
    def confident(self) -> bool:
        """Re-anchoring was sure (moved/fuzzy): a look is enough; otherwise a decision is needed."""
        return self.note.status in CONFIDENT and self.after is not None

    def to_json(self) -> dict[str, Any]:
        return {"id": self.note.id, "doc": self.note.doc, "status": self.note.status,
                "confident": self.confident, "text": self.note.body, "since": self.since or None,
                "before": self.before.to_json(), "after": self.after.to_json() if self.after else None}


def record_before(store: NoteStore, pairs: list[tuple[Note, Note]]) -> None:
    """Remember where each ``(old, new)`` note was, when its place changed and is not confirmed."""
    opening: list[tuple[Any, ...]] = []
    keeping: list[tuple[Any, ...]] = []
    stamp = now_iso()
    for old, new in pairs:
        if new.status == ANCHORED or (old.start, old.end, old.status) == (new.start, new.end, new.status):
            continue
        row = (old.id, old.doc_hash, old.start, old.end, old.exact, old.prefix, old.suffix, old.status, stamp)
        (opening if old.status == ANCHORED else keeping).append(row)
    if not (opening or keeping) or store.read_only:
        return
    cols = ", ".join(f'"{c}"' for c in _COLS)
    marks = ", ".join("?" for _ in _COLS)
    with store._write("remember where re-anchored notes were") as conn:
        conn.executemany(f"INSERT OR REPLACE INTO anchor_reviews ({cols}) VALUES ({marks})", opening)
        conn.executemany(f"INSERT OR IGNORE INTO anchor_reviews ({cols}) VALUES ({marks})", keeping)


def _befores(store: NoteStore, ids: list[str]) -> dict[str, tuple[Place, str]]:
    out: dict[str, tuple[Place, str]] = {}
    cols = ", ".join(f'"{c}"' for c in _COLS)
    try:
        for i in range(0, len(ids), 500):
            chunk = ids[i:i + 500]
            sql = f"SELECT {cols} FROM anchor_reviews WHERE note_id IN ({', '.join('?' for _ in chunk)})"
            for row in store._conn.execute(sql, chunk):
                data = dict(zip(_COLS, row, strict=True))
                out[str(data["note_id"])] = (Place(data["start"], data["end"], str(data["exact"]),
                                                   str(data["prefix"]), str(data["suffix"])), str(data["since"]))
    except sqlite3.Error as exc:  # a read-only database of an older schema has no such table
        log.info("no anchor review records: %s", exc)
    return out


#: the fields a verdict changes (and its undo puts back)
ANCHOR_FIELDS = ("doc", "doc_hash", "start", "end", "exact", "prefix", "suffix", "status", "kind")


def record_of(store: NoteStore, note_id: str) -> tuple[Any, ...] | None:
    """The raw review row of a note (to put back when a verdict is undone)."""
    cols = ", ".join(f'"{c}"' for c in _COLS)
    try:
        row = store._conn.execute(f"SELECT {cols} FROM anchor_reviews WHERE note_id = ?", (note_id,)).fetchone()
    except sqlite3.Error:
        return None
    return tuple(row) if row else None


def undo_verdict(store: NoteStore, before: Note, record: tuple[Any, ...] | None) -> None:
    """Put a note back where it was before a verdict, with its review row: listed again as it was."""
    store.update(before.id, **{f: getattr(before, f) for f in ANCHOR_FIELDS})
    if record is not None:
        cols = ", ".join(f'"{c}"' for c in _COLS)
        with store._write("list the note for review again") as conn:
            conn.execute(f"INSERT OR REPLACE INTO anchor_reviews ({cols}) VALUES "
                         f"({', '.join('?' for _ in _COLS)})", record)


def redo_verdict(store: NoteStore, after: Note) -> None:
    """Apply a verdict again (redo): the place it chose, and the review row gone."""
    store.update(after.id, **{f: getattr(after, f) for f in ANCHOR_FIELDS})
    _forget(store, [after.id])


def _forget(store: NoteStore, ids: list[str]) -> None:
    with store._write("finish the review") as conn:
        conn.executemany("DELETE FROM anchor_reviews WHERE note_id = ?", [(i,) for i in ids])


def _document(corpus: Any, doc_id: str, cache: dict[str, Document | None]) -> Document | None:
    if doc_id not in cache:
        try:
            cache[doc_id] = corpus.document(doc_id)
        except (DocumentNotFound, ReaderError):
            cache[doc_id] = None
    return cache[doc_id]


def pending(store: NoteStore, corpus: Any, key: str, doc: str | None = None) -> list[ReviewItem]:
    """Every note of corpus ``key`` whose place changed since the user last confirmed it.

    Call after :func:`~reader.core.notes.service.refresh_anchors`, so "after" is the
    current text. Needs-review first, then orphans, fuzzy and moved notes; by document.
    """
    notes = [n for n in store.notes(corpus=key, doc=doc) if n.status in REVIEW and not n.whole_document]
    befores = _befores(store, [n.id for n in notes])
    docs: dict[str, Document | None] = {}
    items: list[ReviewItem] = []
    for note in notes:
        before, since = befores.get(note.id, (Place(None, None, note.original or note.exact), ""))
        after: Place | None = None
        text = _document(corpus, note.doc, docs)
        if note.start is not None and note.end is not None and text is not None \
                and 0 <= note.start < note.end <= len(text.text):
            sel = quote_selector(text.text, note.start, note.end)
            after = Place(note.start, note.end, sel.exact, sel.prefix, sel.suffix)
        items.append(ReviewItem(note, before, after, since))
    order = {status: i for i, status in enumerate(("needs-review", ORPHAN, "fuzzy", "moved"))}
    items.sort(key=lambda it: (order.get(it.note.status, 9), it.note.doc, it.note.start or -1))
    return items


def _placed(note: Note, doc: Document, start: int, end: int) -> dict[str, Any]:
    if not (0 <= start < end <= len(doc.text)):
        raise NotesError(f"passage [{start}, {end}) is outside the document (length {len(doc.text)})")
    sel = quote_selector(doc.text, start, end)
    return {"doc": doc.id, "doc_hash": doc.content_hash, "start": start, "end": end, "exact": sel.exact,
            "prefix": sel.prefix, "suffix": sel.suffix, "status": ANCHORED}


def accept(store: NoteStore, corpus: Any, note: Note) -> Note:
    """Confirm the place re-anchoring chose: the note is ``anchored`` there from now on."""
    if note.status == ANCHORED:
        raise NotesError(f"note {note.id[:8]} is anchored where you left it: nothing to accept")
    if note.status == ORPHAN or note.start is None or note.end is None:
        raise NotesError(f"note {note.id[:8]} is an orphan: it has no new place to accept; "
                         "re-attach it to a passage instead")
    doc = _document(corpus, note.doc, {})
    if doc is None:
        raise NotesError(f"the document {note.doc!r} of note {note.id[:8]} is not in the corpus")
    new = store.update(note.id, **_placed(note, doc, note.start, note.end))
    _forget(store, [note.id])
    return new


def reattach(store: NoteStore, corpus: Any, note: Note, start: int, end: int, doc_id: str | None = None) -> Note:
    """Put the note on ``[start, end)`` of its document (or ``doc_id``): ``anchored`` there."""
    doc = _document(corpus, doc_id or note.doc, {})
    if doc is None:
        raise NotesError(f"the document {doc_id or note.doc!r} is not in the corpus")
    new = store.update(note.id, kind="passage", **_placed(note, doc, start, end))
    _forget(store, [note.id])
    return new
