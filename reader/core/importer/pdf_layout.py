"""PDF pages to paragraphs: lines from positioned characters, running heads dropped, lines rejoined.

Pure layout, no PDF library: :mod:`reader.core.importer.pdf` reads the characters with
pypdfium2 and hands over :class:`Line` objects per page. Keeping the rules here means they
are testable on made-up lines and the PDF reader stays a thin adapter.

Why these rules: a page printed from a browser (or a report) repeats a header and footer
on every page (date, title, URL, "2/5"); a line is *running* when its text, with digits
blanked, recurs in the top or bottom band of at least half the pages. Paragraphs are
separated by a vertical gap clearly larger than the line spacing, a first-line indent or
a change of font size; a word broken with a hyphen at a line end is rejoined when the
next line goes on in lower case.
"""

from __future__ import annotations

import itertools
import logging
import re
import statistics
from collections import Counter
from dataclasses import dataclass, field

log = logging.getLogger(__name__)

#: Top/bottom share of the page where running heads, footers and page numbers live.
BAND = 0.09
_DIGITS = re.compile(r"\d+")
_PAGE_NUMBER = re.compile(
    r"^(?:(?:page|p\.|seite|página|pagina)\s*)?[-–—(\[]?\s*\d{1,4}\s*[-–—)\]]?"
    r"(?:\s*(?:/|of|von|de|sur)\s*\d{1,4})?$", re.IGNORECASE)
_ROMAN = re.compile(r"^[ivxlc]{1,6}$", re.IGNORECASE)
_HYPHENS = ("-", "\u00ad", "\x02")
_TERMINAL = (".", "!", "?", ":", "…", "”", '"', "»", "。", "！", "？")


@dataclass
class Line:
    """One text line of a page, in PDF points with y growing upwards (as PDF has it)."""

    text: str
    x0: float
    y0: float
    x1: float
    y1: float
    size: float
    #: Share of the line's characters that lie in a link annotation (navigation is mostly links).
    linked: float = 0.0

    @property
    def height(self) -> float:
        return max(self.y1 - self.y0, 0.1)


@dataclass
class Page:
    number: int
    width: float
    height: float
    lines: list[Line] = field(default_factory=list)


@dataclass
class Paragraph:
    """A paragraph of the document with the page it starts on and where later pages begin in it."""

    text: str
    page: int
    size: float
    linked: float = 0.0
    #: (character offset in ``text``, page) for each page the paragraph runs on to.
    breaks: list[tuple[int, int]] = field(default_factory=list)
    heading: bool = False


def _shape(text: str) -> str:
    return " ".join(_DIGITS.sub("#", text).casefold().split())


def is_page_number(text: str) -> bool:
    t = text.strip()
    return bool(_PAGE_NUMBER.match(t) or _ROMAN.match(t))


def running_lines(pages: list[Page]) -> set[tuple[int, int]]:
    """``(page index, line index)`` of headers, footers and page numbers to drop."""
    drop: set[tuple[int, int]] = set()
    shapes: Counter[str] = Counter()
    banded: list[list[tuple[int, str]]] = []
    for pi, page in enumerate(pages):
        top, bottom = page.height * (1 - BAND), page.height * BAND
        here = []
        for li, line in enumerate(page.lines):
            if line.y0 >= top or line.y1 <= bottom:
                if is_page_number(line.text):
                    drop.add((pi, li))
                    continue
                here.append((li, _shape(line.text)))
        banded.append(here)
        shapes.update({s for _, s in here})
    if len(pages) >= 2:
        need = max(2, (len(pages) + 1) // 2)
        for pi, here in enumerate(banded):
            for li, shape in here:
                if shapes[shape] >= need:
                    drop.add((pi, li))
    return drop


def _joins(prev: str, nxt: str) -> str:
    """Two lines of one paragraph: a hyphen broken word is rejoined, else one space."""
    if prev.endswith(_HYPHENS) and len(prev) > 1 and prev[-2].isalpha() and nxt[:1].islower():
        return prev[:-1] + nxt
    if prev.endswith(("\u00ad", "\x02")):
        return prev[:-1] + nxt
    return f"{prev} {nxt}"


def paragraphs(pages: list[Page], drop: set[tuple[int, int]] | None = None) -> list[Paragraph]:
    """The pages' lines grouped into paragraphs, in reading order, furniture removed."""
    drop = running_lines(pages) if drop is None else drop
    kept = [(page, [ln for li, ln in enumerate(page.lines) if (pi, li) not in drop and ln.text.strip()])
            for pi, page in enumerate(pages)]
    gaps = [prev.y0 - ln.y1 for _, lines in kept for prev, ln in itertools.pairwise(lines)
            if 0 <= prev.y0 - ln.y1 < 3 * ln.height]
    normal_gap = statistics.median(gaps) if gaps else 2.0
    out: list[Paragraph] = []
    current: Paragraph | None = None
    chars = linked = 0.0
    prev_line: Line | None = None
    prev_page = 0

    def close() -> None:
        nonlocal current, chars, linked
        if current is not None and current.text.strip():
            current.linked = linked / max(chars, 1.0)
            out.append(current)
        current, chars, linked = None, 0.0, 0.0

    for page, lines in kept:
        left = min((ln.x0 for ln in lines), default=0.0)
        for ln in lines:
            text = " ".join(ln.text.split())
            new = current is None or prev_line is None
            if not new and prev_line is not None:
                if page.number != prev_page:
                    # a paragraph goes on to the next page unless the last line ended a sentence
                    new = current is not None and current.text.endswith(_TERMINAL) and not text[:1].islower()
                else:
                    gap = prev_line.y0 - ln.y1
                    new = (gap > max(normal_gap * 1.8, normal_gap + 0.45 * ln.height)
                           or gap < -ln.height  # went back up: a new column or block
                           or abs(ln.size - prev_line.size) > 0.8
                           or (ln.x0 - left > 1.2 * ln.size and ln.x0 - prev_line.x0 > 0.8 * ln.size))
            if new:
                close()
                current = Paragraph(text, page.number, ln.size)
            elif current is not None:
                joined = _joins(current.text, text)
                if page.number != prev_page:
                    current.breaks.append((len(joined) - len(text), page.number))
                current.text = joined
            chars += len(text)
            linked += ln.linked * len(text)
            prev_line, prev_page = ln, page.number
    close()
    sizes: Counter[int] = Counter()
    for p in out:
        sizes[round(p.size)] += len(p.text)
    body = sizes.most_common(1)[0][0] if sizes else 0
    for p in out:
        p.heading = round(p.size) > body and len(p.text) < 200 and not p.text.endswith((".", ","))
    return out
