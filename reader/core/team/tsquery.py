"""The project's query tree (parsed by :mod:`reader.core.search.querylang`) as one PostgreSQL tsquery.

The user's query is parsed exactly as for the local index, so mistakes get the same one-line
explanations; the tree is then written as a tsquery over the vectors of :mod:`tokens`:

* words and phrases carry their field's weight (``'tokayev':A`` title, ``:D`` body);
* ``"a b"~N`` is an OR of distances (``a <1> b | a <2> b``), because ``<N>`` in PostgreSQL
  means *exactly* N apart, while the local engine means *within* N;
* ``prefix*`` is PostgreSQL's own prefix match; ``wild?card`` and ``fuzzy~`` are expanded
  against the corpus vocabulary by a callback (LIKE / pg_trgm on the server);
* dates become ``year=``/``month=``/``day=`` tokens covering the range with as few as possible;
* ``outlet:``, ``author:``, ``section:``, ``language:``, ``id:`` and registered fields
  (``entity:``) are ``name=value`` tokens.

Every lexeme is quoted by :func:`tokens.quote_lexeme` and the whole tsquery travels as one bound
parameter, so no query text ever reaches SQL as code.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta

from whoosh import query

from reader.core.search.engine import QuerySyntaxError
from reader.core.search.highlight import MatchSpec
from reader.core.team.tokens import keyword, meta_token, quote_lexeme

WEIGHTS = {"title": "A", "body": "D"}
META_FIELDS = {"outlet", "author"}
ID_FIELDS = {"section", "language", "id"}
#: Beyond this many distance combinations a ``~N`` phrase is answered as "all its words".
MAX_SLOP_COMBINATIONS = 64

#: ``expand(kind, field, text, maxdist, prefix)`` -> corpus terms; kind is "wildcard" or "fuzzy".
Expander = Callable[[str, str, str, int, int], list[str]]


@dataclass
class Compiled:
    """The tsquery text, whether it has a positive part, and what to highlight."""

    tsquery: str | None  # None: matches every row (``Every``)
    positive: bool
    spec: MatchSpec = field(default_factory=MatchSpec)
    terms: set[str] = field(default_factory=set)  # scoring terms (title/body)
    empty: bool = False  # matches nothing


NOTHING = "'=nothing'"  # a lexeme no vector holds


class Compiler:
    def __init__(self, expand: Expander, day_bounds: tuple[str | None, str | None],
                 registered: set[str]) -> None:
        self.expand = expand
        self.day_bounds = day_bounds
        self.registered = registered
        self.spec = MatchSpec()
        self.terms: set[str] = set()

    def compile(self, q: query.Query) -> Compiled:
        text, positive = self._node(q, negated=False)
        if text == NOTHING:
            return Compiled(NOTHING, True, self.spec, self.terms, empty=True)
        return Compiled(text, positive, self.spec, self.terms)

    # -- nodes -----------------------------------------------------------------------
    def _node(self, q: query.Query, negated: bool) -> tuple[str | None, bool]:
        if isinstance(q, query.NullQuery.__class__) or q is query.NullQuery:
            return NOTHING, True
        if isinstance(q, query.Every):
            return None, False
        if isinstance(q, query.Not):
            inner, _pos = self._node(q.query, not negated)
            if inner is None:
                return NOTHING, True
            return f"!({inner})", False
        if isinstance(q, query.AndNot):
            return self._and([q.a, query.Not(q.b)], negated)
        if isinstance(q, query.AndMaybe):
            return self._node(q.a, negated)
        if isinstance(q, query.Require):
            return self._and([q.a, q.b], negated)
        if isinstance(q, query.And):
            return self._and(list(q.children()), negated)
        if isinstance(q, query.Or):
            return self._or(list(q.children()), negated)
        if isinstance(q, query.NumericRange) and q.fieldname == "published":
            return self._dates(q), True
        if isinstance(q, query.Phrase):
            return self._phrase(q, negated), True
        if isinstance(q, query.Term):
            return self._term(q.fieldname, q.text, negated), True
        if isinstance(q, query.FuzzyTerm | query.Wildcard | query.Prefix):
            return self._multi(q, negated), True
        raise QuerySyntaxError(f"this kind of query is not supported on a team corpus: {type(q).__name__}")

    def _and(self, children: list[query.Query], negated: bool) -> tuple[str | None, bool]:
        parts: list[str] = []
        positive = False
        for child in children:
            text, pos = self._node(child, negated)
            if text == NOTHING:
                return NOTHING, True
            if text is not None:
                parts.append(text)
                positive = positive or pos
        if not parts:
            return None, False
        return (parts[0] if len(parts) == 1 else "(" + " & ".join(parts) + ")"), positive

    def _or(self, children: list[query.Query], negated: bool) -> tuple[str | None, bool]:
        parts: list[str] = []
        positive = True
        for child in children:
            text, pos = self._node(child, negated)
            if text is None:
                return None, False
            if text != NOTHING:
                parts.append(text)
                positive = positive and pos
        if not parts:
            return NOTHING, True
        parts = merge_weights(parts)
        return (parts[0] if len(parts) == 1 else "(" + " | ".join(parts) + ")"), positive

    # -- leaves ----------------------------------------------------------------------
    def _lexeme(self, fieldname: str, text: str) -> str:
        """One term of a field as a weighted tsquery lexeme."""
        if fieldname in WEIGHTS:
            return f"{quote_lexeme(text)}:{WEIGHTS[fieldname]}"
        if fieldname in META_FIELDS or fieldname in ID_FIELDS:
            return quote_lexeme(meta_token(fieldname, text.lower() if fieldname != "id" else text))
        if fieldname in self.registered:
            return quote_lexeme(meta_token(fieldname, keyword(text)))
        raise QuerySyntaxError(f"unknown field {fieldname!r} on the team corpus")

    def _term(self, fieldname: str, text: object, negated: bool) -> str:
        word = _str(text)
        if fieldname in WEIGHTS:
            self.terms.add(word)
            if not negated:
                self.spec.terms.add(word)
        return self._lexeme(fieldname, word)

    def _phrase(self, q: query.Phrase, negated: bool) -> str:
        words = [_str(w) for w in q.words]
        if not words:
            return NOTHING
        if q.fieldname in WEIGHTS:
            self.terms.update(words)
            if not negated:
                self.spec.phrases.append((tuple(words), int(q.slop)))
        lexemes = [self._lexeme(q.fieldname, w) for w in words]
        if len(lexemes) == 1:
            return lexemes[0]
        slop = max(1, int(q.slop))
        if slop == 1:
            return "(" + " <-> ".join(lexemes) + ")"
        if slop ** (len(lexemes) - 1) > MAX_SLOP_COMBINATIONS:
            return "(" + " & ".join(lexemes) + ")"
        expr = lexemes[0]
        for lex in lexemes[1:]:
            expr = "(" + " | ".join(f"{expr} <{d}> {lex}" for d in range(1, slop + 1)) + ")"
        return expr

    def _multi(self, q: query.Query, negated: bool) -> str:
        fieldname = q.fieldname
        text = _str(q.text)
        if isinstance(q, query.Prefix) and fieldname in WEIGHTS:
            # PostgreSQL's own prefix match; highlighting needs the actual corpus words.
            words = self.expand("prefix", fieldname, text, 0, 0)
            self._remember(words, negated)
            return f"{quote_lexeme(text)}:*{WEIGHTS[fieldname]}"
        if isinstance(q, query.FuzzyTerm):
            words = sorted(set(self.expand("fuzzy", fieldname, text, int(q.maxdist), int(q.prefixlength)))
                           | {text})
        elif isinstance(q, query.Prefix):
            words = self.expand("prefix", fieldname, text, 0, 0)
        else:
            words = self.expand("wildcard", fieldname, text, 0, 0)
        if not words:
            return NOTHING
        self._remember(words, negated)
        lexemes = [self._lexeme(fieldname, w) for w in words]
        return lexemes[0] if len(lexemes) == 1 else "(" + " | ".join(lexemes) + ")"

    def _remember(self, words: list[str], negated: bool) -> None:
        self.terms.update(words)
        if not negated:
            self.spec.terms.update(words)

    def _dates(self, q: query.NumericRange) -> str:
        low = _day(q.start)
        high = _day(q.end)
        first, last = self.day_bounds
        if low is None:
            low = date.fromisoformat(first) if first else None
        if high is None:
            high = date.fromisoformat(last) if last else None
        if low is None or high is None or low > high:
            return NOTHING
        tokens = [quote_lexeme(t) for t in cover(low, high)]
        return tokens[0] if len(tokens) == 1 else "(" + " | ".join(tokens) + ")"


_WEIGHTED = re.compile(r"^('(?:[^']|'')*':\*?)([A-D]+)$")


def merge_weights(parts: list[str]) -> list[str]:
    """``'x':A | 'x':D`` as ``'x':AD``: one index lookup instead of two (an OR of fields on a word).

    The parser writes a word searched in the title and the body as an OR of two weighted
    lexemes; RUM then scans the word's entries twice. Only bare lexemes are merged (a phrase
    is one field's: merging its weights could let it start in the title and end in the body).
    """
    merged: dict[str, str] = {}
    out: list[str] = []
    for part in parts:
        match = _WEIGHTED.match(part)
        if match is None:
            out.append(part)
            continue
        head = match.group(1)
        if head not in merged:
            merged[head] = ""
            out.append(head)
        merged[head] += match.group(2)
    return [head + "".join(sorted(set(merged[head]))) if head in merged else head for head in out]


def cover(low: date, high: date) -> list[str]:
    """The fewest ``year=``/``month=``/``day=`` tokens whose days are exactly [low, high]."""
    out: list[str] = []
    cur = low
    while cur <= high:
        year_end = date(cur.year, 12, 31)
        month_end = date(cur.year, cur.month, calendar.monthrange(cur.year, cur.month)[1])
        if cur.month == 1 and cur.day == 1 and year_end <= high:
            out.append(f"year={cur.year:04d}")
            cur = year_end + timedelta(days=1)
        elif cur.day == 1 and month_end <= high:
            out.append(f"month={cur.year:04d}-{cur.month:02d}")
            cur = month_end + timedelta(days=1)
        else:
            out.append(f"day={cur.isoformat()}")
            cur += timedelta(days=1)
    return out


def _day(value: object) -> date | None:
    if value is None:
        return None
    from whoosh.util.times import long_to_datetime

    return long_to_datetime(value if isinstance(value, int) else int(str(value))).date()


def _str(value: object) -> str:
    return value.decode("utf-8") if isinstance(value, bytes) else str(value)
