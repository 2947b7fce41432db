"""Shared wording: verbatim runs of at least six words, and shared quotations.

Runs are found on normalised tokens (case, quote marks, whitespace, hyphenation folded)
by hashing six-word shingles, so the cost grows with the text, not its square. A run that
lies inside quotation marks in either text is a ``quote``; otherwise ``verbatim``.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections import defaultdict
from functools import lru_cache

from reader.core.align.model import QUOTE, VERBATIM, Pair
from reader.core.align.normalise import Token
from reader.core.align.stem import STOPWORDS
from reader.core.text import paragraph_spans

MIN_RUN_WORDS = 6
MIN_QUOTE_WORDS = 4
MAX_POSTINGS = 64  # a shingle repeated more often than this is boilerplate, not a shared passage

_OPEN = "“«„‟"
_CLOSE = "”»"
_TOGGLE = '"'
_QUOTE_CHARS = re.compile('[“«„‟”»"]')


@lru_cache(maxsize=16)
def quoted_ranges(text: str) -> list[tuple[int, int]]:
    """Interiors of quotations (double quote marks, curly or straight), per paragraph.

    A quotation left open at a paragraph's end runs to that end (news style for quotes
    that continue into the next paragraph).
    """
    out: list[tuple[int, int]] = []
    for start, end in paragraph_spans(text):
        opened: int | None = None
        for match in _QUOTE_CHARS.finditer(text, start, end):
            i = match.start()
            ch = text[i]
            if ch in _OPEN or (ch == _TOGGLE and opened is None):
                if opened is None:
                    opened = i + 1
            elif (ch in _CLOSE or ch == _TOGGLE) and opened is not None:
                if i > opened:
                    out.append((opened, i))
                opened = None
        if opened is not None and end > opened:
            out.append((opened, end))
    return out


def _inside(ranges: list[tuple[int, int]], start: int, end: int) -> bool:
    """Whether most of ``[start, end)`` lies inside one of ``ranges``."""
    need = (end - start) * 0.6
    return any(min(end, b) - max(start, a) >= need for a, b in ranges)


def _content(words: list[str]) -> int:
    return sum(1 for w in words if w not in STOPWORDS and len(w) > 1)


def shared_runs(ta: list[Token], tb: list[Token], min_words: int = MIN_RUN_WORDS) -> list[tuple[int, int, int]]:
    """Maximal common runs ``(i, j, length)`` of at least ``min_words`` tokens."""
    if len(ta) < min_words or len(tb) < min_words:
        return []
    wa = [t.word for t in ta]
    wb = [t.word for t in tb]
    index: dict[tuple[str, ...], list[int]] = defaultdict(list)
    for j in range(len(wb) - min_words + 1):
        index[tuple(wb[j : j + min_words])].append(j)
    runs: list[tuple[int, int, int]] = []
    for i in range(len(wa) - min_words + 1):
        hits = index.get(tuple(wa[i : i + min_words]))
        if not hits or len(hits) > MAX_POSTINGS:
            continue
        for j in hits:
            if i > 0 and j > 0 and wa[i - 1] == wb[j - 1]:
                continue  # not the left end of a maximal run
            k = min_words
            while i + k < len(wa) and j + k < len(wb) and wa[i + k] == wb[j + k]:
                k += 1
            if _content(wa[i : i + k]) >= 2:
                runs.append((i, j, k))
    return runs


def _find_sequence(words: list[str], needle: list[str], index: dict[tuple[str, ...], list[int]]) -> int:
    for j in index.get(tuple(needle[:MIN_QUOTE_WORDS]), []):
        if words[j : j + len(needle)] == needle:
            return j
    return -1


def _short_quotes(text: str, ta: list[Token], tb: list[Token],
                  taken: set[tuple[int, int]]) -> list[tuple[int, int, int]]:
    """Quotations of A too short to be runs (4-5 words) that appear word for word in B."""
    wb = [t.word for t in tb]
    index: dict[tuple[str, ...], list[int]] = defaultdict(list)
    for j in range(len(wb) - MIN_QUOTE_WORDS + 1):
        index[tuple(wb[j : j + MIN_QUOTE_WORDS])].append(j)
    starts = [t.start for t in ta]
    out = []
    for qs, qe in quoted_ranges(text):
        i = bisect_left(starts, qs)
        k = i
        while k < len(ta) and ta[k].end <= qe:
            k += 1
        n = k - i
        if not (MIN_QUOTE_WORDS <= n < MIN_RUN_WORDS) or (i, n) in taken:
            continue
        needle = [t.word for t in ta[i:k]]
        if _content(needle) < 2:
            continue
        j = _find_sequence(wb, needle, index)
        if j >= 0:
            out.append((i, j, n))
    return out


def verbatim_pairs(text_a: str, ta: list[Token], text_b: str, tb: list[Token]) -> list[Pair]:
    """Quote and verbatim pairs between two token lists (canonical spans)."""
    runs = shared_runs(ta, tb)
    taken = {(i, k) for i, _j, k in runs}
    extra_a = _short_quotes(text_a, ta, tb, taken)
    extra_b = [(i, j, n) for j, i, n in _short_quotes(text_b, tb, ta, set())]
    seen = {(i, j) for i, j, _k in runs}
    runs += [r for r in extra_a + extra_b if (r[0], r[1]) not in seen]
    qa = quoted_ranges(text_a)
    qb = quoted_ranges(text_b)
    pairs = []
    for i, j, k in runs:
        a0, a1 = ta[i].start, ta[i + k - 1].end
        b0, b1 = tb[j].start, tb[j + k - 1].end
        kind = QUOTE if _inside(qa, a0, a1) or _inside(qb, b0, b1) else VERBATIM
        if k < MIN_RUN_WORDS and kind != QUOTE:
            continue
        score = min(1.0, 0.6 + 0.4 * min(k, 30) / 30)
        pairs.append(Pair(kind, round(score, 4), a0, a1, b0, b1))
    return pairs
