"""Opening the notes database: tell damage from a refused write, restore from backups safely.

Kept apart from row access (:mod:`reader.core.notes.store`) because every way it can go wrong
is a way to lose notes, and each needs its own answer:

* **Damaged** (``SQLITE_CORRUPT``, ``SQLITE_NOTADB``, a failed ``integrity_check``): the file is
  renamed ``notes.sqlite3.damaged-<time>`` (kept, never deleted) and the best backup restored.
* **Went backwards** (missing, 0 bytes, or a valid database whose revision is behind what the
  marker or the newest backup knew, e.g. an empty SQLite file): the best backup is restored;
  a valid file is *copied* aside as ``notes.sqlite3.replaced-<time>``, never renamed.
* **Cannot write** (``ENOSPC``, ``EFBIG``, ``EROFS``, ``EACCES``, ``SQLITE_FULL``,
  ``SQLITE_IOERR``, ``SQLITE_READONLY``...): not damage. Nothing is moved; the notes are
  opened read-only (an in-memory copy) and the notice says so.

A restore is crash-safe: the backup is copied into a temp file beside the database, its
revision moved past every known one, fsynced, and put in place with one rename. A kill at any
moment leaves either the old state (detected again at the next start) or the restored one.
Everything here runs under the data dir's open lock (:func:`folder_lock`), so two processes
starting at once neither restore twice nor migrate twice.
"""

from __future__ import annotations

import contextlib
import errno
import logging
import os
import shutil
import sqlite3
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from reader.core.notes.backups import (
    BackupCheck,
    copy_database,
    fsync_dir,
    fsync_path,
    inspect,
    list_backups,
    remove_debris,
    remove_with_sidecars,
    revision_of,
)
from reader.core.notes.marker import Marker, read_marker, write_marker
from reader.core.userfile import aside_path

try:
    import fcntl
    import resource
except ImportError:  # Windows: BEGIN EXCLUSIVE still serialises migrations
    fcntl = None  # type: ignore[assignment]
    resource = None  # type: ignore[assignment]

log = logging.getLogger(__name__)

DB_NAME = "notes.sqlite3"
LOCK_NAME = ".open.lock"
SQLITE_HEADER = b"SQLite format 3\x00"

DAMAGED = "damaged"
CANNOT_WRITE = "cannot-write"
_DAMAGE_CODES = {"SQLITE_CORRUPT", "SQLITE_NOTADB"}
_ERRNO_WORDS = {
    errno.ENOSPC: "the disk is full",
    errno.EFBIG: "a file-size limit was reached",
    errno.EROFS: "the disk is read-only",
    errno.EACCES: "permission was denied",
    errno.EPERM: "permission was denied",
    errno.EDQUOT: "the disk quota is used up",
}


@dataclass
class Opened:
    """A connection ready for the store, and what the user must be told about it."""

    conn: sqlite3.Connection
    read_only: bool = False
    notices: list[str] = field(default_factory=list)
    #: the store moves its revision at least this far after migrating (a fresh start after damage)
    min_revision: int = 0
    #: the marker as it was before this open (None: none yet)
    marker: Marker | None = None


def connect(uri: str, *, readonly: bool = False) -> sqlite3.Connection:
    conn = sqlite3.connect(uri, uri=True, isolation_level=None, timeout=10.0)
    conn.execute("PRAGMA foreign_keys = ON")
    if not readonly:
        conn.execute("PRAGMA busy_timeout = 10000")
    return conn


def file_uri(path: Path, **params: str) -> str:
    query = "&".join(f"{k}={v}" for k, v in params.items())
    return f"file:{path.as_posix()}" + (f"?{query}" if query else "")


def classify(exc: BaseException) -> str:
    """:data:`DAMAGED` or :data:`CANNOT_WRITE` for an error met while opening the database."""
    if isinstance(exc, sqlite3.Error):
        name = getattr(exc, "sqlite_errorname", "") or ""
        base = "_".join(name.split("_")[:2])
        if base in _DAMAGE_CODES:
            return DAMAGED
        text = str(exc).lower()
        if "malformed" in text or "not a database" in text:
            return DAMAGED
    return CANNOT_WRITE


