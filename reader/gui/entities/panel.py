"""The Entities dock: the list with counts, the coverage matrix, and discovery candidates.

Views only emit intent signals (``entitySelected``, ``cellOpened``, ``acceptRequested``...);
the feature module (:mod:`reader.gui.entities.feature`) talks to the core.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

from PySide6.QtCore import (
    QModelIndex,
    QPersistentModelIndex,
    QPoint,
    QRect,
    QSize,
    QSortFilterProxyModel,
    Qt,
    Signal,
)
from PySide6.QtGui import QColor, QFont, QFontMetrics, QImage, QMouseEvent, QPainter, QPaintEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QTableView,
    QTabWidget,
    QToolTip,
    QVBoxLayout,
    QWidget,
)

from reader.core.atomic import atomic_write_text
from reader.gui.entities.style import ENTITY_TYPES, STYLES, type_color
from reader.gui.exports import write_png
from reader.gui.models import HeaderedTableModel
from reader.gui.window.theme import Theme

EntityIdRole = Qt.ItemDataRole.UserRole + 1
EntityTypeRole = Qt.ItemDataRole.UserRole + 2
TotalRole = Qt.ItemDataRole.UserRole + 3
SearchTextRole = Qt.ItemDataRole.UserRole + 4
#: the candidate object of a row of the candidate list
CandidateRole = int(Qt.ItemDataRole.UserRole)


@dataclass
class Row:
    id: str
    name: str
    type: str
    aliases: tuple[str, ...]
    description: str
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.counts.values())


class EntityModel(HeaderedTableModel):
    """Entities with their mention counts: Name, Type, Mentions, Documents."""

    HEADERS = ("Name", "Type", "Mentions", "Docs")
    ROLES: ClassVar[dict[int, bytes]] = {EntityIdRole: b"entityId", EntityTypeRole: b"entityType",
                                         TotalRole: b"total", SearchTextRole: b"searchText"}

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.rows: list[Row] = []
        self.n_docs = 0

    def set_rows(self, rows: list[Row], n_docs: int) -> None:
        """New rows; the same entities in the same order (a recount) change cells, not the model.

        A reset makes the sorted proxy map, filter and sort every row again through Python
        ``data()`` (0.55 s at 3,000 documents) and loses the selection and scroll position; a
        recount only changes the Mentions and Docs columns, so only those are announced.
        """
        same = len(rows) == len(self.rows) and all(a.id == b.id for a, b in zip(rows, self.rows, strict=True))
        if not same or not rows:
            self.beginResetModel()
            self.rows = rows
            self.n_docs = n_docs
            self.endResetModel()
            return
        labels_changed = any((a.name, a.type, a.aliases, a.description) != (b.name, b.type, b.aliases, b.description)
                             for a, b in zip(rows, self.rows, strict=True))
        counts_changed = n_docs != self.n_docs or any(a.counts != b.counts for a, b in zip(rows, self.rows,
                                                                                          strict=True))
        self.rows = rows
        self.n_docs = n_docs
        if labels_changed or counts_changed:
            first = 0 if labels_changed else 2
            self.dataChanged.emit(self.index(0, first), self.index(len(rows) - 1, len(self.HEADERS) - 1))

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row = self.rows[index.row()]
        col = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return (row.name, row.type, row.total, f"{len(row.counts)}/{self.n_docs}")[col]
        if role == Qt.ItemDataRole.EditRole:  # sort keys
            return (row.name.casefold(), row.type, row.total, len(row.counts))[col]
        if role == Qt.ItemDataRole.ToolTipRole:
            aliases = ", ".join(row.aliases) if row.aliases else "none"
            return f"{row.name} ({row.type})\n{row.description}\nAlso written: {aliases}".replace("\n\n", "\n")
        if role == Qt.ItemDataRole.TextAlignmentRole and col >= 2:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == EntityIdRole:
            return row.id
        if role == EntityTypeRole:
            return row.type
        if role == TotalRole:
            return row.total
        if role == SearchTextRole:
            return " ".join((row.name, row.id, *row.aliases)).casefold()
        return None

    def row_of(self, entity_id: str) -> int:
        return next((i for i, r in enumerate(self.rows) if r.id == entity_id), -1)


class EntityFilter(QSortFilterProxyModel):
    """Filter by type and by text (name, id or any alias)."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.etype = ""
        self.text = ""
        self.setSortRole(Qt.ItemDataRole.EditRole)

    def set_filter(self, etype: str, text: str) -> None:
        if (etype, text.casefold().strip()) == (self.etype, self.text):
            return  # unchanged: re-filtering would ask every row's data() again for nothing
        modern = hasattr(self, "beginFilterChange")  # Qt 6.9 deprecates invalidateFilter()
        if modern:
            self.beginFilterChange()
        self.etype, self.text = etype, text.casefold().strip()
        if modern:
            self.endFilterChange()
        else:
            self.invalidateFilter()

    def filterAcceptsRow(self, source_row: int, source_parent: QModelIndex | QPersistentModelIndex) -> bool:
        index = self.sourceModel().index(source_row, 0, source_parent)
        if self.etype and index.data(EntityTypeRole) != self.etype:
            return False
        return not self.text or self.text in index.data(SearchTextRole)


