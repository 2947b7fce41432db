"""How compare panes scroll together: the one declaration of the sync modes.

The settings (``compare.sync`` choices), the CLI's ``--sync`` choices, lesson validation,
``comparisons.yaml``, the compare toolbar's combo box and the View ▸ Sync menu all read this
table, so a mode is added, renamed or explained in one place.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SyncMode:
    key: str
    #: the toolbar's combo box and messages
    label: str
    #: the Sync submenu, with its mnemonic
    menu_text: str
    description: str
    #: whether scrolling one pane scrolls the others (entity lockstep jumps by mention instead)
    follows_scroll: bool = False


MODES: tuple[SyncMode, ...] = (
    SyncMode("aligned", "Aligned", "&Aligned",
             "Matching passages stay level: the panes follow the passage alignment.", follows_scroll=True),
    SyncMode("entity", "Entity lockstep", "&Entity Lockstep",
             "Each pane jumps to the same mention of the followed entity (F7 / Shift+F7 step)."),
    SyncMode("proportional", "Proportional", "&Proportional",
             "The panes scroll by the same fraction of their length.", follows_scroll=True),
    SyncMode("off", "Off", "O&ff", "Each pane scrolls on its own."),
)
#: the keys, in menu order (``choices=`` for argparse and the settings)
KEYS: tuple[str, ...] = tuple(m.key for m in MODES)
DEFAULT = "aligned"
LABELS: dict[str, str] = {m.key: m.label for m in MODES}
MENU_TEXT: dict[str, str] = {m.key: m.menu_text for m in MODES}
#: the modes in which a scroll of one pane moves the others
SCROLL_FOLLOWING: frozenset[str] = frozenset(m.key for m in MODES if m.follows_scroll)

_BY_KEY = {m.key: m for m in MODES}


def sync_mode(key: str) -> SyncMode:
    """The declared mode ``key``; ``KeyError`` names the valid ones."""
    try:
        return _BY_KEY[key]
    except KeyError:
        raise KeyError(f"unknown sync mode {key!r} (use {', '.join(KEYS)})") from None
