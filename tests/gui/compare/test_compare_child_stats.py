"""A big corpus's word weights come from a child process; the panes align all the same."""

from __future__ import annotations

import pytest

import reader.gui.compare.alignment as alignment
from reader.core.context import AppContext
from reader.gui.window.mainwindow import MainWindow
from tests.gui.compare.test_compare_gui import FP, NEO

pytestmark = pytest.mark.gui


def test_word_weights_built_in_a_child_align_the_panes(qtbot, monkeypatch) -> None:
    """The word weights and the pairs: both computed in children, applied in the window."""
    monkeypatch.setattr(alignment, "CHILD_MIN_DOCS", 0)
    targets: list[str] = []
    run = alignment.background.run

    def recorded(target, *args, **kwargs):
        targets.append(target)
        return run(target, *args, **kwargs)

    monkeypatch.setattr(alignment.background, "run", recorded)
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
    assert "reader.core.background_tasks:alignment_pairs" in targets


def test_a_pair_the_child_cannot_align_is_aligned_here(qtbot, monkeypatch) -> None:
    """A child that dies (or is missing) leaves the pair to this process: the panes still align."""
    monkeypatch.setattr(alignment, "CHILD_MIN_DOCS", 0)
    run = alignment.background.run

    def failing(target, *args, **kwargs):
        if target.endswith(":alignment_pairs"):
            raise alignment.background.ChildFailed("the child stopped")
        return run(target, *args, **kwargs)

    monkeypatch.setattr(alignment.background, "run", failing)
    window = MainWindow(AppContext.create())
    qtbot.addWidget(window)
    window.resize(1600, 1000)
    window.show()
    window.start([FP, NEO])
    window.wait_for_corpus()
    compare = window.compare
    compare.alignment_at(0)
    qtbot.waitUntil(lambda: not compare.alignment_pending, timeout=60000)
    assert compare.alignment_at(0) is not None
