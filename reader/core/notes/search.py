"""Searching notes: words and phrases over bodies, tags and quotes, plus field filters.

Query language (case-insensitive, all terms must match):
``word`` (prefix of a word in body, tags or quote), ``"a phrase"``, ``-word`` (exclude),
``tag:NAME`` (``#NAME`` too), ``color:NAME``, ``status:NAME``, ``doc:ID``.
The search panel's notes scope and ``note:`` queries call :func:`search_notes`.
"""

from __future__ import annotations

import html
import logging
import re
import shlex
from dataclasses import dataclass

from reader.core.notes.model import Note
from reader.core.notes.store import NoteStore

log = logging.getLogger(__name__)

_WORD = re.compile(r"\w+", re.UNICODE)


@dataclass(frozen=True)
class NoteHit:
    """A matching note, its score (higher is better) and which fields matched."""

    note: Note
    score: float
    fields: tuple[str, ...]


@dataclass(frozen=True)
class NoteQuery:
    terms: tuple[str, ...] = ()
    phrases: tuple[str, ...] = ()
    excluded: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    colors: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()
    docs: tuple[str, ...] = ()


def parse_query(query: str) -> NoteQuery:
    try:
        parts = shlex.split(query)
    except ValueError:
        parts = query.replace('"', " ").split()
    terms: list[str] = []
    phrases: list[str] = []
    excluded: list[str] = []
    tags: list[str] = []
    colors: list[str] = []
    statuses: list[str] = []
    docs: list[str] = []
    for part in parts:
        low = part.lower()
        if low.startswith("note:"):
            low = low[5:]
            if not low:
                continue
        field, sep, value = low.partition(":")
        if sep and value and field in ("tag", "color", "colour", "status", "doc"):
            {"tag": tags, "color": colors, "colour": colors, "status": statuses, "doc": docs}[field].append(value)
        elif low.startswith("#") and len(low) > 1:
            tags.append(low[1:])
        elif low.startswith("-") and len(low) > 1:
            excluded.append(low[1:])
        elif " " in low.strip():
            phrases.append(" ".join(low.split()))
        else:
            terms.extend(w.lower() for w in _WORD.findall(low))
    return NoteQuery(tuple(terms), tuple(phrases), tuple(excluded), tuple(tags), tuple(colors),
                     tuple(statuses), tuple(docs))


def _words(text: str) -> list[str]:
    return [w.lower() for w in _WORD.findall(text)]


def match_note(note: Note, q: NoteQuery) -> NoteHit | None:
    """The hit for ``note`` under query ``q``, or None."""
    tags_low = [t.lower() for t in note.tags]
    if q.tags and not all(t in tags_low for t in q.tags):
        return None
    if q.colors and note.color not in q.colors:
        return None
    if q.statuses and note.status not in q.statuses:
        return None
    if q.docs and note.doc not in q.docs:
        return None
    fields = {"text": note.body, "tags": " ".join(note.tags), "quote": note.exact or note.original}
    words = {name: _words(value) for name, value in fields.items()}
    flat = {name: " ".join(ws) for name, ws in words.items()}
    weights = {"tags": 3.0, "text": 2.0, "quote": 1.0}
    score = 1.0 if (q.tags or q.colors or q.statuses or q.docs) else 0.0
    matched: set[str] = set()
    for term in q.terms:
        hit = False
        for name, ws in words.items():
            count = sum(1 for w in ws if w.startswith(term))
            if count:
                hit = True
                matched.add(name)
                score += weights[name] * (1.0 + 0.1 * (count - 1)) * (1.5 if term in ws else 1.0)
        if not hit:
            return None
    for phrase in q.phrases:
        hit = False
        for name, text in flat.items():
            if phrase in text:
                hit = True
                matched.add(name)
                score += weights[name] * 2
        if not hit:
            return None
    for term in q.excluded:
        if any(w.startswith(term) for ws in words.values() for w in ws):
            return None
    if not (q.terms or q.phrases or q.tags or q.colors or q.statuses or q.docs):
        return None
    return NoteHit(note, score, tuple(sorted(matched)))


def search_notes(store: NoteStore, query: str, corpus: str | None = None, limit: int | None = None) -> list[NoteHit]:
    """Notes matching ``query`` (see the module doc), best first, then newest first."""
    q = parse_query(query)
    hits = [h for n in store.notes(corpus=corpus) if (h := match_note(n, q)) is not None]
    hits.sort(key=lambda h: h.note.updated, reverse=True)
    hits.sort(key=lambda h: h.score, reverse=True)
    return hits[:limit] if limit else hits


def _marker(q: NoteQuery) -> re.Pattern[str] | None:
    """What a snippet marks: each term as the start of a word (the whole word is marked, as it
    matched), each phrase as its words with any spacing or punctuation between them."""
    parts = [r"(?<!\w)" + re.escape(t) + r"\w*" for t in q.terms]
    parts += [r"(?<!\w)" + r"\W+".join(re.escape(w) for w in _words(p)) + r"(?!\w)" for p in q.phrases if _words(p)]
    if not parts:
        return None
    parts.sort(key=len, reverse=True)  # a phrase before the term it starts with
    return re.compile("|".join(f"(?:{p})" for p in parts), re.IGNORECASE | re.UNICODE)


def marked_snippet(text: str, query: NoteQuery | str, limit: int) -> str:
    """``text`` as snippet HTML: cut to ``limit`` characters first (at a word, with "…"), then
    escaped, then the query's words wrapped in ``<mark>``. Cutting after marking could split a
    tag or an entity (``<ma``, ``&am``); this order never can. The one rule both faces use."""
    q = parse_query(query) if isinstance(query, str) else query
    text = " ".join(text.split())
    if len(text) > limit:
        cut = text[:limit]
        space = cut.rfind(" ")
        text = (cut[:space] if space > limit // 2 else cut).rstrip() + "…"
    pattern = _marker(q)
    if pattern is None:
        return html.escape(text)
    out, at = [], 0
    for m in pattern.finditer(text):
        out.append(html.escape(text[at:m.start()]))
        out.append(f"<mark>{html.escape(m.group(0))}</mark>")
        at = m.end()
    out.append(html.escape(text[at:]))
    return "".join(out)


def note_snippets(note: Note, query: NoteQuery | str, *, body: int = 300, quote: int = 200) -> list[str]:
    """A note hit's snippets: its body, then the passage it is attached to, each marked."""
    q = parse_query(query) if isinstance(query, str) else query
    return [s for s in (marked_snippet(note.body, q, body), marked_snippet(note.exact or note.original, q, quote))
            if s]
