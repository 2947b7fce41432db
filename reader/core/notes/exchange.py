"""Notes out and in: Markdown with citations, CSV, JSON, and W3C Web Annotation JSON-LD.

Every note is exported, orphans included (flagged, with their last known quote), with
the identity of the corpus it belongs to and, for a note that was itself imported, its
origin (the note and corpus it first came from).

Imports (JSON and W3C) never move a note out of its corpus. Notes exported from this
same corpus (or with ``merge_same_corpus``) merge by id; notes from another corpus are
re-keyed to this one: each gets a new id derived from its origin and this corpus, so
importing twice never duplicates anything, and its origin is kept (``origins.json``
beside the notes database, and in later exports). A copy that comes back to its
original corpus merges into the note it was copied from. Either way an existing note is
replaced only when the imported copy was updated later.
"""

from __future__ import annotations

import csv
import io
import json
import logging
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from reader.core.atomic import atomic_write_text
from reader.core.document import DocumentMeta
from reader.core.notes.anchoring import ORPHAN
from reader.core.notes.hypothesis import UrlLookup, is_hypothesis, normalise_url, notes_from_hypothesis
from reader.core.notes.model import COLORS, DOCUMENT, Note, NotesError, now_iso
from reader.core.notes.store import NoteStore
from reader.core.paths import resource_path

FORMATS = ("md", "csv", "json", "w3c")
W3C_CONTEXT = "http://www.w3.org/ns/anno.jsonld"
#: The bundled JSON-LD context that defines the ``parallax:`` extension terms.
PARALLAX_CONTEXT_FILE = ("jsonld", "parallax-context.jsonld")
DOC_IRI = "urn:x-parallax:document:"
JSON_FORMAT = "parallax-notes"

ORIGINS_FILE = "origins.json"
_REKEY_NAMESPACE = uuid.UUID("6f0c2a52-1d8e-4c57-9a8e-3c1c6a1f7d21")

log = logging.getLogger(__name__)

MetaLookup = Callable[[str], DocumentMeta | None]
#: note id -> {"id": the first note's id, "corpus": the corpus it was first written in}
Origins = Mapping[str, Mapping[str, str]]


def _corpus_of(notes: Iterable[Note]) -> str | None:
    keys = {n.corpus for n in notes}
    return keys.pop() if len(keys) == 1 else None


def _by_document(notes: list[Note]) -> dict[str, list[Note]]:
    groups: dict[str, list[Note]] = {}
    for note in notes:
        groups.setdefault(note.doc, []).append(note)
    return groups


def export_markdown(notes: list[Note], meta: MetaLookup, title: str = "Notes", *,
                    reference: Callable[[DocumentMeta], str] | None = None,
                    locate: Callable[[Note], str | None] | None = None) -> str:
    """Grouped by document; each note's quote as a blockquote, its body, tags and a citation.

    ``reference`` formats a source in a citation style (else the short built-in citation);
    ``locate`` gives a note's locator ("para. 4", "p. 3") for its citation line.
    """
    cite = reference or (lambda m: m.citation())
    lines = [f"# {title}", "", f"_{len(notes)} note(s), exported {now_iso()[:16].replace('T', ' ')} UTC._", ""]
    for doc_id, group in _by_document(notes).items():
        m = meta(doc_id)
        heading = m.title if m else doc_id
        lines += [f"## {heading}", ""]
        if m is not None:
            lines += [f"Source: {cite(m)}" + (f" <{m.url}>" if m.url and m.url not in cite(m) else ""), ""]
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
                where_cited = locate(note) if locate is not None else _page_cite(m, note)
                lines += [f"— {cite(m)}" + (f" ({where_cited})" if where_cited else ""), ""]
            lines += [f"_Note {note.id}, created {note.created}, updated {note.updated}._", ""]
    return "\n".join(lines).rstrip() + "\n"


