""""Did you mean" from the cached vocabulary (rapidfuzz), printed forms through the token map,
and "more like this" from a document's key terms.
"""

from __future__ import annotations

import logging
import re
import time

from whoosh import query
from whoosh.searching import Searcher

from reader.core.document import ARTICLE, Document
from reader.core.errors import ReaderError
from reader.core.search import highlight
from reader.core.search.analysis import StemmingAnalyzer, normalise_word
from reader.core.search.engine import (
    SearchResults,
)
from reader.core.search.formats import token_end, token_starts
from reader.core.search.schema import facet_fields
from reader.core.search.whoosh_snippets import Snippets

log = logging.getLogger(__name__)

def suggestible_words(query_text: str) -> list[str]:
    """Plain words of a query a spelling suggestion may replace (no fields, operators, wildcards)."""
    words: list[str] = []
    # Values of non-text fields (outlet:"Moon of Alabama", published:[...]) are not spelling candidates.
    masked = re.sub(r'\b(?!title:|body:)[A-Za-z_]\w*:(?:"[^"]*"|\[[^\]]*\]|\{[^}]*\}|\S+)', " ", query_text)
    for match in re.finditer(r'(?<![\w:*?~-])(?:(title|body):)?([^\W\d_][\w\'’]*)(?![\w:*?~])', masked):
        word = match.group(2)
        if word in ("AND", "OR", "NOT", "TO"):
            continue
        words.append(word)
    return words


def _match_case(original: str, surface: str) -> str:
    if original.isupper() and len(original) > 1:
        return surface.upper()
    if original[:1].isupper():
        return surface[:1].upper() + surface[1:]
    return surface.lower()


def _replace_word(text: str, word: str, replacement: str) -> str:
    return re.sub(rf"(?<![\w]){re.escape(word)}(?![\w])", replacement, text, count=1)


class Suggestions(Snippets):
    """"Did you mean" from the cached vocabulary (rapidfuzz), printed forms through the token map"""

    def suggest(self, query_text: str) -> str | None:
        return self._guard(lambda: self._suggest(query_text, self._search_handle()))

    def _suggest(self, query_text: str, searcher: Searcher) -> str | None:
        from rapidfuzz import process
        from rapidfuzz.distance import Levenshtein

        reader = searcher.reader()
        replacements: dict[str, str] = {}
        for word in suggestible_words(query_text):
            term = normalise_word(word)
            freq = reader.doc_frequency("body", term)
            if freq > 1 or len(term) < 4:
                continue
            max_dist = 1 if len(term) <= 5 else 2
            found = process.extract(term, self._vocabulary(searcher), scorer=Levenshtein.distance,
                                    score_cutoff=max_dist, limit=12)
            best: tuple[int, int, str] | None = None
            for cand, dist, _ in found:
                if cand == term:
                    continue
                cand_freq = reader.doc_frequency("body", cand)
                if cand_freq <= max(freq, 0) * 3 or cand_freq == 0:
                    continue
                key = (int(dist), -cand_freq, cand)
                if best is None or key < best:
                    best = key
            if best is not None:
                surface = self._surface_form(best[2], searcher)
                if surface:
                    replacements[word] = _match_case(word, surface)
        if not replacements:
            return None
        out = query_text
        for word, repl in replacements.items():
            out = _replace_word(out, word, repl)
        return out if out != query_text else None

    def _surface_form(self, term: str, searcher: Searcher) -> str | None:
        """A word as printed in the corpus for an index term (terms are stemmed).

        Read through the first body posting and its record's token map (no re-analysis),
        cached per index generation.
        """
        def make() -> str:
            try:
                matcher = searcher.reader().postings("body", term)
            except Exception:  # TermNotFound
                return ""
            while matcher.is_active():
                docnum = matcher.id()
                fields = searcher.stored_fields(docnum)
                try:
                    doc = self.corpus.document(fields["id"])
                except ReaderError:
                    matcher.next()
                    continue
                section = doc.section(fields.get("section", ARTICLE))
                posl = matcher.value_as("positions")
                column = self._column(searcher, "tokens")
                starts = token_starts(column[docnum] if column is not None else b"")
                if section is None or not posl or posl[0] >= len(starts) or doc.content_hash != fields.get("hash"):
                    return self._surface_by_analysis(term, doc)
                start = section.start + starts[posl[0]]
                return doc.text[start:token_end(doc.text, start)]
            return ""

        return self._cached(searcher, f"surface:{term}", make) or None

    @staticmethod
    def _surface_by_analysis(term: str, doc: Document) -> str:
        for token in StemmingAnalyzer()(doc.text, chars=True):
            if token.text == term:
                return doc.text[token.startchar:token.endchar]
        return ""

    def more_like_this(self, doc: Document, *, limit: int = 10) -> SearchResults:
        return self._guard(self._more_like, doc, limit)

    def _more_like(self, doc: Document, limit: int) -> SearchResults:
        started = time.perf_counter()
        searcher = self._search_handle()
        article = doc.section_text(ARTICLE) or doc.text
        from whoosh.lang.stopwords import stoplists

        common = {normalise_word(w) for w in stoplists["en"]}
        keys = [(t, w) for t, w in searcher.key_terms_from_text("body", article, numterms=40)
                if t not in common and len(t) > 2][:15]
        if not keys:
            return SearchResults(f"like:{doc.id}", 0, [], {}, None)
        top = max(w for _t, w in keys) or 1.0
        q = query.And([query.Or([query.Term("body", t, boost=w / top) for t, w in keys]),
                       query.Term("section", ARTICLE)])
        results = searcher.search(q, limit=limit, mask=query.Term("id", doc.id), groupedby=self._facet_map(),
                                  terms=False)
        spec = highlight.MatchSpec(terms={t for t, _w in keys})
        hits = [self._hit(r, spec, 1) for r in results[:limit]]
        facets = self._facets_from(results)
        facets["section"] = {ARTICLE: len(results)} if len(results) else {}
        facets = {name: facets.get(name, {}) for name in facet_fields()}
        return SearchResults(f"like:{doc.id}", len(results), hits, facets, None, time.perf_counter() - started)
