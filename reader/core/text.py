"""Canonical text: the one normalisation every document goes through, once.

Every offset anywhere in the app (search hits, entity spans, notes, alignment) counts
characters of the string these functions produce, so nothing downstream normalises
again. Normalisation is deliberately light: the article stays word for word as printed.
"""

from __future__ import annotations

import hashlib
import re

_TRAILING_WS = re.compile(r"[ \t]+$", re.MULTILINE)
_BLANK_RUNS = re.compile(r"\n{3,}")
_WORD = re.compile(r"\w+(?:[-'’]\w+)*")


def normalise_newlines(raw: str) -> str:
    """CRLF and lone CR become LF (a file's byte-order mark is dropped when it is decoded)."""
    return raw.replace("\r\n", "\n").replace("\r", "\n")


def canonical_text(raw: str) -> str:
    """Strip trailing blanks per line, collapse runs of blank lines to one, trim the ends.

    Paragraphs end up separated by exactly one blank line (``"\\n\\n"``); a single
    newline inside a paragraph is kept as a line break.
    """
    text = normalise_newlines(raw)
    text = _TRAILING_WS.sub("", text)
    text = _BLANK_RUNS.sub("\n\n", text)
    return text.strip("\n")


def content_hash(text: str) -> str:
    """SHA-256 of the canonical text: the version key for everything derived from it."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def word_count(text: str) -> int:
    """Words as a reader counts them (hyphenated and apostrophe forms count once)."""
    return len(_WORD.findall(text))


def paragraph_spans(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """Half-open ``(start, end)`` ranges of the blank-line separated paragraphs in a range."""
    end = len(text) if end is None else end
    spans: list[tuple[int, int]] = []
    pos = start
    while pos < end:
        nxt = text.find("\n\n", pos, end)
        stop = end if nxt == -1 else nxt
        if stop > pos:
            spans.append((pos, stop))
        if nxt == -1:
            break
        pos = nxt + 2
        while pos < end and text[pos] == "\n":
            pos += 1
    return spans
