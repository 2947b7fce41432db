"""The notes database: rows and transactions, built never to lose, hide or overwrite a note.

* WAL journal, ``synchronous=FULL``, foreign keys on; every user action is one
  ``BEGIN IMMEDIATE`` transaction, so a kill at any moment leaves the last committed state.
* Opening, damage, refused writes and restores are :mod:`reader.core.notes.recovery`'s job;
  backups (verified before they join the rotation) are :mod:`reader.core.notes.backups`';
  the marker recording what the database last held is :mod:`reader.core.notes.marker`.
* Schema changes are numbered migrations recorded in ``PRAGMA user_version``, run under the
  open lock and inside ``BEGIN EXCLUSIVE`` (re-reading the version there), so two processes
  starting on a fresh data dir cannot both run one. To change the schema, append a script
  to :data:`MIGRATIONS`; never edit one that shipped.
* Rows are read defensively: text that is not UTF-8 is repaired with replacement characters
  and the note is flagged ``damaged``, so one bad byte never hides the other notes.
* An edit changes only the fields it names, read and written in one transaction; a caller
  holding an older copy (``base``) is merged field by field, or refused with
  :class:`StaleEdit` when the other writer changed the same field.
* The file and its backups are created with mode 0600 (the folder 0700).
"""

from __future__ import annotations

import contextlib
import logging
import operator
import os
import re
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from reader.core.notes import backups as backups_mod
from reader.core.notes.anchoring import ORPHAN
from reader.core.notes.backups import KEEP_BACKUPS, list_backups, revision_of, rotate, take_backup
from reader.core.notes.marker import Marker, write_marker
from reader.core.notes.model import Note, NotesError, check_status, now_iso
from reader.core.notes.recovery import (
    DB_NAME,
    Opened,
    cannot_write_notice,
    folder_lock,
    open_database,
    open_read_only,
)

log = logging.getLogger(__name__)

__all__ = ["DB_NAME", "KEEP_BACKUPS", "MIGRATIONS", "SCHEMA_VERSION", "NoteStore", "StaleEdit"]

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
    # 5: a version per note, moved by every stored change, so an edit made on a stale copy is
    #    told apart (NoteStore.update)
    """
    ALTER TABLE notes ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
    """,
)
SCHEMA_VERSION = len(MIGRATIONS)

_COLUMNS = ("id", "corpus", "doc", "doc_hash", "start", "end", "exact", "prefix", "suffix", "original",
            "status", "kind", "body", "color", "created", "updated", "version")
_INT_COLUMNS = frozenset({"start", "end", "version"})
#: the row insert, written once (a sync of 10,000 notes built it 10,000 times)
_QUOTED_COLUMNS = ", ".join(f'"{c}"' for c in _COLUMNS)
_MARKS = ", ".join("?" for _ in _COLUMNS)
_INSERT = {False: f"INSERT INTO notes ({_QUOTED_COLUMNS}) VALUES ({_MARKS})",
           True: f"INSERT OR REPLACE INTO notes ({_QUOTED_COLUMNS}) VALUES ({_MARKS})"}
_ROW = operator.attrgetter(*_COLUMNS)
#: the fields an edit may name
EDITABLE = ("doc", "doc_hash", "start", "end", "exact", "prefix", "suffix", "original", "status", "kind",
            "body", "tags", "color", "updated")
#: what re-attaching a note changes
ANCHOR_FIELDS = ("doc", "doc_hash", "start", "end", "exact", "prefix", "suffix", "status", "kind")
_FIELD_WORDS = {"body": "text", "tags": "tags", "color": "colour"}


class StaleEdit(NotesError):
    """An edit made on an old copy of a note that another process changed in the same field."""

    def __init__(self, message: str, current: Note) -> None:
        super().__init__(message)
        self.current = current


class _Decoder:
    """The connection's text factory: UTF-8, or replacement characters for bytes that are not.

    ``bad`` counts repairs, so the row being read can be flagged damaged.
    """

    def __init__(self) -> None:
        self.bad = 0

    def __call__(self, raw: bytes) -> str:
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError:
            self.bad += 1
            return raw.decode("utf-8", "replace")


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


