"""Find in the document: the matching rule, apart from the view."""

from __future__ import annotations

import pytest

from reader.gui.reader.find import find_spans

pytestmark = pytest.mark.gui


def test_find_ignores_case_and_matches_any_white_space() -> None:
    text = "The Court ruled.\nthe  court\tadjourned."
    assert find_spans(text, "the court") == [(0, 9), (17, 27)]
    assert find_spans(text, "   ") == [] and find_spans(text, "") == []
    assert find_spans("a.b a+b", "a+b") == [(4, 7)]  # typed characters are literal, not a pattern