class CoverageMatrix(QWidget):
    """Entities x documents, each cell shaded by the number of mentions; click opens the document."""

    cellClicked = Signal(str, str)  # entity id, doc id

    CELL_W = 62
    MAX_CELL_W = 96
    CELL_H = 20

    def __init__(self, theme: Theme, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.theme = theme
        self.rows: list[Row] = []
        self.docs: list[tuple[str, str]] = []  # (doc id, column label)
        self.setMouseTracking(True)
        self.setAccessibleName("Coverage matrix: entities by documents")
        self._label_w = 180
        self._head_h = 64
        self.cell_w = self.CELL_W

    def set_data(self, rows: list[Row], docs: list[tuple[str, str]]) -> None:
        self.rows, self.docs = rows, docs
        metrics = QFontMetrics(self.font())
        widest = max((metrics.horizontalAdvance(n) for n in {r.name for r in rows}), default=80)
        bold_font = QFont(self.font())
        bold_font.setBold(True)
        # distinct words only: the labels are mostly outlet names, 20,000 documents measured each
        bold_metrics = QFontMetrics(bold_font)
        longest_word = max((bold_metrics.horizontalAdvance(w) for w in {w for _d, label in docs
                                                                          for w in label.split()}), default=40)
        # a column never grows past MAX_CELL_W for one long label (a document id used as its label):
        # the header wraps and clips it, so a corpus of 30 imported articles still fits the dock
        self.cell_w = max(self.CELL_W, min(self.MAX_CELL_W, longest_word + 10))
        self._label_w = min(240, max(120, widest + 16))
        bold = QFont(self.font())
        bold.setBold(True)
        bm = QFontMetrics(bold)
        self._head_h = max(44, bm.height() * 3 + 8)
        self.updateGeometry()
        self.resize(self.sizeHint())
        self.update()

    def sizeHint(self) -> QSize:
        return QSize(self._label_w + self.cell_w * max(1, len(self.docs)) + 8,
                     self._head_h + self.CELL_H * max(1, len(self.rows)) + 8)

    def minimumSizeHint(self) -> QSize:
        return self.sizeHint()

    def cell_at(self, pos: QPoint) -> tuple[int, int] | None:
        col = (pos.x() - self._label_w) // self.cell_w
        row = (pos.y() - self._head_h) // self.CELL_H
        if pos.x() < self._label_w or pos.y() < self._head_h:
            return None
        if 0 <= row < len(self.rows) and 0 <= col < len(self.docs):
            return row, col
        return None

    def cell_rect(self, row: int, col: int) -> QRect:
        return QRect(self._label_w + col * self.cell_w, self._head_h + row * self.CELL_H, self.cell_w, self.CELL_H)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        cell = self.cell_at(event.position().toPoint())
        if cell is not None and event.button() == Qt.MouseButton.LeftButton:
            row, col = cell
            if self.rows[row].counts.get(self.docs[col][0]):
                self.cellClicked.emit(self.rows[row].id, self.docs[col][0])

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        cell = self.cell_at(event.position().toPoint())
        if cell is None:
            QToolTip.hideText()
            self.unsetCursor()
            return
        row, col = cell
        r, (doc_id, label) = self.rows[row], self.docs[col]
        n = r.counts.get(doc_id, 0)
        text = f"{r.name} in {label}: {n} mention{'s' if n != 1 else ''}" + ("\nClick to open" if n else "")
        QToolTip.showText(event.globalPosition().toPoint(), text, self)
        self.setCursor(Qt.CursorShape.PointingHandCursor if n else Qt.CursorShape.ArrowCursor)

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        self.render_to(painter)
        painter.end()

    def render_to(self, painter: QPainter) -> None:
        theme = self.theme
        painter.fillRect(QRect(0, 0, self.sizeHint().width(), self.sizeHint().height()), theme.color("base"))
        text_color = theme.color("text")
        muted = theme.color("muted_text")
        grid = theme.color("border")
        painter.setFont(self.font())
        metrics = QFontMetrics(self.font())
        bold = QFont(self.font())
        bold.setBold(True)
        painter.setFont(bold)
        for col, (_doc_id, label) in enumerate(self.docs):
            rect = QRect(self._label_w + col * self.cell_w + 2, 2, self.cell_w - 4, self._head_h - 6)
            painter.setPen(text_color)
            painter.drawText(rect, int(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignBottom
                                       | Qt.TextFlag.TextWordWrap), label)
        painter.setFont(self.font())
        peak = max((n for r in self.rows for n in r.counts.values()), default=1)
        for row, r in enumerate(self.rows):
            y = self._head_h + row * self.CELL_H
            painter.setPen(text_color)
            name = metrics.elidedText(r.name, Qt.TextElideMode.ElideRight, self._label_w - 22)
            color = type_color(r.type, theme)
            painter.fillRect(QRect(4, y + 6, 8, 8), color)
            painter.drawText(QRect(16, y, self._label_w - 18, self.CELL_H),
                             int(Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft), name)
            for col, (doc_id, _label) in enumerate(self.docs):
                rect = self.cell_rect(row, col).adjusted(1, 1, -1, -1)
                n = r.counts.get(doc_id, 0)
                if n:
                    shade = QColor(color)
                    # sqrt scale: one mention is visible, fifty do not drown the rest
                    shade.setAlpha(int(60 + 195 * min(1.0, (n / peak) ** 0.5)))
                    painter.fillRect(rect, shade)
                    strong = shade.alpha() > 150
                    painter.setPen(QColor("#FFFFFF") if strong and not theme.is_dark else
                                   QColor("#000000") if strong else text_color)
                    painter.drawText(rect, int(Qt.AlignmentFlag.AlignCenter), str(n))
                else:
                    painter.setPen(grid)
                    painter.drawRect(rect.adjusted(0, 0, -1, -1))
                    painter.setPen(muted)
                    painter.drawText(rect, int(Qt.AlignmentFlag.AlignCenter), "·")

    def to_image(self) -> QImage:
        size = self.sizeHint()
        image = QImage(size, QImage.Format.Format_ARGB32)
        image.fill(self.theme.color("base"))
        painter = QPainter(image)
        self.render_to(painter)
        painter.end()
        return image

    def to_csv(self) -> str:
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(["entity", "name", "type", *(d for d, _ in self.docs), "total"])
        for r in self.rows:
            writer.writerow([r.id, r.name, r.type, *(r.counts.get(d, 0) for d, _ in self.docs), r.total])
        return out.getvalue()

    def export_csv(self, path: Path) -> None:
        atomic_write_text(Path(path), self.to_csv())

    def export_png(self, path: Path) -> None:
        """The matrix as a PNG, written atomically; raises ``OSError``."""
        write_png(path, self.to_image())


class CandidateModel(HeaderedTableModel):
    HEADERS = ("Name", "Count", "Documents", "Closest entity")
    ENTRIES = "items"
    ROLES: ClassVar[dict[int, bytes]] = {CandidateRole: b"candidate"}

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.items: list[Any] = []

    def set_items(self, items: list[Any]) -> None:
        self.beginResetModel()
        self.items = items
        self.endResetModel()

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        c = self.items[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            sug = f"{c.suggestion.name} ({c.suggestion.score:.0f})" if c.suggestion else "—"
            return (c.text, c.count, ", ".join(c.docs), sug)[index.column()]
        if role == CandidateRole:
            return c
        return None


class EntitiesPanel(QWidget):
    """The dock's content: tabs for the list, the coverage matrix and the candidates."""

    entitySelected = Signal(str)
    cellOpened = Signal(str, str)
    exportCsvRequested = Signal()
    exportPngRequested = Signal()
    matrixWindowRequested = Signal()
    acceptAliasRequested = Signal(str, str)  # candidate text, entity id
    acceptNewRequested = Signal(str)
    dismissRequested = Signal(str)
    refreshCandidatesRequested = Signal()
    #: right-click on a row of the list: entity id, global position for the menu
    listMenuRequested = Signal(str, QPoint)

    def __init__(self, theme: Theme, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.progress = QProgressBar(self)
        self.progress.setAccessibleName("Entity recognition progress")
        self.progress.setFormat("Recognising names… %v/%m documents")
        self.progress.setTextVisible(True)
        self.progress.hide()
        self.filter_edit = QLineEdit(self)
        self.filter_edit.setPlaceholderText("Filter names and spellings")
        self.filter_edit.setClearButtonEnabled(True)
        self.filter_edit.setAccessibleName("Filter entities")
        self.type_combo = QComboBox(self)
        self.type_combo.setAccessibleName("Entity type")
        self.type_combo.addItem("All types", "")
        for etype in ENTITY_TYPES:
            self.type_combo.addItem(STYLES[etype][3], etype)
        self.count_label = QLabel(self)
        top = QHBoxLayout()
        top.addWidget(self.filter_edit, 1)
        top.addWidget(self.type_combo)

        self.model = EntityModel(self)
        self.proxy = EntityFilter(self)
        self.proxy.setSourceModel(self.model)
        self.table = QTableView(self)
        self.table.setModel(self.proxy)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(2, Qt.SortOrder.DescendingOrder)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().hide()
        self.table.setAlternatingRowColors(True)
        self.table.setAccessibleName("Entities")
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for col in (1, 2, 3):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.ResizeToContents)
        self.table.clicked.connect(self._on_clicked)
        self.table.activated.connect(self._on_clicked)
        self.table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.table.customContextMenuRequested.connect(self._on_list_menu)

        list_page = QWidget(self)
        lay = QVBoxLayout(list_page)
        lay.setContentsMargins(0, 4, 0, 0)
        lay.addWidget(self.table, 1)
        lay.addWidget(self.count_label)

        self.matrix = CoverageMatrix(theme, self)
        self.matrix.cellClicked.connect(self.cellOpened)
        scroll = QScrollArea(self)
        scroll.setWidget(self.matrix)
        scroll.setWidgetResizable(False)
        self.matrix_scroll = scroll
        csv_btn = QPushButton("Export CSV…", self)
        png_btn = QPushButton("Export PNG…", self)
        csv_btn.clicked.connect(self.exportCsvRequested)
        png_btn.clicked.connect(self.exportPngRequested)
        window_btn = QPushButton("Open in Window", self)
        window_btn.setToolTip("The coverage matrix in a window of its own, as large as you like")
        window_btn.clicked.connect(self.matrixWindowRequested)
        self.matrix_window_button = window_btn
        hint = QLabel("Shade = mentions. Click a cell to open the document at the first mention.", self)
        hint.setWordWrap(True)
        matrix_page = QWidget(self)
        mlay = QVBoxLayout(matrix_page)
        mlay.setContentsMargins(0, 4, 0, 0)
        mlay.addWidget(hint)
        mlay.addWidget(scroll, 1)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(csv_btn)
        buttons.addWidget(png_btn)
        buttons.insertWidget(0, window_btn)
        mlay.addLayout(buttons)

        self.cand_model = CandidateModel(self)
        self.cand_table = QTableView(self)
        self.cand_table.setModel(self.cand_model)
        self.cand_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.cand_table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.cand_table.verticalHeader().hide()
        self.cand_table.setAccessibleName("Names not in the entity list")
        ch = self.cand_table.horizontalHeader()
        ch.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for col in (1, 2, 3):
            ch.setSectionResizeMode(col, QHeaderView.ResizeMode.ResizeToContents)
        self.accept_btn = QPushButton("Accept as alias", self)
        self.accept_btn.setToolTip("Add this spelling to the closest entity")
        self.new_btn = QPushButton("New entity", self)
        self.dismiss_btn = QPushButton("Dismiss", self)
        self.dismiss_btn.setToolTip("Never propose this name again (remembered)")
        self.rescan_btn = QPushButton("Rescan", self)
        self.accept_btn.clicked.connect(self._accept)
        self.new_btn.clicked.connect(self._new)
        self.dismiss_btn.clicked.connect(self._dismiss)
        self.rescan_btn.clicked.connect(self.refreshCandidatesRequested)
        self.cand_table.selectionModel().selectionChanged.connect(self._update_cand_buttons)
        cand_page = QWidget(self)
        clay = QVBoxLayout(cand_page)
        clay.setContentsMargins(0, 4, 0, 0)
        intro = QLabel("Names and acronyms not in the list, with the most similar entity:", self)
        intro.setWordWrap(True)
        clay.addWidget(intro)
        clay.addWidget(self.cand_table, 1)
        cb = QHBoxLayout()
        cb.addWidget(self.accept_btn, 1)
        cb.addWidget(self.new_btn)
        cb.addWidget(self.dismiss_btn)
        cb.addWidget(self.rescan_btn)
        self.accept_btn.setMinimumWidth(60)
        clay.addLayout(cb)
        self._update_cand_buttons()

        self.tabs = QTabWidget(self)
        self.tabs.addTab(list_page, "List")
        self.tabs.addTab(matrix_page, "Coverage")
        self.tabs.addTab(cand_page, "Candidates")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addLayout(top)
        layout.addWidget(self.progress)
        layout.addWidget(self.tabs, 1)
        self.filter_edit.textChanged.connect(self._apply_filter)
        self.type_combo.currentIndexChanged.connect(self._apply_filter)
        self._docs: list[tuple[str, str]] = []

    # -- data ---------------------------------------------------------------------
    def show_progress(self, done: int, total: int) -> None:
        """The recognition progress bar: shown while documents remain, hidden when done."""
        if total <= 0 or done >= total:
            self.progress.hide()
            return
        self.progress.setRange(0, total)
        self.progress.setValue(done)
        self.progress.show()

    def entity_at(self, pos: QPoint) -> str | None:
        """The entity of the list row under a viewport position (None between rows)."""
        index = self.table.indexAt(pos)
        if not index.isValid():
            return None
        row = self.model.entries()[self.proxy.mapToSource(index).row()]
        return str(row.id)

    def _on_list_menu(self, pos: QPoint) -> None:
        ent_id = self.entity_at(pos)
        if ent_id is not None:
            self.table.selectRow(self.table.indexAt(pos).row())  # the row under the pointer, not a stale one
            self.listMenuRequested.emit(ent_id, self.table.viewport().mapToGlobal(pos))

    def set_data(self, rows: list[Row], docs: list[tuple[str, str]]) -> None:
        self._docs = docs
        self.model.set_rows(rows, len(docs))
        self._apply_filter()

    def visible_rows(self) -> list[Row]:
        rows = [self.model.rows[self.proxy.mapToSource(self.proxy.index(i, 0)).row()]
                for i in range(self.proxy.rowCount())]
        return sorted(rows, key=lambda r: (-r.total, r.name.casefold()))

    def _apply_filter(self) -> None:
        self.proxy.set_filter(self.type_combo.currentData() or "", self.filter_edit.text())
        shown = self.proxy.rowCount()
        total = self.model.rowCount()
        self.count_label.setText(f"{shown} of {total} entities" if shown != total else f"{total} entities")
        self.matrix.set_data([r for r in self.visible_rows() if r.total], self._docs)

    def select_entity(self, entity_id: str) -> None:
        row = self.model.row_of(entity_id)
        if row < 0:
            return
        index = self.proxy.mapFromSource(self.model.index(row, 0))
        if index.isValid():
            self.table.selectRow(index.row())
            self.table.scrollTo(index)

    def _on_clicked(self, index: QModelIndex) -> None:
        entity_id = index.data(EntityIdRole)
        if entity_id:
            self.entitySelected.emit(entity_id)

    # -- candidates ---------------------------------------------------------------
    def set_candidates(self, items: list[Any]) -> None:
        self.cand_model.set_items(items)
        self.tabs.setTabText(2, f"Candidates ({len(items)})" if items else "Candidates")
        self._update_cand_buttons()

    def current_candidate(self) -> Any:
        rows = self.cand_table.selectionModel().selectedRows()
        return rows[0].data(CandidateRole) if rows else None

    def _update_cand_buttons(self, *_args: Any) -> None:
        cand = self.current_candidate()
        self.accept_btn.setEnabled(bool(cand and cand.suggestion))
        self.accept_btn.setText(f"Alias of {cand.suggestion.name}" if cand and cand.suggestion else "Accept as alias")
        self.accept_btn.setToolTip(f"Add “{cand.text}” as a spelling of {cand.suggestion.name}"
                                   if cand and cand.suggestion else "Add this spelling to the closest entity")
        self.new_btn.setEnabled(cand is not None)
        self.dismiss_btn.setEnabled(cand is not None)

    def _accept(self) -> None:
        cand = self.current_candidate()
        if cand is not None and cand.suggestion is not None:
            self.acceptAliasRequested.emit(cand.text, cand.suggestion.entity_id)

    def _new(self) -> None:
        cand = self.current_candidate()
        if cand is not None:
            self.acceptNewRequested.emit(cand.text)

    def _dismiss(self) -> None:
        cand = self.current_candidate()
        if cand is not None:
            self.dismissRequested.emit(cand.text)
