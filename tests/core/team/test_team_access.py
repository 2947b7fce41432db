"""Access control lives in PostgreSQL: two users, a team, an outsider, queried directly in SQL."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlparse

import pytest

PASSWORDS = {"alice": "alice-secret-1", "bob": "bob-secret-22", "olga": "olga-secret-333"}


def _as(pg_cluster: Any, team_db: str, user: str) -> Any:
    from reader.core.team import db

    return db.connect(pg_cluster.url_for(user, PASSWORDS[user], urlparse(team_db).path.lstrip("/")), autocommit=True)


@pytest.fixture
def people(pg_cluster: Any, team_db: str) -> dict[str, Any]:
    from reader.core.team import access, db
    from reader.core.team.sync import push_changes

    with db.connect(team_db, autocommit=True) as admin:
        for user, pw in PASSWORDS.items():
            access.add_user(admin, user, pw)
        access.add_team(admin, "desk", ["alice", "bob"])
    conns = {u: _as(pg_cluster, team_db, u) for u in PASSWORDS}
    fields = {"corpus": "c", "doc": "d", "body": "secret plan", "tags": [], "color": "yellow"}
    push_changes(conns["alice"], "user:alice", [("privatenote01", 0, False, fields)])
    push_changes(conns["alice"], "team:desk", [("teamnote0001", 0, False, {**fields, "body": "for the desk"})])
    yield conns
    for conn in conns.values():
        conn.close()


def test_private_note_invisible_team_note_visible_outsider_sees_nothing(people: dict[str, Any]) -> None:
    bob, olga, alice = people["bob"], people["olga"], people["alice"]
    assert bob.execute("SELECT count(*) FROM parallax.notes WHERE library_id = 'user:alice'").fetchone()[0] == 0
    assert bob.execute("SELECT count(*) FROM parallax.notes WHERE id = 'privatenote01'").fetchone()[0] == 0
    assert [r[0] for r in bob.execute("SELECT id FROM parallax.notes")] == ["teamnote0001"]
    assert olga.execute("SELECT count(*) FROM parallax.notes").fetchone()[0] == 0
    assert olga.execute("SELECT count(*) FROM parallax.libraries").fetchone()[0] == 1  # her own only
    assert alice.execute("SELECT count(*) FROM parallax.notes").fetchone()[0] == 2


def test_nobody_edits_another_persons_note(people: dict[str, Any]) -> None:
    import psycopg

    from reader.core.team.sync import push_changes

    bob = people["bob"]
    changed = bob.execute("UPDATE parallax.notes SET fields = '{}' WHERE id = 'teamnote0001'").rowcount
    assert changed == 0
    assert bob.execute("UPDATE parallax.notes SET fields = '{}' WHERE id = 'privatenote01'").rowcount == 0
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        bob.execute("DELETE FROM parallax.notes")
    with pytest.raises(psycopg.Error):  # inserting into someone else's library
        bob.execute("INSERT INTO parallax.notes (library_id, id, version, fields) "
                    "VALUES ('user:alice', 'sneakynote01', 99, '{}')")
    with pytest.raises(psycopg.Error):  # claiming to be alice
        bob.execute("INSERT INTO parallax.notes (library_id, id, owner, version, fields) "
                    "VALUES ('team:desk', 'sneakynote02', 'alice', 99, '{}')")
    outcome = push_changes(bob, "team:desk", [("teamnote0001", 1, False, {"body": "bob was here"})])
    assert outcome.forbidden == ["teamnote0001"] and not outcome.accepted
    with pytest.raises(psycopg.Error):
        push_changes(people["olga"], "team:desk", [("olganote0001", 0, False, {"body": "hi"})])
    alice_view = people["alice"].execute("SELECT fields->>'body' FROM parallax.notes ORDER BY id").fetchall()
    assert [r[0] for r in alice_view] == ["secret plan", "for the desk"]


def test_logins_use_scram_and_rls_is_forced(people: dict[str, Any], team_db: str) -> None:
    from reader.core.team import db

    with db.connect(team_db, autocommit=True) as admin:
        hashes = [r[0] for r in admin.execute(
            "SELECT rolpassword FROM pg_authid WHERE rolname = ANY(%s)", (list(PASSWORDS),))]
        assert len(hashes) == 3 and all(h.startswith("SCRAM-SHA-256$") for h in hashes)
        forced = admin.execute("SELECT relforcerowsecurity FROM pg_class WHERE oid = 'parallax.notes'::regclass")
        assert forced.fetchone()[0] is True


def test_team_corpus_readable_only_by_its_readers(pg_cluster: Any, team_db: str, corpus_copy: Any) -> None:
    from reader.core.corpus import Corpus
    from reader.core.search.engine import IndexUnusable
    from reader.core.search.postgres_engine import PostgresEngine
    from reader.core.team import access, corpora, db
    from reader.core.team.db import TeamError
    from reader.core.team.push import push

    with db.connect(team_db, autocommit=True) as admin:
        for user, pw in PASSWORDS.items():
            access.add_user(admin, user, pw)
        push(admin, Corpus(corpus_copy).scan(), "sample")
        corpora.grant(admin, corpora.get(admin, "sample"), "bob", editor=False)
    dbname = urlparse(team_db).path.lstrip("/")
    bob = PostgresEngine(lambda: db.connect(pg_cluster.url_for("bob", PASSWORDS["bob"], dbname), autocommit=True),
                         "sample")
    assert bob.search("Ablyazov").total == 4
    olga = PostgresEngine(lambda: db.connect(pg_cluster.url_for("olga", PASSWORDS["olga"], dbname), autocommit=True),
                          "sample")
    assert olga.search("Ablyazov").total == 0  # the rows are filtered by row-level security
    with _as(pg_cluster, team_db, "olga") as conn:
        assert conn.execute("SELECT count(*) FROM parallax.documents").fetchone()[0] == 0
    with pytest.raises((TeamError, IndexUnusable)), _as(pg_cluster, team_db, "bob") as conn:  # readers cannot push
        push(conn, Corpus(corpus_copy).scan(), "sample-two")
    bob.close()
    olga.close()


def test_a_non_superuser_administrator_runs_the_server_but_cannot_read_private_notes(pg_cluster: Any) -> None:
    """docs/team.md's setup: the superuser only creates the admin role, the database and RUM."""
    import psycopg

    from reader.core.corpus import Corpus
    from reader.core.team import access, corpora, db
    from reader.core.team.push import push
    from reader.core.team.sync import push_changes
    from tests.conftest import BUNDLED

    with psycopg.connect(pg_cluster.db_url("postgres"), autocommit=True) as su:
        su.execute("DROP DATABASE IF EXISTS newsroom WITH (FORCE)")
        su.execute("DROP ROLE IF EXISTS newsroom_admin")
        su.execute("CREATE ROLE newsroom_admin LOGIN CREATEROLE PASSWORD 'admin-password'")
        su.execute("CREATE DATABASE newsroom OWNER newsroom_admin")
    with psycopg.connect(pg_cluster.db_url("newsroom"), autocommit=True) as su:
        su.execute("CREATE EXTENSION rum")
    admin_url = pg_cluster.url_for("newsroom_admin", "admin-password", "newsroom")
    with db.connect(admin_url, autocommit=True) as admin:
        assert db.migrate(admin) == ["0001_corpus.sql", "0002_notes.sql"]
        assert push(admin, Corpus(BUNDLED).scan(), "sample").added == 5
        access.add_user(admin, "dana", "dana-secret-1")
        corpora.grant(admin, corpora.get(admin, "sample"), "dana", editor=False)
    with db.connect(pg_cluster.url_for("dana", "dana-secret-1", "newsroom"), autocommit=True) as dana:
        push_changes(dana, "user:dana", [("dananote0001", 0, False, {"body": "mine only"})])
        assert dana.execute("SELECT count(*) FROM parallax.notes").fetchone()[0] == 1
    with db.connect(admin_url, autocommit=True) as admin:
        assert admin.execute("SELECT count(*) FROM parallax.notes").fetchone()[0] == 0  # RLS is FORCED


