"""A big corpus's word weights come from a child process; the panes align all the same."""

from __future__ import annotations

import pytest

import reader.gui.compare.alignment as alignment
from reader.core.context import AppContext
from reader.gui.window.mainwindow import MainWindow
from tests.gui.compare.test_compare_gui import FP, NEO

pytestmark = pytest.mark.gui


def test_word_weights_built_in_a_child_align_the_panes(qtbot, monkeypatch) -> None:
    monkeypatch.setattr(alignment, "CHILD_MIN_DOCS", 0)
    window = MainWindow(AppContext.create())
    qtbot.addWidget(window)
    window.resize(1600, 1000)
    window.show()
    window.start([FP, NEO])
    window.wait_for_corpus()
    compare = window.compare
    compare.alignment_at(0)
    qtbot.waitUntil(lambda: not compare.alignment_pending, timeout=60000)
    qtbot.waitUntil(lambda: bool(window.reader.layers["align"].spans), timeout=10000)
    assert compare.alignment_at(0) is not None
