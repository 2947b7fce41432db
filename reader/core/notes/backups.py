"""Backups of the notes database: taken, verified, rotated, inspected for a restore.

A backup is a full copy made with SQLite's backup API into a temp file, fsynced, checked
(it opens, ``integrity_check`` says ok, every row decodes) and only then renamed into
``backups/notes-<UTC time>-r<revision>.sqlite3``: a copy that cannot be read back never
joins the rotation, so it can never push a good backup out.

Rotation keeps the newest :data:`KEEP_BACKUPS`, and never deletes the oldest and the newest
backup holding the most notes, so a database that lost notes (whatever the cause) cannot
rotate away every copy that still holds them. While the live database holds fewer notes
than the previous backup, nothing is rotated at all (up to a hard cap, so a user deleting
notes one at a time does not make backups pile up for ever).
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

log = logging.getLogger(__name__)

KEEP_BACKUPS = 10
#: Rotation is never deferred beyond this many backups.
HARD_CAP = 2 * KEEP_BACKUPS
BACKUP_DIR = "backups"
BACKUP_NAME = re.compile(r"^notes-(\d{8}T\d{6}\d{6})-r(\d+)\.sqlite3$")
_REQUIRED_TABLES = {"notes", "note_tags"}


@dataclass(frozen=True)
class BackupCheck:
    """What a backup file holds and whether it can be trusted."""

    path: Path
    revision: int
    opens: bool = False
    intact: bool = False  # integrity ok and the note tables are there
    readable: bool = False  # every row decodes as UTF-8
    notes: int = -1
    problem: str = ""

    @property
    def verified(self) -> bool:
        return self.opens and self.intact and self.readable

    @property
    def taken(self) -> str:
        """When the backup was taken, in local time, for messages."""
        match = BACKUP_NAME.match(self.path.name)
        return format_stamp(match.group(1)) if match else self.path.name


def stamp_now() -> str:
    return datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f")


def format_stamp(stamp: str) -> str:
    try:
        when = datetime.strptime(stamp, "%Y%m%dT%H%M%S%f").replace(tzinfo=UTC)
    except ValueError:
        return stamp
    return when.astimezone().strftime("%Y-%m-%d %H:%M:%S")


def backup_dir(folder: Path) -> Path:
    return Path(folder) / BACKUP_DIR


def list_backups(folder: Path) -> list[Path]:
    """Backups of the notes folder ``folder``, newest first."""
    try:
        found = [p for p in backup_dir(folder).glob("notes-*.sqlite3") if BACKUP_NAME.match(p.name)]
    except OSError as exc:
        log.warning("cannot list the notes backups of %s: %s", folder, exc)
        return []
    return sorted(found, key=lambda p: p.name, reverse=True)


def revision_of(path: Path) -> int:
    match = BACKUP_NAME.match(path.name)
    return int(match.group(2)) if match else 0


def _read_only_uri(path: Path) -> str:
    return f"file:{path.as_posix()}?mode=ro"


def inspect(path: Path) -> BackupCheck:
    """Open ``path`` read-only and check it the way a restore needs: intact, every row readable."""
    rev = revision_of(path)
    try:
        conn = sqlite3.connect(_read_only_uri(path), uri=True, isolation_level=None, timeout=5.0)
    except sqlite3.Error as exc:
        return BackupCheck(path, rev, problem=f"cannot be opened ({exc})")
    try:
        try:
            rows = conn.execute("PRAGMA integrity_check").fetchall()
            tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        except sqlite3.Error as exc:
            return BackupCheck(path, rev, opens=False, problem=f"is not a readable SQLite database ({exc})")
        if [r[0] for r in rows] != ["ok"]:
            return BackupCheck(path, rev, opens=True, problem="failed its integrity check")
        if not tables >= _REQUIRED_TABLES:
            return BackupCheck(path, rev, opens=True, problem="has no notes tables")
        notes = int(conn.execute("SELECT count(*) FROM notes").fetchone()[0])
        try:  # the default text factory raises on text that is not UTF-8
            for table in ("notes", "note_tags"):
                for _row in conn.execute(f"SELECT * FROM {table}"):
                    pass
        except sqlite3.Error as exc:
            return BackupCheck(path, rev, opens=True, intact=True, notes=notes,
                               problem=f"has rows that cannot be read ({exc})")
        return BackupCheck(path, rev, opens=True, intact=True, readable=True, notes=notes)
    except sqlite3.Error as exc:
        return BackupCheck(path, rev, problem=f"cannot be read ({exc})")
    finally:
        conn.close()


def fsync_path(path: Path) -> None:
    with path.open("rb") as handle:
        os.fsync(handle.fileno())


def fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        with contextlib.suppress(OSError):
            os.fsync(fd)
    finally:
        os.close(fd)


def copy_database(src: sqlite3.Connection, target: Path) -> None:
    """A complete copy of ``src`` at ``target`` (mode 0600, rollback journal, fsynced)."""
    fd = os.open(target, os.O_CREAT | os.O_WRONLY | os.O_TRUNC, 0o600)
    os.close(fd)
    dst = sqlite3.connect(target, isolation_level=None)
    try:
        src.backup(dst)
        dst.execute("PRAGMA journal_mode = DELETE")
    finally:
        dst.close()
    fsync_path(target)


def take_backup(conn: sqlite3.Connection, folder: Path, revision: int) -> tuple[Path | None, BackupCheck | None, str]:
    """Copy, verify and file a backup of ``conn``; ``(path, check, problem)``.

    On any failure the temp file is removed and ``problem`` says why in plain words; the
    existing backups are left as they were.
    """
    bdir = backup_dir(folder)
    target = bdir / f"notes-{stamp_now()}-r{revision}.sqlite3"
    tmp = target.with_name("." + target.name + ".tmp")
    try:
        bdir.mkdir(mode=0o700, exist_ok=True)
        copy_database(conn, tmp)
        check = inspect(tmp)
        if not check.verified:
            remove_with_sidecars(tmp)
            return None, check, f"the copy {check.problem or 'could not be verified'}"
        tmp.replace(target)
        fsync_dir(bdir)
    except (OSError, sqlite3.Error) as exc:
        remove_with_sidecars(tmp)
        return None, None, str(exc)
    return target, BackupCheck(target, revision, True, True, True, check.notes), ""


def remove_with_sidecars(path: Path) -> None:
    for name in (path.name, path.name + "-journal", path.name + "-wal", path.name + "-shm"):
        with contextlib.suppress(OSError):
            (path.parent / name).unlink()


def count_notes(path: Path) -> int:
    """Notes in a backup, -1 when it cannot be read at all."""
    try:
        conn = sqlite3.connect(_read_only_uri(path), uri=True, isolation_level=None, timeout=5.0)
    except sqlite3.Error:
        return -1
    try:
        return int(conn.execute("SELECT count(*) FROM notes").fetchone()[0])
    except sqlite3.Error:
        return -1
    finally:
        conn.close()


def to_rotate(backups: list[tuple[Path, int]], live_notes: int, keep: int = KEEP_BACKUPS,
              hard_cap: int = HARD_CAP) -> list[Path]:
    """Which of ``backups`` (``(path, notes)``, newest first, the fresh one first) may go.

    Kept: the newest ``keep``; the oldest and the newest of those holding the most notes;
    and everything while the live database holds fewer notes than the previous backup
    (until there are more than ``hard_cap``).
    """
    if len(backups) <= keep:
        return []
    previous = backups[1][1] if len(backups) > 1 else -1
    if live_notes < previous and len(backups) <= hard_cap:
        return []
    most = max(n for _p, n in backups)
    holders = [p for p, n in backups if n == most and n >= 0]
    keepers = {p for p, _n in backups[:keep]}
    if holders:
        keepers.update((holders[0], holders[-1]))
    return [p for p, _n in backups if p not in keepers]


def rotate(folder: Path, live_notes: int) -> list[Path]:
    """Apply :func:`to_rotate` to the backups on disk; returns what was deleted."""
    found = list_backups(folder)
    if len(found) <= KEEP_BACKUPS:
        return []
    doomed = to_rotate([(p, count_notes(p)) for p in found], live_notes)
    removed = []
    for path in doomed:
        try:
            path.unlink()
        except OSError as exc:
            log.warning("cannot remove old backup %s: %s", path, exc)
            continue
        removed.append(path)
    return removed


#: Temp files our own writers make; anything matching while the open lock is held is debris of a kill.
_DEBRIS = (
    re.compile(r"^\.notes-\d{8}T\d{6}\d{6}-r\d+\.sqlite3\.tmp(-journal|-wal|-shm)?$"),  # backups
    re.compile(r"^\.notes\.sqlite3\.restore-\d+\.tmp(-journal|-wal|-shm)?$"),  # restores
    re.compile(r"^\.notes\.sqlite3\.aside-\d+\.tmp(-journal|-wal|-shm)?$"),  # copies set aside
    re.compile(r"^\.notes-state\.json\..+\.tmp$"),  # the marker
)


def debris(folder: Path) -> list[Path]:
    """Temp files (and their journals) of this package's writers in the notes folder."""
    found: list[Path] = []
    for where in (Path(folder), backup_dir(folder)):
        try:
            entries = list(where.iterdir())
        except OSError as exc:
            log.debug("cannot look for temp files in %s: %s", where, exc)
            continue
        found.extend(e for e in entries if any(p.match(e.name) for p in _DEBRIS))
    return found


def remove_debris(folder: Path) -> list[Path]:
    """Delete temp files and their journals that killed writers left in the notes folder.

    Only names this package creates are touched, and only while the open lock is held (so
    no live writer of this data dir is mid-way through one).
    """
    removed: list[Path] = []
    for entry in debris(folder):
        try:
            entry.unlink()
        except OSError as exc:
            log.warning("cannot remove stale temp file %s: %s", entry, exc)
            continue
        removed.append(entry)
    if removed:
        log.info("removed %d stale temp file(s) in %s", len(removed), folder)
    return removed
