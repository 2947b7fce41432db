"""Indexing and the entity recount in a child process (as at 20,000 documents) give what a thread gives."""

from __future__ import annotations

import pytest

import reader.gui.entities.feature as entities_feature
import reader.gui.search.feature as search_feature
from tests.gui.search.test_search_gui import make_window

pytestmark = pytest.mark.gui


def test_the_index_built_in_a_child_is_searched_here(qtbot, monkeypatch) -> None:
    monkeypatch.setattr(search_feature, "CHILD_MIN_DOCS", 0)
    window, feature = make_window(qtbot)
    assert search_feature.in_child(feature.engine, len(window.corpus))
    feature.act_reindex.trigger()  # a full rebuild: a new folder swapped in by the child
    assert feature.wait_until_indexed(timeout_ms=60000)
    assert "rebuilt" in window.statusBar().currentMessage()
    feature.panel.set_query("Masimov")
    qtbot.waitUntil(lambda: [h.id for h in feature.panel.model.hits] == ["moa-failed-rebellion"], timeout=15000)


def test_cancel_stops_the_child_and_keeps_the_index(qtbot, monkeypatch) -> None:
    monkeypatch.setattr(search_feature, "CHILD_MIN_DOCS", 0)
    _window, feature = make_window(qtbot)
    feature.act_reindex.trigger()
    feature.cancel_button.click()
    assert feature.wait_until_indexed(timeout_ms=60000)
    feature.panel.set_query("Masimov")
    qtbot.waitUntil(lambda: [h.id for h in feature.panel.model.hits] == ["moa-failed-rebellion"], timeout=15000)


def test_entity_counts_from_a_child_match_the_threads(qtbot, monkeypatch) -> None:
    from tests.gui.entities.test_entities_gui import make_window as entities_window

    _win, feature = entities_window(qtbot)
    here = {k: dict(v) for k, v in feature.counts.items()}
    assert here
    monkeypatch.setattr(entities_feature, "CHILD_MIN_DOCS", 0)
    with qtbot.waitSignal(feature.countsUpdated, timeout=60000):
        feature.recount()
    assert feature.counts == here


def test_a_big_corpus_searches_in_a_thread_and_shows_only_the_newest(qtbot, monkeypatch) -> None:
    monkeypatch.setattr(search_feature, "THREAD_SEARCH_MIN_DOCS", 0)
    _window, feature = make_window(qtbot)
    panel = feature.panel
    panel.set_query("Ablyazov")
    panel.set_query("Masimov")  # typed on before the first answer came
    qtbot.waitUntil(lambda: not feature.searching and [h.id for h in panel.model.hits] == ["moa-failed-rebellion"],
                    timeout=15000)
    assert feature.last_query == "Masimov"
    panel.set_query('"peaceful protesters')
    qtbot.waitUntil(lambda: "Cannot read the query" in panel.status.text(), timeout=15000)
