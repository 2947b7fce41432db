"""The notes store as the window meets it: stale edits merged or refused, damaged notes shown."""

from __future__ import annotations

import sqlite3

import pytest
from PySide6.QtCore import Qt, QThreadPool
from PySide6.QtGui import QGuiApplication

from reader.core.context import AppContext
from reader.core.notes.service import new_note
from reader.core.notes.store import DB_NAME, NoteStore
from reader.gui.window.mainwindow import MainWindow

pytestmark = pytest.mark.gui
DOC = "neo-outside-forces"


@pytest.fixture(autouse=True)
def _settle_background_jobs(qtbot):
    yield
    QThreadPool.globalInstance().waitForDone(15000)
    qtbot.wait(10)


def _window(qtbot) -> MainWindow:
    window = MainWindow(AppContext.create(), persist=False)
    qtbot.addWidget(window)
    window.show()
    window.start([DOC])
    window.wait_for_corpus()
    return window


def test_stale_edit_from_the_window_is_merged_or_refused(qtbot, isolated_dirs) -> None:
    window = _window(qtbot)
    notes = window.features["notes"]
    note = notes.add_note(body="first", tags=("mine",))
    assert note is not None
    other = NoteStore.open(isolated_dirs["data"])  # another Parallax process
    try:
        other.update(note.id, tags=("theirs",))
        notes.edit_note(note.id, {"body": "typed here"})  # the panel still shows the old tags
        got = other.get(note.id)
        assert got is not None and got.body == "typed here" and got.tags == ("theirs",)
        other.update(note.id, body="typed there")
        notes.edit_note(note.id, {"body": "typed here again"})
        assert "changed elsewhere" in notes.last_error and "clipboard" in notes.last_error
        assert other.get(note.id).body == "typed there"  # type: ignore[union-attr]
        assert QGuiApplication.clipboard().text() == "typed here again"
        assert notes.panel.body.toPlainText() == "typed there"  # the panel now shows the other change
        notes.undo_stack.undo()  # undoing the merged edit reverts only the text
        got = other.get(note.id)
        assert got is not None and got.body == "first" and got.tags == ("theirs",)
    finally:
        other.close()


def test_damaged_note_is_listed_flagged_with_a_notice(qtbot, isolated_dirs) -> None:
    ctx = AppContext.create()
    doc = ctx.corpus().document(DOC)
    with NoteStore.open(ctx.paths.data_dir) as store:
        for i in range(4):
            store.add(new_note("bundled", doc, None, None, body=f"note {i}"))
    conn = sqlite3.connect(isolated_dirs["data"] / "notes" / DB_NAME)
    conn.execute("UPDATE notes SET body = CAST(X'C328' AS TEXT) WHERE rowid = 3")
    conn.commit()
    conn.close()
    window = _window(qtbot)
    notes = window.features["notes"]
    panel = notes.panel
    assert panel.model.rowCount() == 4
    shown = [panel.model.index(r, 0).data(Qt.ItemDataRole.DisplayRole) for r in range(4)]
    assert sum("⚠ damaged" in s for s in shown) == 1
    assert any("could not be read" in n for n in window.notices)
    [bad] = [n for n in panel.model.notes if n.damaged]
    panel.select(bad.id)
    assert "damaged" in panel.where.text()
