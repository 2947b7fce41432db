"""Search core: index, query language, snippets, facets, suggestions, incremental updates, damage."""

from __future__ import annotations

import itertools
import shutil
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reader.core.corpus import Corpus
from reader.core.search.analysis import analyse, normalise_word, query_terms
from reader.core.search.engine import QuerySyntaxError
from reader.core.search.fields import register_field, unregister_field
from reader.core.search.highlight import MatchSpec, find_hits, snippets
from reader.core.search.querylang import parse
from reader.core.search.schema import build_schema, schema_version
from reader.core.search.service import search_with_index
from reader.core.search.whoosh_engine import WhooshEngine
from tests.conftest import BUNDLED, write_doc

ALL = {"frontier-post-alma-ata", "neo-outside-forces", "kavkazplus-gutted", "eadaily-ukrainian-trace",
       "moa-failed-rebellion"}


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> WhooshEngine:
    corpus = Corpus(BUNDLED).scan()
    eng = WhooshEngine(tmp_path_factory.mktemp("search") / "index", corpus)
    report = eng.update(corpus)
    assert report.rebuilt and report.added == 5
    return eng


def ids(results) -> set[str]:
    return {h.id for h in results.hits}


# -- analyzer -----------------------------------------------------------------------
def test_spelling_variants_meet_in_one_term() -> None:
    assert query_terms("colour revolutions") == query_terms("color revolution")
    assert normalise_word("organised") == normalise_word("organized")
    assert normalise_word("centre") == normalise_word("center")
    assert normalise_word("hour") != normalise_word("hor")  # -our rule is not applied blindly


def test_possessive_is_outside_the_token() -> None:
    text = "Tokayev’s men and Ablyazov's money"
    terms = {term: text[s:e] for term, s, e in analyse(text)}
    assert terms["tokayev"] == "Tokayev" and terms["ablyazov"] == "Ablyazov"


@settings(max_examples=60, deadline=None)
@given(st.text(alphabet=st.sampled_from("ab cdé’'\n.-XY"), max_size=80))
def test_analyse_offsets_are_exact(text: str) -> None:
    for term, start, end in analyse(text):
        assert 0 <= start < end <= len(text)
        assert normalise_word(text[start:end]) == term


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from(["colour", "color", "red", "the", "revolution", "a", "x\n\ny"]), max_size=30))
def test_hits_are_sorted_disjoint_and_mark_matching_words(words: list[str]) -> None:
    text = " ".join(words)
    spec = MatchSpec(terms={normalise_word("color")}, phrases=[(("red", normalise_word("revolution")), 2)])
    hits = find_hits(text, 0, len(text), spec)
    for (_s1, e1), (s2, _e2) in itertools.pairwise(hits):
        assert e1 < s2
    for s, e in hits:
        assert 0 <= s < e <= len(text)
        assert text[s:e].split()[0].lower() in ("colour", "color", "red")
    for snippet in snippets(text, 0, len(text), hits):
        assert snippet.count("<mark>") == snippet.count("</mark>")


def test_phrase_hits_respect_slop() -> None:
    text = "peaceful young protesters, peaceful protesters, peaceful people who never protested"
    spec = MatchSpec(phrases=[(tuple(query_terms("peaceful protesters")), 1)])
    assert [text[s:e] for s, e in find_hits(text, 0, len(text), spec)] == ["peaceful protesters"]
    spec = MatchSpec(phrases=[(tuple(query_terms("peaceful protesters")), 2)])
    assert [text[s:e] for s, e in find_hits(text, 0, len(text), spec)] == [
        "peaceful young protesters", "peaceful protesters"]


# -- query language -------------------------------------------------------------------
@pytest.mark.parametrize("bad, words", [
    ('"open phrase', "unclosed quote"),
    ("(a OR b", "parentheses"),
    ("a)", "parentheses"),
    ("colour:red", "unknown field"),
    ("title:", "needs a value"),
    ("Tokayev AND", "needs a word after"),
    ("OR Tokayev", "needs a word before"),
    ("published:yesterday", "date"),
    ("published:[2022-01-01 TO", "range"),
    ("   ", "empty"),
])
def test_malformed_queries_explained_in_one_line(bad: str, words: str) -> None:
    with pytest.raises(QuerySyntaxError) as err:
        parse(bad, build_schema())
    assert words in str(err.value) and "\n" not in str(err.value)


def test_query_features_parse() -> None:
    schema = build_schema()
    assert "NOT" in str(parse("a -Tokayev", schema).query)
    assert parse("Section:Comment x", schema).explicit_section
    assert "title:kazakhstan" in str(parse("Title:Kazakhstan", schema).query)


