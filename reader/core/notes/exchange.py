"""Notes out and in: Markdown with citations, CSV, JSON, and W3C Web Annotation JSON-LD.

Every note is exported, orphans included (flagged, with their last known quote).
Imports (JSON and W3C) merge by note id: a note already present is replaced only when
the imported copy was updated later, so importing twice never duplicates anything.
"""

from __future__ import annotations

import csv
import io
import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from reader.core.document import DocumentMeta
from reader.core.notes.anchoring import ORPHAN
from reader.core.notes.model import COLORS, DOCUMENT, Note, NotesError, now_iso
from reader.core.notes.store import NoteStore

FORMATS = ("md", "csv", "json", "w3c")
W3C_CONTEXT = "http://www.w3.org/ns/anno.jsonld"
DOC_IRI = "urn:x-parallax:document:"
JSON_FORMAT = "parallax-notes"

MetaLookup = Callable[[str], DocumentMeta | None]


def _by_document(notes: list[Note]) -> dict[str, list[Note]]:
    groups: dict[str, list[Note]] = {}
    for note in notes:
        groups.setdefault(note.doc, []).append(note)
    return groups


def export_markdown(notes: list[Note], meta: MetaLookup, title: str = "Notes") -> str:
    """Grouped by document; each note's quote as a blockquote, its body, tags and a citation."""
    lines = [f"# {title}", "", f"_{len(notes)} note(s), exported {now_iso()[:16].replace('T', ' ')} UTC._", ""]
    for doc_id, group in _by_document(notes).items():
        m = meta(doc_id)
        heading = m.title if m else doc_id
        lines += [f"## {heading}", ""]
        if m is not None:
            lines += [f"Source: {m.citation()}" + (f" <{m.url}>" if m.url else ""), ""]
        else:
            lines += [f"Source: document `{doc_id}` (not in the current corpus)", ""]
        for note in group:
            where = ("whole document" if note.whole_document else
                     "orphan: the passage was not found in the current text" if note.status == ORPHAN else
                     f"characters {note.start}–{note.end}, {note.status}")
            lines.append(f"### Note `{note.id[:8]}` ({note.color}; {where})")
            lines.append("")
            if note.exact:
                lines += ["> " + q if q else ">" for q in note.exact.split("\n")]
                lines.append("")
            if note.original and note.original != note.exact:
                lines += [f"(Originally noted on: “{' '.join(note.original.split())}”)", ""]
            if note.body.strip():
                lines += [note.body.rstrip(), ""]
            if note.tags:
                lines += ["Tags: " + ", ".join(f"#{t.replace(' ', '-')}" for t in note.tags), ""]
            if m is not None:
                lines += [f"— {m.citation()}", ""]
            lines += [f"_Note {note.id}, created {note.created}, updated {note.updated}._", ""]
    return "\n".join(lines).rstrip() + "\n"


CSV_COLUMNS = ("id", "doc", "title", "outlet", "author", "published", "status", "start", "end", "quote",
               "text", "tags", "color", "created", "updated")


def export_csv(notes: list[Note], meta: MetaLookup) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for n in notes:
        m = meta(n.doc)
        writer.writerow([n.id, n.doc, m.title if m else "", m.outlet if m else "", m.author if m else "",
                         (m.published or "") if m else "", n.status,
                         "" if n.start is None else n.start, "" if n.end is None else n.end,
                         n.exact, n.body, ", ".join(n.tags), n.color, n.created, n.updated])
    return out.getvalue()


def export_json(notes: list[Note]) -> str:
    data = {"format": JSON_FORMAT, "version": 1, "exported": now_iso(), "notes": [n.to_record() for n in notes]}
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def _urn(note_id: str) -> str:
    try:
        return uuid.UUID(hex=note_id).urn
    except ValueError:
        return f"urn:x-parallax:note:{note_id}"


def _from_urn(value: str) -> str:
    if value.startswith("urn:uuid:"):
        return uuid.UUID(value[9:]).hex
    if value.startswith("urn:x-parallax:note:"):
        return value[len("urn:x-parallax:note:"):]
    return value


def to_annotation(note: Note, meta: DocumentMeta | None = None) -> dict[str, Any]:
    """One W3C Web Annotation (TextQuoteSelector + TextPositionSelector, CSS style class)."""
    bodies: list[dict[str, Any]] = []
    if note.body:
        bodies.append({"type": "TextualBody", "value": note.body, "format": "text/markdown",
                       "purpose": "commenting"})
    bodies += [{"type": "TextualBody", "value": t, "purpose": "tagging"} for t in note.tags]
    target: dict[str, Any] = {"type": "SpecificResource", "source": DOC_IRI + note.doc,
                              "styleClass": note.color}
    selectors: list[dict[str, Any]] = []
    if note.exact:
        selectors.append({"type": "TextQuoteSelector", "exact": note.exact, "prefix": note.prefix,
                          "suffix": note.suffix})
    if note.start is not None and note.end is not None:
        selectors.append({"type": "TextPositionSelector", "start": note.start, "end": note.end})
    if selectors:
        target["selector"] = selectors if len(selectors) > 1 else selectors[0]
    if note.doc_hash:
        target["parallax:contentHash"] = note.doc_hash
    if meta is not None and meta.title:
        target["parallax:title"] = meta.title
    ann: dict[str, Any] = {
        "id": _urn(note.id), "type": "Annotation", "motivation": "commenting" if note.body else "highlighting",
        "created": note.created, "modified": note.updated, "target": target,
        "parallax:status": note.status,
    }
    if note.whole_document:
        ann["parallax:kind"] = DOCUMENT
    if bodies:
        ann["body"] = bodies if len(bodies) > 1 else bodies[0]
    return ann


