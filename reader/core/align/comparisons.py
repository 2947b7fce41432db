"""Named comparisons: a set of documents, their order and the sync mode, kept in the data dir.

One YAML file, ``comparisons.yaml``, written atomically. A file that cannot be read is set
aside beside itself (``comparisons.yaml.broken-<time>``, :mod:`reader.core.userfile`) with a
logged warning: nothing in it is lost, and saving a new comparison is never blocked by it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from reader.core.atomic import atomic_write_text
from reader.core.errors import ReaderError
from reader.core.sync_modes import KEYS as SYNC_KEYS
from reader.core.userfile import first_line, set_aside

log = logging.getLogger(__name__)

SYNC_MODES = SYNC_KEYS  # declared once, in reader.core.sync_modes
MAX_PANES = 4


@dataclass(frozen=True)
class Comparison:
    name: str
    documents: tuple[str, ...]
    sync: str = "aligned"
    entity: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {"documents": list(self.documents), "sync": self.sync, "entity": self.entity}


def comparisons_file(data_dir: Path) -> Path:
    return Path(data_dir) / "comparisons.yaml"


def load_comparisons(data_dir: Path) -> list[Comparison]:
    """The saved comparisons by name; an unreadable file is set aside and counts as none."""
    path = comparisons_file(data_dir)
    if not path.exists():
        return []
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        if not isinstance(raw, dict):
            raise ValueError("expected a mapping of names")
    except (OSError, UnicodeDecodeError, yaml.YAMLError, ValueError) as exc:
        kept = set_aside(path)
        log.warning("saved comparisons in %s cannot be read (%s); %s", path, first_line(exc),
                    f"kept as {kept.name}" if kept else "left in place")
        if kept is None and path.exists():
            raise ReaderError(f"saved comparisons in {path} cannot be read and cannot be moved aside: "
                              f"{first_line(exc)}") from None
        return []
    out = []
    for name, entry in raw.items():
        if not isinstance(entry, dict) or not isinstance(entry.get("documents"), list):
            continue
        sync = str(entry.get("sync") or "aligned")
        docs = tuple(str(d) for d in entry["documents"])[:MAX_PANES]
        out.append(Comparison(str(name), docs, sync if sync in SYNC_MODES else "aligned",
                              str(entry.get("entity") or "")))
    return sorted(out, key=lambda c: c.name.lower())


def save_comparison(data_dir: Path, comparison: Comparison) -> None:
    """Add or replace a comparison by name."""
    name = comparison.name.strip()
    if not name:
        raise ReaderError("a comparison needs a name")
    if not 2 <= len(comparison.documents) <= MAX_PANES:
        raise ReaderError(f"a comparison holds 2 to {MAX_PANES} documents")
    if comparison.sync not in SYNC_MODES:
        raise ReaderError(f"sync mode must be one of {', '.join(SYNC_MODES)}")
    existing = {c.name: c for c in load_comparisons(data_dir)}
    existing[name] = Comparison(name, comparison.documents, comparison.sync, comparison.entity)
    _write(data_dir, list(existing.values()))


def delete_comparison(data_dir: Path, name: str) -> bool:
    existing = load_comparisons(data_dir)
    kept = [c for c in existing if c.name != name]
    if len(kept) == len(existing):
        return False
    _write(data_dir, kept)
    return True


def _write(data_dir: Path, comparisons: list[Comparison]) -> None:
    data = {c.name: c.to_dict() for c in sorted(comparisons, key=lambda c: c.name.lower())}
    path = comparisons_file(data_dir)
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_text(path, "# Parallax Reader saved comparisons\n"
                      + yaml.safe_dump(data, allow_unicode=True, sort_keys=True))
