"""From the parsed query to what runs: fuzzy words expanded against the cached vocabulary, whole
outlet names and date ranges turned into cached facet terms, the structured part split off as a
document filter, and the words to mark in snippets.
"""

from __future__ import annotations

import logging

from whoosh import query
from whoosh.searching import Searcher

from reader.core.document import ARTICLE
from reader.core.search import highlight, querylang
from reader.core.search.docsets import DocSets
from reader.core.search.engine import (
    Filters,
)
from reader.core.search.whoosh_facets import Facets, _meet
from reader.core.search.whoosh_index import _text

log = logging.getLogger(__name__)

def _sections_of(q: query.Query) -> set[str]:
    found = {str(leaf.text) for leaf in q.leaves() if isinstance(leaf, query.Term) and leaf.fieldname == "section"}
    return found or {ARTICLE}


class Planning(Facets):
    """From the parsed query to what runs: fuzzy words expanded against the cached vocabulary, whole"""

    #: Fields whose terms are whole values (no positions, no scoring that matters).
    _STRUCTURED = frozenset({"facet_outlet", "day", "section", "language", "id"})

    def _prepared(self, parsed: querylang.ParsedQuery, filters: Filters,
                  searcher: Searcher) -> tuple[query.Query, query.Query, bool]:
        """(base query with fuzzy/outlet/date leaves expanded, the query as run, collapse by id)."""
        base = q = self._expand_fuzzy(parsed.query, searcher)
        if not parsed.explicit_section and not filters.get("section"):
            q = query.And([q, query.Term("section", ARTICLE)])
        collapse = parsed.explicit_section or bool(filters.get("section"))
        return base, q, collapse

    def _expand_fuzzy(self, q: query.Query, searcher: Searcher) -> query.Query:
        """Replace ``word~`` leaves by the corpus words within the edit distance.

        Whoosh walks the whole lexicon with an automaton per fuzzy term and field (seconds on a
        large corpus); matching against the cached vocabulary with rapidfuzz takes milliseconds.
        """
        if isinstance(q, query.Phrase | query.Term) and q.fieldname == "outlet":
            # A whole outlet name: the facet column answers it without walking positions.
            words = [_text(w) for w in q.words] if isinstance(q, query.Phrase) else [_text(q.text)]
            exact = self._outlet_names(searcher).get(" ".join(words))
            return query.Term("facet_outlet", exact, boost=q.boost) if exact else q
        if isinstance(q, query.NumericRange) and q.fieldname == "published":
            # Documents carry a day, so a range is the days of the index inside it: a small Or of
            # terms (answered from the cached day sets) instead of Whoosh's tiered numeric range
            # over 64-bit timestamps. The query parser gives a NumericRange of DATETIME longs.
            from whoosh.util.times import long_to_datetime

            start = getattr(q, "startdate", None) or (long_to_datetime(q.start) if q.start is not None else None)
            end = getattr(q, "enddate", None) or (long_to_datetime(q.end) if q.end is not None else None)
            low = start.date().isoformat() if start else "0000-00-00"
            high = end.date().isoformat() if end else "9999-99-99"
            days = [d for d in self._days(searcher) if low <= d <= high]
            return query.Or([query.Term("day", d) for d in days], boost=q.boost) if days else query.NullQuery
        if isinstance(q, query.FuzzyTerm):
            from rapidfuzz import process
            from rapidfuzz.distance import Levenshtein

            text = _text(q.text)
            prefix = text[:q.prefixlength] if q.prefixlength else ""

            def near() -> list[str]:
                found = process.extract(text, self._vocabulary(searcher), scorer=Levenshtein.distance,
                                        score_cutoff=q.maxdist, limit=24)
                return sorted({cand for cand, _dist, _i in found if cand.startswith(prefix)} | {text})

            words = self._cached(searcher, f"fuzzy:{text}:{q.maxdist}:{prefix}", near)
            return query.Or([query.Term(q.fieldname, w, boost=q.boost) for w in words])
        if q.is_leaf():
            return q
        return q.apply(lambda child: self._expand_fuzzy(child, searcher))

    def _split_structured(self, q: query.Query, sets: DocSets) -> tuple[query.Query, frozenset[int] | None]:
        """``(text part, documents the structured part allows)`` of a query's top-level AND."""
        def structured(part: query.Query) -> bool:
            if isinstance(part, query.Term):
                return part.fieldname in self._STRUCTURED
            if isinstance(part, query.Or) and type(part) is query.Or:
                return all(structured(c) for c in part.subqueries)
            return False

        children = list(q.subqueries) if isinstance(q, query.And) and type(q) is query.And else [q]
        keep = [c for c in children if not structured(c)]
        moved = [c for c in children if structured(c)]
        if not moved:
            return q, None
        allow: frozenset[int] | None = None
        for part in moved:
            allow = _meet(allow, sets.of(part))
        if not keep:
            return query.Every(), allow
        return (keep[0] if len(keep) == 1 else query.And(keep, boost=q.boost)), allow

    def _match_spec(self, q: query.Query, searcher: Searcher) -> highlight.MatchSpec:
        spec = highlight.MatchSpec()
        reader = searcher.reader()
        for leaf in querylang.highlight_leaves(q):
            if isinstance(leaf, query.Phrase):
                spec.phrases.append((tuple(str(w) for w in leaf.words), int(leaf.slop)))
            elif isinstance(leaf, query.Term):
                spec.terms.add(_text(leaf.text))
            elif isinstance(leaf, query.MultiTerm):
                for _fieldname, text in leaf.expanded_terms(reader):
                    spec.terms.add(_text(text))
        return spec

    def _vocabulary(self, searcher: Searcher) -> list[str]:
        """Body words a suggestion or a fuzzy term may become, read once per index generation."""
        return self._body_lexicon(searcher)[0]

    def _body_lexicon(self, searcher: Searcher) -> tuple[list[str], dict[str, int]]:
        """(the vocabulary, every body term's document frequency), from one pass per segment.

        The same words, in the same (sorted) order as walking the merged lexicon; the frequencies
        come with that walk and rank the terms :meth:`Ranker.pin_frequent` keeps.
        """
        def make() -> tuple[list[str], dict[str, int]]:
            freqs: dict[str, int] = {}
            for sub, _offset in searcher.leaf_searchers():
                reader = sub.reader()
                if "body" not in reader.indexed_field_names():
                    continue
                for term, info in reader.iter_field("body"):
                    word = _text(term)
                    freqs[word] = freqs.get(word, 0) + info.doc_frequency()
            return [w for w in sorted(freqs) if w.isalpha() and len(w) > 2], freqs

        return self._cached(searcher, "lexicon", make)