def _page_cite(m: DocumentMeta, note: Note) -> str | None:
    """``p. 3`` (or ``pp. 3–4``) for a passage of a document imported from a PDF, else None."""
    if note.whole_document or note.status == ORPHAN or note.start is None:
        return None
    first, last = m.page_at(note.start), m.page_at(max(note.start, (note.end or note.start) - 1))
    if first is None:
        return None
    return f"p. {first}" if last in (None, first) else f"pp. {first}–{last}"


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


def export_json(notes: list[Note], origins: Origins | None = None) -> str:
    """Parallax JSON: the notes, their corpus's identity and each imported note's origin."""
    records = []
    for note in notes:
        record = note.to_record()
        origin = (origins or {}).get(note.id)
        if origin:
            record["origin"] = dict(origin)
        records.append(record)
    data: dict[str, Any] = {"format": JSON_FORMAT, "version": 1, "exported": now_iso()}
    corpus = _corpus_of(notes)
    if corpus:
        data["corpus"] = {"id": corpus}
    data["notes"] = records
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


@lru_cache(maxsize=1)
def _parallax_context() -> dict[str, Any]:
    data = json.loads(resource_path(*PARALLAX_CONTEXT_FILE).read_text(encoding="utf-8"))
    return dict(data["@context"])


def w3c_context() -> list[Any]:
    """Every annotation's own ``@context``: the W3C model plus the bundled ``parallax:`` terms.

    Each item carries it (not only the collection), so a note taken out of the file is
    still a complete annotation.
    """
    return [W3C_CONTEXT, _parallax_context()]


def _stylesheet(colors: Iterable[str]) -> dict[str, str]:
    return {"type": "CssStylesheet", "value": " ".join(
        f".{c} {{ background-color: {COLORS[c]}; }}" for c in sorted(set(colors)) if c in COLORS)}


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


def to_annotation(note: Note, meta: DocumentMeta | None = None,
                  origin: Mapping[str, str] | None = None) -> dict[str, Any]:
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
        "@context": w3c_context(),
        "id": _urn(note.id), "type": "Annotation", "motivation": "commenting" if note.body else "highlighting",
        "created": note.created, "modified": note.updated, "target": target,
        "parallax:status": note.status,
    }
    if note.whole_document:
        ann["parallax:kind"] = DOCUMENT
    if note.original and note.original != note.exact:
        ann["parallax:original"] = note.original
    # a styleClass needs the Annotation's own stylesheet (Web Annotation model, section 4.4)
    ann["stylesheet"] = _stylesheet([note.color])
    if origin:
        ann["parallax:origin"] = dict(origin)
    if bodies:
        ann["body"] = bodies if len(bodies) > 1 else bodies[0]
    return ann


def export_w3c(notes: list[Note], meta: MetaLookup, label: str = "Parallax Reader notes",
               origins: Origins | None = None) -> str:
    """An AnnotationCollection with its one page of items, context ``anno.jsonld``."""
    items = [to_annotation(n, meta(n.doc), (origins or {}).get(n.id)) for n in notes]
    used = sorted({n.color for n in notes})
    data: dict[str, Any] = {
        "@context": w3c_context(),
        "id": f"urn:uuid:{uuid.uuid4()}",
        "type": "AnnotationCollection",
        "label": label,
        "total": len(items),
        "first": {"type": "AnnotationPage", "startIndex": 0, "items": items},
    }
    corpus = _corpus_of(notes)
    if corpus:
        data["parallax:corpus"] = corpus
    if used:
        data["stylesheet"] = _stylesheet(used)
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def export_notes(fmt: str, notes: list[Note], meta: MetaLookup, title: str = "Notes",
                 origins: Origins | None = None, *, reference: Callable[[DocumentMeta], str] | None = None,
                 locate: Callable[[Note], str | None] | None = None) -> str:
    if fmt == "md":
        return export_markdown(notes, meta, title, reference=reference, locate=locate)
    if fmt == "csv":
        return export_csv(notes, meta)
    if fmt == "json":
        return export_json(notes, origins)
    if fmt == "w3c":
        return export_w3c(notes, meta, title, origins)
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
    if ann.get("parallax:original"):
        record["original"] = str(ann["parallax:original"])
    return Note.from_record(record, corpus)


