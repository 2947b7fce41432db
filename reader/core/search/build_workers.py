"""A full index build in worker processes: each reads, enriches and indexes its share of documents.

Why not Whoosh's own ``MpWriter``: it runs the per-document work (reading the file, canonical
text, entity spans) in the parent, one document at a time, and pickles every record to a temp
file for its workers, which then sat idle half the build. Here the parent only hands out
batches of document metadata; each worker loads the documents itself, computes the registered
fields, and writes a segment of its own with a :class:`~whoosh.writing.SegmentWriter`. The
parent adds the finished segments to the index's table of contents in one commit, so both
cores index all the time and the parent's thread (the GUI's, in the window) stays free.

Workers never outlive the app: each asks the kernel for SIGKILL when its parent dies
(``prctl(PR_SET_PDEATHSIG)`` on Linux) and a watchdog thread also polls the parent's pid, so a
``kill -9`` of the app leaves no worker blocked on a queue for ever.
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import os
import pickle
import queue
import signal
import sys
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from reader.core.document import DocumentMeta, build_document
from reader.core.errors import ReaderError
from reader.core.frontmatter import read_corpus_file
from reader.core.search.engine import IndexCancelled
from reader.core.search.records import Extra, section_records

log = logging.getLogger(__name__)

#: Documents per batch handed to a worker (small enough for smooth progress and balance).
BATCH = 40
#: A worker starts a new segment when its posting pool reaches this share of ``limitmb``.
ROLL_FRACTION = 0.9
#: How often a worker checks that its parent is still alive.
WATCH_SECONDS = 0.5

Progress = Callable[[int, int], None]
Cancelled = Callable[[], bool]
StateEntry = list[Any]


def file_state(path: Path, content_hash: str) -> StateEntry:
    """What the index remembers of a file: content hash, path, size, mtime, ctime, inode."""
    try:
        st = path.stat()
    except OSError:
        return [content_hash, str(path), -1, -1, -1, -1]
    return [content_hash, str(path), st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino]


def load_document(meta: DocumentMeta) -> Any:
    """A document read straight from its file (the corpus's own loader, without its cache)."""
    split, problems = read_corpus_file(meta.path)
    if split is None:
        raise ReaderError(f"{meta.id}: the file can no longer be read: " + "; ".join(p.message for p in problems))
    doc, _issues = build_document(meta, split.body, split.body_line)
    return doc


def extras_picklable(extras: Sequence[Extra]) -> bool:
    """Registered fields can run in workers only if their functions pickle (module-level)."""
    try:
        pickle.dumps(list(extras))
    except Exception:  # lambdas, closures: index them in this process instead
        return False
    return True


# -- parent-death check -------------------------------------------------------------------
def pid_alive(pid: int) -> bool:
    """Whether process ``pid`` still exists (a dead builder's debris may go; a living one's stays)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def die_with_parent(parent_pid: int) -> None:
    """Exit this process when ``parent_pid`` dies (kernel signal where possible, and a watchdog)."""
    if sys.platform.startswith("linux"):
        with contextlib.suppress(Exception):  # no libc or no prctl: the watchdog still works
            import ctypes

            libc = ctypes.CDLL(None, use_errno=True)
            pr_set_pdeathsig = 1
            libc.prctl(pr_set_pdeathsig, signal.SIGKILL, 0, 0, 0)

    def watch() -> None:
        while True:
            time.sleep(WATCH_SECONDS)
            # Reparented (to init or a subreaper) or gone: the app died without telling us.
            if os.getppid() != parent_pid or not pid_alive(parent_pid):
                os._exit(3)

    threading.Thread(target=watch, name="parallax-parent-watch", daemon=True).start()


# -- the worker ------------------------------------------------------------------------------
def worker_main(folder: str, indexname: str, jobs: Any, results: Any, cancel: Any, limitmb: int,
                parent_pid: int, extras: list[Extra], nice: int = 0) -> None:
    """One worker: index batches from ``jobs`` until ``None``, then report its segment."""
    die_with_parent(parent_pid)
    if nice:
        # Built from the window: the GUI process keeps the CPU it needs when the cores are busy
        # (at full priority two workers made the event loop wait up to 0.5 s on a loaded machine).
        try:
            os.nice(nice)
        except OSError as exc:
            log.info("index worker keeps its priority (%s)", exc)
    try:
        from whoosh.filedb.filestore import FileStorage

        from reader.core.search.writer import LeanSegmentWriter as SegmentWriter

        ix = FileStorage(folder).open_index(indexname)
        writer = SegmentWriter(ix, _lk=False, limitmb=limitmb)
        segments: list[Any] = []
        added = False
        roll_at = int(limitmb * 1024 * 1024 * ROLL_FRACTION)
        while True:
            try:
                batch = jobs.get(timeout=WATCH_SECONDS)
            except queue.Empty:
                if cancel.is_set():
                    break
                continue
            if batch is None or cancel.is_set():
                break
            state: dict[str, StateEntry] = {}
            for meta in batch:
                try:
                    doc = load_document(meta)
                except (ReaderError, OSError):
                    continue  # unreadable since the scan; the corpus reports it
                for record in section_records(doc, extras):
                    writer.add_document(**record)
                    added = True
                state[doc.id] = file_state(meta.path, doc.content_hash)
                if writer.pool.currentsize > roll_at:
                    # Close this segment before the posting pool spills to sorted runs on disk
                    # (pickling and re-reading every posting cost a fifth of the build).
                    segments.append(writer._finalize_segment())
                    writer = SegmentWriter(ix, _lk=False, limitmb=limitmb)
                    added = False
            results.put(("progress", len(batch), state))
        for extra in extras:
            if extra.flush is not None:
                extra.flush()
        if cancel.is_set() or not added:
            writer.cancel()
        else:
            segments.append(writer._finalize_segment())
        results.put(("done", [] if cancel.is_set() else segments))
    except BaseException as exc:  # reported to the parent, which fails the build cleanly
        results.put(("error", f"{type(exc).__name__}: {exc}"))


def _context() -> Any:
    """fork on Linux (as Whoosh's own writer did): no re-import of the main module, so it works
    from any script and from the bundle. Children touch no Qt and providers drop inherited locks
    and connections in ``os.register_at_fork`` hooks. Elsewhere: spawn."""
    if sys.platform.startswith("linux"):
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context("spawn")


def parallel_build(ix: Any, metas: Sequence[DocumentMeta], extras: list[Extra], procs: int, limitmb: int,
                   progress: Progress | None, cancelled: Cancelled | None, *, nice: int = 0) -> dict[str, StateEntry]:
    """Index ``metas`` into the empty index ``ix`` with ``procs`` workers; the per-document state."""
    ctx = _context()
    jobs = ctx.Queue()
    results = ctx.Queue()
    cancel = ctx.Event()
    folder = str(ix.storage.folder)
    for start in range(0, len(metas), BATCH):
        jobs.put(list(metas[start:start + BATCH]))
    for _ in range(procs):
        jobs.put(None)
    workers = [ctx.Process(target=worker_main, name=f"parallax-index-{n}", daemon=True,
                           args=(folder, ix.indexname, jobs, results, cancel, limitmb, os.getpid(), extras, nice))
               for n in range(procs)]
    for w in workers:
        w.start()
    state: dict[str, StateEntry] = {}
    segments: list[Any] = []
    finished = 0
    done_docs = 0
    total = len(metas)
    try:
        while finished < procs:
            if cancelled is not None and cancelled():
                cancel.set()
                raise IndexCancelled("indexing cancelled; the previous index is unchanged")
            try:
                message = results.get(timeout=0.1)
            except queue.Empty:
                if any(w.exitcode not in (None, 0) for w in workers):
                    raise ReaderError("an indexing worker stopped unexpectedly") from None
                continue
            if message[0] == "progress":
                done_docs += message[1]
                state.update(message[2])
                if progress is not None:
                    progress(min(done_docs, total), total)
            elif message[0] == "done":
                finished += 1
                segments.extend(message[1])
            else:
                raise ReaderError(f"indexing failed in a worker: {message[1]}")
        for w in workers:
            w.join(timeout=30)
    except BaseException:
        cancel.set()
        for w in workers:
            w.join(timeout=2)
            if w.is_alive():
                w.terminate()
                w.join(timeout=2)
        raise
    finally:
        jobs.cancel_join_thread()
        results.cancel_join_thread()
    writer = ix.writer()
    try:
        writer._close_segment()
        writer._commit_toc(list(writer.segments) + segments)
    finally:
        writer._finish()
    return state
