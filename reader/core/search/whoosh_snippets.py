"""Marked snippets for the hits asked for only, located from the body postings' positions and
each record's token map column instead of re-analysing documents (a stale record is analysed),
cut from the record's indexed text while its file is unchanged (else from the document read).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from whoosh.searching import Searcher

from reader.core.document import ARTICLE
from reader.core.errors import ReaderError
from reader.core.search import highlight, querylang
from reader.core.search.engine import (
    Filters,
    SearchHit,
)
from reader.core.search.formats import token_end, token_starts
from reader.core.search.ranking import Ranker
from reader.core.search.records import unpack_text
from reader.core.search.whoosh_index import MAX_POSTING_TERMS
from reader.core.search.whoosh_plan import Planning

log = logging.getLogger(__name__)

class Snippets(Planning):
    """Marked snippets for the hits asked for only, located from the body postings' positions and"""

    def snippets(self, query_text: str, hits: Sequence[SearchHit], *, count: int = 3,
                 filters: Filters | None = None) -> list[SearchHit]:
        """``hits`` (from :meth:`search` with ``snippets=0``) with their snippets filled in."""
        if not hits or count <= 0:
            return list(hits)
        parsed = querylang.parse(query_text, self._schema, self._parser)
        return self._guard(self._fill_snippets, parsed, list(hits), count, filters or {})

    def _fill_snippets(self, parsed: querylang.ParsedQuery, hits: list[SearchHit], count: int,
                       filters: Filters) -> list[SearchHit]:
        searcher = self._search_handle()
        _base, q, _collapse = self._prepared(parsed, filters, searcher)
        spec = self._match_spec(q, searcher)
        located: list[tuple[int, SearchHit]] = []
        where = self._cached(searcher, "docnums", dict)
        for hit in hits:
            docnum = where.get((hit.id, hit.section))
            if docnum is None:
                docnum = searcher.document_number(key=f"{hit.id}#{hit.section}")
            located.append((-1 if docnum is None else docnum, hit))
        texts = self._snippets_for(located, spec, count, searcher)
        return [replace(h, snippets=s) for h, s in zip(hits, texts, strict=True)]

    def _snippets_for(self, located: list[tuple[int, SearchHit]], spec: highlight.MatchSpec, count: int,
                      searcher: Searcher) -> list[list[str]]:
        """Snippets for each ``(docnum, hit)``; hits located from postings and the token map."""
        positions = self._posting_positions(sorted({d for d, _h in located if d >= 0}), spec, searcher)
        tokens = self._column(searcher, "tokens")
        texts = self._column(searcher, "text")
        out: list[list[str]] = []
        for docnum, hit in located:
            found = positions.get(docnum) if docnum >= 0 else None
            stored = searcher.stored_fields(docnum) if docnum >= 0 else {}
            source = None
            if texts is not None and docnum >= 0 and self._unchanged_since_indexed(hit.id, stored.get("hash")):
                source = unpack_text(texts[docnum])
            if source is not None:
                text, start, end = source
                content_hash = stored.get("hash")
            else:
                try:
                    doc = self.corpus.document(hit.id)
                except ReaderError:
                    out.append([])
                    continue
                section = doc.section(hit.section)
                if section is None:
                    out.append([])
                    continue
                text, start, end, content_hash = doc.text, section.start, section.end, doc.content_hash
            blob = tokens[docnum] if tokens is not None and found is not None else b""
            if found is None or content_hash != stored.get("hash") or not blob:
                spans = highlight.find_hits(text, start, end, spec)  # stale: analyse
            else:
                spans = self._spans_from_map(text, start, blob, found, spec)
            out.append(highlight.snippets(text, start, end, spans, count))
        return out

    @staticmethod
    def _spans_from_map(text: str, base: int, blob: bytes, found: dict[str, list[int]],
                        spec: highlight.MatchSpec) -> list[tuple[int, int]]:
        """Canonical hit ranges from term positions through the record's token map.

        The same ranges :func:`highlight.find_hits` finds by analysing the section (a test
        holds them equal), at the cost of a few regex matches instead of a whole analysis.
        """
        starts = token_starts(blob)
        occurrences: dict[str, list[tuple[int, int, int]]] = {}
        for word, posl in found.items():
            occ = []
            for p in posl:
                if p < len(starts):
                    start = base + starts[p]
                    occ.append((p, start, token_end(text, start)))
            occurrences[word] = occ
        spans = [(s, e) for term in spec.terms for _p, s, e in occurrences.get(term, ())]
        for phrase, slop in spec.phrases:
            spans.extend(highlight.phrase_spans(phrase, max(1, slop), occurrences))
        return highlight.merge_spans(spans)

    def _posting_positions(self, docnums: list[int], spec: highlight.MatchSpec,
                           searcher: Searcher) -> dict[int, dict[str, list[int]]]:
        """Per docnum, the positions of each query word in its body, read from the postings.

        A docnum missing from the result means "unknown" (too many expanded terms): the
        caller analyses that section instead.
        """
        if not docnums:
            return {}
        words = set(spec.terms) | {w for phrase, _slop in spec.phrases for w in phrase}
        if len(words) > MAX_POSTING_TERMS:
            return {}
        reader = searcher.reader()
        found: dict[int, dict[str, list[int]]] = {d: {} for d in docnums}
        ranker = self._cached(searcher, "ranker", lambda: Ranker(searcher))
        decode = searcher.schema["body"].format.decode_positions
        for word in words:
            table = ranker.cached_values("body", word)
            if table is not None:  # read with the word's impacts: no walk of its postings
                for docnum in docnums:
                    value = table.get(docnum)
                    if value is not None:
                        found[docnum][word] = decode(value)
                continue
            try:
                matcher = reader.postings("body", word)
            except Exception:  # TermNotFound: the word is not in any body
                continue
            for docnum in docnums:
                if not matcher.is_active():
                    break
                if matcher.id() < docnum:
                    matcher.skip_to(docnum)
                    if not matcher.is_active():
                        break
                if matcher.id() == docnum:
                    found[docnum][word] = matcher.value_as("positions")
        return found

    @staticmethod
    def _plain_hit(fields: dict[str, Any], score: float) -> SearchHit:
        return SearchHit(fields["id"], fields.get("title", ""),
                         fields.get("outlet", ""), fields.get("date"), score, fields.get("section", ARTICLE), [])

    def _hit(self, result: Any, spec: highlight.MatchSpec, snippet_count: int) -> SearchHit:
        hit = self._plain_hit(result.fields(), float(result.score or 0.0))
        if snippet_count <= 0:
            return hit
        texts = self._snippets_for([(result.docnum, hit)], spec, snippet_count, self._search_handle())
        return replace(hit, snippets=texts[0])