# -- searching the bundled corpus --------------------------------------------------------
def test_term_search_with_marked_snippets(engine: WhooshEngine) -> None:
    res = engine.search("Ablyazov")
    assert ids(res) == ALL - {"kavkazplus-gutted"} and res.total == 4
    for hit in res.hits:
        assert hit.snippets and any("<mark>Ablyazov</mark>" in s for s in hit.snippets)
        assert len(hit.snippets) <= 3 and hit.section == "article"
    assert res.hits == sorted(res.hits, key=lambda h: -h.score)


def test_british_and_american_spellings_find_each_other(engine: WhooshEngine) -> None:
    american = engine.search("color revolution")
    british = engine.search("colour revolutions")
    assert ids(american) == ids(british)
    assert {"eadaily-ukrainian-trace", "neo-outside-forces", "moa-failed-rebellion"} <= ids(american)
    ead = next(h for h in american.hits if h.id == "eadaily-ukrainian-trace")
    assert any("<mark>colour</mark>" in s for s in ead.snippets)


def test_fields_sections_and_dates(engine: WhooshEngine) -> None:
    assert ids(engine.search('outlet:"Moon of Alabama" Masimov')) == {"moa-failed-rebellion"}
    comments = engine.search("section:comments Erdogan")
    assert comments.hits and all(h.section == "comments" for h in comments.hits)
    moa = Corpus(BUNDLED).scan().document("moa-failed-rebellion")
    comments_text = moa.section_text("comments")
    for snippet in comments.hits[0].snippets:
        plain = snippet.replace("<mark>", "").replace("</mark>", "").strip("…").replace("&amp;", "&")
        assert plain[:40] in comments_text.replace("\n", " ")
    late = engine.search("published:[2022-01-09 TO 2022-01-31] Tokayev")
    assert ids(late) == {"kavkazplus-gutted", "eadaily-ukrainian-trace"}
    assert ids(engine.search("published:2022-01-07")) == {"frontier-post-alma-ata", "neo-outside-forces"}
    assert ids(engine.search("published:2022-01 -Ablyazov")) == {"kavkazplus-gutted"}


def test_comments_do_not_pollute_article_results(engine: WhooshEngine) -> None:
    article = engine.search("Erdogan")
    assert all(h.section == "article" for h in article.hits)
    assert article.facets["section"].get("comments") == 1  # the facet shows where else it is


def test_phrases_prefix_fuzzy_or(engine: WhooshEngine) -> None:
    phrase = engine.search('"peaceful protesters"~2')
    assert "moa-failed-rebellion" in ids(phrase)
    assert all(any("<mark>peaceful protesters</mark>" in s for s in h.snippets) for h in phrase.hits)
    assert ids(engine.search("Ablyaz*")) == ids(engine.search("Ablyazov"))
    assert ids(engine.search("Ablyazof~")) == ids(engine.search("Ablyazov"))
    either = engine.search("Masimov OR Tyahnybok")
    assert ids(either) == ids(engine.search("Masimov")) | ids(engine.search("Tyahnybok"))


def test_facets_and_filters(engine: WhooshEngine) -> None:
    res = engine.search("Kazakhstan")
    assert res.facets["outlet"]["Moon of Alabama"] == 1
    assert sum(res.facets["published"].values()) == res.total
    assert list(res.facets)[:3] == ["outlet", "section", "published"]
    narrowed = engine.search("Kazakhstan", filters={"outlet": ["EADaily"]})
    assert ids(narrowed) == {"eadaily-ukrainian-trace"}
    by_day = engine.search("Kazakhstan", filters={"published": ["2022-01-07"]})
    assert ids(by_day) == {"frontier-post-alma-ata", "neo-outside-forces"}
    in_comments = engine.search("Kazakhstan", filters={"section": ["comments"]})
    assert [h.section for h in in_comments.hits] == ["comments"]


def test_suggestion_for_rare_words(engine: WhooshEngine) -> None:
    res = engine.search("Ablyazof")
    assert res.total == 0 and res.suggestion == "Ablyazov"
    assert engine.search("Ablyazov").suggestion is None
    assert engine.search('outlet:"Moon of Alabama" Masimov').suggestion is None


def test_more_like_this_and_hit_spans(engine: WhooshEngine) -> None:
    corpus = Corpus(BUNDLED).scan()
    moa = corpus.document("moa-failed-rebellion")
    like = engine.more_like_this(moa, limit=3)
    assert like.hits and "moa-failed-rebellion" not in ids(like)
    spans = engine.hit_spans("Ablyazov", moa)
    assert spans and all(moa.text[s:e] == "Ablyazov" for s, e in spans)
    assert all(e <= moa.section("article").end for _s, e in spans)
    comment_spans = engine.hit_spans("section:comments Erdogan", moa)
    assert comment_spans and all(s >= moa.section("comments").start for s, _e in comment_spans)


