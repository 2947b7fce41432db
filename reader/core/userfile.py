"""Setting aside a user file that cannot be read: the one rule every user file follows.

Settings, the entity overlay, saved searches, ``comparisons.yaml`` and the notes database are
the user's own data. When one cannot be parsed it is never overwritten, never deleted and
never left in the way: it is renamed beside itself as ``<name>.<kind>-<YYYYmmdd-HHMMSS>``
(``-2``, ``-3`` for a second in the same second), the program goes on with defaults, and the
notice names the kept copy so the user can mend it by hand.
"""

from __future__ import annotations

import logging
import time
from pathlib import Path

log = logging.getLogger(__name__)

BROKEN = "broken"


def aside_path(path: Path, kind: str = BROKEN) -> Path:
    """A free name beside ``path`` for a copy of kind ``kind`` (``broken``, ``damaged``, ``replaced``)."""
    path = Path(path)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    target = path.with_name(f"{path.name}.{kind}-{stamp}")
    n = 1
    while target.exists():
        n += 1
        target = path.with_name(f"{path.name}.{kind}-{stamp}-{n}")
    return target


def set_aside(path: Path, kind: str = BROKEN) -> Path | None:
    """Rename ``path`` out of the way; returns where it went, or None when it could not be moved
    (then it stays where it is, untouched, and the caller must not write over it)."""
    target = aside_path(path, kind)
    try:
        Path(path).replace(target)
    except OSError as exc:
        log.warning("could not set %s aside as %s: %s", path, target.name, exc)
        return None
    log.warning("set the unreadable %s aside as %s", path, target.name)
    return target


def first_line(exc: BaseException) -> str:
    """The reason in a notice: the error's first line, or its type when it has no text."""
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
