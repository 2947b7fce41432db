"""Background jobs: every failure reaches the GUI thread typed, and leaves a log line (an expected
one at debug level with its traceback, a bug at error level)."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from reader.gui.workers import Job, JobError

pytestmark = pytest.mark.gui


def _run_failing(qtbot, fn) -> JobError:
    job = Job(fn)
    with qtbot.waitSignal(job.failed, timeout=10000) as blocker:
        job.start()
    error = blocker.args[0]
    assert isinstance(error, JobError) and job.done and job.error is error
    return error


def test_an_expected_failure_is_logged_at_debug_with_its_traceback(qtbot, tmp_path: Path,
                                                                    caplog: pytest.LogCaptureFixture) -> None:
    missing = tmp_path / "gone.txt"
    with caplog.at_level(logging.DEBUG, logger="reader.gui.workers"):
        error = _run_failing(qtbot, lambda progress, cancelled: missing.read_text(encoding="utf-8"))
        qtbot.waitUntil(lambda: any(r.name == "reader.gui.workers" for r in caplog.records), timeout=5000)
    assert error.expected and "gone.txt" in str(error)
    # (a job of an earlier test in this process may log too: this job's record is the one about gone.txt)
    [record] = [r for r in caplog.records if r.name == "reader.gui.workers" and "gone.txt" in r.getMessage()]
    assert record.levelno == logging.DEBUG and record.exc_info is not None
    assert isinstance(record.exc_info[1], FileNotFoundError)


def test_a_bug_is_logged_as_an_error(qtbot, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.DEBUG, logger="reader.gui.workers"):
        error = _run_failing(qtbot, lambda progress, cancelled: {}["no such key"])
        qtbot.waitUntil(lambda: any(r.name == "reader.gui.workers" for r in caplog.records), timeout=5000)
    assert not error.expected
    [record] = [r for r in caplog.records if r.name == "reader.gui.workers"]
    assert record.levelno == logging.ERROR and isinstance(record.exc_info[1], KeyError)


def test_signals_arrive_on_the_gui_thread_with_progress_coalesced(qtbot) -> None:
    """A worker thread never emits (that deadlocked PySide once): the GUI thread does, and a
    burst of progress reaches the receiver as its newest figure, never out of order."""
    from PySide6.QtCore import QThread

    gui = QThread.currentThread()
    seen: list[tuple[int, int]] = []
    threads: list[bool] = []

    def work(progress, cancelled):
        for n in range(1, 5001):
            progress(n, 5000)
        return "ok"

    job = Job(work)
    job.progress.connect(lambda done, total: (seen.append((done, total)),
                                              threads.append(QThread.currentThread() is gui)))
    with qtbot.waitSignal(job.finished, timeout=10000) as blocker:
        job.start()
    assert blocker.args == ["ok"] and job.done
    assert seen and seen[-1] == (5000, 5000) and len(seen) < 1000
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)
    assert all(threads)


def test_jobs_finish_while_the_gui_thread_keeps_connecting_signals(qtbot) -> None:
    """The deadlock's shape: workers report as fast as they can while the GUI thread builds
    widgets and connects their signals. Every job must end, and quickly."""
    from PySide6.QtWidgets import QComboBox

    from reader.gui.workers import wait_for_jobs

    def work(progress, cancelled):
        for n in range(20000):
            progress(n, 20000)
        return n

    jobs = [Job(work) for _ in range(4)]
    ended: list[object] = []
    for job in jobs:
        job.finished.connect(ended.append)
        job.start()
    combos = []
    for _ in range(300):
        box = QComboBox()
        box.currentIndexChanged.connect(lambda _i: None)
        box.addItems(["a", "b"])
        combos.append(box)
    assert wait_for_jobs(30)
    assert ended == [19999] * 4


def test_a_deleted_owner_gets_nothing_and_does_not_hold_up_waiting(qtbot) -> None:
    from PySide6.QtCore import QObject

    from reader.gui.workers import wait_for_jobs

    release = __import__("threading").Event()
    owner = QObject()
    job = Job(lambda progress, cancelled: release.wait(10) and "late", owner)
    got: list[object] = []
    job.finished.connect(got.append)
    job.start()
    owner.deleteLater()
    qtbot.waitUntil(lambda: job.cancelled, timeout=5000)  # the owner's deletion cancels it
    assert wait_for_jobs(5)  # nobody wants the result: no wait for the worker
    release.set()
    qtbot.wait(100)
    assert got == []


def test_waiting_reports_a_job_that_outlasts_the_timeout(qtbot) -> None:
    import threading

    from reader.gui.workers import wait_for_jobs

    release = threading.Event()
    job = Job(lambda progress, cancelled: release.wait(10))
    job.start()
    try:
        assert wait_for_jobs(0.3) is False
    finally:
        release.set()
    assert wait_for_jobs(10) and job.done


def test_a_job_nobody_keeps_is_deleted_on_the_gui_thread(qtbot) -> None:
    """A job whose last Python reference goes while it runs is deleted on the GUI thread once its
    result is out. It used to die on the pool thread (the runner held it last): its ``destroyed``
    was queued to the freed object and the window crashed at start-up about one run in three."""
    import threading
    import time

    from PySide6.QtCore import Qt

    from reader.gui.workers import wait_for_jobs

    where: list[str] = []
    results: list[object] = []
    for _ in range(5):
        job = Job(lambda progress, cancelled: time.sleep(0.05) or "done")
        job.finished.connect(results.append)
        job.destroyed.connect(lambda *_: where.append(threading.current_thread().name),
                              Qt.ConnectionType.DirectConnection)  # runs on the thread that deletes it
        job.start()
        del job  # only the pool's runner and the pump hold it now
    assert wait_for_jobs(timeout_s=20)
    qtbot.waitUntil(lambda: len(where) == 5, timeout=5000)
    assert results == ["done"] * 5
    assert set(where) == {threading.main_thread().name}
