"""Run heavy Python work in a child process: progress, cancel and the result over its pipes.

Why a process and not a thread: every thread of the window's process shares one GIL, so Python
work in any of them (an index writer, the queue-feeder threads of its workers, pickling their
batches, an entity recount) takes the interpreter away from the GUI thread for whole seconds at
20,000 documents. A child process has its own interpreter; the calling thread only waits on a
pipe (which releases the GIL), so the GUI thread keeps it.

The child is a fresh interpreter (``python -m reader.core.background``), not a fork of the
window: a fork would inherit locks other threads of the window held at that moment (the entity
service's, the engine's) and Qt's state. It rebuilds what it needs from the folders of the run
(:func:`context_spec`), so it reads the same settings, overlays, caches and index.

Protocol: the parent writes one pickled ``(target, kwargs, nice)`` (length first) to the child's stdin, then a single
byte ``c`` to ask it to stop; the child writes pickled messages to its stdout, which it keeps for
itself (stray prints go to stderr): ``("progress", done, total)`` (at most every 0.1 s), then
one ``("result", value)`` or ``("error", exception)``. The child leaves with ``os._exit`` right
after its last message, so no exit handler (multiprocessing's joins of queue-feeder threads
above all) can keep it alive; a child that does not leave when told to is killed.

Where no child can be started (a frozen bundle, whose executable is the app itself) the work
runs in the calling thread, as before.
"""

from __future__ import annotations

import contextlib
import importlib
import logging
import os
import pickle
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import IO, Any

from reader.core.errors import ReaderError

log = logging.getLogger(__name__)

Progress = Callable[[int, int], None]
Cancelled = Callable[[], bool]

#: Seconds a cancelled child gets to stop on its own before it is killed.
CANCEL_GRACE = 10.0
#: Seconds between two progress messages from the child.
PROGRESS_EVERY = 0.1
#: Niceness of a child (and the processes it starts): on two cores shared with the window, a
#: child at the window's priority took the CPU the GUI thread needed to answer within 50 ms.
CHILD_NICE = 10


class ChildFailed(ReaderError):
    """The child process died or could not say what went wrong."""


@dataclass(frozen=True)
class ContextSpec:
    """What a child needs to rebuild the run's :class:`~reader.core.context.AppContext`."""

    corpus: str
    config_dir: str
    data_dir: str
    cache_dir: str

    def context(self) -> Any:
        from reader.core.context import AppContext

        return AppContext.create(corpus=self.corpus, config_dir=self.config_dir, data_dir=self.data_dir,
                                 cache_dir=self.cache_dir)


def context_spec(ctx: Any, corpus_root: Any = None) -> ContextSpec:
    """The folders of ``ctx`` (and its corpus, or ``corpus_root``), for :meth:`ContextSpec.context`."""
    paths = ctx.paths
    return ContextSpec(str(corpus_root or ctx.corpus_root), str(paths.config_dir), str(paths.data_dir),
                       str(paths.cache_dir))


def can_run_children() -> bool:
    """False in a frozen bundle (its executable would start the whole app again)."""
    return not getattr(sys, "frozen", False) and bool(sys.executable)


def _resolve(target: str) -> Callable[..., Any]:
    module, _, name = target.partition(":")
    fn: Callable[..., Any] = getattr(importlib.import_module(module), name)
    return fn


def run(target: str, kwargs: dict[str, Any], progress: Progress | None = None,
        cancelled: Cancelled | None = None, *, in_child: bool = True, nice: int = CHILD_NICE) -> Any:
    """``target(progress=, cancelled=, **kwargs)`` ("module:function") in a child process; its result.

    The exception the target raised is raised here (a :class:`ChildFailed` when the child died or
    its exception could not be sent). ``in_child=False``, or no way to start a child, runs it here.
    """
    if not in_child or not can_run_children():
        return _resolve(target)(progress=progress, cancelled=cancelled, **kwargs)
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    proc = subprocess.Popen([sys.executable, "-m", "reader.core.background"], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, env=env, close_fds=True)
    assert proc.stdin is not None and proc.stdout is not None
    try:
        payload = pickle.dumps((target, kwargs, nice), protocol=pickle.HIGHEST_PROTOCOL)
        proc.stdin.write(len(payload).to_bytes(8, "little") + payload)
        proc.stdin.flush()
        return _read_messages(proc, progress, cancelled)
    finally:
        _finish(proc)


