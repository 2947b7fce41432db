"""The team engine (PostgreSQL + RUM) answers the search acceptance checks like the local index."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

import pytest

from reader.core.corpus import Corpus
from reader.core.search.engine import QuerySyntaxError
from tests.conftest import BUNDLED

ALL = {"frontier-post-alma-ata", "neo-outside-forces", "kavkazplus-gutted", "eadaily-ukrainian-trace",
       "moa-failed-rebellion"}

QUERIES = [
    "Ablyazov", "color revolution", "colour revolutions", 'outlet:"Moon of Alabama" Masimov',
    "section:comments Erdogan", "published:[2022-01-09 TO 2022-01-31] Tokayev", "published:2022-01-07",
    "published:2022-01 -Ablyazov", "Erdogan", '"peaceful protesters"~2', '"peaceful protesters"', "Ablyaz*",
    "Ablyazof~", "Masimov OR Tyahnybok", "Kazakhstan", "title:Kazakhstan", "Tokayev NOT Putin",
    "(Masimov OR Tokayev) -Nazarbayev", "author:b", "language:en Tokayev", "published:[2022-01-09 TO]",
    "Kazak?stan", "entity:tokayev", "protest*",
]


@pytest.fixture(scope="module")
def engines(pg_cluster: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Any, Any]]:
    import psycopg

    from reader.core.search.postgres_engine import PostgresEngine
    from reader.core.search.whoosh_engine import WhooshEngine
    from reader.core.team import db

    admin = pg_cluster.db_url("postgres")
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute('DROP DATABASE IF EXISTS "t_search" WITH (FORCE)')
        conn.execute('CREATE DATABASE "t_search"')
    url = pg_cluster.db_url("t_search")
    with db.connect(url, autocommit=True) as conn:
        db.migrate(conn)
    corpus = Corpus(BUNDLED).scan()
    local = WhooshEngine(tmp_path_factory.mktemp("search") / "index", corpus, procs=1)
    local.update(corpus)
    team = PostgresEngine(lambda: db.connect(url, autocommit=True), "sample", corpus)
    report = team.update(corpus)
    assert report.added == 5
    yield local, team
    team.close()
    local.close()


def ids(results: Any) -> set[str]:
    return {h.id for h in results.hits}


@pytest.mark.parametrize("q", QUERIES)
def test_same_hits_totals_facets_snippets_as_local(engines: tuple[Any, Any], q: str) -> None:
    local, team = engines
    a, b = local.search(q), team.search(q)
    assert ids(a) == ids(b) and a.total == b.total, q
    assert a.facets == b.facets, q
    assert a.suggestion == b.suggestion, q
    snippets_a = {h.id + h.section: h.snippets for h in a.hits}
    snippets_b = {h.id + h.section: h.snippets for h in b.hits}
    assert snippets_a == snippets_b, q
    assert [h.score for h in b.hits] == sorted((h.score for h in b.hits), reverse=True)


def test_search_acceptance_checks(engines: tuple[Any, Any]) -> None:
    _local, engine = engines
    res = engine.search("Ablyazov")
    assert ids(res) == ALL - {"kavkazplus-gutted"} and res.total == 4 and not res.capped
    for hit in res.hits:
        assert any("<mark>Ablyazov</mark>" in s for s in hit.snippets) and hit.section == "article"
    comments = engine.search("section:comments Erdogan")
    assert comments.hits and all(h.section == "comments" for h in comments.hits)
    assert engine.search("Erdogan").facets["section"].get("comments") == 1
    phrase = engine.search('"peaceful protesters"~2')
    assert "moa-failed-rebellion" in ids(phrase)
    assert all(any("<mark>peaceful protesters</mark>" in s for s in h.snippets) for h in phrase.hits)
    narrowed = engine.search("Kazakhstan", filters={"outlet": ["EADaily"]})
    assert ids(narrowed) == {"eadaily-ukrainian-trace"}
    by_day = engine.search("Kazakhstan", filters={"published": ["2022-01-07"]})
    assert ids(by_day) == {"frontier-post-alma-ata", "neo-outside-forces"}
    in_comments = engine.search("Kazakhstan", filters={"section": ["comments"]})
    assert [h.section for h in in_comments.hits] == ["comments"]
    res = engine.search("Ablyazof")
    assert res.total == 0 and res.suggestion == "Ablyazov"


def test_filters_match_local(engines: tuple[Any, Any]) -> None:
    local, team = engines
    for filters in ({"outlet": ["EADaily"]}, {"published": ["2022-01-07"]}, {"section": ["comments"]},
                    {"section": ["article", "comments"]}):
        a, b = local.search("Kazakhstan", filters=filters), team.search("Kazakhstan", filters=filters)
        assert ids(a) == ids(b) and a.total == b.total and a.facets == b.facets, filters


def test_more_like_this_hit_spans_and_bad_queries(engines: tuple[Any, Any]) -> None:
    local, team = engines
    corpus = Corpus(BUNDLED).scan()
    moa = corpus.document("moa-failed-rebellion")
    like = team.more_like_this(moa, limit=3)
    assert like.hits and "moa-failed-rebellion" not in ids(like)
    for q in ("Ablyazov", "section:comments Erdogan", '"peaceful protesters"~2', "Ablyaz*"):
        assert team.hit_spans(q, moa) == local.hit_spans(q, moa), q
    with pytest.raises(QuerySyntaxError):
        team.search('"open phrase')
    assert team.needs_rebuild() is None
    again = team.update(corpus)
    assert (again.added, again.updated, again.unchanged) == (0, 0, 5)


INJECTIONS = ["'; DROP TABLE parallax.notes; --", "\\' OR 1=1 --", "x') | ('y", "a:*B & !'b", "\"; SELECT 1; --\"",
              "$$ DROP SCHEMA parallax $$", "%s %(x)s", "\x00"]


@pytest.mark.parametrize("evil", INJECTIONS)
def test_sql_injection_through_every_query_field(engines: tuple[Any, Any], evil: str) -> None:
    _local, team = engines
    fields = ["", "title:", "outlet:", "author:", "section:", "language:", "id:", "entity:"]
    for prefix in fields:
        for q in (f'{prefix}"{evil.replace(chr(34), "")}"', f"{prefix}{evil.split()[0]}*"):
            with contextlib.suppress(QuerySyntaxError):
                team.search(q)
    for name in ("outlet", "published", "section", "language", "entity"):
        assert team.search("Ablyazov", filters={name: [evil]}).total == 0
    assert team.search("Ablyazov").total == 4  # nothing dropped, nothing changed
    moa = Corpus(BUNDLED).scan().document("moa-failed-rebellion")
    with contextlib.suppress(QuerySyntaxError):
        assert team.hit_spans(evil.replace('"', "") or "x", moa) == []


def test_counts_are_capped(engines: tuple[Any, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    from reader.core.search import postgres_engine

    _local, team = engines
    monkeypatch.setattr(postgres_engine, "COUNT_CAP", 2)
    res = team.search("Ablyazov")
    assert res.capped and res.total == 2 and res.total_label == "2+" and res.to_json()["capped"] is True
    assert len(res.hits) == 4  # the page itself is not capped
    assert not team.search("Masimov").capped
