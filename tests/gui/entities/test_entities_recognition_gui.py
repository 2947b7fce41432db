"""Recognition in the window: an imported corpus gets highlights and a filled coverage matrix, a
progress bar while the model runs, a merge dialog that asks, and Ctrl+Z for an accidental merge."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QCursor, QTextCursor
from PySide6.QtWidgets import QApplication, QMenu, QMessageBox

from reader.core.context import AppContext
from reader.gui.entities.feature import EntitiesFeature, MergeDialog
from reader.gui.entities.panel import EntitiesPanel
from reader.gui.window.mainwindow import MainWindow
from tests.conftest import write_doc

pytestmark = pytest.mark.gui

BODIES = {
    "blair-revolt": "Prime Minister Tony Blair faced a revolt on Wednesday. Mr Blair told the BBC in London that "
                    "Labour would not change course. Blair's critics disagreed, said Gordon Brown.",
    "election-plans": "Mr Blair and Mr Brown spoke in Manchester on Monday. Mr Blair said Labour would win "
                      "the election, and London would decide it.",
    "budget-day": "Gordon Brown set out his budget in London. I'm sure, Mr Brown said, that Labour will keep "
                  "its promises. The Conservatives under Michael Howard disagreed.",
}


@pytest.fixture
def imported(tmp_path: Path) -> Path:
    folder = tmp_path / "imported"
    folder.mkdir()
    for doc_id, body in BODIES.items():
        write_doc(folder, doc_id, body, outlet=doc_id.split("-")[0].title())
    return folder


def make_window(qtbot, folder: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[MainWindow, EntitiesFeature, list]:
    shown: list[tuple[int, int, bool]] = []
    original = EntitiesPanel.show_progress

    def spy(self: EntitiesPanel, done: int, total: int) -> None:
        original(self, done, total)
        shown.append((done, total, not self.progress.isHidden()))

    monkeypatch.setattr(EntitiesPanel, "show_progress", spy)
    window = MainWindow(AppContext.create(corpus=str(folder)))
    qtbot.addWidget(window)
    window.show()
    feature: EntitiesFeature = window.features["entities"]
    feature.dock.show()  # a hidden dock's list is filled only when it is shown (see the stale test)
    with qtbot.waitSignal(feature.countsUpdated, timeout=30000):
        window.start(["blair-revolt"])
        window.wait_for_corpus()
    search = window.features.get("search")
    if search is not None:
        qtbot.waitUntil(lambda: not getattr(search, "indexing", False), timeout=30000)
    return window, feature, shown


def test_imported_corpus_highlights_and_matrix_after_recognition(qtbot, imported: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    window, feature, shown = make_window(qtbot, imported, monkeypatch)
    # a progress bar was up while the model ran, and is gone now
    assert any(visible and done < total for done, total, visible in shown)
    assert feature.panel.progress.isHidden() and not feature.recognising
    view = window.reader
    text = view.doc.text
    spans = {(text[s.start:s.end], s.key) for s in feature.layer_spans(view)}
    assert {("Tony Blair", "tony-blair"), ("Blair", "tony-blair"), ("London", "london"),
            ("Labour", "labour")} <= spans
    assert not {t for t, _k in spans} & {"Wednesday", "I", "I'm"}
    person = {text[s.start:s.end] for s in feature.layer_spans(view, "person")}
    assert "Tony Blair" in person and "London" not in person
    matrix = feature.panel.matrix
    rows = {r.id: r for r in matrix.rows}
    assert set(rows["tony-blair"].counts) == {"blair-revolt", "election-plans"}
    assert set(rows["labour"].counts) == set(BODIES)
    assert rows["london"].type == "place" and rows["labour"].type == "organisation"
    assert "tony-blair,Tony Blair,person," in matrix.to_csv()
    assert matrix.cell_w <= matrix.MAX_CELL_W  # long document ids as labels do not widen the columns
    own = feature.open_matrix_window()
    assert own.isVisible() and [r.id for r in own.matrix.rows] == [r.id for r in matrix.rows]
    own.close()


def test_merge_dialog_asks_and_ctrl_z_undoes_an_accidental_merge(qtbot, imported: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    window, feature, _shown = make_window(qtbot, imported, monkeypatch)
    dialog = feature.merge_dialog("london")
    assert isinstance(dialog, MergeDialog)
    qtbot.waitExposed(dialog)
    dialog.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is dialog, timeout=5000)
    assert dialog.selected_id() is None and not dialog.ok.isEnabled()  # no pre-selected target
    qtbot.keyClick(dialog.filter, Qt.Key.Key_Return)  # Enter on no choice: nothing happens
    qtbot.keyClick(dialog, Qt.Key.Key_Return)
    qtbot.keyClick(dialog.list, Qt.Key.Key_Return)
    assert dialog.isVisible() and "london" in feature.counts and dialog.chosen is None
    asked: list[str] = []

    def answer(_parent: object, _title: str, text: str, *_args: object) -> QMessageBox.StandardButton:
        asked.append(text)
        return QMessageBox.StandardButton.Yes

    monkeypatch.setattr("reader.gui.entities.feature.QMessageBox.question", answer)
    dialog.filter.setText("Labour")
    visible = [dialog.list.item(i) for i in range(dialog.list.count()) if not dialog.list.item(i).isHidden()]
    assert [i.data(Qt.ItemDataRole.UserRole) for i in visible] == ["labour"]
    dialog.list.setCurrentItem(visible[0])
    assert dialog.ok.isEnabled()
    dialog.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is dialog, timeout=5000)
    dialog.list.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is dialog.list, timeout=5000)
    with qtbot.waitSignal(feature.countsUpdated, timeout=10000):
        qtbot.keyClick(dialog.list, Qt.Key.Key_Return)
    assert asked and "London into Labour" in asked[0]
    assert "london" not in feature.counts
    # one Ctrl+Z in the window takes the merge back
    window.activateWindow()
    window.reader.setFocus()
    QApplication.processEvents()
    with qtbot.waitSignal(feature.countsUpdated, timeout=10000):
        qtbot.keyClick(window.reader, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert "london" in feature.counts and feature.service is not None
    assert feature.service.entity("london").name == "London"
    assert feature.service.last_change() is None


def test_entities_list_context_menu_acts_on_the_row_under_the_pointer(qtbot, imported: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    _window, feature, _shown = make_window(qtbot, imported, monkeypatch)
    feature.show_tab(0)
    table = feature.panel.table
    table.selectRow(0)
    rows = feature.panel.model.entries()
    target = next(i for i in range(feature.panel.proxy.rowCount())
                  if rows[feature.panel.proxy.mapToSource(feature.panel.proxy.index(i, 0)).row()].id == "london")
    pos = table.visualRect(feature.panel.proxy.index(target, 0)).center()
    assert feature.panel.entity_at(pos) == "london"
    with qtbot.waitSignal(feature.panel.listMenuRequested, timeout=5000) as blocker:
        feature.panel._on_list_menu(pos)
    assert blocker.args[0] == "london"
    menu = feature.last_list_menu
    labels = [a.text() for a in menu.actions()]
    assert any("London" in t and t.startswith("Merge") for t in labels)
    assert any(t.startswith("Rename") for t in labels)
    menu.close()


def test_right_click_acts_on_the_name_under_the_pointer_not_an_old_selection(qtbot, imported: Path,
                                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    window, feature, _shown = make_window(qtbot, imported, monkeypatch)
    view = window.reader
    text = view.doc.text
    old = text.index("Wednesday")
    view.select_range(old, old + len("Wednesday"))  # a selection left over from earlier
    name = text.index("Tony Blair")
    pane = view.pane_for(name)
    cursor = QTextCursor(pane.widget.document())
    cursor.setPosition(pane.map.to_qt(name) + 2)
    QCursor.setPos(pane.widget.viewport().mapToGlobal(pane.widget.cursorRect(cursor).center()))
    if view.offset_at(pane.widget.viewport().mapFromGlobal(QCursor.pos()), pane) is None:
        pytest.skip("this Qt platform cannot place the mouse pointer")
    menu = QMenu()
    try:
        feature._context_menu(view, menu, *view.selected_range())
    finally:
        QCursor.setPos(0, 0)  # the pointer is global: leave it where no later test's text is
    labels = [a.text() for a in menu.actions()]
    assert any(t.startswith("Select “Tony Blair”") for t in labels)
    assert not any("Wednesday" in t for t in labels)
    assert any(t.startswith("Merge “Tony Blair”") for t in labels)
    assert any("Is Not a Name Here" in t for t in labels)


def test_model_is_not_loaded_at_window_start(tmp_path: Path, imported: Path) -> None:
    """Opening the window never imports the CRF or opens the model: the counting job does, off the GUI thread."""
    import os
    import subprocess
    import sys

    code = ("import sys\n"
            "from PySide6.QtWidgets import QApplication\n"
            "app = QApplication([])\n"
            "from reader.core.context import AppContext\n"
            "from reader.gui.window.mainwindow import MainWindow\n"
            f"w = MainWindow(AppContext.create(corpus={str(imported)!r}))\n"
            "w.show(); app.processEvents()\n"
            "import reader.core.entities.recogniser as r\n"
            "print('pycrfsuite' in sys.modules, r._default is not None)\n")
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120,
                         cwd=Path(__file__).resolve().parents[3])
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.split()[-2:] == ["False", "False"]