def _read_messages(proc: subprocess.Popen[bytes], progress: Progress | None, cancelled: Cancelled | None) -> Any:
    """Read the child's messages in a helper thread (a blocking read releases the GIL); watch Cancel here."""
    assert proc.stdin is not None and proc.stdout is not None
    inbox: list[tuple[Any, ...]] = []
    arrived = threading.Condition()

    def reader(stream: IO[bytes]) -> None:
        while True:
            try:
                message = pickle.load(stream)
            except Exception as exc:  # EOF (the child is gone) or a message that cannot be read
                message = ("eof", exc)
            with arrived:
                inbox.append(message)
                arrived.notify()
            if message[0] in ("result", "error", "eof"):
                return

    threading.Thread(target=reader, args=(proc.stdout,), daemon=True, name="background-child-reader").start()
    asked_to_stop: float | None = None
    while True:
        with arrived:
            if not inbox:
                arrived.wait(0.1)
            messages, inbox[:] = list(inbox), []
        for message in messages:
            kind = message[0]
            if kind == "progress":
                if progress is not None:
                    progress(message[1], message[2])
            elif kind == "result":
                return message[1]
            elif kind == "error":
                raise message[1]
            else:
                code = proc.wait(timeout=5)
                raise ChildFailed(f"the background process ended unexpectedly (exit status {code})")
        if asked_to_stop is None and cancelled is not None and cancelled():
            asked_to_stop = time.monotonic()
            with contextlib.suppress(OSError, ValueError):
                proc.stdin.write(b"c")
                proc.stdin.flush()
        elif asked_to_stop is not None and time.monotonic() - asked_to_stop > CANCEL_GRACE:
            proc.kill()  # the reader then sees EOF and the loop above ends


def _finish(proc: subprocess.Popen[bytes]) -> None:
    for stream in (proc.stdin, proc.stdout):
        with contextlib.suppress(OSError, ValueError):
            if stream is not None:
                stream.close()
    try:
        proc.wait(timeout=CANCEL_GRACE)
    except subprocess.TimeoutExpired:
        log.warning("background process %d did not exit; killing it", proc.pid)
        proc.kill()
        proc.wait()


# -- the child ----------------------------------------------------------------------------------
def _read_exactly(fd: int, size: int) -> bytes:
    chunks: list[bytes] = []
    while size > 0:
        chunk = os.read(fd, size)
        if not chunk:
            raise EOFError("the parent went away")
        chunks.append(chunk)
        size -= len(chunk)
    return b"".join(chunks)


def _child_main() -> None:
    # The pipes are used through raw descriptors only, and fds 0 and 1 point elsewhere: worker
    # processes the target forks close sys.stdin on start, which blocked for good on the lock of
    # a buffered stdin another thread was reading from (inherited locked by the fork).
    out = os.fdopen(os.dup(1), "wb")  # the messages' own channel; fd 1 now points at stderr
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    inbox = os.dup(0)
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.close(null)
    sys.stdin = open(os.devnull, encoding="utf-8")  # noqa: SIM115, PTH123 - the process's stdin, for good
    lock = threading.Lock()

    def send(message: tuple[Any, ...]) -> None:
        with lock:
            pickle.dump(message, out, protocol=pickle.HIGHEST_PROTOCOL)
            out.flush()

    stop = threading.Event()
    try:  # exactly the job's bytes: a Cancel byte right behind them stays for the watcher
        size = int.from_bytes(_read_exactly(inbox, 8), "little")
        target, kwargs, nice = pickle.loads(_read_exactly(inbox, size))
    except Exception:
        os._exit(2)
    if nice:
        with contextlib.suppress(OSError, AttributeError):
            os.nice(nice)

    def watch_stdin() -> None:  # a byte (or the parent going away) means: stop
        with contextlib.suppress(OSError):
            os.read(inbox, 1)
        stop.set()

    threading.Thread(target=watch_stdin, daemon=True).start()
    last = [0.0]

    def progress(done: int, total: int) -> None:
        now = time.monotonic()
        if now - last[0] >= PROGRESS_EVERY or done >= total > 0:
            last[0] = now
            send(("progress", done, total))

    code = 0
    logging.basicConfig(level=logging.WARNING)  # to stderr, which is the parent's
    try:
        result = _resolve(target)(progress=progress, cancelled=stop.is_set, **kwargs)
        send(("result", result))
    except BrokenPipeError:  # the parent is gone (it quit, or was killed): nobody to tell
        code = 1
    except BaseException as exc:
        code = 1
        with contextlib.suppress(BrokenPipeError):
            try:
                pickle.loads(pickle.dumps(exc))  # it must come back in one piece on the other side
                send(("error", exc))
            except BrokenPipeError:
                raise
            except Exception:
                send(("error", ChildFailed(f"{type(exc).__name__}: {exc}")))
    with contextlib.suppress(Exception):
        out.close()
        sys.stderr.flush()
    os._exit(code)  # no exit handlers: a queue-feeder thread blocked on gone workers would hang here


if __name__ == "__main__":
    _child_main()
