"""Optional capabilities plug into the main window here, each wiring itself in one place.

A feature module exposes ``install(window) -> object``: it adds its docks, menu items
and actions to the :class:`~reader.gui.window.mainwindow.MainWindow` and connects its views'
intent signals (``window.corpusLoaded``, ``window.documentOpened``, ...) to the core.
The returned object is kept in ``window.features[name]``.
"""

from __future__ import annotations

import importlib
from typing import Any

#: Features in installation order (menus appear in this order): name -> the module whose
#: ``install(window)`` wires it. Each lives in its own package under ``reader/gui/``.
FEATURES: dict[str, str] = {
    "importer": "reader.gui.importer.feature",
    "framing": "reader.gui.framing.feature",
    "kwic": "reader.gui.framing.kwic",
    "notes": "reader.gui.notes.feature",
    "search": "reader.gui.search.feature",
    "entities": "reader.gui.entities.feature",
    "lessons": "reader.gui.lessons.feature",
    "research": "reader.gui.research.feature",
}


def install_features(window: Any) -> dict[str, Any]:
    installed: dict[str, Any] = {}
    for name, module_name in FEATURES.items():
        installed[name] = importlib.import_module(module_name).install(window)
    return installed
