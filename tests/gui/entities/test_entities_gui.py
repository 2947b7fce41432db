"""Entities in the window: highlights and legend, click to select, F3, alias from a selection, merge, matrix."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QTextCursor
from PySide6.QtWidgets import QMenu

from reader.core.context import AppContext
from reader.gui.entities.feature import LAYER_PREFIX, SELECTED_LAYER, EntitiesFeature, clean_selection
from reader.gui.window.mainwindow import MainWindow

pytestmark = pytest.mark.gui


def make_window(qtbot, open_ids: list[str] | None = None) -> tuple[MainWindow, EntitiesFeature]:
    window = MainWindow(AppContext.create())
    qtbot.addWidget(window)
    window.show()
    feature: EntitiesFeature = window.features["entities"]
    feature.dock.show()  # a hidden dock's list is filled only when it is shown (see the stale test)
    with qtbot.waitSignal(feature.countsUpdated, timeout=10000):
        window.start(open_ids)
        window.wait_for_corpus()
    search = window.features.get("search")
    if search is not None:  # let the search feature's index job end before the window can go
        qtbot.waitUntil(lambda: not getattr(search, "indexing", False), timeout=30000)
    return window, feature


def click_offset(qtbot, view, offset: int) -> None:
    """Click the text at a canonical offset as a person would (no selection, in view)."""
    pane = view.pane_for(offset)
    cursor = QTextCursor(pane.widget.document())
    cursor.setPosition(pane.map.to_qt(offset) + 1)
    pane.widget.setTextCursor(cursor)  # no selection; scrolls it into view
    rect = pane.widget.cursorRect(cursor)
    qtbot.mouseClick(pane.widget.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())


def test_highlights_legend_and_tooltips(qtbot) -> None:
    window, feature = make_window(qtbot, ["eadaily-ukrainian-trace"])
    view = window.reader
    spans = feature.layer_spans(view)
    text = view.doc.text
    assert len(spans) > 100
    assert {view.doc.text[s.start:s.end] for s in spans} >= {"DVK", "CPK", "MVK", "Kassym-Zhomart Tokayev", "Kiev"}
    tok = next(s for s in spans if text[s.start:s.end] == "Kassym-Zhomart Tokayev")
    assert tok.key == "tokayev" and "Kassym-Jomart Tokayev — person" in tok.tooltip and "President" in tok.tooltip
    legend = feature.legends[id(view)]
    assert legend.isVisible() and set(legend.checks) == {"person", "organisation", "place", "group", "event",
                                                          "media"}
    # per-type toggle: places disappear, people stay
    legend.checks["place"].setChecked(False)
    assert not view.layers[LAYER_PREFIX + "place"].visible and view.layers[LAYER_PREFIX + "person"].visible
    assert window.settings.get("entities.hidden_types") == ["place"]
    legend.checks["place"].setChecked(True)
    # the whole layer off and on
    feature.act_show.trigger()
    assert feature.layer_spans(view) == [] and not legend.isVisible()
    feature.act_show.trigger()
    assert len(feature.layer_spans(view)) == len(spans)


def test_click_entity_highlights_all_mentions_and_f3_steps(qtbot) -> None:
    window, feature = make_window(qtbot, ["moa-failed-rebellion"])
    view = window.reader
    text = view.doc.text
    first = text.index("Ablyazov")
    with qtbot.waitSignal(feature.selectionChanged, timeout=5000) as blocker:
        click_offset(qtbot, view, first)
    assert blocker.args == ["ablyazov"]
    chosen = view.layers[SELECTED_LAYER].spans
    assert len(chosen) == feature.counts["ablyazov"]["moa-failed-rebellion"] == 14 + 0
    assert all(s.key == "ablyazov" and "Ablyazov" in text[s.start:s.end] for s in chosen)
    assert "Ablyazov" in feature.legends[id(view)].selected.text()
    # F3 (outside the find bar) steps through the selected entity's mentions
    window.act_find_next.trigger()
    assert view.selected_range() == (chosen[0].start, chosen[0].end)
    window.act_find_next.trigger()
    assert view.selected_range() == (chosen[1].start, chosen[1].end)
    # the dock's list follows the selection
    rows = feature.panel.table.selectionModel().selectedRows()
    assert rows and rows[0].data() == "Mukhtar Ablyazov"
    feature.select(None)
    assert SELECTED_LAYER not in view.layers


def test_alias_from_selection_counts_everywhere(qtbot) -> None:
    window, feature = make_window(qtbot, ["moa-failed-rebellion"])
    view = window.reader
    text = view.doc.text
    start = text.index("Erodgan")
    before = feature.counts["erdogan"]["moa-failed-rebellion"]
    view.select_range(start, start + 7)
    menu = QMenu()
    view.contextMenuRequested.emit(menu, start, start + 7)
    sub = next(a.menu() for a in menu.actions() if a.menu() and a.menu().objectName() == "entityAliasMenu")
    target = next(a for a in sub.actions() if a.data() == "erdogan")
    target.trigger()
    qtbot.waitUntil(lambda: feature.counts["erdogan"]["moa-failed-rebellion"] == before + 1, timeout=10000)
    assert any(s.key == "erdogan" and s.start == start for s in feature.layer_spans(view, "person"))
    # "everywhere": the new spelling counts in another document too
    other = window.corpus.document("kavkazplus-gutted")
    svc = feature.service
    assert svc is not None
    svc.add_alias("tokayev", "crafty conspirator")
    assert any(m.text == "crafty conspirator" and m.entity_id == "tokayev" for m in svc.mentions(other))
    # the matrix shows the new count
    row = next(r for r in feature.panel.matrix.rows if r.id == "erdogan")
    assert row.counts["moa-failed-rebellion"] == before + 1


def test_merge_merges_counts(qtbot) -> None:
    _window, feature = make_window(qtbot, ["neo-outside-forces"])
    kyiv, ukraine = dict(feature.counts["kyiv"]), dict(feature.counts["ukraine"])
    with qtbot.waitSignal(feature.countsUpdated, timeout=10000):
        feature.merge("kyiv", "ukraine")
    merged = feature.counts["ukraine"]
    assert "kyiv" not in feature.counts
    assert merged == {d: kyiv.get(d, 0) + ukraine.get(d, 0) for d in set(kyiv) | set(ukraine)}
    names = [r.id for r in feature.panel.model.rows]
    assert "kyiv" not in names and "ukraine" in names


def test_coverage_matrix_cell_opens_document_and_exports(qtbot, tmp_path: Path) -> None:
    window, feature = make_window(qtbot, ["kavkazplus-gutted"])
    feature.act_matrix.trigger()
    assert feature.dock.isVisible() and feature.panel.tabs.currentIndex() == 1
    matrix = feature.panel.matrix
    abl = next(i for i, r in enumerate(matrix.rows) if r.id == "ablyazov")
    docs = [d for d, _ in matrix.docs]
    assert matrix.rows[abl].counts.get("kavkazplus-gutted", 0) == 0
    col = docs.index("eadaily-ukrainian-trace")
    with qtbot.waitSignal(window.documentOpened, timeout=5000):
        qtbot.mouseClick(matrix, Qt.MouseButton.LeftButton, pos=matrix.cell_rect(abl, col).center())
    qtbot.waitUntil(lambda: window.reader.selected_range() is not None, timeout=5000)
    start, end = window.reader.selected_range()
    assert window.reader.doc.id == "eadaily-ukrainian-trace"
    assert window.reader.doc.text[start:end] == "Mukhtar Ablyazov"
    assert start == min(s.start for s in window.reader.layers[SELECTED_LAYER].spans)
    csv_path = feature.export_matrix("csv", tmp_path / "m.csv")
    png_path = feature.export_matrix("png", tmp_path / "m.png")
    lines = csv_path.read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith("entity,name,type,") and lines[0].endswith(",total")
    assert any(line.startswith("ablyazov,Mukhtar Ablyazov,person,") for line in lines)
    assert png_path.stat().st_size > 2000


def test_a_matrix_export_that_cannot_be_written_is_a_notice(qtbot, tmp_path: Path) -> None:
    """A real fault (the target's folder is a file): an error notice, no file, no exception."""
    window, feature = make_window(qtbot)
    feature.act_matrix.trigger()
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x", encoding="utf-8")
    notices = []
    window.bridge.notice.connect(notices.append)
    assert feature.export_matrix("png", blocker / "m.png") is None
    assert [n.level for n in notices] == ["error"]
    assert "Could not save m.png" in notices[0].text
    assert "Could not save m.png" in window.statusBar().currentMessage()
    assert blocker.read_text(encoding="utf-8") == "x"


def test_candidates_accept_and_dismiss(qtbot) -> None:
    _window, feature = make_window(qtbot)
    with qtbot.waitSignal(feature.candidatesUpdated, timeout=10000):
        feature.show_tab(2)
    texts = [c.text for c in feature.candidates]
    assert "Erodgan" in texts
    table = feature.panel.cand_table
    table.selectRow(texts.index("Erodgan"))
    assert feature.panel.accept_btn.isEnabled() and "Erdoğan" in feature.panel.accept_btn.text()
    with qtbot.waitSignal(feature.candidatesUpdated, timeout=10000):
        feature.panel.accept_btn.click()
    assert "Erodgan" not in [c.text for c in feature.candidates]
    texts = [c.text for c in feature.candidates]
    table.selectRow(texts.index("Vladimir"))
    with qtbot.waitSignal(feature.candidatesUpdated, timeout=10000):
        feature.panel.dismiss_btn.click()
    assert "Vladimir" not in [c.text for c in feature.candidates]
    assert feature.service is not None and "vladimir" in feature.service.dismissed


def test_clean_selection() -> None:
    assert clean_selection(" “Tokayev’s”, ") == "Tokayev"
    assert clean_selection("Nur-\nSultan") == "Nur- Sultan"
    assert clean_selection("...") == ""


def test_counts_reach_a_hidden_dock_only_when_it_is_shown(qtbot) -> None:
    """Counts arriving while the dock is hidden mark the list stale; showing the dock fills it."""
    window = MainWindow(AppContext.create())
    qtbot.addWidget(window)
    window.show()
    feature: EntitiesFeature = window.features["entities"]
    feature.dock.hide()
    with qtbot.waitSignal(feature.countsUpdated, timeout=10000):
        window.start(["neo-outside-forces"])
        window.wait_for_corpus()
    search = window.features.get("search")
    if search is not None:
        qtbot.waitUntil(lambda: not getattr(search, "indexing", False), timeout=30000)
    assert feature.counts and feature._panel_stale and feature.panel.model.rowCount() == 0
    feature.dock.show()
    qtbot.waitUntil(lambda: feature.panel.model.rowCount() > 5, timeout=5000)
    assert not feature._panel_stale
    assert {r.id for r in feature.panel.model.rows} >= set(feature.counts)
    assert any(r.total for r in feature.panel.matrix.rows)
