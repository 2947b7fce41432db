"""Facet counts and filters from per-generation columns: ``value -> documents`` per facet field,
read once per index generation, so a search's counts are set intersections.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from whoosh import query, sorting
from whoosh.searching import Searcher

from reader.core.search.docsets import DocSets, leaf_ids
from reader.core.search.engine import (
    Filters,
)
from reader.core.search.fields import registered_fields
from reader.core.search.whoosh_index import IndexHandle, _text

log = logging.getLogger(__name__)

#: Facets counted from an index field of another name (any other facet is its own field).
FACET_FIELDS = {"outlet": "facet_outlet", "published": "day"}

def _overlap(a: frozenset[int], b: frozenset[int]) -> int:
    return len(a & b) if len(a) <= len(b) else len(b & a)


def _sorted_counts(groups: dict[Any, int]) -> dict[str, int]:
    return dict(sorted(((str(k), int(v)) for k, v in groups.items() if k not in (None, "")),
                       key=lambda kv: (-kv[1], kv[0])))


def _meet(a: frozenset[int] | None, b: frozenset[int] | None) -> frozenset[int] | None:
    """Intersection where None means "everything"."""
    if a is None:
        return b
    if b is None:
        return a
    return a & b if len(a) <= len(b) else b & a


class Facets(IndexHandle):
    """Facet counts and filters from per-generation columns: ``value -> documents`` per facet field"""

    #: Whole-value fields whose value -> documents tables are cached per generation anyway.
    _TABLED = frozenset({"facet_outlet", "day", "section"})

    def _facet_sets(self, searcher: Searcher, fieldname: str) -> dict[str, frozenset[int]]:
        """``value -> docnums`` of one facet field, read once per index generation.

        Built per segment from the segment's postings and shifted by its offset; the counts of
        a search are then set intersections instead of a Python loop over every match.
        """
        def make() -> dict[str, frozenset[int]]:
            sets: dict[str, set[int]] = {}
            for sub, offset in searcher.leaf_searchers():
                reader = sub.reader()
                if fieldname not in reader.indexed_field_names():
                    continue
                for value in reader.lexicon(fieldname):
                    text = _text(value)
                    ids = leaf_ids(reader.postings(fieldname, value))
                    target = sets.setdefault(text, set())
                    target.update(offset + d for d in ids) if offset else target.update(ids)
            return {k: frozenset(v) for k, v in sets.items()}

        return self._cached(searcher, f"facet:{fieldname}", make)

    def _count(self, searcher: Searcher, matching: frozenset[int], narrowing: frozenset[int] | None,
               in_sections: frozenset[int] | None) -> tuple[dict[str, dict[str, int]], int]:
        """Facet counts and the total, by intersecting the matches with the cached facet sets.

        Sections are counted for the query without its implicit section restriction (the
        panel shows where else the words occur); the other facets only for allowed sections.
        """
        matches = matching if narrowing is None else matching & narrowing
        section_sets = self._facet_sets(searcher, "section").items()
        by_section = {v: n for v, docs in section_sets if (n := _overlap(matches, docs))}
        if in_sections is not None:
            matches = matches & in_sections
        facets: dict[str, dict[str, int]] = {"section": _sorted_counts(by_section)}
        fieldnames = dict(FACET_FIELDS)
        for spec in registered_fields():
            if spec.facet and spec.name in self._schema.names():
                fieldnames[spec.name] = spec.name
        for name, fieldname in fieldnames.items():
            value_sets = self._facet_sets(searcher, fieldname).items()
            counts = {v: n for v, docs in value_sets if (n := _overlap(matches, docs))}
            facets[name] = dict(sorted(counts.items())) if name == "published" else _sorted_counts(counts)
        return facets, len(matches)

    def _facets_from(self, results: Any) -> dict[str, dict[str, int]]:
        out: dict[str, dict[str, int]] = {}
        for name in self._facet_map():
            groups = results.groups(name)
            if name == "published":
                out[name] = dict(sorted((str(k), v) for k, v in groups.items()))
            else:
                out[name] = _sorted_counts(groups)
        return out

    def _facet_map(self) -> dict[str, sorting.FacetType]:
        facets: dict[str, sorting.FacetType] = {
            "outlet": sorting.FieldFacet("facet_outlet", maptype=sorting.Count),
            "published": sorting.FieldFacet("day", maptype=sorting.Count),
        }
        for spec in registered_fields():
            if spec.facet:
                facets[spec.name] = sorting.FieldFacet(spec.name, allow_overlap=True, maptype=sorting.Count)
        return facets

    def _filter_fields(self, filters: Filters, skip: str | None) -> list[tuple[str, Any]]:
        """``(index field, chosen values)`` of each facet filter in use (``skip``: the facet being
        counted, so its own choice does not hide its other values)."""
        names = self._schema.names()
        return [(field, values) for name, values in filters.items()
                if name != skip and values and (field := FACET_FIELDS.get(name, name)) in names]

    def _filter_set(self, searcher: Searcher, filters: Filters, skip: str | None = None) -> frozenset[int] | None:
        """Documents the facet filters allow (values of one facet OR-ed, facets AND-ed); None = all."""
        allow: frozenset[int] | None = None
        for fieldname, values in self._filter_fields(filters, skip):
            table = self._facet_sets(searcher, fieldname)
            allow = _meet(allow, frozenset().union(*(table.get(v, frozenset()) for v in values)))
        return allow

    def _filter_query(self, filters: Filters, skip: str | None = None) -> query.Query | None:
        parts: list[query.Query] = []
        for fieldname, values in self._filter_fields(filters, skip):
            parts.append(query.Or([query.Term(fieldname, v) for v in values]))
        if not parts:
            return None
        return parts[0] if len(parts) == 1 else query.And(parts)

    def _days(self, searcher: Searcher) -> list[str]:
        """Publication days present in the index (``undated`` left out)."""
        return self._cached(searcher, "days", lambda: [
            d for d in (_text(t) for t in searcher.reader().lexicon("day")) if d[:1].isdigit()])

    def _outlet_names(self, searcher: Searcher) -> dict[str, str]:
        """Outlet names keyed by their analysed words (``"moon of alabama"``)."""
        def make() -> dict[str, str]:
            names = {_text(t) for t in searcher.reader().lexicon("facet_outlet")}
            return {" ".join(re.findall(r"\w+(?:[.'’]\w+)*", n.lower())): n for n in names}

        return self._cached(searcher, "outlets", make)

    def _docsets(self, searcher: Searcher) -> DocSets:
        def table(fieldname: str) -> dict[str, frozenset[int]] | None:
            return self._facet_sets(searcher, fieldname) if fieldname in self._TABLED else None

        return self._cached(searcher, "docsets", lambda: DocSets(searcher, table))
