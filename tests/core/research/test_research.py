"""Research workflow: citations in three styles and three formats, scopes, timelines, saved and batch searches."""

from __future__ import annotations

import csv
import io
import json
import stat
import warnings
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from reader.cli import main
from reader.core.corpus import Corpus
from reader.core.errors import ReaderError
from reader.core.notes.model import Note
from reader.core.paths import bundled_corpus_path, resource_path
from reader.core.research import citations
from reader.core.research.batch import batch_csv, read_queries, run_batch
from reader.core.research.note_citations import export_note_citations, note_text
from reader.core.research.saved_searches import SavedSearches
from reader.core.research.scope import parse_scope, select_notes
from reader.core.research.timeline import timeline, timeline_csv

SCHEMA = Path(__file__).resolve().parents[2] / "data" / "csl-data.json"


@pytest.fixture(scope="module")
def corpus() -> Corpus:
    return Corpus(bundled_corpus_path(), read_only=True).scan()


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def _validate_csl(items: list[dict]) -> None:
    jsonschema = pytest.importorskip("jsonschema")
    jsonschema.validate(items, json.loads(SCHEMA.read_text(encoding="utf-8")))


def test_csl_items_validate_against_the_csl_schema(corpus: Corpus) -> None:
    items = [citations.csl_item(m) for m in corpus.metas()]
    _validate_csl(json.loads(citations.to_csl_json(items)))
    neo = next(i for i in items if i["id"] == "neo-outside-forces")
    assert neo["container-title"] == "New Eastern Outlook"
    assert neo["author"] == [{"family": "Platov", "given": "Vladimir"}]
    assert neo["issued"] == {"date-parts": [[2022, 1, 7]]}
    assert "accessed" in neo


def test_apa_matches_citeproc_rendering_of_the_same_item(corpus: Corpus) -> None:
    from citeproc import Citation, CitationItem, CitationStylesBibliography, CitationStylesStyle, formatter
    from citeproc.source.json import CiteProcJSON

    meta = corpus.meta("neo-outside-forces")
    ours = citations.format_reference(meta, "apa")
    assert ours == ("Platov, V. (2022, January 7). Kazakhstan’s Security was Undermined by Outside Forces. "
                    "New Eastern Outlook.")
    item = citations.csl_item(meta)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        style = CitationStylesStyle(str(resource_path("csl", "apa.csl")), validate=False)
        bib = CitationStylesBibliography(style, CiteProcJSON([item]), formatter.plain)
        bib.register(Citation([CitationItem(item["id"])]))
        assert str(bib.bibliography()[0]) == ours


@pytest.mark.parametrize("style", sorted(citations.STYLES))
def test_every_shipped_style_renders_offline(corpus: Corpus, style: str) -> None:
    refs = citations.format_references([citations.csl_item(m) for m in corpus.metas()], style)
    assert len(refs) == len(corpus) and all("2022" in r for r in refs)
    assert not any("Edition" in r for r in refs)  # citeproc-py's empty-label bug is patched


def test_unknown_style_is_a_clear_error(corpus: Corpus) -> None:
    with pytest.raises(ReaderError, match="unknown citation style"):
        citations.format_reference(corpus.meta("neo-outside-forces"), "vancouver")


def test_bibtex_round_trip_keeps_every_field(corpus: Corpus) -> None:
    import bibtexparser
    from bibtexparser.middlewares import LatexDecodingMiddleware

    items = [citations.csl_item(m, accessed="2026-12-01") for m in corpus.metas()]
    note = "Claim {without} evidence: 50% & “quotes” — Алма-Ата\n\nsecond paragraph"
    text = citations.to_bibtex(items, {"neo-outside-forces": [note]})
    library = bibtexparser.parse_string(text, append_middleware=[LatexDecodingMiddleware()])
    assert not library.failed_blocks and len(library.entries) == len(items)
    entry = {e.key: e for e in library.entries}["neo-outside-forces"].fields_dict
    assert entry["title"].value == "Kazakhstan’s Security was Undermined by Outside Forces"
    assert entry["author"].value == "Platov, Vladimir"
    assert entry["journal"].value == "New Eastern Outlook"
    assert entry["date"].value == "2022-01-07" and entry["urldate"].value == "2026-12-01"
    assert entry["annote"].value == note


def test_ris_round_trip(corpus: Corpus) -> None:
    import rispy

    items = [citations.csl_item(m, accessed="2026-12-01") for m in corpus.metas()]
    records = rispy.loads(citations.to_ris(items, {"moa-failed-rebellion": ["one\ntwo", "three"]}))
    assert [r["id"] for r in records] == [i["id"] for i in items]
    moa = next(r for r in records if r["id"] == "moa-failed-rebellion")
    assert moa["type_of_reference"] == "NEWS" and moa["secondary_title"] == "Moon of Alabama"
    assert moa["authors"] == ["b"] and moa["date"] == "2022/01/08" and moa["access_date"] == "2026/12/01"
    assert moa["notes"] == ["one / two", "three"]


