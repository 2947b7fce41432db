"""Notes in the window: add on a selection, highlight and list, autosave, undo, orphans, recovery notice."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QThreadPool
from PySide6.QtWidgets import QMenu

from reader.core.context import AppContext
from reader.core.notes.service import corpus_key, new_note
from reader.core.notes.store import DB_NAME, NoteStore
from reader.gui.notes.panel import NoteIdRole
from reader.gui.window.mainwindow import MainWindow

pytestmark = pytest.mark.gui
DOC = "neo-outside-forces"
QUOTE = "terrorist assault"


@pytest.fixture(autouse=True)
def _settle_background_jobs(qtbot):
    """Other features start background jobs at corpus load; let them end before windows close."""
    yield
    QThreadPool.globalInstance().waitForDone(15000)
    qtbot.wait(10)


def make_window(qtbot, corpus: Path | None = None, open_ids: list[str] | None = None) -> MainWindow:
    window = MainWindow(AppContext.create(corpus=str(corpus) if corpus else None), persist=False)
    qtbot.addWidget(window)
    window.show()
    window.start(open_ids)
    window.wait_for_corpus()
    return window


def feature(window: MainWindow):
    return window.features["notes"]


def select_quote(window: MainWindow, quote: str) -> tuple[int, int]:
    text = window.reader.doc.text
    start = text.index(quote)
    window.reader.select_range(start, start + len(quote))
    return start, start + len(quote)


def test_add_note_on_selection_with_tag_is_highlighted_and_listed(qtbot) -> None:
    window = make_window(qtbot, open_ids=[DOC])
    notes = feature(window)
    start, end = select_quote(window, QUOTE)
    assert notes.act_add.shortcut().toString() == "Ctrl+Shift+N"
    notes.act_add.trigger()
    panel = notes.panel
    assert panel.proxy.rowCount() == 1
    note_id = panel.current_id
    assert note_id is not None
    qtbot.keyClicks(panel.body, "Framing: *terror*")
    qtbot.waitUntil(lambda: notes.store.get(note_id).body == "Framing: *terror*", timeout=3000)
    assert "terror" in panel.preview.toPlainText() and "*" not in panel.preview.toPlainText()
    panel.tags_edit.setFocus()
    qtbot.keyClicks(panel.tags_edit, "framing, violence")
    qtbot.keyClick(panel.tags_edit, Qt.Key.Key_Return)
    stored = notes.store.get(note_id)
    assert stored.tags == ("framing", "violence") and (stored.start, stored.end) == (start, end)
    layer = window.reader.layers["notes-yellow"]
    assert [(s.start, s.end, s.key) for s in layer.spans] == [(start, end, note_id)]
    markers = notes.markers[id(window.reader)][0].marker_rects()
    assert len(markers) == 1 and markers[0][1] == "yellow"
    panel.color_edit.setCurrentIndex(panel.color_edit.findData("purple"))
    panel.color_edit.activated.emit(panel.color_edit.currentIndex())
    assert "notes-purple" in window.reader.layers and "notes-yellow" not in window.reader.layers
    # filter by tag and text
    panel.filter_edit.setText("tag:violence")
    assert panel.proxy.rowCount() == 1
    panel.filter_edit.setText("nothing-matches-this")
    assert panel.proxy.rowCount() == 0


def test_typing_is_never_lost_on_close(qtbot, isolated_dirs) -> None:
    window = make_window(qtbot, open_ids=[DOC])
    notes = feature(window)
    select_quote(window, QUOTE)
    note = notes.add_note()
    QThreadPool.globalInstance().waitForDone(10000)  # other features' background jobs
    qtbot.keyClicks(notes.panel.body, "typed just before closing")
    window.close()  # before the autosave pause elapses
    with NoteStore.open(isolated_dirs["data"]) as store:
        assert store.get(note.id).body == "typed just before closing"


def test_delete_then_ctrl_z_restores_and_ctrl_shift_z_deletes_again(qtbot) -> None:
    window = make_window(qtbot, open_ids=[DOC])
    notes = feature(window)
    select_quote(window, QUOTE)
    note = notes.add_note(body="keep me", tags=("a",))
    notes.panel.select(note.id)
    qtbot.mouseClick(notes.panel.delete_button, Qt.MouseButton.LeftButton)
    assert notes.store.get(note.id) is None
    assert "notes-yellow" not in window.reader.layers
    window.reader.text.setFocus()
    qtbot.keyClick(window.reader.text, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    back = notes.store.get(note.id)
    assert back is not None and back.body == "keep me" and back.tags == ("a",)
    assert notes.panel.proxy.rowCount() == 1
    assert window.reader.layers["notes-yellow"].spans[0].key == note.id
    qtbot.keyClick(window.reader.text, Qt.Key.Key_Z,
                   Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert notes.store.get(note.id) is None


def test_orphan_listed_and_reattached(qtbot, corpus_copy: Path) -> None:
    ctx = AppContext.create(corpus=str(corpus_copy))
    doc = ctx.corpus().document(DOC)
    start = doc.text.index(QUOTE)
    with NoteStore.open(ctx.paths.data_dir) as store:
        store.add(new_note(corpus_key(ctx), doc, start, start + len(QUOTE), body="orphan to be"))
    path = corpus_copy / f"{DOC}.md"
    path.write_text(re.sub(r"terrorist\s+assault", "attack", path.read_text(encoding="utf-8"), count=1),
                    encoding="utf-8")
    window = make_window(qtbot, corpus_copy, [DOC])
    panel = feature(window).panel
    assert panel.orphan_proxy.rowCount() == 1
    assert panel.tabs.tabText(1) == "Orphans (1)"
    orphan_id = panel.orphan_proxy.index(0, 0).data(NoteIdRole)
    assert not any(name.startswith("notes-") for name in window.reader.layers)
    panel.tabs.setCurrentIndex(1)
    panel.select(orphan_id)
    assert panel.orphan_list.currentIndex().data(NoteIdRole) == orphan_id and "orphan" in panel.where.text()
    select_quote(window, "law enforcement officers")
    qtbot.mouseClick(panel.attach_button, Qt.MouseButton.LeftButton)
    assert feature(window).store.get(orphan_id).status == "anchored"
    assert panel.orphan_proxy.rowCount() == 0
    assert window.reader.layers["notes-yellow"].spans[0].key == orphan_id


def test_context_menu_offers_add_note(qtbot) -> None:
    window = make_window(qtbot, open_ids=[DOC])
    start, end = select_quote(window, QUOTE)
    menu = QMenu()
    window.reader.contextMenuRequested.emit(menu, start, end)
    add = [a for a in menu.actions() if a.text() == "Add Note"]
    assert add
    add[0].trigger()
    assert len(feature(window).store.notes()) == 1


def test_garbage_database_restored_at_start(qtbot, isolated_dirs) -> None:
    ctx = AppContext.create()
    doc = ctx.corpus().document(DOC)
    with NoteStore.open(ctx.paths.data_dir) as store:
        store.add(new_note("bundled", doc, 0, 20, body="precious"))
    db = isolated_dirs["data"] / "notes" / DB_NAME
    db.write_bytes(b"\x00garbage" * 500)
    window = make_window(qtbot, open_ids=[DOC])
    notes = feature(window)
    assert notes.notice and "Restored the newest good backup" in notes.notice
    assert any("Restored" in n for n in window.notices)
    assert [n.body for n in notes.store.notes()] == ["precious"]
    assert any(p.name.startswith(DB_NAME + ".damaged-") for p in db.parent.iterdir())
    assert notes.panel.proxy.rowCount() == 1


def test_full_disk_is_reported_in_the_window(qtbot) -> None:
    window = make_window(qtbot, open_ids=[DOC])
    notes = feature(window)
    pages = notes.store._conn.execute("PRAGMA page_count").fetchone()[0]
    notes.store._conn.execute(f"PRAGMA max_page_count = {pages}")  # SQLite now refuses new pages
    select_quote(window, QUOTE)
    assert notes.add_note(body="z" * 50000) is None
    assert "disk is full" in notes.last_error
    assert "disk is full" in window.statusBar().currentMessage()
    assert notes.store.notes() == [] and notes.undo_stack.count() == 0
    notes.store._conn.execute("PRAGMA max_page_count = 1073741823")
    assert notes.add_note(body="fits now") is not None
