"""The framing layer in the window: toggling, hover explanations, legend, profile chart export."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from PySide6.QtCore import QEvent, QPoint, QThreadPool
from PySide6.QtGui import QHelpEvent, QTextCursor
from PySide6.QtWidgets import QApplication, QToolTip

from reader.core.context import AppContext
from reader.gui.window.mainwindow import MainWindow

pytestmark = pytest.mark.gui


def make_window(qtbot, open_ids: list[str]) -> MainWindow:
    window = MainWindow(AppContext.create())
    # let background jobs (ours and other features') finish before the window goes away
    qtbot.addWidget(window, before_close_func=lambda _w: QThreadPool.globalInstance().waitForDone(20000))
    window.show()
    window.start(open_ids)
    window.wait_for_corpus()
    qtbot.waitUntil(lambda: window.reader.doc is not None, timeout=5000)
    return window


def framing_layers(view) -> dict:
    return {name: layer for name, layer in view.layers.items() if name.startswith("framing:")}


def test_toggle_shows_and_hides_highlights(qtbot) -> None:
    window = make_window(qtbot, ["frontier-post-alma-ata"])
    feature = window.features["framing"]
    reader = window.reader
    assert not feature.action.isChecked() and not framing_layers(reader)
    before = len(reader.text.extraSelections())
    feature.action.trigger()
    layers = framing_layers(reader)
    assert "framing:doubt" in layers and "framing:name_calling" in layers
    spans = [s for layer in layers.values() for s in layer.spans]
    assert len(reader.text.extraSelections()) >= before + len([s for s in spans if s.start < reader.article_pane.end])
    assert window.settings.get("framing.show") is True
    assert feature.action.shortcut().toString() == "Ctrl+Shift+H"
    # the legend lists each technique with its count for this document
    items = [feature.legend.list.item(i).text() for i in range(feature.legend.list.count())]
    assert len(items) == 14 and any(t.startswith("Doubt  (") for t in items)
    feature.action.trigger()
    assert not framing_layers(reader)
    assert len(reader.text.extraSelections()) == before
    # other documents opened while on get the layer too
    feature.action.trigger()
    window.open_document("kavkazplus-gutted")
    assert framing_layers(window.reader)


def test_hover_shows_technique_definition_and_rule(qtbot) -> None:
    window = make_window(qtbot, ["frontier-post-alma-ata"])
    feature = window.features["framing"]
    feature.action.trigger()
    reader = window.reader
    text = reader.doc.text
    start = text.index("bandits")
    widget = reader.text
    cursor = QTextCursor(widget.document())
    cursor.setPosition(reader.textmap.to_qt(start + 2))
    reader.scroll_to_offset(start)
    QApplication.processEvents()
    point = widget.cursorRect(cursor).center() + QPoint(2, 0)
    event = QHelpEvent(QEvent.Type.ToolTip, point, widget.viewport().mapToGlobal(point))
    QApplication.sendEvent(widget.viewport(), event)
    tip = QToolTip.text()
    definition = feature.engine.catalogue["name_calling"].definition
    assert "Name Calling" in tip and definition[:40] in tip
    assert "list:name_calling" in tip and "bandit" in tip


def test_technique_can_be_hidden_from_the_legend(qtbot) -> None:
    window = make_window(qtbot, ["frontier-post-alma-ata"])
    feature = window.features["framing"]
    feature.action.trigger()
    assert "framing:doubt" in framing_layers(window.reader)
    feature._on_technique_toggled("doubt", False)
    assert "framing:doubt" not in framing_layers(window.reader)
    assert window.settings.get("framing.hidden") == ["doubt"]


def test_context_menu_edit_changes_lists(qtbot, isolated_dirs) -> None:
    window = make_window(qtbot, ["frontier-post-alma-ata"])
    feature = window.features["framing"]
    feature.action.trigger()
    text = window.reader.doc.text
    feature.edit("remove", "hipsters")
    spans = [s for layer in framing_layers(window.reader).values() for s in layer.spans]
    assert not any(text[s.start:s.end] == "hipsters" for s in spans)
    assert (isolated_dirs["data"] / "overlays" / "framing.yaml").exists()


def test_profile_chart_exports_png_and_csv(qtbot, tmp_path: Path) -> None:
    window = make_window(qtbot, ["frontier-post-alma-ata"])
    feature = window.features["framing"]
    feature.show_profile()
    dialog = feature.dialog
    qtbot.waitUntil(lambda: len(dialog.chart.profiles) == 5, timeout=10000)
    png, table = tmp_path / "chart.png", tmp_path / "chart.csv"
    assert dialog.chart.export_png(png) and png.stat().st_size > 2000
    dialog.chart.export_csv(table)
    rows = list(csv.reader(table.open(encoding="utf-8")))
    assert rows[0][:2] == ["outlet", "words"] and len(rows) == 6
    dialog.scope.setCurrentIndex(1)  # documents open in the reader
    assert list(dialog.chart.profiles) == ["The Frontier Post"]
    dialog.close()
