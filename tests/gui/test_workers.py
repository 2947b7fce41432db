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
    [record] = [r for r in caplog.records if r.name == "reader.gui.workers"]
    assert record.levelno == logging.DEBUG and record.exc_info is not None
    assert isinstance(record.exc_info[1], FileNotFoundError)


def test_a_bug_is_logged_as_an_error(qtbot, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.DEBUG, logger="reader.gui.workers"):
        error = _run_failing(qtbot, lambda progress, cancelled: {}["no such key"])
        qtbot.waitUntil(lambda: any(r.name == "reader.gui.workers" for r in caplog.records), timeout=5000)
    assert not error.expected
    [record] = [r for r in caplog.records if r.name == "reader.gui.workers"]
    assert record.levelno == logging.ERROR and isinstance(record.exc_info[1], KeyError)
