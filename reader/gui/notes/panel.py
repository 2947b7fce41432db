"""The Notes dock: a filterable list of notes (and of orphans) with an in-place editor.

The panel only shows and asks: it emits intent signals (jump, edit, delete, re-attach)
that :mod:`reader.gui.notes.feature` turns into undoable store actions. Typing in the editor is
saved after a short pause (and at once when focus leaves or another note is chosen), so
there is no Save button and no way to lose what was typed.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import (
    QAbstractListModel,
    QModelIndex,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QColor, QIcon, QPixmap
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListView,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTabWidget,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from reader.core.notes.anchoring import ORPHAN, STATUSES
from reader.core.notes.model import COLORS, Note, clean_tags
from reader.core.notes.search import match_note, parse_query

NoteIdRole = Qt.ItemDataRole.UserRole + 1
NoteRole = Qt.ItemDataRole.UserRole + 2
DocRole = Qt.ItemDataRole.UserRole + 3
StatusRole = Qt.ItemDataRole.UserRole + 4
ColorRole = Qt.ItemDataRole.UserRole + 5
TagsRole = Qt.ItemDataRole.UserRole + 6

AUTOSAVE_MS = 400
ModelIndex = QModelIndex | QPersistentModelIndex


def color_icon(name: str) -> QIcon:
    pix = QPixmap(12, 12)
    pix.fill(QColor(COLORS.get(name, "#888888")))
    return QIcon(pix)


class NotesModel(QAbstractListModel):
    """Notes as rows; named roles carry the fields views and proxies need."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.notes: list[Note] = []
        self.titles: dict[str, str] = {}

    def set_notes(self, notes: list[Note], titles: dict[str, str]) -> None:
        self.beginResetModel()
        self.notes = list(notes)
        self.titles = titles
        self.endResetModel()

    def replace(self, note: Note) -> bool:
        for row, old in enumerate(self.notes):
            if old.id == note.id:
                self.notes[row] = note
                idx = self.index(row, 0)
                self.dataChanged.emit(idx, idx)
                return True
        return False

    def row_of(self, note_id: str) -> int:
        return next((i for i, n in enumerate(self.notes) if n.id == note_id), -1)

    def rowCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008 - Qt signature
        return 0 if parent.isValid() else len(self.notes)

    def roleNames(self) -> dict[int, bytes]:
        return {NoteIdRole: b"noteId", NoteRole: b"note", DocRole: b"doc", StatusRole: b"status",
                ColorRole: b"color", TagsRole: b"tags", Qt.ItemDataRole.DisplayRole: b"display"}

    def data(self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self.notes):
            return None
        note = self.notes[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            quote = " ".join(note.exact.split()) if note.exact else "(whole document)"
            if len(quote) > 90:
                quote = quote[:88] + "…"
            body = note.body.strip().split("\n", 1)[0][:90]
            tags = "  ".join(f"#{t}" for t in note.tags)
            flag = {"fuzzy": "  ⚠ fuzzy", "orphan": "  ⚠ orphan", "moved": "  moved",
                    "needs-review": "  ⚠ needs review"}.get(note.status, "")
            if note.damaged:
                flag += "  ⚠ damaged"
            second = "  ".join(x for x in (body, tags) if x) or "(no text yet)"
            return f"“{quote}”{flag}\n{second}"
        if role == Qt.ItemDataRole.DecorationRole:
            return color_icon(note.color)
        if role == Qt.ItemDataRole.ToolTipRole:
            title = self.titles.get(note.doc, note.doc)
            return f"{title}\n{note.status}; {note.color}" + (f"\n{note.body[:300]}" if note.body else "")
        if role == NoteIdRole:
            return note.id
        if role == NoteRole:
            return note
        if role == DocRole:
            return note.doc
        if role == StatusRole:
            return note.status
        if role == ColorRole:
            return note.color
        if role == TagsRole:
            return list(note.tags)
        return None


class NotesFilter(QSortFilterProxyModel):
    """Text (the notes query language), tag, colour and status filters; optionally orphans only."""

    def __init__(self, orphans_only: bool = False, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.orphans_only = orphans_only
        self.query = parse_query("")
        self.has_query = False
        self.tag = ""
        self.color = ""
        self.status = ""

    def set_filters(self, text: str, tag: str, color: str, status: str) -> None:
        if hasattr(self, "beginFilterChange"):  # Qt >= 6.9
            self.beginFilterChange()
        self.query = parse_query(text)
        self.has_query = bool(text.strip())
        self.tag, self.color, self.status = tag, color, status
        if hasattr(self, "endFilterChange"):
            self.endFilterChange()
        else:
            self.invalidateFilter()

    def filterAcceptsRow(self, row: int, parent: ModelIndex) -> bool:
        note: Note = self.sourceModel().index(row, 0, parent).data(NoteRole)
        if note is None:
            return False
        if self.orphans_only and note.status != ORPHAN:
            return False
        if self.tag and self.tag not in note.tags:
            return False
        if self.color and note.color != self.color:
            return False
        if self.status and note.status != self.status:
            return False
        return not self.has_query or match_note(note, self.query) is not None


class NotesPanel(QWidget):
    """List + editor. Signals carry note ids; the feature does the work."""

    jumpRequested = Signal(str)
    editRequested = Signal(str, dict)  # note id, changes (body/tags/color)
    deleteRequested = Signal(str)
    attachRequested = Signal(str)
    scopeChanged = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("notesPanel")
        self.model = NotesModel(self)
        self.current_id: str | None = None
        self._loading = False
        self._dirty_body: tuple[str, str] | None = None  # (note id, text) not yet saved

        self.scope = QComboBox(self)
        self.scope.addItems(["This document", "Whole corpus"])
        self.scope.setAccessibleName("Notes scope")
        self.filter_edit = QLineEdit(self)
        self.filter_edit.setPlaceholderText("Filter: words, tag:x, color:x, status:x")
        self.filter_edit.setClearButtonEnabled(True)
        self.filter_edit.setAccessibleName("Filter notes")
        self.tag_filter = QComboBox(self)
        self.tag_filter.setAccessibleName("Filter by tag")
        self.color_filter = QComboBox(self)
        self.color_filter.setAccessibleName("Filter by colour")
        self.color_filter.addItem("Any colour", "")
        for name in COLORS:
            self.color_filter.addItem(color_icon(name), name.capitalize(), name)
        self.status_filter = QComboBox(self)
        self.status_filter.setAccessibleName("Filter by status")
        self.status_filter.addItem("Any status", "")
        for status in STATUSES:
            self.status_filter.addItem(status.capitalize(), status)

        self.proxy = NotesFilter(parent=self)
        self.proxy.setSourceModel(self.model)
        self.orphan_proxy = NotesFilter(orphans_only=True, parent=self)
        self.orphan_proxy.setSourceModel(self.model)
        self.list = self._list_view(self.proxy, "Notes")
        self.orphan_list = self._list_view(self.orphan_proxy, "Orphaned notes")
        self.tabs = QTabWidget(self)
        self.tabs.addTab(self.list, "Notes")
        self.tabs.addTab(self.orphan_list, "Orphans")
        self.count_label = QLabel(self)
        self.count_label.setObjectName("notesCount")

        # editor
        self.editor = QWidget(self)
        self.where = QLabel(self.editor)
        self.where.setWordWrap(True)
        self.where.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.quote = QLabel(self.editor)
        self.quote.setWordWrap(True)
        self.quote.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.body = QPlainTextEdit(self.editor)
        self.body.setPlaceholderText("Write the note here (Markdown). It is saved as you type.")
        self.body.setAccessibleName("Note text")
        self.preview = QTextBrowser(self.editor)
        self.preview.setOpenExternalLinks(False)
        self.preview.setAccessibleName("Note preview")
        self.tags_edit = QLineEdit(self.editor)
        self.tags_edit.setPlaceholderText("tags, comma separated")
        self.tags_edit.setAccessibleName("Note tags")
        self.color_edit = QComboBox(self.editor)
        self.color_edit.setAccessibleName("Note colour")
        for name in COLORS:
            self.color_edit.addItem(color_icon(name), name.capitalize(), name)
        self.saved_label = QLabel(self.editor)
        self.jump_button = QPushButton("Go to passage", self.editor)
        self.attach_button = QPushButton("Attach to selection", self.editor)
        self.attach_button.setToolTip("Re-attach this note to the passage selected in the reader")
        self.delete_button = QPushButton("Delete", self.editor)
        self.delete_button.setToolTip("Delete this note (Ctrl+Z undoes)")

        row = QHBoxLayout()
        row.addWidget(self.tags_edit, 1)
        row.addWidget(self.color_edit)
        buttons = QHBoxLayout()  # two rows: at the dock's narrowest no button is cut off
        buttons.addWidget(self.jump_button)
        buttons.addWidget(self.attach_button)
        buttons.addStretch(1)
        status_row = QHBoxLayout()
        status_row.addWidget(self.saved_label, 1)
        status_row.addWidget(self.delete_button)
        text_split = QSplitter(Qt.Orientation.Vertical, self.editor)
        text_split.addWidget(self.body)
        text_split.addWidget(self.preview)
        text_split.setChildrenCollapsible(False)
        ed = QVBoxLayout(self.editor)
        ed.setContentsMargins(0, 4, 0, 0)
        ed.addWidget(self.where)
        ed.addWidget(self.quote)
        ed.addWidget(text_split, 1)
        ed.addLayout(row)
        ed.addLayout(buttons)
        ed.addLayout(status_row)

        top = QHBoxLayout()
        top.addWidget(self.scope)
        top.addWidget(self.filter_edit, 1)
        filters = QHBoxLayout()
        filters.addWidget(self.tag_filter, 1)
        filters.addWidget(self.color_filter, 1)
        filters.addWidget(self.status_filter, 1)
        lists = QWidget(self)
        lay_lists = QVBoxLayout(lists)
        lay_lists.setContentsMargins(0, 0, 0, 0)
        lay_lists.addLayout(top)
        lay_lists.addLayout(filters)
        lay_lists.addWidget(self.tabs, 1)
        lay_lists.addWidget(self.count_label)
        split = QSplitter(Qt.Orientation.Vertical, self)
        split.addWidget(lists)
        split.addWidget(self.editor)
        split.setChildrenCollapsible(False)
        split.setSizes([300, 320])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(split)
        self.setMinimumWidth(260)
        for widget in (self.list, self.orphan_list, self.body, self.preview):
            widget.setMinimumHeight(48)

        self.save_timer = QTimer(self, singleShot=True, interval=AUTOSAVE_MS)
        self.save_timer.timeout.connect(self.flush)
        self.body.textChanged.connect(self._on_body_changed)
        self.body.installEventFilter(self)
        self.tags_edit.installEventFilter(self)
        self.tags_edit.editingFinished.connect(self._on_tags_edited)
        self.tags_edit.returnPressed.connect(self._on_tags_edited)
        self.color_edit.activated.connect(self._on_color_chosen)
        self.delete_button.clicked.connect(lambda: self.current_id and self.deleteRequested.emit(self.current_id))
        self.jump_button.clicked.connect(lambda: self.current_id and self.jumpRequested.emit(self.current_id))
        self.attach_button.clicked.connect(lambda: self.current_id and self.attachRequested.emit(self.current_id))
        self.filter_edit.textChanged.connect(self._apply_filters)
        for combo in (self.tag_filter, self.color_filter, self.status_filter):
            combo.currentIndexChanged.connect(self._apply_filters)
        self.scope.currentIndexChanged.connect(lambda _i: self.scopeChanged.emit())
        self.tabs.currentChanged.connect(self._on_tab)
        self._show_note(None)

    def _list_view(self, proxy: NotesFilter, name: str) -> QListView:
        view = QListView(self)
        view.setModel(proxy)
        view.setAccessibleName(name)
        view.setWordWrap(True)
        view.setUniformItemSizes(False)
        view.setAlternatingRowColors(True)
        view.setSpacing(1)
        view.selectionModel().currentChanged.connect(
            lambda cur, _prev: self._on_current(cur.data(NoteIdRole) if cur.isValid() else None))
        view.activated.connect(lambda idx: self.jumpRequested.emit(idx.data(NoteIdRole)))
        view.doubleClicked.connect(lambda idx: self.jumpRequested.emit(idx.data(NoteIdRole)))
        return view

    # -- content --------------------------------------------------------------------------
    @property
    def whole_corpus(self) -> bool:
        return self.scope.currentIndex() == 1

    def set_notes(self, notes: list[Note], titles: dict[str, str]) -> None:
        """Show ``notes``; the note being edited stays selected and its editor untouched."""
        keep = self.current_id
        self.model.set_notes(notes, titles)
        tags = sorted({t for n in notes for t in n.tags}, key=str.lower)
        chosen = self.tag_filter.currentData() or ""
        self.tag_filter.blockSignals(True)
        self.tag_filter.clear()
        self.tag_filter.addItem("Any tag", "")
        for tag in tags:
            self.tag_filter.addItem(f"#{tag}", tag)
        self.tag_filter.setCurrentIndex(max(0, self.tag_filter.findData(chosen)))
        self.tag_filter.blockSignals(False)
        self._apply_filters()
        if keep is not None and self.model.row_of(keep) >= 0:
            self.select(keep)
            self._show_note(self.note(keep), keep_body=True)
        else:
            self._show_note(None)

    def note(self, note_id: str | None) -> Note | None:
        row = self.model.row_of(note_id) if note_id else -1
        return self.model.notes[row] if row >= 0 else None

    def update_note(self, note: Note) -> None:
        if self.model.replace(note) and note.id == self.current_id:
            self._show_note(note, keep_body=True)
        self._update_count()

    def select(self, note_id: str) -> None:
        """Select a note in the list that shows it (the Orphans tab when only it does)."""
        row = self.model.row_of(note_id)
        if row < 0:
            return
        src = self.model.index(row, 0)
        in_notes = self.proxy.mapFromSource(src)
        in_orphans = self.orphan_proxy.mapFromSource(src)
        if in_orphans.isValid() and (self.tabs.currentIndex() == 1 or not in_notes.isValid()):
            view, idx = self.orphan_list, in_orphans
            self.tabs.setCurrentIndex(1)
        elif in_notes.isValid():
            view, idx = self.list, in_notes
            self.tabs.setCurrentIndex(0)
        else:
            return
        view.setCurrentIndex(idx)
        view.scrollTo(idx)
        self._on_current(note_id)

    def _apply_filters(self) -> None:
        args = (self.filter_edit.text(), self.tag_filter.currentData() or "",
                self.color_filter.currentData() or "", self.status_filter.currentData() or "")
        self.proxy.set_filters(*args)
        self.orphan_proxy.set_filters(*args)
        self._update_count()

    def _update_count(self) -> None:
        orphans = sum(n.status == ORPHAN for n in self.model.notes)
        self.tabs.setTabText(1, f"Orphans ({orphans})" if orphans else "Orphans")
        shown, total = self.proxy.rowCount(), len(self.model.notes)
        scope = "in the corpus" if self.whole_corpus else "in this document"
        self.count_label.setText(f"{total} notes {scope}" if shown == total else f"{shown} of {total} notes {scope}")

    def _on_tab(self, _index: int) -> None:
        view = self.tabs.currentWidget()
        if isinstance(view, QListView):
            cur = view.currentIndex()
            if cur.isValid():
                self._on_current(cur.data(NoteIdRole))

    # -- editor -----------------------------------------------------------------------------
    def _on_current(self, note_id: str | None) -> None:
        if note_id == self.current_id:
            return
        self.flush()
        self.current_id = note_id
        self._show_note(self.note(note_id))

    def _show_note(self, note: Note | None, keep_body: bool = False) -> None:
        self._loading = True
        try:
            self.editor.setEnabled(note is not None)
            if note is None:
                self.current_id = None
                self.where.setText("Select a note, or select a passage and press Ctrl+Shift+N.")
                self.quote.clear()
                self.body.setPlainText("")
                self.preview.clear()
                self.tags_edit.clear()
                self.saved_label.clear()
                return
            title = self.model.titles.get(note.doc, note.doc)
            status = {"orphan": "⚠ orphan: the passage is no longer in the text; select a new one and "
                                "click Attach to selection",
                      "fuzzy": "⚠ fuzzy: the passage changed; check it still fits",
                      "needs-review": "⚠ needs review: the passage could only be guessed; see the Review tab",
                      "moved": "moved with the text", "anchored": "anchored"}.get(note.status, note.status)
            where = "whole document" if note.whole_document else status
            if note.damaged:
                where += ("; ⚠ damaged: some of its bytes could not be read and show as \ufffd "
                          "(saving stores the repaired text)")
            self.where.setText(f"<b>{_esc(title)}</b><br><small>{_esc(where)}</small>")
            self.quote.setText(f"<i>“{_esc(' '.join(note.exact.split()))}”</i>" if note.exact else "")
            if not keep_body or (self.body.toPlainText() != note.body and not self._pending_for(note.id)):
                self.body.setPlainText(note.body)
            self.preview.setMarkdown(self.body.toPlainText())
            if not self.tags_edit.hasFocus() or not keep_body:
                self.tags_edit.setText(", ".join(note.tags))
            self.color_edit.setCurrentIndex(max(0, self.color_edit.findData(note.color)))
            self.jump_button.setEnabled(not note.is_orphan)
        finally:
            self._loading = False

    def _pending_for(self, note_id: str) -> bool:
        return self._dirty_body is not None and self._dirty_body[0] == note_id

    def _on_body_changed(self) -> None:
        if self._loading or self.current_id is None:
            return
        self._dirty_body = (self.current_id, self.body.toPlainText())
        self.saved_label.setText("Saving…")
        self.preview.setMarkdown(self._dirty_body[1])
        self.save_timer.start()

    def flush(self) -> None:
        """Save typed text now (called on pause, focus loss, note change and window close)."""
        self.save_timer.stop()
        pending, self._dirty_body = self._dirty_body, None
        if pending is None:
            return
        note_id, text = pending
        note = self.note(note_id)
        if note is not None and note.body != text:
            self.editRequested.emit(note_id, {"body": text})
        self.saved_label.setText("Saved")

    def eventFilter(self, watched: Any, event: Any) -> bool:
        from PySide6.QtCore import QEvent

        if watched is self.body and event.type() == QEvent.Type.FocusOut:
            self.flush()
        # window-wide Return shortcuts (the library's) must not swallow Enter in the tags field
        if watched is self.tags_edit and event.type() == QEvent.Type.ShortcutOverride \
                and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            event.accept()
            return True
        return super().eventFilter(watched, event)

    def _on_tags_edited(self) -> None:
        note = self.note(self.current_id)
        if note is None or self._loading:
            return
        tags = clean_tags(self.tags_edit.text())
        if tags != note.tags:
            self.editRequested.emit(note.id, {"tags": tags})

    def _on_color_chosen(self, _index: int) -> None:
        note = self.note(self.current_id)
        color = self.color_edit.currentData()
        if note is not None and color and color != note.color:
            self.editRequested.emit(note.id, {"color": color})

    def edit_current(self) -> None:
        """Put the cursor in the editor of the current note."""
        self.body.setFocus()
        cursor = self.body.textCursor()
        cursor.movePosition(cursor.MoveOperation.End)
        self.body.setTextCursor(cursor)


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