def export_w3c(notes: list[Note], meta: MetaLookup, label: str = "Parallax Reader notes") -> str:
    """An AnnotationCollection with its one page of items, context ``anno.jsonld``."""
    items = [to_annotation(n, meta(n.doc)) for n in notes]
    used = sorted({n.color for n in notes})
    data: dict[str, Any] = {
        "@context": W3C_CONTEXT,
        "id": f"urn:uuid:{uuid.uuid4()}",
        "type": "AnnotationCollection",
        "label": label,
        "total": len(items),
        "first": {"type": "AnnotationPage", "startIndex": 0, "items": items},
    }
    if used:
        data["stylesheet"] = {"type": "CssStylesheet", "value": " ".join(
            f".{c} {{ background-color: {COLORS[c]}; }}" for c in used)}
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def export_notes(fmt: str, notes: list[Note], meta: MetaLookup, title: str = "Notes") -> str:
    if fmt == "md":
        return export_markdown(notes, meta, title)
    if fmt == "csv":
        return export_csv(notes, meta)
    if fmt == "json":
        return export_json(notes)
    if fmt == "w3c":
        return export_w3c(notes, meta, title)
    raise NotesError(f"unknown export format {fmt!r}; choose one of {', '.join(FORMATS)}")


# -- import -----------------------------------------------------------------------------------
def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def from_annotation(ann: dict[str, Any], corpus: str) -> Note:
    if not isinstance(ann, dict) or ann.get("type") != "Annotation":
        raise NotesError("not a W3C Annotation")
    target = _as_list(ann.get("target"))
    if not target or not isinstance(target[0], dict):
        raise NotesError(f"annotation {ann.get('id')}: no target")
    tgt = target[0]
    source = str(tgt.get("source") or "")
    if not source.startswith(DOC_IRI):
        raise NotesError(f"annotation {ann.get('id')}: target {source!r} is not a Parallax document")
    quote: dict[str, Any] = {}
    position: dict[str, Any] = {}
    for sel in _as_list(tgt.get("selector")):
        if isinstance(sel, dict) and sel.get("type") == "TextQuoteSelector":
            quote = sel
        elif isinstance(sel, dict) and sel.get("type") == "TextPositionSelector":
            position = sel
    text_parts, tags = [], []
    for body in _as_list(ann.get("body")):
        if isinstance(body, dict) and body.get("type") == "TextualBody":
            if body.get("purpose") == "tagging":
                tags.append(str(body.get("value") or ""))
            else:
                text_parts.append(str(body.get("value") or ""))
    record = {
        "id": _from_urn(str(ann.get("id") or "")) or uuid.uuid4().hex,
        "doc": source[len(DOC_IRI):], "doc_hash": tgt.get("parallax:contentHash") or "",
        "quote": quote.get("exact", ""), "prefix": quote.get("prefix", ""), "suffix": quote.get("suffix", ""),
        "start": position.get("start"), "end": position.get("end"),
        "status": ann.get("parallax:status") or ("anchored" if quote or ann.get("parallax:kind") else ORPHAN),
        "kind": ann.get("parallax:kind") or ("passage" if quote else DOCUMENT),
        "text": "\n\n".join(text_parts), "tags": tags, "color": tgt.get("styleClass") or "yellow",
        "created": ann.get("created"), "updated": ann.get("modified") or ann.get("created"),
    }
    return Note.from_record(record, corpus)


def parse_import(text: str, corpus: str) -> list[Note]:
    """Notes from a Parallax JSON export, a W3C AnnotationCollection/Page or a list of either."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise NotesError(f"not JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})") from None
    if isinstance(data, dict) and data.get("format") == JSON_FORMAT:
        return [Note.from_record(r, corpus) for r in _as_list(data.get("notes"))]
    if isinstance(data, dict) and "notes" in data and isinstance(data["notes"], list):
        return [Note.from_record(r, corpus) for r in data["notes"]]
    if isinstance(data, dict) and data.get("type") == "AnnotationCollection":
        items: list[Any] = []
        page = data.get("first")
        while isinstance(page, dict):
            items += _as_list(page.get("items"))
            page = page.get("next") if isinstance(page.get("next"), dict) else None
        return [from_annotation(a, corpus) for a in items]
    if isinstance(data, dict) and data.get("type") == "AnnotationPage":
        return [from_annotation(a, corpus) for a in _as_list(data.get("items"))]
    if isinstance(data, dict) and data.get("type") == "Annotation":
        return [from_annotation(data, corpus)]
    if isinstance(data, list):
        return [from_annotation(a, corpus) if isinstance(a, dict) and a.get("type") == "Annotation"
                else Note.from_record(a, corpus) for a in data]
    raise NotesError("not a notes export: expected Parallax JSON or a W3C AnnotationCollection")


@dataclass(frozen=True)
class ImportResult:
    added: int
    updated: int
    unchanged: int


def merge_notes(store: NoteStore, incoming: list[Note]) -> ImportResult:
    """Merge by id in one transaction: new ids are added, newer copies replace older ones."""
    added = updated = unchanged = 0
    chosen: dict[str, Note] = {}
    for note in incoming:
        prev = chosen.get(note.id)
        if prev is None or note.updated > prev.updated:
            chosen[note.id] = note
    to_write: list[Note] = []
    for note in chosen.values():
        existing = store.get(note.id)
        if existing is None:
            added += 1
            to_write.append(note)
        elif note.updated > existing.updated:
            updated += 1
            to_write.append(note)
        else:
            unchanged += 1
    store.put_many(to_write)
    return ImportResult(added, updated, unchanged)
