"""``parallax --debug``: every module's log lines into one private file in the cache folder.

Every module logs through ``logging.getLogger(__name__)`` and nothing is configured by default,
so a normal run prints nothing and writes nothing. ``--debug`` (CLI and window alike) attaches
one file handler to the root logger at DEBUG. The file lives in ``<cache>/logs/`` because a log
is rebuildable, private data: it can quote titles, queries and note text, so it is created 0600
in a 0700 folder, and only the newest :data:`KEEP` logs are kept. Its path is printed on stderr
so a person reporting a problem knows which file to attach.
"""

from __future__ import annotations

import logging
import os
import sys
import time
from pathlib import Path
from typing import TextIO

log = logging.getLogger(__name__)

#: how many debug logs stay in ``<cache>/logs`` (the newest; older ones are deleted)
KEEP = 10
PREFIX = "parallax-"
SUFFIX = ".log"
FORMAT = "%(asctime)s.%(msecs)03d %(levelname)-7s %(name)s [%(threadName)s] %(message)s"
DATEFMT = "%Y-%m-%d %H:%M:%S"

_handler: logging.FileHandler | None = None


def logs_dir(cache_dir: Path) -> Path:
    return Path(cache_dir) / "logs"


def _create_private(folder: Path, stamp: str) -> Path:
    """A new 0600 file named after ``stamp``; a second run in the same second gets ``-2``, ``-3``..."""
    for n in range(1, 1000):
        path = folder / f"{PREFIX}{stamp}{'' if n == 1 else f'-{n}'}{SUFFIX}"
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            continue
        os.close(fd)
        return path
    raise FileExistsError(f"{folder}: no free debug log name for {stamp}")


def prune(folder: Path, keep: int = KEEP) -> list[Path]:
    """Delete all but the ``keep`` newest debug logs in ``folder``; returns what was deleted."""
    logs = []
    for path in folder.glob(f"{PREFIX}*{SUFFIX}"):
        try:
            logs.append((path.stat().st_mtime, path.name, path))
        except OSError:  # deleted by a concurrent run between glob and stat
            log.debug("debug log %s vanished while pruning", path, exc_info=True)
    logs.sort()
    gone = []
    for _mtime, _name, path in logs[:max(0, len(logs) - keep)]:
        try:
            path.unlink()
        except OSError:
            log.debug("could not delete the old debug log %s", path, exc_info=True)
            continue
        gone.append(path)
    return gone


def start_debug_log(cache_dir: Path, *, keep: int = KEEP, stderr: TextIO | None = None) -> Path:
    """Send every log record (DEBUG and up) to a new file in ``<cache>/logs`` and say where.

    Returns the file's path. Calling it again in the same process keeps the first file.
    Raises ``OSError`` when the cache folder cannot be written; the CLI reports it in one line.
    """
    global _handler
    if _handler is not None:
        return Path(_handler.baseFilename)
    folder = logs_dir(cache_dir)
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    folder.chmod(0o700)
    path = _create_private(folder, time.strftime("%Y%m%d-%H%M%S"))
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setLevel(logging.DEBUG)
    handler.setFormatter(logging.Formatter(FORMAT, DATEFMT))
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    logging.captureWarnings(True)
    _handler = handler
    prune(folder, keep)
    from reader import __version__

    log.info("parallax %s, Python %s on %s; argv %s", __version__, sys.version.split()[0], sys.platform, sys.argv)
    print(f"parallax: debug log: {path}", file=stderr if stderr is not None else sys.stderr)
    return path


def stop_debug_log() -> None:
    """Detach and close the debug log (tests; the process end does the same)."""
    global _handler
    if _handler is None:
        return
    root = logging.getLogger()
    root.removeHandler(_handler)
    _handler.close()
    _handler = None
    root.setLevel(logging.WARNING)
    logging.captureWarnings(False)


def debug_from_args(args: object, cache_dir: Path) -> Path | None:
    """The CLI's one call: start the debug log when ``--debug`` was given (before or after the command)."""
    if not getattr(args, "debug", False):
        return None
    try:
        return start_debug_log(cache_dir)
    except OSError as exc:
        print(f"parallax: cannot write the debug log in {logs_dir(cache_dir)}: {exc.strerror or exc}",
              file=sys.stderr)
        return None
