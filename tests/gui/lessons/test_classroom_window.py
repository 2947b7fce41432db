"""Issue 20, everyone: the window fits a small laptop, keyboard paths everywhere, margin bars follow."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QByteArray, QRect, Qt
from PySide6.QtWidgets import QApplication, QDockWidget

from reader.core.context import AppContext
from reader.core.keymap import KEY_TABLE, bound_keys, readme_table
from reader.gui.reader.library import LibraryModel
from reader.gui.window.mainwindow import MainWindow
from tests.conftest import ROOT

pytestmark = pytest.mark.gui


def screen(monkeypatch: pytest.MonkeyPatch, width: int, height: int) -> None:
    """Offscreen Qt has no real screen; give the window one of a laptop's size."""
    monkeypatch.setattr(MainWindow, "screen_room", lambda self: QRect(0, 0, width, height))


def settle(qtbot, ms: int = 50) -> None:
    for _ in range(3):
        QApplication.processEvents()
    qtbot.wait(ms)


def make_window(qtbot, *, start: bool = True) -> MainWindow:
    window = MainWindow(AppContext.create())
    qtbot.addWidget(window)
    window.show()
    if start:
        window.start()
        window.wait_for_corpus()
    return window


@pytest.mark.parametrize("size", [(1366, 768), (1280, 720)])
def test_window_fits_the_screen_at_first_start_and_after_docks_and_panes(qtbot, monkeypatch, size) -> None:
    screen(monkeypatch, *size)
    window = make_window(qtbot)
    settle(qtbot)
    assert window.frameGeometry().width() <= size[0] and window.frameGeometry().height() <= size[1]
    assert window.statusBar().geometry().bottom() <= size[1]
    window.open_document("frontier-post-alma-ata")
    for doc_id in ("neo-outside-forces", "moa-failed-rebellion", "kavkazplus-gutted"):
        window.compare.open_beside(doc_id, after=window.reader_views()[-1])
    for dock in window.findChildren(QDockWidget):
        dock.show()
    settle(qtbot, 100)
    assert len(window.reader_views()) == 4

    def fits() -> bool:  # layouts settle asynchronously (docks filled by background results)
        frame = window.frameGeometry()
        return frame.width() <= size[0] and frame.height() <= size[1]

    qtbot.waitUntil(fits, timeout=5000)
    qtbot.wait(300)  # and it stays so once everything the docks started has arrived
    assert fits(), window.frameGeometry()


def test_a_restored_geometry_larger_than_the_screen_is_clamped(qtbot, monkeypatch) -> None:
    big = make_window(qtbot, start=False)
    big.resize(1900, 1150)
    saved = bytes(big.saveGeometry().toBase64().data()).decode()
    big.close()
    window = MainWindow(AppContext.create())
    window.settings.set("window.geometry", saved, save=False)
    screen(monkeypatch, 1366, 768)
    window.restoreGeometry(QByteArray.fromBase64(saved.encode()))
    qtbot.addWidget(window)
    window.show()
    settle(qtbot)
    geo = window.frameGeometry()
    assert geo.width() <= 1366 and geo.height() <= 768 and geo.x() >= 0 and geo.y() >= 0


def test_library_title_column_gets_the_room(qtbot, monkeypatch) -> None:
    screen(monkeypatch, 1366, 768)
    window = make_window(qtbot)
    window.resize(1366, 740)
    window.splitter.setSizes(window.first_splitter_sizes())
    settle(qtbot)
    header = window.library.view.header()
    title = header.sectionSize(LibraryModel.TITLE)
    chars = title / window.library.view.fontMetrics().averageCharWidth()
    assert chars >= 24, (title, chars)
    assert title > header.sectionSize(LibraryModel.OUTLET)


