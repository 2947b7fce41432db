"""Notes are searchable: ``note:`` queries on the CLI and in the search panel, hits jump to the passage."""

from __future__ import annotations

import json

import pytest

from reader.cli import main
from reader.core.context import AppContext
from reader.gui.window.mainwindow import MainWindow

QUOTE = "Mukhtar Ablyazov was trained in nuclear physics"


def add_note(capsys: pytest.CaptureFixture[str]) -> str:
    assert main(["notes", "add", "--doc", "moa-failed-rebellion", "--quote", QUOTE,
                 "--text", "Biography used to discredit: physics, then banking", "--tags", "biography"]) == 0
    return capsys.readouterr().out.strip()


def test_cli_note_query(capsys: pytest.CaptureFixture[str]) -> None:
    note_id = add_note(capsys)
    assert main(["search", "note:physics", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["scope"] == "notes" and data["total"] == 1
    (hit,) = data["hits"]
    assert hit["id"] == note_id and hit["doc"] == "moa-failed-rebellion" and hit["quote"] == QUOTE
    assert "<mark>physics</mark>" in hit["snippets"][0]
    assert main(["search", "note:tag:biography", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["total"] == 1
    assert main(["search", "note:nothinglikethis", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["total"] == 0


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
