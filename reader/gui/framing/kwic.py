"""The concordance dock: keyword-in-context lines across the corpus, a dispersion strip, CSV export.

Type a word, phrase or ``a|b`` alternatives; lines show left context right-aligned against the
keyword column; sort by outlet, date, left or right context (click a header or pick an order);
the strip below shows where in each document the hits fall. Clicking a line (or a tick)
opens the document at that place. The core (:mod:`reader.core.framing.kwic`) does the work.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFont, QFontMetrics, QMouseEvent, QPainter, QPaintEvent, QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMenu,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from reader.core.atomic import atomic_write_text
from reader.core.errors import ReaderError
from reader.core.framing.kwic import KwicIndex, KwicLine, entity_query, kwic_csv_rows, sort_lines
from reader.gui.workers import Job

DocRole = Qt.ItemDataRole.UserRole + 1
StartRole = Qt.ItemDataRole.UserRole + 2
EndRole = Qt.ItemDataRole.UserRole + 3
PositionRole = Qt.ItemDataRole.UserRole + 4
OutletRole = Qt.ItemDataRole.UserRole + 5
SHORTCUT = "Ctrl+Shift+K"
COLUMNS = ("Outlet", "Date", "Left context", "Keyword", "Right context")
SORT_BY_COLUMN = {0: "outlet", 1: "date", 2: "left", 3: "doc", 4: "right"}

_Index = QModelIndex | QPersistentModelIndex


class KwicModel(QAbstractTableModel):
    """KWIC lines as rows; named roles carry the document id and canonical offsets."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.lines: list[KwicLine] = []

    def set_lines(self, lines: list[KwicLine]) -> None:
        self.beginResetModel()
        self.lines = list(lines)
        self.endResetModel()

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.lines)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section]
        return None

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self.lines):
            return None
        line, col = self.lines[index.row()], index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return (line.outlet, line.date or "n.d.", line.left, line.match, line.right)[col]
        if role == Qt.ItemDataRole.TextAlignmentRole:
            if col == 2:
                return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            if col == 3:
                return int(Qt.AlignmentFlag.AlignCenter)
            return int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.FontRole and col == 3:
            font = QFont()
            font.setBold(True)
            return font
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"{line.doc} · characters {line.start}–{line.end}\n…{line.left}[{line.match}]{line.right}…"
        return {DocRole: line.doc, StartRole: line.start, EndRole: line.end, PositionRole: line.position,
                OutletRole: line.outlet}.get(role)

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        key = SORT_BY_COLUMN.get(column, "doc")
        self.layoutAboutToBeChanged.emit()
        self.lines = sort_lines(self.lines, key, reverse=order == Qt.SortOrder.DescendingOrder)
        self.layoutChanged.emit()


