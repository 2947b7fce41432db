"""The notes store against issue 13's reproductions: lost, emptied or refused databases, bad rows.

Refused writes are real faults where the machine allows them (a full tmpfs, ``prlimit
--fsize``, a read-only bind mount; these need root and skip with the reason otherwise).
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from reader.core.notes import recovery
from reader.core.notes.backups import HARD_CAP, KEEP_BACKUPS, inspect, list_backups, to_rotate
from reader.core.notes.marker import MARKER_NAME, read_marker
from reader.core.notes.model import Note, NotesError
from reader.core.notes.store import DB_NAME, NoteStore
from tests.conftest import ROOT

DOC = "neo-outside-forces"


def _note(i: int, **kw: object) -> Note:
    base = {"id": f"{i:032x}", "corpus": "bundled", "doc": DOC, "body": f"body {i}", "tags": ("t",)}
    base.update(kw)
    return Note(**base)  # type: ignore[arg-type]


def _fill(data: Path, n: int, start: int = 0) -> None:
    with NoteStore.open(data) as store:
        for i in range(start, start + n):
            store.add(_note(i))


def _set_aside(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if ".damaged-" in p.name or ".replaced-" in p.name)


def _backup_counts(folder: Path) -> list[int]:
    return [inspect(b).notes for b in list_backups(folder)]


# -- 1. a missing or emptier database is damage -----------------------------------------------------
def test_missing_database_is_restored_and_told_then_saves_keep_the_notes(tmp_path: Path) -> None:
    _fill(tmp_path, 20)
    folder = tmp_path / "notes"
    assert read_marker(folder) is not None and read_marker(folder).notes == 20  # type: ignore[union-attr]
    (folder / DB_NAME).unlink()
    store = NoteStore.open(tmp_path)
    assert store.notice and "is missing" in store.notice and "20 note(s)" in store.notice
    assert store.count() == 20 and not store.read_only
    store.close()
    for i in range(9):
        _fill(tmp_path, 1, start=100 + i)
    with NoteStore.open(tmp_path) as store:
        assert store.notice is None and store.count() == 29
    assert min(_backup_counts(folder)) >= 20


def test_valid_but_empty_database_is_damage_and_copied_aside_not_renamed(tmp_path: Path) -> None:
    _fill(tmp_path, 5)
    db = tmp_path / "notes" / DB_NAME
    db.unlink()
    sqlite3.connect(db).execute("VACUUM").connection.close()  # a valid, empty SQLite file
    store = NoteStore.open(tmp_path)
    assert store.notice and "older than the last state" in store.notice and "Restored" in store.notice
    assert store.count() == 5
    [aside] = _set_aside(tmp_path / "notes")
    assert aside.startswith(DB_NAME + ".replaced-") and aside in store.notice
    store.close()
    with NoteStore.open(tmp_path) as again:  # settled: no second restore
        assert again.notice is None and again.count() == 5


def test_older_copy_put_back_is_detected_without_a_marker(tmp_path: Path) -> None:
    _fill(tmp_path, 3)
    folder = tmp_path / "notes"
    old = tmp_path / "old.sqlite3"
    shutil.copy(folder / DB_NAME, old)
    _fill(tmp_path, 4, start=10)
    (folder / MARKER_NAME).unlink()  # an older release wrote none: the backups' revisions still tell
    shutil.copy(old, folder / DB_NAME)
    with NoteStore.open(tmp_path) as store:
        assert store.notice and "older than" in store.notice and store.count() == 7


def test_deleting_notes_on_purpose_is_not_damage(tmp_path: Path) -> None:
    _fill(tmp_path, 4)
    with NoteStore.open(tmp_path) as store:
        for note in store.notes():
            store.delete(note.id)
    with NoteStore.open(tmp_path) as store:
        assert store.notice is None and store.count() == 0


def test_missing_database_without_backups_but_a_marker_says_so(tmp_path: Path) -> None:
    _fill(tmp_path, 2)
    folder = tmp_path / "notes"
    shutil.rmtree(folder / "backups")
    (folder / DB_NAME).unlink()
    with NoteStore.open(tmp_path) as store:
        assert store.notice and "is missing" in store.notice and "No good backup" in store.notice
    with NoteStore.open(tmp_path) as store:
        assert store.notice is None


def test_rotation_keeps_the_fullest_backups() -> None:
    paths = [Path(f"b{i:02d}") for i in range(KEEP_BACKUPS + 3)]  # newest first
    # the notes dropped from 20 to 1 long ago, and stayed there
    counts = [1] * (KEEP_BACKUPS + 1) + [20, 20]
    doomed = to_rotate(list(zip(paths, counts, strict=True)), live_notes=1)
    assert paths[-1] not in doomed and paths[-2] not in doomed  # the oldest and newest holding 20
    assert doomed == [paths[KEEP_BACKUPS]]
    # the live database just lost notes: nothing rotates...
    counts = [0] + [20] * (KEEP_BACKUPS + 2)
    assert to_rotate(list(zip(paths, counts, strict=True)), live_notes=0) == []
    # ...until the hard cap
    many = [(Path(f"c{i:02d}"), 20 - (i == 0) * 20) for i in range(HARD_CAP + 1)]
    assert to_rotate(many, live_notes=0)


def test_rotation_never_deletes_the_last_backup_holding_deleted_notes(tmp_path: Path) -> None:
    _fill(tmp_path, 20)
    with NoteStore.open(tmp_path) as store:
        for note in store.notes()[:19]:
            store.delete(note.id)
    for i in range(KEEP_BACKUPS + 3):
        _fill(tmp_path, 1, start=500 + i)
    counts = _backup_counts(tmp_path / "notes")
    assert max(counts) == 20 and len(counts) <= KEEP_BACKUPS + 2


def test_recovery_killed_before_its_final_rename_resumes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _fill(tmp_path, 12)
    folder = tmp_path / "notes"
    (folder / DB_NAME).write_bytes(b"not a database at all " * 400)
    real_replace = Path.replace

    def dies_at_install(self: Path, target: os.PathLike[str] | str) -> Path:
        if Path(target) == folder / DB_NAME:
            raise KeyboardInterrupt  # as a kill -9 would stop it: damaged file aside, temp written
        return real_replace(self, target)

    monkeypatch.setattr(Path, "replace", dies_at_install)
    with pytest.raises(KeyboardInterrupt):
        NoteStore.open(tmp_path)
    monkeypatch.setattr(Path, "replace", real_replace)
    assert not (folder / DB_NAME).exists() and any(p.name.endswith(".tmp") for p in folder.iterdir())
    with NoteStore.open(tmp_path) as store:
        assert store.count() == 12 and store.notice and "is missing" in store.notice
    assert not [p for p in folder.iterdir() if p.name.endswith(".tmp")]
    assert len([n for n in _set_aside(folder) if ".damaged-" in n]) == 1


def test_stale_temp_files_are_removed_on_start_and_nothing_else(tmp_path: Path) -> None:
    _fill(tmp_path, 2)
    folder = tmp_path / "notes"
    debris = [folder / ".notes.sqlite3.restore-123.tmp", folder / ".notes.sqlite3.restore-123.tmp-journal",
              folder / f".{MARKER_NAME}.abc123.tmp", folder / ".notes.sqlite3.aside-9.tmp",
              folder / "backups" / ".notes-20240101T000000000000-r5.sqlite3.tmp",
              folder / "backups" / ".notes-20240101T000000000000-r5.sqlite3.tmp-journal"]
    keep = [folder / "notes.sqlite3.damaged-20240101-000000", folder / "my-own-file.tmp"]
    for path in debris + keep:
        path.write_bytes(b"x")
    with NoteStore.open(tmp_path) as store:
        assert store.count() == 2
    assert not any(p.exists() for p in debris)
    assert all(p.exists() for p in keep)


# -- 2. a refused write is not damage ----------------------------------------------------------------
@contextlib.contextmanager
def _mounted(target: Path, *commands: list[str]) -> Iterator[None]:
    target.mkdir(parents=True, exist_ok=True)
    done = 0
    try:
        for command in commands:
            result = subprocess.run(command, capture_output=True, text=True)
            if result.returncode != 0:
                pytest.skip(f"cannot make the fault: {' '.join(command)}: {result.stderr.strip() or 'failed'}")
            done += 1
        yield
    finally:
        if done:
            subprocess.run(["umount", "-l", str(target)], capture_output=True)


def _fill_disk(mount: Path) -> None:
    with (mount / "filler").open("wb") as handle:
        chunk = b"\0" * 65536
        with contextlib.suppress(OSError):
            while True:
                handle.write(chunk)
                handle.flush()


def _assert_nothing_moved(folder: Path, backups_before: list[Path]) -> None:
    assert _set_aside(folder) == []
    assert list_backups(folder) == backups_before


def test_full_disk_at_open_gives_read_only_notes_and_moves_nothing(tmp_path: Path) -> None:
    mount = tmp_path / "small"
    with _mounted(mount, ["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(mount)]):
        data = mount / "d"
        _fill(data, 6)
        folder = data / "notes"
        before = list_backups(folder)
        _fill_disk(mount)
        store = NoteStore.open(data)
        assert store.read_only and store.count() == 6
        assert store.notice and "cannot be written" in store.notice and "disk is full" in store.notice
        with pytest.raises(NotesError, match="cannot be written"):
            store.add(_note(99))
        store.close()
        _assert_nothing_moved(folder, before)
        (mount / "filler").unlink()
        with NoteStore.open(data) as store:
            assert not store.read_only and store.notice is None and store.count() == 6
            store.add(_note(99))


def test_damaged_database_on_a_full_disk_shows_the_backup_read_only(tmp_path: Path) -> None:
    mount = tmp_path / "small"
    with _mounted(mount, ["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(mount)]):
        data = mount / "d"
        _fill(data, 5)
        db = data / "notes" / DB_NAME
        db.write_bytes(b"garbage!" * 4000)
        _fill_disk(mount)
        store = NoteStore.open(data)
        assert store.read_only and store.count() == 5
        assert store.notice and "damaged" in store.notice and "could not be restored" in store.notice
        store.close()
        assert db.read_bytes().startswith(b"garbage!")  # left where it was, for the next start
        assert _set_aside(data / "notes") == []
        assert not list((data / "notes").glob(".*.tmp"))
        (mount / "filler").unlink()
        with NoteStore.open(data) as store:
            assert not store.read_only and store.count() == 5 and "Restored" in (store.notice or "")


def test_full_disk_on_first_start_leaves_no_empty_file(tmp_path: Path) -> None:
    mount = tmp_path / "small"
    with _mounted(mount, ["mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", str(mount)]):
        (mount / "d" / "notes").mkdir(parents=True)
        _fill_disk(mount)
        store = NoteStore.open(mount / "d")
        assert store.read_only and store.count() == 0 and "cannot be written" in (store.notice or "")
        store.close()
        assert not (mount / "d" / "notes" / DB_NAME).exists()


def _cli(data: Path, tmp: Path, *argv: str, limit: int | None = None) -> subprocess.CompletedProcess[str]:
    cmd = [sys.executable, "-m", "reader", "--data-dir", str(data), "--cache-dir", str(tmp / "c"),
           "--config-dir", str(tmp / "k"), *argv]
    if limit is not None:
        cmd = ["prlimit", f"--fsize={limit}", *cmd]
    return subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=120)


def test_file_size_limit_gives_read_only_notes_without_a_traceback(tmp_path: Path) -> None:
    if shutil.which("prlimit") is None:
        pytest.skip("prlimit (util-linux) is not installed")
    data = tmp_path / "d"
    _fill(data, 4)
    folder = data / "notes"
    before = list_backups(folder)
    listed = _cli(data, tmp_path, "notes", "list", "--json", limit=4096)
    assert listed.returncode == 0, listed.stderr
    assert len(json.loads(listed.stdout)["notes"]) == 4
    assert "cannot be written" in listed.stderr and "file-size limit" in listed.stderr
    assert "Traceback" not in listed.stderr
    added = _cli(data, tmp_path, "notes", "add", "--doc", DOC, "--text", "x", limit=4096)
    assert added.returncode == 2 and "Traceback" not in added.stderr and "cannot be written" in added.stderr
    _assert_nothing_moved(folder, before)
    with NoteStore.open(data) as store:
        assert store.notice is None and store.count() == 4


def test_read_only_bind_mount_gives_read_only_notes(tmp_path: Path) -> None:
    data = tmp_path / "d"
    _fill(data, 3)
    view = tmp_path / "ro"
    with _mounted(view, ["mount", "--bind", str(data), str(view)],
                  ["mount", "-o", "remount,ro,bind", str(view)]):
        store = NoteStore.open(view)
        assert store.read_only and store.count() == 3 and "cannot be written" in (store.notice or "")
        with pytest.raises(NotesError, match="read-only"):
            store.add(_note(9))
        store.close()
    _assert_nothing_moved(data / "notes", list_backups(data / "notes"))


_AS_OWNER = """
import sys
from reader.core.notes.store import NoteStore
store = NoteStore.open(sys.argv[1])
print(store.read_only, store.count(), store.notice)
"""


def test_read_only_database_file_is_respected(tmp_path: Path) -> None:
    """A 0400 file (the user's choice) opens read-only for its owner and keeps its mode."""
    if os.geteuid() != 0 or shutil.which("setpriv") is None:
        pytest.skip("needs root and setpriv to run the store as a plain user (root writes a 0400 file anyway)")
    data = Path(tempfile.mkdtemp(prefix="parallax-ro-"))
    try:
        data.chmod(0o755)
        _fill(data, 2)
        subprocess.run(["chown", "-R", "65534:65534", str(data)], check=True)
        db = data / "notes" / DB_NAME
        db.chmod(0o400)
        result = subprocess.run(["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", sys.executable,
                                 "-c", _AS_OWNER, str(data)], cwd=ROOT, capture_output=True, text=True, timeout=60)
        if result.returncode != 0 and "Permission denied" in result.stderr:
            pytest.skip(f"the plain user cannot run this checkout: {result.stderr.strip()[-200:]}")
        assert result.returncode == 0, result.stderr
        assert result.stdout.startswith("True 2 ") and "cannot be written" in result.stdout
        assert oct(db.stat().st_mode & 0o777) == "0o400" and _set_aside(data / "notes") == []
    finally:
        shutil.rmtree(data, ignore_errors=True)


def test_refused_write_and_damage_are_told_apart(tmp_path: Path) -> None:
    garbage = tmp_path / "g.sqlite3"
    garbage.write_bytes(b"SQLite format 3\x00" + os.urandom(8192))
    conn = sqlite3.connect(garbage)
    with pytest.raises(sqlite3.DatabaseError) as damaged:
        conn.execute("PRAGMA integrity_check").fetchall()
    conn.close()
    assert recovery.classify(damaged.value) == recovery.DAMAGED
    full = sqlite3.connect(":memory:")
    full.execute("CREATE TABLE t (x)")
    full.execute("PRAGMA max_page_count = 2")
    with pytest.raises(sqlite3.Error) as refused:
        full.executemany("INSERT INTO t VALUES (?)", [("x" * 4000,)] * 10)
    assert recovery.classify(refused.value) == recovery.CANNOT_WRITE
    assert recovery.classify(OSError(28, "No space left on device")) == recovery.CANNOT_WRITE


# -- 3. one bad row hides nothing ------------------------------------------------------------------
def _break_row(db: Path, rowid: int = 3) -> None:
    conn = sqlite3.connect(db)
    conn.execute(f"UPDATE notes SET body = CAST(X'C328' AS TEXT) WHERE rowid = {rowid}")
    conn.commit()
    conn.close()


def test_one_undecodable_row_is_shown_flagged_and_backups_stay_good(tmp_path: Path) -> None:
    _fill(tmp_path, 5)
    folder = tmp_path / "notes"
    _break_row(folder / DB_NAME)
    store = NoteStore.open(tmp_path)
    notes = store.notes()
    assert len(notes) == 5
    [bad] = [n for n in notes if n.damaged]
    assert bad.body == "\ufffd(" and bad.to_json()["damaged"] is True
    assert store.notice and "1 note(s) hold text that could not be read" in store.notice
    assert store.integrity_ok()
    store.add(_note(40))
    assert store.backup() is None and "No new backup" in (store.notice or "")
    store.close()
    for i in range(10):
        _fill(tmp_path, 1, start=50 + i)
    found = [inspect(b) for b in list_backups(folder)]
    assert found and all(c.verified for c in found)  # no backup carries the bad row
    assert max(c.notes for c in found) == 5  # the newest good one, from before the damage
    with NoteStore.open(tmp_path) as store:  # editing it stores the repaired text: backups resume
        store.update(bad.id, body="rewritten")
        assert not any(n.damaged for n in store.notes())
    assert inspect(list_backups(folder)[0]).notes == 16


def test_a_bad_row_never_stops_the_cli(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                       isolated_dirs: dict[str, Path]) -> None:
    from reader.cli import main

    assert main(["notes", "add", "--doc", DOC, "--quote", "outside forces", "--text", "first"]) == 0
    assert main(["notes", "add", "--doc", DOC, "--text", "second"]) == 0
    assert main(["notes", "add", "--doc", DOC, "--text", "third", "--tags", "x"]) == 0
    capsys.readouterr()
    _break_row(isolated_dirs["data"] / "notes" / DB_NAME, rowid=2)
    assert main(["notes", "list"]) == 0
    out, err = capsys.readouterr()
    assert "3 notes" in out and "DAMAGED" in out and "could not be read" in err
    assert main(["notes", "list", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)["notes"]
    assert len(listed) == 3 and sum(bool(n.get("damaged")) for n in listed) == 1
    for fmt in ("md", "csv", "json", "w3c"):
        assert main(["notes", "export", "--format", fmt]) == 0
        out = capsys.readouterr().out
        assert "first" in out and "third" in out and "\ufffd" in out
    assert main(["notes", "search", "third"]) == 0
    assert "1 notes match" in capsys.readouterr().out
