"""The import feature in the window: dialog, progress, review, metadata, drag and drop, corpora."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QThreadPool, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QApplication, QFileDialog, QMessageBox

from reader.core.context import AppContext
from reader.core.corpora import create_corpus
from reader.core.paths import AppPaths
from reader.gui.window.mainwindow import MainWindow
from tests.conftest import BUNDLED, write_doc

pytestmark = pytest.mark.gui


@pytest.fixture
def windows(qtbot):
    """Windows made by a test; at its end, wait for background jobs (one that ends after its
    window is gone would report into a deleted object)."""
    made: list[MainWindow] = []
    yield made
    pool = QThreadPool.globalInstance()
    for _ in range(5):  # a finished scan can start more work (an index update...): settle it all
        pool.waitForDone(10000)
        qtbot.wait(30)
        if pool.activeThreadCount() == 0:
            break


def make_window(qtbot, windows: list[MainWindow], corpus: Path | None = None) -> MainWindow:
    window = MainWindow(AppContext.create(corpus=str(corpus) if corpus else None))
    qtbot.addWidget(window)
    windows.append(window)
    window.show()
    window.start()
    window.wait_for_corpus()
    return window


def sources(folder: Path, n: int = 3) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(n):
        path = folder / f"story-{i}.txt"
        path.write_text(f"Story number {i}\n\nThe text of story {i}, told plainly.\n", encoding="utf-8")
        paths.append(path)
    (folder / "broken.txt").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(300))
    return [*paths, folder / "broken.txt"]


def user_corpus(tmp_path: Path, name: str = "mine") -> Path:
    return create_corpus(AppPaths.resolve(), name)


def test_import_dialog_progress_review_and_save(qtbot, windows, tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    root = user_corpus(tmp_path)
    window = make_window(qtbot, windows, root)
    feature = window.features["importer"]
    files = sources(tmp_path / "src")
    monkeypatch.setattr(QFileDialog, "getOpenFileNames", lambda *a, **k: ([str(f) for f in files], ""))
    with qtbot.waitSignal(feature.importFinished, timeout=20000) as blocker:
        feature.act_import.trigger()
        assert feature.progress_dialog is not None and feature.progress_dialog.isVisible()
    report = blocker.args[0]
    assert len(report.imported) == 3 and len(report.skipped) == 1
    assert feature.last_progress[-1] == (4, 4) and feature.progress_dialog is None
    review = feature.review
    assert review is not None and review.isVisible()
    assert review.model.rowCount() == 3 and review.others.topLevelItemCount() == 1
    assert "3 imported" in review.summary.text() and "1 skipped" in review.summary.text()
    titles = [review.model.index(r, 0).data() for r in range(3)]
    assert titles == ["Story number 0", "Story number 1", "Story number 2"]
    qtbot.waitUntil(lambda: window.library.proxy.rowCount() == 3, timeout=10000)
    # correct the outlet and title of the first one in the review table, then save
    model = review.model
    assert model.setData(model.index(0, 0), "Story zero")
    assert model.setData(model.index(0, 1), "The Daily Test")
    assert review.save_button.isEnabled()
    review.save_button.click()
    assert "Saved the metadata of 1" in review.status.text()
    qtbot.waitUntil(lambda: window.corpus is not None and window.corpus.meta("story-number-0").title == "Story zero",
                    timeout=10000)
    meta = window.corpus.meta("story-number-0")
    assert (meta.title, meta.outlet) == ("Story zero", "The Daily Test")
    assert window.open_document("story-number-0")
    assert window.reader.header.title.text() == "Story zero"
    assert window.reader.doc.text == "The text of story 0, told plainly."


def test_cancel_leaves_no_half_written_file(qtbot, windows, tmp_path: Path) -> None:
    root = user_corpus(tmp_path)
    window = make_window(qtbot, windows, root)
    feature = window.features["importer"]
    files = sources(tmp_path / "src", 40)
    with qtbot.waitSignal(feature.importFinished, timeout=20000) as blocker:
        feature.start_import(files)
        feature.progress_dialog.cancel_button.click()
    report = blocker.args[0]
    assert report.cancelled or len(report.imported) == 40
    names = [p.name for p in root.rglob("*")]
    assert not [n for n in names if n.endswith(".tmp")]
    assert len(list(root.glob("*.md"))) == len(report.imported)
    assert len(list((root / "originals").glob("*"))) == len(report.imported) if report.imported else True


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_drop_files_on_library_imports_them(qtbot, windows, tmp_path: Path) -> None:
    root = user_corpus(tmp_path)
    window = make_window(qtbot, windows, root)
    feature = window.features["importer"]
    files = sources(tmp_path / "src", 2)[:2]
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(f)) for f in files])
    viewport = window.library.view.viewport()
    enter = QDragEnterEvent(QPoint(10, 10), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                            Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(viewport, enter)
    assert enter.isAccepted()
    event = QDropEvent(QPointF(10, 10), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                       Qt.KeyboardModifier.NoModifier)
    with qtbot.waitSignal(feature.importFinished, timeout=20000) as blocker:
        QApplication.sendEvent(viewport, event)
    assert [i.id for i in blocker.args[0].imported] == ["story-number-0", "story-number-1"]


def test_sample_is_read_only_import_asks_for_a_corpus(qtbot, windows, tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    window = make_window(qtbot, windows)
    feature = window.features["importer"]
    before = sorted(p.name for p in BUNDLED.rglob("*"))
    asked: list[str] = []
    monkeypatch.setattr(QMessageBox, "question",
                        lambda *a, **k: asked.append(a[1]) or QMessageBox.StandardButton.Cancel)
    assert feature.start_import(sources(tmp_path / "src", 1)) is False
    assert asked and "read-only" in asked[0]
    assert sorted(p.name for p in BUNDLED.rglob("*")) == before


def test_switching_corpora_switches_library(qtbot, windows, tmp_path: Path) -> None:
    first, second = tmp_path / "first", tmp_path / "second"
    first.mkdir()
    second.mkdir()
    write_doc(first, "only-one", "Only document of the first corpus.")
    for i in range(3):
        write_doc(second, f"second-{i}", f"Document {i} of the second corpus.")
    window = make_window(qtbot, windows, first)
    assert window.library.visible_ids() == ["only-one"]
    with qtbot.waitSignal(window.corpusLoaded, timeout=10000):
        window.switch_corpus(second)
    assert sorted(window.library.visible_ids()) == ["second-0", "second-1", "second-2"]
    assert window.ctx.corpus_root == second
    assert str(second) in window.settings.get("corpus.recent")
    with qtbot.waitSignal(window.corpusLoaded, timeout=10000):
        window.switch_corpus(first)
    assert window.library.visible_ids() == ["only-one"]


def test_edit_metadata_dialog_writes_and_reloads(qtbot, windows, tmp_path: Path) -> None:
    root = tmp_path / "c"
    root.mkdir()
    path = write_doc(root, "doc-a", "Paragraph one.\n\nParagraph two.")
    body_before = path.read_text(encoding="utf-8").split("---", 2)[2]
    window = make_window(qtbot, windows, root)
    feature = window.features["importer"]
    assert window.open_document("doc-a")
    hash_before = window.reader.doc.content_hash
    dialog = feature.edit_metadata("doc-a")
    assert dialog is not None
    dialog.edits["published"].setText("not a date")
    dialog.buttons.accepted.emit()
    assert "ISO date" in dialog.error.text() and dialog.isVisible()
    dialog.edits["published"].setText("2021-12-31")
    dialog.edits["event"].setText("Year end")
    with qtbot.waitSignal(feature.metadataSaved, timeout=5000):
        dialog.buttons.accepted.emit()
    qtbot.waitUntil(lambda: window.corpus is not None and window.corpus.meta("doc-a").event == "Year end",
                    timeout=10000)
    meta = window.corpus.meta("doc-a")
    assert (meta.published, meta.event) == ("2021-12-31", "Year end")
    assert path.read_text(encoding="utf-8").split("---", 2)[2] == body_before
    assert window.corpus.document("doc-a").content_hash == hash_before


def test_imported_documents_searchable_and_comparable_and_search_follows_corpus(
        qtbot, windows, tmp_path: Path) -> None:
    root = user_corpus(tmp_path)
    window = make_window(qtbot, windows, root)
    search = window.features.get("search")
    if search is None:
        pytest.skip("the search capability is not installed in this build")
    feature = window.features["importer"]
    with qtbot.waitSignal(feature.importFinished, timeout=20000):
        feature.start_import(sources(tmp_path / "src", 2))
    qtbot.waitUntil(lambda: window.library.proxy.rowCount() == 2, timeout=10000)
    assert search.wait_until_indexed()
    search.run_search("story told plainly")
    assert sorted(h.id for h in search.last_results.hits) == ["story-number-0", "story-number-1"]
    view = window.compare.open_beside("story-number-1")  # the compare view takes imported documents too
    assert view is not None and view.doc.id == "story-number-1"
    other = tmp_path / "other"
    other.mkdir()
    write_doc(other, "elsewhere", "A story from another corpus, told plainly too.")
    with qtbot.waitSignal(window.corpusLoaded, timeout=10000):
        window.switch_corpus(other)
    assert window.library.visible_ids() == ["elsewhere"]
    assert search.wait_until_indexed()
    search.run_search("story told plainly")
    assert [h.id for h in search.last_results.hits] == ["elsewhere"]
