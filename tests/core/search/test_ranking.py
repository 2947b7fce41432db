"""The impact ranker gives Whoosh's BM25F scores and order (exhaustive walk), segments and deletions included."""

from __future__ import annotations

from pathlib import Path

import pytest
from whoosh import collectors

from reader.core.corpus import Corpus
from reader.core.search.querylang import parse
from reader.core.search.ranking import Ranker
from reader.core.search.whoosh_engine import WhooshEngine
from tests.conftest import write_doc

WORDS = ["alpha", "beta", "gamma", "delta", "colour", "revolution", "protest", "minister", "said", "rally"]
QUERIES = ["alpha", "colour revolution", "beta OR gamma", "protest -rally", "minister AND (said OR alpha)",
           "title:gamma", "gamma^2 delta", "prtest~", "said -alpha -beta", "(alpha OR beta) -gamma delta"]


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


def test_phrases_and_prefixes_are_left_to_whoosh(engine: WhooshEngine) -> None:
    searcher = engine._search_handle()
    ranker = Ranker(searcher)
    for text in ('"colour revolution"', "alph*", '"alpha beta"~3'):
        assert not ranker.supports(parse(text, engine._schema, engine._parser).query)


def test_window_search_uses_ranked_order(engine: WhooshEngine, tmp_path: Path) -> None:
    res = engine.search("alpha OR protest", limit=5, snippets=1)
    assert res.total >= len(res.hits) == 5
    scores = [h.score for h in res.hits]
    assert scores == sorted(scores, reverse=True)
    assert all(h.snippets and "<mark>" in h.snippets[0] for h in res.hits)