def _why_not_written(exc: BaseException, folder: Path | None = None) -> str:
    if isinstance(exc, OSError) and exc.errno in _ERRNO_WORDS:
        return _ERRNO_WORDS[exc.errno]
    name = getattr(exc, "sqlite_errorname", "") or ""
    if name.startswith("SQLITE_FULL"):
        return "the disk is full"
    if name.startswith("SQLITE_READONLY"):
        return "the file or the disk is read-only"
    if name.startswith("SQLITE_BUSY") or name.startswith("SQLITE_LOCKED"):
        return "another Parallax process holds it locked"
    return f"a write was refused ({exc}{_likely_cause(folder)})"


def _likely_cause(folder: Path | None) -> str:
    """SQLite says only "disk I/O error" for a full disk or a file-size limit: look for either."""
    if folder is not None:
        with contextlib.suppress(OSError):
            if shutil.disk_usage(folder).free < 256 * 1024:
                return "; the disk is full"
    if resource is not None:
        with contextlib.suppress(OSError, ValueError):
            soft, _hard = resource.getrlimit(resource.RLIMIT_FSIZE)
            if soft != resource.RLIM_INFINITY:
                return f"; a file-size limit of {soft} bytes is in force"
    return ""


def cannot_write_notice(path: Path, exc: BaseException) -> str:
    return (f"The notes database {path} cannot be written: {_why_not_written(exc, path.parent)}. Your notes are "
            "shown read-only; nothing was changed or moved. Free some space (or fix the permissions) "
            "and start again to add or change notes.")


# -- the open lock --------------------------------------------------------------------------
@contextlib.contextmanager
def folder_lock(folder: Path, timeout: float = 20.0) -> Iterator[bool]:
    """Hold the notes folder's lock file (``flock``) while opening, recovering or backing up.

    Yields False when the lock could not be had (read-only folder, no ``fcntl``, timeout);
    callers then skip what only the holder may do (removing debris).
    """
    try:
        fd = os.open(Path(folder) / LOCK_NAME, os.O_RDWR | os.O_CREAT, 0o600)
    except OSError:
        yield False
        return
    try:
        if fcntl is None:
            yield False
            return
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    log.warning("the notes folder %s stayed locked for %.0f s; going on without the lock",
                                folder, timeout)
                    yield False
                    return
                time.sleep(0.02)
            except OSError as exc:
                log.warning("cannot lock %s: %s", folder, exc)
                yield False
                return
        yield True
    finally:
        os.close(fd)


# -- opening ------------------------------------------------------------------------------------
def open_database(folder: Path, *, writable: bool, locked: bool) -> Opened:
    """Open, and if need be recover, ``folder/notes.sqlite3``; the caller holds the lock."""
    path = folder / DB_NAME
    if not writable:
        return open_read_only(folder, f"The notes folder {folder} cannot be written: notes are shown "
                                      "read-only and cannot be added or changed.")
    if locked:
        remove_debris(folder)
    marker = read_marker(folder)
    backups = list_backups(folder)
    expected = max(marker.revision if marker else 0, revision_of(backups[0]) if backups else 0)
    opened = _open_existing(folder, path, marker, backups, expected)
    opened.marker = marker
    return opened


