"""``parallax notes``: add, list, search, edit, re-attach, delete, export and import notes.

Listing and exporting first re-anchor the notes of documents whose text changed, so
offsets and statuses always describe the current corpus text.
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path
from typing import Any

from reader.commands.output import emit_json, warn
from reader.core.errors import ReaderError
from reader.core.session import Session

log = logging.getLogger(__name__)


def register(sub: Any, parents: list[argparse.ArgumentParser]) -> None:
    from reader.core.notes.anchoring import STATUSES
    from reader.core.notes.exchange import FORMATS
    from reader.core.notes.model import COLORS
    from reader.core.research.citations import CITATION_FORMATS
    from reader.core.research.citations import STYLES as CITATION_STYLES

    notes = sub.add_parser("notes", parents=parents, help="private notes anchored to passages")
    actions = notes.add_subparsers(dest="notes_command", metavar="ACTION", required=True)
    colors = ", ".join(COLORS)

    add = actions.add_parser("add", parents=parents, help="add a note on a quoted passage (prints its id)")
    add.add_argument("--doc", required=True, metavar="ID", help="document id")
    add.add_argument("--quote", metavar="TEXT", help="the passage, as it appears in the text "
                     "(omit for a note on the whole document)")
    add.add_argument("--occurrence", type=int, default=None, metavar="N",
                     help="which occurrence of the quote (1 = first)")
    add.add_argument("--text", default="", metavar="BODY", help="the note (Markdown)")
    add.add_argument("--tags", default="", metavar="a,b", help="comma-separated tags")
    add.add_argument("--color", default="yellow", metavar="NAME", help=f"one of {colors}")
    add.add_argument("--json", action="store_true", help="print the whole note as JSON")
    add.set_defaults(func=run_add)

    ls = actions.add_parser("list", parents=parents, help="list notes (re-anchored to the current text)")
    ls.add_argument("--doc", metavar="ID", help="only this document")
    ls.add_argument("--status", choices=STATUSES, help="only notes with this status")
    ls.add_argument("--json", action="store_true", help='{"notes": [...]}')
    ls.set_defaults(func=run_list)

    search = actions.add_parser("search", parents=parents, help="search note bodies, tags and quotes")
    search.add_argument("query", nargs="+", help='words, "phrases", -exclude, tag:X, color:X, status:X, doc:ID')
    search.add_argument("--json", action="store_true")
    search.set_defaults(func=run_search)

    edit = actions.add_parser("edit", parents=parents, help="change a note's text, tags or colour")
    edit.add_argument("id", help="note id (or its first characters)")
    edit.add_argument("--text", metavar="BODY")
    edit.add_argument("--tags", metavar="a,b", help="replace the tags")
    edit.add_argument("--color", metavar="NAME", help=f"one of {colors}")
    edit.add_argument("--json", action="store_true")
    edit.set_defaults(func=run_edit)

    attach = actions.add_parser("attach", parents=parents, help="re-attach a note (e.g. an orphan) to a passage")
    attach.add_argument("id", help="note id (or its first characters)")
    attach.add_argument("--quote", required=True, metavar="TEXT")
    attach.add_argument("--occurrence", type=int, default=1, metavar="N")
    attach.add_argument("--doc", metavar="ID", help="another document (default: the note's own)")
    attach.add_argument("--json", action="store_true")
    attach.set_defaults(func=run_attach)

    delete = actions.add_parser("delete", parents=parents, help="delete a note")
    delete.add_argument("id", help="note id (or its first characters)")
    delete.set_defaults(func=run_delete)

    export = actions.add_parser("export", parents=parents, help="export the notes of this corpus")
    export.add_argument("--format", choices=(*FORMATS, *CITATION_FORMATS), default="md",
                        help="md, csv, json, w3c (JSON-LD), or the notes' sources for a reference manager: "
                             "csl-json, bibtex, ris (each source carries its notes with quote and locator)")
    export.add_argument("--style", choices=tuple(CITATION_STYLES), default=None,
                        help="cite sources in this style in the Markdown export (apa, chicago, mla)")
    export.add_argument("--scope", metavar="SCOPE", default=None,
                        help="which notes: all (default), doc:ID[,ID], tag:TAG or search:QUERY")
    export.add_argument("-o", "--output", metavar="FILE", help="write to FILE (default: standard output)")
    export.add_argument("--doc", metavar="ID", help="only this document (the same as --scope doc:ID)")
    export.set_defaults(func=run_export)

    imp = actions.add_parser("import", parents=parents, help="import a JSON or W3C export into this corpus "
                             "(notes from another corpus get new ids here; their origin is kept)")
    imp.add_argument("file", help="the file to import")
    imp.add_argument("--merge-same-corpus", action="store_true",
                     help="treat the export as this corpus's own notes: merge by id instead of re-keying "
                          "(a note of another corpus is still never moved)")
    imp.add_argument("--json", action="store_true")
    imp.set_defaults(func=run_import)

    from reader.commands.notes_review import register as register_review

    register_review(actions, parents)


# -- helpers ---------------------------------------------------------------------------------
class _NotesRun:
    """The session's store, the corpus and its key for one command; closing takes a backup if needed."""

    def __init__(self, session: Session) -> None:
        from reader.core.notes.service import note_corpus_path

        self.session = session
        self.ctx = session.ctx
        self.store = session.notes
        if self.store.notice:
            warn(self.store.notice)
        self.key = session.corpus_key
        shared = note_corpus_path(self.store, session.corpus_root, self.key)
        if shared:
            warn(shared)

    @property
    def corpus(self) -> Any:
        return self.session.corpus()

    def current(self, doc: str | None = None, status: str | None = None) -> list[Any]:
        """Notes of this corpus, re-anchored to the current text first."""
        from reader.core.notes.service import refresh_anchors

        changed = refresh_anchors(self.store, self.corpus, self.key, [doc] if doc else None)
        notes = self.store.notes(corpus=self.key, doc=doc)
        if self.store.read_only and changed:  # could not store the new anchors: show them anyway
            fresh = {n.id: n for n in changed}
            notes = [fresh.get(n.id, n) for n in notes]
        return [n for n in notes if status is None or n.status == status]

    def meta(self, doc_id: str) -> Any:
        """The document's metadata, or None for a note whose document is no longer in the corpus."""
        try:
            return self.corpus.meta(doc_id)
        except (ReaderError, KeyError, LookupError) as exc:
            log.debug("note on a document not in the corpus: %s (%s)", doc_id, exc)
            return None

    def close(self) -> None:
        shown = self.store.notice or ""
        self.session.close_notes()
        later = (self.store.notice or "")[len(shown):].strip()
        if later:  # e.g. the backup taken on closing was refused
            warn(later)


