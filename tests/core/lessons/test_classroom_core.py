"""Issue 20 core rules (no Qt): word snapping, word differences, the step layer rule, the key table."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from reader.core.align.worddiff import word_diff
from reader.core.keymap import DOCK_KEYS, KEY_TABLE
from reader.core.lessons.model import Step
from reader.core.selection import snap_to_words

words = st.lists(st.sampled_from(["the", "peaceful", "protesters", "“terrorists”", "gathered", "in", "Alma-Ata",
                                  "Tokayev’s", "square,", "on", "5", "January."]), min_size=1, max_size=25)


@given(words, st.data())
def test_snap_stays_inside_the_text_and_is_idempotent(parts: list[str], data: st.DataObject) -> None:
    text = " ".join(parts)
    start = data.draw(st.integers(0, len(text)))
    end = data.draw(st.integers(start, len(text)))
    a, b = snap_to_words(text, start, end)
    assert 0 <= a <= b <= len(text)
    assert snap_to_words(text, a, b) == (a, b)
    if b > a and any(ch.isalnum() for ch in text[start:end]):
        assert text[a].isalnum() and text[b - 1].isalnum()  # begins and ends on a word, never on a space
        assert (a == 0 or not (text[a - 1].isalnum() and text[a].isalnum()))
        assert (b == len(text) or not (text[b - 1].isalnum() and text[b].isalnum()))


@given(words, words)
def test_word_diff_spans_lie_inside_their_passages(left: list[str], right: list[str]) -> None:
    a, b = "x " + " ".join(left) + " y", "z " + " ".join(right)
    diff = word_diff(a, 2, len(a) - 2, b, 2, len(b))
    assert all(2 <= s < e <= len(a) - 2 for s, e in diff.a_spans)
    assert all(2 <= s < e <= len(b) for s, e in diff.b_spans)
    assert word_diff(a, 2, len(a) - 2, a, 2, len(a) - 2).empty


def test_a_presented_step_keeps_notes_private_unless_it_asks() -> None:
    step = Step(title="t", documents=["d"], layers={"entities": True, "framing": True},
                techniques=["doubt"], reveal=["framing"])
    assert not step.allows_layer("notes-yellow", revealed=True)
    assert not step.allows_layer("search-hits", revealed=True)
    assert step.allows_layer("entities:person", revealed=False)
    assert not step.allows_layer("framing:doubt", revealed=False)
    assert step.allows_layer("framing:doubt", revealed=True)
    assert not step.allows_layer("framing:loaded_language", revealed=True)
    assert step.allows_layer("align", revealed=False) and step.allows_layer("find-current", revealed=False)
    asked = Step(title="t", documents=["d"], layers={"notes": True})
    assert asked.allows_layer("notes-yellow", revealed=False)


def test_key_table_names_each_key_once() -> None:
    seen: dict[str, str] = {}
    for row in KEY_TABLE:
        for key in row.keys.replace(" / ", ", ").split(", "):
            assert key not in seen, (key, seen.get(key), row.action)
            seen[key] = row.action
    for key in DOCK_KEYS.values():
        assert any(key in row.keys for row in KEY_TABLE), key