class ImportedNotes(list[Note]):
    """Notes read from an export, keyed to the importing corpus, with where they came from.

    ``source_corpus`` is the identity of the corpus they were exported from (None for an
    export that does not say, such as an older one or another tool's annotations);
    ``origins`` maps an incoming note id to the origin recorded for it in the file.
    """

    def __init__(self, notes: Iterable[Note] = (), source_corpus: str | None = None,
                 origins: dict[str, dict[str, str]] | None = None) -> None:
        super().__init__(notes)
        self.source_corpus = source_corpus
        self.origins: dict[str, dict[str, str]] = origins or {}
        #: pages of another tool's annotations (Hypothesis) that are not in this corpus
        self.missing_urls: list[str] = []


def _origin(value: Any) -> dict[str, str] | None:
    if isinstance(value, dict) and value.get("id") and isinstance(value.get("corpus", ""), str):
        return {"id": str(value["id"]), "corpus": str(value.get("corpus") or "")}
    return None


def _records(items: list[Any], corpus: str, source: str | None) -> ImportedNotes:
    out = ImportedNotes(source_corpus=source)
    for item in items:
        if isinstance(item, dict) and item.get("type") == "Annotation":
            note = from_annotation(item, corpus)
            origin = _origin(item.get("parallax:origin"))
        else:
            if not isinstance(item, dict):
                raise NotesError("not a note record: expected an object")
            note = Note.from_record(item, corpus)
            origin = _origin(item.get("origin"))
        if origin:
            out.origins[note.id] = origin
        out.append(note)
    return out