def _line(note: Any) -> str:
    where = "whole document" if note.whole_document else (
        "—" if note.start is None else f"{note.start}-{note.end}")
    quote = note.exact.replace("\n", " ")
    quote = (quote[:60] + "…") if len(quote) > 61 else quote
    tags = " ".join(f"#{t}" for t in note.tags)
    body = note.body.strip().split("\n", 1)[0][:60]
    parts = [f"{note.id[:8]}  {note.doc}  {note.status:8} {where:>11}  {note.color}"]
    if note.damaged:
        parts.append("DAMAGED (unreadable bytes shown as \ufffd)")
    if quote:
        parts.append(f'"{quote}"')
    if body:
        parts.append(body)
    if tags:
        parts.append(tags)
    return "  ".join(parts)


def _with_session(fn: Any) -> Any:
    def run(args: argparse.Namespace, session: Session) -> int:
        notes = _NotesRun(session)
        try:
            return int(fn(args, notes) or 0)
        finally:
            notes.close()

    return run


# -- actions ------------------------------------------------------------------------------------
@_with_session
def run_add(args: argparse.Namespace, s: _NotesRun) -> int:
    from reader.core.notes.service import find_quote, new_note

    doc = s.corpus.document(args.doc)
    start = end = None
    if args.quote is not None:
        start, end, count = find_quote(doc.text, args.quote, args.occurrence or 1)
        if count > 1 and args.occurrence is None:
            warn(f"the quote occurs {count} times in {doc.id}; the note is on the first "
                 "(choose another with --occurrence N)")
    note = new_note(s.key, doc, start, end, body=args.text, tags=args.tags, color=args.color)
    s.store.add(note)
    if args.json:
        emit_json(note.to_json())
    else:
        print(note.id, flush=True)
    return 0


@_with_session
def run_list(args: argparse.Namespace, s: _NotesRun) -> int:
    notes = s.current(args.doc, args.status)
    if args.json:
        emit_json({"notes": [n.to_json() for n in notes]})
        return 0
    for note in notes:
        print(_line(note))
    orphans = sum(n.status == "orphan" for n in notes)
    guesses = sum(n.status == "needs-review" for n in notes)
    print(f"{len(notes)} notes" + (f", {orphans} orphaned (passage not found; see `notes attach`)"
                                  if orphans else "")
          + (f", {guesses} placed on a guess (see `notes review`)" if guesses else ""))
    return 0


@_with_session
def run_search(args: argparse.Namespace, s: _NotesRun) -> int:
    from reader.core.notes.search import search_notes

    s.current()
    hits = search_notes(s.store, " ".join(args.query), corpus=s.key)
    if args.json:
        emit_json({"query": " ".join(args.query),
                   "notes": [{**h.note.to_json(), "score": round(h.score, 3), "fields": list(h.fields)}
                             for h in hits]})
        return 0
    for hit in hits:
        print(_line(hit.note))
    print(f"{len(hits)} notes match")
    return 0 if hits else 1


@_with_session
def run_edit(args: argparse.Namespace, s: _NotesRun) -> int:
    from reader.core.notes.model import check_color, clean_tags

    note = s.store.resolve(args.id)
    changes: dict[str, Any] = {}
    if args.text is not None:
        changes["body"] = args.text
    if args.tags is not None:
        changes["tags"] = clean_tags(args.tags)
    if args.color is not None:
        changes["color"] = check_color(args.color)
    if not changes:
        warn("nothing to change: give --text, --tags or --color")
        return 2
    note = s.store.update(note.id, base=note, **changes)  # only these fields; refused if changed meanwhile
    emit_json(note.to_json()) if args.json else print(note.id)
    return 0


