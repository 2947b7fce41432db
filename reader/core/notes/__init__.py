"""Private notes anchored to passages: store, anchoring, search, export and import.

See ``docs/notes.md``. Nothing here imports Qt; the GUI and the CLI share these functions.
"""

from reader.core.notes.anchoring import ANCHORED, FUZZY, MOVED, ORPHAN, STATUSES, Anchor, QuoteSelector, reanchor
from reader.core.notes.exchange import FORMATS, export_notes, merge_notes, parse_import
from reader.core.notes.model import COLORS, DEFAULT_COLOR, DOCUMENT, PASSAGE, Note, NotesError, highlight_color
from reader.core.notes.search import NoteHit, search_notes
from reader.core.notes.service import (
    attach,
    corpus_key,
    find_quote,
    new_note,
    reanchor_note,
    reanchor_notes,
    refresh_anchors,
)
from reader.core.notes.store import NoteStore

__all__ = [
    "ANCHORED", "COLORS", "DEFAULT_COLOR", "DOCUMENT", "FORMATS", "FUZZY", "MOVED", "ORPHAN", "PASSAGE",
    "STATUSES", "Anchor", "Note", "NoteHit", "NoteStore", "NotesError", "QuoteSelector", "attach", "corpus_key",
    "export_notes", "find_quote", "highlight_color", "merge_notes", "new_note", "parse_import", "reanchor",
    "reanchor_note", "reanchor_notes", "refresh_anchors", "search_notes",
]
