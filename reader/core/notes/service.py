"""What both faces do with notes: create them on a passage, keep them anchored to the current text.

Notes live in one database per data dir; each row carries its corpus key and its document
id. The key is the corpus's identity (the ``id`` in its ``corpus.yaml``, written on first
use), so moving or renaming the folder hides nothing; notes stored under the older keys
(the folder's path, or ``bundled`` for the sample) are adopted on the next refresh.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from reader.core.atomic import atomic_write_text
from reader.core.corpus import SAMPLE_ID, corpus_identity, legacy_keys
from reader.core.document import Document
from reader.core.errors import DocumentNotFound, ReaderError
from reader.core.notes.anchoring import (
    ANCHORED,
    FUZZY,
    MOVED,
    NEEDS_REVIEW,
    ORPHAN,
    quote_selector,
    reanchor,
)
from reader.core.notes.model import (
    DOCUMENT,
    PASSAGE,
    Note,
    NotesError,
    check_color,
    clean_tags,
    new_id,
    now_iso,
)
from reader.core.notes.review import record_before
from reader.core.notes.store import NoteStore

log = logging.getLogger(__name__)

Progress = Callable[[int, int], None]
Cancelled = Callable[[], bool]

def corpus_key(ctx: Any) -> str:
    """The key notes of the current corpus are stored under: its identity."""
    return str(ctx.corpus_key)


def adopt_legacy_notes(store: NoteStore, root: Path, key: str) -> int:
    """Re-key notes stored under this corpus's older keys (its path, ``bundled``) to ``key``.

    Runs on every refresh and costs one indexed query per old key when there is nothing
    to do; notes are moved in one transaction, with nothing else about them changed.
    """
    moved = 0
    for old in legacy_keys(root, key):  # a read-only store moves them in its in-memory view only
        if store.count_in(old):
            count = store.rekey(old, key)  # in SQL: a damaged row keeps its bytes
            log.info("%d note(s) stored under %r now belong to corpus %s", count, old, key)
            moved += count
    return moved


PATHS_FILE = "corpus-paths.json"


def note_corpus_path(store: NoteStore, root: Path, key: str) -> str | None:
    """Remember where corpus ``key`` was last opened; warn when it is open in two places.

    The folder path is only a hint: a folder that moved keeps its notes (the hint simply
    follows it). But a folder copied by hand (``cp -r``) keeps the identity too, and the
    two would share, and keep re-anchoring, the same notes: that is said, with the remedy.
    """
    if key == str(Path(root).resolve()):
        return None  # keyed by its path: nothing to compare
    path = store.folder / PATHS_FILE
    try:
        hints = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        hints = {}
    if not isinstance(hints, dict):
        hints = {}
    here = str(Path(root).resolve())
    before = hints.get(key)
    if before == here:
        return None
    if isinstance(before, str) and Path(before).is_dir() and key != SAMPLE_ID:
        try:
            same = corpus_identity(Path(before), writable=False) == key
        except OSError as exc:
            log.debug("the last corpus %s cannot be identified: %s", before, exc)
            same = False
        if same:
            return (f"this corpus has the same identity as {before} (a copy made outside the app?): "
                    "the two share their notes. To give this folder notes of its own, change the 'id:' "
                    f"line in {Path(here) / 'corpus.yaml'} (any new word), or remove that line.")
    hints[key] = here
    if not store.read_only:
        try:
            atomic_write_text(path, json.dumps(hints, ensure_ascii=False, indent=1, sort_keys=True) + "\n",
                              mode=0o600)
        except OSError as exc:
            log.info("cannot record where corpus %s is: %s", key, exc)
    return None


def find_quote(text: str, quote: str, occurrence: int = 1) -> tuple[int, int, int]:
    """``(start, end, count)`` of the ``occurrence``-th (1-based) match of ``quote`` in ``text``.

    Exact matches first; failing those, whitespace is matched loosely (a space in the
    quote matches any run of spaces and line breaks), as a quote typed on a command line.
    """
    if not quote.strip():
        raise NotesError("the quote is empty")
    spans = [(m.start(), m.end()) for m in re.finditer(re.escape(quote), text)]
    if not spans:
        loose = r"\s+".join(re.escape(w) for w in quote.split())
        spans = [(m.start(), m.end()) for m in re.finditer(loose, text)]
    if not spans:
        raise NotesError(f"the quote is not in the document: {quote[:80]!r}")
    if occurrence < 1 or occurrence > len(spans):
        raise NotesError(f"the quote occurs {len(spans)} time(s); --occurrence must be 1..{len(spans)}")
    start, end = spans[occurrence - 1]
    return start, end, len(spans)


def new_note(corpus: str, doc: Document, start: int | None, end: int | None, *, body: str = "",
             tags: object = (), color: str = "yellow") -> Note:
    """A note on ``doc.text[start:end]``, or on the whole document when ``start`` is None."""
    stamp = now_iso()
    common: dict[str, Any] = {"id": new_id(), "corpus": corpus, "doc": doc.id, "doc_hash": doc.content_hash,
                              "body": body, "tags": clean_tags(tags), "color": check_color(color),
                              "created": stamp, "updated": stamp}
    if start is None or end is None:
        return Note(**common, kind=DOCUMENT)
    if not (0 <= start < end <= len(doc.text)):
        raise NotesError(f"passage [{start}, {end}) is outside the document (length {len(doc.text)})")
    sel = quote_selector(doc.text, start, end)
    return Note(**common, start=start, end=end, exact=sel.exact, prefix=sel.prefix, suffix=sel.suffix,
                original=sel.exact, kind=PASSAGE)


def attach(note: Note, doc: Document, start: int, end: int) -> Note:
    """Re-attach a note (typically an orphan) to a newly chosen passage."""
    if not (0 <= start < end <= len(doc.text)):
        raise NotesError(f"passage [{start}, {end}) is outside the document (length {len(doc.text)})")
    sel = quote_selector(doc.text, start, end)
    return note.with_changes(doc=doc.id, doc_hash=doc.content_hash, start=start, end=end, exact=sel.exact,
                             prefix=sel.prefix, suffix=sel.suffix, status=ANCHORED, kind=PASSAGE,
                             updated=now_iso())


#: how far a status is from "the user confirmed this place"; re-anchoring never makes a
#: note look surer than it was until the user accepts or re-attaches it
_UNSURE = {ANCHORED: 0, MOVED: 1, FUZZY: 2, NEEDS_REVIEW: 3}


def _sticky(old: str, new: str) -> str:
    """The status after re-anchoring: a placement waiting for review stays listed for review.

    An orphan found again is at least ``moved`` (its place changed since the user saw it)."""
    if old == ORPHAN:
        return new if _UNSURE.get(new, 0) >= _UNSURE[MOVED] else MOVED
    return old if _UNSURE.get(old, 0) > _UNSURE.get(new, 0) else new


def reanchor_note(note: Note, text: str, content_hash: str) -> Note:
    """The note placed on ``text`` (whose hash is ``content_hash``), with its new status.

    A confident placement takes the selector (quote and context) of its new place, so it
    follows later edits there. A ``needs-review`` guess keeps the selector the user made:
    the next re-anchoring still looks for the original passage, and the review can show it.
    """
    if note.whole_document:
        return note.with_changes(doc_hash=content_hash, status=ANCHORED)
    found = reanchor(text, note.selector, note.start, note.end)
    if not found.found:
        return note.with_changes(doc_hash=content_hash, start=None, end=None, status=ORPHAN)
    assert found.start is not None and found.end is not None
    status = _sticky(note.status, found.status)
    if found.status == NEEDS_REVIEW:
        return note.with_changes(doc_hash=content_hash, start=found.start, end=found.end, status=status)
    sel = quote_selector(text, found.start, found.end)
    return note.with_changes(doc_hash=content_hash, start=found.start, end=found.end, exact=sel.exact,
                             prefix=sel.prefix, suffix=sel.suffix, status=status)


def reanchor_notes(notes: list[Note], doc: Document | None) -> list[Note]:
    """Notes whose anchor changed because ``doc`` changed (None: the document is gone)."""
    changed: list[Note] = []
    for note in notes:
        if doc is None:
            if note.status != ORPHAN or note.doc_hash:
                changed.append(note.with_changes(doc_hash="", start=None, end=None, status=ORPHAN))
            continue
        if note.doc_hash == doc.content_hash:
            continue
        changed.append(reanchor_note(note, doc.text, doc.content_hash))
    return changed


def refresh_anchors(store: NoteStore, corpus: Any, key: str, doc_ids: list[str] | None = None,
                    progress: Progress | None = None, cancelled: Cancelled | None = None) -> list[Note]:
    """Re-anchor the notes of documents whose text changed since they were last anchored.

    Runs once per document change: results (offsets, selectors, status, the new hash)
    are stored, so the next call finds nothing to do; the place each note had before is
    kept for review (:mod:`reader.core.notes.review`). Returns the notes that changed.
    """
    adopt_legacy_notes(store, corpus.root, key)
    ids = doc_ids if doc_ids is not None else store.doc_ids(key)
    changed_all: list[Note] = []
    for n, doc_id in enumerate(ids, 1):
        if cancelled is not None and cancelled():
            break
        notes = store.notes(corpus=key, doc=doc_id)
        if notes:
            try:
                doc: Document | None = corpus.document(doc_id)
            except DocumentNotFound:
                doc = None
            except ReaderError:
                continue  # unreadable right now: leave anchors as they were
            changed = reanchor_notes(notes, doc)
            if changed and not store.read_only:
                by_id = {n.id: n for n in notes}
                record_before(store, [(by_id[n.id], n) for n in changed])  # first: see review.py
                store.save_anchors(changed)
            changed_all.extend(changed)
        if progress is not None:
            progress(n, len(ids))
    return changed_all
