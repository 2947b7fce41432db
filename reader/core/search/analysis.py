"""The text analyzer every searchable text field shares, fused into one pass for speed.

Tokenising, lower-casing, dropping possessives and stop words, unifying British and
American spellings and Porter stemming run in one generator instead of a chain of
Whoosh filters: indexing time is dominated by this loop. The same analyzer runs at
query time and when hits are located in a document's text, so index terms, query
terms and highlighted offsets always agree.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from whoosh.analysis import Token, Tokenizer
from whoosh.lang.porter import stem as porter_stem

from reader.core.search.variants import VARIANTS

#: Words too common to be worth indexing (Whoosh's English list without "us", "may", "will").
STOP_WORDS: frozenset[str] = frozenset({
    "a", "an", "and", "are", "as", "at", "be", "by", "can", "for", "from", "have", "if", "in", "is", "it",
    "of", "on", "or", "tbd", "that", "the", "this", "to", "we", "when", "with", "yet", "you", "your", "s", "t",
})

WORD_PATTERN = re.compile(r"\w+(?:[.'’]\w+)*", re.UNICODE)
_POSSESSIVE = ("'s", "’s")
_STEM_CACHE: dict[str, str] = {}
_STEM_CACHE_MAX = 500_000


def normalise_word(word: str, *, stem: bool = True) -> str:
    """One word as the index stores it (lower case, American spelling, stemmed)."""
    low = word.lower()
    if low.endswith(_POSSESSIVE):
        low = low[:-2]
    low = low.replace("’", "'")
    low = VARIANTS.get(low, low)
    if not stem:
        return low
    cached = _STEM_CACHE.get(low)
    if cached is None:
        cached = porter_stem(low) if low.isalpha() else low
        if len(_STEM_CACHE) < _STEM_CACHE_MAX:
            _STEM_CACHE[low] = cached
    return cached


class StemmingAnalyzer(Tokenizer):
    """English analyzer with positions and character offsets; picklable for the index schema."""

    def __init__(self, stem: bool = True, stops: bool = True) -> None:
        self.stem = stem
        self.stops = stops

    def __eq__(self, other: object) -> bool:
        return (isinstance(other, StemmingAnalyzer) and other.stem == self.stem
                and other.stops == self.stops)

    def __hash__(self) -> int:
        return hash((self.stem, self.stops))

    def __call__(self, value: str, positions: bool = False, chars: bool = False,
                 keeporiginal: bool = False, removestops: bool = True, start_pos: int = 0,
                 start_char: int = 0, tokenize: bool = True, mode: str = "", **kwargs: Any) -> Iterator[Token]:
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        if not tokenize:
            # Wildcard, prefix and fuzzy terms: normalise the single term, keep stop words.
            token.text = normalise_word(value, stem=self.stem) if value.replace("*", "").replace("?", "") \
                .isalnum() else value.lower()
            token.boost = 1.0
            token.stopped = False
            if keeporiginal:
                token.original = value
            if positions:
                token.pos = start_pos
            if chars:
                token.startchar, token.endchar = start_char, start_char + len(value)
            yield token
            return
        stem = self.stem
        stops = STOP_WORDS if self.stops else frozenset()
        cache = _STEM_CACHE
        variants = VARIANTS
        pos = start_pos
        token.boost = 1.0
        token.stopped = False
        for match in WORD_PATTERN.finditer(value):
            word = match.group(0)
            low = word.lower()
            if low in stops:
                continue
            end = match.end()
            if low.endswith(_POSSESSIVE):
                low = low[:-2]
                end -= 2
                if not low:
                    continue
            if "’" in low:
                low = low.replace("’", "'")
            low = variants.get(low, low)
            if stem:
                text = cache.get(low)
                if text is None:
                    text = normalise_word(low)
            else:
                text = low
            token.text = text
            if keeporiginal:
                token.original = word
            if positions:
                token.pos = pos
            pos += 1
            if chars:
                token.startchar = start_char + match.start()
                token.endchar = start_char + end
            yield token


#: Surface word -> (index term, characters to trim off its end); "" means "not indexed".
_TERM_CACHE: dict[str, tuple[str, int]] = {}


def term_of(word: str) -> tuple[str, int]:
    """One word matched by :data:`WORD_PATTERN` as the stemming analyzer indexes it.

    Exactly the steps of :meth:`StemmingAnalyzer.__call__` for one token, memoised per
    surface word: the index build's fast path (see :mod:`reader.core.search.formats`) calls
    this instead of driving a token generator, which halves the analysis cost.
    """
    hit = _TERM_CACHE.get(word)
    if hit is not None:
        return hit
    low = word.lower()
    trim = 0
    text = ""
    if low not in STOP_WORDS:
        if low.endswith(_POSSESSIVE):
            low = low[:-2]
            trim = 2
        if low:
            if "’" in low:
                low = low.replace("’", "'")
            low = VARIANTS.get(low, low)
            cached = _STEM_CACHE.get(low)
            text = cached if cached is not None else normalise_word(low)
    hit = (text, trim)
    if len(_TERM_CACHE) < _STEM_CACHE_MAX:
        _TERM_CACHE[word] = hit
    return hit


def analyse(text: str, *, stem: bool = True) -> list[tuple[str, int, int]]:
    """``(term, start, end)`` for each indexed word of ``text``: where each term occurs."""
    analyzer = StemmingAnalyzer(stem=stem)
    return [(t.text, t.startchar, t.endchar) for t in analyzer(text, chars=True)]


def query_terms(text: str, *, stem: bool = True) -> list[str]:
    """The index terms a piece of query text turns into."""
    return [t.text for t in StemmingAnalyzer(stem=stem)(text)]
