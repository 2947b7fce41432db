"""The child-process runner: result, progress, errors and cancel come back over its pipes."""

from __future__ import annotations

import os
import time
from typing import Any

import pytest

from reader.core import background
from reader.core.errors import ReaderError


def counting(*, n: int, progress: Any = None, cancelled: Any = None) -> dict[str, int]:
    for i in range(1, n + 1):
        if progress is not None:
            progress(i, n)
    print("stray output goes to stderr, not into the message channel")
    return {"pid": os.getpid(), "n": n}


def failing(*, progress: Any = None, cancelled: Any = None) -> None:
    raise ReaderError("the corpus folder is gone")


def waiting(*, progress: Any = None, cancelled: Any = None) -> str:
    while not cancelled():
        time.sleep(0.01)
    raise ReaderError("stopped as asked")


def forking(*, progress: Any = None, cancelled: Any = None) -> int:
    import multiprocessing

    proc = multiprocessing.get_context("fork").Process(target=time.sleep, args=(0,))
    proc.start()  # its bootstrap closes sys.stdin: that once hung on a lock the watcher held
    proc.join(20)
    return proc.exitcode if proc.exitcode is not None else -1


def test_a_child_can_fork_workers() -> None:
    assert background.run(f"{__name__}:forking", {}) == 0


def test_the_result_and_progress_come_from_another_process() -> None:
    seen: list[tuple[int, int]] = []
    result = background.run(f"{__name__}:counting", {"n": 3}, lambda d, t: seen.append((d, t)))
    assert result["n"] == 3 and result["pid"] != os.getpid()
    assert seen and seen[-1] == (3, 3)


def test_the_childs_exception_is_raised_here() -> None:
    with pytest.raises(ReaderError, match="corpus folder is gone"):
        background.run(f"{__name__}:failing", {})


def test_cancel_reaches_the_child() -> None:
    started = time.monotonic()
    with pytest.raises(ReaderError, match="stopped as asked"):
        background.run(f"{__name__}:waiting", {}, None, lambda: time.monotonic() - started > 0.5)


def test_in_this_process_when_asked() -> None:
    assert background.run(f"{__name__}:counting", {"n": 1}, in_child=False)["pid"] == os.getpid()
