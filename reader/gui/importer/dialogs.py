"""Dialogs of the import feature: progress with Cancel, review of what was imported,
metadata of one document, and a new corpus."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QTableView,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from reader.core.corpora import EDITABLE
from reader.core.document import DocumentMeta
from reader.core.importer import ImportReport

_Index = QModelIndex | QPersistentModelIndex

DocIdRole = Qt.ItemDataRole.UserRole + 1
SourcePathRole = Qt.ItemDataRole.UserRole + 2
ChangedRole = Qt.ItemDataRole.UserRole + 3

#: Columns of the review table: front-matter key and header.
REVIEW_COLUMNS: tuple[tuple[str, str], ...] = (
    ("title", "Title"), ("outlet", "Outlet"), ("author", "Author"), ("published", "Date"), ("event", "Event"))


META_LABELS = {"title": "Title", "outlet": "Outlet", "author": "Author", "published": "Date (YYYY-MM-DD)",
               "event": "Event", "date_note": "Date note", "language": "Language", "url": "URL",
               "subtitle": "Subtitle"}


class ImportProgressDialog(QDialog):
    """``Importing 3 of 10``, a bar, and Cancel (which stops between files)."""

    cancelRequested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Importing")
        self.setMinimumWidth(420)
        self.label = QLabel("Preparing…", self)
        self.bar = QProgressBar(self)
        self.bar.setRange(0, 0)
        self.cancel_button = QPushButton("Cancel", self)
        self.cancel_button.clicked.connect(self._cancel)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.cancel_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.label)
        layout.addWidget(self.bar)
        layout.addLayout(row)
        self.seen: list[tuple[int, int]] = []

    def set_progress(self, done: int, total: int) -> None:
        self.seen.append((done, total))
        self.bar.setRange(0, max(total, 1))
        self.bar.setValue(done)
        self.label.setText(f"Importing {done} of {total} file(s)…" if total else "Looking for files…")

    def _cancel(self) -> None:
        self.cancel_button.setEnabled(False)
        self.label.setText("Cancelling after the current file…")
        self.cancelRequested.emit()

    def reject(self) -> None:  # Esc or the close button mean Cancel, not "hide and keep going"
        self._cancel()


class ImportReviewModel(QAbstractTableModel):
    """Imported documents and their extracted metadata, editable in place."""

    def __init__(self, report: ImportReport, parent: Any = None) -> None:
        super().__init__(parent)
        self.rows: list[dict[str, Any]] = []
        for item in report.imported:
            values = {key: str(item.header.get(key) or "") for key, _ in REVIEW_COLUMNS}
            self.rows.append({"id": item.id, "path": item.path, "values": values, "original": dict(values)})

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(REVIEW_COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return REVIEW_COLUMNS[section][1]
        return None

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row = self.rows[index.row()]
        key = REVIEW_COLUMNS[index.column()][0]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole):
            return row["values"][key]
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"{row['id']}\nfrom {row['path']}"
        if role == DocIdRole:
            return row["id"]
        if role == SourcePathRole:
            return row["path"]
        if role == ChangedRole:
            return row["values"][key] != row["original"][key]
        if role == Qt.ItemDataRole.FontRole and row["values"][key] != row["original"][key]:
            from PySide6.QtGui import QFont

            font = QFont()
            font.setItalic(True)
            return font
        return None

    def flags(self, index: _Index) -> Qt.ItemFlag:
        return super().flags(index) | Qt.ItemFlag.ItemIsEditable

    def setData(self, index: _Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if not index.isValid() or role != Qt.ItemDataRole.EditRole:
            return False
        key = REVIEW_COLUMNS[index.column()][0]
        self.rows[index.row()]["values"][key] = " ".join(str(value).split())
        self.dataChanged.emit(index, index)
        return True

    def changes(self) -> dict[str, dict[str, str]]:
        """``{doc_id: {key: new value}}`` for every edited cell."""
        out: dict[str, dict[str, str]] = {}
        for row in self.rows:
            diff = {k: v for k, v in row["values"].items() if v != row["original"][k]}
            if diff:
                out[row["id"]] = diff
        return out

    def fill_empty(self, key: str, value: str) -> int:
        """Give every row whose ``key`` is empty this value (the once-per-batch answer); rows changed."""
        value = " ".join(value.split())
        column = next(i for i, (k, _) in enumerate(REVIEW_COLUMNS) if k == key)
        changed = 0
        for n, row in enumerate(self.rows):
            if value and not row["values"][key]:
                row["values"][key] = value
                changed += 1
                index = self.index(n, column)
                self.dataChanged.emit(index, index)
        return changed

    def empty(self, key: str) -> int:
        return sum(1 for row in self.rows if not row["values"][key])

    def mark_saved(self) -> None:
        for row in self.rows:
            row["original"] = dict(row["values"])
        if self.rows:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self.rows) - 1, len(REVIEW_COLUMNS) - 1))


class ImportReviewDialog(QDialog):
    """What an import did: imported documents (metadata editable), duplicates, skipped files."""

    saveRequested = Signal(dict)
    openRequested = Signal(str)

    def __init__(self, report: ImportReport, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Import results")
        self.resize(980, 560)
        self.report = report
        n_imp, n_dup, n_skip = len(report.imported), len(report.duplicates), len(report.skipped)
        summary = f"{n_imp} imported, {n_dup} already in the corpus, {n_skip} skipped"
        if report.cancelled:
            summary += " — cancelled before the end"
        self.summary = QLabel(f"<b>{summary}</b><br>Into {report.corpus}. Check the metadata below; "
                              "double-click a cell to correct it, then Save.", self)
        self.summary.setWordWrap(True)
        self.model = ImportReviewModel(report, self)
        self.table = QTableView(self)
        self.table.setModel(self.model)
        self.table.setAlternatingRowColors(True)
        self.table.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for col, width in ((1, 150), (2, 150), (3, 100), (4, 170)):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.Interactive)
            self.table.setColumnWidth(col, width)
        self.batch = self._batch_row(report)
        self.others = QTreeWidget(self)
        self.others.setHeaderLabels(["File", "What happened"])
        self.others.setRootIsDecorated(False)
        self.others.setWordWrap(True)
        for dup in report.duplicates:
            QTreeWidgetItem(self.others, [dup.path, f"already in the corpus as {dup.id}"])
        for skip in report.skipped:
            QTreeWidgetItem(self.others, [skip.path, f"skipped: {skip.reason}"])
        self.others.header().setSectionResizeMode(0, QHeaderView.ResizeMode.Interactive)
        self.others.setColumnWidth(0, 420)
        self.others.setVisible(bool(report.duplicates or report.skipped))
        self.others.setMaximumHeight(180)
        self.status = QLabel(self)
        self.status.setWordWrap(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        self.save_button = buttons.addButton("Save Metadata", QDialogButtonBox.ButtonRole.ApplyRole)
        self.save_button.setEnabled(False)
        self.open_button = buttons.addButton("Open Selected", QDialogButtonBox.ButtonRole.ActionRole)
        self.open_button.setEnabled(bool(report.imported))
        self.save_button.clicked.connect(lambda: self.saveRequested.emit(self.model.changes()))
        self.open_button.clicked.connect(self._open_selected)
        buttons.rejected.connect(self.reject)
        self.model.dataChanged.connect(lambda *_: self.save_button.setEnabled(bool(self.model.changes())))
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        if self.batch is not None:
            layout.addWidget(self.batch)
        layout.addWidget(self.table, 3)
        if report.duplicates or report.skipped:
            layout.addWidget(QLabel("Not imported:", self))
        layout.addWidget(self.others, 1)
        layout.addWidget(self.status)
        layout.addWidget(buttons)

    def _batch_row(self, report: ImportReport) -> QWidget | None:
        """Asked once for the batch: an outlet for the rows without one; the corpus's event, offered."""
        no_outlet, no_event = self.model.empty("outlet"), self.model.empty("event")
        offer_event = bool(report.suggested_event and no_event)
        if not no_outlet and not offer_event:
            return None
        box = QWidget(self)
        row = QHBoxLayout(box)
        row.setContentsMargins(0, 0, 0, 0)
        self.batch_outlet = QLineEdit(box)
        self.batch_outlet.setObjectName("batch-outlet")
        self.batch_outlet.setPlaceholderText(f"outlet for the {no_outlet} document(s) without one")
        self.batch_outlet_button = QPushButton("Set Outlet", box)
        self.batch_outlet_button.clicked.connect(
            lambda: self.model.fill_empty("outlet", self.batch_outlet.text()))
        self.batch_outlet.returnPressed.connect(self.batch_outlet_button.click)
        self.batch_outlet.setVisible(bool(no_outlet))
        self.batch_outlet_button.setVisible(bool(no_outlet))
        row.addWidget(self.batch_outlet, 1)
        row.addWidget(self.batch_outlet_button)
        self.batch_event_button = QPushButton(f"Use the corpus event “{report.suggested_event}”", box)
        self.batch_event_button.setToolTip("for the imported documents that name no event")
        self.batch_event_button.clicked.connect(
            lambda: self.model.fill_empty("event", report.suggested_event or ""))
        self.batch_event_button.setVisible(offer_event)
        row.addWidget(self.batch_event_button)
        return box

    def _open_selected(self) -> None:
        rows = self.table.selectionModel().selectedRows() or [self.model.index(0, 0)]
        if rows and rows[0].isValid():
            self.openRequested.emit(rows[0].data(DocIdRole))

    def saved(self, message: str, ok: bool) -> None:
        self.status.setText(message)
        if ok:
            self.model.mark_saved()
            self.save_button.setEnabled(False)


