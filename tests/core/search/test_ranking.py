"""The impact ranker gives Whoosh's BM25F scores and order (exhaustive walk), segments and deletions included.

Phrases and proximity included: the ranker's position check must match exactly what Whoosh's
``SpanNear2`` walk matches (a fixed list and a Hypothesis property over random phrases).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from whoosh import collectors, query

from reader.core.corpus import Corpus
from reader.core.search.querylang import parse
from reader.core.search.ranking import Ranker
from reader.core.search.whoosh_engine import WhooshEngine
from tests.conftest import write_doc

WORDS = ["alpha", "beta", "gamma", "delta", "colour", "revolution", "protest", "minister", "said", "rally"]
QUERIES = ["alpha", "colour revolution", "beta OR gamma", "protest -rally", "minister AND (said OR alpha)",
           "title:gamma", "gamma^2 delta", "prtest~", "said -alpha -beta", "(alpha OR beta) -gamma delta",
           '"colour revolution"', '"alpha beta"~3', '"said said"', '"gamma delta protest"~2',
           '"revolution rally" minister', '"minister said"^2 OR alpha', 'protest -"alpha alpha"',
           'title:"changed 3"', '"colour revolution"~0', '"beta gamma"~5 -"gamma protest"']


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> WhooshEngine:
    folder = tmp_path_factory.mktemp("ranked")
    for n in range(60):
        body = " ".join(WORDS[(n * 3 + k * k) % len(WORDS)] for k in range(n % 13 + 4))
        write_doc(folder, f"doc-{n:02d}", body + ".", title=f"{WORDS[n % len(WORDS)]} story {n}",
                  published=f"2022-01-{n % 28 + 1:02d}")
    corpus = Corpus(folder).scan()
    eng = WhooshEngine(tmp_path_factory.mktemp("ix") / "index", corpus, procs=1)
    eng.update(corpus)
    # A second and third segment, and deleted records: change some files, add others.
    for n in (3, 17, 41):
        write_doc(folder, f"doc-{n:02d}", "alpha alpha colour revolution rally.", title=f"changed {n}")
    for n in range(60, 66):
        write_doc(folder, f"doc-{n:02d}", "beta gamma protest minister said.", title="late arrival")
    corpus.scan()
    assert eng.update(corpus).changed
    assert eng.segment_count() > 1
    return eng


def whoosh_top(engine: WhooshEngine, q, allow: set[int] | None) -> list[tuple[int, float]]:
    searcher = engine._search_handle()
    top = collectors.TopCollector(limit=1000, usequality=False, replace=0)  # every match scored
    col = top if allow is None else collectors.FilterCollector(top, allow=allow)
    searcher.search_with_collector(q, col)
    return [(hit.docnum, hit.score) for hit in col.results()]


@pytest.mark.parametrize("text", QUERIES)
def test_ranker_matches_whoosh_exhaustive(engine: WhooshEngine, text: str) -> None:
    searcher = engine._search_handle()
    parsed = parse(text, engine._schema, engine._parser)
    q = engine._expand_fuzzy(parsed.query, searcher)
    ranker = Ranker(searcher)
    assert ranker.supports(q), q
    articles = set(engine._facet_sets(searcher, "section")["article"])
    for allow in (None, articles):
        expected = whoosh_top(engine, q, allow)
        got, everything = ranker.top(q, 1000, None if allow is None else frozenset(allow))
        assert [d for d, _s in got] == [d for d, _s in expected]
        assert all(abs(a - b) < 1e-9 for (_d, a), (_e, b) in zip(got, expected, strict=True))
        assert everything == frozenset(searcher.docs_for_query(q))


def test_prefixes_and_wildcards_are_left_to_whoosh(engine: WhooshEngine) -> None:
    searcher = engine._search_handle()
    ranker = Ranker(searcher)
    for text in ("alph*", "al?ha", '"alpha beta" gam*'):
        assert not ranker.supports(parse(text, engine._schema, engine._parser).query)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(words=st.lists(st.sampled_from([*WORDS, "story", "changed", "late"]), min_size=1, max_size=4),
       slop=st.integers(min_value=0, max_value=6), fieldname=st.sampled_from(["body", "title"]))
def test_phrase_matches_whoosh_spannear(engine: WhooshEngine, words: list[str], slop: int,
                                        fieldname: str) -> None:
    """Any phrase, any slop: the same documents and scores as Whoosh's own phrase walk."""
    from reader.core.search.analysis import term_of

    searcher = engine._search_handle()
    terms = [term_of(w)[0] or w for w in words]
    q = query.Phrase(fieldname, terms, slop=slop)
    ranker = engine._ranker(searcher)
    assert ranker.supports(q)
    expected = whoosh_top(engine, q, None)
    got, everything = ranker.top(q, 1000, None)
    assert [d for d, _s in got] == [d for d, _s in expected]
    assert all(abs(a - b) < 1e-9 for (_d, a), (_e, b) in zip(got, expected, strict=True))
    assert everything == frozenset(d for d, _s in expected)


def test_window_search_uses_ranked_order(engine: WhooshEngine, tmp_path: Path) -> None:
    res = engine.search("alpha OR protest", limit=5, snippets=1)
    assert res.total >= len(res.hits) == 5
    scores = [h.score for h in res.hits]
    assert scores == sorted(scores, reverse=True)
    assert all(h.snippets and "<mark>" in h.snippets[0] for h in res.hits)


def test_pinned_frequent_terms_give_the_same_results(engine: WhooshEngine) -> None:
    """warm() pins the most frequent body terms' postings: scores and matches stay Whoosh's."""
    searcher = engine._search_handle()
    ranker = Ranker(searcher)
    pinned = ranker.pin_frequent("body", engine._body_lexicon(searcher)[1], budget=200)
    assert pinned > 0
    for text in ("said minister", '"colour revolution"', '"alpha beta"~3', "protest -rally"):
        q = engine._expand_fuzzy(parse(text, engine._schema, engine._parser).query, searcher)
        expected = whoosh_top(engine, q, None)
        got, everything = ranker.top(q, 1000, None)
        assert [d for d, _s in got] == [d for d, _s in expected]
        assert everything == frozenset(searcher.docs_for_query(q))
