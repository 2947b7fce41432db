"""The Research dock as a person uses it: a timeline, a batch of queries, saved searches, Copy Citation."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtTest import QAbstractItemModelTester

from reader.core.context import AppContext
from reader.core.research.batch import BatchRow, batch_csv
from reader.core.research.saved_searches import SavedSearch, SavedSearches
from reader.gui.research.feature import ResearchFeature
from reader.gui.research.models import BatchModel, CountRole, QueryRole, SavedSearchModel
from reader.gui.window.mainwindow import MainWindow

pytestmark = pytest.mark.gui


def make_window(qtbot) -> tuple[MainWindow, ResearchFeature]:  # type: ignore[no-untyped-def]
    window = MainWindow(AppContext.create(), persist=False)  # no modal message boxes in tests
    qtbot.addWidget(window)
    window.show()
    window.start([])
    window.wait_for_corpus()
    assert window.features["search"].wait_until_indexed()
    return window, window.features["research"]


def test_models_pass_the_model_tester(qtbot) -> None:  # type: ignore[no-untyped-def]
    batch = BatchModel()
    QAbstractItemModelTester(batch, QAbstractItemModelTester.FailureReportingMode.Fatal)
    batch.set_rows([BatchRow("a", 3, {"X": 2, "Y": 1}), BatchRow("b(", 0, {}, "bad query")])
    assert batch.columnCount() == 4 and batch.headerData(2, Qt.Orientation.Horizontal) == "X"
    assert batch.index(1, 1).data() == "unreadable"
    assert batch.index(1, 1).data(Qt.ItemDataRole.ToolTipRole) == "bad query"
    assert batch.index(0, 0).data(QueryRole) == "a"
    assert b"query" in batch.roleNames().values()
    saved = SavedSearchModel()
    QAbstractItemModelTester(saved, QAbstractItemModelTester.FailureReportingMode.Fatal)
    saved.set_items([SavedSearch("T", "Tokayev", "")], {"T": 5})
    assert saved.index(0, 0).data() == "T (5)" and saved.index(0, 0).data(CountRole) == 5
    assert saved.rowCount(saved.index(0, 0)) == 0 and saved.rowCount(QModelIndex()) == 1


def test_timeline_shows_five_outlets_and_exports(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    window, feature = make_window(qtbot)
    feature.act_timeline.trigger()
    assert feature.dock.isVisible() and feature.panel.currentIndex() == 0
    qtbot.keyClicks(feature.panel.timeline_query, "Tokayev")
    qtbot.keyClick(feature.panel.timeline_query, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: feature.last_timeline is not None, timeout=10000)
    line = feature.last_timeline
    assert line is not None and len(line.counts) == 5 and line.total == 5
    assert "First: " in feature.panel.timeline_status.text()
    png = feature.write_export(tmp_path / "t.png", feature.panel.chart.to_png())
    assert png is not None and png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert window.settings.get("export.last_folder") == str(tmp_path)
    feature.show_timeline("title:(")
    qtbot.waitUntil(lambda: "Cannot read the query" in feature.panel.timeline_status.text(), timeout=10000)
    assert not feature.panel.png_button.isEnabled()


def test_batch_of_twenty_queries_with_progress(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    _window, feature = make_window(qtbot)
    words = ["Tokayev", "Ablyazov", "Nazarbayev", "Putin", "CSTO", "Almaty", "protest", "gas", "oil", "Russia",
             "Ukraine", "Maidan", "terrorists", "Kyrgyzstan", "Moscow", "Washington", "bank", "police", "army",
             "title:("]
    feature.panel.queries.setPlainText("\n".join(words))
    feature.panel.run_button.click()
    qtbot.waitUntil(lambda: len(feature.last_batch) == 20, timeout=20000)
    assert feature.panel.batch_model.rowCount() == 20
    assert "1 could not be read" in feature.panel.batch_status.text()
    assert feature.panel.run_button.isEnabled() and not feature.panel.cancel_button.isEnabled()
    out = feature.write_export(tmp_path / "b.csv", batch_csv(feature.last_batch))
    assert out is not None and out.read_text(encoding="utf-8").startswith("query,outlet,documents,error")


def test_saved_search_survives_a_restart_and_runs(qtbot) -> None:  # type: ignore[no-untyped-def]
    window, feature = make_window(qtbot)
    assert feature.save_search("Tokayev coverage", "Tokayev")
    assert not feature.save_search("broken", "title:(")
    assert [s.name for s in SavedSearches(window.ctx.paths.data_dir).list()] == ["Tokayev coverage"]
    feature.show_tab(2)
    qtbot.waitUntil(lambda: feature.panel.saved_model.index(0, 0).data() == "Tokayev coverage (5)", timeout=5000)
    window.close()
    again, feature2 = make_window(qtbot)
    feature2.show_tab(2)
    index = feature2.panel.saved_model.index(0, 0)
    assert index.data(QueryRole) == "Tokayev"
    feature2.panel._run_saved(index)
    search = again.features["search"]
    qtbot.waitUntil(lambda: search.panel.model.rowCount() == 5, timeout=5000)


def test_copy_citation_with_paragraph_locator(qtbot) -> None:  # type: ignore[no-untyped-def]
    window, feature = make_window(qtbot)
    assert window.open_document("neo-outside-forces")
    view = window.active_reader()
    start = view.doc.text.index("outside forces")
    view.select_range(start, start + len("outside forces"))
    feature.act_copy_citation.trigger()
    text = QGuiApplication.clipboard().text()
    assert text.startswith("Platov, V. (2022, January 7).") and "New Eastern Outlook" in text
    assert "(para. " in text
    window.settings.set("research.citation_style", "mla")
    feature.copy_citation()
    assert QGuiApplication.clipboard().text().startswith("Platov, Vladimir.")


def test_refused_export_is_reported_not_raised(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    window, feature = make_window(qtbot)
    assert feature.write_export(tmp_path / "missing" / "x.csv", "a,b\n") is None
    assert "Could not write" in window.statusBar().currentMessage()


def test_quick_highlight_is_listed_and_exported_like_a_note(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    window, _feature = make_window(qtbot)
    notes = window.features["notes"]
    assert window.open_document("neo-outside-forces")
    view = window.active_reader()
    start = view.doc.text.index("outside forces")
    view.select_range(start, start + len("outside forces"))
    window.settings.set("notes.highlight_color", "green")
    notes.act_highlight.trigger()
    [note] = notes.store.notes(corpus=notes.key)
    assert note.body == "" and note.color == "green" and note.exact == "outside forces"
    assert "highlighted" in window.statusBar().currentMessage()
    out = tmp_path / "n.jsonld"
    assert notes.export_to(out, "w3c") == 1
    item = json.loads(out.read_text(encoding="utf-8"))["first"]["items"][0]
    assert item["motivation"] == "highlighting" and item["target"]["styleClass"] == "green"
    notes.undo_stack.undo()
    assert notes.store.notes(corpus=notes.key) == []
    view.select_range(start, start)  # no selection: nothing to highlight, said so
    notes.highlight(view)
    assert notes.store.notes(corpus=notes.key) == []


def test_scoped_export_in_a_citation_format_remembers_the_folder(qtbot, tmp_path: Path,  # type: ignore[no-untyped-def]
                                                                 monkeypatch) -> None:
    from reader.core.research.scope import Scope
    from reader.gui.notes import feature as notes_gui

    window, _feature = make_window(qtbot)
    notes = window.features["notes"]
    for doc_id, tag in (("neo-outside-forces", "claim"), ("moa-failed-rebellion", "other")):
        assert window.open_document(doc_id)
        view = window.active_reader()
        view.select_range(10, 30)
        note = notes.add_note(view, tags=(tag,), body="b", edit=False)
        assert note is not None
    out = tmp_path / "sources.ris"
    assert notes.export_to(out, "ris", Scope("tag", ("claim",))) == 1
    text = out.read_text(encoding="utf-8")
    assert "ID  - neo-outside-forces" in text and "moa-failed-rebellion" not in text
    assert notes.export_to(tmp_path / "missing" / "x.md", "md") is None  # refused write: reported
    monkeypatch.setattr(notes, "ask_scope", lambda: Scope("all"))
    monkeypatch.setattr(notes_gui.QFileDialog, "getSaveFileName",
                        staticmethod(lambda *a, **k: (str(tmp_path / "all.md"), "Markdown with citations (*.md)")))
    notes.export_dialog()
    assert "(para. 1)" in (tmp_path / "all.md").read_text(encoding="utf-8")
    assert window.settings.get("export.last_folder") == str(tmp_path)


def test_saved_search_shown_in_the_library_narrows_it(qtbot) -> None:  # type: ignore[no-untyped-def]
    window, feature = make_window(qtbot)
    library = window.library
    assert not library.saved_combo.isVisibleTo(window)  # nothing saved yet: no extra control
    assert feature.save_search("Ablyazov", "Ablyazov")
    assert library.saved_combo.isVisibleTo(window) and library.saved_combo.count() == 2
    library.saved_combo.setCurrentIndex(1)
    library.saved_combo.activated.emit(1)
    assert len(library.visible_ids()) == 4 and "kavkazplus-gutted" not in library.visible_ids()
    assert library.count_label.text() == "4 of 5 documents"
    library.saved_combo.setCurrentIndex(0)
    library.saved_combo.activated.emit(0)
    assert len(library.visible_ids()) == 5
    feature.delete_search("Ablyazov")
    assert not library.saved_combo.isVisibleTo(window)


def test_timeline_from_the_search_dock(qtbot) -> None:  # type: ignore[no-untyped-def]
    window, feature = make_window(qtbot)
    search = window.features["search"]
    search.show_panel()
    search.panel.edit.setText("Tokayev")
    search.panel.timeline_button.click()
    qtbot.waitUntil(lambda: feature.last_timeline is not None, timeout=10000)
    assert feature.dock.isVisible() and feature.panel.timeline_query.text() == "Tokayev"
