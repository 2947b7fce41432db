"""The notes model and its filter proxies under Qt's model tester: notes added, edited, filtered, deleted."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QByteArray

from reader.gui.notes.panel import NoteIdRole
from tests.gui.modeltest import check, window

pytestmark = pytest.mark.gui
DOC = "neo-outside-forces"


def test_notes_model_and_filters(qtbot) -> None:
    win = window(qtbot, [DOC])
    notes = win.features["notes"]
    panel = notes.panel
    testers = [check(panel.model), check(panel.proxy), check(panel.orphan_proxy)]
    text = win.reader.doc.text
    first = notes.add_note(win.reader, 0, 40, body="first one", tags=("lede",), edit=False)
    second = notes.add_note(win.reader, 100, 160, body="second", color="blue", edit=False)
    assert first is not None and second is not None and text
    qtbot.waitUntil(lambda: panel.model.rowCount() >= 2, timeout=5000)
    assert {panel.model.index(r, 0).data(NoteIdRole) for r in range(panel.model.rowCount())} >= {first.id, second.id}
    panel.proxy.set_filters("tag:lede", "", "", "")
    assert panel.proxy.rowCount() == 1
    panel.proxy.set_filters("", "", "blue", "")
    assert panel.proxy.rowCount() == 1
    panel.proxy.set_filters("", "", "", "")
    assert panel.model.replace(second) is True  # an edited note repaints its row only (dataChanged)
    notes.delete_note(first.id)
    qtbot.waitUntil(lambda: panel.model.row_of(first.id) < 0, timeout=5000)
    assert panel.orphan_proxy.rowCount() == 0
    names = panel.model.roleNames()
    assert all(isinstance(name, QByteArray) for name in names.values())
    assert bytes(names[NoteIdRole].data()) == b"noteId"
    assert {b"note", b"doc", b"status", b"color", b"tags", b"display", b"toolTip"} <= {
        bytes(n.data()) for n in names.values()}
    del testers
