"""The search engine interface the faces talk to; Whoosh is one implementation of it.

The GUI and the CLI only see :class:`SearchEngine` and the value types here, so a
server engine for a team corpus can replace the on-disk Whoosh index later.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from reader.core.corpus import Corpus
from reader.core.document import Document
from reader.core.errors import ReaderError

Progress = Callable[[int, int], None]
Cancelled = Callable[[], bool]
Filters = Mapping[str, Sequence[str]]


class QuerySyntaxError(ReaderError):
    """The query cannot be read; the message is one line saying why."""


class IndexCancelled(ReaderError):
    """Indexing was cancelled; the previous index (if any) is unchanged."""


class IndexUnusable(ReaderError):
    """The index cannot be read (corrupt, truncated, wrong version); rebuild it."""


@dataclass(frozen=True)
class SearchHit:
    id: str
    title: str
    outlet: str
    published: str | None
    score: float
    section: str
    snippets: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "title": self.title, "outlet": self.outlet, "published": self.published,
                "score": round(self.score, 4), "section": self.section, "snippets": list(self.snippets)}


@dataclass(frozen=True)
class SearchResults:
    query: str
    total: int
    hits: list[SearchHit]
    facets: dict[str, dict[str, int]]
    suggestion: str | None = None
    seconds: float = 0.0

    def to_json(self) -> dict[str, Any]:
        return {"query": self.query, "total": self.total, "hits": [h.to_json() for h in self.hits],
                "facets": self.facets, "suggestion": self.suggestion}


@dataclass(frozen=True)
class UpdateReport:
    """What an index update did; ``rebuilt``/``reason`` say when a full rebuild was forced."""

    added: int = 0
    updated: int = 0
    removed: int = 0
    unchanged: int = 0
    seconds: float = 0.0
    rebuilt: bool = False
    reason: str = ""
    documents: int = 0
    #: Something the user should know about where the index lives (e.g. a read-only cache folder
    #: made the engine search from memory); empty when all is normal.
    notice: str = ""

    @property
    def changed(self) -> bool:
        return bool(self.added or self.updated or self.removed or self.rebuilt)

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"added": self.added, "updated": self.updated, "removed": self.removed,
                                "unchanged": self.unchanged, "seconds": round(self.seconds, 3),
                                "rebuilt": self.rebuilt}
        if self.rebuilt:
            data["reason"] = self.reason
        if self.notice:
            data["notice"] = self.notice
        return data


class SearchEngine(ABC):
    """Build, update and query a corpus's index."""

    @abstractmethod
    def needs_rebuild(self) -> str | None:
        """Why the stored index cannot be reused (missing, other version, unreadable), or None."""

    @abstractmethod
    def build(self, corpus: Corpus, progress: Progress | None = None, cancelled: Cancelled | None = None,
              *, reason: str = "") -> UpdateReport:
        """Index every document from scratch."""

    @abstractmethod
    def update(self, corpus: Corpus, progress: Progress | None = None,
               cancelled: Cancelled | None = None) -> UpdateReport:
        """Bring the index up to date; touches only added, changed and removed documents.

        Falls back to :meth:`build` (reported in the result) when the index cannot be reused.
        """

    @abstractmethod
    def search(self, query: str, *, limit: int = 20, filters: Filters | None = None,
               snippets: int = 3) -> SearchResults:
        """Ranked hits with marked snippets, facet counts and a suggestion."""

    def snippets(self, query: str, hits: Sequence[SearchHit], *, count: int = 3,
                 filters: Filters | None = None) -> list[SearchHit]:
        """``hits`` of an earlier ``search(query, snippets=0)`` with their snippets filled in.

        Lets a face show the first page at once and cut snippets only for rows that scroll
        into view. This default searches again with snippets and copies them over (correct,
        not fast); engines override it with a direct lookup.
        """
        if not hits or count <= 0:
            return list(hits)
        wanted = {(h.id, h.section) for h in hits}
        limit = 20
        while True:
            found = self.search(query, limit=limit, filters=filters, snippets=count)
            got = {(h.id, h.section): h.snippets for h in found.hits if (h.id, h.section) in wanted}
            if len(got) == len(wanted) or limit >= found.total:
                break
            limit *= 4
        return [replace(h, snippets=got.get((h.id, h.section), [])) for h in hits]

    @abstractmethod
    def suggest(self, query: str) -> str | None:
        """The query with rare or unknown words replaced by close corpus words, or None."""

    @abstractmethod
    def more_like_this(self, doc: Document, *, limit: int = 10) -> SearchResults:
        """Documents whose key terms resemble ``doc``'s."""

    def document(self, doc_id: str) -> Document | None:
        """The engine's own copy of a hit's document, for hits this laptop does not hold.

        A local index searches the local corpus only (None); a team server returns its text.
        """
        return None

    @abstractmethod
    def facets(self, query: str, filters: Filters | None = None) -> dict[str, dict[str, int]]:
        """Counts of matching documents by outlet, section, publication day (and registered facets)."""

    @abstractmethod
    def hit_spans(self, query: str, doc: Document) -> list[tuple[int, int]]:
        """Where the query matches in ``doc``: half-open canonical offsets, in text order."""

    @abstractmethod
    def merge(self, cancelled: Cancelled | None = None) -> bool:
        """Merge small segments (background housekeeping); True if anything was merged."""

    def warm(self) -> None:  # noqa: B027 - optional hook
        """Prepare per-index caches (facet sets, vocabulary) off the GUI thread; optional."""

    def close(self) -> None:  # noqa: B027 - optional hook
        """Release files held open."""
