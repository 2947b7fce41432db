"""The Research dock: coverage timeline, batch search and saved searches, one tab each.

Views only: every button emits an intent signal the feature turns into core calls, so the
same rules serve ``parallax timeline`` / ``parallax searches`` and this dock.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListView,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from reader.gui.research.models import BatchModel, QueryRole, SavedSearchModel
from reader.gui.research.timeline_chart import TimelineChart

log = logging.getLogger(__name__)


def _button(text: str, tip: str) -> QPushButton:
    button = QPushButton(text)
    button.setToolTip(tip)
    return button


class ResearchPanel(QTabWidget):
    timelineRequested = Signal(str)
    exportTimelineRequested = Signal(str)       # "png" or "csv"
    batchRequested = Signal(list)
    batchCancelRequested = Signal()
    loadQueriesRequested = Signal()
    exportBatchRequested = Signal()
    searchRequested = Signal(str)               # run a query in the search dock
    saveSearchRequested = Signal()
    deleteSearchRequested = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setDocumentMode(True)
        self._build_timeline()
        self._build_batch()
        self._build_saved()

    # -- timeline ----------------------------------------------------------------------------
    def _build_timeline(self) -> None:
        page = QWidget()
        layout = QVBoxLayout(page)
        row = QHBoxLayout()
        self.timeline_query = QLineEdit()
        self.timeline_query.setPlaceholderText("Query or entity:ID — who covered it when")
        self.timeline_query.setClearButtonEnabled(True)
        self.timeline_query.returnPressed.connect(self._ask_timeline)
        show = _button("&Show", "Count matching documents per outlet and day")
        show.clicked.connect(self._ask_timeline)
        self.png_button = _button("PNG…", "Save the timeline as a picture")
        self.png_button.clicked.connect(lambda: self.exportTimelineRequested.emit("png"))
        self.csv_button = _button("CSV…", "Save the counts as a spreadsheet (one row per outlet)")
        self.csv_button.clicked.connect(lambda: self.exportTimelineRequested.emit("csv"))
        for w in (self.timeline_query, show, self.png_button, self.csv_button):
            row.addWidget(w)
        row.setStretch(0, 1)
        layout.addLayout(row)
        self.timeline_status = QLabel("")
        self.timeline_status.setWordWrap(True)
        layout.addWidget(self.timeline_status)
        self.chart = TimelineChart()
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.chart)
        layout.addWidget(scroll, 1)
        self.set_timeline_exportable(False)
        self.addTab(page, "&Timeline")

    def _ask_timeline(self) -> None:
        query = self.timeline_query.text().strip()
        if query:
            self.timelineRequested.emit(query)

    def set_timeline_exportable(self, enabled: bool) -> None:
        self.png_button.setEnabled(enabled)
        self.csv_button.setEnabled(enabled)

    # -- batch -------------------------------------------------------------------------------
    def _build_batch(self) -> None:
        page = QWidget()
        layout = QHBoxLayout(page)
        left = QVBoxLayout()
        self.queries = QPlainTextEdit()
        self.queries.setPlaceholderText("One query a line, e.g.\nTokayev\n\"color revolution\"\nentity:ablyazov")
        self.queries.setTabChangesFocus(True)
        left.addWidget(self.queries, 1)
        buttons = QHBoxLayout()
        load = _button("&Load…", "Read queries from a text file, one a line")
        load.clicked.connect(self.loadQueriesRequested)
        self.run_button = _button("&Run", "Run every query (Ctrl+Return)")
        self.run_button.clicked.connect(self._ask_batch)
        self.cancel_button = _button("Cancel", "Stop the batch")
        self.cancel_button.clicked.connect(self.batchCancelRequested)
        self.cancel_button.setEnabled(False)
        for w in (load, self.run_button, self.cancel_button):
            buttons.addWidget(w)
        left.addLayout(buttons)
        self.batch_progress = QProgressBar()
        self.batch_progress.setVisible(False)
        left.addWidget(self.batch_progress)
        layout.addLayout(left, 2)
        right = QVBoxLayout()
        self.batch_model = BatchModel(self)
        self.batch_table = QTableView()
        self.batch_table.setModel(self.batch_model)
        self.batch_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.batch_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.batch_table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.batch_table.horizontalHeader().setStretchLastSection(True)
        self.batch_table.verticalHeader().setVisible(False)
        self.batch_table.doubleClicked.connect(self._open_batch_row)
        self.batch_table.activated.connect(self._open_batch_row)
        right.addWidget(self.batch_table, 1)
        bottom = QHBoxLayout()
        self.batch_status = QLabel("")
        bottom.addWidget(self.batch_status, 1)
        self.batch_csv = _button("CSV…", "Save one row per query and outlet")
        self.batch_csv.clicked.connect(self.exportBatchRequested)
        self.batch_csv.setEnabled(False)
        bottom.addWidget(self.batch_csv)
        right.addLayout(bottom)
        layout.addLayout(right, 3)
        self.addTab(page, "&Batch")

    def _ask_batch(self) -> None:
        from reader.core.research.batch import read_queries

        queries = read_queries(self.queries.toPlainText())
        if queries:
            self.batchRequested.emit(queries)
        else:
            self.batch_status.setText("Type at least one query, one a line.")

    def _open_batch_row(self, index: QModelIndex) -> None:
        query = index.data(QueryRole)
        if query:
            self.searchRequested.emit(query)

    def set_batch_running(self, running: bool) -> None:
        self.run_button.setEnabled(not running)
        self.cancel_button.setEnabled(running)
        self.batch_progress.setVisible(running)
        if running:
            self.batch_progress.setRange(0, 0)

    # -- saved searches -----------------------------------------------------------------------
    def _build_saved(self) -> None:
        page = QWidget()
        layout = QVBoxLayout(page)
        self.saved_model = SavedSearchModel(self)
        self.saved_list = QListView()
        self.saved_list.setModel(self.saved_model)
        self.saved_list.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.saved_list.doubleClicked.connect(self._run_saved)
        self.saved_list.activated.connect(self._run_saved)
        layout.addWidget(self.saved_list, 1)
        row = QHBoxLayout()
        save = _button("Save &Current Search…", "Keep the query in the search dock under a name")
        save.clicked.connect(self.saveSearchRequested)
        run = _button("R&un", "Run the selected saved search (Enter)")
        run.clicked.connect(lambda: self._run_saved(self.saved_list.currentIndex()))
        delete = _button("&Delete", "Forget the selected saved search")
        delete.clicked.connect(self._delete_saved)
        for w in (save, run, delete):
            row.addWidget(w)
        row.addStretch(1)
        layout.addLayout(row)
        self.addTab(page, "&Saved Searches")

    def _run_saved(self, index: QModelIndex) -> None:
        query = index.data(QueryRole) if index.isValid() else None
        if query:
            self.searchRequested.emit(query)

    def _delete_saved(self) -> None:
        index = self.saved_list.currentIndex()
        if index.isValid():
            self.deleteSearchRequested.emit(self.saved_model.items[index.row()].name)

    def focus_current(self) -> None:
        page = self.currentIndex()
        target = {0: self.timeline_query, 1: self.queries, 2: self.saved_list}.get(page)
        if target is not None:
            target.setFocus(Qt.FocusReason.ShortcutFocusReason)
