"""The Review tab of the Notes dock: before/after of every note whose place changed, by keyboard."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QThreadPool

from reader.core.context import AppContext
from reader.core.notes.service import corpus_key, new_note
from reader.core.notes.store import NoteStore
from reader.gui.window.mainwindow import MainWindow

pytestmark = pytest.mark.gui
DOC = "kavkazplus-gutted"
PHRASE = "seems that"


@pytest.fixture(autouse=True)
def _settle_background_jobs(qtbot):
    yield
    QThreadPool.globalInstance().waitForDone(15000)
    qtbot.wait(10)


def _notes_then_delete_first_paragraph(corpus: Path) -> tuple[str, str]:
    """A note on each copy of the phrase; then the paragraph of the first copy is deleted."""
    ctx = AppContext.create(corpus=str(corpus))
    doc = ctx.corpus().document(DOC)
    first = doc.text.index(PHRASE)
    second = doc.text.index(PHRASE, first + 1)
    with NoteStore.open(ctx.paths.data_dir) as store:
        gone = store.add(new_note(corpus_key(ctx), doc, first, first + len(PHRASE), body="on the first"))
        kept = store.add(new_note(corpus_key(ctx), doc, second, second + len(PHRASE), body="on the second"))
    path = corpus / f"{DOC}.md"
    text = path.read_text(encoding="utf-8")
    at = text.index(PHRASE)
    text = text[:text.rindex("\n\n", 0, at) + 2] + text[text.index("\n\n", at) + 2:]
    path.write_text(text, encoding="utf-8")
    return gone.id, kept.id


def test_review_tab_accept_and_reattach_by_keyboard(qtbot, corpus_copy: Path) -> None:
    gone_id, kept_id = _notes_then_delete_first_paragraph(corpus_copy)
    window = MainWindow(AppContext.create(corpus=str(corpus_copy)), persist=False)
    qtbot.addWidget(window)
    window.show()
    window.start([DOC])
    window.wait_for_corpus()
    notes = window.features["notes"]
    notes.show_dock()
    review = notes.review.panel
    tabs = notes.panel.tabs
    assert tabs.tabText(notes.review.tab) == "Review (2, ⚠)"
    # the guess first, with before/after
    assert [it.note.id for it in review.items] == [gone_id, kept_id]
    assert review.items[0].note.status in ("needs-review", "orphan") and not review.items[0].confident
    assert review.items[1].note.status == "moved" and review.items[1].confident
    tabs.setCurrentIndex(notes.review.tab)
    review.list.setFocus()
    qtbot.waitUntil(review.list.hasFocus, timeout=2000)
    assert f"<b>{PHRASE}</b>" in review.before.text() and "(11162–11172)" in review.before.text()
    assert "could only guess" in review.verdict.text() or "passage is gone" in review.verdict.text()
    # Down to the moved note, Tab to Accept, Space presses it
    qtbot.keyClick(review.list, Qt.Key.Key_Down)
    assert review.current().note.id == kept_id and "sure of the new place" in review.verdict.text()
    assert "<b>seems that</b>" in review.after.text()
    qtbot.keyClick(review.list, Qt.Key.Key_Tab)
    assert review.accept_button.hasFocus() and "&" in review.accept_button.text()
    qtbot.keyClick(review.accept_button, Qt.Key.Key_Space)
    assert notes.store.get(kept_id).status == "anchored"
    assert [it.note.id for it in review.items] == [gone_id]
    # re-attach the guess to a passage chosen in the reader
    text = window.reader.doc.text
    start = text.index(" ", 300) + 1
    window.reader.select_range(start, start + 20)
    review.reattach_button.setFocus()
    qtbot.keyClick(review.reattach_button, Qt.Key.Key_Space)
    note = notes.store.get(gone_id)
    assert (note.start, note.end, note.status) == (start, start + 20, "anchored")
    assert review.items == [] and tabs.tabText(notes.review.tab) == "Review" and review.empty.isVisibleTo(review)
    # undoable, like every other note action
    notes.undo_stack.undo()
    assert notes.store.get(gone_id).status in ("needs-review", "orphan")
    assert [it.note.id for it in review.items] == [gone_id]
    assert review.items[0].before.start == 11162  # listed again as it was, before and all
    notes.undo_stack.redo()
    assert notes.store.get(gone_id).status == "anchored" and review.items == []
