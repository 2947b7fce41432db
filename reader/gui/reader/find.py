"""Find in the open document: the find bar and the matching, apart from the reader view.

:func:`find_spans` is the rule (the words typed, any run of white space between them, case
ignored); :class:`DocumentFind` keeps the matches of one :class:`~reader.gui.reader.view.ReaderView`,
paints them as its ``find`` / ``find-current`` layers and steps through them (Enter / F3).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QToolButton, QWidget

from reader.gui.reader.layers import Layer, LayerSpan, background_format

if TYPE_CHECKING:
    from reader.gui.reader.view import ReaderView


def find_spans(text: str, query: str) -> list[tuple[int, int]]:
    """Where ``query`` occurs in ``text``: case ignored, any white space matching any white space."""
    if not query.strip():
        return []
    pattern = re.compile(re.escape(query).replace(r"\ ", r"\s+"), re.IGNORECASE)
    return [(m.start(), m.end()) for m in pattern.finditer(text)]


def _tool_button(parent: QWidget, text: str, tip: str) -> QToolButton:
    button = QToolButton(parent)
    button.setText(text)
    button.setToolTip(tip)
    return button


class FindBar(QWidget):
    """Find in the open document: Enter / F3 next, Shift+Enter / Shift+F3 previous, Esc closes."""

    searchChanged = Signal(str)
    nextRequested = Signal()
    previousRequested = Signal()
    closed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.edit = QLineEdit(self)
        self.edit.setPlaceholderText("Find in document")
        self.edit.setAccessibleName("Find in document")
        self.edit.setClearButtonEnabled(True)
        self.count = QLabel(self)
        self.count.setMinimumWidth(90)
        prev_btn, next_btn, close_btn = (_tool_button(self, "↑", "Previous match (Shift+F3)"),
                                         _tool_button(self, "↓", "Next match (F3)"),
                                         _tool_button(self, "✕", "Close (Esc)"))
        for btn, name in ((prev_btn, "Previous match"), (next_btn, "Next match"), (close_btn, "Close find bar")):
            btn.setAccessibleName(name)
            btn.setAutoRaise(True)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(12, 4, 12, 6)
        layout.addWidget(self.edit, 1)
        layout.addWidget(self.count)
        layout.addWidget(prev_btn)
        layout.addWidget(next_btn)
        layout.addWidget(close_btn)
        self.edit.textChanged.connect(self.searchChanged)
        self.edit.returnPressed.connect(self.nextRequested)
        prev_btn.clicked.connect(self.previousRequested)
        next_btn.clicked.connect(self.nextRequested)
        close_btn.clicked.connect(self.close_bar)
        escape = QShortcut(QKeySequence(Qt.Key.Key_Escape), self)
        escape.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        escape.activated.connect(self.close_bar)
        back = QShortcut(QKeySequence("Shift+Return"), self.edit)
        back.setContext(Qt.ShortcutContext.WidgetShortcut)
        back.activated.connect(self.previousRequested.emit)
        self.hide()

    def open_bar(self, initial: str = "") -> None:
        self.show()
        if initial:
            self.edit.setText(initial)
        self.edit.setFocus()
        self.edit.selectAll()

    def close_bar(self) -> None:
        self.hide()
        self.closed.emit()


class DocumentFind(QObject):
    """The find matches of one reader view, painted as its layers and stepped through."""

    def __init__(self, view: ReaderView, bar: FindBar) -> None:
        super().__init__(view)
        self.view = view
        self.bar = bar
        self._matches: list[tuple[int, int]] = []
        self._current = -1
        bar.searchChanged.connect(self.search)
        bar.closed.connect(self._on_closed)

    @property
    def matches(self) -> list[tuple[int, int]]:
        return list(self._matches)

    def open(self) -> None:
        """Ctrl+F: the bar opens with the selected words (when short) as the query."""
        view = self.view
        if view.doc is None:
            return
        selected = ""
        for pane in view.panes:
            chosen = pane.widget.textCursor().selectedText()
            if chosen:
                selected = chosen.replace("\u2029", " ").replace("\u2028", " ")
        self.bar.open_bar(selected if 0 < len(selected) < 80 else "")

    def redo(self) -> None:
        """Another document in the view: find the same words in it."""
        if self.bar.isVisible() and self.bar.edit.text():
            self.search(self.bar.edit.text())

    def search(self, query: str) -> None:
        view = self.view
        self._matches = find_spans(view.doc.text, query) if view.doc is not None else []
        self._current = 0 if self._matches else -1
        if self._matches:
            self._show()
        else:
            view.layers.pop("find-current", None)
            view.set_layer(Layer("find", [], background_format(view.theme.color("find_match")), z=100))
        self._update_count(query)

    def step(self, step: int) -> bool:
        """The next (+1) or previous (-1) match, wrapping; False when the bar has none to step to."""
        if not (self._matches and self.bar.isVisible()):
            return False
        self._current = (self._current + step) % len(self._matches)
        self._show()
        return True

    def _update_count(self, query: str) -> None:
        if not query.strip():
            self.bar.count.setText("")
        elif not self._matches:
            self.bar.count.setText("no matches")
        else:
            self.bar.count.setText(f"{self._current + 1} of {len(self._matches)}")

    def _show(self) -> None:
        view = self.view
        spans = [LayerSpan(s, e) for s, e in self._matches]
        start, end = self._matches[self._current]
        view.replace_layers((), [
            Layer("find", spans, background_format(view.theme.color("find_match")), z=100),
            Layer("find-current", [LayerSpan(start, end)], background_format(view.theme.color("find_current")),
                  z=101)])
        view.scroll_to_offset(start, select_to=end)  # the match is the selection: Add Note takes it
        self._update_count(self.bar.edit.text())
        view.marks.update()

    def _on_closed(self) -> None:
        view = self.view
        view.marks.update()
        view.remove_layer("find")
        view.remove_layer("find-current")
        self._matches = []
        view.text.setFocus()


__all__ = ["DocumentFind", "FindBar", "find_spans"]
