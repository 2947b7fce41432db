"""Optional capabilities plug into the main window here, each wiring itself in one place.

A feature module exposes ``install(window) -> object``: it adds its docks, menu items
and actions to the :class:`~reader.gui.mainwindow.MainWindow` and connects its views'
intent signals (``window.corpusLoaded``, ``window.documentOpened``, ...) to the core.
The returned object is kept in ``window.features[name]``.
"""

from __future__ import annotations

import importlib
from typing import Any

#: Feature modules in installation order (menus appear in this order).
FEATURES: tuple[str, ...] = ("reader.gui.importer", "reader.gui.framing", "reader.gui.kwic", "reader.gui.notes",
                               "reader.gui.search", "reader.gui.entities", "reader.gui.lessons",
                               "reader.gui.research")


def install_features(window: Any) -> dict[str, Any]:
    installed: dict[str, Any] = {}
    for name in FEATURES:
        module = importlib.import_module(name)
        installed[name.rsplit(".", 1)[-1]] = module.install(window)
    return installed
