"""The window's heavy jobs as child-process targets (see :mod:`reader.core.background`).

Each rebuilds a :class:`~reader.core.session.Session` from the run's folders, so the child uses
the same settings, overlays, derived store and index as the window, and returns only what the
window shows (a report, a table of counts): nothing here holds the window's objects.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from reader.core.background import Cancelled, ContextSpec, Progress
from reader.core.errors import ReaderError

if TYPE_CHECKING:
    from reader.core.document import Document
    from reader.core.search.engine import UpdateReport

log = logging.getLogger(__name__)


def _session(spec: ContextSpec) -> Any:
    from reader.core.session import Session

    return Session(spec.context())


def index_corpus(*, spec: ContextSpec, rebuild: bool = False, reason: str = "", nice: int = 0,
                 progress: Progress | None = None, cancelled: Cancelled | None = None) -> UpdateReport:
    """Update (or rebuild) the corpus's search index, as the window's indexing job does."""
    session = _session(spec)
    try:
        corpus = session.corpus()
        session.entities  # noqa: B018 - registered for the index's entity field, as in the window
        engine = session.search
        if hasattr(engine, "worker_nice"):
            engine.worker_nice = nice
        if rebuild or reason:
            return engine.build(corpus, progress, cancelled, reason=reason or "rebuild requested")
        return engine.update(corpus, progress, cancelled)
    finally:
        with contextlib.suppress(Exception):
            session.close()


def recognise_and_count(svc: Any, corpus: Any, progress: Progress | None = None,
                        cancelled: Cancelled | None = None) -> tuple[bool, dict[str, dict[str, int]]]:
    """The one rule of a recount, in a child or a pool thread: recognise names where the corpus
    needs it, then count mentions per entity and document: ``(recognised, counts)``."""
    ids = [m.id for m in corpus.metas()]

    def load() -> Iterator[Document]:
        for doc_id in ids:
            with contextlib.suppress(ReaderError):
                yield corpus.document(doc_id)

    if not svc.recognition:  # counting alone streams: one document in memory at a time
        return False, svc.counts(load(), None, cancelled)
    docs = list(load())  # recognition batches every text to its worker processes
    recognised = False
    if svc.needs_recognition(docs):
        svc.recognise(docs, progress, cancelled)
        recognised = True
        if progress is not None:
            progress(len(docs), len(docs))
    return recognised, svc.counts(docs, None, cancelled)


def entity_counts(*, spec: ContextSpec, progress: Progress | None = None,
                  cancelled: Cancelled | None = None) -> tuple[bool, dict[str, dict[str, int]]]:
    """Recognise names where the corpus needs it, then count mentions: ``(recognised, counts)``."""
    session = _session(spec)
    try:
        corpus = session.corpus()
        return recognise_and_count(session.entities, corpus, progress, cancelled)
    finally:
        with contextlib.suppress(Exception):
            session.close()


def alignment_stats(*, spec: ContextSpec, progress: Progress | None = None,
                    cancelled: Cancelled | None = None) -> bool:
    """Build and store the corpus word weights alignment needs (False if cancelled)."""
    session = _session(spec)
    try:
        session.corpus()
        return bool(session.aligner().prepare_stats(progress, cancelled))
    finally:
        with contextlib.suppress(Exception):
            session.close()


def alignment_pairs(*, spec: ContextSpec, pairs: list[tuple[str, str]], progress: Progress | None = None,
                    cancelled: Cancelled | None = None) -> dict[tuple[str, str], Any]:
    """Align each pair of documents (ids) and store it in the alignment cache; the results keyed
    by the two texts' content hashes, as the window keys them (a pair whose document is gone or
    unreadable is left out, and the window aligns it itself)."""
    session = _session(spec)
    try:
        corpus = session.corpus()
        aligner = session.aligner()
        done: dict[tuple[str, str], Any] = {}
        for n, (a_id, b_id) in enumerate(pairs):
            if cancelled is not None and cancelled():
                break
            try:
                a, b = corpus.document(a_id), corpus.document(b_id)
            except ReaderError:
                continue
            done[(a.content_hash, b.content_hash)] = aligner.align(a, b)
            if progress is not None:
                progress(n + 1, len(pairs))
        return done
    finally:
        with contextlib.suppress(Exception):
            session.close()