def test_an_editor_pushes_changes_a_reader_cannot(pg_cluster: Any, team_db: str, corpus_copy: Any) -> None:
    from reader.core.corpus import Corpus
    from reader.core.search.postgres_engine import PostgresEngine
    from reader.core.team import access, corpora, db
    from reader.core.team.db import TeamError
    from reader.core.team.push import push
    from tests.conftest import write_doc

    with db.connect(team_db, autocommit=True) as admin:
        for user, pw in PASSWORDS.items():
            access.add_user(admin, user, pw)
        push(admin, Corpus(corpus_copy).scan(), "sample")
        corpora.grant(admin, corpora.get(admin, "sample"), "alice", editor=True)
        corpora.grant(admin, corpora.get(admin, "sample"), "bob", editor=False)
    write_doc(corpus_copy, "editor-piece", "Ablyazov once more, from the desk.")
    with _as(pg_cluster, team_db, "alice") as alice:
        report = push(alice, Corpus(corpus_copy).scan(), "sample")
    assert (report.added, report.unchanged) == (1, 5)
    (corpus_copy / "editor-piece.md").unlink()
    with pytest.raises(TeamError), _as(pg_cluster, team_db, "bob") as bob:
        push(bob, Corpus(corpus_copy).scan(), "sample")  # a reader deletes nothing
    dbname = urlparse(team_db).path.lstrip("/")
    engine = PostgresEngine(lambda: db.connect(pg_cluster.url_for("bob", PASSWORDS["bob"], dbname), autocommit=True),
                            "sample")
    assert engine.search("Ablyazov").total == 5
    engine.close()