# -- index lifecycle ----------------------------------------------------------------------
def _fresh(tmp_path: Path, corpus_copy: Path) -> tuple[WhooshEngine, Corpus]:
    corpus = Corpus(corpus_copy).scan()
    return WhooshEngine(tmp_path / "cache" / "index", corpus, procs=1), corpus


def test_incremental_update_touches_only_changes(tmp_path: Path, corpus_copy: Path) -> None:
    eng, corpus = _fresh(tmp_path, corpus_copy)
    assert eng.update().added == 5
    again = eng.update()
    assert (again.added, again.updated, again.removed, again.unchanged, again.rebuilt) == (0, 0, 0, 5, False)
    path = corpus_copy / "kavkazplus-gutted.md"
    path.write_text(path.read_text(encoding="utf-8").replace("Simferopol", "Simferopol zanzibarian"),
                    encoding="utf-8")
    corpus.scan()
    report = eng.update()
    assert (report.added, report.updated, report.removed, report.unchanged) == (0, 1, 0, 4)
    assert ids(eng.search("zanzibarian")) == {"kavkazplus-gutted"}
    (corpus_copy / "neo-outside-forces.md").touch()  # same text, new mtime: unchanged
    corpus.scan()
    assert eng.update().unchanged == 5
    (corpus_copy / "neo-outside-forces.md").unlink()
    write_doc(corpus_copy, "new-piece", "Ablyazov again.")
    corpus.scan()
    report = eng.update()
    assert (report.added, report.removed) == (1, 1)
    assert ids(eng.search("Ablyazov")) == {"frontier-post-alma-ata", "eadaily-ukrainian-trace",
                                           "moa-failed-rebellion", "new-piece"}
    assert eng.merge() in (True, False)
    assert ids(eng.search("zanzibarian")) == {"kavkazplus-gutted"}


