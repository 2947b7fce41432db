"""Shared item-model pieces: the flat, headered table several features list their rows in, and
:func:`named_roles`, which every model's ``roleNames`` uses so each custom role has a name
(QML, the accessibility bridge and QAbstractItemModelTester read roles by name)."""

from __future__ import annotations

import logging
from typing import Any, ClassVar

from PySide6.QtCore import QAbstractItemModel, QAbstractTableModel, QByteArray, QModelIndex, QPersistentModelIndex, Qt

log = logging.getLogger(__name__)


def named_roles(model: QAbstractItemModel, roles: dict[int, bytes]) -> dict[int, QByteArray]:
    """Qt's standard role names plus ``roles`` (custom role -> its name)."""
    names = dict(QAbstractItemModel.roleNames(model))
    names.update({int(role): QByteArray(name) for role, name in roles.items()})
    return names


class HeaderedTableModel(QAbstractTableModel):
    """A flat table: one row per entry of the list attribute ``ENTRIES`` names, one column per
    header (``HEADERS``, or :meth:`headers` for columns that depend on the rows)."""

    HEADERS: tuple[str, ...] = ()
    ENTRIES = "rows"
    #: the model's custom roles and their names (``roleNames``)
    ROLES: ClassVar[dict[int, bytes]] = {}

    def roleNames(self) -> dict[int, QByteArray]:
        return named_roles(self, self.ROLES)

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
