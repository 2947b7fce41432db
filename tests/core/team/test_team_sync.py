"""Notes sync, offline first: two laptops, field-by-field merges, conflicted copies, dropped connections."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest

from reader.core.notes.model import Note, new_id
from reader.core.notes.store import NoteStore

PASSWORD = "alice-secret-1"


class Laptop:
    """One laptop: its own notes store and sync state, connecting as alice."""

    def __init__(self, folder: Path, url: str) -> None:
        from reader.core.team.sync_state import SyncState

        self.store = NoteStore.open(folder)
        self.state = SyncState.beside(folder)
        self.url = url
        self.conn: Any = None

    def sync(self, progress: Any = None) -> Any:
        from reader.core.team import db
        from reader.core.team.sync import Syncer

        if self.conn is None or self.conn.closed:
            self.conn = db.connect(self.url, autocommit=True)
        return Syncer(self.conn, self.store, self.state, "alice", progress).sync()

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
        self.store.close()
        self.state.close()


@pytest.fixture
def laptops(pg_cluster: Any, team_db: str, tmp_path: Path) -> Iterator[tuple[Laptop, Laptop]]:
    from reader.core.team import access, db

    with db.connect(team_db, autocommit=True) as admin:
        access.add_user(admin, "alice", PASSWORD)
    url = pg_cluster.url_for("alice", PASSWORD, urlparse(team_db).path.lstrip("/"))
    one, two = Laptop(tmp_path / "one", url), Laptop(tmp_path / "two", url)
    yield one, two
    one.close()
    two.close()


def _note(body: str, **kw: Any) -> Note:
    return Note(id=new_id(), corpus="bundled", doc="moa-failed-rebellion", body=body, **kw)


def test_two_laptops_merge_field_by_field_and_clash_becomes_a_conflicted_copy(laptops: tuple[Laptop, Laptop]) -> None:
    one, two = laptops
    note = one.store.add(_note("first words", tags=("kz",)))
    gone = one.store.add(_note("delete me"))
    assert one.sync().pushed == 2
    assert two.sync().pulled == 2 and two.store.get(note.id).body == "first words"
    # Offline edits of different fields: both survive.
    one.store.update(note.id, body="edited on one")
    two.store.update(note.id, tags=("kz", "protest"), color="red")
    one.store.delete(gone.id)
    one.sync()
    report = two.sync()
    assert report.merged == 1 and not report.conflicts
    one.sync()
    for laptop in (one, two):
        merged = laptop.store.get(note.id)
        assert (merged.body, merged.tags, merged.color) == ("edited on one", ("kz", "protest"), "red")
        assert laptop.store.get(gone.id) is None
    # The same field on both: the server's value stays in the note, the local one in a conflicted copy.
    one.store.update(note.id, body="one's version")
    two.store.update(note.id, body="two's version")
    one.sync()
    clash = two.sync()
    assert clash.conflicts == [note.id]
    conflicts = two.state.conflicts()
    assert len(conflicts) == 1 and conflicts[0]["note"] == note.id
    copy = two.store.get(conflicts[0]["copy"])
    assert copy.body == "two's version" and two.store.get(note.id).body == "one's version"
    one.sync()
    assert {n.body for n in one.store.notes()} == {"one's version", "two's version"}  # nothing lost
    from reader.core.team.sync import resolve

    resolve(two.store, two.state, copy.id, "mine")
    two.sync()
    one.sync()
    for laptop in (one, two):
        assert [n.body for n in laptop.store.notes()] == ["two's version"]
    assert two.state.conflicts() == []


def test_edit_beats_delete_and_stale_push_is_refused(laptops: tuple[Laptop, Laptop]) -> None:
    from reader.core.team.sync import push_changes

    one, two = laptops
    note = one.store.add(_note("keep me"))
    one.sync()
    two.sync()
    one.store.delete(note.id)
    two.store.update(note.id, body="edited while deleted elsewhere")
    one.sync()
    two.sync()
    one.sync()
    assert one.store.get(note.id).body == "edited while deleted elsewhere"
    stale = push_changes(one.conn, "user:alice", [(note.id, 1, False, {"body": "stale"})])
    assert stale.stale == [note.id] and not stale.accepted


def _killer(team_db: str, laptop: Laptop, stage: str, after: int) -> Any:
    """A progress callback that kills the laptop's server connection after ``after`` steps of ``stage``."""
    from reader.core.team import db

    calls = {"n": 0}

    def progress(at: str, _done: int, _total: int) -> None:
        if at != stage:
            return
        calls["n"] += 1
        if calls["n"] == after:
            pid = laptop.conn.info.backend_pid
            with db.connect(team_db, autocommit=True) as admin:
                admin.execute("SELECT pg_terminate_backend(%s)", (pid,))

    return progress


