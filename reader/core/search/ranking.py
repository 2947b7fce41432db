"""Top hits of a term/boolean query, scored from cached per-term impacts instead of Whoosh's walk.

Profiling the window's search on 20,000 documents showed four fifths of a term or boolean
query in Whoosh's collector: per match, a Python call chain through the matcher tree, the
scorer, the field-length column and the collector's heap (~25 µs a match, 0.2 s for a common
word). The same BM25F scores are a few array operations once the pieces are at hand, so this
module keeps them per searcher generation:

- per scored field, each record's length term ``K1 * ((1 - B) + B * fl / avgfl)`` (read once);
- per query term (a small LRU), its documents and their BM25F impact ``idf * w(K1+1)/(w + len)``.

A query made of terms, AND, OR, NOT, AND NOT and AND MAYBE is then scored by adding impacts
(exactly Whoosh's formula, operands and boosts; sums may differ in the last bit from Whoosh's
tree order), filtered by the allowed documents and cut to the top ``k`` by (score, docnum) as
Whoosh's collector orders them. Other shapes (phrases, prefixes, ranges, unscored fields)
return None and the caller lets Whoosh walk them.
"""

from __future__ import annotations

import heapq
import logging
from array import array
from collections import OrderedDict
from typing import Any

from whoosh import query, scoring
from whoosh.matching.wrappers import FilterMatcher

log = logging.getLogger(__name__)

#: Terms whose impacts are kept (12 bytes a posting: ~240 KB for a word in every record).
IMPACT_CACHE = 64

Impacts = tuple[array, array]  # docnums ('l'), scores ('d'), docnums ascending


def leaf_postings(matcher: Any) -> tuple[list[int], list[float]]:
    """Every docnum and weight of one segment's posting list, a block at a time."""
    excluded: Any = None
    if isinstance(matcher, FilterMatcher) and matcher._exclude:
        excluded, matcher = matcher._ids, matcher.child
    ids: list[int] = []
    weights: list[float] = []
    if hasattr(matcher, "_read_ids") and hasattr(matcher, "_read_weights") and hasattr(matcher, "_blocklength"):
        while matcher.is_active():
            if matcher._ids is None:
                matcher._read_ids()
            if matcher._weights is None:
                matcher._read_weights()
            i, n = matcher._i, matcher._blocklength
            ids.extend(matcher._ids[i:n])
            weights.extend(matcher._weights[i:n])
            matcher._i = n - 1
            matcher.next()
    else:
        while matcher.is_active():
            ids.append(matcher.id())
            weights.append(matcher.weight())
            matcher.next()
    if excluded:
        keep = [k for k, d in enumerate(ids) if d not in excluded]
        ids = [ids[k] for k in keep]
        weights = [weights[k] for k in keep]
    return ids, weights


