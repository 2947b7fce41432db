"""Pure parts of the team code, no server: the sync merge, date covers, tsvector and tsquery text."""

from __future__ import annotations

import calendar
from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from reader.core.team.sync import GROUPS, merge
from reader.core.team.tokens import quote_lexeme
from reader.core.team.tsquery import cover

VALUES = {"body": st.sampled_from(["", "a", "b", "c"]), "tags": st.sampled_from([[], ["x"], ["x", "y"]]),
          "color": st.sampled_from(["yellow", "red"]), "start": st.sampled_from([None, 1, 5])}


def _fields() -> st.SearchStrategy[dict[str, object]]:
    return st.fixed_dictionaries({k: v for k, v in VALUES.items()})


@settings(max_examples=300, deadline=None)
@given(_fields(), _fields(), _fields())
def test_merge_keeps_every_one_sided_change_and_reports_every_clash(base: dict, mine: dict, theirs: dict) -> None:
    merged, clashes = merge(base, mine, theirs)
    for name, fields in GROUPS.items():
        b = [base.get(f) for f in fields]
        m = [mine.get(f) for f in fields]
        t = [theirs.get(f) for f in fields]
        got = [merged.get(f) for f in fields]
        if m == b:
            assert got == t and name not in clashes
        elif t == b or m == t:
            assert got == m and name not in clashes
        else:  # both changed it differently: the server's value stays, the clash is reported
            assert got == t and name in clashes


@settings(max_examples=200, deadline=None)
@given(st.dates(min_value=date(1990, 1, 1), max_value=date(2030, 12, 31)), st.integers(0, 900))
def test_date_cover_is_exactly_the_range(low: date, span: int) -> None:
    high = low + timedelta(days=span)
    days: set[date] = set()
    for token in cover(low, high):
        kind, value = token.split("=")
        if kind == "day":
            got = {date.fromisoformat(value)}
        elif kind == "month":
            y, m = map(int, value.split("-"))
            got = {date(y, m, d) for d in range(1, calendar.monthrange(y, m)[1] + 1)}
        else:
            y = int(value)
            got = {date(y, 1, 1) + timedelta(days=i) for i in range((date(y + 1, 1, 1) - date(y, 1, 1)).days)}
        assert not days & got  # no day counted twice
        days |= got
    assert days == {low + timedelta(days=i) for i in range(span + 1)}


@given(st.text(max_size=40))
def test_quoted_lexemes_never_leave_their_quotes(word: str) -> None:
    quoted = quote_lexeme(word)
    assert quoted[0] == quoted[-1] == "'"
    inner = quoted[1:-1]
    assert inner.replace("''", "").count("'") == 0  # every quote inside is doubled
