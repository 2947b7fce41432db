"""Run core jobs off the GUI thread; results, progress and errors come back as signals.

Core functions take ``progress(done, total)`` and ``cancelled()`` callbacks (long work is a
job); this adapts them to Qt. A failure comes back as a :class:`JobError` carrying the
exception the job raised (``error``), so a receiver can tell a ReaderError (say it) from a bug
(log it); ``str(job_error)`` is the one-line message to show.

Why the worker threads never touch Qt: emitting a signal from a pool thread deadlocked the
window (rarely, once in a CI run). The pool thread held a Qt connection lock while PySide
waited for the GIL to look up a Python override, and the GUI thread held the GIL while it waited
for that lock to connect a combo box. So a worker only puts what it has to say into a plain
Python queue, and a timer on the GUI thread (:class:`_Pump`, running only while jobs are out)
emits the signals there. A burst of progress is coalesced.
"""

from __future__ import annotations

import logging
import queue
import sys
import threading
import time
import traceback
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QCoreApplication, QObject, QRunnable, QThreadPool, QTimer, Signal

from reader.core.errors import ReaderError

log = logging.getLogger(__name__)

#: How often the GUI thread collects what jobs said, while any is out (ms).
PUMP_INTERVAL_MS = 15
#: The GIL's switch interval while jobs run beside the GUI thread (s). The GUI thread takes the
#: GIL back for every Python override Qt calls (a delegate's paint, a model's data()); with a
#: job running Python, each take waited up to CPython's default 5 ms, and painting 100 result
#: rows while a search or warm-up ran took 100-300 ms. At 0.2 ms a job gives it up 25 times
#: sooner (measured: a 3-pane compare's alignment layers 83 -> 5 ms of GUI time); a job pays only
#: while the GUI thread asks for the GIL.
GIL_SWITCH_S = 0.0002


class JobError(Exception):
    """What a background job raised, brought back to the GUI thread."""

    def __init__(self, error: BaseException) -> None:
        self.error = error
        self.expected = isinstance(error, (ReaderError, OSError))  # the user's data, not a bug
        detail = "".join(traceback.format_exception_only(type(error), error)).strip()
        super().__init__(str(error) if isinstance(error, ReaderError) else detail)


class Job(QObject):
    """One background call: ``fn(progress, cancelled)``; emits exactly one of finished/failed.

    A job is only ever deleted on the GUI thread. Without an owner (``parent``) the pump owns it
    and deletes it (``deleteLater``) once its result is delivered. Why: the pool thread's runner
    holds the job until ``run`` returns, and a parentless job whose last Python reference died
    there was destroyed on the pool thread; its ``destroyed`` signal was queued to the freed
    object and the window crashed (seen at start-up, about one run in three, in a compare's
    word-weight job).
    """

    progress = Signal(int, int)
    finished = Signal(object)
    #: a :class:`JobError` (its ``error`` is the exception the job raised)
    failed = Signal(object)

    def __init__(self, fn: Callable[[Callable[[int, int], None], Callable[[], bool]], Any],
                 parent: QObject | None = None) -> None:
        pump = _Pump.instance()
        super().__init__(parent if parent is not None else pump)
        self._fn = fn
        self._cancel = threading.Event()
        self.done = False
        self.error: JobError | None = None
        self._gone = threading.Event()  # the C++ object is being deleted: emit nothing more
        # A deleted owner wants no more work done. Not a method of ``self``: by the time Qt emits
        # ``destroyed`` PySide has let go of this object's Python side and would drop the call.
        gone, cancel = self._gone, self._cancel

        def owner_gone(*_args: object) -> None:
            gone.set()
            cancel.set()

        self.destroyed.connect(owner_gone)

    def cancel(self) -> None:
        self._cancel.set()

    @property
    def cancelled(self) -> bool:
        """Whether Cancel was asked for (a finished job may still have stopped early)."""
        return self._cancel.is_set()

    def start(self, pool: QThreadPool | None = None) -> None:
        """Run the job in ``pool`` (the global pool by default); call on the GUI thread."""
        if sys.getswitchinterval() > GIL_SWITCH_S:
            sys.setswitchinterval(GIL_SWITCH_S)
        pump = _Pump.instance()
        pump.adopt(self)
        fn, cancel, outbox = self._fn, self._cancel, pump.outbox
        job = self

        class _Runner(QRunnable):
            def run(self) -> None:  # runs in a pool thread: plain Python only, no Qt
                try:
                    result = fn(lambda done, total: outbox.put((job, "progress", (done, total))),
                                cancel.is_set)
                except Exception as exc:  # every failure goes back to the GUI thread, typed
                    error = JobError(exc)
                    if not error.expected:
                        log.error("background job failed", exc_info=exc)
                    else:  # a reason the owner shows the user; the traceback is for the debug log
                        log.debug("background job stopped: %s", exc, exc_info=exc)
                    job.error = error
                    outbox.put((job, "failed", error))
                    return
                outbox.put((job, "finished", result))

        (pool or QThreadPool.globalInstance()).start(_Runner())


