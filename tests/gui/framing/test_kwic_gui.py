"""The concordance dock: a query fills aligned lines; clicking one opens the document there."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, Qt, QThreadPool

from reader.core.context import AppContext
from reader.gui.framing.kwic import DocRole, EndRole, StartRole
from reader.gui.window.mainwindow import MainWindow

pytestmark = pytest.mark.gui


def make_window(qtbot) -> MainWindow:
    window = MainWindow(AppContext.create())
    # let background jobs (ours and other features') finish before the window goes away
    qtbot.addWidget(window, before_close_func=lambda _w: QThreadPool.globalInstance().waitForDone(20000))
    window.show()
    window.start(["neo-outside-forces"])
    window.wait_for_corpus()
    return window


def test_kwic_line_opens_document_at_that_place(qtbot) -> None:
    window = make_window(qtbot)
    feature = window.features["kwic"]
    feature.show_query("colour revolution")
    panel = feature.panel
    qtbot.waitUntil(lambda: panel.model.rowCount() > 0, timeout=10000)
    assert feature.dock.isVisible()
    outlets = {panel.model.index(r, 0).data() for r in range(panel.model.rowCount())}
    assert len(outlets) >= 4
    assert panel.model.index(0, 2).data(Qt.ItemDataRole.TextAlignmentRole) & int(Qt.AlignmentFlag.AlignRight)
    panel.order.setCurrentIndex(panel.order.findData("outlet"))
    shown = [panel.model.index(r, 0).data() for r in range(panel.model.rowCount())]
    assert shown == sorted(shown, key=str.lower)
    # pick a line from a document that is not open, and click it
    row = next(r for r in range(panel.model.rowCount())
               if panel.model.index(r, 0).data(DocRole) != window.reader.doc.id)
    index = panel.model.index(row, 3)
    doc_id, start, end = index.data(DocRole), index.data(StartRole), index.data(EndRole)
    panel.table.scrollTo(index)
    qtbot.mouseClick(panel.table.viewport(), Qt.MouseButton.LeftButton, pos=panel.table.visualRect(index).center())
    assert window.reader.doc.id == doc_id
    assert window.reader.selected_range() == (start, end)
    assert window.reader.doc.text[start:end].lower().replace("-", " ").startswith(("colo",))
    # the dispersion strip has one row per document with hits
    assert len(panel.strip.rows) == len({panel.model.index(r, 0).data(DocRole)
                                         for r in range(panel.model.rowCount())})
    csv_text = panel.csv_text()
    assert csv_text.splitlines()[0].startswith("doc,outlet,date,start,end")


def test_reader_context_menu_offers_concordance(qtbot) -> None:
    from PySide6.QtWidgets import QMenu

    window = make_window(qtbot)
    qtbot.waitUntil(lambda: window.reader.doc is not None, timeout=5000)
    text = window.reader.doc.text
    start = text.index("Kazakhstan")
    menu = QMenu()
    window.reader.contextMenuRequested.emit(menu, start, start + len("Kazakhstan"))
    labels = [a.text() for a in menu.actions()]
    assert "Concordance for “Kazakhstan”" in labels
    next(a for a in menu.actions() if a.text() == "Concordance for “Kazakhstan”").trigger()
    panel = window.features["kwic"].panel
    qtbot.waitUntil(lambda: panel.model.rowCount() > 5, timeout=10000)
    assert panel.query.text() == "Kazakhstan"
    entity = [a for a in menu.actions() if a.text().startswith("Concordance for this entity")]
    if entity:  # the entities capability marks the name: its concordance covers every spelling
        entity[0].trigger()
        assert "|" in panel.query.text() and panel.exact.isChecked()


def test_dispersion_tick_opens_document(qtbot) -> None:
    window = make_window(qtbot)
    feature = window.features["kwic"]
    feature.show_query("Tokayev")
    strip = feature.panel.strip
    qtbot.waitUntil(lambda: len(strip.rows) >= 3, timeout=10000)
    strip.resize(600, strip.minimumHeight())
    doc_id, _outlet, hits = strip.rows[-1]
    label_w = strip._label_width()
    x = label_w + hits[-1].position * max(10, strip.width() - label_w - 12)
    y = 3 + (len(strip.rows) - 1) * strip.ROW + strip.ROW / 2
    hit = strip.hit_at(x, y)
    assert hit is not None and hit.doc == doc_id
    with qtbot.waitSignal(strip.hitClicked, timeout=2000) as blocker:
        qtbot.mouseClick(strip, Qt.MouseButton.LeftButton, pos=QPoint(int(x), int(y)))
    assert blocker.args[0] == doc_id
    assert window.reader.doc.id == doc_id and window.reader.selected_range() == (hit.start, hit.end)
