"""The "Review" tab of the Notes dock: every note whose place changed, before and after.

Re-anchoring never moves a note silently: this tab lists the notes that moved, were
matched approximately, were only guessed (``needs-review``) or lost their passage, shows
the passage each was on before and the one it is on now (with a little context), and
offers Accept (keep the new place) and Re-attach (to the passage selected in the reader).
Everything is reachable from the keyboard: the list takes arrow keys, Alt+N accepts,
Alt+O re-attaches, Alt+G or Enter goes to the passage. The rules live in
:mod:`reader.core.notes.review`; :class:`NotesReview` connects them to the window.
"""

from __future__ import annotations

import html
import logging
from typing import Any

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from reader.core.notes.model import Note
from reader.core.notes.review import (
    Place,
    ReviewItem,
    accept,
    pending,
    reattach,
    record_of,
    redo_verdict,
    undo_verdict,
)

log = logging.getLogger(__name__)

ItemIdRole = Qt.ItemDataRole.UserRole + 21
_LABELS = {"needs-review": "⚠ needs review", "orphan": "⚠ orphan", "fuzzy": "fuzzy match", "moved": "moved"}


def _passage(place: Place | None, width: int = 140) -> str:
    """``…prefix [quote] suffix…`` as rich text, the quote in bold."""
    if place is None:
        return "<i>not found in the current text</i>"
    quote = " ".join(place.quote.split())
    quote = quote if len(quote) <= width else quote[:width - 1] + "…"
    where = "" if place.start is None else f" <small>({place.start}–{place.end})</small>"
    pre = " ".join(place.prefix.split())[-24:]
    post = " ".join(place.suffix.split())[:24]
    return f"…{html.escape(pre)} <b>{html.escape(quote)}</b> {html.escape(post)}…{where}"


class ReviewPanel(QWidget):
    """The list of notes to review and, for the chosen one, before/after with the two verdicts."""

    acceptRequested = Signal(str)
    reattachRequested = Signal(str)
    jumpRequested = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("notesReview")
        self.items: list[ReviewItem] = []
        self.list = QListWidget(self)
        self.list.setAccessibleName("Notes to review")
        self.list.setWordWrap(True)
        self.list.setAlternatingRowColors(True)
        self.before = QLabel(self)
        self.after = QLabel(self)
        for label, name in ((self.before, "Before"), (self.after, "Now")):
            label.setWordWrap(True)
            label.setTextFormat(Qt.TextFormat.RichText)
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            label.setAccessibleName(f"{name}: passage")
        self.verdict = QLabel(self)
        self.verdict.setWordWrap(True)
        self.accept_button = QPushButton("Accept &new place", self)
        self.accept_button.setToolTip("Keep the note where it is now (it becomes anchored there)")
        self.reattach_button = QPushButton("Re-attach t&o selection", self)
        self.reattach_button.setToolTip("Put the note on the passage selected in the reader")
        self.jump_button = QPushButton("&Go to passage", self)
        self.empty = QLabel("Every note is where you left it.", self)
        self.empty.setWordWrap(True)

        buttons = QHBoxLayout()
        buttons.addWidget(self.accept_button)
        buttons.addWidget(self.reattach_button)
        buttons.addStretch(1)
        buttons.addWidget(self.jump_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.empty)
        layout.addWidget(self.list, 1)
        layout.addWidget(QLabel("<b>Before</b>", self))
        layout.addWidget(self.before)
        layout.addWidget(QLabel("<b>Now</b>", self))
        layout.addWidget(self.after)
        layout.addWidget(self.verdict)
        layout.addLayout(buttons)
        self.setTabOrder(self.list, self.accept_button)
        self.setTabOrder(self.accept_button, self.reattach_button)
        self.setTabOrder(self.reattach_button, self.jump_button)

        self.list.currentRowChanged.connect(lambda _row: self._show(self.current()))
        self.list.itemActivated.connect(lambda item: self.jumpRequested.emit(item.data(ItemIdRole)))
        self.accept_button.clicked.connect(lambda: self._emit(self.acceptRequested))
        self.reattach_button.clicked.connect(lambda: self._emit(self.reattachRequested))
        self.jump_button.clicked.connect(lambda: self._emit(self.jumpRequested))
        self._show(None)

    def _emit(self, signal: Any) -> None:
        item = self.current()
        if item is not None:
            signal.emit(item.note.id)

    def set_items(self, items: list[ReviewItem], titles: dict[str, str]) -> None:
        """Show ``items``; the chosen note stays chosen while it is still listed."""
        keep = self.current()
        self.items = list(items)
        self.list.blockSignals(True)
        self.list.clear()
        for item in items:
            note = item.note
            quote = " ".join((item.before.quote or note.exact).split())
            quote = quote if len(quote) <= 70 else quote[:69] + "…"
            row = QListWidgetItem(f"“{quote}”  {_LABELS.get(note.status, note.status)}\n"
                                  f"{titles.get(note.doc, note.doc)}")
            row.setData(ItemIdRole, note.id)
            row.setToolTip(note.body[:300] or "(note without text)")
            self.list.addItem(row)
        self.list.blockSignals(False)
        self.empty.setVisible(not items)
        ids = [it.note.id for it in items]
        if items:
            self.list.setCurrentRow(ids.index(keep.note.id) if keep is not None and keep.note.id in ids else 0)
        self._show(self.current())

    def current(self) -> ReviewItem | None:
        row = self.list.currentRow()
        return self.items[row] if 0 <= row < len(self.items) else None

    def select(self, note_id: str) -> None:
        ids = [it.note.id for it in self.items]
        if note_id in ids:
            self.list.setCurrentRow(ids.index(note_id))

    def _show(self, item: ReviewItem | None) -> None:
        for widget in (self.accept_button, self.reattach_button, self.jump_button):
            widget.setEnabled(item is not None)
        if item is None:
            self.before.clear()
            self.after.clear()
            self.verdict.clear()
            return
        self.before.setText(_passage(item.before))
        self.after.setText(_passage(item.after))
        self.accept_button.setEnabled(item.after is not None)
        self.jump_button.setEnabled(item.after is not None)
        self.verdict.setText(
            "Re-anchoring is sure of the new place: accept it, or re-attach the note elsewhere."
            if item.confident else
            "Re-anchoring could only guess: check the passage, then accept it or select the right one "
            "in the reader and re-attach." if item.after is not None else
            "The passage is gone: select a new one in the reader and re-attach the note.")


