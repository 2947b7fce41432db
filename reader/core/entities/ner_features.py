"""Tokens, sentences and CRF features for the recogniser: one module shared by training and run time.

The recogniser is only as good as the agreement between the features it was trained on and the
features it sees, so ``tools/train_ner.py`` and :mod:`reader.core.entities.recogniser` both call
:func:`sentence_features` here; changing a feature means retraining (``FEATURES_VERSION`` is part
of the model's fingerprint, so cached mentions are recomputed).

Tokens follow CoNLL-2003's conventions closely enough for its model: ``Blair's`` is ``Blair`` +
``'s``, ``U.S.`` and ``Alma-Ata`` are one token each, punctuation stands alone. Every token is a
``(start, end)`` pair into the text, so a tagged span is a span of the canonical text with no
offset arithmetic.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

log = logging.getLogger(__name__)

FEATURES_VERSION = "3"

_CLITIC = r"(?:s|S|m|M|re|ve|ll|d|t|RE|VE|LL|D|T)\b"
TOKEN = re.compile(
    r"(?:[A-Za-z]\.){2,}"                                  # U.S., U.N.
    r"|\d+(?:[.,:/-]\d+)*"                                 # 1996-08-22, 3.5, 10,000
    rf"|['’]{_CLITIC}"                                     # 's 'm 're ... split off as CoNLL does
    rf"|[^\W_]+(?:(?:[-&]|['’](?!{_CLITIC}))[^\W_]+)*"    # Alma-Ata, O'Neill, AT&T
    r"|\S"
)
_SENTENCE_END = frozenset({".", "!", "?"})
_CLOSERS = frozenset({'"', "'", "”", "’", ")", "]"})


def tokenize(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """Token spans of ``text[start:end]`` as offsets into ``text``."""
    return [m.span() for m in TOKEN.finditer(text, start, len(text) if end is None else end)]


def sentences(text: str) -> list[list[tuple[int, int]]]:
    """Tokens grouped into sentences: a line break always ends one, so does ``.``/``!``/``?``."""
    out: list[list[tuple[int, int]]] = []
    pos = 0
    for line in text.split("\n"):
        toks = tokenize(text, pos, pos + len(line))
        pos += len(line) + 1
        current: list[tuple[int, int]] = []
        i = 0
        while i < len(toks):
            s, e = toks[i]
            current.append((s, e))
            if text[s:e] in _SENTENCE_END:
                while i + 1 < len(toks) and text[toks[i + 1][0]:toks[i + 1][1]] in _CLOSERS:
                    i += 1
                    current.append(toks[i])
                out.append(current)
                current = []
            i += 1
        if current:
            out.append(current)
    return out


def shape(word: str) -> str:
    """``Blair`` -> ``Xx``, ``BBC`` -> ``X``, ``1996-08-22`` -> ``d-d-d``: runs collapsed."""
    out: list[str] = []
    for c in word:
        k = "X" if c.isupper() else "x" if c.islower() else "d" if c.isdigit() else c
        if not out or out[-1] != k:
            out.append(k)
    return "".join(out)[:8]


@dataclass
class DocContext:
    """Document-wide evidence: words seen in lower case, and capitalised mid-sentence.

    These are what tell ``Blair`` at the start of a sentence (a name: also capitalised mid-
    sentence) from ``Today`` (a word: also seen as ``today``), and label a capitalised headline.
    """

    lower: frozenset[str]
    title_mid: frozenset[str]


def doc_context(sents: Iterable[Sequence[str]]) -> DocContext:
    lower: set[str] = set()
    title_mid: set[str] = set()
    for words in sents:
        upper_sentence = _all_caps(words)
        for i, w in enumerate(words):
            if w[:1].islower():
                lower.add(w.lower())
            elif i > 0 and w[:1].isupper() and not upper_sentence and not w.isupper():
                title_mid.add(w.lower())
    return DocContext(frozenset(lower), frozenset(title_mid))


def _all_caps(words: Sequence[str]) -> bool:
    letters = [w for w in words if any(c.isalpha() for c in w)]
    return len(letters) >= 3 and all(not any(c.islower() for c in w) for w in letters)


def sentence_features(words: Sequence[str], ctx: DocContext) -> list[list[str]]:
    """CRFsuite attribute lists, one per token of a sentence."""
    n = len(words)
    lows = [w.lower() for w in words]
    shapes = [shape(w) for w in words]
    caps_sentence = _all_caps(words)
    out: list[list[str]] = []
    for i, w in enumerate(words):
        low = lows[i]
        f = ["b", f"w={low}", f"sh={shapes[i]}", f"s3={low[-3:]}", f"s2={low[-2:]}", f"s4={low[-4:]}",
             f"p2={low[:2]}", f"p3={low[:3]}", f"len={min(len(w), 8)}"]
        first = w[:1]
        if first.isupper():
            f.append("title")
            if i == 0:
                f.append("title0")
            if low in ctx.lower:
                f.append("lowindoc")
            if low in ctx.title_mid:
                f.append("titlemid")
            if w.isupper() and len(w) > 1:
                f.append("allcap")
        elif first.isdigit():
            f.append("digit")
        if caps_sentence:
            f.append("capsent")
        if "-" in w:
            f.append("hyph")
        if i == 0:
            f.append("BOS")
        else:
            f += [f"-1w={lows[i - 1]}", f"-1sh={shapes[i - 1]}", f"-1w|w={lows[i - 1]}|{low}"]
            if i > 1:
                f += [f"-2w={lows[i - 2]}"]
        if i == n - 1:
            f.append("EOS")
        else:
            f += [f"+1w={lows[i + 1]}", f"+1sh={shapes[i + 1]}", f"w|+1w={low}|{lows[i + 1]}"]
            if i < n - 2:
                f += [f"+2w={lows[i + 2]}"]
        out.append(f)
    return out
