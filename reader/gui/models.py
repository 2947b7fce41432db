"""Shared item-model pieces: the flat, headered table several features list their rows in."""

from __future__ import annotations

import logging
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

log = logging.getLogger(__name__)


class HeaderedTableModel(QAbstractTableModel):
    """A flat table: one row per entry of the list attribute ``ENTRIES`` names, one column per
    header (``HEADERS``, or :meth:`headers` for columns that depend on the rows)."""

    HEADERS: tuple[str, ...] = ()
    ENTRIES = "rows"

    def entries(self) -> list[Any]:
        return getattr(self, self.ENTRIES)

    def headers(self) -> tuple[str, ...]:
        return self.HEADERS

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.entries())

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.headers())

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        headers = self.headers()
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole \
                and 0 <= section < len(headers):
            return headers[section]
        return None
