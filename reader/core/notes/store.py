"""The notes database: SQLite in the data dir, built never to lose a note.

* WAL journal, ``synchronous=FULL``, foreign keys on; every user action is one
  ``BEGIN IMMEDIATE`` transaction, so a kill at any moment leaves the last committed state.
* Schema changes are numbered migrations recorded in ``PRAGMA user_version``.
* The file and its backups are created with mode 0600 (the folder 0700).
* On open: ``PRAGMA integrity_check``, then a backup with SQLite's backup API when the
  database changed since the last one (also on close); the newest 10 are kept.
* A damaged or unreadable database is moved aside (kept, never deleted), the newest good
  backup is restored, and :attr:`NoteStore.notice` says what happened and what may be missing.
* A folder that cannot be written gives a read-only store (clear message on any write);
  a full disk rolls the action back and raises :class:`NotesError` saying so.
"""

from __future__ import annotations

import contextlib
import os
import re
import sqlite3
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from reader.core.notes.anchoring import ORPHAN
from reader.core.notes.model import Note, NotesError, check_status, now_iso

DB_NAME = "notes.sqlite3"
KEEP_BACKUPS = 10

#: Migration ``i`` takes a database from ``user_version`` i to i + 1.
MIGRATIONS: tuple[str, ...] = (
    # 1: notes and their tags
    """
    CREATE TABLE notes (
        id TEXT PRIMARY KEY,
        corpus TEXT NOT NULL,
        doc TEXT NOT NULL,
        doc_hash TEXT NOT NULL DEFAULT '',
        start INTEGER,
        "end" INTEGER,
        exact TEXT NOT NULL DEFAULT '',
        prefix TEXT NOT NULL DEFAULT '',
        suffix TEXT NOT NULL DEFAULT '',
        body TEXT NOT NULL DEFAULT '',
        color TEXT NOT NULL DEFAULT 'yellow',
        created TEXT NOT NULL,
        updated TEXT NOT NULL
    );
    CREATE TABLE note_tags (
        note_id TEXT NOT NULL REFERENCES notes(id) ON DELETE CASCADE,
        position INTEGER NOT NULL,
        tag TEXT NOT NULL,
        PRIMARY KEY (note_id, tag)
    );
    CREATE INDEX notes_by_doc ON notes(corpus, doc);
    """,
    # 2: re-anchoring results (status), the quote as first written, whole-document notes
    """
    ALTER TABLE notes ADD COLUMN status TEXT NOT NULL DEFAULT 'anchored';
    ALTER TABLE notes ADD COLUMN original TEXT NOT NULL DEFAULT '';
    ALTER TABLE notes ADD COLUMN kind TEXT NOT NULL DEFAULT 'passage';
    UPDATE notes SET original = exact;
    UPDATE notes SET kind = 'document' WHERE exact = '' AND start IS NULL;
    """,
    # 3: a revision counter (backups are taken only when it moved) and a tag index
    """
    CREATE TABLE meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL);
    INSERT INTO meta (key, value) VALUES ('revision', 1);
    CREATE INDEX note_tags_by_tag ON note_tags(tag);
    """,
    # 4: where a re-anchored note was before its place changed, until the user reviews it
    # (written and read by reader/core/notes/review.py)
    """
    CREATE TABLE anchor_reviews (
        note_id TEXT PRIMARY KEY,
        doc_hash TEXT NOT NULL DEFAULT '',
        start INTEGER,
        "end" INTEGER,
        exact TEXT NOT NULL DEFAULT '',
        prefix TEXT NOT NULL DEFAULT '',
        suffix TEXT NOT NULL DEFAULT '',
        status TEXT NOT NULL DEFAULT 'anchored',
        since TEXT NOT NULL
    );
    """,
)
SCHEMA_VERSION = len(MIGRATIONS)

_COLUMNS = ("id", "corpus", "doc", "doc_hash", "start", "end", "exact", "prefix", "suffix", "original",
            "status", "kind", "body", "color", "created", "updated")
_BACKUP_NAME = re.compile(r"^notes-(\d{8}T\d{6}\d{6})-r(\d+)\.sqlite3$")


