"""A small file beside the notes database recording what it last held.

Without it a missing database, or a valid but empty one, looks exactly like a first start,
and the store would begin again in silence while rotation deletes the backups that still
hold the notes. The marker says how many notes the database held and at which revision
(the counter every write moves), and which backup was the newest. A database whose
revision is behind the marker's went backwards: it is treated as damage.

The marker is written atomically after a write has committed, from values read inside that
transaction, so it can lag behind the database (harmless) but never run ahead of it.
"""

from __future__ import annotations

import json
import logging
from dataclasses import asdict, dataclass
from pathlib import Path

from reader.core.atomic import atomic_write_text

log = logging.getLogger(__name__)

MARKER_NAME = "notes-state.json"


@dataclass(frozen=True)
class Marker:
    """What the notes database held after its last committed write."""

    notes: int = 0
    revision: int = 0
    backup: str = ""
    backup_notes: int = 0


def read_marker(folder: Path) -> Marker | None:
    """The marker of ``folder``, or None when there is none (first start, older release)."""
    path = Path(folder) / MARKER_NAME
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as exc:
        log.warning("cannot read %s: %s", path, exc)
        return None
    if not isinstance(data, dict):
        return None
    try:
        return Marker(notes=max(0, int(data.get("notes", 0))), revision=max(0, int(data.get("revision", 0))),
                      backup=str(data.get("backup", "")), backup_notes=max(0, int(data.get("backup_notes", 0))))
    except (TypeError, ValueError):
        return None


def write_marker(folder: Path, marker: Marker) -> bool:
    """Replace the marker atomically (mode 0600); False (logged) when the disk refuses."""
    try:
        atomic_write_text(Path(folder) / MARKER_NAME, json.dumps(asdict(marker), sort_keys=True) + "\n", mode=0o600)
    except OSError as exc:
        log.warning("cannot write the notes marker in %s: %s", folder, exc)
        return False
    return True

