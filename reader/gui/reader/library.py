"""The library: every document of the corpus as a sortable, filterable table."""

from __future__ import annotations

from typing import Any, ClassVar

from PySide6.QtCore import (
    QAbstractTableModel,
    QByteArray,
    QModelIndex,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
    Signal,
)
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from reader.core.document import DocumentMeta
from reader.gui.format import format_date
from reader.gui.models import named_roles

DocIdRole = Qt.ItemDataRole.UserRole + 1
MetaRole = Qt.ItemDataRole.UserRole + 2
SortRole = Qt.ItemDataRole.UserRole + 3
SearchTextRole = Qt.ItemDataRole.UserRole + 4

_Index = QModelIndex | QPersistentModelIndex


def search_text(meta: DocumentMeta) -> str:
    """What the library's filter box looks in: id, title, outlet, author and date, lower-cased."""
    return " ".join((meta.id, meta.title, meta.outlet, meta.author, meta.published or "")).lower()


class LibraryModel(QAbstractTableModel):
    """Rows are documents; named roles give the id, the metadata and sort keys."""

    COLUMNS = ("Outlet", "Title", "Date")
    OUTLET, TITLE, DATE = range(3)
    ROLES: ClassVar[dict[int, bytes]] = {DocIdRole: b"docId", MetaRole: b"meta", SortRole: b"sortKey",
                                         SearchTextRole: b"searchText"}

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._given: list[DocumentMeta] = []  # in the order given: ties of a sort keep it
        self._metas: list[DocumentMeta] = []
        self._rows: dict[str, int] = {}
        self._sort: tuple[int, Qt.SortOrder] | None = None

    def set_documents(self, metas: list[DocumentMeta]) -> None:
        self.beginResetModel()
        self._given = list(metas)
        self._metas = self._sorted()
        self._rows = {m.id: r for r, m in enumerate(self._metas)}
        self.endResetModel()

    def _sorted(self) -> list[DocumentMeta]:
        if self._sort is None:
            return list(self._given)
        column, order = self._sort
        key = (lambda m: m.outlet.lower(), lambda m: m.title.lower(), lambda m: m.published or "")[column]
        return sorted(self._given, key=key, reverse=order == Qt.SortOrder.DescendingOrder)

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Sort in Python with one key per row. The proxy sorting 20,000 rows asked Python for two
        sort keys per comparison, about 600,000 calls: seconds of a frozen window at each load."""
        if not 0 <= column < len(self.COLUMNS):
            return
        if self._sort == (column, order):
            return  # already in that order: a load sorts as it sets the rows, and then was asked again
        self._sort = (column, order)
        self.layoutAboutToBeChanged.emit()
        before = self.persistentIndexList()
        ids = [self._metas[i.row()].id for i in before]
        self._metas = self._sorted()
        self._rows = {m.id: r for r, m in enumerate(self._metas)}
        self.changePersistentIndexList(before, [self.index(self._rows[doc_id], i.column())
                                                for doc_id, i in zip(ids, before, strict=True)])
        self.layoutChanged.emit()

    def meta_at(self, row: int) -> DocumentMeta:
        return self._metas[row]

    def row_of(self, doc_id: str) -> int:
        return self._rows.get(doc_id, -1)

    def roleNames(self) -> dict[int, QByteArray]:
        return named_roles(self, self.ROLES)

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._metas)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.COLUMNS[section]
        return None

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        meta = self._metas[index.row()]
        col = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return (meta.outlet or "—", meta.title, format_date(meta.published))[col]
        if role == Qt.ItemDataRole.ToolTipRole:
            lines = [meta.title, meta.citation()]
            if meta.date_note:
                lines.append(f"Date: {meta.date_note}")
            return "\n".join(lines)
        if role == DocIdRole:
            return meta.id
        if role == MetaRole:
            return meta
        if role == SortRole:
            return (meta.outlet.lower(), meta.title.lower(), meta.published or "")[col]
        if role == SearchTextRole:
            return search_text(meta)
        return None


class LibraryFilterProxy(QSortFilterProxyModel):
    """Keeps rows whose id, title, outlet, author or date contain every typed word."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._words: list[str] = []
        self._only: frozenset[str] | None = None  # a saved search's documents, or every document
        self.setSortRole(SortRole)

    def _refilter(self, change: Any) -> None:
        if hasattr(self, "beginFilterChange"):  # Qt >= 6.9
            self.beginFilterChange()
            change()
            self.endFilterChange(QSortFilterProxyModel.Direction.Rows)
        else:
            change()
            self.invalidateFilter()

    def set_filter_text(self, text: str) -> None:
        self._refilter(lambda: setattr(self, "_words", text.lower().split()))

    def set_only(self, ids: frozenset[str] | None) -> None:
        self._refilter(lambda: setattr(self, "_only", ids))

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """The library model sorts itself (see :meth:`LibraryModel.sort`); rows here keep its order."""
        source = self.sourceModel()
        if isinstance(source, LibraryModel):
            source.sort(column, order)
        else:
            super().sort(column, order)

    def filterAcceptsRow(self, source_row: int, source_parent: _Index) -> bool:
        if self._only is None and not self._words:
            return True  # asked for every row after each load or sort: no index, no data() call
        source = self.sourceModel()
        if isinstance(source, LibraryModel):  # straight to the metadata: two data() calls per row were most of it
            meta = source.meta_at(source_row)
            if self._only is not None and meta.id not in self._only:
                return False
            hay = search_text(meta)
            return all(word in hay for word in self._words)
        index = source.index(source_row, 0, source_parent)
        if self._only is not None and index.data(DocIdRole) not in self._only:
            return False
        return all(word in (index.data(SearchTextRole) or "") for word in self._words)


