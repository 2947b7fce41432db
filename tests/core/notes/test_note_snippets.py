"""One marking rule for note hits (reader.core.notes.search.marked_snippet), used by the CLI and the window."""

from __future__ import annotations

import html
import re

from reader.core.notes.model import Note
from reader.core.notes.search import marked_snippet, note_snippets, parse_query

TAG = re.compile(r"<[^>]*>")


def test_cut_before_marking_never_splits_a_tag_or_an_entity() -> None:
    for pad in range(380, 410):
        text = "x" * pad + " Tokayev & Masimov <b> ok"
        out = marked_snippet(text, "tokayev masimov", 400)
        assert out.count("<mark>") == out.count("</mark>")
        rest = TAG.sub("", out.replace("<mark>", "").replace("</mark>", ""))
        assert "<" not in rest and ">" not in rest  # the user's "<b>" came out escaped, never as a tag
        assert not re.search(r"&[a-z]*$", out.removesuffix("…")), out[-12:]
        assert len(html.unescape(TAG.sub("", out))) <= 401  # the cut counts the text as read, "…" included


def test_terms_mark_whole_words_from_their_start_and_phrases_across_punctuation() -> None:
    q = parse_query('toka "peaceful protesters" tag:x')
    assert marked_snippet("Tokayev met atokal. Peaceful, protesters left.", q, 400) == \
        "<mark>Tokayev</mark> met atokal. <mark>Peaceful, protesters</mark> left."
    assert marked_snippet("a < b & c", "zzz", 400) == "a &lt; b &amp; c"
    assert marked_snippet("anything", "tag:only", 400) == "anything"


def test_note_snippets_body_then_quote() -> None:
    note = Note(id="n1", corpus="c", doc="d", body="Ask about Masimov.", exact="Masimov was arrested")
    assert note_snippets(note, "masimov") == ["Ask about <mark>Masimov</mark>.", "<mark>Masimov</mark> was arrested"]
    assert note_snippets(Note(id="n2", corpus="c", doc="d"), "x") == []
