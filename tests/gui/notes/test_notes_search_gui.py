"""Notes are searchable in the window: a ``note:`` query in the search panel jumps to the passage."""

from __future__ import annotations

import pytest

from reader.core.context import AppContext
from reader.gui.window.mainwindow import MainWindow
from tests.cli.test_notes_search_cli import QUOTE, add_note


@pytest.mark.gui
def test_panel_note_scope_jumps_to_passage(qtbot, capsys: pytest.CaptureFixture[str]) -> None:
    add_note(capsys)
    window = MainWindow(AppContext.create())
    qtbot.addWidget(window)
    window.show()
    window.start([])
    window.wait_for_corpus()
    feature = window.features["search"]
    feature.run_search("note:physics")
    panel = feature.panel
    assert panel.model.rowCount() == 1
    hit = panel.model.hit(0)
    assert hit.section.startswith("note:") and "<mark>physics</mark>" in hit.snippets[0]
    feature.open_result(hit.id, hit.section)
    reader = window.reader
    assert reader.doc is not None and reader.doc.id == "moa-failed-rebellion"
    start, end = reader.selected_range()
    assert reader.doc.text[start:end] == QUOTE