class LibraryTable(QTableView):
    """The document list: a table styled as a list (no grid, no row numbers), one row per document.

    A tree view laid out every one of 20,000 rows after each load and sort (a 200 ms stall, the
    window's worst while it indexed: each row asked the Python model for its index twice); a
    table's rows all have the header's one height, so nothing is laid out per row.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("libraryTable")
        self.setShowGrid(False)
        self.setTabKeyNavigation(False)  # Tab leaves the list, as in every other list
        self.setCornerButtonEnabled(False)
        rows = self.verticalHeader()
        rows.hide()
        rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.horizontalHeader().setHighlightSections(False)
        self.fit_rows()

    def fit_rows(self) -> None:
        """Row height for the current font (call after the interface text size changes): the
        theme's item padding, 4 px above and below, around one line."""
        self.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 10)

    def header(self) -> QHeaderView:
        """The column header (the name a tree view has for it)."""
        return self.horizontalHeader()


class LibraryPanel(QWidget):
    """Filter box over the document table.

    A click only selects; double-click or Enter opens in the active pane (``openRequested``);
    the Open Beside button, its key and the context menu open in a new pane (``besideRequested``).
    A single click that opened at once made "select, then Open Beside" show the document twice."""

    openRequested = Signal(str)
    besideRequested = Signal(str)
    #: a saved search chosen above the list ("" for every document): the research feature runs it
    savedSearchChosen = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = LibraryModel(self)
        self.proxy = LibraryFilterProxy(self)
        self.proxy.setSourceModel(self.model)
        self.filter_edit = QLineEdit(self)
        self.filter_edit.setPlaceholderText("Filter documents…  (Ctrl+L)")
        self.filter_edit.setClearButtonEnabled(True)
        self.filter_edit.setAccessibleName("Filter documents")
        self.view = LibraryTable(self)
        self.view.setAccessibleName("Documents")
        self.view.setModel(self.proxy)
        self.view.setAlternatingRowColors(True)
        self.view.setSortingEnabled(True)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)  # bulk metadata edits
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.setWordWrap(False)
        self.view.setTextElideMode(Qt.TextElideMode.ElideRight)
        header = self.view.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(LibraryModel.OUTLET, QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(LibraryModel.TITLE, QHeaderView.ResizeMode.Stretch)
        # Dates have one format, so their width is known: ResizeToContents asked Python for the text
        # of thousands of rows after every load and sort (33,000 data() calls at 20,000 documents).
        header.setSectionResizeMode(LibraryModel.DATE, QHeaderView.ResizeMode.Interactive)
        self.count_label = QLabel(self)
        self.count_label.setObjectName("libraryCount")
        self.open_button = QPushButton("&Open", self)
        self.open_button.setToolTip("Open the selected document here (double-click or Enter)")
        self.beside_button = QPushButton("Open &Beside", self)
        self.beside_button.setToolTip("Open the selected document in a new pane beside this one (Ctrl+Shift+O)")
        for button in (self.open_button, self.beside_button):
            button.setAccessibleName(button.toolTip())
            button.setEnabled(False)
        row = QHBoxLayout()  # the buttons get their own row: at the library's narrowest none is cut off
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.open_button, 1)
        row.addWidget(self.beside_button, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 4, 4)
        layout.setSpacing(6)
        self.saved_combo = QComboBox(self)
        self.saved_combo.setAccessibleName("Saved search")
        self.saved_combo.setToolTip("Show only the documents a saved search matches (Calibre's saved searches)")
        self.saved_combo.addItem("All documents", "")
        self.saved_combo.setVisible(False)  # shown once there is a saved search
        self.saved_combo.activated.connect(lambda i: self.savedSearchChosen.emit(self.saved_combo.itemData(i) or ""))
        layout.addWidget(self.saved_combo)
        layout.addWidget(self.filter_edit)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.count_label)
        layout.addLayout(row)
        self.filter_edit.textChanged.connect(self._on_filter)
        self.view.activated.connect(self._on_activated)  # double-click or Enter; a click only selects
        self.view.selectionModel().currentChanged.connect(lambda *_: self._update_buttons())
        self.open_button.clicked.connect(lambda: self._emit_current(self.openRequested))
        self.beside_button.clicked.connect(lambda: self._emit_current(self.besideRequested))
        # Widget-local: Return and Down mean "open/choose" only in the filter box, not in every field.
        for key, slot in ((Qt.Key.Key_Down, self._focus_list), (Qt.Key.Key_Return, self._open_first)):
            shortcut = QShortcut(QKeySequence(key), self.filter_edit)
            shortcut.setContext(Qt.ShortcutContext.WidgetShortcut)  # the constructor's context= is ignored
            shortcut.activated.connect(slot)
        self._update_count()

    def set_documents(self, metas: list[DocumentMeta]) -> None:
        self.model.set_documents(metas)
        # the Title column gets the room: outlets are short names, elided past ~11 characters
        metrics = self.view.fontMetrics()
        self.view.setColumnWidth(LibraryModel.OUTLET, metrics.averageCharWidth() * 12 + 12)
        widest = max(metrics.horizontalAdvance(format_date(f"2022-{month:02d}-28")) for month in range(1, 13))
        self.view.setColumnWidth(LibraryModel.DATE, max(widest, metrics.horizontalAdvance("Date")) + 24)
        self._update_count()

    def sort(self, column: int, order: Qt.SortOrder) -> None:
        self.view.sortByColumn(column, order)

    def select(self, doc_id: str) -> None:
        row = self.model.row_of(doc_id)
        if row < 0:
            return
        index = self.proxy.mapFromSource(self.model.index(row, 0))
        if index.isValid():
            self.view.setCurrentIndex(index)
            self.view.scrollTo(index)

    def selected_ids(self) -> list[str]:
        """Ids of the selected rows, in the order shown (Edit ▸ Set Metadata of Selected Documents)."""
        rows = sorted(self.view.selectionModel().selectedRows(), key=lambda i: i.row())
        return [i.data(DocIdRole) for i in rows if i.data(DocIdRole)]

    def set_saved_searches(self, names: list[str]) -> None:
        """The saved searches offered above the list; the chosen one stays chosen if it still exists."""
        current = self.saved_combo.currentData() or ""
        self.saved_combo.blockSignals(True)
        self.saved_combo.clear()
        self.saved_combo.addItem("All documents", "")
        for name in names:
            self.saved_combo.addItem(f"Saved search: {name}", name)
        index = self.saved_combo.findData(current)
        self.saved_combo.setCurrentIndex(max(0, index))
        self.saved_combo.blockSignals(False)
        self.saved_combo.setVisible(bool(names))
        if current and index < 0:
            self.restrict_to(None)

    def restrict_to(self, ids: set[str] | None, name: str = "") -> None:
        """Show only ``ids`` (a saved search's documents), or every document for None."""
        self.proxy.set_only(frozenset(ids) if ids is not None else None)
        if ids is None:
            self.saved_combo.setCurrentIndex(0)
        else:
            self.saved_combo.setCurrentIndex(max(0, self.saved_combo.findData(name)))
        self._update_count()

    def reset(self) -> None:
        """Another corpus: no filter text, no saved-search restriction (they were the old corpus's)."""
        self.filter_edit.clear()
        self.proxy.set_filter_text("")
        self.restrict_to(None)

    def visible_ids(self) -> list[str]:
        return [self.proxy.index(r, 0).data(DocIdRole) for r in range(self.proxy.rowCount())]

    def _on_filter(self, text: str) -> None:
        self.proxy.set_filter_text(text)
        self._update_count()

    def _update_count(self) -> None:
        shown, total = self.proxy.rowCount(), self.model.rowCount()
        self.count_label.setText(f"{total} documents" if shown == total else f"{shown} of {total} documents")

    def _on_activated(self, index: QModelIndex) -> None:
        doc_id = index.data(DocIdRole)
        if doc_id:
            self.openRequested.emit(doc_id)

    def current_id(self) -> str | None:
        index = self.view.currentIndex()
        doc_id = index.data(DocIdRole) if index.isValid() else None
        return str(doc_id) if doc_id else None

    def _emit_current(self, signal: Any) -> None:
        doc_id = self.current_id()
        if doc_id:
            signal.emit(doc_id)

    def _update_buttons(self) -> None:
        chosen = self.current_id() is not None
        self.open_button.setEnabled(chosen)
        self.beside_button.setEnabled(chosen)

    def _focus_list(self) -> None:
        self.view.setFocus()
        if self.proxy.rowCount() and not self.view.currentIndex().isValid():
            self.view.setCurrentIndex(self.proxy.index(0, 0))

    def _open_first(self) -> None:
        if self.proxy.rowCount():
            self._on_activated(self.proxy.index(0, 0))