class NotesReview(QObject):
    """Fills the Review tab of the notes feature and carries out its verdicts (undoable)."""

    def __init__(self, feature: Any) -> None:
        super().__init__(feature)
        self.feature = feature
        self.panel = ReviewPanel(feature.panel)
        self.tab = feature.panel.tabs.addTab(self.panel, "Review")
        self.panel.acceptRequested.connect(self.accept)
        self.panel.reattachRequested.connect(self.reattach_to_selection)
        self.panel.jumpRequested.connect(feature.jump_to)

    def refresh(self) -> None:
        """Re-read the notes to review (the dock's scope: this document or the whole corpus)."""
        feature = self.feature
        items: list[ReviewItem] = []
        if feature.corpus is not None:
            doc = None if feature.panel.whole_corpus else feature.current_doc_id()
            if doc is not None or feature.panel.whole_corpus:
                items = pending(feature.store, feature.corpus, feature.key, doc)
        self.panel.set_items(items, feature.panel.model.titles)
        undecided = sum(not it.confident for it in items)
        label = "Review" if not items else f"Review ({len(items)}{', ⚠' if undecided else ''})"
        feature.panel.tabs.setTabText(self.tab, label)

    def _verdict(self, note_id: str, action: Any, label: str) -> None:
        """Run a verdict as one undoable step; undo puts the place and the review row back."""
        from reader.gui.notes.feature import _NoteCommand

        feature = self.feature
        before = feature.store.get(note_id)
        if before is None:
            return
        record = record_of(feature.store, note_id)
        done: list[Note] = []
        if feature.run_safely(lambda: done.append(action(before))):
            after = done[0]
            store = feature.store
            feature.undo_stack.push(_NoteCommand(
                feature, label,
                lambda: redo_verdict(store, after),
                lambda: undo_verdict(store, before, record)))

    def accept(self, note_id: str) -> None:
        self._verdict(note_id, lambda note: accept(self.feature.store, self.feature.corpus, note), "Accept Note Place")

    def reattach_to_selection(self, note_id: str) -> None:
        view = self.feature._active_view()
        chosen = view.selected_range() if view.doc is not None else None
        if chosen is None:
            self.feature.report("Select the passage in the reader first, then click Re-attach to selection.")
            return
        self._verdict(note_id, lambda note: reattach(self.feature.store, self.feature.corpus, note,
                                                     chosen[0], chosen[1], view.doc.id), "Re-attach Note")
