"""The search results model under Qt's model tester: filled from the real index, reset by new queries,
and changed row by row as snippets arrive."""

from __future__ import annotations

from dataclasses import replace

import pytest

from reader.gui.search.model import SearchResultsModel, SnippetsRole
from tests.gui.modeltest import check, role_names, window

pytestmark = pytest.mark.gui


def test_search_results_model(qtbot) -> None:
    win = window(qtbot)
    feature = win.features["search"]
    assert feature.wait_until_indexed()
    panel = feature.panel
    model: SearchResultsModel = panel.model
    tester = check(model)
    panel.set_query("Ablyazov")
    qtbot.waitUntil(lambda: model.rowCount() == 4, timeout=10000)
    assert all(model.index(r, 0).data() for r in range(model.rowCount()))
    panel.set_query("Tokayev")
    qtbot.waitUntil(lambda: model.rowCount() > 4, timeout=10000)
    # rows shown without snippets get them later: dataChanged on those rows, watched by the tester
    hits = list(model.hits)
    model.set_hits([replace(h, snippets=[]) for h in hits], filled=1)
    assert model.filled[:2] == [True, False]
    model.fill([1, 2], hits[1:3])
    assert model.filled[1] and model.index(1, 0).data(SnippetsRole) == hits[1].snippets
    panel.set_query("")
    qtbot.waitUntil(lambda: model.rowCount() == 0, timeout=10000)
    assert {b"docId", b"title", b"outlet", b"published", b"snippets", b"score", b"html"} <= role_names(model)
    del tester
