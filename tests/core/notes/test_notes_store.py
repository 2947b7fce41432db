"""The notes database: transactions, migrations, backups, recovery, read-only folders, full disks, SIGKILL."""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from reader.core.notes import store as store_mod
from reader.core.notes.model import Note, NotesError
from reader.core.notes.store import DB_NAME, KEEP_BACKUPS, MIGRATIONS, SCHEMA_VERSION, NoteStore
from tests.conftest import ROOT


def _note(i: int = 0, **kw: object) -> Note:
    base = {"id": f"{i:032x}", "corpus": "bundled", "doc": "neo-outside-forces", "doc_hash": "h",
            "start": 10 + i, "end": 20 + i, "exact": f"quote {i}", "prefix": "p", "suffix": "s",
            "original": f"quote {i}", "body": f"body {i}", "tags": ("a", "b"), "color": "blue"}
    base.update(kw)
    return Note(**base)  # type: ignore[arg-type]


def test_add_get_update_delete(tmp_path: Path) -> None:
    with NoteStore.open(tmp_path) as store:
        assert store.notice is None
        store.add(_note(1))
        got = store.get(_note(1).id)
        assert got is not None and got.tags == ("a", "b") and got.color == "blue" and got.start == 11
        changed = store.update(got.id, body="new body", tags=("z",))
        assert changed.updated >= got.updated
        assert store.get(got.id).body == "new body"  # type: ignore[union-attr]
        assert store.get(got.id).tags == ("z",)  # type: ignore[union-attr]
        with pytest.raises(NotesError):
            store.add(_note(1))
        assert store.resolve(got.id[:10]).id == got.id
        store.delete(got.id)
        assert store.get(got.id) is None
        assert store.count() == 0
        # foreign keys: tags went with the note
        assert store._conn.execute("SELECT count(*) FROM note_tags").fetchone()[0] == 0


def test_file_modes_and_wal(tmp_path: Path) -> None:
    with NoteStore.open(tmp_path) as store:
        store.add(_note(1))
        assert store._conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert store._conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    db = tmp_path / "notes" / DB_NAME
    assert stat.S_IMODE(db.stat().st_mode) == 0o600
    assert stat.S_IMODE((tmp_path / "notes").stat().st_mode) == 0o700
    backups = list((tmp_path / "notes" / "backups").iterdir())
    assert backups and all(stat.S_IMODE(b.stat().st_mode) == 0o600 for b in backups)


def test_backups_rotate_and_skip_when_unchanged(tmp_path: Path) -> None:
    for i in range(KEEP_BACKUPS + 4):
        with NoteStore.open(tmp_path) as store:
            store.add(_note(i))
    store = NoteStore.open(tmp_path)
    backups = store.backups()
    assert len(backups) == KEEP_BACKUPS
    store.close()
    assert store.backups() == backups  # nothing changed: no new backup
    newest = sqlite3.connect(backups[0])
    assert newest.execute("SELECT count(*) FROM notes").fetchone()[0] == KEEP_BACKUPS + 4
    newest.close()


def _make_version(path: Path, version: int) -> None:
    """A database as an earlier release left it, with one note in that release's shape."""
    conn = sqlite3.connect(path, isolation_level=None)
    for script in MIGRATIONS[:version]:
        conn.executescript(script)
    conn.execute(f"PRAGMA user_version = {version}")
    if version >= 1:
        conn.execute('INSERT INTO notes (id, corpus, doc, doc_hash, start, "end", exact, prefix, suffix, body, '
                     "color, created, updated) VALUES ('n1', 'bundled', 'd', 'h', 3, 9, 'quoted', '', '', "
                     "'old body', 'green', '2022-01-01T00:00:00Z', '2022-01-01T00:00:00Z')")
        conn.execute("INSERT INTO note_tags (note_id, position, tag) VALUES ('n1', 0, 'kept')")
        conn.execute('INSERT INTO notes (id, corpus, doc, doc_hash, start, "end", exact, prefix, suffix, body, '
                     "color, created, updated) VALUES ('n2', 'bundled', 'd', 'h', NULL, NULL, '', '', '', "
                     "'about the whole piece', 'grey', '2022-01-01T00:00:00Z', '2022-01-01T00:00:00Z')")
    if version >= 2:  # that release wrote these columns itself
        conn.execute("UPDATE notes SET original = 'quoted' WHERE id = 'n1'")
        conn.execute("UPDATE notes SET kind = 'document' WHERE id = 'n2'")
    conn.close()


