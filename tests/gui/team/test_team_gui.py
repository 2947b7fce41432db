"""The team server in the window, against a real throwaway PostgreSQL: a hit this laptop lacks
opens from the server, notes sync from the Tools menu with progress, and offline is said plainly."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest

from reader.cli import main
from reader.core.context import AppContext
from reader.gui.window.mainwindow import MainWindow

pytestmark = pytest.mark.gui

MISSING = "moa-failed-rebellion"


def _window(qtbot: Any, corpus: Path) -> MainWindow:
    window = MainWindow(AppContext.create(corpus=str(corpus)))
    qtbot.addWidget(window)
    window.show()
    window.start([])
    window.wait_for_corpus()
    return window


def _team_for_gina(team_db: str, pg_cluster: Any) -> None:
    """The administrator pushes the sample; gina (a reader of it) configures this laptop and uses it."""
    from reader.core.team import access, corpora, db

    assert main(["team", "init", team_db]) == 0
    assert main(["team", "push", "sample"]) == 0
    with db.connect(team_db, autocommit=True) as admin:
        access.add_user(admin, "gina", "gina-password")
        corpora.grant(admin, corpora.get(admin, "sample"), "gina", editor=False)
    gina = pg_cluster.url_for("gina", "gina-password", urlparse(team_db).path.lstrip("/"))
    assert main(["team", "init", gina]) == 0
    assert main(["team", "use", "sample"]) == 0


def test_team_hit_missing_here_opens_from_the_server_and_notes_sync_from_the_menu(
        qtbot: Any, team_db: str, pg_cluster: Any, corpus_copy: Path) -> None:
    from reader.core.corpus import Corpus
    from reader.core.notes.model import Note, new_id
    from reader.core.notes.store import NoteStore
    from reader.core.search.postgres_engine import PostgresEngine
    from reader.core.team import db
    from tests.conftest import BUNDLED

    _team_for_gina(team_db, pg_cluster)
    (corpus_copy / f"{MISSING}.md").unlink()  # this laptop's copy lacks one team document
    window = _window(qtbot, corpus_copy)
    search = window.features["search"]
    search.wait_until_indexed()
    qtbot.waitUntil(lambda: not search.indexing, timeout=20_000)  # the job's finished slot, queued
    assert isinstance(search.engine, PostgresEngine)
    search.panel.set_query("Ablyazov")
    qtbot.waitUntil(lambda: MISSING in {h.id for h in search.panel.model.hits}, timeout=10_000)
    with qtbot.waitSignal(window.documentOpened, timeout=10_000):
        search.open_result(MISSING)
    doc = window.reader.doc
    assert doc is not None and doc.id == MISSING
    assert doc.text == Corpus(BUNDLED).scan().document(MISSING).text
    spans = window.reader.layers["search-hits"].spans
    assert spans and all(doc.text[s.start:s.end] == "Ablyazov" for s in spans)

    team = window.features["team"]
    assert team.status.text() == "Team: not synced yet"
    with NoteStore.open(window.ctx.paths.data_dir) as store:
        store.add(Note(id=new_id(), corpus="sample", doc=MISSING, body="asked the desk"))
    assert team.act_sync in window.menus["tools"].actions()
    with qtbot.waitSignal(team.syncFinished, timeout=20_000) as finished:
        team.act_sync.trigger()
        assert team.progress.isVisible() and not team.act_sync.isEnabled()
    outcome = finished.args[0]
    assert outcome.report is not None and outcome.report.pushed == 1, outcome
    assert team.status.text().startswith("Team: synced") and team.act_sync.isEnabled()
    assert not team.progress.isVisible()
    with db.connect(team_db, autocommit=True) as admin:  # the superuser bypasses row-level security
        rows = admin.execute("SELECT owner, fields->>'body' FROM parallax.notes").fetchall()
    assert rows == [("gina", "asked the desk")]


def test_sync_from_the_window_says_offline_and_loses_nothing(qtbot: Any, corpus_copy: Path,
                                                             isolated_dirs: dict[str, Path]) -> None:
    pytest.importorskip("psycopg", reason="team server unavailable: psycopg is not installed")
    from reader.core.notes.model import Note, new_id
    from reader.core.notes.store import NoteStore

    window = _window(qtbot, corpus_copy)
    team = window.features["team"]
    assert not team.status.isVisible()  # no team server configured: nothing shown, nothing contacted
    assert team.sync() is None and team.status.text() == "Team: no server"
    config_dir = isolated_dirs["config"]
    config_dir.mkdir(parents=True, exist_ok=True)
    (config_dir / "team.json").write_text(json.dumps(  # port 1 on localhost refuses at once
        {"url": "postgresql://nobody@127.0.0.1:1/parallax", "user": "nobody", "corpus": None}), encoding="utf-8")
    with NoteStore.open(window.ctx.paths.data_dir) as store:
        note = store.add(Note(id=new_id(), corpus="sample", doc=MISSING, body="kept while offline"))
    with qtbot.waitSignal(team.syncFinished, timeout=20_000) as finished:
        assert team.sync() is not None
    assert finished.args[0].offline and team.status.text() == "Team: offline"
    assert "nothing lost" in team.status.toolTip()
    with NoteStore.open(window.ctx.paths.data_dir) as store:
        assert store.get(note.id) is not None
