"""The compare view: panes, aligned scrolling, entity lockstep, connectors, layout restore."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from reader.core.align.mentions import mentions_of
from reader.core.context import AppContext
from reader.gui.compare.scrollsync import line_height, offset_y, syncpoint
from reader.gui.window.mainwindow import MainWindow

pytestmark = pytest.mark.gui

FP, NEO, EAD = "frontier-post-alma-ata", "neo-outside-forces", "eadaily-ukrainian-trace"


def make_window(qtbot, open_ids: list[str]) -> tuple[MainWindow, list]:
    window = MainWindow(AppContext.create())
    qtbot.addWidget(window)
    added: list = []
    window.readerViewAdded.connect(added.append)
    window.resize(1600, 1000)
    window.show()
    window.start(open_ids)
    window.wait_for_corpus()
    qtbot.waitUntil(lambda: not window.compare.alignment_pending, timeout=60000)  # word weights built
    for _ in range(3):
        QApplication.processEvents()
    window.compare.sync.invalidate()
    return window, added


def screen_y(window: MainWindow, view, offset: int) -> float:
    y = offset_y(view, offset)
    assert y is not None
    return window.compare.sync.viewport_top(view) + y - view.text.verticalScrollBar().value()


def test_open_two_panes_emits_added_and_restores(qtbot, isolated_dirs) -> None:
    window, added = make_window(qtbot, [FP, NEO, EAD])
    views = window.reader_views()
    assert [v.doc.id for v in views] == [FP, NEO, EAD]
    assert views[0] is window.reader and added == views[1:]
    assert window.compare.toolbar.isVisible()
    assert "↔" in window.compare.coverage_label.text()
    window.compare._active = views[0]
    window.compare.swap_active()
    assert [v.doc.id for v in window.reader_views()] == [NEO, FP, EAD]
    window.compare.close_view(window.reader)  # the main reader takes a neighbour's document
    assert [v.doc.id for v in window.reader_views()] == [NEO, EAD]
    window.close()
    assert "- neo-outside-forces" in (isolated_dirs["config"] / "settings.yaml").read_text()
    again, _ = make_window(qtbot, [])
    assert [v.doc.id for v in again.reader_views()] == [NEO, EAD]


def test_aligned_scroll_keeps_passage_level_and_does_not_oscillate(qtbot) -> None:
    window, _ = make_window(qtbot, [FP, NEO])
    a, b = window.reader_views()
    alignment = window.compare.alignment_at(0)
    assert alignment is not None
    pair = next(p for p in alignment.chain if "22 months" in a.doc.text[p.a_start:p.a_end])
    page = a.text.viewport().height()
    bar_a, bar_b = a.text.verticalScrollBar(), b.text.verticalScrollBar()
    assert syncpoint(bar_a.maximum() / 2, page, bar_a.maximum()) == 0.5
    target = offset_y(a, pair.a_start) - page / 2
    assert page / 2 < target < bar_a.maximum() - page / 2
    bar_a.setValue(round(target))
    level = abs(screen_y(window, a, pair.a_start) - screen_y(window, b, pair.b_start))
    assert level <= line_height(a)
    # scrolling B moves A back, and nothing bounces: one change each, then stable
    changes_a: list[int] = []
    changes_b: list[int] = []
    bar_a.valueChanged.connect(changes_a.append)
    bar_b.valueChanged.connect(changes_b.append)
    bar_b.setValue(bar_b.value() + 120)
    for _ in range(5):
        QApplication.processEvents()
    assert len(changes_b) == 1 and len(changes_a) == 1
    assert changes_a[0] != round(target)
    settled = (bar_a.value(), bar_b.value())
    qtbot.wait(50)
    assert (bar_a.value(), bar_b.value()) == settled


def test_entity_lockstep_next_moves_every_pane(qtbot) -> None:
    window, _ = make_window(qtbot, [FP, NEO, EAD])
    compare = window.compare
    compare.set_mode("entity")
    compare.set_entity("ablyazov")  # works with the entity service or, without it, by name
    views = window.reader_views()
    firsts = [compare.entity_mentions(v) for v in views]
    assert all(len(m) >= 2 for m in firsts)
    assert [v.selected_range() for v in views] == [m[0] for m in firsts]
    compare.step_entity(+1)
    assert [v.selected_range() for v in views] == [m[1] for m in firsts]
    compare.step_entity(-1)
    assert [v.selected_range() for v in views] == [m[0] for m in firsts]
    assert all("lockstep" in v.layers for v in views)


def test_lockstep_with_a_simple_mention_provider(qtbot) -> None:
    from reader.core.align.mentions import NameMentions

    window, _ = make_window(qtbot, [FP, NEO])
    compare = window.compare
    compare._source_for = lambda entity_id: NameMentions(entity_id)  # type: ignore[method-assign]
    compare.set_mode("entity")
    compare.set_entity("high-court")
    views = window.reader_views()
    spans = [mentions_of(NameMentions("high-court"), v.doc, "high-court") for v in views]
    assert spans[0] and views[0].selected_range() == spans[0][0]


def test_connectors_drawn_and_click_brings_pair_level(qtbot) -> None:
    window, _ = make_window(qtbot, [FP, NEO])
    a, b = window.reader_views()
    compare = window.compare
    compare.step_pair(+1)
    handle = compare.splitter.connector_handles()[0]
    handle.grab()
    assert handle.bands, "no connector drawn for the visible pair"
    alignment = compare.alignment_at(0)
    k = compare._pair_index[0]
    pair = alignment.pairs[k]
    assert abs(screen_y(window, a, pair.a_start) - screen_y(window, b, pair.b_start)) <= line_height(a)
    compare.step_pair(+1)
    assert compare._pair_index[0] == min(k + 1, len(alignment.pairs) - 1)
    assert "have a counterpart" in compare._summary(handle)


def test_connector_legend_coverage_weak_pairs_and_word_differences(qtbot) -> None:
    """Issue 20 item 9: connectors explained, weak pairs hidden by default, Ctrl+D word differences."""
    from reader.core.align.model import QUOTE, is_weak
    from reader.gui.compare.connectors import KIND_LABELS

    window, _added = make_window(qtbot, ["frontier-post-alma-ata", "kavkazplus-gutted"])
    window.resize(1366, 768)
    compare = window.compare
    compare.settle()
    from reader.gui.compare.view import LEGEND_WORDS

    for kind in KIND_LABELS:
        assert LEGEND_WORDS[kind] in compare.legend.text() and KIND_LABELS[kind] in compare.legend.toolTip() + \
            "".join(KIND_LABELS.values())
    assert compare.coverage_label.text().startswith("Shared text:")
    assert "counterpart" in compare.coverage_label.toolTip()
    alignment = compare.alignment_at(0)
    assert any(is_weak(p) for p in alignment.pairs)
    shown = compare.shown_pairs(alignment)
    assert shown and not any(is_weak(p) for p in shown)
    drawn = {span.key for span in window.reader.layers["align"].spans}
    assert drawn <= {p.kind for p in shown}
    compare.act_weak.trigger()
    assert len(compare.shown_pairs(alignment)) == len(alignment.pairs)
    compare.act_weak.trigger()
    left, right = compare.views()
    quote = next(p for p in alignment.pairs if p.kind == QUOTE)
    qtbot.keyClick(left.text, Qt.Key.Key_D, Qt.KeyboardModifier.ControlModifier)
    assert compare.word_diffs
    in_quote_a = [s for s in left.layers["worddiff"].spans if quote.a_start <= s.start < quote.a_end]
    in_quote_b = [s for s in right.layers["worddiff"].spans if quote.b_start <= s.start < quote.b_end]
    # the same quotation, framed differently: scare quotes around "invasion" in one outlet only
    assert [left.doc.text[s.start:s.end] for s in in_quote_a] == ["invasion"]
    assert [right.doc.text[s.start:s.end] for s in in_quote_b] == ["invasion"]
    assert "worddiff" in left.drawn_layers()
    qtbot.keyClick(left.text, Qt.Key.Key_D, Qt.KeyboardModifier.ControlModifier)
    assert "worddiff" not in left.layers and "worddiff" not in right.layers


def test_word_diff_marks_only_the_changed_words() -> None:
    from reader.core.align.worddiff import word_diff

    a = "The “peaceful protesters” gathered in the square on Wednesday."
    b = "The peaceful terrorists gathered in the main square."
    diff = word_diff(a, 0, len(a), b, 0, len(b))
    assert [a[s:e] for s, e in diff.a_spans] == ["protesters", "on Wednesday"]
    assert [b[s:e] for s, e in diff.b_spans] == ["terrorists", "main"]
    assert word_diff(a, 0, len(a), a, 0, len(a)).empty
    c = "Shops were looted across the city by night."  # a paraphrase: nothing to mark word by word
    assert word_diff(a, 0, len(a), c, 0, len(c)).empty
    d, e = "the Russian “invasion” of Ukraine", "the Russian invasion of Ukraine"
    diff = word_diff(d, 0, len(d), e, 0, len(e))
    assert [d[s:t] for s, t in diff.a_spans] == ["invasion"] and [e[s:t] for s, t in diff.b_spans] == ["invasion"]


def test_panes_open_unaligned_and_align_when_the_word_weights_are_ready(qtbot) -> None:
    """The corpus word weights are built in a background job; the panes get their alignment after it."""
    window = MainWindow(AppContext.create())
    qtbot.addWidget(window)
    window.resize(1600, 1000)
    window.show()
    window.start([FP, NEO])
    window.wait_for_corpus()
    compare = window.compare
    if compare.alignment_pending:  # shown, unaligned, while the job runs
        assert compare.alignment_at(0) is None and not window.reader.layers["align"].spans
    qtbot.waitUntil(lambda: not compare.alignment_pending, timeout=60000)
    qtbot.waitUntil(lambda: bool(window.reader.layers["align"].spans), timeout=10000)
    assert compare.alignment_at(0) is not None and "↔" in compare.coverage_label.text()
    # a reload drops the old aligner; a job started for the old corpus never applies
    compare.reset_corpus()
    assert compare._aligner is None
    compare.alignment_at(0)
    assert compare.alignment_pending
    qtbot.waitUntil(lambda: not compare.alignment_pending, timeout=60000)
    assert compare.alignment_at(0) is not None
