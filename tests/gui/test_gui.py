"""The main window, driven as a person would: library, filter, reading, find, zoom, restore."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDockWidget

from reader.core.context import AppContext
from reader.gui.reader.library import DocIdRole
from reader.gui.window.mainwindow import MainWindow

pytestmark = pytest.mark.gui


def make_window(qtbot, corpus: Path | None = None, open_ids: list[str] | None = None) -> MainWindow:
    window = MainWindow(AppContext.create(corpus=str(corpus) if corpus else None))
    qtbot.addWidget(window)
    window.show()
    window.start(open_ids)
    window.wait_for_corpus()
    return window


def row_of(window: MainWindow, doc_id: str) -> int:
    ids = window.library.visible_ids()
    return ids.index(doc_id)


def test_library_lists_and_opens_document(qtbot) -> None:
    window = make_window(qtbot)
    assert window.library.proxy.rowCount() == 5
    assert "5 documents" in window.corpus_label.text()
    view = window.library.view
    index = window.library.proxy.index(row_of(window, "moa-failed-rebellion"), 1)
    with qtbot.assertNotEmitted(window.documentOpened, wait=100):  # a click selects, it does not open
        qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=view.visualRect(index).center())
    assert window.library.current_id() == "moa-failed-rebellion" and window.library.beside_button.isEnabled()
    with qtbot.waitSignal(window.documentOpened, timeout=5000) as blocker:
        qtbot.mouseDClick(view.viewport(), Qt.MouseButton.LeftButton, pos=view.visualRect(index).center())
    assert blocker.args == ["moa-failed-rebellion"]
    reader = window.reader
    assert reader.header.title.text() == "Mysteries Of The Failed Rebellion In Kazakhstan"
    assert "Moon of Alabama" in reader.header.meta.text()
    assert reader.text.toPlainText().startswith("It is still a mystery")
    assert reader.comments_box.isVisible()
    assert "Oui" in reader.comments_text.toPlainText()
    assert "Oui" not in reader.text.toPlainText()


def test_filter_as_you_type(qtbot) -> None:
    window = make_window(qtbot)
    qtbot.keyClicks(window.library.filter_edit, "kavkaz")
    assert window.library.visible_ids() == ["kavkazplus-gutted"]
    assert window.library.count_label.text() == "1 of 5 documents"
    window.library.filter_edit.clear()
    qtbot.keyClicks(window.library.filter_edit, "2022-01-07")
    assert sorted(window.library.visible_ids()) == ["frontier-post-alma-ata", "neo-outside-forces"]
    qtbot.keyClick(window.library.filter_edit, Qt.Key.Key_Return)
    assert window.reader.doc is not None and window.reader.doc.id in window.library.visible_ids()


def test_sorting_by_column(qtbot) -> None:
    window = make_window(qtbot)
    window.library.sort(0, Qt.SortOrder.AscendingOrder)
    outlets = [window.library.proxy.index(r, 0).data() for r in range(5)]
    assert outlets == sorted(outlets, key=str.lower)
    window.library.sort(2, Qt.SortOrder.DescendingOrder)
    assert window.library.proxy.index(0, 0).data(DocIdRole) == "eadaily-ukrainian-trace"


def test_font_size_shortcuts_remembered(qtbot, isolated_dirs) -> None:
    window = make_window(qtbot, open_ids=["neo-outside-forces"])
    start = window.reader.font_size
    window.act_zoom_in.trigger()
    window.act_zoom_in.trigger()
    assert window.reader.font_size == start + 2
    window.act_zoom_out.trigger()
    assert window.reader.font_size == start + 1
    assert f"reader.font_size: {start + 1}" in (isolated_dirs["config"] / "settings.yaml").read_text()
    assert window.act_zoom_in.shortcuts()[0].toString() == "Ctrl+="
    window.close()
    again = make_window(qtbot)
    assert again.reader.font_size == start + 1


def test_state_restored_at_next_start(qtbot) -> None:
    window = make_window(qtbot)
    window.open_document("kavkazplus-gutted")
    for dock in window.findChildren(QDockWidget):  # docks' minimum sizes would not fit 800x600
        dock.hide()
    window.resize(760, 560)  # the offscreen screen is 800x600
    window.splitter.setSizes([250, 510])
    sizes = window.splitter.sizes()
    window.close()
    again = make_window(qtbot)
    qtbot.waitUntil(lambda: again.reader.doc is not None, timeout=5000)
    assert again.reader.doc.id == "kavkazplus-gutted"
    assert (again.width(), again.height()) == (760, 560)
    assert again.splitter.sizes() == sizes


def test_find_in_document(qtbot) -> None:
    window = make_window(qtbot, open_ids=["moa-failed-rebellion"])
    reader = window.reader
    qtbot.keyClick(reader.text, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert reader.findbar.isVisible()
    qtbot.keyClicks(reader.findbar.edit, "erdogan")
    matches = reader.find_matches
    assert len(matches) >= 3
    text = reader.doc.text
    assert all(text[s:e].lower() == "erdogan" for s, e in matches)
    assert reader.findbar.count.text() == f"1 of {len(matches)}"
    window.act_find_next.trigger()
    assert reader.findbar.count.text() == f"2 of {len(matches)}"
    # a match inside the reader comments is shown in the comments column
    in_comments = [m for m in matches if m[0] >= reader.doc.section("comments").start]
    assert in_comments and reader.pane_for(in_comments[0][0]) is reader.comments_pane
    qtbot.keyClick(reader.findbar.edit, Qt.Key.Key_Escape)
    assert not reader.findbar.isVisible() and "find" not in reader.layers


def test_bad_corpus_shows_problems_and_good_documents(qtbot, bad_corpus: Path) -> None:
    window = make_window(qtbot, corpus=bad_corpus)
    assert sorted(window.library.visible_ids()) == ["dup", "good-one", "good-two"]
    assert window.problems_button.isVisible()
    assert "5 file(s) skipped" in window.problems_button.text()


def test_text_map_matches_canonical_offsets(qtbot) -> None:
    window = make_window(qtbot, open_ids=["eadaily-ukrainian-trace"])
    reader = window.reader
    doc = reader.doc
    qt_text = reader.text.document().toPlainText()
    for needle in ("Kaletaev", "Ablyazov", "Korchinsky"):
        start = doc.text.index(needle)
        pos = reader.textmap.to_qt(start)
        assert qt_text[pos:pos + len(needle)] == needle
        assert reader.textmap.to_py(pos) == start


def test_no_two_actions_share_a_shortcut(qtbot) -> None:
    from PySide6.QtGui import QAction

    window = make_window(qtbot)
    owners: dict[str, str] = {}
    clashes = []
    for action in window.findChildren(QAction):
        if action.shortcutContext() == Qt.ShortcutContext.WidgetShortcut:
            continue
        for seq in action.shortcuts():
            key = seq.toString()
            if key in owners and owners[key] != action.text():
                clashes.append(f"{key}: {owners[key]!r} and {action.text()!r}")
            owners.setdefault(key, action.text())
    assert clashes == []
    assert len(owners) > 20  # the features really did register their shortcuts


def test_return_in_another_field_does_not_open_a_document(qtbot) -> None:
    from PySide6.QtWidgets import QLineEdit

    window = make_window(qtbot)
    other = QLineEdit(window)
    other.show()
    other.setFocus()
    qtbot.keyClick(other, Qt.Key.Key_Return)
    assert window.reader.doc is None
    window.library.filter_edit.setFocus()
    qtbot.keyClick(window.library.filter_edit, Qt.Key.Key_Return)
    assert window.reader.doc is not None


def test_interface_text_scale(qtbot, isolated_dirs) -> None:
    from PySide6.QtWidgets import QApplication

    window = make_window(qtbot)
    app = QApplication.instance()
    before = app.font().pointSizeF()
    window.act_ui_larger.trigger()
    window.act_ui_larger.trigger()
    assert app.font().pointSizeF() > before * 1.15
    assert "ui.text_scale: 1.2" in (isolated_dirs["config"] / "settings.yaml").read_text()
    window.act_ui_smaller.trigger()
    window.act_ui_smaller.trigger()
    assert abs(app.font().pointSizeF() - before) < 0.01