@given(st.text(max_size=60))
def test_any_author_text_gives_schema_valid_names(author: str) -> None:
    for name in citations.csl_names(author):
        assert set(name) <= {"family", "given", "literal"}
        assert all(isinstance(v, str) and v for v in name.values())


def test_locators_paragraph_and_comment(corpus: Corpus) -> None:
    doc = corpus.document("moa-failed-rebellion")
    assert citations.locator_for(doc, 0) == citations.Locator("paragraph", "1")
    second = doc.text.index("\n\n") + 2
    assert citations.locator_for(doc, second).value == "2"
    comment = doc.comments[0]
    loc = citations.locator_for(doc, comment.start)
    assert loc.label == "comment" and loc.value == str(comment.number or 1)


def _note(doc: str, **kw: object) -> Note:
    return Note(id=f"n-{doc}-{kw.get('start')}", corpus="c", doc=doc, **kw)  # type: ignore[arg-type]


def test_notes_export_as_sources_with_quote_and_locator(corpus: Corpus) -> None:
    doc = corpus.document("neo-outside-forces")
    quote = "outside forces"
    start = doc.text.index(quote)
    notes = [_note(doc.id, start=start, end=start + len(quote), exact=quote, body="My reading", tags=("claim",)),
             _note("gone-doc", exact="lost words", status="orphan", body="kept")]

    def lookup(doc_id: str):  # type: ignore[no-untyped-def]
        return corpus.document(doc_id) if doc_id in corpus else None

    items = json.loads(export_note_citations(notes, lookup, "csl-json"))
    _validate_csl(items)
    assert [i["id"] for i in items] == ["neo-outside-forces", "gone-doc"]
    assert "“outside forces” (para." in items[0]["annote"] and "My reading" in items[0]["annote"]
    assert "no longer found" in items[1]["annote"]
    assert "Tags: claim" in note_text(notes[0], doc)
    assert "@article{neo-outside-forces" in export_note_citations(notes, lookup, "bibtex")
    assert "N1  - “outside forces”" in export_note_citations(notes, lookup, "ris")


def test_scopes() -> None:
    notes = [_note("a", tags=("x",)), _note("b", tags=("Y",)), _note("c")]
    assert [n.doc for n in select_notes(notes, parse_scope("doc:a,c"))] == ["a", "c"]
    assert [n.doc for n in select_notes(notes, parse_scope("tag:y"))] == ["b"]
    assert [n.doc for n in select_notes(notes, parse_scope("search:q"), lambda q: {"c"})] == ["c"]
    assert len(select_notes(notes, parse_scope(None))) == 3
    with pytest.raises(ReaderError, match="scope must be"):
        parse_scope("folder:x")


def _engine(tmp_path: Path):  # type: ignore[no-untyped-def]
    from reader.core.context import AppContext
    from reader.core.search import ensure_index, open_engine

    ctx = AppContext.create(data_dir=str(tmp_path / "d"), cache_dir=str(tmp_path / "c"),
                            config_dir=str(tmp_path / "k"))
    corpus = ctx.corpus()
    engine = open_engine(ctx, corpus)
    ensure_index(engine, corpus)
    return engine, corpus


def test_timeline_of_tokayev_shows_five_outlets_by_day(tmp_path: Path) -> None:
    engine, corpus = _engine(tmp_path)
    try:
        line = timeline(engine, "Tokayev", sorted({m.outlet for m in corpus.metas()}))
        search = engine.search("Tokayev", limit=0)
    finally:
        engine.close()
    assert len(line.counts) == 5 and all(line.counts.values())
    assert line.first_day("New Eastern Outlook") == "2022-01-07"
    rows = list(csv.DictReader(io.StringIO(timeline_csv(line))))
    assert {r["outlet"]: int(r["total"]) for r in rows} == search.facets["outlet"]
    assert sum(int(r["total"]) for r in rows) == search.total


def test_batch_search_rows_per_query_and_outlet(tmp_path: Path) -> None:
    engine, _ = _engine(tmp_path)
    queries = read_queries("Tokayev\n# a comment\n\nAblyazov\nTokayev\ntitle:(\n")
    assert queries == ["Tokayev", "Ablyazov", "title:("]
    seen: list[tuple[int, int]] = []
    try:
        rows = run_batch(engine, queries, progress=lambda d, t: seen.append((d, t)))
    finally:
        engine.close()
    assert seen[-1] == (3, 3)
    assert rows[0].total == 5 and sum(rows[0].outlets.values()) == 5
    assert rows[2].error and "bad query" in rows[2].error
    table = list(csv.reader(io.StringIO(batch_csv(rows))))
    assert table[0] == ["query", "outlet", "documents", "error"]
    assert ["Tokayev", "(all outlets)", "5", ""] in table


