"""Running a search: the text part scored (cached BM25F impacts for terms and booleans, Whoosh's
walk for phrases), counts and facets from document sets, snippets for the first page, a
suggestion; plus facet-only queries, hit spans for the reader and warming the caches.
"""

from __future__ import annotations

import logging
import time
from dataclasses import replace
from typing import Any

from whoosh import collectors, query
from whoosh.searching import Searcher

from reader.core.document import ARTICLE, Document
from reader.core.search import highlight, querylang
from reader.core.search.engine import (
    Filters,
    SearchResults,
)
from reader.core.search.fields import registered_fields
from reader.core.search.ranking import Ranker
from reader.core.search.schema import facet_fields
from reader.core.search.whoosh_facets import _meet
from reader.core.search.whoosh_plan import _sections_of
from reader.core.search.whoosh_suggest import Suggestions

log = logging.getLogger(__name__)

class _RecordingCollector(collectors.TopCollector):
    """Top N by score that also records every document it scores.

    Block skipping and matcher replacement are off: both skip documents that cannot reach
    the top N, and here every match must be seen (positional queries walk them all anyway).
    """

    def __init__(self, limit: int) -> None:
        super().__init__(limit=limit, usequality=False, replace=0)
        self.seen: list[int] = []

    def collect(self, sub_docnum: int) -> Any:
        self.seen.append(self.offset + sub_docnum)
        return super().collect(sub_docnum)


class Searching(Suggestions):
    """Running a search: the text part scored (cached BM25F impacts for terms and booleans, Whoosh's"""

    def search(self, query_text: str, *, limit: int = 20, filters: Filters | None = None,
               snippets: int = 3) -> SearchResults:
        parsed = querylang.parse(query_text, self._schema, self._parser)
        return self._guard(self._search, parsed, limit, filters or {}, snippets)

    def _search(self, parsed: querylang.ParsedQuery, limit: int, filters: Filters,
                snippet_count: int) -> SearchResults:
        started = time.perf_counter()
        searcher = self._search_handle()
        base, q, collapse = self._prepared(parsed, filters, searcher)
        sets = self._docsets(searcher)
        # Structured parts (outlet, days, section, facet filters) become one document set used
        # as Whoosh's filter; Whoosh scores only the text part, keeping its block skipping.
        text_q, structured = self._split_structured(base, sets)
        narrowing = self._filter_set(searcher, filters, skip="section")
        narrowing = _meet(narrowing, structured)
        allowed = set(filters.get("section") or ()) or (None if parsed.explicit_section else {ARTICLE})
        sections = self._facet_sets(searcher, "section")
        in_sections = None if allowed is None else frozenset().union(*(sections.get(a, frozenset()) for a in allowed))
        allow = _meet(narrowing, in_sections)
        ranker = self._ranker(searcher)
        matching: frozenset[int] | None
        if not collapse and ranker.supports(text_q):
            # Terms and booleans: BM25F from cached per-term impacts (no matcher walk), and the
            # matches for the counts from the same impacts (no second read of the postings).
            top, matching = ranker.top(text_q, limit, allow)
        elif (matching := sets.of(text_q)) is None and not collapse:
            # Phrases, proximity: positions must be checked, so count from the scored walk itself
            # (recorded), plus a walk restricted to the sections the hits leave out.
            results, matching = self._recorded_search(searcher, text_q, limit, allow, narrowing, allowed)
            top = [(r.docnum, float(r.score or 0.0)) for r in results[:limit]]
        else:
            results = searcher.search(text_q, limit=max(1, limit), filter=None if allow is None else set(allow),
                                      terms=False, collapse="id" if collapse else None)
            top = [(r.docnum, float(r.score or 0.0)) for r in results[:limit]]
        if matching is None:
            matching = frozenset(searcher.docs_for_query(text_q))
        facets, total = self._count(searcher, matching, narrowing, in_sections)
        if collapse:  # one document may match in both of its sections
            try:
                total = len(results)
            except AttributeError:  # Whoosh's CollapseCollector cannot count positional matches
                final = _meet(_meet(matching, narrowing), in_sections) or frozenset()
                total = len({searcher.stored_fields(d)["id"] for d in final})
        rows = top[:limit] if limit > 0 else []
        hits = [self._plain_hit(searcher.stored_fields(d), score) for d, score in rows]
        where = self._cached(searcher, "docnums", dict)  # for snippets() of these hits: no key lookup
        if len(where) > 20000:
            where.clear()
        where.update(((h.id, h.section), d) for (d, _s), h in zip(rows, hits, strict=True))
        if snippet_count > 0 and hits:
            spec = self._match_spec(q, searcher)
            texts = self._snippets_for([(d, h) for (d, _s), h in zip(rows, hits, strict=True)], spec,
                                       snippet_count, searcher)
            hits = [replace(h, snippets=s) for h, s in zip(hits, texts, strict=True)]
        facets = {name: facets.get(name, {}) for name in facet_fields()}
        suggestion = self._suggest(parsed.text, searcher)
        return SearchResults(parsed.text, total, hits, facets, suggestion, time.perf_counter() - started)

    def _recorded_search(self, searcher: Searcher, text_q: query.Query, limit: int, allow: frozenset[int] | None,
                         narrowing: frozenset[int] | None,
                         allowed: set[str] | None) -> tuple[Any, frozenset[int]]:
        """Top hits and every match, from one walk of a positional query (no second pass)."""
        top = _RecordingCollector(limit=max(1, limit))
        col: Any = top if allow is None else collectors.FilterCollector(top, allow=set(allow))
        searcher.search_with_collector(text_q, col)
        seen = set(top.seen)
        if allowed is not None:
            others = [name for name in self._facet_sets(searcher, "section") if name not in allowed]
            if others:
                rest = query.And([text_q, query.Or([query.Term("section", name) for name in others])])
                found = searcher.docs_for_query(rest)
                seen.update(found if narrowing is None else (d for d in found if d in narrowing))
        return col.results(), frozenset(seen)

    def _ranker(self, searcher: Searcher) -> Ranker:
        return self._cached(searcher, "ranker", lambda: Ranker(searcher))

    def facets(self, query_text: str, filters: Filters | None = None) -> dict[str, dict[str, int]]:
        return self.search(query_text, limit=0, filters=filters, snippets=0).facets

    def hit_spans(self, query_text: str, doc: Document) -> list[tuple[int, int]]:
        parsed = querylang.parse(query_text, self._schema, self._parser)
        spec = self._guard(lambda: self._match_spec(
            self._expand_fuzzy(parsed.query, self._search_handle()), self._search_handle()))
        wanted = _sections_of(parsed.query) if parsed.explicit_section else {ARTICLE}
        spans: list[tuple[int, int]] = []
        for section in doc.sections:
            if section.name in wanted:
                spans.extend(highlight.find_hits(doc.text, section.start, section.end, spec))
        return spans

    def warm(self) -> None:
        """Read what the first search would (facet sets, vocabulary, days) now, e.g. in a job thread."""
        def work() -> None:
            searcher = self._search_handle()
            for fieldname in ("section", "facet_outlet", "day"):
                self._facet_sets(searcher, fieldname)
            for spec in registered_fields():
                if spec.facet and spec.name in self._schema.names():
                    self._facet_sets(searcher, spec.name)
            self._vocabulary(searcher)
            self._days(searcher)
            self._outlet_names(searcher)
            self._column(searcher, "tokens")
            self._column(searcher, "text")
            self._ranker(searcher).pin_frequent("body", self._body_lexicon(searcher)[1])

        self._guard(work)