class _Pump(QObject):
    """The GUI thread's end of the jobs' queue: emits what the workers said, in order."""

    _instance: _Pump | None = None

    def __init__(self) -> None:
        super().__init__()
        self.outbox: queue.SimpleQueue[tuple[Job, str, Any]] = queue.SimpleQueue()
        #: started jobs not yet ended (a job without an owner is also this pump's Qt child)
        self.out: set[Job] = set()
        self.timer = QTimer(self)
        self.timer.setInterval(PUMP_INTERVAL_MS)
        self.timer.timeout.connect(self.drain)

    @classmethod
    def instance(cls) -> _Pump:
        if cls._instance is None:
            cls._instance = cls()
            app = QCoreApplication.instance()
            if app is not None:  # the pump lives as long as the application
                app.aboutToQuit.connect(cls._instance.cancel_all)
        return cls._instance

    def adopt(self, job: Job) -> None:
        self.out.add(job)
        if not self.timer.isActive():
            self.timer.start()

    def cancel_all(self) -> None:
        """Quitting: ask every job to stop (their work checks ``cancelled`` often)."""
        for job in list(self.out):
            job._cancel.set()

    def drain(self) -> None:
        """Emit everything the workers have said since the last tick."""
        items: list[tuple[Job, str, Any]] = []
        while True:
            try:
                items.append(self.outbox.get_nowait())
            except queue.Empty:
                break
        # Of a job's progress in this batch only the newest figure short of the total and the
        # newest complete one are emitted: a burst costs two signals, and a bar still shows up.
        keep: dict[tuple[Job, bool], int] = {}
        for n, (job, kind, payload) in enumerate(items):
            if kind == "progress":
                keep[(job, payload[0] >= payload[1])] = n
        ended: list[Job] = []
        for n, (job, kind, payload) in enumerate(items):
            if kind == "progress" and keep[(job, payload[0] >= payload[1])] != n:
                continue
            if kind != "progress":
                job.done = True
                self.out.discard(job)
            if job._gone.is_set():
                continue
            if kind != "progress" and job.parent() is self:  # nobody owns it: it goes once its answer is out
                ended.append(job)
            try:
                if kind == "progress":
                    job.progress.emit(*payload)
                elif kind == "finished":
                    job.finished.emit(payload)
                else:
                    job.failed.emit(payload)
            except RuntimeError:  # its C++ side was deleted without the destroyed signal reaching us
                log.debug("a background job's owner is gone; its %s is dropped", kind)
        for job in ended:
            job.deleteLater()
        if not self.out and self.outbox.empty():
            self.timer.stop()

    def busy(self) -> bool:
        """Whether a job is still out whose owner still wants its result."""
        return any(not job._gone.is_set() for job in self.out) or not self.outbox.empty()


def wait_for_jobs(timeout_s: float = 20.0, settle_passes: int = 3) -> bool:
    """Run the event loop until no job is out (a delivered result may start the next job:
    idle for ``settle_passes`` passes in a row); False if ``timeout_s`` passed first.

    For the screenshot mode and tests: a window must not be judged (or closed) half-way through
    the work its first frame started.
    """
    pump = _Pump.instance()
    deadline = time.monotonic() + timeout_s
    quiet = 0
    while quiet < settle_passes:
        pump.drain()
        QCoreApplication.processEvents()
        if pump.busy():
            quiet = 0
            if time.monotonic() >= deadline:
                return False
            time.sleep(0.01)
        else:
            quiet += 1
    return True


__all__ = ["Job", "JobError", "wait_for_jobs"]