def test_killed_connection_mid_push_and_mid_pull_loses_nothing(laptops: tuple[Laptop, Laptop], team_db: str,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    from reader.core.team import sync
    from reader.core.team.db import TeamError

    one, two = laptops
    monkeypatch.setattr(sync, "PUSH_BATCH", 300)
    monkeypatch.setattr(sync, "PAGE", 400)
    one.store.put_many([_note(f"note {i}") for i in range(1500)])
    one.sync(progress=lambda *a: None)  # opens the connection
    one.store.put_many([_note(f"more {i}") for i in range(1500)])
    with pytest.raises(TeamError, match="resume"):
        one.sync(progress=_killer(team_db, one, "push", 2))
    report = one.sync()
    assert report.pushed == 1500 - 600  # two batches were in before the kill, the rest now
    assert sync.Syncer(one.conn, one.store, one.state, "alice").outgoing() == {}
    count = one.conn.execute("SELECT count(*) FROM parallax.notes").fetchone()[0]
    assert count == 3000
    two.sync(progress=lambda *a: None)  # everything so far
    assert two.store.count() == 3000
    two.store.put_many([_note(f"two {i}") for i in range(10)])
    one.store.put_many([_note(f"later {i}") for i in range(1000)])
    one.sync()
    with pytest.raises(TeamError, match="resume"):
        two.sync(progress=_killer(team_db, two, "pull", 2))
    two.sync()
    one.sync()
    assert two.store.count() == one.store.count() == 4010
    assert sorted(n.body for n in two.store.notes()) == sorted(n.body for n in one.store.notes())


def test_killed_connection_mid_corpus_push_resumes(pg_cluster: Any, team_db: str, corpus_copy: Path) -> None:
    from reader.core.corpus import Corpus
    from reader.core.search.postgres_engine import PostgresEngine
    from reader.core.team import db
    from reader.core.team.db import TeamError
    from reader.core.team.push import push

    corpus = Corpus(corpus_copy).scan()
    conn = db.connect(team_db, autocommit=True)

    def kill(done: int) -> None:
        if done == 2:
            with db.connect(team_db, autocommit=True) as admin:
                admin.execute("SELECT pg_terminate_backend(%s)", (conn.info.backend_pid,))

    with pytest.raises(TeamError, match="resume"):
        push(conn, corpus, "sample", batch=2, after_batch=kill)
    with db.connect(team_db, autocommit=True) as again:
        report = push(again, corpus, "sample", batch=2)
    assert (report.added, report.unchanged) == (3, 2)
    engine = PostgresEngine(lambda: db.connect(team_db, autocommit=True), "sample")
    assert engine.search("Ablyazov").total == 4
    engine.close()


def test_parallel_push_matches_single_process(team_db: str, corpus_copy: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    from reader.core.corpus import Corpus
    from reader.core.search.postgres_engine import PostgresEngine
    from reader.core.team import db
    from reader.core.team import push as push_module

    corpus = Corpus(corpus_copy).scan()
    with db.connect(team_db, autocommit=True) as conn:
        push_module.push(conn, corpus, "single")
        monkeypatch.setattr(push_module, "PARALLEL_MIN_DOCS", 1)  # worker processes even for 5 documents
        monkeypatch.setattr(push_module, "PROCS", 2)
        report = push_module.push(conn, corpus, "parallel", batch=2)
    assert report.added == 5
    one = PostgresEngine(lambda: db.connect(team_db, autocommit=True), "single")
    two = PostgresEngine(lambda: db.connect(team_db, autocommit=True), "parallel")
    for q in ("Ablyazov", '"peaceful protesters"~2', "section:comments Erdogan", "entity:tokayev"):
        a, b = one.search(q), two.search(q)
        assert [(h.id, h.snippets) for h in a.hits] == [(h.id, h.snippets) for h in b.hits] and a.facets == b.facets
    one.close()
    two.close()


def test_push_survives_words_and_documents_postgresql_would_refuse(team_db: str, tmp_path: Path) -> None:
    from reader.core.corpus import Corpus
    from reader.core.search.postgres_engine import PostgresEngine
    from reader.core.team import db
    from reader.core.team.push import push
    from tests.conftest import write_doc

    folder = tmp_path / "odd"
    folder.mkdir()
    write_doc(folder, "long-word", "normal words " + "x" * 3000 + " zanzibar")
    write_doc(folder, "huge", " ".join(f"w{i}" for i in range(120_000)) + " zanzibar")
    with db.connect(team_db, autocommit=True) as conn:
        assert push(conn, Corpus(folder).scan(), "odd").added == 2
    engine = PostgresEngine(lambda: db.connect(team_db, autocommit=True), "odd")
    assert {h.id for h in engine.search("normal").hits} == {"long-word"}
    assert engine.search("w5").total == 1
    engine.close()
