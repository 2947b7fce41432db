"""What a session announces when something changes, and the plain-callback hub that carries it.

Every change the faces care about is one frozen dataclass carrying *what* changed (ids, not
"something changed"), so a listener updates only that: a note edit repaints one note, an
alias added to one entity reaches every pane that shows it. The hub is Qt-free on purpose:
the CLI and the tests listen with plain functions; the window listens through
:mod:`reader.gui.bridge`, which turns each event into a queued Qt signal.

Callbacks run synchronously on the thread that published the event. A listener that raises
is logged and skipped: one broken view must not stop the others hearing about a change.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class CorpusReloaded:
    """A corpus was (re)loaded: ``switched`` when it is another corpus than before."""

    root: Path
    switched: bool = False
    previous_root: Path | None = None


@dataclass(frozen=True)
class DocumentsChanged:
    """Documents were added, edited or removed on disk (metadata edits, imports)."""

    doc_ids: tuple[str, ...] = ()


@dataclass(frozen=True)
class EntitiesEdited:
    """The entity list changed (an alias, a merge, a rename, an undo...): the entities concerned.

    An empty ``entity_ids`` means "any entity may have changed" (a reload, recognition).
    """

    entity_ids: tuple[str, ...] = ()


@dataclass(frozen=True)
class NotesAdded:
    note_ids: tuple[str, ...]
    doc_ids: tuple[str, ...] = ()


@dataclass(frozen=True)
class NotesChanged:
    note_ids: tuple[str, ...]
    doc_ids: tuple[str, ...] = ()


@dataclass(frozen=True)
class NotesRemoved:
    note_ids: tuple[str, ...]
    doc_ids: tuple[str, ...] = ()


@dataclass(frozen=True)
class IndexUpdated:
    """The search index was built or brought up to date (``report`` is the engine's UpdateReport)."""

    report: Any = None


@dataclass(frozen=True)
class SettingsChanged:
    name: str
    value: object = None


Event = (CorpusReloaded | DocumentsChanged | EntitiesEdited | NotesAdded | NotesChanged | NotesRemoved
         | IndexUpdated | SettingsChanged)

#: every event type, in the order the bridge declares its signals
EVENT_TYPES: tuple[type, ...] = (CorpusReloaded, DocumentsChanged, EntitiesEdited, NotesAdded, NotesChanged,
                                 NotesRemoved, IndexUpdated, SettingsChanged)

E = TypeVar("E")
Listener = Callable[[Any], None]


@dataclass
class EventHub:
    """Subscribe a callback to one event type (or to every event with ``None``); publish events."""

    _listeners: dict[type | None, list[Listener]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def subscribe(self, event_type: type[E] | None, callback: Callable[[E], None]) -> Callable[[], None]:
        """Call ``callback(event)`` for each published event of ``event_type``; returns the unsubscribe."""
        with self._lock:
            self._listeners.setdefault(event_type, []).append(callback)
        return lambda: self.unsubscribe(event_type, callback)

    def unsubscribe(self, event_type: type[E] | None, callback: Callable[[E], None]) -> None:
        with self._lock:
            listeners = self._listeners.get(event_type, [])
            if callback in listeners:
                listeners.remove(callback)

    def publish(self, event: object) -> None:
        with self._lock:
            listeners = [*self._listeners.get(type(event), []), *self._listeners.get(None, [])]
        for callback in listeners:
            try:
                callback(event)
            except Exception:  # a broken listener must not silence the others
                log.exception("listener %r failed on %r", callback, event)

    def listener_count(self) -> int:
        with self._lock:
            return sum(len(v) for v in self._listeners.values())


__all__ = ["EVENT_TYPES", "CorpusReloaded", "DocumentsChanged", "EntitiesEdited", "Event", "EventHub",
           "IndexUpdated", "NotesAdded", "NotesChanged", "NotesRemoved", "SettingsChanged"]