def _open_existing(folder: Path, path: Path, marker: Marker | None, backups: list[Path],
                   expected: int) -> Opened:
    try:
        size = path.stat().st_size if path.exists() else -1
        header = b""
        if size > 0:
            with path.open("rb") as handle:
                header = handle.read(16)
    except OSError as exc:
        return open_read_only(folder, cannot_write_notice(path, exc))
    if size < 0 or (size == 0 and not _has_wal(path)):
        if expected > 0 or backups:
            what = "is missing" if size < 0 else "is empty (0 bytes)"
            return restore(folder, "missing", f"The notes database {path} {what}", marker, backups, expected)
        return _create_fresh(folder, path)
    if size > 0 and header != SQLITE_HEADER[:len(header)]:
        return restore(folder, DAMAGED, _damaged_head(path, "it is not an SQLite database"), marker, backups,
                       expected)
    if not os.access(path, os.R_OK | os.W_OK):  # a 0400 file: SQLite would quietly open it read-only
        return open_read_only(folder, cannot_write_notice(path, PermissionError(errno.EACCES, "read-only file")))
    conn: sqlite3.Connection | None = None
    try:
        conn = connect(file_uri(path))
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = FULL")
        rows = conn.execute("PRAGMA integrity_check").fetchall()
        if [r[0] for r in rows] != ["ok"]:
            conn.close()
            why = "the integrity check failed (" + "; ".join(str(r[0]) for r in rows[:3]) + ")"
            return restore(folder, DAMAGED, _damaged_head(path, why), marker, backups, expected)
        version = int(conn.execute("PRAGMA user_version").fetchone()[0])
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        revision = _revision(conn)
        notes = _count(conn)
    except sqlite3.Error as exc:
        if conn is not None:
            with contextlib.suppress(sqlite3.Error):
                conn.close()
        if classify(exc) == DAMAGED:
            return restore(folder, DAMAGED, _damaged_head(path, f"it cannot be read ({exc})"), marker, backups,
                           expected)
        log.info("notes database %s cannot be written: %s", path, exc)
        return open_read_only(folder, cannot_write_notice(path, exc))
    if version > 0 and not {"notes", "note_tags"} <= tables:
        return restore(folder, "replace", f"The notes database {path} has lost its tables", marker, backups,
                       expected, old=conn)
    if revision < expected:
        held = f"; it last held {marker.notes} note(s)" if marker else ""
        return restore(folder, "replace", f"The notes database {path} is older than the last state "
                       f"this app knew (it holds {max(notes, 0)} note(s){held})", marker, backups, expected,
                       old=conn, old_revision=revision, old_notes=notes)
    return Opened(conn)


def _damaged_head(path: Path, why: str) -> str:
    return f"The notes database {path} was damaged: {why}"


def _has_wal(path: Path) -> bool:
    wal = path.with_name(path.name + "-wal")
    try:
        return wal.stat().st_size > 0
    except OSError:
        return False


def _revision(conn: sqlite3.Connection) -> int:
    try:
        row = conn.execute("SELECT value FROM meta WHERE key = 'revision'").fetchone()
    except sqlite3.Error:
        return 0
    return int(row[0]) if row else 0


def _count(conn: sqlite3.Connection) -> int:
    try:
        return int(conn.execute("SELECT count(*) FROM notes").fetchone()[0])
    except sqlite3.Error:
        return -1


def _create_fresh(folder: Path, path: Path) -> Opened:
    existed = path.exists()
    conn: sqlite3.Connection | None = None
    if not existed:  # a -wal left without its database must never be replayed into a new one
        _set_sidecars_aside(path, None, keep_pairing=False)
    try:
        fd = os.open(path, os.O_CREAT | os.O_WRONLY, 0o600)
        os.close(fd)
        conn = connect(file_uri(path))
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = FULL")
    except (OSError, sqlite3.Error) as exc:
        if conn is not None:
            with contextlib.suppress(sqlite3.Error):
                conn.close()
        if not existed:
            _remove_if_empty(path)
        return open_read_only(folder, cannot_write_notice(path, exc))
    return Opened(conn)


def _remove_if_empty(path: Path) -> None:
    """Remove a database file this process just created and could not write to (0 bytes)."""
    with contextlib.suppress(OSError):
        if path.stat().st_size == 0:
            for suffix in ("-wal", "-shm", "-journal"):
                side = path.with_name(path.name + suffix)
                with contextlib.suppress(OSError):
                    if side.stat().st_size == 0 or suffix == "-shm":
                        side.unlink()
            path.unlink()


# -- choosing and restoring a backup -------------------------------------------------------------
def choose_backup(checks: list[BackupCheck], held: int | None) -> BackupCheck | None:
    """The newest verified backup holding at least ``held`` notes; else the one holding the most.

    Backups that fail verification only because some rows do not decode are used when no
    fully verified one exists (those rows are then read defensively and flagged damaged).
    """
    pool = [c for c in checks if c.verified] or [c for c in checks if c.intact]
    if not pool:
        return None
    if held is not None:
        for check in pool:
            if check.notes >= held:
                return check
    most = max(c.notes for c in pool)
    return next(c for c in pool if c.notes == most)