class MetadataDialog(QDialog):
    """Edit one document's metadata; :meth:`changes` gives what the user changed."""

    def __init__(self, meta: DocumentMeta, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Edit metadata — {meta.id}")
        self.setMinimumWidth(560)
        self.meta = meta
        current = {"title": meta.title, "outlet": meta.outlet, "author": meta.author,
                   "published": meta.published or "", "event": meta.event or "", "date_note": meta.date_note or "",
                   "language": meta.language or "", "url": meta.url or "",
                   "subtitle": str(meta.extra.get("subtitle") or "")}
        self.original = current
        self.edits: dict[str, QLineEdit] = {}
        form = QFormLayout()
        for key in EDITABLE:
            edit = QLineEdit(current[key], self)
            edit.setObjectName(f"meta-{key}")
            self.edits[key] = edit
            form.addRow(META_LABELS[key], edit)
        self.edits["published"].setPlaceholderText("e.g. 2022-01-08")
        self.error = QLabel(self)
        self.error.setWordWrap(True)
        self.error.setStyleSheet("color: #b3261e;")
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel,
                                        self)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(f"<small>{meta.path}</small>", self))
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)

    def changes(self) -> dict[str, str]:
        return {k: " ".join(e.text().split()) for k, e in self.edits.items()
                if " ".join(e.text().split()) != self.original[k]}


