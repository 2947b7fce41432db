"""Export scope: which notes (or sources) an export covers.

One small language both faces share: ``all`` (the whole corpus), ``doc:ID[,ID...]`` (this
document or a selection), ``tag:TAG`` and ``search:QUERY`` (the documents a search matches).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from reader.core.errors import ReaderError
from reader.core.notes.model import Note

log = logging.getLogger(__name__)

KINDS = ("all", "doc", "tag", "search")


@dataclass(frozen=True)
class Scope:
    kind: str
    values: tuple[str, ...] = ()

    def describe(self) -> str:
        if self.kind == "all":
            return "the whole corpus"
        if self.kind == "doc":
            return "document " + ", ".join(self.values) if len(self.values) == 1 else f"{len(self.values)} documents"
        if self.kind == "tag":
            return f"tag {self.values[0]!r}"
        return f"documents matching {self.values[0]!r}"


def parse_scope(text: str | None) -> Scope:
    if not text or text.strip() == "all":
        return Scope("all")
    kind, sep, rest = text.partition(":")
    kind = kind.strip().lower()
    if not sep or kind not in KINDS or not rest.strip():
        raise ReaderError(f"scope must be all, doc:ID[,ID], tag:TAG or search:QUERY, not {text!r}")
    if kind == "doc":
        ids = tuple(dict.fromkeys(v.strip() for v in rest.split(",") if v.strip()))
        return Scope("doc", ids)
    return Scope(kind, (rest.strip(),))


def select_notes(notes: Iterable[Note], scope: Scope,
                 search_ids: Callable[[str], set[str]] | None = None) -> list[Note]:
    """The notes inside ``scope``; ``search_ids`` answers a query with matching document ids."""
    notes = list(notes)
    if scope.kind == "all":
        return notes
    if scope.kind == "doc":
        wanted = set(scope.values)
        return [n for n in notes if n.doc in wanted]
    if scope.kind == "tag":
        tag = scope.values[0].casefold()
        return [n for n in notes if any(t.casefold() == tag for t in n.tags)]
    if search_ids is None:
        raise ReaderError("a search scope needs the search index")
    matched = search_ids(scope.values[0])
    return [n for n in notes if n.doc in matched]


def documents_matching(engine: Any, query: str) -> set[str]:
    """Ids of every document ``query`` matches (the ``search:`` scope), however many there are."""
    total = engine.search(query, limit=0).total
    return {hit.id for hit in engine.search(query, limit=max(1, total)).hits}
