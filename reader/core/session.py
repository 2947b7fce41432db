"""One open corpus and everything built from it: the single owner both faces share.

Before the session, the window, the CLI commands and half the features each built their own
entity service, aligner or search engine from the context, so an alias added in one place was
unknown to the others until the corpus was read again. A :class:`Session` is now the only
place those are built. It owns, per open corpus:

* the corpus (scanned once; :meth:`reload` / :meth:`switch` are the one corpus-switching rule),
* the entity service (also registered for the search index's entity field),
* the framing engine, the search engine, the aligner,
* and, for the whole data folder, the notes store (it outlives a corpus switch).

Everything is built lazily on first use (startup builds none of it) and dropped when the
corpus changes. Changes are announced as typed events (:mod:`reader.core.events`) through
plain callbacks: ``session.subscribe(NotesChanged, fn)``. The session is Qt-free; the window
listens through :mod:`reader.gui.bridge`.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from reader.core.context import AppContext
from reader.core.corpus import Corpus
from reader.core.errors import ReaderError
from reader.core.events import (
    CorpusReloaded,
    DocumentsChanged,
    EntitiesEdited,
    EventHub,
    IndexUpdated,
    NotesAdded,
    NotesChanged,
    NotesRemoved,
    SettingsChanged,
)
from reader.core.paths import bundled_corpus_path
from reader.core.scan_cache import FILE_NAME as SCAN_CACHE_FILE

if TYPE_CHECKING:
    from reader.core.align.api import Aligner
    from reader.core.entities.api import EntityService
    from reader.core.framing.api import FramingService
    from reader.core.notes.store import NoteStore
    from reader.core.search.engine import SearchEngine

log = logging.getLogger(__name__)


def _ms(started: float) -> float:
    return (time.perf_counter() - started) * 1000

E = TypeVar("E")
Progress = Callable[[int, int], None]
Cancelled = Callable[[], bool]


class Session:
    """The open corpus of one run (CLI command or window) and the services built from it."""

    def __init__(self, ctx: AppContext) -> None:
        self.ctx = ctx
        self.paths = ctx.paths
        self.settings = ctx.settings
        self.events = EventHub()
        self._lock = threading.RLock()
        self._corpus: Corpus | None = None
        self._entities: EntityService | None = None
        self._framing: FramingService | None = None
        self._search: SearchEngine | None = None
        self._aligners: dict[bool, Aligner] = {}
        self._notes: NoteStore | None = None
        self._announced_root: Path | None = None  # the root of the last CorpusReloaded
        self.settings.on_change(lambda name, value: self.events.publish(SettingsChanged(name, value)))

    @classmethod
    def create(cls, corpus: str | None = None, data_dir: str | None = None, cache_dir: str | None = None,
               config_dir: str | None = None) -> Session:
        return cls(AppContext.create(corpus=corpus, data_dir=data_dir, cache_dir=cache_dir,
                                     config_dir=config_dir))

    # -- events -------------------------------------------------------------------
    def subscribe(self, event_type: type[E] | None, callback: Callable[[E], None]) -> Callable[[], None]:
        """``callback(event)`` on each event of ``event_type`` (None: every event); returns the unsubscribe."""
        return self.events.subscribe(event_type, callback)

    def unsubscribe(self, event_type: type[E] | None, callback: Callable[[E], None]) -> None:
        self.events.unsubscribe(event_type, callback)

    def publish(self, event: object) -> None:
        self.events.publish(event)

    # -- the corpus ---------------------------------------------------------------
    @property
    def corpus_root(self) -> Path:
        return self.ctx.corpus_root

    @property
    def corpus_key(self) -> str:
        return self.ctx.corpus_key

    @property
    def cache_dir(self) -> Path:
        return self.ctx.cache_dir

    @property
    def loaded(self) -> Corpus | None:
        """The corpus in use, or None before the first load (nothing is read here)."""
        return self._corpus

    def corpus(self, *, scan: bool = True) -> Corpus:
        """The current corpus, read on first use (raises CorpusError if unusable)."""
        with self._lock:
            if self._corpus is None:
                corpus = self.new_corpus()
                if scan:
                    corpus.scan()
                self._use(corpus)
                if self._announced_root is None:  # the first reading is the corpus a reload compares to
                    self._announced_root = Path(corpus.root)
            assert self._corpus is not None
            return self._corpus

    def new_corpus(self) -> Corpus:
        """A fresh, not yet scanned corpus at the current root: scan it (off the GUI thread), then
        :meth:`adopt` it. Raises CorpusError when the folder is not a corpus."""
        return Corpus(self.corpus_root, read_only=self.ctx.is_bundled,
                      scan_cache=self.cache_dir / SCAN_CACHE_FILE)

    def adopt(self, corpus: Corpus) -> Corpus:
        """Make a scanned corpus the session's: services rebuild on next use; CorpusReloaded."""
        with self._lock:
            previous = self._announced_root
            self._use(corpus)
            self._announced_root = Path(corpus.root)
        switched = previous is not None and not _same(previous, corpus.root)
        self.publish(CorpusReloaded(Path(corpus.root), switched=switched, previous_root=previous))
        return corpus

    def _use(self, corpus: Corpus) -> None:
        self._drop_services()
        self._corpus = corpus
        self.ctx.use_corpus(corpus)

    def _drop_services(self) -> None:
        from reader.core.entities.api import unregister_service

        if self._entities is not None:
            unregister_service(self._entities)
        self._entities = None
        self._framing = None
        self._search = None
        self._aligners = {}

    def reload(self, *, scan: bool = True) -> Corpus:
        """Read the same corpus again (Ctrl+R, after an import): every service is rebuilt."""
        with self._lock:
            self._corpus = None
            self.ctx.use_corpus(None)
            corpus = self.new_corpus()
        if scan:
            corpus.scan()
        return self.adopt(corpus)

    def switch(self, root: Path, *, remember: bool = True, persist: bool = True) -> None:
        """Make ``root`` the current corpus (the next :meth:`corpus` / :meth:`adopt` reads it).

        The one corpus-switching rule of both faces: the root becomes the override, the
        remembered corpus (and the recent list) follow unless ``remember`` is False, and
        every service of the old corpus is dropped.
        """
        root = Path(root).expanduser()
        with self._lock:
            self.ctx.corpus_override = root
            self._corpus = None
            self.ctx.use_corpus(None)
            self._drop_services()
        if remember:
            bundled = _same(root, bundled_corpus_path())
            self.settings.set("corpus.path", "" if bundled else str(root), save=persist)
            if not bundled:
                recent = [str(root)] + [p for p in self.settings.get("corpus.recent") if p != str(root)]
                self.settings.set("corpus.recent", recent[:10], save=persist)

    def fall_back_to_sample(self) -> None:
        """The chosen corpus cannot be read: use the bundled sample (not remembered)."""
        self.switch(bundled_corpus_path(), remember=False)

    # -- services (built here only, lazily, once per corpus) ----------------------
    @property
    def entities(self) -> EntityService:
        """The entity service of the current corpus: the one every face and feature edits."""
        with self._lock:
            if self._entities is None:
                from reader.core.entities.api import EntityService, register_service

                started = time.perf_counter()
                svc = EntityService.for_context(self.ctx)
                log.debug("entity service built for %s in %.0f ms", self.corpus_root, _ms(started))
                svc.listeners.append(self._on_entities_edited)
                register_service(self.corpus_root, svc)
                self._entities = svc
            return self._entities

    def entities_if_built(self) -> EntityService | None:
        return self._entities

    def _on_entities_edited(self, ids: tuple[str, ...]) -> None:
        self.publish(EntitiesEdited(tuple(ids)))

    @property
    def framing(self) -> FramingService:
        with self._lock:
            if self._framing is None:
                from reader.core.framing.api import FramingService

                started = time.perf_counter()
                self._framing = FramingService(self.paths.data_dir, self.cache_dir, self.corpus_root)
                log.debug("framing engine built in %.0f ms", _ms(started))
            return self._framing

    @property
    def search(self) -> SearchEngine:
        """The search engine of the current corpus (Whoosh here, or the team corpus in use)."""
        with self._lock:
            if self._search is None:
                from reader.core.search.service import open_engine

                self._search = open_engine(self.ctx, self.corpus())
                log.debug("search engine opened: %s", type(self._search).__name__)
            return self._search

    def forget_search(self) -> None:
        """Drop the engine (after a rebuild or a damaged index): the next use opens it again."""
        self._search = None

    def aligner(self, *, use_entities: bool = True) -> Aligner:
        with self._lock:
            if use_entities not in self._aligners:
                from reader.core.align.api import Aligner

                service: EntityService | None = None
                if use_entities:
                    try:
                        service = self.entities
                    except (ReaderError, OSError, ValueError) as exc:  # a broken gazetteer must not stop it
                        log.warning("aligning without entities: %s", exc)
                self._aligners[use_entities] = Aligner.for_context(self.ctx, use_entities=use_entities,
                                                                   service=service)
            return self._aligners[use_entities]

    @property
    def notes(self) -> NoteStore:
        """The notes database of the data folder (one for every corpus; opened on first use)."""
        with self._lock:
            if self._notes is None:
                from reader.core.notes.store import NoteStore

                self._notes = NoteStore.open(self.paths.data_dir)
                log.debug("notes store opened in %s (%d notes)", self.paths.data_dir, self._notes.count())
            return self._notes

    def use_notes(self, store: NoteStore) -> None:
        """Use an already opened store (a window that opened it with its own recovery dialog)."""
        self._notes = store

    def close_notes(self) -> None:
        """Close the notes store (taking its backup); the next use opens it again."""
        store, self._notes = self._notes, None
        if store is not None:
            store.close()

    def close(self) -> None:
        """End of the run: the search engine and the notes store are closed, the service unregistered."""
        from reader.core.entities.api import unregister_service

        if self._entities is not None:
            unregister_service(self._entities)
        search, self._search = self._search, None
        if search is not None:
            try:
                search.close()
            except (OSError, RuntimeError) as exc:
                log.warning("closing the search engine: %s", exc)
        self.close_notes()

    def __enter__(self) -> Session:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- announcing what the faces changed ------------------------------------------
    def documents_changed(self, doc_ids: Iterable[str] = ()) -> None:
        self.publish(DocumentsChanged(tuple(doc_ids)))

    def notes_added(self, note_ids: Iterable[str], doc_ids: Iterable[str] = ()) -> None:
        self.publish(NotesAdded(tuple(note_ids), tuple(doc_ids)))

    def notes_changed(self, note_ids: Iterable[str], doc_ids: Iterable[str] = ()) -> None:
        self.publish(NotesChanged(tuple(note_ids), tuple(doc_ids)))

    def notes_removed(self, note_ids: Iterable[str], doc_ids: Iterable[str] = ()) -> None:
        self.publish(NotesRemoved(tuple(note_ids), tuple(doc_ids)))

    def index_updated(self, report: Any = None) -> None:
        self.publish(IndexUpdated(report))


def _same(a: Path, b: Path) -> bool:
    try:
        return Path(a).resolve() == Path(b).resolve()
    except OSError:
        return str(a) == str(b)


__all__ = ["Session"]
