"""Notes as reference-manager records: each cited source once, its notes with quote and locator.

Zotero, Mendeley and JabRef import sources with attached notes; so a notes export in
CSL-JSON, BibTeX or RIS is the list of the notes' sources, each carrying its notes as text
(quote, locator, the note's own words, tags). Sources no longer in the corpus are still
exported, from what the note remembers, so an orphaned note keeps its citation.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from reader.core.document import Document, DocumentMeta
from reader.core.errors import ReaderError
from reader.core.notes.model import Note
from reader.core.research import citations

log = logging.getLogger(__name__)

DocLookup = Callable[[str], Document | None]


def note_text(note: Note, doc: Document | None) -> str:
    """One note as plain text: “quote” (locator), then the body and tags."""
    parts = []
    if note.exact:
        quote = " ".join(note.exact.split())
        where = ""
        if doc is not None and note.start is not None and not note.is_orphan:
            where = f" ({citations.locator_for(doc, note.start).short()})"
        elif note.is_orphan:
            where = " (passage no longer found)"
        parts.append(f"“{quote}”{where}")
    if note.body.strip():
        parts.append(note.body.strip())
    if note.tags:
        parts.append("Tags: " + ", ".join(note.tags))
    return "\n".join(parts) or "(empty note)"


def _placeholder_meta(doc_id: str) -> DocumentMeta:
    from pathlib import Path

    return DocumentMeta(id=doc_id, title=doc_id, outlet="", author="", published=None, path=Path(doc_id))


def export_note_citations(notes: list[Note], lookup: DocLookup, fmt: str) -> str:
    """``fmt`` is one of :data:`citations.CITATION_FORMATS`."""
    if fmt not in citations.CITATION_FORMATS:
        raise ReaderError(f"format must be one of {', '.join(citations.CITATION_FORMATS)}")
    items: dict[str, dict[str, Any]] = {}
    texts: dict[str, list[str]] = {}
    for note in notes:
        doc = lookup(note.doc)
        if note.doc not in items:
            items[note.doc] = citations.csl_item(doc.meta if doc else _placeholder_meta(note.doc))
        texts.setdefault(note.doc, []).append(note_text(note, doc))
    ordered = list(items.values())
    if fmt == "csl-json":
        for item in ordered:
            item["annote"] = "\n\n".join(texts[item["id"]])
        return citations.to_csl_json(ordered)
    if fmt == "bibtex":
        return citations.to_bibtex(ordered, texts)
    return citations.to_ris(ordered, texts)




def render_notes_export(notes: list[Note], corpus: Any, fmt: str, *, style: str | None = None,
                        title: str = "Notes", origins: Any = None) -> str:
    """The text of a notes export in ``fmt``, the one rule the CLI and the window share.

    Markdown cites each source in ``style`` when given (else the short built-in citation) and
    every note with its locator (page, comment or paragraph); the reference-manager formats
    carry each source once with its notes.
    """
    from reader.core.notes.exchange import export_notes

    def document(doc_id: str) -> Document | None:
        return corpus.document(doc_id) if corpus is not None and doc_id in corpus else None

    def meta(doc_id: str) -> DocumentMeta | None:
        return corpus.meta(doc_id) if corpus is not None and doc_id in corpus else None

    def locate(note: Note) -> str | None:
        doc = document(note.doc)
        if doc is None or note.start is None or note.is_orphan:
            return None
        return citations.locator_for(doc, note.start).short()

    if fmt in citations.CITATION_FORMATS:
        return export_note_citations(notes, document, fmt)
    reference = (lambda m: citations.format_reference(m, style)) if style else None
    return export_notes(fmt, notes, meta, title, origins, reference=reference, locate=locate)
