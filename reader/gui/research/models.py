"""Item models of the research dock: batch-search rows and saved searches, with named roles."""

from __future__ import annotations

import logging
from typing import Any

from PySide6.QtCore import (
    QAbstractListModel,
    QByteArray,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
)

from reader.core.research.batch import BatchRow
from reader.core.research.saved_searches import SavedSearch
from reader.gui.models import HeaderedTableModel

log = logging.getLogger(__name__)

QueryRole = Qt.ItemDataRole.UserRole + 1
TotalRole = Qt.ItemDataRole.UserRole + 2
ErrorRole = Qt.ItemDataRole.UserRole + 3
NameRole = Qt.ItemDataRole.UserRole + 4
CountRole = Qt.ItemDataRole.UserRole + 5

_Index = QModelIndex | QPersistentModelIndex


class BatchModel(HeaderedTableModel):
    """One row per query: the query, its document count, then one column per outlet."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.rows: list[BatchRow] = []
        self.outlets: list[str] = []

    def set_rows(self, rows: list[BatchRow]) -> None:
        self.beginResetModel()
        self.rows = list(rows)
        totals: dict[str, int] = {}
        for row in rows:
            for outlet, n in row.outlets.items():
                totals[outlet] = totals.get(outlet, 0) + n
        self.outlets = sorted(totals, key=lambda o: (-totals[o], o.lower()))
        self.endResetModel()

    def headers(self) -> tuple[str, ...]:
        return ("Query", "Documents", *self.outlets)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self.rows):
            return None
        row = self.rows[index.row()]
        column = index.column()
        if role == QueryRole:
            return row.query
        if role == TotalRole:
            return row.total
        if role == ErrorRole:
            return row.error
        if role == Qt.ItemDataRole.DisplayRole:
            if column == 0:
                return row.query
            if column == 1:
                return "unreadable" if row.error else str(row.total)  # the reason is the tooltip
            return str(row.outlets.get(self.outlets[column - 2], 0)) if column - 2 < len(self.outlets) else None
        if role == Qt.ItemDataRole.ToolTipRole and row.error:
            return row.error
        if role == Qt.ItemDataRole.TextAlignmentRole and column >= 1:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def roleNames(self) -> dict[int, QByteArray]:
        names = super().roleNames()
        names.update({QueryRole: QByteArray(b"query"), TotalRole: QByteArray(b"total"),
                      ErrorRole: QByteArray(b"error")})
        return names


class SavedSearchModel(QAbstractListModel):
    """Saved searches by name, each with its document count when known."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.items: list[SavedSearch] = []
        self.counts: dict[str, int | None] = {}

    def set_items(self, items: list[SavedSearch], counts: dict[str, int | None] | None = None) -> None:
        self.beginResetModel()
        self.items = list(items)
        self.counts = dict(counts or {})
        self.endResetModel()

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.items)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self.items):
            return None
        item = self.items[index.row()]
        count = self.counts.get(item.name)
        if role == Qt.ItemDataRole.DisplayRole:
            shown = "" if item.name not in self.counts else (" (bad query)" if count is None else f" ({count})")
            return f"{item.name}{shown}"
        if role == Qt.ItemDataRole.ToolTipRole:
            return item.query
        if role == NameRole:
            return item.name
        if role == QueryRole:
            return item.query
        if role == CountRole:
            return count
        return None

    def roleNames(self) -> dict[int, QByteArray]:
        names = super().roleNames()
        names.update({NameRole: QByteArray(b"name"), QueryRole: QByteArray(b"query"),
                      CountRole: QByteArray(b"count")})
        return names
