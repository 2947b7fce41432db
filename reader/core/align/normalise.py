"""Normalisation for matching, with a map back to canonical offsets.

Two outlets quoting the same sentence rarely agree on the bytes: one uses curly quotes,
another straight ones; a line break or a non-breaking space sits inside the quote; a
converted PDF leaves hyphenation artefacts ("allow-ed", "fo-\\nrces"). Matching runs on a
normalised string; every normalised character remembers the canonical offset it came
from, so a match is reported as a span of ``Document.text``, never of the normalised copy.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

#: quote marks folded to their straight forms
_QUOTE_MAP = {
    "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'", "`": "'",
    "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"', "\u2033": '"', "\u00ab": '"', "\u00bb": '"',
}
_SPECIAL = re.compile(
    r"(?P<ws>\s+)"
    r"|(?P<quote>[\u2018\u2019\u201a\u201b\u2032`\u201c\u201d\u201e\u201f\u2033\u00ab\u00bb])"
    r"|(?P<soft>\u00ad)"
    r"|(?<=[^\W\d_])(?P<hyph>[-\u2010\u2011](?:[ \t]*\n\s*)?)(?=[^\W\d_])"
)
_WORD = re.compile(r"[^\W_]+(?:'[^\W_]+)*")


@dataclass(frozen=True)
class Normalised:
    """``text`` is the normalised string; ``starts[i]`` is the canonical offset of ``text[i]``."""

    text: str
    starts: list[int]
    source_len: int

    def to_canonical(self, start: int, end: int) -> tuple[int, int]:
        """The canonical ``[start, end)`` covering normalised ``[start, end)``."""
        if start >= end:
            pos = self.starts[start] if start < len(self.starts) else self.source_len
            return pos, pos
        return self.starts[start], self.starts[end - 1] + 1


@dataclass(frozen=True)
class Token:
    """A normalised word and the canonical span it came from."""

    word: str
    start: int
    end: int


def _lower(text: str) -> tuple[str, list[int] | None]:
    lowered = text.lower()
    if len(lowered) == len(text):
        return lowered, None
    out: list[str] = []
    starts: list[int] = []
    for i, ch in enumerate(text):
        low = ch.lower()
        if len(low) > 1:  # e.g. "İ" -> "i" + combining dot: keep the letter only
            low = "".join(c for c in low if not unicodedata.combining(c)) or low
        out.append(low)
        starts.extend([i] * len(low))
    return "".join(out), starts


def normalise(text: str) -> Normalised:
    """Fold case, quote marks, whitespace runs (NBSP, line breaks) and hyphenation artefacts.

    Whitespace runs become one space; a hyphen between two letters (optionally followed by a
    line break) and soft hyphens disappear, so "allow-ed" and "allowed" match.
    """
    lowered, low_starts = _lower(text)
    out: list[str] = []
    starts: list[int] = []
    pos = 0
    for match in _SPECIAL.finditer(lowered):
        a, b = match.span()
        if a > pos:
            out.append(lowered[pos:a])
            starts.extend(range(pos, a))
        kind = match.lastgroup
        if kind == "ws":
            out.append(" ")
            starts.append(a)
        elif kind == "quote":
            out.append(_QUOTE_MAP[lowered[a]])
            starts.append(a)
        pos = b
    if pos < len(lowered):
        out.append(lowered[pos:])
        starts.extend(range(pos, len(lowered)))
    if low_starts is not None:
        starts = [low_starts[i] for i in starts]
    return Normalised("".join(out), starts, len(text))


def tokens(text: str, norm: Normalised | None = None) -> list[Token]:
    """Words of the normalised text (letters and digits, inner apostrophes kept), canonical spans."""
    norm = norm or normalise(text)
    starts = norm.starts
    return [Token(m.group(), starts[m.start()], starts[m.end() - 1] + 1) for m in _WORD.finditer(norm.text)]
