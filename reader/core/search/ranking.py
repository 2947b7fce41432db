"""Top hits of a term/boolean query, scored from cached per-term impacts instead of Whoosh's walk.

Profiling the window's search on 20,000 documents showed four fifths of a term or boolean
query in Whoosh's collector: per match, a Python call chain through the matcher tree, the
scorer, the field-length column and the collector's heap (~25 µs a match, 0.2 s for a common
word). The same BM25F scores are a few array operations once the pieces are at hand, so this
module keeps them per searcher generation:

- per scored field, each record's length term ``K1 * ((1 - B) + B * fl / avgfl)`` (read once);
- per query term (a small LRU), its documents and their BM25F impact ``idf * w(K1+1)/(w + len)``.

A query made of terms, phrases (with slop), AND, OR, NOT, AND NOT and AND MAYBE is then scored
by adding impacts (exactly Whoosh's formula, operands and boosts; sums may differ in the last bit
from Whoosh's tree order), filtered by the allowed documents and cut to the top ``k`` by
(score, docnum) as Whoosh's collector orders them. Other shapes (prefixes, ranges, unscored
fields) return None and the caller lets Whoosh walk them.

Phrases: Whoosh runs a phrase as ``SpanNear2(ordered, mindist=1)`` over an intersection of its
words' matchers, a Python call chain per candidate and per position (a common bigram cost
0.1-0.6 s at 20,000 documents, and the window walked it twice: scored, then for the counts of
the other section). Here the candidates are the intersection of the words' cached documents,
and each is checked once against the raw position values of those words (cached per term,
read in the same pass as the impacts). The rule is Whoosh's: a chain of positions, one per
word in order, each ``1..slop`` after the previous; the score is the sum of the words' impacts
(Whoosh's intersection matcher adds its children's scores) times the phrase's boost.
"""

from __future__ import annotations

import heapq
import logging
from array import array
from collections import OrderedDict
from typing import Any, cast

from whoosh import query, scoring
from whoosh.matching.wrappers import FilterMatcher

from reader.core.search.whoosh_postings import SegmentPostings

log = logging.getLogger(__name__)

#: Terms whose impacts are kept (12 bytes a posting: ~240 KB for a word in every record).
IMPACT_CACHE = 64
#: Terms whose raw position values are kept for phrases (~60 bytes a posting: ~1.2 MB for a
#: word in every one of 20,000 records).
POSITION_CACHE = 16
#: Postings of the most frequent body terms :meth:`Ranker.pin` keeps for a generation (~70 bytes
#: each with their positions: ~17 MB), so common words cost no cold read in the first queries.
PIN_POSTINGS = 250_000

Impacts = tuple[array, array]  # docnums ('l'), scores ('d'), docnums ascending


def leaf_postings(matcher: Any) -> tuple[list[int], list[float]]:
    """Every docnum and weight of one segment's posting list, a block at a time."""
    ids, weights, _values = leaf_postings_values(matcher, values=False)
    return ids, weights


