"""What the last scan read from each unchanged file, so opening a big corpus does not re-parse it.

Scanning 20,000 documents read every file and parsed its YAML front matter: 3.5 s before a CLI
search could start, and again whenever the window rescanned. The metadata of a file whose size,
modification time, inode and change time are what they were last time is the same, so it is
kept in one JSON file in the corpus's cache folder (derived data: written atomically, never
fsync-ed, rebuilt whole when damaged or of another version).

Two rules keep it honest:

* A file modified or changed (ctime, which no one can set back) in the last :data:`RACY_NS`
  before the scan is never cached, as git does with its index: the kernel's clock ticks
  coarsely, and an edit in the same tick as the one cached would otherwise look unchanged.
* Only metadata that survives a JSON round trip unchanged is cached; a front matter holding a
  YAML date or a non-string key is simply read again each time.
"""

from __future__ import annotations

import json
import logging
import os
import time
from dataclasses import asdict
from pathlib import Path
from typing import Any

from reader.core.atomic import atomic_write_text
from reader.core.document import DocumentMeta
from reader.core.frontmatter import Problem

log = logging.getLogger(__name__)

#: Bump when what a scan derives from a file changes (keys read, checks made, messages).
SCAN_CACHE_VERSION = 1
FILE_NAME = "scan.json"
#: A file changed this close to the scan may change again unseen within one timestamp tick.
RACY_NS = 2_000_000_000

Stamp = tuple[int, int, int, int]
Entry = tuple[DocumentMeta | None, int, list[Problem]]


def stamp_of(info: os.stat_result) -> Stamp:
    return (info.st_size, info.st_mtime_ns, info.st_ino, info.st_ctime_ns)


class ScanCache:
    """Per-file scan results keyed by file name and stamp; misses are read again by the caller."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self._old: dict[str, list[Any]] = self._load()
        self._new: dict[str, list[Any]] = {}
        self._started_ns = time.time_ns()
        self.hits = 0

    def _load(self) -> dict[str, list[Any]]:
        if self.path is None:
            return {}
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        except (OSError, ValueError) as exc:
            log.info("scan cache %s unreadable (%s); every file is read again", self.path, exc)
            return {}
        if not isinstance(data, dict) or data.get("version") != SCAN_CACHE_VERSION:
            return {}
        files = data.get("files")
        return files if isinstance(files, dict) else {}

    def lookup(self, path: Path, stamp: Stamp) -> Entry | None:
        """What the last scan read from ``path``, if the file is unchanged since."""
        row = self._old.get(path.name)
        if not isinstance(row, list) or len(row) != 4 or row[0] != list(stamp):
            return None
        try:
            meta_json, body_line, problems = row[1], int(row[2]), row[3]
            meta = None if meta_json is None else DocumentMeta(**{**meta_json, "path": path})
            found = [Problem(str(p[0]), p[1], str(p[2]), str(p[3])) for p in problems]
        except (TypeError, ValueError, IndexError) as exc:
            log.debug("scan cache row for %s unusable (%s)", path.name, exc)
            return None
        self._new[path.name] = row
        self.hits += 1
        return meta, body_line, found

    def record(self, path: Path, stamp: Stamp, entry: Entry) -> None:
        """Remember a freshly read file's result for the next scan, where that is safe."""
        meta, body_line, problems = entry
        if max(stamp[1], stamp[3]) >= self._started_ns - RACY_NS:
            return  # changed (or its mtime set) too recently: the change time is coarse
        meta_json: dict[str, Any] | None = None
        if meta is not None:
            meta_json = asdict(meta)
            del meta_json["path"]
            try:
                if json.loads(json.dumps(meta_json["extra"])) != meta_json["extra"]:
                    return
            except (TypeError, ValueError):
                return
        self._new[path.name] = [list(stamp), meta_json, body_line,
                                [[p.path, p.line, p.severity, p.message] for p in problems]]

    def save(self) -> None:
        """Write the files seen in this scan (only when something differs from what was read)."""
        if self.path is None or self._new == self._old:
            return
        text = json.dumps({"version": SCAN_CACHE_VERSION, "files": self._new},
                          ensure_ascii=False, separators=(",", ":"))
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            atomic_write_text(self.path, text, durable=False)
        except OSError as exc:  # a full or read-only cache folder only costs the next scan time
            log.info("scan cache not written (%s)", exc)
