"""Posting formats for the stemmed text fields, with a fast path for our own analyzer.

Indexing time is dominated by analysis and posting encoding, so the text fields skip Whoosh's
token-object pipeline: one regular-expression pass over the text and a memoised word table
(:func:`~reader.core.search.analysis.term_of`). The body is analysed once per section, in
:func:`analyse_for_index`, which yields both the postings (term -> positions) and a compact
token map: the character start of every indexed token, stored with the record. Snippets turn
a hit's positions (from the postings) into character ranges through that map, so a search
never re-analyses whole documents. Storing the map beside the record costs ~2 bytes a token;
storing character ranges in every posting (Whoosh's ``chars=True``) made builds 20 % slower.
The posting bytes are exactly Whoosh's :class:`~whoosh.formats.Positions` encoding.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterator
from itertools import accumulate
from pickle import dumps, loads
from typing import Any

from whoosh.formats import Positions
from whoosh.system import _INT_SIZE, pack_uint

from reader.core.search.analysis import WORD_PATTERN, StemmingAnalyzer, term_of

Posting = tuple[str, int, float, bytes]


class AnalysedText(str):
    """Section text whose analysis is already done (:func:`analyse_for_index`)."""

    postings: dict[str, list[int]]


def analyse_for_index(text: str) -> tuple[AnalysedText, bytes]:
    """The text carrying its postings, and its token map (see :func:`token_starts`)."""
    seen: dict[str, list[int]] = {}
    starts: list[int] = []
    pos = 0
    for match in WORD_PATTERN.finditer(text):
        term, _trim = term_of(match.group())
        if not term:
            continue
        got = seen.get(term)
        if got is None:
            seen[term] = [pos]
        else:
            got.append(pos)
        starts.append(match.start())
        pos += 1
    value = AnalysedText(text)
    value.postings = seen
    deltas = [b - a for a, b in zip([0, *starts], starts, strict=False)]
    code = "H" if not deltas or max(deltas) < 65536 else "I"
    return value, code.encode() + array(code, deltas).tobytes()


def token_starts(blob: bytes) -> list[int]:
    """Character start of each indexed token, by position (the inverse of the stored map)."""
    if not blob:
        return []
    deltas = array(chr(blob[0]))
    deltas.frombytes(blob[1:])
    return list(accumulate(deltas))


def token_end(text: str, start: int) -> int:
    """Where the token starting at ``start`` ends, as the analyzer cut it (possessive off)."""
    match = WORD_PATTERN.match(text, start)
    if match is None:
        return start
    return match.end() - term_of(match.group())[1]


def _fast(analyzer: Any, kwargs: dict[str, Any]) -> bool:
    return (type(analyzer) is StemmingAnalyzer and analyzer.stem and analyzer.stops
            and not kwargs.get("start_pos") and not kwargs.get("start_char"))


class FastPositions(Positions):
    """Positions (phrases, proximity), computed without Whoosh's token pipeline when possible."""

    def decode_positions(self, valuestring: bytes) -> list[int]:
        """Whoosh's decoding (our values always end in pickle's STOP), in C-speed steps."""
        return list(accumulate(loads(valuestring[_INT_SIZE:])))

    def word_values(self, value: str, analyzer: Any, **kwargs: Any) -> Iterator[Posting]:
        if not _fast(analyzer, kwargs):
            yield from super().word_values(value, analyzer, **kwargs)
            return
        seen = value.postings if isinstance(value, AnalysedText) else None
        if seen is None:
            seen = {}
            pos = 0
            for word in WORD_PATTERN.findall(value):
                text, _trim = term_of(word)
                if not text:
                    continue
                got = seen.get(text)
                if got is None:
                    seen[text] = [pos]
                else:
                    got.append(pos)
                pos += 1
        fb = self.field_boost
        for word, poslist in seen.items():
            deltas = []
            base = 0
            for p in poslist:
                deltas.append(p - base)
                base = p
            yield word, len(poslist), len(poslist) * fb, pack_uint(len(deltas)) + dumps(deltas, 2)