class _Damaged(Exception):
    """The database file cannot be trusted; ``reason`` says why, in plain words."""


def _connect(uri: str, *, readonly: bool = False) -> sqlite3.Connection:
    conn = sqlite3.connect(uri, uri=True, isolation_level=None, timeout=10.0)
    conn.execute("PRAGMA foreign_keys = ON")
    if not readonly:
        conn.execute("PRAGMA busy_timeout = 10000")
    return conn


def _file_uri(path: Path, **params: str) -> str:
    query = "&".join(f"{k}={v}" for k, v in params.items())
    return f"file:{path.as_posix()}" + (f"?{query}" if query else "")


def _fmt_time(stamp: str) -> str:
    try:
        when = datetime.strptime(stamp, "%Y%m%dT%H%M%S%f").replace(tzinfo=UTC)
    except ValueError:
        return stamp
    return when.astimezone().strftime("%Y-%m-%d %H:%M:%S")


def _stamp() -> str:
    return datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f")


def _writable(folder: Path) -> bool:
    return os.access(folder, os.W_OK | os.X_OK)


def _user_message(exc: sqlite3.Error, action: str) -> str:
    text = str(exc).lower()
    if "full" in text:
        return (f"Could not {action}: the disk is full. Nothing was changed; "
                "free some space and try again.")
    if "readonly" in text or "read-only" in text:
        return f"Could not {action}: the notes database is read-only."
    if "locked" in text or "busy" in text:
        return f"Could not {action}: the notes database is busy (another Parallax window?). Try again."
    return f"Could not {action}: {exc}. Nothing was changed."


