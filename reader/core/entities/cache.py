"""Mention spans cached per document content hash (and per entity-list fingerprint).

Spans are derived data: they live in the corpus's :class:`~reader.core.derived.DerivedStore`
(one SQLite file, ``synchronous=OFF``), never in a file per document written with fsyncs
like user data (that cost 11 s of a 26 s index build). Puts are buffered and written in
batches of :data:`BATCH`; :meth:`SpanCache.flush` writes the rest (the index build calls it
at the end of each worker's share). A crash loses at most the unflushed batch, which is
simply computed again. Deleting the folder loses nothing.
"""

from __future__ import annotations

import atexit
import logging
import os
import threading
import weakref
from pathlib import Path

from reader.core.derived import DerivedStore

log = logging.getLogger(__name__)

Spans = list[tuple[int, int, str]]
KIND = "entity-spans"
#: Puts kept back before one batched write.
BATCH = 200

_live: weakref.WeakSet[SpanCache] = weakref.WeakSet()


class SpanCache:
    """``content hash -> spans`` under one fingerprint; the store lives in ``folder``'s parent.

    ``folder`` is the entities cache folder (``<corpus cache>/entities``) callers have always
    passed; the derived store is the corpus cache folder's single file beside it.
    """

    def __init__(self, folder: Path | None) -> None:
        self.folder = folder
        self.store = DerivedStore(None if folder is None else Path(folder).parent)
        self._pending: dict[str, Spans] = {}
        self._pending_fp = ""
        self._lock = threading.Lock()
        _live.add(self)

    def get(self, content_hash: str, fingerprint: str) -> Spans | None:
        with self._lock:
            if fingerprint == self._pending_fp and content_hash in self._pending:
                return self._pending[content_hash]
        raw = self.store.get(KIND, content_hash, fingerprint)
        if raw is None:
            return None
        try:
            return [(int(s), int(e), str(i)) for s, e, i in raw]
        except (TypeError, ValueError):
            return None  # a damaged row is a miss

    def put(self, content_hash: str, fingerprint: str, spans: Spans) -> None:
        with self._lock:
            if fingerprint != self._pending_fp:
                self._flush_locked()
                self._pending_fp = fingerprint
            self._pending[content_hash] = list(spans)
            if len(self._pending) >= BATCH:
                self._flush_locked()

    def flush(self) -> None:
        """Write the buffered spans in one transaction."""
        with self._lock:
            self._flush_locked()

    def _flush_locked(self) -> None:
        if self._pending:
            batch, self._pending = self._pending, {}
            self.store.put_many(KIND, batch, self._pending_fp)

    def clear_memory(self) -> None:
        self.flush()
        self.store.clear_memory()


def _after_fork_in_child() -> None:
    """An index worker forked from the app must not share the app's SQLite connections or
    locks (another thread may hold one at the fork): its caches start afresh."""
    global _live
    for cache in list(_live):
        cache._lock = threading.Lock()
        cache._pending = {}
        cache.store = DerivedStore(cache.store.path.parent if cache.store.path is not None else None)
    _live = weakref.WeakSet(_live)


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)


def flush_all() -> None:
    """Write every cache's pending batch (worker processes call this before they exit)."""
    for cache in list(_live):
        try:
            cache.flush()
        except Exception as exc:  # a cache is only an accelerator: never fail the caller
            log.warning("entity span cache flush failed: %s", exc, exc_info=True)


atexit.register(flush_all)