def _memory_copy(conn: sqlite3.Connection) -> sqlite3.Connection:
    mem = sqlite3.connect("file::memory:", uri=True, isolation_level=None)
    conn.backup(mem)
    return mem


class NoteStore:
    """All notes of one data dir; rows carry the corpus key they belong to."""

    def __init__(self, folder: Path, conn: sqlite3.Connection, *, read_only: bool = False,
                 notice: str | None = None) -> None:
        self.folder = folder
        self.path = folder / DB_NAME
        self.backup_dir = folder / backups_mod.BACKUP_DIR
        self._decoder = _Decoder()
        self._conn = conn
        conn.text_factory = self._decoder
        self.read_only = read_only
        self.notice = notice
        self._backed_up_revision = -1
        self._holding_lock = False
        self._marker = Marker()

    # -- opening --------------------------------------------------------------------------
    @classmethod
    def open(cls, data_dir: Path) -> NoteStore:
        """Open (creating, migrating or recovering) the notes database of ``data_dir``."""
        folder = Path(data_dir) / "notes"
        with contextlib.suppress(OSError):
            folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        writable = folder.is_dir() and _writable(folder)
        lock = folder_lock(folder) if writable else contextlib.nullcontext(False)
        with lock as locked:
            opened = open_database(folder, writable=writable, locked=locked)
            store = cls(folder, opened.conn, read_only=opened.read_only, notice=" ".join(opened.notices) or None)
            store._holding_lock = True
            try:
                store._prepare(opened)
            finally:
                store._holding_lock = False
        return store

    def _prepare(self, opened: Opened) -> None:
        """Migrate, settle the revision and the marker, report damaged rows, take a backup."""
        if opened.marker is not None:
            self._marker = opened.marker
        if self._user_version() > SCHEMA_VERSION:
            if not self.read_only:
                old = self._conn
                self._use(_memory_copy(old))
                old.close()
                self.read_only = True
            self._add_notice(f"The notes database {self.path} was written by a newer version of Parallax Reader "
                             f"(schema {self._user_version()}); it is opened read-only so nothing in it is lost.")
            return
        try:
            self._migrate(force=self.read_only)
        except sqlite3.Error as exc:
            if self.read_only:
                raise NotesError(_user_message(exc, "prepare the notes database")) from None
            log.warning("cannot migrate %s: %s", self.path, exc)
            with contextlib.suppress(sqlite3.Error):
                self._conn.close()
            fallback = open_read_only(self.folder, cannot_write_notice(self.path, exc))
            self._use(fallback.conn)
            self.read_only = True
            self.notice = None
            self._add_notice(" ".join(fallback.notices))
            self._migrate(force=True)
        if not self.read_only:
            if opened.min_revision and self.revision < opened.min_revision:
                with contextlib.suppress(sqlite3.Error):  # refused: the next start tells the same story
                    self._conn.execute("UPDATE meta SET value = ? WHERE key = 'revision'",
                                       (opened.min_revision,))
            self._fix_modes()
        damaged = sum(n.damaged for n in self._rows())
        if damaged:
            self._add_notice(
                f"{damaged} note(s) hold text that could not be read (a damaged byte in the notes database); "
                "they are shown with replacement characters (\ufffd) and flagged “damaged”. Saving such a note "
                "stores the repaired text.")
        if not self.read_only:
            count, revision = self.count(), self.revision
            if (self._marker.notes, self._marker.revision) != (count, revision):
                self._save_marker(count, revision)
            self.backup()

    def _use(self, conn: sqlite3.Connection) -> None:
        self._conn = conn
        conn.text_factory = self._decoder

    def _add_notice(self, text: str) -> None:
        if text:
            self.notice = f"{self.notice} {text}" if self.notice else text

    def _user_version(self) -> int:
        return int(self._conn.execute("PRAGMA user_version").fetchone()[0])

    def _migrate(self, force: bool = False) -> None:
        """Run the migrations still missing, once, even with two processes starting together."""
        if self._user_version() >= SCHEMA_VERSION:
            return
        if self.read_only and not force:
            return
        self._conn.execute("BEGIN EXCLUSIVE")
        try:
            version = self._user_version()  # again, now that no one else can be migrating
            for number in range(version, SCHEMA_VERSION):
                statements = _statements(MIGRATIONS[number])
                done = [_already_applied(self._conn, st) for st in statements]
                shaped = [d for st, d in zip(statements, done, strict=True) if _shapes_schema(st)]
                if shaped and all(shaped):
                    continue  # applied already: its data statements (UPDATE ...) must not run twice
                for statement, applied in zip(statements, done, strict=True):
                    if not applied:
                        self._conn.execute(statement)
            if version < SCHEMA_VERSION:
                self._conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            self._conn.execute("COMMIT")
        except BaseException:
            with contextlib.suppress(sqlite3.Error):
                self._conn.execute("ROLLBACK")
            raise

    def _fix_modes(self) -> None:
        """Take group and other bits off the database files; the owner's bits stay as the user set them."""
        for name in (DB_NAME, DB_NAME + "-wal", DB_NAME + "-shm"):
            with contextlib.suppress(OSError):
                path = self.folder / name
                mode = path.stat().st_mode & 0o777
                if mode & 0o077:
                    path.chmod(mode & 0o700)

    def _save_marker(self, count: int, revision: int) -> None:
        self._marker = Marker(notes=count, revision=revision, backup=self._marker.backup,
                              backup_notes=self._marker.backup_notes)
        write_marker(self.folder, self._marker)

    # -- backups ------------------------------------------------------------------------
    def backups(self) -> list[Path]:
        """Backups, newest first."""
        return list_backups(self.folder)

    @property
    def revision(self) -> int:
        try:
            row = self._conn.execute("SELECT value FROM meta WHERE key = 'revision'").fetchone()
        except sqlite3.Error:
            return 0
        return int(row[0]) if row else 0

    def backup(self) -> Path | None:
        """Copy the database if it changed since the newest backup; verify it; rotate."""
        if self.read_only:
            return None
        revision = self.revision
        if revision == self._backed_up_revision:
            return None
        existing = self.backups()
        if existing and revision_of(existing[0]) == revision:
            self._backed_up_revision = revision
            return None
        if self._holding_lock:
            return self._take_backup(revision)
        with folder_lock(self.folder):
            return self._take_backup(revision)

    def _take_backup(self, revision: int) -> Path | None:
        live = self.count()
        path, check, problem = take_backup(self._conn, self.folder, revision)
        if path is None:
            if check is not None and check.intact and not check.readable:
                bad = sum(n.damaged for n in self._rows())
                self._add_notice(
                    f"No new backup of the notes was taken: {bad} note(s) hold text that cannot be read, and "
                    "a backup must read back whole. The older backups are kept; edit or delete the notes "
                    "flagged “damaged” to resume backups.")
            else:
                self._add_notice(f"Could not back up the notes: {problem}.")
            return None
        self._backed_up_revision = revision
        rotate(self.folder, live)
        self._marker = Marker(notes=live, revision=revision, backup=path.name,
                              backup_notes=check.notes if check else live)
        write_marker(self.folder, self._marker)
        return path

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
            revision = int(conn.execute("SELECT value FROM meta WHERE key = 'revision'").fetchone()[0])
            count = int(conn.execute("SELECT count(*) FROM notes").fetchone()[0])
            conn.execute("COMMIT")
        except sqlite3.Error as exc:
            with contextlib.suppress(sqlite3.Error):
                conn.execute("ROLLBACK")
            raise NotesError(_user_message(exc, action)) from None
        except BaseException:
            with contextlib.suppress(sqlite3.Error):
                conn.execute("ROLLBACK")
            raise
        self._save_marker(count, revision)

    # -- rows ------------------------------------------------------------------------------
    def _insert(self, conn: sqlite3.Connection, note: Note, *, replace: bool = False) -> None:
        if replace:
            prev = conn.execute("SELECT version FROM notes WHERE id = ?", (note.id,)).fetchone()
            if prev is not None:
                note = note.with_changes(version=max(int(prev[0] or 0) + 1, note.version))
            conn.execute("DELETE FROM note_tags WHERE note_id = ?", (note.id,))
        conn.execute(_INSERT[replace], _ROW(note))
        self._write_tags(conn, note.id, note.tags)

    @staticmethod
    def _write_tags(conn: sqlite3.Connection, note_id: str, tags: tuple[str, ...]) -> None:
        conn.executemany("INSERT OR IGNORE INTO note_tags (note_id, position, tag) VALUES (?, ?, ?)",
                         [(note_id, i, t) for i, t in enumerate(tags)])

    def _rows(self, where: str = "", params: tuple[Any, ...] = ()) -> list[Note]:
        """Notes, each read on its own: a row whose text does not decode is repaired and flagged."""
        cols = ", ".join(f'n."{c}"' for c in _COLUMNS)
        sql = (f"SELECT {cols}, (SELECT group_concat(tag, char(31)) FROM "
               f"(SELECT tag FROM note_tags t WHERE t.note_id = n.id ORDER BY position)) "
               f"FROM notes n {where} ORDER BY n.doc, coalesce(n.start, -1), n.created")
        out = []
        cursor = self._conn.execute(sql, params)
        while True:
            before = self._decoder.bad
            row = cursor.fetchone()
            if row is None:
                break
            out.append(_note_from_row(row, damaged=self._decoder.bad != before))
        return out

    def add(self, note: Note) -> Note:
        with self._write("save the note") as conn:
            try:
                self._insert(conn, note)
            except sqlite3.IntegrityError:
                raise NotesError(f"a note with id {note.id} already exists") from None
        return note

    def put(self, note: Note) -> Note:
        """Insert or replace a note as it is (undo of a delete, import); its version moves on."""
        with self._write("save the note") as conn:
            self._insert(conn, note, replace=True)
        return self.get(note.id) or note

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

    def count_in(self, corpus: str) -> int:
        """Notes stored under corpus key ``corpus`` (one indexed query)."""
        return int(self._conn.execute("SELECT count(*) FROM notes WHERE corpus = ?", (corpus,)).fetchone()[0])

    def doc_ids(self, corpus: str) -> list[str]:
        return [r[0] for r in self._conn.execute(
            "SELECT DISTINCT doc FROM notes WHERE corpus = ? ORDER BY doc", (corpus,))]

    def update(self, note_id: str, base: Note | None = None, **changes: Any) -> Note:
        """Change only the named fields (body, tags, colour, anchor...); ``updated`` moves to now.

        The note is read and written in one ``BEGIN IMMEDIATE`` transaction, so two processes
        editing different fields at once both keep their change. ``base`` is the copy the caller
        showed the user: if another writer changed the note since (its version moved), fields
        the other writer left alone are merged, and a field both changed raises
        :class:`StaleEdit` (nothing is written; ``exc.current`` is the note as it now is).
        """
        unknown = sorted(set(changes) - set(EDITABLE))
        if unknown:
            raise NotesError(f"cannot change {', '.join(unknown)} of a note")
        changes.setdefault("updated", now_iso())
        with self._write("save the note") as conn:
            current = self.get(note_id)
            if current is None:
                raise NotesError(f"no note with id {note_id!r}")
            if base is not None and base.version != current.version:
                clashes = [f for f in changes if f != "updated" and getattr(base, f) != getattr(current, f)
                           and getattr(current, f) != changes[f]]
                if clashes:
                    words = sorted({_FIELD_WORDS.get(f, "passage") for f in clashes})
                    raise StaleEdit(
                        f"This note was changed elsewhere (another Parallax window or command) since it was "
                        f"shown here, and its {' and '.join(words)} differ from what you edited. Your change "
                        "was not saved; the note now shows the other change.", current)
            plain = {f: v for f, v in changes.items() if f != "tags"}
            sets = ", ".join(f'"{f}" = ?' for f in plain)
            conn.execute(f"UPDATE notes SET {sets}, version = version + 1 WHERE id = ?",
                         (*plain.values(), note_id))
            if "tags" in changes:
                conn.execute("DELETE FROM note_tags WHERE note_id = ?", (note_id,))
                self._write_tags(conn, note_id, tuple(changes["tags"]))
        new = self.get(note_id)
        assert new is not None
        return new

    def rekey(self, old: str, new: str) -> int:
        """Move every note of corpus key ``old`` to ``new`` in one transaction; nothing else changes.

        Done in SQL rather than by re-writing the notes, so a damaged row keeps its bytes. A
        read-only store is an in-memory copy: the move is made in that view only (so notes under
        an older key are still shown) and nothing is written.
        """
        if old == new:
            return 0
        if self.read_only:
            return int(self._conn.execute("UPDATE notes SET corpus = ? WHERE corpus = ?", (new, old)).rowcount)
        with self._write("move notes to their corpus") as conn:
            moved = conn.execute("UPDATE notes SET corpus = ?, version = version + 1 WHERE corpus = ?",
                                 (new, old)).rowcount
        return int(moved)

    def delete(self, note_id: str) -> Note:
        with self._write("delete the note") as conn:
            note = self.get(note_id)
            if note is None:
                raise NotesError(f"no note with id {note_id!r}")
            conn.execute("DELETE FROM notes WHERE id = ?", (note_id,))
        return note

    def save_anchors(self, notes: list[Note]) -> None:
        """Store re-anchoring results (not a user edit: ``updated`` is left alone)."""
        if not notes:
            return
        with self._write("save re-anchored notes") as conn:
            conn.executemany(
                'UPDATE notes SET doc_hash = ?, start = ?, "end" = ?, exact = ?, prefix = ?, suffix = ?, '
                "status = ?, version = version + 1 WHERE id = ?",
                [(n.doc_hash, n.start, n.end, n.exact, n.prefix, n.suffix, n.status, n.id) for n in notes])

    def orphans(self, corpus: str | None = None) -> list[Note]:
        return self.notes(corpus=corpus, status=ORPHAN)