@pytest.mark.parametrize("version", range(SCHEMA_VERSION))
def test_migrates_from_every_earlier_version(tmp_path: Path, version: int) -> None:
    (tmp_path / "notes").mkdir()
    _make_version(tmp_path / "notes" / DB_NAME, version)
    with NoteStore.open(tmp_path) as store:
        assert store.notice is None
        assert store._user_version() == SCHEMA_VERSION
        assert store.integrity_ok()
        if version >= 1:
            n1 = store.get("n1")
            assert n1 is not None and n1.body == "old body" and n1.tags == ("kept",) and n1.color == "green"
            assert n1.status == "anchored" and n1.original == "quoted" and not n1.whole_document
            n2 = store.get("n2")
            assert n2 is not None and n2.whole_document
        store.add(_note(5))
        assert store.revision >= 1


def test_newer_schema_opens_read_only(tmp_path: Path) -> None:
    with NoteStore.open(tmp_path) as store:
        store.add(_note(1))
    conn = sqlite3.connect(tmp_path / "notes" / DB_NAME)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.commit()
    conn.close()
    store = NoteStore.open(tmp_path)
    assert store.read_only and "newer version" in (store.notice or "")
    assert store.get(_note(1).id) is not None
    with pytest.raises(NotesError):
        store.add(_note(2))
    store.close()


