"""The concordance model under Qt's model tester: lines from the real corpus, re-queried, re-sorted."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from reader.gui.framing.kwic import DocRole, EndRole, StartRole
from tests.gui.modeltest import check, role_names, window

pytestmark = pytest.mark.gui


def test_kwic_model(qtbot) -> None:
    win = window(qtbot, ["neo-outside-forces"])
    feature = win.features["kwic"]
    model = feature.panel.model
    tester = check(model)
    feature.show_query("colour revolution")
    qtbot.waitUntil(lambda: model.rowCount() > 3, timeout=15000)
    index = model.index(0, 3)
    doc = win.corpus.get(index.data(DocRole)) if hasattr(win.corpus, "get") else None
    assert index.data(EndRole) > index.data(StartRole)
    if doc is not None:
        assert doc.text[index.data(StartRole):index.data(EndRole)]
    model.sort(0, Qt.SortOrder.DescendingOrder)  # layoutChanged
    feature.show_query("Tokayev")
    qtbot.waitUntil(lambda: model.rowCount() > 0 and "okayev" in model.index(0, 3).data(), timeout=15000)
    feature.run_query("")
    assert model.rowCount() == 0
    assert {b"doc", b"start", b"end", b"position", b"outlet"} <= role_names(model)
    del tester
