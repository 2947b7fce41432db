"""The library model and its filter proxy under Qt's model tester: the corpus loaded, reloaded, filtered."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from reader.gui.reader.library import DocIdRole, MetaRole, SearchTextRole, SortRole
from tests.gui.modeltest import check, window

pytestmark = pytest.mark.gui


def test_library_model_and_filter(qtbot) -> None:
    win = window(qtbot)
    library = win.library
    testers = [check(library.model), check(library.proxy)]
    n = library.model.rowCount()
    assert n >= 5 and library.proxy.rowCount() == n
    ids = {library.model.index(r, 0).data(DocIdRole) for r in range(n)}
    assert "neo-outside-forces" in ids
    library.proxy.set_filter_text("Alabama")
    assert 0 < library.proxy.rowCount() < n
    library.proxy.set_only(frozenset({"neo-outside-forces"}))
    assert library.proxy.rowCount() == 0  # Moon of Alabama's filter and only NEO: nothing
    library.proxy.set_filter_text("")
    assert library.proxy.rowCount() == 1
    library.proxy.set_only(None)
    library.proxy.sort(2)
    library.model.set_documents(list(reversed([library.model.meta_at(r) for r in range(n)])))  # a reset
    assert library.proxy.rowCount() == n
    names = library.model.roleNames()
    assert {int(role): bytes(name.data()) for role, name in names.items() if role >= DocIdRole} == {
        DocIdRole: b"docId", MetaRole: b"meta", SortRole: b"sortKey", SearchTextRole: b"searchText"}
    assert bytes(names[int(Qt.ItemDataRole.DisplayRole)].data()) == b"display"
    del testers


def test_library_sorts_in_the_model_keeping_ties_and_the_selection(qtbot) -> None:
    from PySide6.QtCore import QItemSelectionModel

    from reader.gui.reader.library import LibraryModel

    win = window(qtbot)
    library = win.library
    tester = check(library.proxy)
    given = [library.model.meta_at(r) for r in range(library.model.rowCount())]
    library.model.set_documents(given)
    keys = {LibraryModel.OUTLET: lambda m: m.outlet.lower(), LibraryModel.TITLE: lambda m: m.title.lower(),
            LibraryModel.DATE: lambda m: m.published or ""}
    target = library.proxy.index(2, 0)
    picked = target.data(DocIdRole)
    library.view.selectionModel().setCurrentIndex(target, QItemSelectionModel.SelectionFlag.ClearAndSelect
                                                  | QItemSelectionModel.SelectionFlag.Rows)
    calls: list[int] = []
    original = LibraryModel.data

    def counting(self, index, role=Qt.ItemDataRole.DisplayRole):  # type: ignore[no-untyped-def]
        if role == SortRole:
            calls.append(role)
        return original(self, index, role)

    LibraryModel.data = counting  # type: ignore[method-assign]
    try:
        for column, key in keys.items():
            for order in (Qt.SortOrder.AscendingOrder, Qt.SortOrder.DescendingOrder):
                library.sort(column, order)
                shown = [library.proxy.index(r, 0).data(DocIdRole) for r in range(library.proxy.rowCount())]
                expected = sorted(given, key=key, reverse=order == Qt.SortOrder.DescendingOrder)
                assert shown == [m.id for m in expected]  # ties keep the order the documents came in
                assert library.view.currentIndex().data(DocIdRole) == picked  # the selection follows
    finally:
        LibraryModel.data = original  # type: ignore[method-assign]
    assert calls == []  # no sort key is asked of Python per comparison
    assert library.model.row_of(picked) >= 0 and library.model.row_of("no-such-doc") == -1
    del tester


def test_library_rows_follow_the_interface_text_size(qtbot) -> None:
    """The list's rows are one height for all (no per-row layout at 20,000 documents): the
    height follows the interface text when it grows, so no title is cut."""
    from PySide6.QtWidgets import QApplication

    from reader.gui.window.theme import apply_theme

    win = window(qtbot)
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    apply_theme(app, win.theme)  # as the app starts: a style sheet polishes every widget
    view = win.library.view
    rows = view.verticalHeader()
    assert rows.defaultSectionSize() == view.fontMetrics().height() + 10
    start, first = float(win.settings.get("ui.text_scale")), rows.defaultSectionSize()
    for scale in (start + 0.6, start):
        win.settings.set("ui.text_scale", round(scale, 2))
        grown = scale > start
        qtbot.waitUntil(lambda: (rows.defaultSectionSize() > first) == grown  # noqa: B023
                        and rows.defaultSectionSize() == view.fontMetrics().height() + 10, timeout=3000)
        assert view.rowHeight(0) == rows.defaultSectionSize()
        # the text size reaches the widgets under the sheet, not only the window (Qt does not do it alone)
        assert view.font().pointSizeF() == pytest.approx(app.font().pointSizeF())
    assert abs(float(win.settings.get("ui.text_scale")) - start) < 0.01
