"""The query language: checked for mistakes a person makes, then parsed by Whoosh.

Whoosh's parser forgives everything (an unclosed quote silently becomes words), which
hides typos from the user. So a small lexer first looks for unclosed quotes, unbalanced
parentheses and brackets, unknown fields and dangling operators and explains the first
one in a line; ``-word`` becomes ``NOT word``; then Whoosh builds the query tree, and
its own errors (a date it cannot read) are turned into the same kind of message.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from whoosh import qparser, query
from whoosh.fields import Schema

from reader.core.search.engine import QuerySyntaxError

FIELD_HELP = "title, outlet, author, section, language, published"
_FIELD_RE = re.compile(r"(?<![\w\"])([A-Za-z_][\w]*):")
_MINUS_RE = re.compile(r"(^|[\s(])-(?=[\w\"(])")
_OPERATORS = {"AND", "OR", "NOT", "ANDNOT", "ANDMAYBE"}
_BINARY = {"AND", "OR", "ANDNOT", "ANDMAYBE"}
_SECTION_ALIASES = {"comment": "comments", "articles": "article", "body": "article", "reader": "comments"}


@dataclass
class ParsedQuery:
    """A checked query: the Whoosh tree, and whether it names a section itself."""

    text: str
    query: query.Query
    explicit_section: bool
    fields: set[str] = field(default_factory=set)


def _outside_quotes(text: str) -> list[tuple[int, str]]:
    """Characters outside double quotes with their index; raises on an unclosed quote."""
    out: list[tuple[int, str]] = []
    quoted = False
    for i, ch in enumerate(text):
        if ch == '"':
            quoted = not quoted
            continue
        if not quoted:
            out.append((i, ch))
    if quoted:
        raise QuerySyntaxError('unclosed quote: a phrase opened with " is never closed')
    return out


def _mask_quotes(text: str) -> str:
    """The text with quoted phrases blanked out (same length), for lexical checks."""
    chars = list(text)
    quoted = False
    for i, ch in enumerate(chars):
        if ch == '"':
            quoted = not quoted
            chars[i] = " "
        elif quoted:
            chars[i] = " "
    return "".join(chars)


def check_syntax(text: str, allowed_fields: set[str]) -> None:
    """Raise :class:`QuerySyntaxError` with a one-line reason for the first mistake found."""
    if not text.strip():
        raise QuerySyntaxError("empty query: type one or more words to search for")
    _outside_quotes(text)
    masked = _mask_quotes(text)
    depth = 0
    bracket = 0
    for ch in masked:
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
            if depth < 0:
                raise QuerySyntaxError("unbalanced parentheses: ')' without a matching '('")
        elif ch in "[{":
            bracket += 1
        elif ch in "]}":
            bracket -= 1
            if bracket < 0:
                raise QuerySyntaxError("unbalanced brackets: ']' without a matching '['")
    if depth > 0:
        raise QuerySyntaxError("unbalanced parentheses: a '(' is never closed")
    if bracket > 0:
        raise QuerySyntaxError("unclosed range: a '[' is never closed (write [2022-01-01 TO 2022-01-09])")
    for match in _FIELD_RE.finditer(masked):
        name = match.group(1)
        if name.lower() not in allowed_fields:
            raise QuerySyntaxError(f"unknown field {name!r}: use {FIELD_HELP}")
        rest = text[match.end():]
        if not rest or rest[0] in " \t)":
            raise QuerySyntaxError(f"'{name}:' needs a value, e.g. {name}:word or {name}:\"two words\"")
    _check_dates(text)
    words = masked.replace("(", " ( ").replace(")", " ) ").split()
    prev: str | None = None
    for word in words:
        if word in _BINARY and (prev is None or prev in _OPERATORS or prev == "("):
            raise QuerySyntaxError(f"'{word}' needs a word before it")
        if word == ")" and prev in _OPERATORS:
            raise QuerySyntaxError(f"'{prev}' needs a word after it")
        prev = word
    if prev in _OPERATORS:
        raise QuerySyntaxError(f"'{prev}' needs a word after it")


_DATE_VALUE = re.compile(r"published:(\[[^\]]*\]|\{[^}]*\}|\S+)", re.IGNORECASE)
_DATE = re.compile(r"^\d{4}(?:-\d{1,2}(?:-\d{1,2})?)?$")
DATE_HELP = "use published:2022-01-09, published:2022-01 or published:[2022-01-01 TO 2022-01-31]"


def _check_dates(text: str) -> None:
    for match in _DATE_VALUE.finditer(text):
        value = match.group(1).rstrip(")")
        if value[:1] in "[{":
            parts = [p.strip() for p in re.split(r"\s*\bTO\b\s*", value[1:-1].strip(), flags=re.IGNORECASE)]
            if len(parts) != 2 or not all(p == "" or _DATE.match(p) for p in parts) or parts == ["", ""]:
                raise QuerySyntaxError(f"cannot read the date range {value}: {DATE_HELP}")
        elif not _DATE.match(value):
            raise QuerySyntaxError(f"cannot read the date {value!r}: {DATE_HELP}")


def _lower_fields(text: str) -> str:
    """``Title:word`` works like ``title:word``."""
    return _FIELD_RE.sub(lambda m: m.group(1).lower() + ":", text)


def make_parser(schema: Schema) -> qparser.QueryParser:
    parser = qparser.MultifieldParser(["title", "body"], schema, group=qparser.AndGroup)
    parser.remove_plugin_class(qparser.SingleQuotePlugin)
    parser.add_plugin(qparser.FuzzyTermPlugin())
    return parser


def parse(text: str, schema: Schema, parser: qparser.QueryParser | None = None) -> ParsedQuery:
    """Check and parse a user query into a Whoosh query tree."""
    allowed = {n for n in schema.names() if n not in {"key", "hash", "date", "facet_outlet", "day"}}
    check_syntax(text, allowed)
    prepared = _MINUS_RE.sub(lambda m: f"{m.group(1)}NOT ", _lower_fields(text.strip()))
    tree = (parser or make_parser(schema)).parse(prepared, normalize=False)
    _raise_errors(tree)
    tree = tree.normalize()
    tree = _normalise_sections(tree)
    fields = {leaf.field() for leaf in _all_leaves(tree) if leaf.field()}
    return ParsedQuery(text, tree, "section" in fields, fields)


def _all_leaves(q: query.Query) -> list[query.Query]:
    if q.is_leaf():
        return [q]
    return [leaf for child in q.children() for leaf in _all_leaves(child)]


def _raise_errors(q: query.Query) -> None:
    error = getattr(q, "error", None)
    if error is not None:
        message = str(error) or "cannot read this part of the query"
        if any(w in message.lower() for w in ("date", "parseable", "must be in", "year", "out of range")):
            message = f"cannot read the date ({message.splitlines()[0]}): {DATE_HELP}"
        raise QuerySyntaxError(message.splitlines()[0])
    if not q.is_leaf():
        for child in q.children():
            _raise_errors(child)


def _normalise_sections(q: query.Query) -> query.Query:
    if isinstance(q, query.Term) and q.fieldname == "section":
        value = str(q.text).lower()
        return query.Term("section", _SECTION_ALIASES.get(value, value), boost=q.boost)
    if q.is_leaf():
        return q
    return q.apply(_normalise_sections)


def highlight_leaves(q: query.Query) -> list[query.Query]:
    """Positive leaves (not under NOT) that can match words of the text."""
    if isinstance(q, query.Not):
        return []
    if isinstance(q, query.AndNot):
        return highlight_leaves(q.a)
    if q.is_leaf():
        return [q] if q.field() in ("title", "body") else []
    return [leaf for child in q.children() for leaf in highlight_leaves(child)]
