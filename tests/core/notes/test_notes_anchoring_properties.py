"""Hypothesis properties of re-anchoring (issue 13): a confident status is never a wrong place.

Texts are random orders of a vocabulary, so passages can be told apart by their context;
the properties then say what must hold for every edit:
unchanged text keeps every note exactly where it was; an edit outside a passage and its
context keeps the note on it; a passage deleted while a copy of its words survives
elsewhere (with other surroundings) is never placed on that copy with a confident status;
a slight edit at the old place is never beaten by an intact copy elsewhere.
"""

from __future__ import annotations

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from rapidfuzz.distance import Levenshtein

from reader.core.notes.anchoring import (
    ANCHORED,
    CONFIDENT,
    CONTEXT,
    MOVED,
    NEEDS_REVIEW,
    ORPHAN,
    quote_selector,
    reanchor,
)

VOCAB = ("army", "police", "crowd", "night", "report", "minister", "capital", "border", "media", "fuel",
         "price", "city", "square", "state", "unrest", "court", "vote", "party", "leader", "union", "budget",
         "river", "bridge", "market", "school", "doctor", "farmer", "strike", "talks", "treaty", "summit",
         "island", "harbour", "railway", "airport", "election", "council", "mayor", "judge", "village")
#: every word once: a passage is told apart by its words and context, as in real prose (a text of
#: "army army army" has no right answer once its start is edited, so it proves nothing here)
WORDS = st.permutations(VOCAB)
SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _text_and_passage(words: list[str], data: st.DataObject, min_words: int = 2,
                      max_words: int = 8) -> tuple[str, int, int]:
    text = " ".join(words) + "."
    i = data.draw(st.integers(0, len(words) - max_words - 1))
    n = data.draw(st.integers(min_words, max_words))
    start = len(" ".join(words[:i])) + (1 if i else 0)
    return text, start, start + len(" ".join(words[i:i + n]))


def _distinct(a: str, b: str) -> bool:
    """Two stretches of context that no reader would take for the same place."""
    return Levenshtein.normalized_similarity(a, b) < 0.5


@SETTINGS
@given(WORDS, st.data())
def test_unchanged_text_reanchors_exactly(words: list[str], data: st.DataObject) -> None:
    text, start, end = _text_and_passage(words, data)
    got = reanchor(text, quote_selector(text, start, end), start, end)
    assert (got.start, got.end, got.status) == (start, end, ANCHORED)


@SETTINGS
@given(WORDS, st.data(), st.text("abcdefgh .\n", min_size=1, max_size=80))
def test_an_edit_outside_the_passage_and_its_context_keeps_it(words: list[str], data: st.DataObject,
                                                              inserted: str) -> None:
    text, start, end = _text_and_passage(words, data)
    sel = quote_selector(text, start, end)
    window = sel.prefix + sel.exact + sel.suffix
    assume(text.count(window) == 1)
    # insert (or replace a stretch with) new text somewhere outside [start - 32, end + 32)
    before = data.draw(st.booleans())
    lo, hi = (0, max(0, start - CONTEXT)) if before else (min(len(text), end + CONTEXT), len(text))
    a = data.draw(st.integers(lo, hi))
    b = data.draw(st.integers(a, hi))
    new = text[:a] + inserted + text[b:]
    shift = (len(inserted) - (b - a)) if before else 0
    assume(new.count(window) == 1)
    got = reanchor(new, sel, start, end)
    assert (got.start, got.end) == (start + shift, end + shift)
    assert got.status in (ANCHORED, MOVED)


@SETTINGS
@given(WORDS, WORDS, st.data())
def test_deleting_the_passage_never_yields_a_confident_placement_elsewhere(
        words: list[str], more: list[str], data: st.DataObject) -> None:
    text, start, end = _text_and_passage(words, data, 2, 4)
    quote = text[start:end]
    # a copy of the quote elsewhere, with its own surroundings
    tail = " ".join(more) + "."
    assume(quote not in tail)  # the one copy is the one put there
    at = data.draw(st.integers(0, len(more) - 1))
    cut = len(" ".join(more[:at])) + (1 if at else 0)
    other = tail[:cut] + quote + " " + tail[cut:]
    full = text + "\n\n" + other
    sel = quote_selector(full, start, end)
    copy_at = len(text) + 2 + cut
    assume(_distinct(sel.prefix, full[max(0, copy_at - CONTEXT):copy_at]))
    assume(_distinct(sel.suffix, full[copy_at + len(quote):copy_at + len(quote) + CONTEXT]))
    # the noted passage goes, with the words around it (a sentence or paragraph deleted)
    a = max(0, start - data.draw(st.integers(0, 40)))
    b = min(len(text), end + data.draw(st.integers(0, 40)))
    edited = full[:a] + full[b:]
    got = reanchor(edited, sel, start, end)
    if got.status in CONFIDENT:
        # never the copy with its own surroundings; a confident place is a surviving piece of the
        # passage, or (a small vocabulary can build one) a look-alike whose both sides of context
        # read as the note's own
        assert got.start != copy_at - (b - a)
        survivor = edited.find(quote, 0, len(text) - (b - a))
        if got.start != survivor:
            assert got.start is not None and got.end is not None
            assert not _distinct(sel.prefix, edited[max(0, got.start - len(sel.prefix)):got.start])
            assert not _distinct(sel.suffix, edited[got.end:got.end + len(sel.suffix)])
    else:
        assert got.status in (NEEDS_REVIEW, ORPHAN)


@SETTINGS
@given(WORDS, st.data())
def test_a_slight_edit_at_the_old_place_is_not_beaten_by_a_copy_elsewhere(words: list[str],
                                                                          data: st.DataObject) -> None:
    text, start, end = _text_and_passage(words, data, 3, 6)
    quote = text[start:end]
    full = text + "\n\nAnd elsewhere " + quote + " was written in a quite different sentence."
    sel = quote_selector(full, start, end)
    assume(full.count(quote) == 2)
    k = data.draw(st.integers(start + 1, end - 2))
    assume(full[k].isalpha())
    edited = full[:k] + ("z" if full[k] != "z" else "q") + full[k + 1:]
    got = reanchor(edited, sel, start, end)
    copy_at = edited.index(quote, start + 1)
    assert got.start != copy_at or got.status == NEEDS_REVIEW
    if got.status in CONFIDENT:
        assert abs(got.start - start) <= 2 and abs(got.end - end) <= 2
