"""Concordance: query language, spans, sorting, dispersion, cache, CLI acceptance."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reader.cli import main
from reader.core.context import AppContext
from reader.core.errors import ReaderError
from reader.core.framing.kwic import KwicIndex, KwicRecord, dispersion, kwic_csv_rows, sort_lines

RECORDS = [
    KwicRecord("a", "Outlet B", "2022-01-08", "It was a colour revolution.\n\nAnother Color-Revolution followed."),
    KwicRecord("b", "Outlet A", "2022-01-07", "No colored revolution here, only a revolution of colour."),
    KwicRecord("c", "Outlet C", None, "Nothing to see."),
]


def test_spelling_variants_and_offsets() -> None:
    index = KwicIndex.from_records(RECORDS)
    lines = index.search("colour revolution", width=10)
    texts = {r.doc: r.text for r in RECORDS}
    assert [(ln.doc, ln.match) for ln in lines] == [("a", "colour revolution"), ("a", "Color-Revolution"),
                                                    ("b", "colored revolution")]
    for ln in lines:
        assert texts[ln.doc][ln.start:ln.end] == ln.match
        assert texts[ln.doc][ln.start - len(ln.left):ln.start].replace("\n", " ") == ln.left
        assert 0 <= ln.position < 1
    assert [ln.match for ln in index.search("color revolution", exact=True)] == ["Color-Revolution"]
    assert len(index.search("revolution|nothing")) == 5
    assert [ln.match for ln in index.search("revol*")] == ["revolution", "Revolution", "revolution", "revolution"]
    with pytest.raises(ReaderError):
        index.search("  ")


def test_sorting_dispersion_csv() -> None:
    lines = KwicIndex.from_records(RECORDS).search("revolution", width=15)
    assert sort_lines(lines, "outlet")[0].outlet == "Outlet A"
    assert sort_lines(lines, "date")[0].date == "2022-01-07"
    lefts = [ln.left.split()[-1].lower() for ln in sort_lines(lines, "left")]
    assert lefts == sorted(lefts)
    assert set(dispersion(lines)) == {"a", "b"}
    rows = kwic_csv_rows(lines)
    assert rows[0][:3] == ["doc", "outlet", "date"] and len(rows) == len(lines) + 1
    with pytest.raises(ReaderError):
        sort_lines(lines, "nonsense")


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=200), st.text(min_size=1, max_size=12))
def test_random_text_and_queries_slice(text: str, query: str) -> None:
    index = KwicIndex.from_records([KwicRecord("x", "O", None, text), KwicRecord("y", "P", None, text[::-1])])
    texts = {"x": text, "y": text[::-1]}
    try:
        lines = index.search(query, width=5)
    except ReaderError:
        return
    for ln in lines:
        assert texts[ln.doc][ln.start:ln.end] == ln.match and ln.end > ln.start
    for a, b in itertools.pairwise(lines):  # one line per place: lines never overlap
        assert a.doc != b.doc or a.end <= b.start


def test_overlapping_alternatives_give_one_line_per_mention() -> None:
    index = KwicIndex.from_records([KwicRecord("k", "O", None, "President Kassym-Jomart Tokayev spoke; Tokayev left.")])
    lines = index.search("Kassym-Jomart|Kassym-Jomart Tokayev|Tokayev")
    assert [ln.match for ln in lines] == ["Kassym-Jomart Tokayev", "Tokayev"]


def test_corpus_cache_reused(tmp_path: Path) -> None:
    corpus = AppContext.create().corpus()
    first = KwicIndex.for_corpus(corpus, tmp_path)
    assert (tmp_path / "kwic" / "texts.json").exists()
    second = KwicIndex.for_corpus(corpus, tmp_path)
    assert [r.doc for r in first.records] == [r.doc for r in second.records]
    assert second.blob == first.blob


def test_cli_kwic_colour_revolution_every_outlet(capsys: pytest.CaptureFixture[str]) -> None:
    corpus = AppContext.create().corpus()
    users = {d.meta.outlet for d in corpus.documents() if "revolution" in d.text.lower()
             and any(v in d.text.lower() for v in ("colour revolution", "color revolution", "colored revolution"))}
    assert main(["kwic", "colour revolution", "--json", "--width", "30"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["query"] == "colour revolution"
    assert {ln["outlet"] for ln in out["lines"]} == users and len(users) >= 4
    for ln in out["lines"]:
        text = corpus.document(ln["doc"]).text
        assert text[ln["start"]:ln["end"]] == ln["match"] and ln["left"] and ln["right"]
        assert len(ln["left"]) <= 30
    assert main(["kwic", "zzzznothing"]) == 1


def test_cli_kwic_entity_every_spelling(capsys: pytest.CaptureFixture[str]) -> None:
    pytest.importorskip("reader.core.entities.api")
    assert main(["kwic", "tokayev", "--entity", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert len(out["spellings"]) >= 2 and out["count"] > 10
    assert {ln["match"] for ln in out["lines"]} <= set(out["spellings"])
    places = [(ln["doc"], ln["start"], ln["end"]) for ln in out["lines"]]
    for (doc_a, _s, end_a), (doc_b, start_b, _e) in itertools.pairwise(places):
        assert doc_a != doc_b or end_a <= start_b  # "Kassym-Jomart Tokayev" is one line, not three
