"""kill -9 over notes being added and over recovery itself: nothing acknowledged is ever lost.

Three loops, each process killed with SIGKILL at a random moment:

1. a writer adding notes (and taking a backup every few adds), killed somewhere in its writes;
2. ``parallax notes add`` as a user runs it, killed anywhere from start to exit;
3. recovery: the database is deleted, truncated, overwritten, emptied or replaced by an empty
   SQLite file, then the process restoring it is killed (sometimes twice in a row).

After every kill the next start must hold every note whose add was acknowledged (its id
printed), say nothing when nothing was damaged, and leave no stale temp file behind.
Not part of CI: hundreds of process starts take minutes.
"""

from __future__ import annotations

import logging
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from bench.common import ROOT, Row
from reader.core.notes.backups import debris
from reader.core.notes.store import DB_NAME, NoteStore

log = logging.getLogger(__name__)

_WRITER = """
import sys
from reader.core.notes.model import Note
from reader.core.notes.store import NoteStore
store = NoteStore.open(sys.argv[1])
i = int(sys.argv[2])
while True:
    note = Note(id=f"{i:032x}", corpus="bundled", doc="d", exact="q" * 40, body="b" * (i % 700), tags=("t", str(i % 7)))
    store.add(note)
    print(note.id, flush=True)
    i += 1
    if i % 5 == 0:
        store.backup()
"""

_RECOVERER = """
import sys
from reader.core.notes.store import NoteStore
print("ready", flush=True)
store = NoteStore.open(sys.argv[1])
print("open", store.count(), flush=True)
store.close()
print("closed", flush=True)
"""

DAMAGES = ("deleted", "zero-bytes", "truncated", "garbage", "empty-sqlite")


@dataclass
class Tally:
    kills: int = 0
    acknowledged: set[str] = field(default_factory=set)
    lost: set[str] = field(default_factory=set)
    stale_after_start: int = 0
    stale_before_start: int = 0
    unexpected_notices: int = 0
    failed_starts: int = 0
    mid_restore: int = 0
    notes: list[str] = field(default_factory=list)


def _check_start(data: Path, tally: Tally, expect_notice: bool) -> None:
    """The next start: every acknowledged note there, no stale temp file left, notices only when due."""
    folder = data / "notes"
    tally.stale_before_start += len(debris(folder)) if folder.exists() else 0
    try:
        with NoteStore.open(data) as store:
            present = {n.id for n in store.notes()}
            if store.notice and not expect_notice:
                tally.unexpected_notices += 1
                tally.notes.append(store.notice[:160])
            if store.read_only:
                tally.failed_starts += 1
    except Exception as exc:  # the benchmark counts every kind of failure, it never stops at one
        tally.failed_starts += 1
        tally.notes.append(f"start failed: {exc}")
        return
    tally.lost |= tally.acknowledged - present
    tally.stale_after_start += len(debris(folder))


def _spawn(args: list[str]) -> subprocess.Popen[str]:
    return subprocess.Popen(args, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)


def _kill_writers(data: Path, tally: Tally, rounds: int, rng: random.Random) -> None:
    start = 0
    for _ in range(rounds):
        proc = _spawn([sys.executable, "-c", _WRITER, str(data), str(start)])
        assert proc.stdout is not None
        first = proc.stdout.readline()
        time.sleep(rng.uniform(0.0, 0.25))
        proc.send_signal(signal.SIGKILL)
        out, _ = proc.communicate()
        ids = [line.strip() for line in (first + out).splitlines() if len(line.strip()) == 32]
        tally.acknowledged.update(ids)
        tally.kills += 1
        start += len(ids) + 10_000
        _check_start(data, tally, expect_notice=False)


def _cli_duration(data: Path, tmp: Path) -> float:
    began = time.perf_counter()
    subprocess.run(_cli_add(data, tmp), cwd=ROOT, capture_output=True, check=False)
    return time.perf_counter() - began


def _cli_add(data: Path, tmp: Path) -> list[str]:
    return [sys.executable, "-m", "reader", "--data-dir", str(data), "--cache-dir", str(tmp / "c"),
            "--config-dir", str(tmp / "k"), "notes", "add", "--doc", "neo-outside-forces", "--text", "kill me"]


