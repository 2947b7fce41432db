"""A note edit repaints that note's document only, and updates its row without resetting the list."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QThreadPool

from reader.core.context import AppContext
from reader.core.events import NotesChanged
from reader.gui.window.mainwindow import MainWindow

pytestmark = pytest.mark.gui
NEO, FP, EAD = "neo-outside-forces", "frontier-post-alma-ata", "eadaily-ukrainian-trace"
QUOTE = "terrorist assault"


@pytest.fixture(autouse=True)
def _settle_background_jobs(qtbot):
    yield
    QThreadPool.globalInstance().waitForDone(15000)
    qtbot.wait(10)


def test_a_note_edit_repaints_only_that_note(qtbot) -> None:
    window = MainWindow(AppContext.create(), persist=False)
    qtbot.addWidget(window)
    window.resize(1600, 1000)
    window.show()
    window.start([NEO, FP, EAD])
    window.wait_for_corpus()
    notes = window.features["notes"]
    views = window.reader_views()
    neo = next(v for v in views if v.doc.id == NEO)
    start = neo.doc.text.index(QUOTE)
    note = notes.add_note(neo, start, start + len(QUOTE), body="first", edit=False)
    assert note is not None
    notes.panel.scope.setCurrentIndex(1)  # the whole corpus: every note listed
    assert notes.panel.note(note.id) is not None
    announced: list[NotesChanged] = []
    window.session.subscribe(NotesChanged, announced.append)
    resets: list[int] = []
    notes.panel.model.modelReset.connect(lambda: resets.append(1))
    changed_rows: list[int] = []
    notes.panel.model.dataChanged.connect(lambda a, _b: changed_rows.append(a.row()))
    before = {v.doc.id: v.layer_updates for v in views}

    notes.edit_note(note.id, {"body": "second thoughts"})  # what the panel's autosave does

    repaints = {v.doc.id: v.layer_updates - before[v.doc.id] for v in views}
    assert repaints == {NEO: 1, FP: 0, EAD: 0}  # one repaint, in the one pane showing the note
    assert announced == [NotesChanged((note.id,), (NEO,))]
    assert resets == [] and changed_rows == [notes.panel.model.row_of(note.id)]
    assert notes.panel.note(note.id).body == "second thoughts"
    assert "second thoughts" in neo.layers["notes-yellow"].spans[0].tooltip
    notes.undo_stack.undo()  # undo is one note's change too
    assert {v.doc.id: v.layer_updates - before[v.doc.id] for v in views} == {NEO: 2, FP: 0, EAD: 0}
    assert notes.store.get(note.id).body == "first" and resets == []
