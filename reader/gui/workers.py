"""Run core jobs off the GUI thread; results, progress and errors come back as signals.

Core functions take ``progress(done, total)`` and ``cancelled()`` callbacks (long work is a
job); this adapts them to Qt. A failure comes back as a :class:`JobError` carrying the
exception the job raised (``error``), so a receiver can tell a ReaderError (say it) from a bug
(log it); ``str(job_error)`` is the one-line message to show.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import traceback
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

from reader.core.errors import ReaderError

log = logging.getLogger(__name__)


class JobError(Exception):
    """What a background job raised, brought back to the GUI thread."""

    def __init__(self, error: BaseException) -> None:
        self.error = error
        self.expected = isinstance(error, (ReaderError, OSError))  # the user's data, not a bug
        detail = "".join(traceback.format_exception_only(type(error), error)).strip()
        super().__init__(str(error) if isinstance(error, ReaderError) else detail)


class Job(QObject):
    """One background call: ``fn(progress, cancelled)``; emits exactly one of finished/failed."""

    progress = Signal(int, int)
    finished = Signal(object)
    #: a :class:`JobError` (its ``error`` is the exception the job raised)
    failed = Signal(object)

    def __init__(self, fn: Callable[[Callable[[int, int], None], Callable[[], bool]], Any],
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._fn = fn
        self._cancel = threading.Event()
        self.done = False
        self.error: JobError | None = None
        self._gone = threading.Event()  # the C++ object is being deleted: emit nothing more
        self.destroyed.connect(self._on_destroyed)  # a deleted owner wants no more work done

    def _on_destroyed(self, *_args: object) -> None:
        self._gone.set()
        self._cancel.set()

    def cancel(self) -> None:
        self._cancel.set()

    @property
    def cancelled(self) -> bool:
        """Whether Cancel was asked for (a finished job may still have stopped early)."""
        return self._cancel.is_set()

    def start(self, pool: QThreadPool | None = None) -> None:
        # The pool thread never emits on the Job itself: its owner may delete it (a window closed)
        # while the work runs, and a sender destroyed mid-emit crashes. It emits on a relay that
        # lives as long as the Job's Python side; Qt drops the relay's connections to a deleted Job.
        relay = _Relay()
        relay.progress.connect(self.progress)
        relay.finished.connect(self.finished)
        relay.failed.connect(self.failed)
        self._relay = relay
        fn, cancel, gone = self._fn, self._cancel, self._gone
        job = self

        def emit(signal: Any, *args: Any) -> None:
            if not gone.is_set():
                with contextlib.suppress(RuntimeError):
                    signal.emit(*args)

        class _Runner(QRunnable):
            def run(self) -> None:  # runs in a pool thread
                try:
                    result = fn(lambda done, total: emit(relay.progress, done, total), cancel.is_set)
                except Exception as exc:  # every failure goes back to the GUI thread, typed
                    error = JobError(exc)
                    if not error.expected:
                        log.error("background job failed", exc_info=exc)
                    else:  # a reason the owner shows the user; the traceback is for the debug log
                        log.debug("background job stopped: %s", exc, exc_info=exc)
                    job.error = error
                    job.done = True
                    emit(relay.failed, error)
                    return
                job.done = True
                emit(relay.finished, result)

        (pool or QThreadPool.globalInstance()).start(_Runner())


class _Relay(QObject):
    """The signals a pool thread emits for a :class:`Job` (see :meth:`Job.start`)."""

    progress = Signal(int, int)
    finished = Signal(object)
    failed = Signal(object)


__all__ = ["Job", "JobError"]