class NoteStore:
    """All notes of one data dir; rows carry the corpus key they belong to."""

    def __init__(self, folder: Path, conn: sqlite3.Connection, *, read_only: bool = False,
                 notice: str | None = None) -> None:
        self.folder = folder
        self.path = folder / DB_NAME
        self.backup_dir = folder / "backups"
        self._conn = conn
        self.read_only = read_only
        self.notice = notice
        self._backed_up_revision = -1

    # -- opening --------------------------------------------------------------------------
    @classmethod
    def open(cls, data_dir: Path) -> NoteStore:
        """Open (creating, migrating or recovering) the notes database of ``data_dir``."""
        folder = Path(data_dir) / "notes"
        with contextlib.suppress(OSError):
            folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        if not folder.is_dir() or not _writable(folder):
            return cls._open_read_only(folder)
        path = folder / DB_NAME
        notice: str | None = None
        try:
            conn = cls._open_checked(path, folder)
        except _Damaged as damaged:
            conn, notice = cls._recover(path, folder, str(damaged))
        store = cls(folder, conn, notice=notice)
        if store._user_version() > SCHEMA_VERSION:
            conn.close()
            ro = cls._open_read_only(folder)
            ro.notice = (f"The notes database {path} was written by a newer version of Parallax Reader "
                         "(schema {}); it is opened read-only so nothing in it is lost.".format(
                             ro._user_version()))
            return ro
        try:
            store._migrate()
        except sqlite3.Error as exc:
            conn.close()
            raise NotesError(_user_message(exc, "prepare the notes database")) from None
        store._fix_modes()
        store.backup()
        return store

    @staticmethod
    def _open_checked(path: Path, folder: Path) -> sqlite3.Connection:
        existed = path.exists()
        if existed and path.stat().st_size == 0 and NoteStore._backups(folder):
            raise _Damaged("the file is empty (0 bytes) although backups of it exist")
        if not existed:
            fd = os.open(path, os.O_CREAT | os.O_WRONLY, 0o600)
            os.close(fd)
        try:
            conn = _connect(_file_uri(path))
        except sqlite3.Error as exc:
            raise _Damaged(f"it cannot be opened ({exc})") from None
        try:
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = FULL")
            rows = conn.execute("PRAGMA integrity_check").fetchall()
            if [r[0] for r in rows] != ["ok"]:
                raise _Damaged("the integrity check failed (" + "; ".join(str(r[0]) for r in rows[:3]) + ")")
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            if version > 0:
                tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
                if not {"notes", "note_tags"} <= tables:
                    raise _Damaged("its tables are missing")
        except sqlite3.Error as exc:
            conn.close()
            raise _Damaged(f"it is not a readable SQLite database ({exc})") from None
        except _Damaged:
            conn.close()
            raise
        return conn

    @classmethod
    def _recover(cls, path: Path, folder: Path, reason: str) -> tuple[sqlite3.Connection, str]:
        """Move the damaged file aside, restore the newest good backup, say what happened."""
        stamp = time.strftime("%Y%m%d-%H%M%S")
        aside = path.with_name(f"{DB_NAME}.damaged-{stamp}")
        n = 1
        while aside.exists():
            n += 1
            aside = path.with_name(f"{DB_NAME}.damaged-{stamp}-{n}")
        path.replace(aside)
        for suffix in ("-wal", "-shm"):
            side = path.with_name(DB_NAME + suffix)
            if side.exists():
                with contextlib.suppress(OSError):
                    side.replace(aside.with_name(aside.name + suffix))
        head = f"The notes database was damaged: {reason}. The damaged file is kept as {aside}."
        for backup in cls._backups(folder):
            try:
                src = _connect(_file_uri(backup, mode="ro"), readonly=True)
                try:
                    if src.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
                        continue
                    count = src.execute("SELECT count(*) FROM notes").fetchone()[0]
                    fd = os.open(path, os.O_CREAT | os.O_WRONLY | os.O_TRUNC, 0o600)
                    os.close(fd)
                    dst = _connect(_file_uri(path))
                    src.backup(dst)
                    dst.close()
                finally:
                    src.close()
            except sqlite3.Error:
                continue
            conn = cls._open_checked(path, folder)
            match = _BACKUP_NAME.match(backup.name)
            when = _fmt_time(match.group(1)) if match else backup.name
            return conn, (f"{head} Restored the newest good backup, taken {when}, with {count} note(s). "
                          f"Notes added or changed after {when} may be missing; they may still be "
                          "recoverable from the damaged file.")
        fd = os.open(path, os.O_CREAT | os.O_WRONLY | os.O_TRUNC, 0o600)
        os.close(fd)
        conn = cls._open_checked(path, folder)
        return conn, f"{head} No good backup was found, so an empty notes database was started."

    @classmethod
    def _open_read_only(cls, folder: Path) -> NoteStore:
        path = folder / DB_NAME
        why = (f"The notes folder {folder} cannot be written: notes are shown read-only "
               "and cannot be added or changed.")
        if path.exists():
            for params in ({"mode": "ro"}, {"mode": "ro", "immutable": "1"}):
                try:
                    conn = _connect(_file_uri(path, **params), readonly=True)
                    conn.execute("SELECT count(*) FROM notes").fetchone()
                    return cls(folder, conn, read_only=True, notice=why)
                except sqlite3.Error:
                    with contextlib.suppress(Exception):
                        conn.close()
        conn = _connect("file::memory:")
        store = cls(folder, conn, read_only=True, notice=why)
        store._migrate(force=True)
        return store

    def _user_version(self) -> int:
        return int(self._conn.execute("PRAGMA user_version").fetchone()[0])

    def _migrate(self, force: bool = False) -> None:
        version = self._user_version()
        if version >= SCHEMA_VERSION:
            return
        if self.read_only and not force:
            return
        self._conn.execute("BEGIN IMMEDIATE")
        try:
            for number in range(version, SCHEMA_VERSION):
                for statement in _statements(MIGRATIONS[number]):
                    self._conn.execute(statement)
            self._conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            self._conn.execute("COMMIT")
        except BaseException:
            self._conn.execute("ROLLBACK")
            raise

    def _fix_modes(self) -> None:
        for name in (DB_NAME, DB_NAME + "-wal", DB_NAME + "-shm"):
            with contextlib.suppress(OSError):
                (self.folder / name).chmod(0o600)

    # -- backups ------------------------------------------------------------------------
    @staticmethod
    def _backups(folder: Path) -> list[Path]:
        """Backups, newest first."""
        found = [p for p in (folder / "backups").glob("notes-*.sqlite3") if _BACKUP_NAME.match(p.name)]
        return sorted(found, key=lambda p: p.name, reverse=True)

    def backups(self) -> list[Path]:
        return self._backups(self.folder)

    @property
    def revision(self) -> int:
        row = self._conn.execute("SELECT value FROM meta WHERE key = 'revision'").fetchone()
        return int(row[0]) if row else 0

    def backup(self) -> Path | None:
        """Copy the database with SQLite's backup API if it changed since the newest backup."""
        if self.read_only:
            return None
        revision = self.revision
        if revision == self._backed_up_revision:
            return None
        existing = self.backups()
        if existing:
            match = _BACKUP_NAME.match(existing[0].name)
            if match and int(match.group(2)) == revision:
                self._backed_up_revision = revision
                return None
        try:
            self.backup_dir.mkdir(mode=0o700, exist_ok=True)
            target = self.backup_dir / f"notes-{_stamp()}-r{revision}.sqlite3"
            tmp = target.with_name("." + target.name + ".tmp")
            fd = os.open(tmp, os.O_CREAT | os.O_WRONLY | os.O_TRUNC, 0o600)
            os.close(fd)
            dst = sqlite3.connect(tmp, isolation_level=None)
            try:
                self._conn.backup(dst)
                dst.execute("PRAGMA journal_mode = DELETE")
            finally:
                dst.close()
            with tmp.open("rb") as handle:
                os.fsync(handle.fileno())
            tmp.replace(target)
        except (OSError, sqlite3.Error) as exc:
            with contextlib.suppress(Exception):
                tmp.unlink()
            self.notice = ((self.notice + " ") if self.notice else "") + f"Could not back up the notes: {exc}."
            return None
        self._backed_up_revision = revision
        for old in self.backups()[KEEP_BACKUPS:]:
            with contextlib.suppress(OSError):
                old.unlink()
        return target

    def integrity_ok(self) -> bool:
        return self._conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"

    def close(self) -> None:
        with contextlib.suppress(sqlite3.Error):
            self.backup()
        with contextlib.suppress(sqlite3.Error):
            self._conn.close()

    def __enter__(self) -> NoteStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- transactions -----------------------------------------------------------------------
    @contextlib.contextmanager
    def _write(self, action: str) -> Iterator[sqlite3.Connection]:
        """One user action = one transaction; any failure leaves the database unchanged."""
        if self.read_only:
            raise NotesError(f"Could not {action}: {self.notice or 'the notes are read-only.'}")
        conn = self._conn
        try:
            conn.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as exc:
            raise NotesError(_user_message(exc, action)) from None
        try:
            yield conn
            conn.execute("UPDATE meta SET value = value + 1 WHERE key = 'revision'")
            conn.execute("COMMIT")
        except sqlite3.Error as exc:
            with contextlib.suppress(sqlite3.Error):
                conn.execute("ROLLBACK")
            raise NotesError(_user_message(exc, action)) from None
        except BaseException:
            with contextlib.suppress(sqlite3.Error):
                conn.execute("ROLLBACK")
            raise

    # -- rows ------------------------------------------------------------------------------
    def _insert(self, conn: sqlite3.Connection, note: Note, *, replace: bool = False) -> None:
        verb = "INSERT OR REPLACE" if replace else "INSERT"
        cols = ", ".join(f'"{c}"' for c in _COLUMNS)
        marks = ", ".join("?" for _ in _COLUMNS)
        if replace:
            conn.execute("DELETE FROM note_tags WHERE note_id = ?", (note.id,))
        conn.execute(f"{verb} INTO notes ({cols}) VALUES ({marks})",
                     tuple(getattr(note, c) for c in _COLUMNS))
        conn.executemany("INSERT OR IGNORE INTO note_tags (note_id, position, tag) VALUES (?, ?, ?)",
                         [(note.id, i, t) for i, t in enumerate(note.tags)])

    def _rows(self, where: str = "", params: tuple[Any, ...] = ()) -> list[Note]:
        cols = ", ".join(f'n."{c}"' for c in _COLUMNS)
        sql = (f"SELECT {cols}, (SELECT group_concat(tag, char(31)) FROM "
               f"(SELECT tag FROM note_tags t WHERE t.note_id = n.id ORDER BY position)) "
               f"FROM notes n {where} ORDER BY n.doc, coalesce(n.start, -1), n.created")
        out = []
        for row in self._conn.execute(sql, params):
            data = dict(zip(_COLUMNS, row[:-1], strict=True))
            tags = tuple(row[-1].split("\x1f")) if row[-1] else ()
            out.append(Note(**data, tags=tags))
        return out

    def add(self, note: Note) -> Note:
        with self._write("save the note") as conn:
            try:
                self._insert(conn, note)
            except sqlite3.IntegrityError:
                raise NotesError(f"a note with id {note.id} already exists") from None
        return note

    def put(self, note: Note) -> Note:
        """Insert or replace a note as it is (undo of a delete, import)."""
        with self._write("save the note") as conn:
            self._insert(conn, note, replace=True)
        return note

    def put_many(self, notes: list[Note]) -> None:
        with self._write("save the notes") as conn:
            for note in notes:
                self._insert(conn, note, replace=True)

    def get(self, note_id: str) -> Note | None:
        found = self._rows("WHERE n.id = ?", (note_id,))
        return found[0] if found else None

    def resolve(self, id_or_prefix: str) -> Note:
        """A note by its id or an unambiguous beginning of it (at least 4 characters)."""
        key = id_or_prefix.strip().lower()
        if key.startswith("urn:uuid:"):
            key = key[9:].replace("-", "")
        exact = self.get(key)
        if exact is not None:
            return exact
        if len(key) < 4:
            raise NotesError(f"no note with id {id_or_prefix!r}")
        found = self._rows("WHERE n.id LIKE ? ESCAPE '\\'", (key.replace("%", r"\%").replace("_", r"\_") + "%",))
        if not found:
            raise NotesError(f"no note with id {id_or_prefix!r}")
        if len(found) > 1:
            raise NotesError(f"{id_or_prefix!r} matches {len(found)} notes; give more of the id")
        return found[0]

    def notes(self, corpus: str | None = None, doc: str | None = None, status: str | None = None) -> list[Note]:
        clauses, params = [], []
        if corpus is not None:
            clauses.append("n.corpus = ?")
            params.append(corpus)
        if doc is not None:
            clauses.append("n.doc = ?")
            params.append(doc)
        if status is not None:
            clauses.append("n.status = ?")
            params.append(check_status(status))
        where = ("WHERE " + " AND ".join(clauses)) if clauses else ""
        return self._rows(where, tuple(params))

    def count(self) -> int:
        return int(self._conn.execute("SELECT count(*) FROM notes").fetchone()[0])

    def doc_ids(self, corpus: str) -> list[str]:
        return [r[0] for r in self._conn.execute(
            "SELECT DISTINCT doc FROM notes WHERE corpus = ? ORDER BY doc", (corpus,))]

    def update(self, note_id: str, **changes: Any) -> Note:
        """Change body, tags, colour or anchor of a note; ``updated`` moves to now."""
        note = self.get(note_id)
        if note is None:
            raise NotesError(f"no note with id {note_id!r}")
        changes.setdefault("updated", now_iso())
        new = note.with_changes(**changes)
        with self._write("save the note") as conn:
            self._insert(conn, new, replace=True)
        return new

    def delete(self, note_id: str) -> Note:
        note = self.get(note_id)
        if note is None:
            raise NotesError(f"no note with id {note_id!r}")
        with self._write("delete the note") as conn:
            conn.execute("DELETE FROM notes WHERE id = ?", (note_id,))
        return note

    def save_anchors(self, notes: list[Note]) -> None:
        """Store re-anchoring results (not a user edit: ``updated`` is left alone)."""
        if not notes:
            return
        with self._write("save re-anchored notes") as conn:
            conn.executemany(
                'UPDATE notes SET doc_hash = ?, start = ?, "end" = ?, exact = ?, prefix = ?, suffix = ?, '
                "status = ? WHERE id = ?",
                [(n.doc_hash, n.start, n.end, n.exact, n.prefix, n.suffix, n.status, n.id) for n in notes])

    def orphans(self, corpus: str | None = None) -> list[Note]:
        return self.notes(corpus=corpus, status=ORPHAN)


def _statements(script: str) -> list[str]:
    return [s.strip() for s in script.split(";") if s.strip()]
