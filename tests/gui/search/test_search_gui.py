"""The search dock, driven as a person would: type, narrow by facet, open a hit, step with F3."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QTextBrowser

from reader.core.context import AppContext
from reader.gui.search.feature import HITS_LAYER, SearchFeature
from reader.gui.window.mainwindow import MainWindow

pytestmark = pytest.mark.gui


def make_window(qtbot) -> tuple[MainWindow, SearchFeature]:
    window = MainWindow(AppContext.create())
    qtbot.addWidget(window)
    window.show()
    window.start([])
    window.wait_for_corpus()
    feature = window.features["search"]
    assert feature.wait_until_indexed()
    return window, feature


def test_typing_lists_results_and_facet_narrows(qtbot) -> None:
    _window, feature = make_window(qtbot)
    panel = feature.panel
    feature.act_search.trigger()
    assert feature.dock.isVisible()
    qtbot.keyClicks(panel.edit, "Ablyazov")
    qtbot.waitUntil(lambda: panel.model.rowCount() == 4, timeout=5000)
    assert "4 documents match" in panel.status.text()
    assert "kavkazplus-gutted" not in {h.id for h in panel.model.hits}
    html = panel.model.index(0, 0).data(Qt.ItemDataRole.UserRole + 8)
    assert "Ablyazov</span>" in html  # marked snippet rendered
    item = panel.facet_item("outlet", "EADaily")
    assert item is not None and "(1)" in item.text(0)
    item.setCheckState(0, Qt.CheckState.Checked)
    qtbot.waitUntil(lambda: [h.id for h in panel.model.hits] == ["eadaily-ukrainian-trace"], timeout=3000)
    assert panel.filters() == {"outlet": ["EADaily"]}
    assert panel.facet_item("outlet", "EADaily").checkState(0) == Qt.CheckState.Checked
    panel.facet_item("outlet", "EADaily").setCheckState(0, Qt.CheckState.Unchecked)
    qtbot.waitUntil(lambda: panel.model.rowCount() == 4, timeout=3000)


def test_open_result_highlights_hits_and_f3_steps(qtbot) -> None:
    window, feature = make_window(qtbot)
    panel = feature.panel
    panel.set_query("Ablyazov")
    row = next(i for i, h in enumerate(panel.model.hits) if h.id == "moa-failed-rebellion")
    view = panel.results
    index = panel.model.index(row, 0)
    view.scrollTo(index)
    with qtbot.waitSignal(window.documentOpened, timeout=5000):
        qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=view.visualRect(index).center())
    reader = window.reader
    layer = reader.layers[HITS_LAYER]
    text = reader.doc.text
    assert len(layer.spans) >= 3 and all(text[s.start:s.end] == "Ablyazov" for s in layer.spans)
    spans = reader.navigation_spans()
    qtbot.waitUntil(lambda: reader.selected_range() == (spans[0].start, spans[0].end), timeout=3000)
    window.act_find_next.trigger()  # F3
    assert reader.selected_range() == (spans[1].start, spans[1].end)
    window.act_find_prev.trigger()  # Shift+F3
    assert reader.selected_range() == (spans[0].start, spans[0].end)


def test_comment_hits_open_in_comments(qtbot) -> None:
    window, feature = make_window(qtbot)
    feature.panel.set_query("section:comments Erdogan")
    assert [h.section for h in feature.panel.model.hits] == ["comments"]
    feature.open_result("moa-failed-rebellion", "comments")
    doc = window.reader.doc
    comments = doc.section("comments")
    spans = window.reader.layers[HITS_LAYER].spans
    assert spans and all(s.start >= comments.start and doc.text[s.start:s.end] == "Erdogan" for s in spans)


def test_search_while_indexing_says_so_then_runs(qtbot) -> None:
    window, feature = make_window(qtbot)
    feature.act_reindex.trigger()
    assert feature.indexing and feature.progress.isVisibleTo(window) and feature.cancel_button.isVisibleTo(window)
    feature.panel.set_query("Masimov")
    assert "being built" in feature.panel.status.text()
    assert feature.wait_until_indexed()
    assert "rebuilt" in window.statusBar().currentMessage()  # an explicit rebuild says why
    assert [h.id for h in feature.panel.model.hits] == ["moa-failed-rebellion"]
    assert not feature.progress.isVisibleTo(window)


def test_bad_query_and_suggestion_and_help(qtbot) -> None:
    _window, feature = make_window(qtbot)
    panel = feature.panel
    panel.set_query('"peaceful protesters')
    assert "unclosed quote" in panel.status.text() and panel.model.rowCount() == 0
    panel.set_query("Ablyazof")
    assert not panel.suggestion.isHidden() and "Ablyazov" in panel.suggestion.text()
    panel.suggestion.linkActivated.emit("Ablyazov")
    assert panel.edit.text() == "Ablyazov" and panel.model.rowCount() == 4
    feature.more_like("moa-failed-rebellion")
    assert panel.model.rowCount() >= 1 and "moa-failed-rebellion" not in {h.id for h in panel.model.hits}
    feature.act_help.trigger()
    browser = feature.help_dialog.findChild(QTextBrowser)
    assert "published:[2022-01-01 TO 2022-01-09]" in browser.toPlainText()
    assert "British" in browser.toPlainText()  # the full reference (docs/search.md), not the cheat sheet
    feature.help_dialog.close()


def test_snippets_fill_lazily_as_rows_scroll_into_view(qtbot, tmp_path) -> None:
    from tests.conftest import write_doc

    folder = tmp_path / "many"
    folder.mkdir()
    for n in range(60):
        write_doc(folder, f"doc-{n:02d}", f"Intro words here. The alpha marker {n} sits in this line.\n\nMore.")
    window = MainWindow(AppContext.create(corpus=str(folder)))
    qtbot.addWidget(window)
    window.resize(900, 700)
    window.show()
    window.start([])
    window.wait_for_corpus()
    feature = window.features["search"]
    assert feature.wait_until_indexed()
    feature.show_panel()
    panel = feature.panel
    panel.set_query("alpha")
    model = panel.model
    assert model.rowCount() == 60
    assert sum(model.filled) == 20  # the first page only
    assert all("<mark>alpha</mark>" in h.snippets[0] for h in model.hits[:20])
    assert not any(h.snippets for h in model.hits[20:])
    panel.results.scrollToBottom()
    qtbot.waitUntil(lambda: model.filled[-1], timeout=5000)
    last = model.hits[-1]
    assert last.snippets and "<mark>alpha</mark>" in last.snippets[0]
    assert sum(model.filled) < 60  # rows never shown were never cut


def test_progress_text_says_rate_and_time_left() -> None:
    from reader.gui.search.feature import progress_text

    assert progress_text(0, 100, 0.0) == "Indexing %v of %m"
    text = progress_text(400, 20000, 2.0)
    assert "200 docs/s" in text and "min left" in text
    assert progress_text(19900, 20000, 50.0).endswith("· 398 docs/s · 0 s left")


def test_note_queries_list_notes_marked_by_the_core_rule(qtbot) -> None:
    from reader.core.notes.search import note_snippets

    window, feature = make_window(qtbot)
    window.open_document("neo-outside-forces")
    notes = window.features["notes"]
    text = window.reader.doc.text
    start = text.index("Tokayev") if "Tokayev" in text else 0
    note = notes.add_note(window.reader, start, start + 7, body="Ask why <Tokayev> & co. said so", edit=False)
    assert note is not None
    feature.panel.set_query("note: tokayev")
    qtbot.waitUntil(lambda: feature.panel.model.rowCount() == 1, timeout=15000)
    hit = feature.panel.model.hits[0]
    assert hit.section == f"note:{note.id}" and hit.snippets == note_snippets(note, "tokayev")
    assert hit.snippets[0] == "Ask why &lt;<mark>Tokayev</mark>&gt; &amp; co. said so"