def _aside_name(path: Path, kind: str) -> Path:
    """``notes.sqlite3.<kind>-<time>``: the name rule every set-aside user file follows."""
    return aside_path(path.with_name(DB_NAME), kind)


def _restored_copy(folder: Path, source: BackupCheck, revision: int) -> Path:
    """The backup copied into a temp file beside the database, its revision set, fsynced."""
    tmp = folder / f".{DB_NAME}.restore-{os.getpid()}.tmp"
    remove_with_sidecars(tmp)
    try:
        src = connect(file_uri(source.path, mode="ro"), readonly=True)
        try:
            copy_database(src, tmp)
        finally:
            src.close()
        dst = sqlite3.connect(tmp, isolation_level=None)
        try:
            dst.execute("UPDATE meta SET value = ? WHERE key = 'revision' AND value < ?", (revision, revision))
        except sqlite3.OperationalError as exc:  # a backup from before the revision counter: migrations add it
            if "no such table" not in str(exc):
                raise
            log.info("restored backup %s has no revision counter", source.path)
        finally:
            dst.close()
        fsync_path(tmp)
    except BaseException:
        remove_with_sidecars(tmp)
        raise
    return tmp


def _set_sidecars_aside(path: Path, aside: Path | None, keep_pairing: bool) -> None:
    """Move ``-wal``/``-shm`` files away from ``path`` so they can never meet the restored file."""
    stamp = time.strftime("%Y%m%d-%H%M%S")
    for suffix in ("-wal", "-shm"):
        side = path.with_name(DB_NAME + suffix)
        if not side.exists():
            continue
        if aside is not None and keep_pairing:
            target = aside.with_name(aside.name + suffix)
        else:
            target = path.with_name(f"{DB_NAME}.left-{stamp}{suffix}-left")
        try:
            side.replace(target)
        except OSError as exc:
            log.warning("cannot move %s aside: %s", side, exc)


def _copy_aside(conn: sqlite3.Connection, path: Path) -> Path:
    """A complete copy of a valid database beside it (the original is never renamed)."""
    tmp = path.with_name(f".{DB_NAME}.aside-{os.getpid()}.tmp")
    try:
        copy_database(conn, tmp)
        aside = _aside_name(path, "replaced")
        tmp.replace(aside)
    except BaseException:
        remove_with_sidecars(tmp)
        raise
    return aside


