"""Anchoring a note to a passage, and finding that passage again after the text changed.

Follows the W3C Web Annotation selectors Hypothesis uses: a position selector
(``start``, ``end``) and a quote selector (``exact`` with ~32 characters of ``prefix``
and ``suffix``). Re-anchoring tries, in order: the old position if the quote is still
there; an exact search for the quote (prefix and suffix break ties); the same search
with whitespace and quote marks normalised; a fuzzy search (Myers' bit-parallel
approximate matching on candidate windows) scored on quote 50, prefix 20, suffix 20
and distance 2, accepted above a threshold; else the note is an orphan.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from rapidfuzz.distance import Indel

CONTEXT = 32

ANCHORED = "anchored"
MOVED = "moved"
FUZZY = "fuzzy"
ORPHAN = "orphan"
STATUSES: tuple[str, ...] = (ANCHORED, MOVED, FUZZY, ORPHAN)

# Hypothesis' weights: quote similarity, prefix, suffix, closeness to the old position.
W_QUOTE, W_PREFIX, W_SUFFIX, W_POS = 50.0, 20.0, 20.0, 2.0
#: fuzzy matches need at least this quote similarity (1 - errors / length) ...
MIN_QUOTE_SIMILARITY = 0.6
#: ... and at least this weighted score (0..1) over quote, prefix, suffix and position
MIN_SCORE = 0.55


@dataclass(frozen=True)
class QuoteSelector:
    exact: str
    prefix: str
    suffix: str


@dataclass(frozen=True)
class Anchor:
    """Where a note sits now: ``start``/``end`` are None for an orphan."""

    start: int | None
    end: int | None
    status: str
    score: float = 1.0

    @property
    def found(self) -> bool:
        return self.start is not None


def quote_selector(text: str, start: int, end: int, context: int = CONTEXT) -> QuoteSelector:
    """The quote selector of ``text[start:end]``, with ``context`` characters either side."""
    return QuoteSelector(text[start:end], text[max(0, start - context):start], text[end:end + context])


# -- normalisation ---------------------------------------------------------------
_QUOTE_MAP = str.maketrans({
    "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'",
    "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"', "\u2033": '"', "\u00ab": '"', "\u00bb": '"',
    "\u2013": "-", "\u2014": "-", "\u2212": "-", "\u00a0": " ", "\u2026": ".",
})
_WS = re.compile(r"\s+")


def normalise(text: str) -> tuple[str, list[int]]:
    """Text with whitespace runs collapsed to one space and quotes/dashes unified,
    plus the offset in ``text`` of each character of the result (and one past the end)."""
    out: list[str] = []
    offsets: list[int] = []
    last_space = False
    for i, ch in enumerate(text.translate(_QUOTE_MAP)):
        if ch.isspace():
            if last_space:
                continue
            out.append(" ")
            offsets.append(i)
            last_space = True
        else:
            out.append(ch)
            offsets.append(i)
            last_space = False
    offsets.append(len(text))
    return "".join(out), offsets


def _norm_quote(text: str) -> str:
    return _WS.sub(" ", text.translate(_QUOTE_MAP))


# -- Myers' bit-parallel approximate matching ----------------------------------------
def myers_end_scores(pattern: str, text: str) -> list[int]:
    """Edit distance of the best match of ``pattern`` ending at each position of ``text``.

    Element ``j`` is the least number of edits turning ``pattern`` into some substring
    ``text[i:j]`` (Myers 1999, bit-parallel; Python integers hold any pattern length).
    """
    m = len(pattern)
    if m == 0:
        return [0] * (len(text) + 1)
    peq: dict[str, int] = {}
    for i, ch in enumerate(pattern):
        peq[ch] = peq.get(ch, 0) | (1 << i)
    full = (1 << m) - 1
    high = 1 << (m - 1)
    pv, mv, score = full, 0, m
    scores = [m]
    for ch in text:
        eq = peq.get(ch, 0)
        xv = eq | mv
        xh = (((eq & pv) + pv) ^ pv) | eq
        ph = mv | (~(xh | pv) & full)
        mh = pv & xh
        if ph & high:
            score += 1
        elif mh & high:
            score -= 1
        ph = (ph << 1) & full
        mh = (mh << 1) & full
        pv = mh | (~(xv | ph) & full)
        mv = ph & xv
        scores.append(score)
    return scores


def best_approximate_match(pattern: str, text: str, lo: int, hi: int, expected_start: int) -> tuple[int, int, int]:
    """Best ``(start, end, errors)`` of ``pattern`` inside ``text[lo:hi]``; ties go to the
    match nearest ``expected_start``."""
    window = text[lo:hi]
    ends = myers_end_scores(pattern, window)
    best_err = min(ends)
    expected_end = expected_start + len(pattern) - lo
    end = min((j for j, e in enumerate(ends) if e == best_err), key=lambda j: abs(j - expected_end))
    # the start: the same search run backwards from the chosen end
    rev = myers_end_scores(pattern[::-1], window[:end][::-1])
    rev_best = min(rev)
    length = min((j for j, e in enumerate(rev) if e == rev_best), key=lambda j: abs(j - len(pattern)))
    return lo + end - length, lo + end, best_err


# -- scoring ---------------------------------------------------------------------------
def _similarity(a: str, b: str) -> float:
    if not a and not b:
        return 1.0
    return float(Indel.normalized_similarity(a, b))


def _context_scores(text: str, start: int, end: int, sel: QuoteSelector) -> tuple[float, float]:
    prefix = _similarity(sel.prefix, text[max(0, start - len(sel.prefix)):start]) if sel.prefix else 1.0
    suffix = _similarity(sel.suffix, text[end:end + len(sel.suffix)]) if sel.suffix else 1.0
    if not sel.prefix and start > 0:
        prefix = 0.5  # the quote began the text before; less sure now
    if not sel.suffix and end < len(text):
        suffix = 0.5
    return prefix, suffix


def _position_score(start: int, hint: int | None, length: int) -> float:
    if hint is None or length == 0:
        return 0.5
    return max(0.0, 1.0 - abs(start - hint) / length)


def _weighted(quote: float, prefix: float, suffix: float, pos: float) -> float:
    return (W_QUOTE * quote + W_PREFIX * prefix + W_SUFFIX * suffix + W_POS * pos) / (
        W_QUOTE + W_PREFIX + W_SUFFIX + W_POS)


# -- the re-anchoring ladder --------------------------------------------------------------
def reanchor(text: str, sel: QuoteSelector, start: int | None, end: int | None) -> Anchor:
    """Find the passage ``sel`` describes in ``text``; ``start``/``end`` are the old position."""
    exact = sel.exact
    if not exact:
        return Anchor(None, None, ORPHAN, 0.0)
    if start is not None and end is not None and text[start:end] == exact:
        return Anchor(start, end, ANCHORED)
    hint = start
    found = _exact_matches(text, exact)
    if found:
        s = _pick_by_context(text, found, len(exact), sel, hint)
        return Anchor(s, s + len(exact), ANCHORED if s == start else MOVED)
    norm = _normalised_match(text, sel, hint)
    if norm is not None:
        return norm
    return _fuzzy(text, sel, hint)


def _exact_matches(text: str, exact: str, limit: int = 200) -> list[int]:
    out: list[int] = []
    pos = text.find(exact)
    while pos != -1 and len(out) < limit:
        out.append(pos)
        pos = text.find(exact, pos + 1)
    return out


def _pick_by_context(text: str, starts: list[int], length: int, sel: QuoteSelector, hint: int | None) -> int:
    if len(starts) == 1:
        return starts[0]

    def score(s: int) -> float:
        p, q = _context_scores(text, s, s + length, sel)
        return _weighted(1.0, p, q, _position_score(s, hint, len(text)))

    return max(starts, key=score)


def _normalised_match(text: str, sel: QuoteSelector, hint: int | None) -> Anchor | None:
    """The quote differs only in whitespace, line breaks, quote marks or dashes."""
    needle = _norm_quote(sel.exact).strip()
    if not needle:
        return None
    norm, offsets = normalise(text)
    starts = _exact_matches(norm, needle)
    if not starts:
        return None
    mapped = [(offsets[s], offsets[s + len(needle) - 1] + 1) for s in starts]

    def score(span: tuple[int, int]) -> float:
        p, q = _context_scores(text, span[0], span[1], sel)
        return _weighted(1.0, p, q, _position_score(span[0], hint, len(text)))

    s, e = max(mapped, key=score)
    return Anchor(s, e, MOVED, score((s, e)))


def _seed_starts(text: str, sel: QuoteSelector) -> list[int]:
    """Candidate start offsets from exact hits of pieces of the quote and its context."""
    exact = sel.exact
    n = len(exact)
    k = max(4, min(16, n // 4))
    votes: dict[int, int] = {}

    def hits(piece: str, shift: int) -> Iterable[int]:
        if len(piece.strip()) < 3:
            return []
        return (p + shift for p in _exact_matches(text, piece, limit=40))

    pieces: list[tuple[str, int]] = []
    step = max(1, k if n > 4 * k else max(1, k // 2))
    for off in range(0, max(1, n - k + 1), step):
        pieces.append((exact[off:off + k], -off))
    if n > k:
        pieces.append((exact[n - k:], -(n - k)))
    if sel.prefix:
        tail = sel.prefix[-min(len(sel.prefix), 16):]
        pieces.append((tail, len(tail)))
    if sel.suffix:
        head = sel.suffix[:min(len(sel.suffix), 16)]
        pieces.append((head, -n))
    for piece, shift in pieces:
        for s in hits(piece, shift):
            bucket = s // max(8, n // 4)
            votes[bucket] = votes.get(bucket, 0) + 1
    width = max(8, n // 4)
    ranked = sorted(votes.items(), key=lambda kv: -kv[1])[:12]
    return [b * width + width // 2 for b, _v in ranked]


def _fuzzy(text: str, sel: QuoteSelector, hint: int | None) -> Anchor:
    exact = sel.exact
    n = len(exact)
    candidates = _seed_starts(text, sel)
    if hint is not None and 0 <= hint <= len(text):
        candidates.append(hint)
    if not candidates and len(text) <= 4 * n + 200:
        candidates.append(0)
    slack = n // 2 + 16
    best: Anchor | None = None
    seen: set[tuple[int, int]] = set()
    for cand in candidates:
        lo = max(0, cand - slack)
        hi = min(len(text), cand + n + slack)
        if hi <= lo:
            continue
        s, e, errors = best_approximate_match(exact, text, lo, hi, cand)
        if (s, e) in seen or e <= s:
            continue
        seen.add((s, e))
        quote_sim = max(0.0, 1.0 - errors / n)
        if quote_sim < MIN_QUOTE_SIMILARITY:
            continue
        p, q = _context_scores(text, s, e, sel)
        total = _weighted(quote_sim, p, q, _position_score(s, hint, len(text)))
        if best is None or total > best.score:
            best = Anchor(s, e, FUZZY, total)
    if best is None or best.score < MIN_SCORE:
        return Anchor(None, None, ORPHAN, best.score if best else 0.0)
    return best
