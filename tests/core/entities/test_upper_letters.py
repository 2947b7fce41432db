"""The shipped table of capital letters is the one this Python's Unicode database gives."""

from __future__ import annotations

import re
import unicodedata

import pytest

from reader.core.entities import matcher, upper_letters


def test_shipped_upper_class_matches_the_computation() -> None:
    if unicodedata.unidata_version != upper_letters.UNIDATA_VERSION:
        pytest.skip(f"this Python has Unicode {unicodedata.unidata_version}; the table is for "
                    f"{upper_letters.UNIDATA_VERSION} and is recomputed at run time")
    assert matcher.compute_upper_class() == upper_letters.UPPER_CLASS
    assert matcher._upper_class() == upper_letters.UPPER_CLASS


def test_the_class_finds_capitals_beyond_ascii() -> None:
    upper = re.compile(f"[{matcher._upper_class()}]")
    assert all(upper.fullmatch(c) for c in "AZÉŁΣЖǅ")
    assert not any(upper.fullmatch(c) for c in "aé1 _-ßж")
