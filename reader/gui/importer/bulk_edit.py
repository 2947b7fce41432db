"""Edit ▸ Set Metadata of Selected Documents…: one value for many library rows, undoable.

The dialog lists the fields a batch shares (outlet, author, date, event, language, tags);
only ticked fields change. The change runs through :func:`reader.core.bulk_meta.bulk_edit`
(everything checked before anything is written) inside a QUndoCommand pushed on the
window's undo history (the notes feature's stack, which owns Ctrl+Z), so Ctrl+Z puts every
document back as one step.
"""

from __future__ import annotations

import logging
from typing import Any

from PySide6.QtGui import QAction, QKeySequence, QUndoCommand, QUndoStack
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QVBoxLayout,
    QWidget,
)

from reader.core.bulk_meta import BulkEdit, bulk_edit, undo_bulk_edit
from reader.core.corpora import is_bundled
from reader.core.corpus import Corpus
from reader.core.errors import ReaderError
from reader.core.keymap import BULK_EDIT_KEY

log = logging.getLogger(__name__)

#: (front-matter key, label, placeholder) of the fields the dialog offers.
FIELDS: tuple[tuple[str, str, str], ...] = (
    ("outlet", "Outlet", "e.g. BBC News"),
    ("author", "Author", ""),
    ("published", "Date", "YYYY-MM-DD"),
    ("event", "Event", ""),
    ("language", "Language", "e.g. en"),
    ("tags", "Tags", "comma-separated, e.g. unrest, fuel prices"),
)
SHORTCUT = BULK_EDIT_KEY


class BulkEditDialog(QDialog):
    """Tick a field and give its value; untouched fields stay as each document has them."""

    def __init__(self, count: int, shared: dict[str, str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Set metadata of {count} documents")
        self.setMinimumWidth(520)
        self.checks: dict[str, QCheckBox] = {}
        self.edits: dict[str, QLineEdit] = {}
        form = QFormLayout()
        for key, label, placeholder in FIELDS:
            check = QCheckBox(label, self)
            edit = QLineEdit(shared.get(key, ""), self)
            edit.setObjectName(f"bulk-{key}")
            edit.setPlaceholderText(placeholder if key not in shared else "")
            edit.textEdited.connect(lambda _text, c=check: c.setChecked(True))
            self.checks[key], self.edits[key] = check, edit
            form.addRow(check, edit)
        intro = QLabel(f"Ticked fields are set on all {count} selected documents (an empty value clears it). "
                       "Edit ▸ Undo puts them back.", self)
        intro.setWordWrap(True)
        self.error = QLabel(self)
        self.error.setWordWrap(True)
        self.error.setStyleSheet("color: #b3261e;")
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel,
                                        self)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText(f"Set on {count}")
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)

    def set_value(self, key: str, value: str) -> None:
        self.edits[key].setText(value)
        self.checks[key].setChecked(True)

    def changes(self) -> dict[str, str]:
        return {key: " ".join(self.edits[key].text().split()) for key, check in self.checks.items()
                if check.isChecked()}


class BulkEditCommand(QUndoCommand):
    """The bulk edit as one undo step; redo re-applies the same values."""

    def __init__(self, feature: BulkEditFeature, ids: list[str], changes: dict[str, str]) -> None:
        super().__init__(f"Set Metadata of {len(ids)} Documents")
        self.feature, self.ids, self.changes = feature, ids, changes
        self.edit: BulkEdit | None = None
        self.error: str | None = None

    def redo(self) -> None:
        try:
            self.edit = bulk_edit(self.feature.corpus(), self.ids, self.changes)
        except ReaderError as exc:
            self.error = str(exc)
            self.setObsolete(True)  # nothing was changed: nothing to undo
            return
        self.feature.changed()

    def undo(self) -> None:
        if self.edit is None:
            return
        try:
            undo_bulk_edit(self.feature.corpus(), self.edit)
        except ReaderError as exc:
            QMessageBox.warning(self.feature.window, "Cannot undo", str(exc))
        self.feature.changed()


class BulkEditFeature:
    """Owns the action; finds the selected library rows and the window's undo history."""

    def __init__(self, window: Any, parent: Any) -> None:
        self.window = window
        self.fallback_stack = QUndoStack(parent)
        self.dialog: BulkEditDialog | None = None
        self.action = QAction("Set Metadata of &Selected Documents…", window)
        self.action.setShortcut(QKeySequence(SHORTCUT))
        self.action.setStatusTip("Give many library rows the same outlet, author, date, event, language or tags")
        self.action.triggered.connect(self.open_dialog)
        window.addAction(self.action)
        window.menus["edit"].addAction(self.action)

    def stack(self) -> QUndoStack:
        notes = getattr(self.window, "features", {}).get("notes")
        return getattr(notes, "undo_stack", None) or self.fallback_stack

    def corpus(self) -> Corpus:
        return Corpus(self.window.corpus.root).scan()

    def selected_ids(self) -> list[str]:
        library = self.window.library
        return library.selected_ids() if hasattr(library, "selected_ids") else []

    def open_dialog(self, ids: list[str] | None = None) -> BulkEditDialog | None:
        ids = ids if ids else self.selected_ids()
        corpus = self.window.corpus
        if not ids or corpus is None:
            self.window.statusBar().showMessage("Select documents in the library first (Ctrl+click, Shift+click).",
                                                6000)
            return None
        if corpus.read_only or is_bundled(corpus.root):
            QMessageBox.information(self.window, "Read-only corpus",
                                    "The sample corpus is read-only. Use File ▸ Copy Sample Corpus to get a copy "
                                    "you can edit.")
            return None
        metas = [corpus.meta(i) for i in ids]
        shared: dict[str, str] = {}
        for key in ("outlet", "author", "published", "event", "language"):
            values = {str(getattr(m, key) or "") for m in metas}
            if len(values) == 1:
                shared[key] = values.pop()
        dialog = BulkEditDialog(len(ids), shared, self.window)
        dialog.buttons.accepted.connect(lambda: self._apply(dialog, ids))
        self.dialog = dialog
        dialog.open()
        return dialog

    def _apply(self, dialog: BulkEditDialog, ids: list[str]) -> None:
        changes = dialog.changes()
        if not changes:
            dialog.reject()
            return
        command = BulkEditCommand(self, ids, changes)
        self.stack().push(command)
        if command.error:
            dialog.error.setText(command.error)
            return
        self.window.statusBar().showMessage(f"Set {', '.join(changes)} on {len(ids)} documents (Ctrl+Z undoes it)",
                                            8000)
        dialog.accept()

    def changed(self) -> None:
        self.window.reload_corpus()
