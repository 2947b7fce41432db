"""Issue 20: the window explains itself (first-run panel, guide, shortcuts dialog) and nothing is clipped."""

from __future__ import annotations

import shutil

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QMenu, QPushButton

from reader.core.context import AppContext
from reader.gui.window.dialogs import GuideWindow, ShortcutsDialog
from reader.gui.window.mainwindow import MainWindow
from reader.gui.window.theme import load_theme
from tests.conftest import BUNDLED

pytestmark = pytest.mark.gui


def make_window(qtbot) -> MainWindow:
    window = MainWindow(AppContext.create())
    qtbot.addWidget(window)
    window.resize(1366, 740)
    window.show()
    window.start()
    window.wait_for_corpus()
    return window


def test_first_run_panel_offers_three_one_click_tries_and_comes_back_from_help(qtbot) -> None:
    window = make_window(qtbot)
    panel = window.welcome
    assert panel.isVisible() and window.reader.doc is None
    texts = [b.text().replace("&", "") for b in panel.buttons]
    assert texts == ["Search a name", "Compare three outlets", "Present the lesson"]
    panel.buttons[1].click()  # compare three outlets
    assert [v.doc.id for v in window.reader_views()] == ["frontier-post-alma-ata", "neo-outside-forces",
                                                         "moa-failed-rebellion"]
    assert not window.settings.get("ui.welcome")
    window.act_welcome.trigger()  # Help ▸ Things to Try
    assert window.reader.doc is None and window.welcome.isVisible()
    panel.buttons[0].click()  # search a name
    search = window.features["search"]
    assert search.dock.isVisible() and search.panel.query() == "Ablyazov"
    window.act_welcome.trigger()
    panel.buttons[2].click()  # present the lesson
    presenter = window.features["lessons"].presenter
    assert presenter.active and presenter.index == 0
    presenter.stop()
    assert not window.welcome.isVisible() or window.reader.doc is None


def test_first_run_panel_stays_hidden_once_used(qtbot) -> None:
    window = make_window(qtbot)
    window.welcome.buttons[1].click()
    window.close()
    again = make_window(qtbot)
    assert not again.welcome.isVisible()


def test_every_menu_item_has_a_mnemonic(qtbot) -> None:
    window = make_window(qtbot)

    def walk(menu: QMenu) -> list[str]:
        missing = []
        for act in menu.actions():
            if act.isSeparator() or not act.text():
                continue
            if "&" not in act.text():
                missing.append(act.text())
            if act.menu() is not None:
                missing += walk(act.menu())
        return missing

    missing = [t for act in window.menuBar().actions() for t in walk(act.menu())]
    assert not missing, missing


def test_shortcuts_dialog_is_grouped_by_menu_and_filters(qtbot) -> None:
    window = make_window(qtbot)
    dialog = ShortcutsDialog(window.menus, window.actions(), window)
    qtbot.addWidget(dialog)
    groups = dialog.group_titles()
    assert {"File", "Edit", "View", "Compare", "Lessons", "Help"} <= set(groups)
    all_rows = dialog.visible_rows()
    dialog.filter.setText("pane")
    rows = dialog.visible_rows()
    assert rows and len(rows) < len(all_rows)
    assert any(a == "Close Pane" for a, _k in rows)
    dialog.filter.setText("F6")
    assert sorted(k for _a, k in dialog.visible_rows()) == ["F6", "Shift+F6"]


def test_guide_is_for_readers_and_follows_the_theme(qtbot) -> None:
    for name in ("light", "dark", "high-contrast"):
        theme = load_theme(name)
        guide = GuideWindow(theme)
        qtbot.addWidget(guide)
        text = guide.browser.toPlainText()
        assert "Comparing outlets" in text and "double-click" in text
        for developer_word in ("pytest", "PySide", "Whoosh", "SQLite", "class ", "def "):
            assert developer_word not in text
        assert theme.colors["reader_background"] in guide.browser.styleSheet()
    window = make_window(qtbot)
    window.act_guide.trigger()
    window.settings.set("ui.theme", "dark")
    assert load_theme("dark").colors["reader_background"] in window.guide.browser.styleSheet()


def test_opening_the_concordance_focuses_its_field(qtbot) -> None:
    window = make_window(qtbot)
    kwic = window.features["kwic"]
    kwic.dock.toggleViewAction().trigger()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is kwic.panel.query, timeout=2000)


def test_notes_buttons_and_facets_are_not_clipped(qtbot) -> None:
    window = make_window(qtbot)
    notes = window.features["notes"]
    notes.dock.show()
    window.resizeDocks([notes.dock], [260], Qt.Orientation.Horizontal)
    window.open_document("frontier-post-alma-ata")
    notes.add_note(window.reader, 10, 40, body="x")
    for _ in range(3):
        QApplication.processEvents()
    for button in notes.panel.findChildren(QPushButton):
        if button.isVisible():
            assert button.width() >= button.minimumSizeHint().width(), button.text()
    search = window.features["search"]
    search.show_panel()
    search.panel.set_query("Kazakhstan")
    qtbot.waitUntil(lambda: search.panel.facets.topLevelItemCount() > 0, timeout=20000)
    search.panel.fit_facets()
    facets = search.panel.facets
    rows = sum(1 + facets.topLevelItem(i).childCount() * facets.topLevelItem(i).isExpanded()
               for i in range(facets.topLevelItemCount()))
    needed = rows * max(18, facets.sizeHintForRow(0))
    assert facets.height() >= min(needed, int(search.panel.splitter.height() * 0.4)) - 4


def test_title_and_filter_follow_a_corpus_switch(qtbot, tmp_path) -> None:
    window = make_window(qtbot)
    window.open_document("frontier-post-alma-ata")
    assert "Frontier" in window.windowTitle() or "Alma" in window.windowTitle()
    window.library.filter_edit.setText("zzz-no-such")
    other = tmp_path / "other"
    shutil.copytree(BUNDLED, other)
    window.switch_corpus(other)
    window.wait_for_corpus()
    assert window.library.filter_edit.text() == ""
    assert window.library.proxy.rowCount() == window.library.model.rowCount() > 0
    assert window.corpus.info.title in window.windowTitle()
