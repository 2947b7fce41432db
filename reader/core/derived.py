"""One store per corpus for derived data: entity spans, recognised mentions, framing spans, alignments.

Derived data can always be rebuilt from the corpus, so it is written the opposite way to user
data: one SQLite file in the corpus's cache folder, WAL, ``synchronous=OFF``, rows written in
batches inside one transaction. A crash may lose the last batch; it never corrupts what the app
shows, because every row is keyed by the content hash of the text it was computed from plus a
fingerprint of the rules that computed it (entity list, model version), and a miss only means
"compute again". A store that cannot be opened or written (read-only or full cache folder)
degrades to memory: slower, never an error. Rows the file holds are not also kept in memory.

Values are JSON. Kinds are short names owned by the feature that writes them
(``entity-spans``, ``ner-mentions``, ``framing-spans``, ...).
"""

from __future__ import annotations

import contextlib
import json
import logging
import sqlite3
import threading
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

FILE_NAME = "derived.sqlite3"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS derived (
    kind TEXT NOT NULL,
    key TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    value TEXT NOT NULL,
    PRIMARY KEY (kind, key)
) WITHOUT ROWID
"""


class DerivedStore:
    """Batched key/value rows ``(kind, key) -> (fingerprint, JSON value)`` for one corpus."""

    def __init__(self, folder: Path | None) -> None:
        self.path: Path | None = None if folder is None else Path(folder) / FILE_NAME
        self._lock = threading.Lock()
        self._conn: sqlite3.Connection | None = None
        self._memory: dict[tuple[str, str], tuple[str, Any]] = {}
        self._failed = self.path is None

    # -- connection -------------------------------------------------------------------------
    def _connection(self) -> sqlite3.Connection | None:
        if self._conn is not None or self._failed:
            return self._conn
        assert self.path is not None
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            conn = sqlite3.connect(self.path, timeout=10.0, check_same_thread=False,
                                   isolation_level=None)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=OFF")
            conn.execute(_SCHEMA)
        except (OSError, sqlite3.Error) as exc:
            log.warning("derived store %s unavailable (%s); keeping derived data in memory", self.path, exc)
            self._failed = True
            return None
        with contextlib.suppress(OSError):
            self.path.chmod(0o600)
        self._conn = conn
        return conn

    def close(self) -> None:
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None

    # -- rows ---------------------------------------------------------------------------------
    def get(self, kind: str, key: str, fingerprint: str) -> Any | None:
        """The value stored for ``(kind, key)`` if it was computed under ``fingerprint``."""
        return self.get_many(kind, [key], fingerprint).get(key)

    def get_many(self, kind: str, keys: Iterable[str], fingerprint: str) -> dict[str, Any]:
        """Every stored value among ``keys`` computed under ``fingerprint`` (misses are absent)."""
        wanted = list(dict.fromkeys(keys))
        found: dict[str, Any] = {}
        missing: list[str] = []
        with self._lock:
            for key in wanted:
                hit = self._memory.get((kind, key))
                if hit is not None and hit[0] == fingerprint:
                    found[key] = hit[1]
                else:
                    missing.append(key)
            conn = self._connection() if missing else None
            if conn is None:
                return found
            try:
                for start in range(0, len(missing), 500):
                    chunk = missing[start:start + 500]
                    marks = ",".join("?" * len(chunk))
                    rows = conn.execute(
                        f"SELECT key, value FROM derived WHERE kind=? AND fingerprint=? AND key IN ({marks})",
                        [kind, fingerprint, *chunk],
                    ).fetchall()
                    for key, value in rows:
                        try:
                            found[key] = json.loads(value)
                        except ValueError:
                            continue  # a damaged row is a miss: it is computed again
            except sqlite3.Error as exc:
                log.warning("derived store read failed (%s); recomputing", exc)
        return found

    def put(self, kind: str, key: str, fingerprint: str, value: Any) -> None:
        self.put_many(kind, {key: value}, fingerprint)

    def put_many(self, kind: str, values: Mapping[str, Any], fingerprint: str) -> None:
        """Store a batch in one transaction (no fsync); failure keeps the batch in memory only."""
        if not values:
            return
        rows = [(kind, key, fingerprint, json.dumps(value, separators=(",", ":"), ensure_ascii=False))
                for key, value in values.items()]
        with self._lock:
            conn = self._connection()
            if conn is not None:
                try:
                    conn.execute("BEGIN")
                    conn.executemany(
                        "INSERT OR REPLACE INTO derived (kind, key, fingerprint, value) VALUES (?, ?, ?, ?)", rows)
                    conn.execute("COMMIT")
                except sqlite3.Error as exc:
                    log.warning("derived store write failed (%s); keeping this batch in memory", exc)
                    with contextlib.suppress(sqlite3.Error):
                        conn.execute("ROLLBACK")
                else:
                    # Stored: the file answers from now on. A copy of every row in memory as well
                    # grew with the corpus (the spans of 20,000 documents in the window process).
                    for key in values:
                        self._memory.pop((kind, key), None)
                    return
            for key, value in values.items():
                self._memory[(kind, key)] = (fingerprint, value)

    def delete_kind(self, kind: str) -> None:
        """Forget every row of one kind (its rules changed wholesale)."""
        with self._lock:
            self._memory = {k: v for k, v in self._memory.items() if k[0] != kind}
            conn = self._connection()
            if conn is None:
                return
            try:
                conn.execute("DELETE FROM derived WHERE kind=?", (kind,))
            except sqlite3.Error as exc:
                log.warning("derived store delete failed (%s)", exc)

    def clear_memory(self) -> None:
        with self._lock:
            self._memory.clear()