def _damage(path: Path, how: str) -> None:
    size = path.stat().st_size
    if how == "truncated":
        with path.open("r+b") as f:
            f.truncate(size // 3)
    elif how == "zeroed":
        path.write_bytes(b"\0" * size)
    elif how == "garbage":
        path.write_bytes(random.Random(1).randbytes(size))
    elif how == "empty":
        path.write_bytes(b"")


@pytest.mark.parametrize("how", ["truncated", "zeroed", "garbage", "empty"])
def test_damaged_database_is_set_aside_and_backup_restored(tmp_path: Path, how: str) -> None:
    with NoteStore.open(tmp_path) as store:
        for i in range(40):
            store.add(_note(i, body="x" * 400))
    db = tmp_path / "notes" / DB_NAME
    _damage(db, how)
    store = NoteStore.open(tmp_path)
    assert store.notice and "Restored" in store.notice
    assert "40 note(s)" in store.notice
    aside = [p for p in db.parent.iterdir() if p.name.startswith(DB_NAME + ".damaged-")]
    if how == "empty":  # 0 bytes hold nothing to keep: it is simply replaced
        assert "is empty (0 bytes)" in store.notice and not aside
    else:
        assert "was damaged" in store.notice
        assert len(aside) == 1 and str(aside[0]) in store.notice
    assert store.count() == 40 and store.integrity_ok()
    store.add(_note(99))
    store.close()


def test_damaged_without_backup_starts_empty_and_keeps_file(tmp_path: Path) -> None:
    folder = tmp_path / "notes"
    folder.mkdir()
    (folder / DB_NAME).write_bytes(b"this is not a database" * 100)
    store = NoteStore.open(tmp_path)
    assert store.notice and "No good backup" in store.notice
    assert store.count() == 0
    assert any(p.name.startswith(DB_NAME + ".damaged-") for p in folder.iterdir())
    store.close()


def test_read_only_data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with NoteStore.open(tmp_path) as store:
        store.add(_note(1))
    folder = tmp_path / "notes"
    folder.chmod(0o500)
    try:
        if os.geteuid() == 0:  # root ignores permission bits: make the folder look read-only
            monkeypatch.setattr(store_mod, "_writable", lambda _folder: False)
        store = NoteStore.open(tmp_path)
        assert store.read_only and "cannot be written" in (store.notice or "")
        assert store.get(_note(1).id) is not None
        with pytest.raises(NotesError, match="read-only"):
            store.add(_note(2))
        store.close()
        # a missing data dir that cannot be created: empty and read-only, no crash
        empty = NoteStore.open(folder / "sub")
        assert empty.read_only and empty.count() == 0
        empty.close()
    finally:
        folder.chmod(0o700)


def test_full_disk_rolls_back_with_a_clear_message(tmp_path: Path) -> None:
    store = NoteStore.open(tmp_path)
    store.add(_note(1))
    pages = store._conn.execute("PRAGMA page_count").fetchone()[0]
    store._conn.execute(f"PRAGMA max_page_count = {pages + 2}")  # SQLite now reports SQLITE_FULL
    with pytest.raises(NotesError, match="disk is full") as info:
        for i in range(2, 200):
            store.add(_note(i, body="y" * 3000))
    assert "Nothing was changed" in str(info.value)
    kept = store.count()
    assert kept >= 1 and store.get(_note(1).id) is not None
    assert store.integrity_ok()
    store._conn.execute("PRAGMA max_page_count = 1073741823")
    store.add(_note(500))
    assert store.count() == kept + 1
    store.close()


_CHILD = """
import sys
from reader.core.notes.model import Note
from reader.core.notes.store import NoteStore
store = NoteStore.open(sys.argv[1])
i = int(sys.argv[2])
while True:
    note = Note(id=f"{i:032x}", corpus="bundled", doc="d", exact="q" * 50, body="b" * (i % 500), tags=("t",))
    store.add(note)
    print(note.id, flush=True)
    i += 1
"""


def test_sigkill_never_loses_a_returned_add(tmp_path: Path) -> None:
    rng = random.Random(5)
    confirmed: set[str] = set()
    start = 0
    rounds = 0
    # at least 12 kills, and on until more than 20 adds were acknowledged (a loaded machine
    # acknowledges fewer per round; the kill points stay random either way)
    while rounds < 12 or (len(confirmed) <= 20 and rounds < 60):
        rounds += 1
        proc = subprocess.Popen([sys.executable, "-c", _CHILD, str(tmp_path), str(start)], cwd=ROOT,
                                stdout=subprocess.PIPE, text=True)
        assert proc.stdout is not None
        first = proc.stdout.readline()  # started and writing: kill it somewhere in the next writes
        time.sleep(rng.uniform(0.0, 0.3))
        proc.send_signal(signal.SIGKILL)
        out, _ = proc.communicate()
        ids = [line.strip() for line in (first + out).splitlines() if len(line.strip()) == 32]
        confirmed.update(ids)
        start += len(ids) + 1000
        with NoteStore.open(tmp_path) as store:
            assert store.notice is None
            assert store.integrity_ok()
            present = {n.id for n in store.notes()}
            missing = confirmed - present
            assert not missing, f"lost {len(missing)} confirmed notes"
    assert len(confirmed) > 20


def test_migrations_are_idempotent_when_the_version_is_behind(tmp_path: Path) -> None:
    """A database whose user_version was reset (a copy restored by hand) migrates without failing."""
    with NoteStore.open(tmp_path) as store:
        store.add(_note(1))
        store.save_anchors([_note(1, exact="re-anchored quote")])  # exact now differs from original
    for version in range(SCHEMA_VERSION):
        conn = sqlite3.connect(tmp_path / "notes" / DB_NAME)
        conn.execute(f"PRAGMA user_version = {version}")
        conn.commit()
        conn.close()
        with NoteStore.open(tmp_path) as store:
            assert store._user_version() == SCHEMA_VERSION and store.count() == 1
            got = store.get(_note(1).id)
            assert got is not None and got.original == "quote 1" and got.exact == "re-anchored quote"