def test_saved_searches_survive_a_restart_privately(tmp_path: Path) -> None:
    SavedSearches(tmp_path).save("Kazakh unrest", "Tokayev OR Nazarbayev")
    again = SavedSearches(tmp_path)
    assert [s.query for s in again.list()] == ["Tokayev OR Nazarbayev"]
    assert stat.S_IMODE(again.path.stat().st_mode) == 0o600
    again.delete("Kazakh unrest")
    assert SavedSearches(tmp_path).list() == []
    with pytest.raises(ReaderError):
        again.save("  ", "x")


def test_broken_saved_searches_file_is_set_aside(tmp_path: Path) -> None:
    (tmp_path / "saved-searches.yaml").write_text("searches: [unclosed\n", encoding="utf-8")
    saved = SavedSearches(tmp_path)
    assert saved.list() == [] and saved.notice and "could not be read" in saved.notice
    assert [p.read_text(encoding="utf-8") for p in tmp_path.glob("saved-searches.yaml.broken-*")] == \
        ["searches: [unclosed\n"]


def test_cli_cite_timeline_searches(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, out, _ = run(capsys, "cite", "neo-outside-forces", "--style", "mla", "--json")
    assert code == 0
    [ref] = json.loads(out)["references"]
    assert ref["reference"].startswith("Platov, Vladimir. “Kazakhstan’s Security")
    code, out, _ = run(capsys, "cite", "--format", "csl-json")
    assert code == 0 and len(json.loads(out)) == 5
    code, out, _ = run(capsys, "timeline", "Tokayev", "--json")
    assert code == 0 and len(json.loads(out)["outlets"]) == 5
    code, out, _ = run(capsys, "searches", "save", "T", "Tokayev", "--json")
    assert code == 0 and json.loads(out)["documents"] == 5
    code, out, _ = run(capsys, "searches", "list", "--json")
    assert json.loads(out)["searches"][0]["name"] == "T"
    queries = tmp_path / "q.txt"
    queries.write_text("Tokayev\nAblyazov\n", encoding="utf-8")
    code, out, _ = run(capsys, "searches", "batch", str(queries), "--csv")
    assert code == 0 and out.startswith("query,outlet,documents,error")


def test_cli_errors_are_one_line(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, _, err = run(capsys, "cite", "no-such-doc")
    assert code == 2 and "no-such-doc" in err and "Traceback" not in err
    code, _, err = run(capsys, "timeline", "title:(")
    assert code == 2 and "bad query" in err
    code, _, err = run(capsys, "searches", "save", "bad", "title:(")
    assert code == 2 and "bad query" in err
    code, _, err = run(capsys, "searches", "batch", str(tmp_path / "missing.txt"))
    assert code == 2 and "cannot read queries" in err


def test_citation_style_setting_matches_the_shipped_styles() -> None:
    from reader.core.settings import declared

    assert declared("research.citation_style").choices == tuple(citations.STYLES)


def test_notes_export_citation_formats_style_and_scope(capsys: pytest.CaptureFixture[str]) -> None:
    import rispy

    code, _, _ = run(capsys, "notes", "add", "--doc", "neo-outside-forces", "--quote", "outside forces",
                     "--text", "Claim", "--tags", "claim")
    assert code == 0
    code, _, _ = run(capsys, "notes", "add", "--doc", "moa-failed-rebellion", "--text", "Whole piece",
                     "--tags", "other")
    assert code == 0
    code, out, _ = run(capsys, "notes", "export", "--format", "csl-json", "--scope", "tag:claim")
    items = json.loads(out)
    _validate_csl(items)
    assert [i["id"] for i in items] == ["neo-outside-forces"] and "(para. 1)" in items[0]["annote"]
    code, out, _ = run(capsys, "notes", "export", "--format", "ris", "--scope", "search:title:mysteries")
    assert code == 0 and [r["id"] for r in rispy.loads(out)] == ["moa-failed-rebellion"]
    code, out, _ = run(capsys, "notes", "export", "--format", "md", "--style", "apa", "--scope", "all")
    assert code == 0 and "Source: Platov, V. (2022, January 7)." in out and "(para. 1)" in out
    code, _, err = run(capsys, "notes", "export", "--format", "bibtex", "--scope", "folder:x")
    assert code == 2 and "scope must be" in err
