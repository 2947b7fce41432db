"""Named searches a researcher keeps (Calibre's saved searches), in the data folder.

User data: one YAML file, ``saved-searches.yaml``, rewritten atomically (0600) on every
change. A file that cannot be parsed is set aside beside itself with a notice, never
overwritten in place, so a hand-edited file with a typo loses nothing.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import yaml

from reader.core.atomic import atomic_write_text
from reader.core.errors import ReaderError
from reader.core.userfile import first_line, set_aside

log = logging.getLogger(__name__)

FILE_NAME = "saved-searches.yaml"
MAX_NAME = 80


@dataclass(frozen=True)
class SavedSearch:
    name: str
    query: str
    created: str

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "query": self.query, "created": self.created}


class SavedSearches:
    """Load, add, rename and delete saved searches; ``notice`` says when a broken file was set aside."""

    def __init__(self, data_dir: Path) -> None:
        self.path = Path(data_dir) / FILE_NAME
        self.notice: str | None = None
        self._items: dict[str, SavedSearch] = self._load()

    def _load(self) -> dict[str, SavedSearch]:
        if not self.path.exists():
            return {}
        try:
            raw = yaml.safe_load(self.path.read_text(encoding="utf-8")) or {}
            if not isinstance(raw, dict) or not isinstance(raw.get("searches", []), list):
                raise ValueError("expected 'searches:' with a list")
            out: dict[str, SavedSearch] = {}
            for entry in raw.get("searches", []):
                if isinstance(entry, dict) and entry.get("name") and entry.get("query"):
                    item = SavedSearch(str(entry["name"]), str(entry["query"]), str(entry.get("created", "")))
                    out[item.name] = item
            return out
        except (OSError, UnicodeDecodeError, yaml.YAMLError, ValueError) as exc:
            aside = set_aside(self.path)
            self.notice = f"saved searches in {self.path} could not be read ({first_line(exc)})" + (
                f"; kept as {aside.name}" if aside is not None else "")
            log.warning("%s", self.notice)
            return {}

    def list(self) -> list[SavedSearch]:
        return sorted(self._items.values(), key=lambda s: s.name.lower())

    def get(self, name: str) -> SavedSearch:
        try:
            return self._items[name]
        except KeyError:
            raise ReaderError(f"no saved search named {name!r}") from None

    def save(self, name: str, query: str) -> SavedSearch:
        """Add or replace ``name``; the query is checked by the caller's engine before saving."""
        name = " ".join(name.split())
        if not name or len(name) > MAX_NAME:
            raise ReaderError(f"a saved search needs a name of 1 to {MAX_NAME} characters")
        if not query.strip():
            raise ReaderError("a saved search needs a query")
        item = SavedSearch(name, query.strip(), datetime.now(UTC).isoformat(timespec="seconds"))
        self._items[name] = item
        self._write()
        return item

    def delete(self, name: str) -> SavedSearch:
        item = self.get(name)
        del self._items[name]
        self._write()
        return item

    def _write(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        data = {"searches": [s.to_json() for s in self.list()]}
        atomic_write_text(self.path, "# Parallax Reader saved searches\n"
                          + yaml.safe_dump(data, allow_unicode=True, sort_keys=False), mode=0o600)
