"""What a laptop remembers about notes sync, in its own 0600 SQLite file beside the notes database.

Kept apart from ``notes.sqlite3`` on purpose: the notes store stays exactly as it is for people
who never configure a team server, and no store change is needed, because everything sync
needs can be derived by comparing the store with this file:

* ``base``: each synced note as last agreed with the server (the *sync base*) with its
  ``server_version``; a note is **dirty** when its fields differ from its base (or it has none);
* a note with a base but gone from the store was deleted here: it becomes a **tombstone**
  (``tombstones``) until the server has it;
* ``cursor``: per library, the server version pulled up to;
* ``assignment``: which library a note syncs to (the personal one unless shared with a team);
* ``conflicts``: conflicted copies made when both sides changed the same field, to resolve.

Writes use ``synchronous=FULL`` transactions, so a kill leaves the last committed state.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

STATE_NAME = "notes-sync.sqlite3"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS base (
    note_id TEXT PRIMARY KEY, library TEXT NOT NULL, server_version INTEGER NOT NULL, fields TEXT NOT NULL,
    digest TEXT NOT NULL DEFAULT '');
CREATE TABLE IF NOT EXISTS cursor (library TEXT PRIMARY KEY, version INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS tombstones (
    note_id TEXT PRIMARY KEY, library TEXT NOT NULL, server_version INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS assignment (note_id TEXT PRIMARY KEY, library TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS conflicts (
    copy_id TEXT PRIMARY KEY, note_id TEXT NOT NULL, library TEXT NOT NULL, fields TEXT NOT NULL,
    created TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')));
"""


def digest(fields: dict[str, Any]) -> str:
    """A fingerprint of a note's content (timestamps left out): equal digests, nothing to send."""
    content = {k: v for k, v in fields.items() if k not in ("created", "updated")}
    return hashlib.blake2b(json.dumps(content, sort_keys=True).encode("utf-8"), digest_size=16).hexdigest()


@dataclass(frozen=True)
class Base:
    note_id: str
    library: str
    server_version: int
    fields: dict[str, Any]


class SyncState:
    """The sidecar database; one per data dir."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd = os.open(self.path, os.O_CREAT | os.O_RDWR, 0o600)
        os.close(fd)
        self._conn = sqlite3.connect(self.path, isolation_level=None)
        self._conn.execute("PRAGMA journal_mode=WAL")
        self._conn.execute("PRAGMA synchronous=FULL")
        self._conn.executescript(_SCHEMA)
        for suffix in ("", "-wal", "-shm"):
            extra = Path(str(self.path) + suffix)
            if extra.exists():
                extra.chmod(0o600)

    @classmethod
    def beside(cls, data_dir: Path) -> SyncState:
        return cls(Path(data_dir) / "notes" / STATE_NAME)

    def close(self) -> None:
        self._conn.close()

    # -- reads -----------------------------------------------------------------------
    def bases(self) -> dict[str, Base]:
        return {r[0]: Base(r[0], r[1], int(r[2]), json.loads(r[3]))
                for r in self._conn.execute("SELECT note_id, library, server_version, fields FROM base")}

    def bases_for(self, note_ids: list[str]) -> dict[str, Base]:
        out: dict[str, Base] = {}
        for start in range(0, len(note_ids), 500):
            chunk = note_ids[start:start + 500]
            marks = ",".join("?" * len(chunk))
            for r in self._conn.execute(
                    f"SELECT note_id, library, server_version, fields FROM base WHERE note_id IN ({marks})", chunk):
                out[r[0]] = Base(r[0], r[1], int(r[2]), json.loads(r[3]))
        return out

    def digests(self) -> dict[str, tuple[str, int, str]]:
        """``note_id -> (library, server_version, content digest)``: enough to tell what is dirty."""
        return {r[0]: (r[1], int(r[2]), r[3]) for r in self._conn.execute(
            "SELECT note_id, library, server_version, digest FROM base")}

    def cursor(self, library: str) -> int:
        row = self._conn.execute("SELECT version FROM cursor WHERE library = ?", (library,)).fetchone()
        return int(row[0]) if row else 0

    def tombstones(self) -> dict[str, tuple[str, int]]:
        return {r[0]: (r[1], int(r[2])) for r in self._conn.execute(
            "SELECT note_id, library, server_version FROM tombstones")}

    def assignments(self) -> dict[str, str]:
        return dict(self._conn.execute("SELECT note_id, library FROM assignment").fetchall())

    def conflicts(self) -> list[dict[str, Any]]:
        return [{"copy": r[0], "note": r[1], "library": r[2], "created": r[3]} for r in self._conn.execute(
            "SELECT copy_id, note_id, library, created FROM conflicts ORDER BY created, copy_id")]

    # -- writes (each one transaction) -------------------------------------------------
    def _tx(self, statements: Iterable[tuple[str, list[tuple[Any, ...]]]]) -> None:
        conn = self._conn
        conn.execute("BEGIN IMMEDIATE")
        try:
            for sql, rows in statements:
                if rows:
                    conn.executemany(sql, rows)
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")

    def record(self, *, bases: Iterable[Base] = (), drop: Iterable[str] = (),
               tombstones: Iterable[tuple[str, str, int]] = (), untomb: Iterable[str] = (),
               cursor: tuple[str, int] | None = None, assign: Iterable[tuple[str, str]] = (),
               conflicts: Iterable[tuple[str, str, str, dict[str, Any]]] = (),
               resolved: Iterable[str] = ()) -> None:
        """Apply a batch of state changes atomically."""
        ops: list[tuple[str, list[tuple[Any, ...]]]] = [
            ("INSERT OR REPLACE INTO base VALUES (?, ?, ?, ?, ?)",
             [(b.note_id, b.library, b.server_version, json.dumps(b.fields, sort_keys=True),
               digest(b.fields) if b.fields else "") for b in bases]),
            ("DELETE FROM base WHERE note_id = ?", [(n,) for n in drop]),
            ("INSERT OR REPLACE INTO tombstones VALUES (?, ?, ?)", list(tombstones)),
            ("DELETE FROM tombstones WHERE note_id = ?", [(n,) for n in untomb]),
            ("INSERT OR REPLACE INTO assignment VALUES (?, ?)", list(assign)),
            ("INSERT OR REPLACE INTO conflicts (copy_id, note_id, library, fields) VALUES (?, ?, ?, ?)",
             [(c, n, lib, json.dumps(f, sort_keys=True)) for c, n, lib, f in conflicts]),
            ("DELETE FROM conflicts WHERE copy_id = ?", [(c,) for c in resolved]),
        ]
        if cursor is not None:
            ops.append(("INSERT INTO cursor VALUES (?, ?) ON CONFLICT (library) DO UPDATE SET "
                        "version = max(version, excluded.version)", [cursor]))
        ops = [op for op in ops if op[1]]
        if ops:
            self._tx(ops)
