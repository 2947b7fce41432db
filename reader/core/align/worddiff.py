"""Word-level differences inside an aligned pair, as Meld marks changed words inside a changed line.

The "same quotation, different framing" case: two outlets carry one sentence with a word
swapped ("protesters" / "terrorists") or a clause added. Inside a quote or similar pair, the
words of each side are compared as sequences (normalised: case, quote marks, hyphenation, as
the matcher sees them), except that a word set in quotation marks on one side only counts
as changed: scare quotes ("Russian “invasion”" against "Russian invasion") are framing. Words
with no counterpart are reported as canonical spans of each document, neighbouring changed
words joined into one span. Two passages that share less than :data:`MIN_SHARED` of their words
are paraphrases, not variants of one wording: marking nearly every word would say nothing, so
nothing is marked (as Meld shows no inline changes inside a chunk that is rewritten).
"""

from __future__ import annotations

from dataclasses import dataclass
from difflib import SequenceMatcher

from reader.core.align.model import QUOTE, SIMILAR, Pair
from reader.core.align.normalise import Token, tokens

#: pairs whose wording is worth comparing word by word (verbatim runs are identical by definition)
DIFF_KINDS = (QUOTE, SIMILAR)
#: share of matching words (difflib ratio) below which two passages are not compared word by word
MIN_SHARED = 0.5
_QUOTE_MARKS = set("\"'“”‘’«»„")


def _keyed(text: str, toks: list[Token]) -> list[str]:
    """Token keys: the normalised word, marked when quotation marks hug it (scare quotes)."""
    keys = []
    for t in toks:
        before = text[t.start - 1] if t.start > 0 else ""
        after = text[t.end] if t.end < len(text) else ""
        quoted = before in _QUOTE_MARKS and after in _QUOTE_MARKS
        keys.append(f"“{t.word}”" if quoted else t.word)
    return keys


@dataclass(frozen=True)
class WordDiff:
    """Spans of A and of B (canonical offsets) holding words the other side does not have."""

    a_spans: tuple[tuple[int, int], ...]
    b_spans: tuple[tuple[int, int], ...]

    @property
    def empty(self) -> bool:
        return not self.a_spans and not self.b_spans


def _join(toks: list[Token], ranges: list[tuple[int, int]]) -> tuple[tuple[int, int], ...]:
    out: list[tuple[int, int]] = []
    for i, j in ranges:
        if i >= j:
            continue
        start, end = toks[i].start, toks[j - 1].end
        if out and i > 0 and out[-1][1] == toks[i - 1].end:
            out[-1] = (out[-1][0], end)
        else:
            out.append((start, end))
    return tuple(out)


def word_diff(a_text: str, a_start: int, a_end: int, b_text: str, b_start: int, b_end: int) -> WordDiff:
    """The differing words of ``a_text[a_start:a_end]`` and ``b_text[b_start:b_end]``."""
    a_toks = [Token(t.word, t.start + a_start, t.end + a_start) for t in tokens(a_text[a_start:a_end])]
    b_toks = [Token(t.word, t.start + b_start, t.end + b_start) for t in tokens(b_text[b_start:b_end])]
    matcher = SequenceMatcher(None, _keyed(a_text, a_toks), _keyed(b_text, b_toks), autojunk=False)
    if matcher.ratio() < MIN_SHARED:
        return WordDiff((), ())
    a_ranges: list[tuple[int, int]] = []
    b_ranges: list[tuple[int, int]] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag != "equal":
            a_ranges.append((i1, i2))
            b_ranges.append((j1, j2))
    return WordDiff(_join(a_toks, a_ranges), _join(b_toks, b_ranges))


def pair_word_diff(a_text: str, b_text: str, pair: Pair) -> WordDiff:
    """:func:`word_diff` of one pair; empty for kinds that are not compared word by word."""
    if pair.kind not in DIFF_KINDS:
        return WordDiff((), ())
    return word_diff(a_text, pair.a_start, pair.a_end, b_text, pair.b_start, pair.b_end)