def leaf_postings_values(matcher: Any, *, values: bool = True) -> tuple[list[int], list[float], list[Any]]:
    """Every docnum, weight and (if asked) raw posting value of one segment, a block at a time."""
    excluded: Any = None
    if isinstance(matcher, FilterMatcher) and matcher._exclude:
        excluded, matcher = matcher._ids, matcher.child
    ids: list[int] = []
    weights: list[float] = []
    raw: list[Any] = []
    if (hasattr(matcher, "_read_ids") and hasattr(matcher, "_read_weights") and hasattr(matcher, "_blocklength")
            and (not values or hasattr(matcher, "_read_values"))):
        while matcher.is_active():
            if matcher._ids is None:
                matcher._read_ids()
            if matcher._weights is None:
                matcher._read_weights()
            i, n = matcher._i, matcher._blocklength
            ids.extend(matcher._ids[i:n])
            weights.extend(matcher._weights[i:n])
            if values:
                if matcher._values is None:
                    matcher._read_values()
                raw.extend(matcher._values[i:n])
            matcher._i = n - 1
            matcher.next()
    else:
        while matcher.is_active():
            ids.append(matcher.id())
            weights.append(matcher.weight())
            if values:
                raw.append(matcher.value())
            matcher.next()
    if excluded:
        keep = [k for k, d in enumerate(ids) if d not in excluded]
        ids = [ids[k] for k in keep]
        weights = [weights[k] for k in keep]
        if values:
            raw = [raw[k] for k in keep]
    return ids, weights, raw


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
        self._values: OrderedDict[tuple[str, str], dict[int, Any]] = OrderedDict()
        self._pinned_impacts: dict[tuple[str, str], Impacts] = {}
        self._pinned_values: dict[tuple[str, str], dict[int, Any]] = {}
        self._flat_postings: list[SegmentPostings | None] | None = None

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
        hit = self._pinned_impacts.get(key) or self._impacts.get(key)
        if hit is not None:
            if key in self._impacts:
                self._impacts.move_to_end(key)
            return hit
        # With flat postings a cold word costs two copies; the positions, for phrases, are read
        # apart. Without, the one pass over Whoosh's blocks keeps the positions as well.
        return self._read(fieldname, text, values=self._positional(fieldname) and not self._all_flat(fieldname))

    def _positional(self, fieldname: str) -> bool:
        """Whether a field's raw values are positions worth keeping (they come with the same read)."""
        fmt = self.searcher.schema[fieldname].format
        return fmt is not None and fmt.supports("positions") and hasattr(fmt, "decode_positions")

    def cached_values(self, fieldname: str, text: str) -> dict[int, Any] | None:
        """The term's raw values if a phrase or an impacts read already holds them, else None."""
        key = (fieldname, text)
        return self._pinned_values.get(key) or self._values.get(key)

    def pin_frequent(self, fieldname: str, freqs: dict[str, int], budget: int = PIN_POSTINGS) -> int:
        """Read and keep (outside the LRUs) the impacts and positions of the field's most frequent
        terms (``freqs``: term -> document frequency), up to ``budget`` postings; how many terms.
        Reading a word in most records costs ~25 ms (Whoosh unpickles every block), which a
        query meeting it cold would pay.
        """
        terms = sorted(((df, text) for text, df in freqs.items()), reverse=True)
        pinned = 0
        used = 0
        for df, text in terms:
            if used + df > budget:
                break
            used += df
            key = (fieldname, text)
            self._read(fieldname, text, values=self._positional(fieldname))
            self._pinned_impacts[key] = self._impacts[key]
            if key in self._values:
                self._pinned_values[key] = self._values[key]
            pinned += 1
        return pinned

    def values(self, fieldname: str, text: str) -> dict[int, Any]:
        """``docnum -> raw posting value`` (the encoded positions) of a term, cached."""
        key = (fieldname, text)
        hit = self._pinned_values.get(key) or self._values.get(key)
        if hit is not None:
            if key in self._values:
                self._values.move_to_end(key)
            return hit
        self._read(fieldname, text, values=True)
        return self._values[key]

    def _flat(self) -> list[SegmentPostings | None]:
        """Per leaf segment, its flat postings (None: read Whoosh's blocks), opened once."""
        if self._flat_postings is None:
            self._flat_postings = [SegmentPostings.of(sub.reader()) for sub, _ in self.searcher.leaf_searchers()]
        return self._flat_postings

    def _all_flat(self, fieldname: str) -> bool:
        return all(p is not None and fieldname in p.fields for p in self._flat())

    def _read(self, fieldname: str, text: str, *, values: bool) -> Impacts:
        """One pass over a term's postings: its impacts and, if asked, its raw values (both cached).

        Without values, a segment's flat postings are sliced (see whoosh_postings); with values,
        or where a segment has none, Whoosh's blocks are read.
        """
        key = (fieldname, text)
        searcher = self.searcher
        btext = searcher.schema[fieldname].to_bytes(text)
        docs = array("l")
        scores = array("d")
        raw: dict[int, Any] = {}
        if (fieldname, btext) in searcher.reader():
            idf = searcher.idf(fieldname, btext)
            k1p = self.K1 + 1
            lengths = self._length_terms(fieldname)
            flat = self._flat()
            for (sub, offset), segment in zip(searcher.leaf_searchers(), flat, strict=True):
                reader = sub.reader()
                got = None if values or segment is None else segment.postings(fieldname, btext)
                ids: list[int]
                weights: list[float]
                if got is not None:
                    if not len(got[0]):
                        continue
                    ids, weights = got[0].tolist(), cast(list[float], got[1].tolist())  # typeshed: ints
                    if reader.has_deletions():
                        dead = reader.deleted_docs_set
                        keep = [k for k, d in enumerate(ids) if d not in dead]
                        ids, weights = [ids[k] for k in keep], [weights[k] for k in keep]
                else:
                    if (fieldname, btext) not in reader:
                        continue
                    ids, weights, vals = leaf_postings_values(reader.postings(fieldname, btext), values=values)
                if offset:
                    ids = [offset + d for d in ids]
                docs.extend(ids)
                scores.extend([idf * ((w * k1p) / (w + lengths[d])) for d, w in zip(ids, weights, strict=True)])
                if values:
                    raw.update(zip(ids, vals, strict=True))
        value = (docs, scores)
        self._impacts[key] = value
        self._impacts.move_to_end(key)
        while len(self._impacts) > IMPACT_CACHE:
            self._impacts.popitem(last=False)
        if values:
            self._values[key] = raw
            while len(self._values) > POSITION_CACHE:
                self._values.popitem(last=False)
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
        if type(q) is query.Phrase:
            field = self.searcher.schema[q.fieldname] if q.fieldname in self.searcher.schema.names() else None
            return (field is not None and self._scorable(q.fieldname) and field.format is not None
                    and field.format.supports("positions") and hasattr(field.format, "decode_positions"))
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
        if type(q) is query.Phrase:
            return self._boosted(self._phrase(q), q.boost)
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

    def _phrase(self, q: query.Phrase) -> dict[int, float]:
        """``docnum -> score`` where the phrase matches (Whoosh's SpanNear2 rule, see the module)."""
        field = self.searcher.schema[q.fieldname]
        words: list[str] = []
        for word in q.words:
            try:
                words.append(_text(field.to_bytes(word)))
            except ValueError:  # Whoosh: a word the field cannot encode matches nothing
                return {}
        if not words:
            return {}
        slop = int(q.slop)
        if slop < 1 and len(words) > 1:  # the next word must be 1..slop positions on: never
            return {}
        unique = list(dict.fromkeys(words))
        tables: dict[str, dict[int, Any]] = {}
        for w in unique:
            tables[w] = self.values(q.fieldname, w)  # the same pass caches the impacts
            if not tables[w]:
                return {}
        impacts = [self.impacts(q.fieldname, w) for w in words]
        order = sorted(unique, key=lambda w: len(tables[w]))
        smallest, others = tables[order[0]], [tables[w] for w in order[1:]]
        candidates = [d for d in smallest if all(d in t for t in others)]
        decode = field.format.decode_positions
        columns = [tables[w] for w in words]
        steps = range(1, slop + 1)
        matched: list[int] = []
        for d in candidates:
            ends = set(decode(columns[0][d]))
            for column in columns[1:]:
                positions = decode(column[d])
                if slop == 1:
                    ends = {e + 1 for e in ends}.intersection(positions)
                else:  # the positions 1..slop after a chain's end, met with this word's
                    ends = {e + k for e in ends for k in steps}.intersection(positions)
                if not ends:
                    break
            else:
                matched.append(d)
        if not matched:
            return {}
        out = dict.fromkeys(matched, 0.0)
        for docs, values in impacts:
            if len(docs) <= 4 * len(out):
                for d, s in zip(docs, values, strict=True):
                    if d in out:
                        out[d] += s
            else:
                where = dict(zip(docs, values, strict=True))
                for d in out:
                    out[d] += where[d]
        return out

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
