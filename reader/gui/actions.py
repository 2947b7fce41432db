"""One way to make a window action: text, key, tip, slot and whether it toggles.

Every feature builds its menu and toolbar actions through :func:`make_action`, so each one is
added to the window (its key works wherever the focus is, also with the menu bar hidden while
presenting), carries a status tip and a tooltip that names its key, and is connected the same
way: ``toggled(bool)`` for a checkable action, ``triggered`` otherwise. Keys come from
:mod:`reader.core.keymap` where the key table declares them.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMenu, QWidget

log = logging.getLogger(__name__)

Key = str | QKeySequence | QKeySequence.StandardKey


def _sequence(key: Key) -> QKeySequence:
    return key if isinstance(key, QKeySequence) else QKeySequence(key)


def make_action(window: QWidget, text: str, slot: Callable[..., Any] | None = None, *,
                shortcut: Key | Sequence[Key] | None = None, tip: str = "", checkable: bool = False,
                checked: bool = False, menu: QMenu | None = None) -> QAction:
    """An action on ``window`` (and in ``menu`` when given) that runs ``slot``.

    ``shortcut`` is one key or several (the first is the one shown); ``tip`` is the status tip,
    and the tooltip is the text without its mnemonic plus the key."""
    action = QAction(text, window)
    keys: list[Key] = [] if shortcut is None else list(shortcut) if isinstance(shortcut, list | tuple) \
        else [shortcut]  # type: ignore[list-item]
    if keys:
        action.setShortcuts([_sequence(k) for k in keys])
    if tip:
        action.setStatusTip(tip)
    plain = text.replace("&&", "\0").replace("&", "").replace("\0", "&").rstrip("…")
    shown = action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
    action.setToolTip(f"{plain} ({shown})" if shown else plain)
    if checkable:
        action.setCheckable(True)
        action.setChecked(checked)
        if slot is not None:
            action.toggled.connect(slot)
    elif slot is not None:
        action.triggered.connect(slot)  # a bound method: Qt drops the connection with its receiver
    window.addAction(action)
    if menu is not None:
        menu.addAction(action)
    return action
