"""Matching documents as sets, for counting: set algebra over per-term posting sets.

A window search needs the exact number of matches and facet counts over all of them, not
only the top 100. Walking every match through Whoosh's matcher tree in Python cost ~3 µs per
match (60 ms for a common word on 20,000 documents). Here a query made of terms, AND, OR and
NOT (prefixes and wildcards expand to terms) is answered with Python set operations on the
documents of each term, read block by block from the postings and kept in a small LRU; other
shapes (phrases, proximity) return None and the caller walks the matcher as before.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from whoosh import query
from whoosh.matching.wrappers import FilterMatcher
from whoosh.reading import TermNotFound

#: Term sets kept (a common word's set on 20,000 records is ~1 MB).
TERM_CACHE = 48
#: Expansions of a prefix or wildcard above which the matcher walk is cheaper.
MAX_EXPANSION = 200


def leaf_ids(matcher: Any) -> Iterable[int]:
    """Every docnum of a posting list, a block at a time where the codec allows."""
    excluded: Any = None
    if isinstance(matcher, FilterMatcher) and matcher._exclude:
        excluded, matcher = matcher._ids, matcher.child
    if not (hasattr(matcher, "_read_ids") and hasattr(matcher, "_blocklength")):
        ids: Iterable[int] = list(matcher.all_ids())
    else:
        out: list[int] = []
        while matcher.is_active():
            if matcher._ids is None:
                matcher._read_ids()
            out.extend(matcher._ids[matcher._i:matcher._blocklength])
            matcher._i = matcher._blocklength - 1
            matcher.next()
        ids = out
    if excluded:
        return [d for d in ids if d not in excluded]
    return ids


class DocSets:
    """Set answers for one searcher (one index generation)."""

    def __init__(self, searcher: Any,
                 tables: Callable[[str], Mapping[str, frozenset[int]] | None] | None = None) -> None:
        self.searcher = searcher
        #: ``fieldname -> {value: docs}`` already cached for whole-value fields (days, outlets,
        #: sections); a date range is an OR of up to hundreds of day terms, read from postings
        #: on every query before (60,000 posting lookups for 50 date queries).
        self._tables = tables
        self._terms: OrderedDict[tuple[str, Any], frozenset[int]] = OrderedDict()
        self._all: frozenset[int] | None = None

    def all_docs(self) -> frozenset[int]:
        if self._all is None:
            self._all = frozenset(self.searcher.reader().all_doc_ids())
        return self._all

    def term(self, fieldname: str, text: Any) -> frozenset[int]:
        key = (fieldname, text.decode("utf-8") if isinstance(text, bytes) else str(text))
        table = self._tables(fieldname) if self._tables is not None else None
        if table is not None:
            return table.get(key[1], frozenset())
        hit = self._terms.get(key)
        if hit is not None:
            self._terms.move_to_end(key)
            return hit
        found: set[int] = set()
        for sub, offset in self.searcher.leaf_searchers():
            reader = sub.reader()
            try:
                matcher = reader.postings(fieldname, text)
            except TermNotFound:  # not in this segment
                continue
            ids = leaf_ids(matcher)
            found.update(ids if not offset else (offset + d for d in ids))
        value = frozenset(found)
        self._terms[key] = value
        while len(self._terms) > TERM_CACHE:
            self._terms.popitem(last=False)
        return value

    def of(self, q: query.Query) -> frozenset[int] | None:
        """The documents ``q`` matches, or None when ``q`` needs positions (phrases...)."""
        if isinstance(q, type(query.NullQuery)):
            return frozenset()
        if isinstance(q, query.Every):
            return self.all_docs()
        if isinstance(q, query.Term):
            return self.term(q.fieldname, q.text)
        if isinstance(q, query.And):
            parts = [self.of(c) for c in q.subqueries]
            sets = [p for p in parts if p is not None]
            if len(sets) != len(parts):
                return None
            sets.sort(key=len)
            if not sets:
                return self.all_docs()
            acc = set(sets[0])
            for s in sets[1:]:
                acc &= s
            return frozenset(acc)
        if isinstance(q, query.Or) and type(q) in (query.Or,):
            if getattr(q, "minmatch", 0):
                return None
            acc = set()
            for c in q.subqueries:
                got = self.of(c)
                if got is None:
                    return None
                acc |= got
            return frozenset(acc)
        if isinstance(q, query.Not):
            p = self.of(q.query)
            return None if p is None else self.all_docs() - p
        if isinstance(q, query.AndNot):
            a, b = self.of(q.a), self.of(q.b)
            return None if a is None or b is None else a - b
        if isinstance(q, query.AndMaybe):
            return self.of(q.a)
        if isinstance(q, query.Prefix | query.Wildcard):
            terms = list(q.expanded_terms(self.searcher.reader()))
            if len(terms) > MAX_EXPANSION:
                return None
            acc = set()
            for fieldname, text in terms:
                acc |= self.term(fieldname, text)
            return frozenset(acc)
        return None
