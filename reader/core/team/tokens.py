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
from collections import defaultdict
from dataclasses import dataclass, field
from typing import cast

from reader.core.document import ARTICLE, Document
from reader.core.search.analysis import _TERM_CACHE, WORD_PATTERN, term_of

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
        self.positions: defaultdict[str, list[str]] = defaultdict(list)
        self.pos = 1
        self.chars = 0  # characters of input so far, to know when no size cap can apply

    def add(self, lexeme: str, weight: str, pos: int | None = None) -> None:
        if len(lexeme) > MAX_LEXEME_CHARS and len(lexeme.encode("utf-8")) > MAX_LEXEME_BYTES:
            return  # PostgreSQL refuses longer lexemes; no one searches for a 2 KB "word"
        self.chars += len(lexeme)
        where = min(MAX_POS, pos if pos is not None else self.pos)
        self.positions[lexeme].append(f"{where}{weight}")
        if pos is None:
            self.pos += 1

    def text(self) -> str:
        quoted = _QUOTED
        if self.chars * _BYTES_PER_CHAR < MAX_VECTOR_BYTES and self.pos < 256:
            # The common case: too little text to reach either cap, so no per-lexeme accounting.
            found = list(map(quoted.get, self.positions))
            heads = cast(list[str], found) if None not in found else \
                [head or _quoted(lex) for head, lex in zip(found, self.positions, strict=True)]
            return " ".join(map(str.__add__, heads, map(",".join, self.positions.values())))
        parts: list[str] = []
        size = 0
        for lex, pos in self.positions.items():
            count = len(pos)
            if count > 256:
                pos, count = pos[:256], 256
            size += len(lex.encode("utf-8")) + 2 * count + 8
            if size > MAX_VECTOR_BYTES:  # a huge document: its rarest late words are left out, logged
                log.warning("tsvector capped at %d lexemes of %d", len(parts), len(self.positions))
                break
            parts.append((quoted.get(lex) or _quoted(lex)) + ",".join(pos))
        return " ".join(parts)


def _quoted(lex: str) -> str:
    text = quote_lexeme(lex) + ":"
    if len(_QUOTED) < _QUOTED_MAX:
        _QUOTED[lex] = text
    return text


#: At most this many vector bytes per character of input: a lexeme is at most 4 UTF-8 bytes for
#: each of its (at most 3, after lower-casing) characters per input character, plus a position
#: (2 bytes) and 8 bytes of overhead per token, so below the bound the size cap cannot be reached.
_BYTES_PER_CHAR = 22
#: Lexeme -> its quoted literal with the colon: words recur across documents.
_QUOTED: dict[str, str] = {}
_QUOTED_MAX = 500_000


def section_vectors(doc: Document, *, extra_values: dict[str, dict[str, list[str]]] | None = None,
                    seen_surfaces: set[str] | None = None) -> list[SectionVector]:
    """One :class:`SectionVector` per section of ``doc``.

    ``extra_values`` maps section name to registered field values (``{"entity": [...]}``),
    computed by the caller with the same extractors the local index uses. ``seen_surfaces``
    (a push worker's memory) leaves out the surfaces of terms already sent: the server keeps
    the first surface of each term, so only new terms need one.

    This is the push's hot loop, so it does not drive the analyzer's token generator: one
    regular-expression pass and the memoised word table (:func:`analysis.term_of`), exactly
    the analyzer's steps per word (a property test checks the two give the same vector).
    """
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
            title_len = _analyse_into(b.positions, meta.title, start, _positions("A"), surfaces, seen_surfaces)
            b.chars += len(meta.title)
            b.pos = start + title_len + _GAP
        body = doc.text[sec.start:sec.end]
        body_len = _analyse_into(b.positions, body, b.pos, _positions("D"), surfaces, seen_surfaces)
        b.chars += len(body)
        b.pos += body_len
        out.append(SectionVector(sec.name, b.text(), body_len, title_len, surfaces,
                                 sorted(set(facets))))
    return out


_POSITION_TEXT: dict[str, list[str]] = {}


def _positions(weight: str) -> list[str]:
    """``"<pos><weight>"`` for every position PostgreSQL keeps, made once per process."""
    table = _POSITION_TEXT.get(weight)
    if table is None:
        table = _POSITION_TEXT[weight] = [f"{i}{weight}" for i in range(MAX_POS + 1)]
    return table


def _analyse_into(positions: defaultdict[str, list[str]], text: str, start: int, table: list[str],
                  surfaces: dict[str, str], seen: set[str] | None) -> int:
    """Add the analyzer's terms of ``text`` at ``start`` onwards; returns how many took a position.

    A word's term and how much of its end the analyzer trims (a possessive) come from
    :func:`term_of`; stop words (term ``""``) take no position, as in the analyzer. The
    surface of a term is the word as printed, trimmed like the analyzer's character offsets.
    Written for speed (C-level ``map`` over the memoised word table, one dictionary operation
    per token): this loop is most of a push's client time.
    """
    words = WORD_PATTERN.findall(text)
    cached = list(map(_TERM_CACHE.get, words))
    hits = cast(list[tuple[str, int]], cached) if None not in cached else \
        [hit or term_of(word) for hit, word in zip(cached, words, strict=True)]
    terms = [hit[0] for hit in hits]
    if "" in terms:  # stop words: no position, so positions count the kept words only
        kept = [i for i, term in enumerate(terms) if term]
        words = [words[i] for i in kept]
        hits = [hits[i] for i in kept]
        terms = [terms[i] for i in kept]
    n = len(terms)
    if not n:
        return 0
    known = set(positions)
    if start + n <= MAX_POS:
        for term, where in zip(terms, table[start:start + n], strict=True):
            positions[term].append(where)
    else:
        for i, term in enumerate(terms):
            positions[term].append(table[min(start + i, MAX_POS)])
    new = [term for term in positions if term not in known]
    if seen is None:
        wanted = [term for term in new if term not in surfaces]
    else:
        wanted = [term for term in new if term not in seen and term not in surfaces]
        seen.update(wanted)
    if wanted:
        # Few new terms per document once a push is under way: a C-level search each is cheapest.
        first = {term: i for i, term in reversed(list(enumerate(terms)))} if len(wanted) > 16 else None
        index = terms.index
        for term in wanted:
            i = first[term] if first is not None else index(term)
            trim = hits[i][1]
            surfaces[term] = words[i][:len(words[i]) - trim] if trim else words[i]
    if max(map(len, new), default=0) > MAX_LEXEME_CHARS:
        for term in new:
            if len(term) > MAX_LEXEME_CHARS and len(term.encode("utf-8")) > MAX_LEXEME_BYTES:
                del positions[term]  # PostgreSQL refuses longer lexemes; no one searches for a 2 KB "word"
    return n
