"""Passages: the units that similarity pairs. Paragraphs; long paragraphs split into sentences.

A paragraph of a news article can hold three claims; pairing it whole with another
outlet's paragraph would blur which claim matches which. Paragraphs longer than
``LONG_PARAGRAPH_WORDS`` are cut at sentence ends, and very short sentences are kept
with their neighbour so that every passage says something.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from reader.core.document import Document
from reader.core.text import paragraph_spans

LONG_PARAGRAPH_WORDS = 60
MIN_SENTENCE_WORDS = 8

_SENTENCE_END = re.compile(r"[.!?…]+[\"'”’»)\]]*(?=\s+[\"'“‘«(\[]?[A-Z0-9А-ЯЁ])")
_WORDS = re.compile(r"\w+")


@dataclass(frozen=True)
class Passage:
    """A half-open range of the canonical text and the section it lies in."""

    index: int
    start: int
    end: int
    section: str


def _count(text: str, start: int, end: int) -> int:
    return sum(1 for _ in _WORDS.finditer(text, start, end))


def sentence_spans(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Sentences of ``text[start:end]``, trimmed of surrounding whitespace."""
    spans: list[tuple[int, int]] = []
    pos = start
    for match in _SENTENCE_END.finditer(text, start, end):
        spans.append((pos, match.end()))
        pos = match.end()
        while pos < end and text[pos].isspace():
            pos += 1
    if pos < end:
        spans.append((pos, end))
    return [(a, b) for a, b in spans if b > a]


def _merge_short(text: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    pending: tuple[int, int] | None = None
    for span in spans:
        if pending is not None:
            span = (pending[0], span[1])
            pending = None
        if _count(text, *span) < MIN_SENTENCE_WORDS:
            pending = span
            continue
        merged.append(span)
    if pending is not None:
        if merged:
            merged[-1] = (merged[-1][0], pending[1])
        else:
            merged.append(pending)
    return merged


def split_passages(doc: Document) -> list[Passage]:
    """Every passage of the document (article and comments), in text order."""
    text = doc.text
    out: list[Passage] = []
    sections = doc.sections or ()
    ranges = [(s.start, s.end, s.name) for s in sections] or [(0, len(text), "article")]
    for sec_start, sec_end, name in ranges:
        for start, end in paragraph_spans(text, sec_start, sec_end):
            if _count(text, start, end) > LONG_PARAGRAPH_WORDS:
                pieces = _merge_short(text, sentence_spans(text, start, end))
            else:
                pieces = [(start, end)]
            for a, b in pieces:
                out.append(Passage(len(out), a, b, name))
    return out