def test_damaged_or_missing_index_is_rebuilt_and_reported(tmp_path: Path, corpus_copy: Path) -> None:
    eng, corpus = _fresh(tmp_path, corpus_copy)
    eng.update()
    eng.close()
    segment = max(eng.index_dir.glob("*.seg"), key=lambda p: p.stat().st_size)
    with segment.open("r+b") as fh:
        fh.truncate(segment.stat().st_size // 3)
    res, report = search_with_index(eng, corpus, "Ablyazov")
    assert report.rebuilt and "cannot be read" in report.reason
    assert len(ids(res)) == 4
    eng.close()
    shutil.rmtree(tmp_path / "cache")
    res, report = search_with_index(eng, corpus, "Ablyazov")
    assert report.rebuilt and "no index" in report.reason and res.total == 4
    eng.close()
    toc = next(eng.index_dir.glob("*.toc"))
    toc.write_bytes(toc.read_bytes()[:10])
    res, report = search_with_index(eng, corpus, "Ablyazov")
    assert report.rebuilt and res.total == 4


def test_cancelled_build_keeps_previous_index(tmp_path: Path, corpus_copy: Path) -> None:
    from reader.core.search.engine import IndexCancelled

    eng, corpus = _fresh(tmp_path, corpus_copy)
    eng.update()
    calls = {"n": 0}

    def cancel_soon() -> bool:
        calls["n"] += 1
        return calls["n"] > 2

    with pytest.raises(IndexCancelled):
        eng.build(corpus, cancelled=cancel_soon)
    assert eng.needs_rebuild() is None and eng.search("Ablyazov").total == 4
    assert not list(eng.index_dir.parent.glob("index.new-*"))


def test_registered_field_changes_schema_and_is_searchable(tmp_path: Path, corpus_copy: Path) -> None:
    from whoosh.fields import KEYWORD

    eng, corpus = _fresh(tmp_path, corpus_copy)
    eng.update()
    before = schema_version()
    register_field("testtag", lambda: KEYWORD(lowercase=True, scorable=True),
                   lambda doc: ["tokayev"] if "Tokayev" in doc.text else [], facet=True)
    try:
        assert schema_version() != before
        eng2 = WhooshEngine(eng.index_dir, corpus, procs=1)
        report = eng2.update()
        assert report.rebuilt and "schema changed" in report.reason
        res = eng2.search("testtag:tokayev")
        assert res.total == len({h.id for h in eng2.search("Tokayev", limit=50).hits})
        assert res.facets["testtag"] == {"tokayev": res.total}
        eng2.close()
    finally:
        unregister_field("testtag")
    eng3 = WhooshEngine(eng.index_dir, corpus, procs=1)
    assert "schema changed" in (eng3.needs_rebuild() or "")


def test_parallel_build_matches_single_process(tmp_path: Path) -> None:
    folder = tmp_path / "many"
    folder.mkdir()
    words = ["alpha", "beta", "gamma", "delta", "colour", "revolution", "protest"]
    for n in range(320):
        body = " ".join(words[(n + k) % len(words)] for k in range(n % 11 + 3)) + f" marker{n % 7}"
        write_doc(folder, f"doc-{n:03d}", body, published=f"2022-01-{n % 28 + 1:02d}")
    corpus = Corpus(folder).scan()
    single = WhooshEngine(tmp_path / "one" / "index", corpus, procs=1)
    double = WhooshEngine(tmp_path / "two" / "index", corpus, procs=2)
    assert single.update().added == double.update().added == 320
    for q in ("colour", "marker3", "beta -gamma", '"colour revolution"', "published:2022-01-05"):
        assert single.search(q, limit=400).total == double.search(q, limit=400).total


@pytest.mark.parametrize("q", ['"peaceful protesters"~2', '"color revolution"', "Erdogan", "Kazakh* -Ablyazov",
                               'section:comments "the west"', "published:[2022-01-01 TO 2022-01-08] Tokayev"])
def test_counts_and_facets_equal_a_walk_of_every_match(engine: WhooshEngine, q: str) -> None:
    """The set-algebra and recorded-walk counts agree with Whoosh walking every match."""
    from whoosh import query as wq

    from reader.core.search.querylang import parse as parse_query

    res = engine.search(q, limit=2)
    parsed = parse_query(q, engine._schema, engine._parser)
    searcher = engine._search_handle()
    base = engine._expand_fuzzy(parsed.query, searcher)
    every = set(searcher.docs_for_query(base))
    stored = {d: searcher.stored_fields(d) for d in every}
    sections: dict[str, int] = {}
    for fields in stored.values():
        sections[fields["section"]] = sections.get(fields["section"], 0) + 1
    assert res.facets["section"] == dict(sorted(sections.items(), key=lambda kv: (-kv[1], kv[0])))
    shown = every if parsed.explicit_section else {d for d in every if stored[d]["section"] == "article"}
    assert res.total == len(shown)
    outlets: dict[str, int] = {}
    for d in shown:
        outlets[stored[d]["outlet"]] = outlets.get(stored[d]["outlet"], 0) + 1
    assert res.facets["outlet"] == dict(sorted(outlets.items(), key=lambda kv: (-kv[1], kv[0])))
    assert isinstance(base, wq.Query)


@pytest.mark.parametrize("q", ["Ablyazov", '"peaceful protesters"~2', "Kazakh* -Ablyazov",
                               'section:comments "the west"', "colour revolution"])
def test_snippets_from_indexed_text_equal_snippets_from_the_file(engine: WhooshEngine, q: str,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """Snippets cut from the record's text column are those cut from the document read from its file."""
    plain = engine.search(q, limit=20, snippets=0)
    assert plain.hits
    read: list[str] = []
    document = engine.corpus.document
    with monkeypatch.context() as patch:
        patch.setattr(engine.corpus, "document", lambda doc_id: read.append(doc_id) or document(doc_id))
        indexed = engine.snippets(q, plain.hits)
    assert read == []  # every snippet cut from the index's text, no file read
    monkeypatch.setattr(WhooshEngine, "_unchanged_since_indexed", lambda self, doc_id, content_hash: False)
    from_files = engine.snippets(q, plain.hits)
    assert [h.snippets for h in indexed] == [h.snippets for h in from_files]
    assert [h.snippets for h in indexed] == [h.snippets for h in engine.search(q, limit=20, snippets=3).hits]
    assert any(h.snippets for h in indexed)


def test_changed_file_before_the_update_snippets_from_the_file(tmp_path: Path, corpus_copy: Path) -> None:
    """A file changed after indexing (index not updated yet): its snippets come from the file, not the index."""
    eng, corpus = _fresh(tmp_path, corpus_copy)
    eng.update()
    hit = next(h for h in eng.search("Simferopol").hits if h.id == "kavkazplus-gutted")
    assert eng._unchanged_since_indexed(hit.id, eng._search_handle().stored_fields(
        eng._search_handle().document_number(key=f"{hit.id}#article"))["hash"])
    path = corpus_copy / "kavkazplus-gutted.md"
    path.write_text(path.read_text(encoding="utf-8").replace("Simferopol", "Simferopol-Zanzibar"), encoding="utf-8")
    corpus.scan()
    again = eng.snippets("Simferopol", [hit])[0]
    assert again.snippets and any("Zanzibar" in s for s in again.snippets)
