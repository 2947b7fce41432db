"""User overlays: a YAML file in the data dir holding the user's changes to curated corpus data.

Entities and framing lists ship with a corpus; the user's additions, merges, renames and
mutes live here and are applied on top, so they survive corpus updates. A file that cannot
be read is moved aside (kept, never deleted) and an empty overlay is used; ``notice`` says so.
The *meaning* of the entries belongs to each capability; this module only keeps them safe.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import yaml

from reader.core.atomic import atomic_write_text
from reader.core.userfile import first_line, set_aside


class OverlayFile:
    """One overlay: ``{"version": 1, "ops": [...], ...}`` stored atomically as YAML."""

    VERSION = 1

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.notice: str | None = None
        self.data: dict[str, Any] = self._load()

    def _load(self) -> dict[str, Any]:
        if not self.path.exists():
            return {"version": self.VERSION}
        try:
            data = yaml.safe_load(self.path.read_text(encoding="utf-8"))
            if data is None:
                data = {}
            if not isinstance(data, dict):
                raise ValueError("the overlay is not a mapping")
        except (OSError, UnicodeDecodeError, yaml.YAMLError, ValueError) as exc:
            kept = set_aside(self.path)
            self.notice = (f"Your changes file {self.path} could not be read ({first_line(exc)}); it was kept as "
                           f"{kept or self.path} and the curated list is used without your changes.")
            return {"version": self.VERSION}
        data.setdefault("version", self.VERSION)
        return data

    @property
    def ops(self) -> list[dict[str, Any]]:
        """The ordered list of user operations (each a mapping with an ``op`` key)."""
        ops = self.data.setdefault("ops", [])
        if not isinstance(ops, list):
            ops = self.data["ops"] = []
        return ops

    def append(self, op: dict[str, Any]) -> None:
        """Record one operation and save at once (one user action, one atomic write)."""
        self.ops.append(dict(op, at=time.strftime("%Y-%m-%dT%H:%M:%S")))
        self.save()

    def save(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        header = "# Parallax Reader user overlay: your changes, applied on top of the corpus's curated list.\n"
        atomic_write_text(self.path, header + yaml.safe_dump(self.data, allow_unicode=True, sort_keys=False))
