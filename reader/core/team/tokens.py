"""A document section as a PostgreSQL ``tsvector`` built from the project's own analyzer.

PostgreSQL's text search configurations would stem and drop words differently from the
local index; building the vector from :class:`StemmingAnalyzer` keeps local and team results
identical. Positions follow the analyzer (stop words take none), so phrases and ``~N``
proximity mean the same thing. Weights keep the fields apart inside one vector, so one RUM
index answers a whole query: ``A`` title, ``D`` body, ``C`` metadata tokens written
``name=value`` (the analyzer never produces ``=``, so they cannot collide with words).
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field

from reader.core.document import ARTICLE, Document
from reader.core.search.analysis import StemmingAnalyzer

log = logging.getLogger(__name__)

MAX_POS = 16383  # PostgreSQL clamps positions above this
MAX_LEXEME_BYTES = 2046  # PostgreSQL's limit for one lexeme
MAX_LEXEME_CHARS = MAX_LEXEME_BYTES // 4  # below this many characters no UTF-8 text can exceed it
MAX_VECTOR_BYTES = 900_000  # a tsvector must stay under 1 MB
_SIMPLE = re.compile(r"\w+(?:[.'’]\w+)*")
_GAP = 8  # positions between fields, so no phrase spans two fields


def quote_lexeme(lexeme: str) -> str:
    """A lexeme as a quoted tsvector/tsquery literal (quotes and backslashes escaped)."""
    return "'" + lexeme.replace("\\", "\\\\").replace("'", "''") + "'"


def simple_words(text: str) -> list[str]:
    """Words of outlet and author names as the local index reads them (lower case, no stemming)."""
    return [w.lower() for w in _SIMPLE.findall(text or "")]


def meta_token(name: str, value: str) -> str:
    return f"{name}={value}"


def keyword(value: str) -> str:
    """A registered keyword value as the local index stores it (spaces as underscores, lower case)."""
    return value.replace(" ", "_").lower()


@dataclass
class SectionVector:
    """What one section row holds: the vector text, field lengths, surfaces and facet values."""

    section: str
    tsv: str
    body_len: int
    title_len: int
    surfaces: dict[str, str] = field(default_factory=dict)
    facets: list[tuple[str, str]] = field(default_factory=list)


class _Builder:
    def __init__(self) -> None:
        self.positions: dict[str, list[str]] = {}
        self.pos = 1

    def add(self, lexeme: str, weight: str, pos: int | None = None) -> None:
        if len(lexeme) > MAX_LEXEME_CHARS and len(lexeme.encode("utf-8")) > MAX_LEXEME_BYTES:
            return  # PostgreSQL refuses longer lexemes; no one searches for a 2 KB "word"
        where = min(MAX_POS, pos if pos is not None else self.pos)
        self.positions.setdefault(lexeme, []).append(f"{where}{weight}")
        if pos is None:
            self.pos += 1

    def text(self) -> str:
        parts: list[str] = []
        size = 0
        for lex, pos in self.positions.items():
            part = f"{quote_lexeme(lex)}:{','.join(pos[:256])}"
            size += len(lex.encode("utf-8")) + 2 * min(len(pos), 256) + 8
            if size > MAX_VECTOR_BYTES:  # a huge document: its rarest late words are left out, logged
                log.warning("tsvector capped at %d lexemes of %d", len(parts), len(self.positions))
                break
            parts.append(part)
        return " ".join(parts)


def section_vectors(doc: Document, *,
                    extra_values: dict[str, dict[str, list[str]]] | None = None) -> list[SectionVector]:
    """One :class:`SectionVector` per section of ``doc``.

    ``extra_values`` maps section name to registered field values (``{"entity": [...]}``),
    computed by the caller with the same extractors the local index uses.
    """
    analyzer = StemmingAnalyzer()
    meta = doc.meta
    out: list[SectionVector] = []
    for sec in doc.sections:
        b = _Builder()
        b.add(meta_token("section", sec.name.lower()), "C")
        b.add(meta_token("language", (meta.language or "en").lower()), "C")
        b.add(meta_token("id", meta.id), "C")
        b.add(meta_token("fo", meta.outlet), "C")
        if meta.published:
            day = meta.published[:10]
            for token in (f"day={day}", f"month={day[:7]}", f"year={day[:4]}"):
                b.add(token, "C")
        b.pos += _GAP
        for word in simple_words(meta.outlet):
            b.add(meta_token("outlet", word), "C")
        b.pos += _GAP
        for word in simple_words(meta.author):
            b.add(meta_token("author", word), "C")
        b.pos += _GAP
        facets: list[tuple[str, str]] = []
        for name, values in (extra_values or {}).get(sec.name, {}).items():
            for value in values:
                b.add(meta_token(name, keyword(value)), "C")
                facets.append((name, keyword(value)))
            b.pos += 1
        b.pos += _GAP
        surfaces: dict[str, str] = {}
        title_len = 0
        if sec.name == ARTICLE:
            start = b.pos
            for token in analyzer(meta.title, positions=True, chars=True):
                b.add(token.text, "A", start + token.pos)
                surfaces.setdefault(token.text, meta.title[token.startchar:token.endchar])
                title_len += 1
            b.pos = start + title_len + _GAP
        body = doc.text[sec.start:sec.end]
        start = b.pos
        body_len = 0
        for token in analyzer(body, positions=True, chars=True):
            b.add(token.text, "D", start + token.pos)
            if token.text not in surfaces:
                surfaces[token.text] = body[token.startchar:token.endchar]
            body_len += 1
        out.append(SectionVector(sec.name, b.text(), body_len, title_len, surfaces,
                                 sorted(set(facets))))
    return out