class DispersionStrip(QWidget):
    """One row per document: where its hits fall from start (left) to end (right); click to open."""

    hitClicked = Signal(str, int, int)

    ROW = 20

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.rows: list[tuple[str, str, list[KwicLine]]] = []
        self.tick_colour = QColor("#0072B2")
        self.text_colour = QColor("#1f2328")
        self.track_colour = QColor("#d6d3ca")
        self.setMouseTracking(True)
        self.setAccessibleName("Dispersion of hits in each document")

    def set_lines(self, lines: list[KwicLine]) -> None:
        grouped: dict[str, list[KwicLine]] = {}
        for line in lines:
            grouped.setdefault(line.doc, []).append(line)
        self.rows = sorted(((doc, hits[0].outlet, hits) for doc, hits in grouped.items()),
                           key=lambda r: (r[1].lower(), r[0]))
        self.setMinimumHeight(max(1, len(self.rows)) * self.ROW + 6)
        self.updateGeometry()
        self.update()

    def sizeHint(self) -> QSize:
        return QSize(400, max(1, len(self.rows)) * self.ROW + 6)

    def _label_width(self) -> int:
        return min(260, max(120, self.width() // 3))

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        pal = self.palette()
        self.text_colour = pal.color(QPalette.ColorRole.WindowText)
        self.track_colour = pal.color(QPalette.ColorRole.Mid)
        self.tick_colour = QColor("#56B4E9") if pal.color(QPalette.ColorRole.Window).lightness() < 128 \
            else QColor("#0072B2")
        fm = QFontMetrics(self.font())
        label_w = self._label_width()
        track_w = max(10, self.width() - label_w - 12)
        for i, (doc, outlet, hits) in enumerate(self.rows):
            y = 3 + i * self.ROW
            painter.setPen(self.text_colour)
            label = fm.elidedText(f"{outlet} · {doc} ({len(hits)})", Qt.TextElideMode.ElideMiddle, label_w - 8)
            painter.drawText(QRectF(4, y, label_w - 8, self.ROW), Qt.AlignmentFlag.AlignVCenter, label)
            painter.fillRect(QRectF(label_w, y + self.ROW / 2 - 1, track_w, 2), self.track_colour)
            for hit in hits:
                x = label_w + hit.position * track_w
                painter.fillRect(QRectF(x - 1, y + 3, 3, self.ROW - 6), self.tick_colour)
        painter.end()

    def hit_at(self, x: float, y: float) -> KwicLine | None:
        row = int((y - 3) // self.ROW)
        if not 0 <= row < len(self.rows):
            return None
        label_w = self._label_width()
        track_w = max(10, self.width() - label_w - 12)
        if x < label_w - 4:
            return self.rows[row][2][0]
        pos = (x - label_w) / track_w
        return min(self.rows[row][2], key=lambda h: abs(h.position - pos))

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        hit = self.hit_at(event.position().x(), event.position().y())
        if hit is not None and event.button() == Qt.MouseButton.LeftButton:
            self.hitClicked.emit(hit.doc, hit.start, hit.end)
        super().mouseReleaseEvent(event)


class KwicPanel(QWidget):
    """Query box, options, the lines table and the dispersion strip; emits ``openRequested``."""

    openRequested = Signal(str, int, int)
    queryRequested = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.query = QLineEdit(self)
        self.query.setPlaceholderText("Word, phrase or a|b…  e.g. colour revolution")
        self.query.setAccessibleName("Concordance query")
        self.query.setClearButtonEnabled(True)
        self.width_spin = QSpinBox(self)
        self.width_spin.setRange(10, 200)
        self.width_spin.setValue(50)
        self.width_spin.setSuffix(" chars")
        self.width_spin.setToolTip("Context on each side")
        self.order = QComboBox(self)
        for label, key in (("Corpus order", "doc"), ("Group by outlet", "outlet"), ("By date", "date"),
                           ("By left context", "left"), ("By right context", "right")):
            self.order.addItem(label, key)
        self.order.setAccessibleName("Order of the lines")
        self.exact = QCheckBox("Exact", self)
        self.exact.setToolTip("No colour/color spelling variants or -s/-ed/-ing endings")
        self.export_button = QPushButton("Export CSV…", self)
        self.count = QLabel(self)
        self.model = KwicModel(self)
        self.table = QTableView(self)
        self.table.setModel(self.model)
        self.table.setSortingEnabled(False)
        self.table.horizontalHeader().setSectionsClickable(True)
        self.table.horizontalHeader().sectionClicked.connect(self._on_header)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.setWordWrap(False)
        self.table.setAlternatingRowColors(True)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(4, QHeaderView.ResizeMode.Stretch)
        self.table.setAccessibleName("Concordance lines")
        self.table.setMinimumHeight(110)
        self.strip = DispersionStrip(self)
        scroll = QScrollArea(self)
        scroll.setWidget(self.strip)
        scroll.setWidgetResizable(True)
        scroll.setMinimumHeight(60)
        split = QSplitter(Qt.Orientation.Vertical, self)
        split.addWidget(self.table)
        split.addWidget(scroll)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 1)
        top = QHBoxLayout()
        top.addWidget(self.query, 1)
        top.addWidget(self.exact)
        top.addWidget(self.width_spin)
        top.addWidget(self.order)
        bottom = QHBoxLayout()
        bottom.addWidget(self.count, 1)
        bottom.addWidget(self.export_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addLayout(top)
        layout.addWidget(split, 1)
        layout.addLayout(bottom)
        self.query.returnPressed.connect(lambda: self.queryRequested.emit(self.query.text()))
        self.width_spin.valueChanged.connect(lambda _v: self.queryRequested.emit(self.query.text())
                                             if self.query.text().strip() else None)
        self.exact.toggled.connect(lambda _on: self.queryRequested.emit(self.query.text())
                                   if self.query.text().strip() else None)
        self.order.currentIndexChanged.connect(lambda _i: self.apply_order())
        self.table.clicked.connect(self._on_clicked)
        self.table.activated.connect(self._on_clicked)
        self.strip.hitClicked.connect(self.openRequested)
        self.export_button.clicked.connect(self._export)

    def set_lines(self, lines: list[KwicLine]) -> None:
        self.model.set_lines(sort_lines(lines, self.order.currentData()))
        self.strip.set_lines(lines)
        outlets = len({ln.outlet for ln in lines})
        docs = len({ln.doc for ln in lines})
        self.count.setText(f"{len(lines)} line(s) in {docs} document(s) from {outlets} outlet(s)"
                           if lines else "No occurrences.")
        self.export_button.setEnabled(bool(lines))

    def apply_order(self) -> None:
        self.model.set_lines(sort_lines(self.model.lines, self.order.currentData()))

    def _on_header(self, section: int) -> None:
        key = SORT_BY_COLUMN.get(section, "doc")
        idx = self.order.findData(key)
        if idx >= 0:
            self.order.setCurrentIndex(idx)

    def _on_clicked(self, index: QModelIndex) -> None:
        if index.isValid():
            self.openRequested.emit(index.data(DocRole), index.data(StartRole), index.data(EndRole))

    def csv_text(self) -> str:
        buffer = io.StringIO()
        csv.writer(buffer).writerows(kwic_csv_rows(self.model.lines))
        return buffer.getvalue()

    def _export(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Export concordance as CSV", "concordance.csv", "CSV (*.csv)")
        if path:
            try:
                atomic_write_text(Path(path), self.csv_text())
                self.count.setText(f"Saved {len(self.model.lines)} line(s) to {path}")
            except OSError as exc:
                self.count.setText(f"Could not save: {exc}")


class KwicFeature(QObject):
    """Wires the concordance dock to the corpus (index built off the GUI thread) and the readers."""

    def __init__(self, window: Any) -> None:
        super().__init__(window)
        self.window = window
        self.index: KwicIndex | None = None
        self._job: Job | None = None
        self._pending: str | None = None
        self._connected: list[Any] = []
        self.panel = KwicPanel(window)
        self.dock = window.add_dock(self.panel, "Concordance", "kwic",
                                    Qt.DockWidgetArea.BottomDockWidgetArea, SHORTCUT)
        if not window.settings.get("window.state"):
            self.dock.hide()
        self.panel.queryRequested.connect(self.run_query)
        self.panel.openRequested.connect(self.open_at)
        window.corpusLoaded.connect(self._on_corpus)
        window.readerViewAdded.connect(self._connect_view)
        for view in window.reader_views():
            self._connect_view(view)

    def _on_corpus(self) -> None:
        self.index = None
        self.panel.set_lines([])
        self.panel.count.setText("")

    def _connect_view(self, view: Any) -> None:
        if any(v is view for v in self._connected):
            return
        self._connected.append(view)
        view.contextMenuRequested.connect(lambda menu, s, e, v=view: self._context_menu(v, menu, s, e))

    def _context_menu(self, view: Any, menu: QMenu, start: int, end: int) -> None:
        if view.doc is None:
            return
        for layer, span in view.spans_at(start):
            if layer.name.startswith("entities:") and span.key:
                act = menu.addAction("Concordance for this entity (every spelling)")
                act.triggered.connect(lambda _=False, key=span.key: self.show_entity(key))
                break
        if end <= start:
            return
        phrase = " ".join(view.doc.text[start:end].split())
        if 0 < len(phrase) <= 80:
            act = menu.addAction(f"Concordance for “{phrase}”")
            act.triggered.connect(lambda _=False, q=phrase: self.show_query(q))

    def show_entity(self, entity_id: str) -> None:
        try:
            query = entity_query(self.window.ctx, entity_id)
        except ReaderError as exc:
            self.window.statusBar().showMessage(str(exc), 8000)
            return
        self.panel.exact.setChecked(True)
        self.show_query(query)

    def show_query(self, query: str) -> None:
        self.dock.show()
        self.dock.raise_()
        self.panel.query.setText(query)
        self.run_query(query)

    def run_query(self, query: str) -> None:
        if not query.strip():
            self.panel.set_lines([])
            return
        if self.index is None:
            self._pending = query
            self._build_index()
            return
        try:
            lines = self.index.search(query, width=self.panel.width_spin.value(), limit=20000,
                                      exact=self.panel.exact.isChecked())
        except ReaderError as exc:
            self.panel.count.setText(str(exc))
            return
        self.panel.set_lines(lines)

    def _build_index(self) -> None:
        corpus = self.window.corpus
        if corpus is None:
            self.panel.count.setText("The corpus is still loading…")
            return
        if self._job is not None and not self._job.done:
            return
        self.panel.count.setText("Reading the corpus for the concordance…")
        cache = self.window.ctx.cache_dir
        job = Job(lambda progress, cancelled: KwicIndex.for_corpus(corpus, cache, progress, cancelled), self)
        job.progress.connect(lambda d, t: self.panel.count.setText(f"Reading {d} of {t} documents…"))
        job.finished.connect(self._index_ready)
        job.failed.connect(lambda message: self.panel.count.setText(message))
        self._job = job
        job.start()

    def _index_ready(self, index: KwicIndex) -> None:
        self.index = index
        if self._pending is not None:
            query, self._pending = self._pending, None
            self.run_query(query)

    def open_at(self, doc_id: str, start: int, end: int) -> None:
        """Open the document (in the active pane) and select the hit there."""
        window = self.window
        view = next((v for v in window.reader_views() if v.doc is not None and v.doc.id == doc_id), None)
        if view is None:
            if not window.open_document(doc_id):
                return
            view = next((v for v in window.reader_views() if v.doc is not None and v.doc.id == doc_id), None)
        if view is not None:
            view.select_range(start, end)


def install(window: Any) -> KwicFeature:
    return KwicFeature(window)
