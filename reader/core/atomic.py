"""Crash-safe file writes: write a temp file beside the target, fsync, then replace.

A reader of the target sees either the old content or the new, never a half-written
file, even after kill -9 or a power cut (the directory entry is fsynced too).
Derived data (caches that are rebuilt when missing) passes ``durable=False``: still replaced
whole, so never half-written after kill -9, but not fsync-ed (a power cut may lose the newest
version, which is only computed again; two fsyncs per cached record were most of a build).
A new file is private (0600) unless a mode is given; a replaced file keeps its mode, so
a file the user made read-only to others stays so.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path


def atomic_write_bytes(path: Path, data: bytes, mode: int | None = None, *, durable: bool = True) -> None:
    """Replace ``path`` with ``data`` atomically; the parent folder must exist.

    ``mode`` defaults to the existing file's mode, else 0600 (user data is private).
    """
    path = Path(path)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            if durable:
                handle.flush()
                os.fsync(handle.fileno())
        if mode is not None:
            tmp.chmod(mode)
        elif path.exists():
            tmp.chmod(path.stat().st_mode & 0o7777)
        else:
            tmp.chmod(0o600)
        tmp.replace(path)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    if durable:
        _fsync_dir(path.parent)


def atomic_write_text(path: Path, text: str, mode: int | None = None, *, durable: bool = True) -> None:
    """Replace ``path`` with ``text`` encoded as UTF-8, atomically."""
    atomic_write_bytes(path, text.encode("utf-8"), mode=mode, durable=durable)


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
