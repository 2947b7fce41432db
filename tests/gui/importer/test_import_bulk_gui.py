"""In the window: many library rows get one outlet in one action; Ctrl+Z puts them back."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from reader.core.corpora import create_corpus
from reader.core.corpus import Corpus
from reader.core.importer import import_paths
from reader.core.paths import AppPaths
from tests.gui.importer.test_import_gui import make_window, windows  # noqa: F401  (the fixture)

pytestmark = pytest.mark.gui


def twenty_documents(tmp_path: Path) -> Path:
    root = create_corpus(AppPaths.resolve(), "bulk", event="Unrest in Almaty")
    src = tmp_path / "src"
    src.mkdir()
    for n in range(20):
        (src / f"d{n:02}.txt").write_text(f"Report {n}\n\nThe crowd in square {n} grew through the night.\n",
                                          encoding="utf-8")
    assert len(import_paths(root, [src]).imported) == 20
    return root


def test_select_twenty_rows_set_outlet_then_undo(qtbot, windows, tmp_path: Path) -> None:  # noqa: F811
    root = twenty_documents(tmp_path)
    before = {p.name: p.read_bytes() for p in root.glob("*.md")}
    window = make_window(qtbot, windows, root)
    bulk = window.features["importer"].bulk
    window.library.view.selectAll()
    assert len(window.library.selected_ids()) == 20
    bulk.action.trigger()
    dialog = bulk.dialog
    assert dialog is not None and dialog.isVisible() and "20" in dialog.windowTitle()
    dialog.set_value("outlet", "BBC News")
    dialog.set_value("tags", "unrest, fuel")
    qtbot.mouseClick(dialog.buttons.button(dialog.buttons.StandardButton.Ok), Qt.MouseButton.LeftButton)
    assert not dialog.isVisible()
    scanned = Corpus(root).scan()
    assert {m.outlet for m in scanned.metas()} == {"BBC News"}
    assert all(m.extra.get("tags") == ["unrest", "fuel"] for m in scanned.metas())
    undo = window.features["notes"].act_undo
    assert undo.isEnabled() and "20 Documents" in undo.text()
    assert undo.shortcut().toString() == "Ctrl+Z"
    undo.trigger()
    assert {p.name: p.read_bytes() for p in root.glob("*.md")} == before
    window.wait_for_corpus()


def test_bad_date_keeps_the_dialog_open_and_changes_nothing(qtbot, windows, tmp_path: Path) -> None:  # noqa: F811
    root = twenty_documents(tmp_path)
    before = {p.name: p.read_bytes() for p in root.glob("*.md")}
    window = make_window(qtbot, windows, root)
    bulk = window.features["importer"].bulk
    dialog = bulk.open_dialog(Corpus(root).scan().ids[:5])
    assert dialog is not None
    dialog.set_value("published", "last week")
    dialog.buttons.button(dialog.buttons.StandardButton.Ok).click()
    assert dialog.isVisible() and "ISO date" in dialog.error.text()
    assert {p.name: p.read_bytes() for p in root.glob("*.md")} == before
    assert not window.features["notes"].act_undo.isEnabled()


def test_review_asks_the_outlet_once_and_offers_the_event(qtbot, windows, tmp_path: Path) -> None:  # noqa: F811
    root = create_corpus(AppPaths.resolve(), "review", event="Unrest in Almaty")
    window = make_window(qtbot, windows, root)
    feature = window.features["importer"]
    src = tmp_path / "in"
    src.mkdir()
    for n in range(3):
        (src / f"n{n}.txt").write_text(f"Note {n}\n\nWhat the witness number {n} saw.\n", encoding="utf-8")
    with qtbot.waitSignal(feature.importFinished, timeout=20000):
        feature.start_import([src])
    review = feature.review
    assert review.batch is not None
    review.batch_outlet.setText("Field notes")
    review.batch_outlet_button.click()
    review.batch_event_button.click()
    assert len(review.model.changes()) == 3
    review.save_button.click()
    scanned = Corpus(root).scan()
    assert {(m.outlet, m.event) for m in scanned.metas()} == {("Field notes", "Unrest in Almaty")}
    window.wait_for_corpus()