def _note_from_row(row: tuple[Any, ...], *, damaged: bool) -> Note:
    """A note from a row of :data:`_COLUMNS` + tags, whatever types the file holds."""
    data: dict[str, Any] = {}
    for name, value in zip(_COLUMNS, row[:-1], strict=True):
        if name in _INT_COLUMNS:
            if isinstance(value, int) or (value is None and name != "version"):
                data[name] = value
            else:
                try:
                    data[name] = int(value)
                except (TypeError, ValueError):
                    data[name] = 1 if name == "version" else None
                    damaged = True
        elif isinstance(value, str):
            data[name] = value
        elif isinstance(value, bytes):
            data[name] = value.decode("utf-8", "replace")
            damaged = True
        else:
            data[name] = "" if value is None else str(value)
            damaged = True
    tags_raw = row[-1]
    if isinstance(tags_raw, bytes):
        tags_raw = tags_raw.decode("utf-8", "replace")
        damaged = True
    tags = tuple(str(tags_raw).split("\x1f")) if tags_raw else ()
    return Note(**data, tags=tags, damaged=damaged)


_CREATES = re.compile(r"^CREATE\s+(?:UNIQUE\s+)?(?:TABLE|INDEX)\s+(?:IF\s+NOT\s+EXISTS\s+)?\"?(\w+)", re.I)
_ADDS = re.compile(r"^ALTER\s+TABLE\s+\"?(\w+)\"?\s+ADD\s+(?:COLUMN\s+)?\"?(\w+)", re.I)
_SEEDS = re.compile(r"^INSERT\s+INTO\s+meta\s*\(key,\s*value\)\s*VALUES\s*\('(\w+)'", re.I)


def _shapes_schema(statement: str) -> bool:
    return bool(_CREATES.match(statement) or _ADDS.match(statement) or _SEEDS.match(statement))


def _already_applied(conn: sqlite3.Connection, statement: str) -> bool:
    """Whether a migration statement's effect is already there (a table, index, column or meta key).

    Keeps migrations idempotent when ``user_version`` is behind the schema (a copy restored by
    hand, a version reset): the rest of the migration still runs, nothing fails on a duplicate.
    """
    if match := _CREATES.match(statement):
        return conn.execute("SELECT 1 FROM sqlite_master WHERE name = ?", (match.group(1),)).fetchone() is not None
    if match := _ADDS.match(statement):
        columns = {row[1] for row in conn.execute(f'PRAGMA table_info("{match.group(1)}")')}
        return match.group(2) in columns
    if match := _SEEDS.match(statement):
        try:
            return conn.execute("SELECT 1 FROM meta WHERE key = ?", (match.group(1),)).fetchone() is not None
        except sqlite3.OperationalError:
            return False
    return False


def _statements(script: str) -> list[str]:
    return [s.strip() for s in script.split(";") if s.strip()]