class NewCorpusDialog(QDialog):
    """Name a new corpus; it goes in the data folder unless the user picks another folder."""

    def __init__(self, default_parent: Path, parent: QWidget | None = None, *, intro: str = "") -> None:
        super().__init__(parent)
        self.setWindowTitle("New corpus")
        self.setMinimumWidth(520)
        self.default_parent = default_parent
        self.name = QLineEdit(self)
        self.name.setPlaceholderText("e.g. kazakhstan-2022")
        self.title = QLineEdit(self)
        self.title.setPlaceholderText("shown in the window (optional)")
        self.event = QLineEdit(self)
        self.event.setPlaceholderText("the event these documents report (optional)")
        self.elsewhere = QCheckBox("Keep it in another folder:", self)
        self.folder = QLineEdit(self)
        self.folder.setEnabled(False)
        browse = QPushButton("Choose…", self)
        browse.setEnabled(False)
        self.elsewhere.toggled.connect(self.folder.setEnabled)
        self.elsewhere.toggled.connect(browse.setEnabled)
        browse.clicked.connect(self._browse)
        row = QHBoxLayout()
        row.addWidget(self.folder, 1)
        row.addWidget(browse)
        form = QFormLayout()
        form.addRow("Name", self.name)
        form.addRow("Title", self.title)
        form.addRow("Event", self.event)
        form.addRow(self.elsewhere, row)
        self.where = QLabel(self)
        self.where.setWordWrap(True)
        self.name.textChanged.connect(self._update)
        self.folder.textChanged.connect(self._update)
        self.elsewhere.toggled.connect(self._update)
        self.error = QLabel(self)
        self.error.setWordWrap(True)
        self.error.setStyleSheet("color: #b3261e;")
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel,
                                        self)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Create")
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        if intro:
            label = QLabel(intro, self)
            label.setWordWrap(True)
            layout.addWidget(label)
        layout.addLayout(form)
        layout.addWidget(self.where)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        self._update()

    def _browse(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Folder for the new corpus", str(Path.home()))
        if folder:
            self.folder.setText(folder)

    def target(self) -> Path | None:
        if self.elsewhere.isChecked():
            return Path(self.folder.text()).expanduser() if self.folder.text().strip() else None
        return None

    def _update(self) -> None:
        target = self.target() or (self.default_parent / self.name.text().strip())
        self.where.setText(f"<small>Folder: {target}</small>")
        ok = bool(self.name.text().strip()) and (not self.elsewhere.isChecked() or bool(self.folder.text().strip()))
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(ok)
