"""Every menu of the main window, its submenus included, gives each item its own Alt-key: two items
sharing a mnemonic make Alt+letter toggle between them instead of choosing one."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QMenu

from reader.core.context import AppContext
from reader.gui.window.mainwindow import MainWindow, give_mnemonics, mnemonic

pytestmark = pytest.mark.gui


def _clashes(menu: QMenu, path: str) -> list[str]:
    give_mnemonics(menu)  # what the menu's aboutToShow does: items added late get a free letter
    by_key: dict[str, list[str]] = {}
    found = []
    for act in menu.actions():
        if act.isSeparator() or not act.text():
            continue
        key = mnemonic(act.text())
        assert key is not None, f"{path} ▸ {act.text()!r} has no Alt-key"
        by_key.setdefault(key, []).append(act.text())
        sub = act.menu()
        if isinstance(sub, QMenu):
            found += _clashes(sub, f"{path} ▸ {act.text()}")
    found += [f"{path}: {key!r} in {texts}" for key, texts in by_key.items() if len(texts) > 1]
    return found


def test_no_two_items_of_a_menu_share_a_mnemonic(qtbot) -> None:
    window = MainWindow(AppContext.create())
    qtbot.addWidget(window)
    window.show()
    window.start(None)
    window.wait_for_corpus()
    menus = [(a.text(), a.menu()) for a in window.menuBar().actions() if isinstance(a.menu(), QMenu)]
    assert {"&File", "&Edit", "&View", "&Compare", "&Help"} <= {name for name, _ in menus}
    top = [mnemonic(name) for name, _ in menus]
    assert len(set(top)) == len(top), top
    clashes = [c for name, menu in menus for c in _clashes(menu, name)]
    assert clashes == []


def test_mnemonic_reads_qt_escapes() -> None:
    assert mnemonic("Export &Notes…") == "n"
    assert mnemonic("Notes && Tags") is None
    assert mnemonic("Notes && &Tags") == "t"
    assert mnemonic("Trailing &") is None


def test_give_mnemonics_leaves_explicit_keys_and_fills_the_rest(qtbot) -> None:
    menu = QMenu()
    first, second, third = menu.addAction("&Open"), menu.addAction("Over"), menu.addAction("Notes && Tags")
    give_mnemonics(menu)
    assert [first.text(), second.text(), third.text()] == ["&Open", "O&ver", "&Notes && Tags"]