def parse_import(text: str, corpus: str, lookup_url: UrlLookup | None = None) -> ImportedNotes:
    """Notes from a Parallax JSON export, a W3C AnnotationCollection/Page, a list of either, or
    a Hypothesis export (``lookup_url`` maps a page's URL to the document saved from it)."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise NotesError(f"not JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})") from None
    if is_hypothesis(data):
        if lookup_url is None:
            raise NotesError("a Hypothesis export needs a corpus whose documents have their page URLs")
        found, missing = notes_from_hypothesis(data, corpus, lookup_url)
        out = ImportedNotes(found, source_corpus=None)
        out.missing_urls = missing
        return out
    if isinstance(data, dict) and isinstance(data.get("notes"), list) and (
            data.get("format") == JSON_FORMAT or "notes" in data):
        info = data.get("corpus")
        source = str(info["id"]) if isinstance(info, dict) and info.get("id") else None
        return _records(data["notes"], corpus, source)
    if isinstance(data, dict) and data.get("type") == "AnnotationCollection":
        items: list[Any] = []
        page = data.get("first")
        while isinstance(page, dict):
            items += _as_list(page.get("items"))
            page = page.get("next") if isinstance(page.get("next"), dict) else None
        source = str(data["parallax:corpus"]) if data.get("parallax:corpus") else None
        return _records(items, corpus, source)
    if isinstance(data, dict) and data.get("type") == "AnnotationPage":
        return _records(_as_list(data.get("items")), corpus, None)
    if isinstance(data, dict) and data.get("type") == "Annotation":
        return _records([data], corpus, None)
    if isinstance(data, list):
        return _records(data, corpus, None)
    raise NotesError("not a notes export: expected Parallax JSON, a W3C AnnotationCollection or a Hypothesis "
                     "export")


def url_lookup(metas: Iterable[DocumentMeta]) -> UrlLookup:
    """Page URL -> document id, for the documents that say where they were saved from."""
    by_url = {normalise_url(m.url): m.id for m in metas if m.url}

    def lookup(url: str) -> str | None:
        if url.startswith(DOC_IRI):
            return url[len(DOC_IRI):]
        return by_url.get(normalise_url(url))

    return lookup


# -- origins: where a re-keyed note came from --------------------------------------------------
def origins_path(store: NoteStore) -> Path:
    return store.folder / ORIGINS_FILE


def load_origins(store: NoteStore) -> dict[str, dict[str, str]]:
    """Recorded origins of imported notes (empty if none, or if the file is unreadable)."""
    path = origins_path(store)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        log.warning("cannot read %s (%s): imported notes' origins are not shown", path, exc)
        return {}
    found = data.get("origins") if isinstance(data, dict) else None
    if not isinstance(found, dict):
        return {}
    return {str(k): o for k, v in found.items() if (o := _origin(v)) is not None}


def _save_origins(store: NoteStore, origins: Mapping[str, Mapping[str, str]]) -> None:
    text = json.dumps({"format": "parallax-note-origins", "version": 1,
                       "origins": {k: dict(v) for k, v in sorted(origins.items())}},
                      ensure_ascii=False, indent=1) + "\n"
    atomic_write_text(origins_path(store), text, mode=0o600)


def rekeyed_id(corpus: str, origin_corpus: str, origin_id: str) -> str:
    """The id a note from ``origin_corpus`` gets in ``corpus``: the same every time it is imported."""
    return uuid.uuid5(_REKEY_NAMESPACE, f"{corpus}\x1f{origin_corpus}\x1f{origin_id}").hex


@dataclass(frozen=True)
class ImportResult:
    added: int
    updated: int
    unchanged: int
    #: notes given a new id for this corpus (they came from another corpus)
    rekeyed: int = 0


def merge_notes(store: NoteStore, incoming: list[Note], *, merge_same_corpus: bool = False) -> ImportResult:
    """Bring ``incoming`` (keyed to the importing corpus) into the store in one transaction.

    Per note: a note of this corpus with the same id is merged (the later ``updated``
    wins); a copy of one of this corpus's notes (its origin is here) merges into that note;
    a note exported from this corpus (or any, with ``merge_same_corpus``) keeps its id;
    any other note is re-keyed to this corpus with its origin recorded. A note of another
    corpus is never replaced, so an import can never move a note out of its corpus.
    """
    target = _corpus_of(incoming)
    if target is None:
        if incoming:
            raise NotesError("internal: imported notes must all belong to the importing corpus")
        return ImportResult(0, 0, 0)
    source = getattr(incoming, "source_corpus", None)
    file_origins: Mapping[str, Mapping[str, str]] = getattr(incoming, "origins", {})
    known = load_origins(store)
    same_corpus = merge_same_corpus or source == target
    chosen: dict[str, Note] = {}
    new_origins: dict[str, dict[str, str]] = {}
    rekeyed_ids: set[str] = set()
    for note in incoming:
        origin = file_origins.get(note.id) or known.get(note.id)
        root = dict(origin) if origin else {"id": note.id, "corpus": source or ""}
        existing = store.get(note.id)
        if existing is not None and existing.corpus == target:
            candidate = note.id  # this corpus's own note
        elif root["corpus"] == target:
            candidate = root["id"]  # a copy coming home
        elif same_corpus and existing is None:
            candidate = note.id
        else:
            candidate = rekeyed_id(target, root["corpus"], root["id"])
        owner = store.get(candidate)
        if owner is not None and owner.corpus != target:  # never take a note from another corpus
            candidate = rekeyed_id(target, root["corpus"], root["id"])
            owner = store.get(candidate)
            if owner is not None and owner.corpus != target:
                log.warning("note %s: id %s belongs to another corpus; skipped", note.id, candidate)
                continue
        if candidate != note.id:
            rekeyed_ids.add(candidate)
            if root["corpus"] != target:
                new_origins[candidate] = root
        copy = note.with_changes(id=candidate)
        prev = chosen.get(candidate)
        if prev is None or copy.updated > prev.updated:
            chosen[candidate] = copy
    added = updated = unchanged = 0
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
    if to_write:
        store.put_many(to_write)
    fresh = {k: v for k, v in new_origins.items() if known.get(k) != v}
    if fresh and not store.read_only:
        try:
            _save_origins(store, {**known, **fresh})
        except OSError as exc:  # the notes are in; only the record of where they came from is missing
            log.warning("cannot record the imported notes' origins: %s", exc)
    return ImportResult(added, updated, unchanged, len(rekeyed_ids))
