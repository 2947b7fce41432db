"""Anchoring a note to a passage, and finding that passage again after the text changed.

Follows the W3C Web Annotation selectors Hypothesis uses: a position selector
(``start``, ``end``) and a quote selector (``exact`` with ~32 characters of ``prefix``
and ``suffix``). Re-anchoring keeps the old position when the quote is still there with
its surroundings (or nowhere else); otherwise every candidate place competes on one
score: exact matches of the quote, matches up to whitespace and quote marks, and
approximate matches (Myers' bit-parallel matching near intact pieces of the quote and
near the old place), weighed on quote 50, prefix 20, suffix 20 and distance 2.

Only the status says how sure the answer is, so it is earned: ``moved`` or ``fuzzy``
need surrounding text that agrees (or a long quote found once) and no other place
close behind; a short quote whose context is gone, or a tie between places, is placed
but marked ``needs-review``; nothing plausible at all is an ``orphan``.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz.distance import Indel, Levenshtein

log = logging.getLogger(__name__)

CONTEXT = 32

ANCHORED = "anchored"
MOVED = "moved"
FUZZY = "fuzzy"
NEEDS_REVIEW = "needs-review"
ORPHAN = "orphan"
STATUSES: tuple[str, ...] = (ANCHORED, MOVED, FUZZY, NEEDS_REVIEW, ORPHAN)
#: statuses a placement is trusted with; a wrong place under one of these is a bug
CONFIDENT: tuple[str, ...] = (ANCHORED, MOVED, FUZZY)
#: notes whose place changed since the user last confirmed it: listed for review
REVIEW: tuple[str, ...] = (MOVED, FUZZY, NEEDS_REVIEW, ORPHAN)

# Hypothesis' weights: quote similarity, prefix, suffix, closeness to the old position.
W_QUOTE, W_PREFIX, W_SUFFIX, W_POS = 50.0, 20.0, 20.0, 2.0
#: fuzzy matches need at least this quote similarity (1 - errors / length) ...
MIN_QUOTE_SIMILARITY = 0.6
#: ... and, below 0.9 quote similarity, at least this mean prefix/suffix similarity ...
MIN_CONTEXT = 0.5
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


_WS_RUN = re.compile(r"\s+")


@lru_cache(maxsize=8)
def normalise(text: str) -> tuple[str, list[int]]:
    """Text with whitespace runs collapsed to one space and quotes/dashes unified,
    plus the offset in ``text`` of each character of the result (and one past the end).
    Cached: re-anchoring many notes in one document normalises it once."""
    mapped = text.translate(_QUOTE_MAP)
    out: list[str] = []
    offsets: list[int] = []
    pos = 0
    for m in _WS_RUN.finditer(mapped):
        if m.group() == " ":
            continue
        out.append(mapped[pos:m.start()])
        offsets.extend(range(pos, m.start()))
        out.append(" ")
        offsets.append(m.start())
        pos = m.end()
    out.append(mapped[pos:])
    offsets.extend(range(pos, len(mapped)))
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
    back = max(0, end - 2 * len(pattern) - 16)
    rev = myers_end_scores(pattern[::-1], window[back:end][::-1])
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


# -- the re-anchoring: candidates scored together ------------------------------------------
#: a side of context "holds" when its Levenshtein similarity to the stored side reaches
#: this; a typo or a reflowed line break costs about 0.03
CONTEXT_OK = 0.7
#: the best candidate must beat the best one elsewhere by this much (0..1 weighted score)
MARGIN = 0.05
#: characters that must agree (quote plus holding context) before a new place is trusted:
#: a short quote needs both sides, a 32-character one one side, a 64-character one none.
#: Repeated phrases with one matching side ("... as a weapon", then "... as a weapon, said")
#: are common in news; 40 agreeing characters are not enough
EVIDENCE = 64
#: context this good on both sides settles an exact match without a fuzzy search
SETTLED = 0.93


@dataclass(frozen=True)
class _Candidate:
    start: int
    end: int
    quote: float  # 1.0 for the quote exactly (or up to whitespace and quote marks)
    prefix: float
    suffix: float
    position: float
    evidence: float  # characters that agree: the quote (times its similarity) and the sides that hold
    exact: bool  # the very characters of the quote

    @property
    def total(self) -> float:
        return _weighted(self.quote, self.prefix, self.suffix, self.position)


def _holds(stored: str, now: str) -> bool:
    """One side of context still there: Levenshtein similarity, whose random-text baseline is
    low (median 0.13, 999 in 1,000 windows under 0.38 on BBC news) where Indel's is 0.34-0.53
    (two unrelated sentences of the same shape can reach 0.75 on Indel)."""
    return float(Levenshtein.normalized_similarity(stored, now)) >= CONTEXT_OK


def _candidate(text: str, sel: QuoteSelector, s: int, e: int, quote: float, hint: int | None,
               exact: bool) -> _Candidate:
    p, q = _context_scores(text, s, e, sel)
    # evidence: characters of the quote found, plus each side of context that still holds; a
    # side too short to tell (near the start or end of the text) counts when the quote still
    # touches that end
    # (or, after text was added at that end, still stands unchanged right beside the quote)
    evidence = quote * len(sel.exact)
    before = text[max(0, s - len(sel.prefix)):s]
    if len(sel.prefix) >= 8:
        evidence += len(sel.prefix) if _holds(sel.prefix, before) else 0
    elif before == sel.prefix:
        evidence += len(sel.prefix)
    after = text[e:e + len(sel.suffix)]
    if len(sel.suffix) >= 8:
        evidence += len(sel.suffix) if _holds(sel.suffix, after) else 0
    elif after == sel.suffix:
        evidence += len(sel.suffix)
    return _Candidate(s, e, quote, p, q, _position_score(s, hint, len(text)), evidence, exact)


def reanchor(text: str, sel: QuoteSelector, start: int | None, end: int | None) -> Anchor:
    """Find the passage ``sel`` describes in ``text``; ``start``/``end`` are the old position.

    Every plausible place competes on one score (quote, prefix, suffix, distance, as
    Hypothesis weighs them), so an intact copy of a short quote elsewhere cannot beat the
    slightly edited passage at the old place, and context decides between several exact
    matches. The status then says how sure the choice is: ``moved``/``fuzzy`` only when
    enough characters agree (the quote and the sides of context that still hold, see
    ``EVIDENCE``) and no other place comes close; otherwise ``needs-review`` (placed on
    the best guess, but flagged); ``orphan`` when nothing fits.
    """
    exact = sel.exact
    if not exact:
        return Anchor(None, None, ORPHAN, 0.0)
    hint = start
    exact_starts = _exact_matches(text, exact)
    at_old = start is not None and end is not None and text[start:end] == exact
    if at_old and start is not None and end is not None:
        here = _candidate(text, sel, start, end, 1.0, hint, True)
        if here.evidence > len(exact):  # the quote where it was, with context that still holds
            return Anchor(start, end, ANCHORED, here.total)
    candidates = [_candidate(text, sel, s, s + len(exact), 1.0, hint, True) for s in exact_starts]
    if not candidates:
        candidates = _normalised_candidates(text, sel, hint)
    settled = [c for c in candidates if min(c.prefix, c.suffix) >= SETTLED]
    if len(settled) != 1:
        candidates += _fuzzy_candidates(text, sel, hint, {(c.start, c.end) for c in candidates})
    return _decide(candidates, sel, start, end)


def _overlap(a: _Candidate, b: _Candidate) -> bool:
    return a.start < b.end and b.start < a.end


def _decide(candidates: list[_Candidate], sel: QuoteSelector, start: int | None, end: int | None) -> Anchor:
    """The best candidate, with a status that is confident only when the evidence is."""
    if not candidates:
        return Anchor(None, None, ORPHAN, 0.0)
    ranked = sorted(candidates, key=lambda c: (-c.total, c.start))
    best = ranked[0]
    if not best.exact:
        # a look-alike overlapping an intact copy of the quote is that copy, misaligned
        best = next((c for c in ranked if c.exact and _overlap(c, best)), best)
    rival = next((c for c in ranked[1:] if not _overlap(c, best)), None)
    clear = rival is None or best.total - rival.total >= MARGIN
    # near the start or end of a text there is less context to agree: ask for what existed
    backed = best.evidence >= min(EVIDENCE, len(sel.exact) + len(sel.prefix) + len(sel.suffix))
    # the quote at its old place: settled by enough evidence, or by being the only place with
    # a side of its context still there (a lone copy with strange surroundings only asks)
    sided = best.evidence > len(sel.exact)
    if best.exact and best.start == start and best.end == end and (backed or (clear and sided)):
        return Anchor(best.start, best.end, ANCHORED, best.total)
    if backed and clear:
        return Anchor(best.start, best.end, MOVED if best.quote >= 1.0 else FUZZY, best.total)
    # only a guess: among the places about as good as the best, the one nearest the old position
    # (the text around a short quote was rewritten, but it rarely travels far)
    if start is not None:
        near = [c for c in ranked if best.total - c.total < MARGIN]
        near = [c for c in near if c.exact] or near  # an intact copy beats a look-alike
        best = min(near, key=lambda c: (abs(c.start - start), -c.total))
    return Anchor(best.start, best.end, NEEDS_REVIEW, best.total)


def _exact_matches(text: str, exact: str, limit: int = 200) -> list[int]:
    out: list[int] = []
    pos = text.find(exact)
    while pos != -1 and len(out) < limit:
        out.append(pos)
        pos = text.find(exact, pos + 1)
    return out


def _normalised_candidates(text: str, sel: QuoteSelector, hint: int | None) -> list[_Candidate]:
    """Places where the quote differs only in whitespace, line breaks, quote marks or dashes."""
    needle = _norm_quote(sel.exact).strip()
    if not needle:
        return []
    norm, offsets = normalise(text)
    return [_candidate(text, sel, offsets[s], offsets[s + len(needle) - 1] + 1, 1.0, hint, False)
            for s in _exact_matches(norm, needle)]


SEED = 8  # length of the quote pieces looked up exactly to find fuzzy candidates


_WORD_START = re.compile(r"\b\w")


@lru_cache(maxsize=4)
def _gram_index(text: str) -> dict[str, list[int]]:
    """Positions of the ``SEED``-character pieces of ``text`` that begin a word (built once per text)."""
    index: dict[str, list[int]] = {}
    for m in _WORD_START.finditer(text):
        i = m.start()
        gram = text[i:i + SEED]
        found = index.get(gram)
        if found is None:
            index[gram] = [i]
        elif len(found) <= 12:
            found.append(i)
    return index


@dataclass
class _Group:
    implied: list[int]
    starts: list[int]  # hits of the quote's first piece: its start exactly
    tails: list[tuple[int, int]]  # (position in text, offset in quote) of hits of later pieces


def _seed_groups(text: str, sel: QuoteSelector) -> list[_Group]:
    """Where the quote may now start, best supported first.

    Each exact hit of a piece of the quote (or of the end of the prefix, or the start of
    the suffix) implies a start; nearby implied starts vote together.
    """
    exact = sel.exact
    n = len(exact)
    index = _gram_index(text)
    combined = sel.prefix + exact + sel.suffix
    lead = len(sel.prefix)
    words = [m.start() for m in _WORD_START.finditer(combined)
             if m.start() + SEED <= len(combined) and (m.start() > 0 or not sel.prefix)]
    inside = [w for w in words if lead <= w < lead + n]
    if len(inside) > 6:
        inside = [inside[round(j * (len(inside) - 1) / 5)] for j in range(6)]
    before = [w for w in words if w < lead][-1:]
    after = [w for w in words if w >= lead + n][:1]
    pieces: list[tuple[str, int, str]] = [
        (combined[w:w + SEED], lead - w, "start" if w == lead else "") for w in before + inside + after]
    hits: list[tuple[int, int, str]] = []
    for piece, shift, kind in pieces:
        if len(piece) < SEED or len(piece.strip()) < 3:
            continue
        if not kind and 0 < -shift < n:
            kind = "tail"
        found = index.get(piece, ())
        if len(found) > 12:
            continue  # too common to say where the quote is
        hits.extend((p + shift, p, kind) for p in found)
    # cluster by agreement: the implied start most hits share, then the next, ...
    votes: dict[int, int] = {}
    for implied, _pos, _kind in hits:
        votes[implied] = votes.get(implied, 0) + 1
    groups: list[_Group] = []
    taken: set[int] = set()
    for center in sorted(votes, key=lambda v: -votes[v]):
        if center in taken or len(groups) == 4:
            continue
        group = _Group([], [], [])
        for implied, pos, kind in hits:
            if abs(implied - center) <= 3 and implied not in taken:
                group.implied.append(implied)
                if kind == "start":
                    group.starts.append(pos)
                elif kind == "tail":
                    group.tails.append((pos, pos - implied))
        taken.update(v for v in votes if abs(v - center) <= 3)
        groups.append(group)
    if not groups:
        return []
    top = len(groups[0].implied)
    return [g for g in groups if len(g.implied) * 2 >= top]


def _place(text: str, exact: str, group: _Group, hint: int | None) -> tuple[int, int, int]:
    """The quote's span near ``group``.

    The start most pieces agree on is the estimate. When intact words of the quote sit
    where that estimate says, they settle the span directly (Levenshtein distance over a
    few candidate ends, and starts if the first word changed); otherwise Myers'
    approximate matching runs in a window around the estimate.
    """
    n = len(exact)
    votes: dict[int, int] = {}
    for implied in group.implied:
        votes[implied] = votes.get(implied, 0) + 1
    est = min(len(text), max(0, max(votes, key=lambda k: (votes[k], -abs(k - (hint if hint is not None else k))))))
    starts = [p for p in group.starts if abs(p - est) <= 3]
    tails = [(pos, off) for pos, off in group.tails if abs(pos - off - est) <= 3]
    if tails:
        last_pos, last_off = max(tails, key=lambda t: t[1])
        start = starts[0] if len(starts) == 1 else est
        guess = last_pos + n - last_off  # the end, if nothing changed after the last intact word
        ends = range(max(start + 1, guess - 6), min(len(text), guess + 6) + 1)
        if guess - start >= 0.6 * n and len(ends):
            def dist(a: int, b: int) -> tuple[int, int]:
                return int(Levenshtein.distance(exact, text[a:b])), abs(b - guess) + abs(a - start)

            end = min(ends, key=lambda e: dist(start, e))
            if len(starts) != 1:  # the first word changed: settle the start too
                start = min(range(max(0, start - 6), min(end, start + 7)), key=lambda a: dist(a, end))
            return start, end, dist(start, end)[0]
    slack = n // 4 + 8
    lo = max(0, est - slack)
    hi = min(len(text), est + n + slack)
    return best_approximate_match(exact, text, lo, hi, est)


def _fuzzy_candidates(text: str, sel: QuoteSelector, hint: int | None,
                      known: set[tuple[int, int]]) -> list[_Candidate]:
    """Approximate places of the quote: near each group of intact pieces, then near the old place.

    A changed quote must be very close, or keep its surroundings: "terrorist attacks"
    elsewhere is not the "terrorist assault" that was deleted. The search stops at a new
    place that is clearly the passage; places in ``known`` (the exact matches) are skipped,
    so an intact copy elsewhere cannot end the search before the edited passage is seen.
    """
    exact = sel.exact
    n = len(exact)
    out: list[_Candidate] = []
    seen = set(known)

    def consider(span: tuple[int, int, int]) -> bool:
        s, e, errors = span
        if e <= s or (s, e) in seen:
            return False
        seen.add((s, e))
        quote_sim = max(0.0, 1.0 - errors / n)
        if quote_sim < MIN_QUOTE_SIMILARITY:
            return False
        cand = _candidate(text, sel, s, e, quote_sim, hint, text[s:e] == exact)
        if (quote_sim >= 0.9 or (cand.prefix + cand.suffix) / 2 >= MIN_CONTEXT) and cand.total >= MIN_SCORE:
            out.append(cand)
            return quote_sim >= 0.85 and cand.prefix >= 0.6 and cand.suffix >= 0.6
        return False

    groups = _seed_groups(text, sel)
    for group in groups:
        if consider(_place(text, exact, group, hint)):
            return out
    near_old = hint is not None and 0 <= hint <= len(text) and not out
    if near_old and hint is not None and consider(
            best_approximate_match(exact, text, max(0, hint - n), min(len(text), hint + 2 * n), hint)):
        return out
    if not groups and not out and len(text) <= 4 * n + 200:
        consider(best_approximate_match(exact, text, 0, len(text), hint or 0))
    return out