@_with_session
def run_attach(args: argparse.Namespace, s: _NotesRun) -> int:
    from reader.core.notes.service import attach, find_quote

    note = s.store.resolve(args.id)
    doc = s.corpus.document(args.doc or note.doc)
    start, end, _count = find_quote(doc.text, args.quote, args.occurrence)
    from reader.core.notes.store import ANCHOR_FIELDS

    new = attach(note, doc, start, end)
    new = s.store.update(note.id, **{f: getattr(new, f) for f in ANCHOR_FIELDS})  # only the passage
    emit_json(new.to_json()) if args.json else print(f"{new.id} attached to {doc.id} [{start}, {end})")
    return 0


@_with_session
def run_delete(args: argparse.Namespace, s: _NotesRun) -> int:
    note = s.store.resolve(args.id)
    s.store.delete(note.id)
    print(f"deleted {note.id}")
    return 0


@_with_session
def run_export(args: argparse.Namespace, s: _NotesRun) -> int:
    from reader.core.atomic import atomic_write_text
    from reader.core.notes.exchange import load_origins
    from reader.core.research.note_citations import render_notes_export
    from reader.core.research.scope import parse_scope, select_notes

    notes = select_notes(s.current(args.doc), parse_scope(args.scope), lambda q: _matching_ids(s.session, q))
    text = render_notes_export(notes, s.corpus, args.format, style=args.style,
                               title=f"Notes: {s.corpus.info.title}", origins=load_origins(s.store))
    if args.output:
        path = Path(args.output).expanduser()
        try:
            atomic_write_text(path, text, mode=0o600)
        except OSError as exc:
            warn(f"cannot write {path}: {exc.strerror or exc}")
            return 1
        print(f"exported {len(notes)} notes to {path}", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return 0


def _matching_ids(session: Session, query: str) -> set[str]:
    """Document ids a search matches (for ``--scope search:QUERY``), from the search index."""
    from reader.core.research.scope import documents_matching
    from reader.core.search import ensure_index
    from reader.core.search.engine import QuerySyntaxError

    corpus = session.corpus()
    engine = session.search
    try:
        ensure_index(engine, corpus)
        return documents_matching(engine, query)
    except QuerySyntaxError as exc:
        raise ReaderError(f"bad query in --scope: {exc}") from None
    finally:
        engine.close()


@_with_session
def run_import(args: argparse.Namespace, s: _NotesRun) -> int:
    from reader.core.notes.exchange import merge_notes, parse_import, url_lookup
    from reader.core.notes.model import NotesError
    from reader.core.notes.service import refresh_anchors

    path = Path(args.file).expanduser()
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise NotesError(f"cannot read {path}: {exc}") from None
    incoming = parse_import(text, s.key, url_lookup(s.corpus.metas()))
    result = merge_notes(s.store, incoming, merge_same_corpus=args.merge_same_corpus)
    refresh_anchors(s.store, s.corpus, s.key)
    if incoming.missing_urls:
        warn(f"{len(incoming.missing_urls)} annotated page(s) are not in this corpus (import them first, "
             f"then import the notes again): {', '.join(incoming.missing_urls[:5])}")
    if args.json:
        counts = {"added": result.added, "updated": result.updated, "unchanged": result.unchanged}
        emit_json({**counts, "rekeyed": result.rekeyed} if result.rekeyed else counts)
    else:
        print(f"imported {path}: {result.added} added, {result.updated} updated, "
              f"{result.unchanged} already present"
              + (f" ({result.rekeyed} from another corpus, given ids of this one; their origin is kept)"
                 if result.rekeyed else ""))
    return 0


def search_json(session: Session, query: str, limit: int = 20) -> dict[str, Any]:
    """Notes matching ``query`` in the shape ``parallax search`` prints (``note:`` queries).

    Each hit names its note, document and passage (``start``/``end``, so a face can jump there)
    and marks the matched words of the body in a snippet, like document hits."""
    from reader.core.notes.search import marked_snippet, parse_query, search_notes

    s = _NotesRun(session)
    try:
        s.current()
        hits = search_notes(s.store, query, corpus=s.key, limit=limit or None)
        parsed = parse_query(query)
        out = []
        for hit in hits:
            note = hit.note
            meta = s.meta(note.doc)
            body = marked_snippet(note.body or note.exact or "", parsed, 400)  # the core's rule (cut, then mark)
            out.append({"id": note.id, "doc": note.doc, "title": meta.title if meta else None,
                        "outlet": meta.outlet if meta else None, "quote": note.exact, "start": note.start,
                        "end": note.end, "status": note.status, "tags": list(note.tags),
                        "score": round(hit.score, 3), "snippets": [body]})
        return {"query": query, "scope": "notes", "total": len(out), "hits": out}
    finally:
        s.session.close_notes()