def _kill_cli_adds(data: Path, tmp: Path, tally: Tally, rounds: int, rng: random.Random) -> None:
    span = _cli_duration(data, tmp)
    with NoteStore.open(data) as store:  # the calibration run's note counts as acknowledged too
        tally.acknowledged.update(n.id for n in store.notes() if n.body == "kill me")
    for _ in range(rounds):
        proc = _spawn(_cli_add(data, tmp))
        time.sleep(rng.uniform(0.3, 1.1) * span)
        proc.send_signal(signal.SIGKILL)
        out, _ = proc.communicate()
        tally.acknowledged.update(line.strip() for line in out.splitlines() if len(line.strip()) == 32)
        tally.kills += 1
        _check_start(data, tally, expect_notice=False)


def _damage(db: Path, how: str, rng: random.Random) -> None:
    if how == "deleted":
        db.unlink()
    elif how == "zero-bytes":
        db.write_bytes(b"")
    elif how == "truncated":
        with db.open("r+b") as handle:
            handle.truncate(max(1, db.stat().st_size // 3))
    elif how == "garbage":
        db.write_bytes(rng.randbytes(db.stat().st_size))
    else:
        db.unlink()
        sqlite3.connect(db).execute("VACUUM").connection.close()


def _recovery_span(data: Path, how: str, rng: random.Random) -> float:
    _damage(data / "notes" / DB_NAME, how, rng)
    proc = _spawn([sys.executable, "-c", _RECOVERER, str(data)])
    assert proc.stdout is not None
    proc.stdout.readline()
    began = time.perf_counter()
    proc.communicate()
    return time.perf_counter() - began


def _kill_recoveries(data: Path, tally: Tally, rounds: int, rng: random.Random) -> int:
    spans = {how: _recovery_span(data, how, rng) for how in DAMAGES}
    kills = 0
    for r in range(rounds):
        how = DAMAGES[r % len(DAMAGES)]
        _damage(data / "notes" / DB_NAME, how, rng)
        for _attempt in range(1 + (rng.random() < 0.4)):  # sometimes kill the recovery of the recovery
            proc = _spawn([sys.executable, "-c", _RECOVERER, str(data)])
            assert proc.stdout is not None
            proc.stdout.readline()
            time.sleep(rng.uniform(0.0, 1.3) * spans[how])
            proc.send_signal(signal.SIGKILL)
            proc.communicate()
            tally.kills += 1
            kills += 1
        folder = data / "notes"
        if debris(folder) or not (folder / DB_NAME).exists():
            tally.mid_restore += 1  # the kill landed inside the restore itself
        _check_start(data, tally, expect_notice=True)
    return kills


def run(add_kills: int = 120, cli_kills: int = 30, recovery_rounds: int = 80, seed: int = 13) -> list[Row]:
    rng = random.Random(seed)
    tmp = Path(tempfile.mkdtemp(prefix="parallax-crash-"))
    tmp.chmod(0o700)
    began = time.perf_counter()
    try:
        data = tmp / "d"
        tally = Tally()
        _kill_writers(data, tally, add_kills, rng)
        _kill_cli_adds(data, tmp, tally, cli_kills, rng)
        adds = tally.kills
        recovery_kills = _kill_recoveries(data, tally, recovery_rounds, rng)
        set_aside = sorted(p.name for p in (data / "notes").iterdir() if ".damaged-" in p.name
                           or ".replaced-" in p.name)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    minutes = (time.perf_counter() - began) / 60
    extra = "; ".join(tally.notes[:2])
    return [
        Row("notes crash: kill -9 during adds and backups (writer loop + `notes add`)", adds, "kills"),
        Row("notes crash: kill -9 during recovery (5 kinds of damage)", recovery_kills, "kills", note=(
            f"{tally.mid_restore} of {recovery_rounds} rounds left a restore half done")),
        Row("notes crash: kills in all", tally.kills, "kills", ">= 200", tally.kills >= 200,
            f"{minutes:.1f} min on a shared machine"),
        Row("notes crash: acknowledged notes lost", len(tally.lost), "notes", "0", not tally.lost,
            f"of {len(tally.acknowledged)} acknowledged"),
        Row("notes crash: stale temp files after the next start", tally.stale_after_start, "files", "0",
            tally.stale_after_start == 0, f"{tally.stale_before_start} found (and removed) before starts"),
        Row("notes crash: starts failed or read-only", tally.failed_starts, "starts", "0", tally.failed_starts == 0,
            extra),
        Row("notes crash: notices after kills that damaged nothing", tally.unexpected_notices, "starts", "0",
            tally.unexpected_notices == 0, f"{len(set_aside)} damaged/replaced files kept aside"),
    ]