def restore(folder: Path, mode: str, head: str, marker: Marker | None, backups: list[Path], expected: int,
            *, old: sqlite3.Connection | None = None, old_revision: int = -1, old_notes: int = -1) -> Opened:
    """Put the best backup in place of ``folder/notes.sqlite3``; ``mode`` says what the file is.

    ``missing``: absent or 0 bytes. ``damaged``: renamed aside first. ``replace``: a valid file
    that went backwards (``old`` is its open connection): copied aside, and only replaced when
    the backup is really better.
    """
    path = folder / DB_NAME
    held = marker.notes if marker else None
    checks = [inspect(b) for b in backups]
    source = choose_backup(checks, held)
    new_revision = max(expected, max((c.revision for c in checks), default=0)) + 1
    if mode == "replace" and old is not None:
        # with nothing better to put there, only a file without its tables is set aside
        better = (old_notes < 0 if source is None
                  else source.revision > old_revision or source.notes > old_notes)
        if not better:
            return _keep_behind(folder, old, head, new_revision)
    try:
        tmp = _restored_copy(folder, source, new_revision) if source is not None else None
    except (OSError, sqlite3.Error) as exc:
        if old is not None:
            with contextlib.suppress(sqlite3.Error):
                old.close()
        log.warning("restore of %s failed: %s", path, exc)
        return open_read_only(folder, f"{head}. It could not be restored: {cannot_write_notice(path, exc)}")
    aside: Path | None = None
    try:
        if mode == DAMAGED:
            aside = _aside_name(path, "damaged")
            path.replace(aside)
            _set_sidecars_aside(path, aside, keep_pairing=True)
        elif mode == "replace" and old is not None:
            aside = _copy_aside(old, path)
            old.close()
            _set_sidecars_aside(path, None, keep_pairing=False)
        else:
            _set_sidecars_aside(path, None, keep_pairing=False)
        if tmp is not None:
            tmp.replace(path)
        elif path.exists():
            path.unlink()  # 0 bytes, or a valid file now copied aside: start empty in its place
        fsync_dir(folder)
    except (OSError, sqlite3.Error) as exc:
        if old is not None:
            with contextlib.suppress(sqlite3.Error):
                old.close()
        if tmp is not None:
            remove_with_sidecars(tmp)
        log.warning("restore of %s failed: %s", path, exc)
        return open_read_only(folder, f"{head}. It could not be restored: {cannot_write_notice(path, exc)}")
    kept = f" The {'damaged' if mode == DAMAGED else 'replaced'} file is kept as {aside}." if aside else ""
    if source is None:
        fresh = _create_fresh(folder, path)
        fresh.notices.insert(0, f"{head}.{kept} No good backup was found, so an empty notes database was "
                                "started.")
        fresh.min_revision = new_revision
        write_marker(folder, Marker(notes=0, revision=new_revision))
        return fresh
    try:
        conn = connect(file_uri(path))
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = FULL")
    except sqlite3.Error as exc:  # restored, but the disk refuses the journal now: show it read-only
        return open_read_only(folder, f"{head}.{kept} The backup taken {source.taken} was restored, but "
                                      + cannot_write_notice(path, exc))
    count = _count(conn)
    newest = source is next((c for c in checks if c.verified), None)
    write_marker(folder, Marker(notes=count, revision=_revision(conn), backup=source.path.name,
                                backup_notes=source.notes))
    return Opened(conn, notices=[f"{head}.{kept} " + _restored_words(source, count, marker, aside, newest)])


def _restored_words(source: BackupCheck, count: int, marker: Marker | None, aside: Path | None,
                    newest: bool) -> str:
    which = "the newest good backup" if newest else "the newest backup holding the most notes"
    words = f"Restored {which}, taken {source.taken}, with {count} note(s)."
    if marker is not None and marker.revision <= source.revision:
        return words + " It holds every note the database last held."
    if marker is not None and count < marker.notes:
        words += f" The database last held {marker.notes} note(s): {marker.notes - count} may be missing."
    words += f" Notes added or changed after {source.taken} may be missing"
    return words + (f"; they may still be in {aside}." if aside else ".")


def _keep_behind(folder: Path, conn: sqlite3.Connection, head: str, new_revision: int) -> Opened:
    """A database behind its marker with no better backup: use it, and say so once."""
    write_marker(folder, Marker(notes=max(_count(conn), 0), revision=new_revision))
    with contextlib.suppress(sqlite3.Error):
        conn.execute("UPDATE meta SET value = ? WHERE key = 'revision'", (new_revision,))
    return Opened(conn, notices=[f"{head}. No backup holds more, so it is used as it is."],
                  min_revision=new_revision)


# -- read-only ------------------------------------------------------------------------------------
def open_read_only(folder: Path, why: str) -> Opened:
    """An in-memory copy of the database (else of its newest good backup), read-only, with ``why``."""
    path = folder / DB_NAME
    sources: list[Path] = [path] if path.exists() else []
    sources += list_backups(folder)
    for src in sources:
        for params in ({"mode": "ro"}, {"mode": "ro", "immutable": "1"}):
            conn: sqlite3.Connection | None = None
            try:
                conn = connect(file_uri(src, **params), readonly=True)
                if conn.execute("PRAGMA quick_check").fetchone()[0] != "ok":
                    break
                mem = connect("file::memory:")
                conn.backup(mem)
                notice = why
                if src != path:
                    notice += (f" The database itself cannot be read, so the backup {src.name} is shown "
                               "(read-only).")
                return Opened(mem, read_only=True, notices=[notice])
            except sqlite3.Error as exc:
                log.info("read-only open of %s (%s) failed: %s", src, params, exc)
                continue
            finally:
                if conn is not None:
                    with contextlib.suppress(sqlite3.Error):
                        conn.close()
    return Opened(connect("file::memory:"), read_only=True, notices=[why])
