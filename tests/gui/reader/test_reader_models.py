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