def test_find_match_search_hit_and_clicked_name_become_the_note_anchor(qtbot) -> None:
    window = make_window(qtbot)
    window.open_document("frontier-post-alma-ata")
    reader = window.reader
    notes = window.features["notes"]
    qtbot.keyClick(reader.text, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(reader.findbar.edit, "Ablyazov")
    start, end = reader.find_matches[0]
    assert reader.selected_range() == (start, end)
    qtbot.keyClick(reader.findbar.edit, Qt.Key.Key_Return)  # the next match
    second = reader.find_matches[1]
    assert reader.selected_range() == second
    qtbot.keyClick(reader.findbar.edit, Qt.Key.Key_N,
                   Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    note = notes.store.notes(corpus=notes.key, doc="frontier-post-alma-ata")[-1]
    assert (note.start, note.end) == second and note.exact == "Ablyazov"
    # entity mention stepped to with F3 is the selection too
    entities = window.features["entities"]
    entities.set_enabled(True)
    entities.select("ablyazov")
    reader.findbar.close_bar()
    span = reader.step_navigation(+1)
    assert span is not None and reader.selected_range() == (span.start, span.end)
    assert "Mention 1 of" in reader.nav_status.text()


def test_a_sloppy_drag_snaps_to_whole_words(qtbot) -> None:
    from PySide6.QtGui import QTextCursor

    from reader.core.selection import snap_to_words

    text = "We saw that the footage of the overthrow was real."
    a, b = text.index("t the"), text.index("overt") + 5
    assert text[slice(*snap_to_words(text, a, b))] == "that the footage of the overthrow"
    window = make_window(qtbot)
    window.open_document("frontier-post-alma-ata")
    reader = window.reader
    doc = reader.doc
    word = doc.text.index("Ablyazov")
    cursor = QTextCursor(reader.text.document())
    cursor.setPosition(reader.textmap.to_qt(word + 2))
    cursor.setPosition(reader.textmap.to_qt(word + 5), QTextCursor.MoveMode.KeepAnchor)
    reader.text.setTextCursor(cursor)
    assert doc.text[slice(*reader.selected_range())] == "Ablyazov"
    reader._snap_selection(reader.article_pane)
    assert reader.text.textCursor().selectedText() == "Ablyazov"


def test_search_results_by_keyboard_and_the_hit_counter(qtbot) -> None:
    window = make_window(qtbot)
    search = window.features["search"]
    search.show() if hasattr(search, "show") else None
    panel = search.panel
    search.dock.show()
    panel.edit.setFocus()
    panel.set_query("Ablyazov")
    qtbot.waitUntil(lambda: panel.model.rowCount() > 0, timeout=20000)
    panel.edit.setFocus()
    qtbot.keyClick(panel.edit, Qt.Key.Key_Down)
    assert panel.results.hasFocus() and panel.results.currentIndex().row() == 0
    opened: list[str] = []
    window.documentOpened.connect(opened.append)
    qtbot.keyClick(panel.results, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: bool(opened), timeout=5000)
    reader = window.reader
    qtbot.waitUntil(lambda: reader.nav_status.isVisible(), timeout=5000)
    total = len(reader.navigation_spans())
    assert f"Search hit 1 of {total}" in reader.nav_status.text()
    reader.find_next()
    assert f"Search hit 2 of {total}" in reader.nav_status.text()
    assert len(reader.marks.fractions()) == total and all(0 <= f <= 1 for f in reader.marks.fractions())


def test_f6_cycles_library_panes_and_open_docks(qtbot) -> None:
    window = make_window(qtbot)
    window.open_document("frontier-post-alma-ata")
    window.compare.open_beside("neo-outside-forces")
    window.features["notes"].dock.show()
    settle(qtbot)
    window.library.view.setFocus()
    visited = []
    for _ in range(4):
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_F6)
        visited.append(QApplication.focusWidget())
    views = window.reader_views()
    assert visited[0] is views[0].text and visited[1] is views[1].text
    assert window.features["notes"].dock.isAncestorOf(visited[2])
    assert visited[3] is window.library.view  # round again
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_F6, Qt.KeyboardModifier.ShiftModifier)
    assert window.features["notes"].dock.isAncestorOf(QApplication.focusWidget())


def test_every_dock_toggle_has_a_key(qtbot) -> None:
    window = make_window(qtbot, start=False)
    for dock in window.findChildren(QDockWidget):
        assert not dock.toggleViewAction().shortcut().isEmpty(), dock.objectName()


def test_readme_key_table_is_rendered_from_the_keymap(qtbot) -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert readme_table() in readme
    window = make_window(qtbot, start=False)
    bound = {s.toString() for a in window.actions() for s in a.shortcuts()}
    for row in KEY_TABLE:
        for key in bound_keys(row):
            from PySide6.QtGui import QKeySequence

            assert QKeySequence(key).toString() in bound, (key, row.action)


def test_margin_bar_follows_its_passage_on_go_to_and_scroll(qtbot) -> None:
    window = make_window(qtbot)
    window.resize(1280, 720)
    window.open_document("moa-failed-rebellion")
    notes = window.features["notes"]
    reader = window.reader
    start = reader.doc.text.index("Ablyazov")
    note = notes.add_note(reader, start, start + 8, body="x")
    reader.scroll_to_offset(0)
    settle(qtbot)
    notes.jump_to(note.id)
    settle(qtbot)
    marker = notes.markers[id(reader)][0]

    def bar_and_text() -> tuple[float, float]:
        from PySide6.QtGui import QTextCursor

        cur = QTextCursor(reader.text.document())
        cur.setPosition(reader.textmap.to_qt(start))
        text_y = reader.text.cursorRect(cur).top()
        rect = marker.marker_rects()[0][0]
        return rect.top() + marker.y(), text_y  # where it is painted, in viewport coordinates

    bar, text = bar_and_text()
    assert abs(bar - text) < 4, (bar, text)
    reader.text.verticalScrollBar().setValue(reader.text.verticalScrollBar().value() + 57)
    settle(qtbot)
    bar, text = bar_and_text()
    assert abs(bar - text) < 4 and marker.pos().y() == 0, (bar, text)


def test_library_click_selects_and_open_beside_never_opens_a_copy(qtbot) -> None:
    window = make_window(qtbot)
    window.open_document("frontier-post-alma-ata")
    library = window.library
    view = library.view
    row = library.visible_ids().index("neo-outside-forces")
    index = library.proxy.index(row, 1)
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=view.visualRect(index).center())
    assert [v.doc.id for v in window.reader_views()] == ["frontier-post-alma-ata"]  # only selected
    window.compare_actions.open_beside.trigger()  # Ctrl+Shift+O
    assert [v.doc.id for v in window.reader_views()] == ["frontier-post-alma-ata", "neo-outside-forces"]
    library.beside_button.click()  # again: it is already shown, so nothing is duplicated
    assert len(window.reader_views()) == 2
    assert "already open" in window.statusBar().currentMessage()
    row = library.visible_ids().index("frontier-post-alma-ata")
    library.view.setCurrentIndex(library.proxy.index(row, 0))
    library.open_button.click()  # shown in the other pane: said, not duplicated
    assert [v.doc.id for v in window.reader_views()] == ["frontier-post-alma-ata", "neo-outside-forces"]
    assert "already open" in window.statusBar().currentMessage()
    assert library.beside_button.text().replace("&", "") == "Open Beside"
