"""Running the recogniser over many documents: cached per content hash, on both cores, with progress.

Recognised mentions are derived data: rows of kind ``ner-mentions`` in the corpus's derived store,
keyed by the document's content hash under the model's fingerprint, written in batches. A
document already recognised by this model is never read again; a changed document (new hash) or
a new model (new fingerprint) is. Large jobs run in worker processes (``spawn``: safe beside a Qt
application, and the model is loaded once per worker); small ones in the calling thread, where
starting processes would cost more than it saves. A frozen bundle (PyInstaller) recognises in the
calling thread too: a spawned child there re-runs the whole app unless its entry point calls
``multiprocessing.freeze_support()``.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from reader.core.derived import DerivedStore
from reader.core.document import Document

if TYPE_CHECKING:
    from concurrent.futures import Future

log = logging.getLogger(__name__)

NER_KIND = "ner-mentions"
TABLE_KIND = "ner-table"
BATCH_DOCS = 16  # documents per worker task and per store write
POOL_MIN_WORDS = 60_000  # below this, one thread beats starting worker processes

Progress = Callable[[int, int], None]


def recognise_missing(store: DerivedStore, docs: Sequence[Document], *, progress: Progress | None = None,
                      cancelled: Callable[[], bool] | None = None,
                      workers: int = 2) -> tuple[dict[str, list[Any]], int]:
    """Recognised spans of every document by content hash (cached or computed now), and how many
    documents had to be recognised."""
    from reader.core.entities.recogniser import model_fingerprint, recognise_batch

    fingerprint = model_fingerprint()
    by_hash: dict[str, Document] = {}
    for d in docs:
        by_hash.setdefault(d.content_hash, d)
    found: dict[str, list[Any]] = dict(store.get_many(NER_KIND, list(by_hash), fingerprint))
    missing = [h for h in by_hash if h not in found]
    total = len(by_hash)
    done = total - len(missing)
    if progress is not None:
        progress(done, total)
    if not missing:
        return found, 0
    batches = [missing[i:i + BATCH_DOCS] for i in range(0, len(missing), BATCH_DOCS)]
    words = sum(by_hash[h].text.count(" ") for h in missing)

    def finish(batch: list[str], spans: list[list[Any]]) -> None:
        nonlocal done
        values = {h: [list(s) for s in sp] for h, sp in zip(batch, spans, strict=True)}
        store.put_many(NER_KIND, values, fingerprint)
        found.update(values)
        done += len(batch)
        if progress is not None:
            progress(done, total)

    frozen = bool(getattr(sys, "frozen", False))
    if workers <= 1 or words < POOL_MIN_WORDS or len(batches) < 2 or frozen:
        for batch in batches:
            if cancelled is not None and cancelled():
                break
            finish(batch, recognise_batch([by_hash[h].text for h in batch]))
        return found, done - (total - len(missing))
    import multiprocessing  # loaded when recognition runs, not when the window starts
    from concurrent.futures import ProcessPoolExecutor

    ctx = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=workers, mp_context=ctx) as pool:
        futures: list[tuple[list[str], Future[list[list[Any]]]]] = [
            (batch, pool.submit(recognise_batch, [by_hash[h].text for h in batch])) for batch in batches]
        for batch, fut in futures:
            if cancelled is not None and cancelled():
                for _b, f in futures:
                    f.cancel()
                break
            finish(batch, fut.result())
    return found, done - (total - len(missing))