class Ranker:
    """BM25F top hits for one searcher (one index generation); None where it cannot answer."""

    def __init__(self, searcher: Any) -> None:
        self.searcher = searcher
        weighting = searcher.weighting
        self.usable = type(weighting) is scoring.BM25F and not weighting._field_B
        self.B = float(getattr(weighting, "B", 0.75))
        self.K1 = float(getattr(weighting, "K1", 1.2))
        self._lengths: dict[str, list[float]] = {}
        self._impacts: OrderedDict[tuple[str, str], Impacts] = OrderedDict()

    # -- pieces ---------------------------------------------------------------------------
    def _length_terms(self, fieldname: str) -> list[float]:
        """Per global docnum, ``K1 * ((1 - B) + B * fl / avgfl)`` with Whoosh's stored lengths."""
        got = self._lengths.get(fieldname)
        if got is None:
            searcher = self.searcher
            avgfl = searcher.avg_field_length(fieldname) or 1
            B, K1 = self.B, self.K1
            got = []
            for sub, _offset in searcher.leaf_searchers():
                reader = sub.reader()
                dfl = reader.doc_field_length
                for d in range(reader.doc_count_all()):
                    # None: the record has no such field (a comment's title), so no term of it matches.
                    fl = dfl(d, fieldname, 1)
                    got.append(K1 * ((1 - B) + B * (fl or 0) / avgfl))
            self._lengths[fieldname] = got
        return got

    def impacts(self, fieldname: str, text: str) -> Impacts:
        """The term's documents and their BM25F scores (before query boosts), cached."""
        key = (fieldname, text)
        hit = self._impacts.get(key)
        if hit is not None:
            self._impacts.move_to_end(key)
            return hit
        searcher = self.searcher
        btext = searcher.schema[fieldname].to_bytes(text)
        docs = array("l")
        scores = array("d")
        if (fieldname, btext) in searcher.reader():
            idf = searcher.idf(fieldname, btext)
            k1p = self.K1 + 1
            lengths = self._length_terms(fieldname)
            for sub, offset in searcher.leaf_searchers():
                reader = sub.reader()
                if (fieldname, btext) not in reader:
                    continue
                ids, weights = leaf_postings(reader.postings(fieldname, btext))
                if offset:
                    ids = [offset + d for d in ids]
                docs.extend(ids)
                scores.extend([idf * ((w * k1p) / (w + lengths[d])) for d, w in zip(ids, weights, strict=True)])
        value = (docs, scores)
        self._impacts[key] = value
        while len(self._impacts) > IMPACT_CACHE:
            self._impacts.popitem(last=False)
        return value

    # -- queries --------------------------------------------------------------------------
    def _scorable(self, fieldname: str) -> bool:
        schema = self.searcher.schema
        return fieldname in schema.names() and bool(schema[fieldname].scorable)

    def supports(self, q: query.Query) -> bool:
        """Whether :meth:`scores` can answer ``q`` exactly."""
        if not self.usable:
            return False
        if isinstance(q, query.Term) and type(q) is query.Term:
            return self._scorable(q.fieldname) and not q.minquality
        if type(q) in (query.And, query.Or):
            if type(q) is query.Or and (q.minmatch or q.scale):
                return False
            if type(q) is query.And:
                positive = [c for c in q.subqueries if type(c) is not query.Not]
                negative = [c.query for c in q.subqueries if type(c) is query.Not]
                return bool(positive) and all(self.supports(c) for c in positive + negative)
            return bool(q.subqueries) and all(self.supports(c) for c in q.subqueries)
        if type(q) in (query.AndNot, query.AndMaybe):
            return self.supports(q.a) and self.supports(q.b)
        return False

    def scores(self, q: query.Query) -> dict[int, float]:
        """``docnum -> score`` of every match of a supported query."""
        if isinstance(q, query.Term):
            docs, values = self.impacts(q.fieldname, _text(q.text))
            if q.boost != 1.0:
                return {d: s * q.boost for d, s in zip(docs, values, strict=True)}
            return dict(zip(docs, values, strict=True))
        if isinstance(q, query.And) and type(q) is query.And:
            positive = [c for c in q.subqueries if type(c) is not query.Not]
            negative = [c.query for c in q.subqueries if type(c) is query.Not]
            parts = [self.scores(c) for c in positive]
            parts.sort(key=len)
            out: dict[int, float] = {}
            first, rest = parts[0], parts[1:]
            for d, s in first.items():
                for p in rest:
                    v = p.get(d)
                    if v is None:
                        break
                    s += v
                else:
                    out[d] = s
            for n in negative:
                for d in self.matches(n):
                    out.pop(d, None)
            if negative:
                # Whoosh intersects with an InverseMatcher, which scores every document it passes 1.0.
                bonus = float(len(negative))
                out = {d: s + bonus for d, s in out.items()}
            return self._boosted(out, q.boost)
        if isinstance(q, query.Or):
            merged: dict[int, float] = {}
            for c in q.subqueries:
                part = self.scores(c)
                if not merged:
                    merged = part
                    continue
                get = merged.get
                for d, s in part.items():
                    v = get(d)
                    merged[d] = s if v is None else v + s
            return self._boosted(merged, q.boost)
        if isinstance(q, query.AndNot):
            a = self.scores(q.a)
            for d in self.matches(q.b):
                a.pop(d, None)
            return a
        if isinstance(q, query.AndMaybe):
            a = self.scores(q.a)
            b = self.scores(q.b)
            return {d: (s + b[d]) if d in b else s for d, s in a.items()}
        raise TypeError(f"unsupported query {q!r}")

    def matches(self, q: query.Query) -> set[int]:
        if isinstance(q, query.Term):
            return set(self.impacts(q.fieldname, _text(q.text))[0])
        return set(self.scores(q))

    @staticmethod
    def _boosted(scores: dict[int, float], boost: float) -> dict[int, float]:
        if boost == 1.0:
            return scores
        return {d: s * boost for d, s in scores.items()}

    def top(self, q: query.Query, limit: int,
            allow: frozenset[int] | set[int] | None) -> tuple[list[tuple[int, float]], frozenset[int]]:
        """``([(docnum, score)...] best first, every match)`` of a supported query.

        The matches are all of them (before ``allow``), for the facet counts.
        """
        scores = self.scores(q)
        everything = frozenset(scores)
        if allow is not None:
            if len(allow) < len(scores):
                scores = {d: scores[d] for d in allow if d in scores}
            else:
                scores = {d: s for d, s in scores.items() if d in allow}
        best = heapq.nlargest(max(1, limit), ((s, -d) for d, s in scores.items()))
        return [(-nd, s) for s, nd in best], everything


def _text(value: Any) -> str:
    return value.decode("utf-8") if isinstance(value, bytes) else str(value)
