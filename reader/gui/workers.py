"""Run core jobs off the GUI thread; results and progress come back as signals.

Core functions take ``progress(done, total)`` and ``cancelled()`` callbacks
(see DESIGN-NOTES: long work is a job); this adapts them to Qt.
"""

from __future__ import annotations

import contextlib
import threading
import traceback
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal


class Job(QObject):
    """One background call: ``fn(progress, cancelled)``; emits exactly one of finished/failed."""

    progress = Signal(int, int)
    finished = Signal(object)
    failed = Signal(str)

    def __init__(self, fn: Callable[[Callable[[int, int], None], Callable[[], bool]], Any],
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._fn = fn
        self._cancel = threading.Event()
        self.done = False
        self.destroyed.connect(self._cancel.set)  # a deleted owner wants no more work done

    def cancel(self) -> None:
        self._cancel.set()

    @property
    def cancelled(self) -> bool:
        """Whether Cancel was asked for (a finished job may still have stopped early)."""
        return self._cancel.is_set()

    def _progress(self, done: int, total: int) -> None:
        self._emit(self.progress, done, total)

    @staticmethod
    def _emit(signal: Any, *args: Any) -> None:
        """Emit unless the receiver's owner is gone (a window closed while the job ran)."""
        with contextlib.suppress(RuntimeError):
            signal.emit(*args)

    def start(self, pool: QThreadPool | None = None) -> None:
        job = self

        class _Runner(QRunnable):
            def run(self) -> None:  # runs in a pool thread
                try:
                    result = job._fn(job._progress, job._cancel.is_set)
                except Exception as exc:
                    job.done = True
                    detail = "".join(traceback.format_exception_only(type(exc), exc)).strip()
                    job._emit(job.failed, detail)
                    return
                job.done = True
                job._emit(job.finished, result)

        (pool or QThreadPool.globalInstance()).start(_Runner())
