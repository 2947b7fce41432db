"""The one Qt bridge: the session's plain callbacks become Qt signals, plus one notice channel.

The core session (:mod:`reader.core.session`) announces changes by calling listeners on the
thread that made them (an index job's pool thread, say). Widgets must only be touched on the
GUI thread, so every event is re-emitted here as a signal of this GUI-thread object: Qt queues
a signal emitted from another thread to its GUI-thread receivers, and delivers one emitted on
the GUI thread at once.

Notices (what used to be ~45 direct ``statusBar().showMessage`` calls, message boxes and
problem-list appends spread over the features) go through :meth:`SessionBridge.notify`: one
:class:`Notice` per message, shown by the window in its status bar (or a dialog when asked for).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QObject, Signal

from reader.core.events import (
    CorpusReloaded,
    DocumentsChanged,
    EntitiesEdited,
    IndexUpdated,
    NotesAdded,
    NotesChanged,
    NotesRemoved,
    SettingsChanged,
)
from reader.core.session import Session

log = logging.getLogger(__name__)

LEVELS = ("info", "warning", "error")


@dataclass(frozen=True)
class Notice:
    """One message for the user: ``timeout_ms`` 0 keeps it; ``dialog`` asks for a message box."""

    text: str
    timeout_ms: int = 6000
    level: str = "info"
    dialog: bool = False
    title: str = ""


class SessionBridge(QObject):
    """Session events as Qt signals (each carries the core's event dataclass) and the notice channel."""

    corpusReloaded = Signal(object)
    documentsChanged = Signal(object)
    entitiesEdited = Signal(object)
    notesAdded = Signal(object)
    notesChanged = Signal(object)
    notesRemoved = Signal(object)
    indexUpdated = Signal(object)
    settingsChanged = Signal(object)
    #: ``(name, value)`` of a changed setting (the shape the features have always listened to)
    changed = Signal(str, object)
    notice = Signal(object)

    def __init__(self, session: Session, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.session = session
        routes: list[tuple[type, Any]] = [
            (CorpusReloaded, self.corpusReloaded), (DocumentsChanged, self.documentsChanged),
            (EntitiesEdited, self.entitiesEdited), (NotesAdded, self.notesAdded),
            (NotesChanged, self.notesChanged), (NotesRemoved, self.notesRemoved),
            (IndexUpdated, self.indexUpdated), (SettingsChanged, self.settingsChanged),
        ]
        self._unsubscribe: list[Callable[[], None]] = []
        for event_type, signal in routes:
            self._unsubscribe.append(session.subscribe(event_type, self._emitter(signal)))
        self.settingsChanged.connect(lambda e: self.changed.emit(e.name, e.value))
        self.destroyed.connect(lambda *_: self.close())

    def _emitter(self, signal: Any) -> Callable[[object], None]:
        def emit(event: object) -> None:
            try:
                signal.emit(event)
            except RuntimeError as exc:  # the window is gone while a job still reports
                log.debug("event %r after the bridge closed: %s", event, exc)
        return emit

    def notify(self, text: str, timeout_ms: int = 6000, *, level: str = "info", dialog: bool = False,
               title: str = "") -> Notice:
        """Tell the user something (status bar; a message box with ``dialog``)."""
        notice = Notice(str(text), int(timeout_ms), level if level in LEVELS else "info", dialog, title)
        if level == "error":
            log.warning("notice: %s", text)
        self.notice.emit(notice)
        return notice

    def close(self) -> None:
        """Stop listening to the session (the window closed)."""
        stops, self._unsubscribe = self._unsubscribe, []
        for stop in stops:
            stop()


__all__ = ["LEVELS", "Notice", "SessionBridge"]
