"""Optional capabilities plug into the main window here, each wiring itself in one place.

A feature module exposes ``install(window, needs) -> object`` and, when it uses another
feature, declares it: ``REQUIRES = ("search",)``. ``window`` is typed as :class:`WindowAPI`,
what a feature may use of the window (the session and its bridge, docks, menus, the reader
views, the notice channel); ``needs`` hands out exactly the declared features, looked up
when used (so two features may need each other, whatever their installation order). Nothing
else reaches between features: a feature asking ``needs`` for a feature it did not declare
gets an error at once, not a silent ``None``.
"""

from __future__ import annotations

import importlib
import inspect
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from PySide6.QtCore import Qt, SignalInstance
    from PySide6.QtGui import QAction
    from PySide6.QtWidgets import QDockWidget, QMenu, QStatusBar, QWidget

    from reader.core.context import AppContext
    from reader.core.corpus import Corpus
    from reader.core.session import Session
    from reader.core.settings import Settings
    from reader.gui.bridge import Notice, SessionBridge
    from reader.gui.compare.view import CompareView
    from reader.gui.reader.library import LibraryPanel
    from reader.gui.reader.view import ReaderView
    from reader.gui.window.theme import Theme

#: Features in installation order (menus appear in this order): name -> the module whose
#: ``install(window, needs)`` wires it. Each lives in its own package under ``reader/gui/``.
FEATURES: dict[str, str] = {
    "importer": "reader.gui.importer.feature",
    "framing": "reader.gui.framing.feature",
    "kwic": "reader.gui.framing.kwic",
    "notes": "reader.gui.notes.feature",
    "search": "reader.gui.search.feature",
    "entities": "reader.gui.entities.feature",
    "lessons": "reader.gui.lessons.feature",
    "research": "reader.gui.research.feature",
    "team": "reader.gui.team.feature",
}


class WindowAPI(Protocol):
    """What a feature may use of the main window (the window implements it; tests may fake it)."""

    session: Session
    bridge: SessionBridge
    ctx: AppContext
    settings: Settings
    theme: Theme
    persist: bool
    corpus: Corpus | None
    notices: list[str]
    menus: dict[str, QMenu]
    library: LibraryPanel
    reader: ReaderView
    compare: CompareView
    act_quit: QAction
    act_open_corpus: QAction
    corpusLoaded: SignalInstance
    documentOpened: SignalInstance
    readerViewAdded: SignalInstance
    #: ``doc_id -> Document | None`` callables asked for a document the local corpus lacks
    document_sources: list[Any]

    def notify(self, text: str, timeout_ms: int = 6000, **kind: Any) -> Notice: ...
    def reader_views(self) -> list[ReaderView]: ...
    def active_reader(self) -> ReaderView: ...
    def open_document(self, doc_id: str) -> bool: ...
    def reload_corpus(self) -> None: ...
    def switch_corpus(self, root: Any) -> None: ...
    def add_dock(self, widget: QWidget, title: str, name: str, area: Qt.DockWidgetArea = ...,
                 shortcut: str | None = None) -> QDockWidget: ...
    def addAction(self, action: QAction) -> None: ...
    def statusBar(self) -> QStatusBar: ...
    def update_welcome(self) -> None: ...


class Needs:
    """The features one feature declared in ``REQUIRES``, resolved when asked for."""

    def __init__(self, owner: str, declared: Iterable[str], installed: dict[str, Any]) -> None:
        self.owner = owner
        self.declared = tuple(declared)
        self._installed = installed

    def get(self, name: str) -> Any:
        """The installed feature ``name`` (None when it is not installed, e.g. left out of a build)."""
        if name not in self.declared:
            raise LookupError(f"feature {self.owner!r} uses {name!r} without declaring it in REQUIRES")
        return self._installed.get(name)

    @classmethod
    def none(cls, owner: str = "?") -> Needs:
        return cls(owner, (), {})


def install_features(window: WindowAPI) -> dict[str, Any]:
    """Install every feature in :data:`FEATURES` order, each with the features it declared."""
    installed: dict[str, Any] = {}
    for name, module_name in FEATURES.items():
        module = importlib.import_module(module_name)
        requires = tuple(getattr(module, "REQUIRES", ()))
        unknown = [r for r in requires if r not in FEATURES]
        if unknown:
            raise ValueError(f"feature {name!r} requires unknown feature(s): {', '.join(unknown)}")
        needs = Needs(name, requires, installed)
        if len(inspect.signature(module.install).parameters) >= 2:
            installed[name] = module.install(window, needs)
        else:
            installed[name] = module.install(window)
    return installed


__all__ = ["FEATURES", "Needs", "WindowAPI", "install_features"]
