"""The CLI's one progress printer: a rewritten terminal line, quiet in a pipe unless asked."""

from __future__ import annotations

import io

import pytest

import reader.commands.progress as progress_module
from reader.commands.progress import StderrProgress


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    now = [100.0]
    monkeypatch.setattr(progress_module.time, "monotonic", lambda: now[0])
    return now


def test_a_terminal_line_is_rewritten_at_most_ten_times_a_second_with_rate_and_time_left(clock) -> None:
    out = Terminal()
    progress = StderrProgress("indexing", stream=out)
    for done in range(1, 1001):
        clock[0] += 0.002  # 1,000 documents in 2 s
        progress(done, 2000)
    writes = out.getvalue().split("\r")[1:]
    assert 15 <= len(writes) <= 25  # 2 s at ten a second, not a thousand
    assert writes[-1].startswith("indexing: 9") and writes[-1].endswith("/2,000 (500/s, about 2 s left)\x1b[K")
    assert "\n" not in out.getvalue()
    progress(2000, 2000)
    assert out.getvalue().endswith("indexing: 2,000/2,000\x1b[K\n")
    progress(2000, 2000)  # the same final figure again prints nothing
    assert out.getvalue().count("\n") == 1


def test_in_a_pipe_it_is_silent_unless_asked_for_lines(clock) -> None:
    quiet, sparse = io.StringIO(), io.StringIO()
    plain = StderrProgress("indexing", stream=quiet)
    every = StderrProgress("importing", every=25, stream=sparse)
    for done in range(1, 61):
        plain(done, 60)
        every(done, 60)
    assert quiet.getvalue() == ""
    assert sparse.getvalue().splitlines() == ["importing: 25/60", "importing: 50/60", "importing: 60/60"]


def test_phases_and_work_stopped_short(clock) -> None:
    out = Terminal()
    progress = StderrProgress("pushing", stream=out)
    progress("documents", 10, 10)  # leading arguments (a phase name) are ignored
    progress("notes", 1, 4)
    progress.finish()  # cancelled: the open line is ended
    assert out.getvalue().endswith("pushing: 1/4\x1b[K\n")
    StderrProgress("x", quiet=True, stream=out)(1, 2)
    assert "x:" not in out.getvalue()
