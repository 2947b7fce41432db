"""The notes store with a second process: racing edits lose nothing, a first start migrates once.

Issue 13, failures 4 and 8, reproduced with real processes.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reader.core.notes.model import Note
from reader.core.notes.store import SCHEMA_VERSION, NoteStore, StaleEdit
from tests.conftest import ROOT

DOC = "neo-outside-forces"

# One `notes edit` per line read: open the store, change one field, close (as the CLI does).
_EDITOR = """
import sys
from reader.core.notes.store import NoteStore
data, note_id, field = sys.argv[1:4]
for line in sys.stdin:
    r = line.strip()
    store = NoteStore.open(data)
    if field == "text":
        store.update(note_id, body=f"text {r}")
    else:
        store.update(note_id, tags=(f"tag{r}",))
    store.close()
    print("done", r, flush=True)
"""


def _spawn(*argv: str) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-c", *argv], cwd=ROOT, stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def test_two_processes_editing_different_fields_never_lose_one(tmp_path: Path) -> None:
    note = Note(id="a" * 32, corpus="bundled", doc=DOC, body="start", tags=("start",))
    with NoteStore.open(tmp_path) as store:
        store.add(note)
    texts = _spawn(_EDITOR, str(tmp_path), note.id, "text")
    tags = _spawn(_EDITOR, str(tmp_path), note.id, "tags")
    lost = []
    try:
        for r in range(30):
            for proc in (texts, tags):
                assert proc.stdin is not None
                proc.stdin.write(f"{r}\n")
                proc.stdin.flush()
            for proc in (texts, tags):
                assert proc.stdout is not None
                line = proc.stdout.readline()
                assert line.strip() == f"done {r}", proc.stderr.read() if proc.stderr else ""
            with NoteStore.open(tmp_path) as store:
                got = store.get(note.id)
            assert got is not None
            if got.body != f"text {r}" or got.tags != (f"tag{r}",):
                lost.append((r, got.body, got.tags))
    finally:
        for proc in (texts, tags):
            proc.kill()
            proc.communicate()
    assert lost == []


def test_two_cli_edits_at_once_both_land(tmp_path: Path) -> None:
    dirs = ["--data-dir", str(tmp_path / "d"), "--cache-dir", str(tmp_path / "c"), "--config-dir", str(tmp_path / "k")]
    note = Note(id="b" * 32, corpus="bundled", doc=DOC, body="start")
    with NoteStore.open(tmp_path / "d") as store:
        store.add(note)
    for r in range(3):
        procs = [subprocess.Popen([sys.executable, "-m", "reader", *dirs, "notes", "edit", note.id[:8], *edit],
                                  cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                 for edit in (["--text", f"text {r}"], ["--tags", f"tag{r}"])]
        for proc in procs:
            _out, err = proc.communicate(timeout=120)
            assert proc.returncode == 0, err
        with NoteStore.open(tmp_path / "d") as store:
            got = store.get(note.id)
        assert got is not None and got.body == f"text {r}" and got.tags == (f"tag{r}",)


def test_stale_copy_is_merged_field_by_field_or_refused(tmp_path: Path) -> None:
    mine, theirs = NoteStore.open(tmp_path), NoteStore.open(tmp_path)  # two connections, as two processes
    try:
        note = mine.add(Note(id="c" * 32, corpus="bundled", doc=DOC, body="v1", tags=("a",), color="blue"))
        shown = mine.get(note.id)
        assert shown is not None and shown.version == 1
        theirs.update(note.id, tags=("theirs",))
        merged = mine.update(note.id, base=shown, body="mine")
        assert merged.body == "mine" and merged.tags == ("theirs",) and merged.version == 3
        shown = merged
        theirs.update(note.id, body="their text")
        with pytest.raises(StaleEdit, match="changed elsewhere") as refused:
            mine.update(note.id, base=shown, body="my text")
        assert refused.value.current.body == "their text"
        assert mine.get(note.id).body == "their text"  # type: ignore[union-attr]
        # the same change made on both sides is no conflict
        assert mine.update(note.id, base=shown, body="their text", color="red").color == "red"
        # a whole-note put (undo of a delete, import) still moves the version on
        assert mine.put(note).version > merged.version
    finally:
        mine.close()
        theirs.close()


# Both start on the same fresh data dirs at the same instants; each adds five notes.
_STARTER = """
import sys, time
from pathlib import Path
from reader.core.notes.model import Note
from reader.core.notes.store import NoteStore
root, who, at, n = Path(sys.argv[1]), sys.argv[2], float(sys.argv[3]), int(sys.argv[4])
for k in range(n):
    while time.time() < at + 0.4 * k:
        pass
    store = NoteStore.open(root / f"fresh{k}")
    for i in range(5):
        store.add(Note(id=f"{who}{k:03d}{i:028x}", corpus="bundled", doc="d", body="x"))
    store.close()
print("ok", flush=True)
"""


def test_first_start_race_migrates_once_and_refuses_nothing(tmp_path: Path) -> None:
    rounds = 6
    at = time.time() + 2.0
    procs = [_spawn(_STARTER, str(tmp_path), who, str(at), str(rounds)) for who in ("a", "b")]
    for proc in procs:
        out, err = proc.communicate(timeout=180)
        assert proc.returncode == 0 and out.strip() == "ok", err
    for k in range(rounds):
        with NoteStore.open(tmp_path / f"fresh{k}") as store:
            assert store.notice is None
            assert store.count() == 10 and store._user_version() == SCHEMA_VERSION


_FIELD_VALUES = {
    "body": st.sampled_from(["", "a", "b", "c"]),
    "tags": st.sampled_from([(), ("x",), ("y", "x")]),
    "color": st.sampled_from(["yellow", "red", "blue"]),
}


@st.composite
def _edits(draw: st.DrawFn) -> dict[str, object]:
    names = draw(st.sets(st.sampled_from(sorted(_FIELD_VALUES)), min_size=1))
    return {name: draw(_FIELD_VALUES[name]) for name in names}


@settings(max_examples=20, deadline=None)
@given(theirs=_edits(), mine=_edits())
def test_stale_edit_merge_property(theirs: dict[str, object], mine: dict[str, object]) -> None:
    """Edit on a stale copy: either refused with nothing written, or both edits kept field by field."""
    with tempfile.TemporaryDirectory() as tmp:
        a, b = NoteStore.open(Path(tmp)), NoteStore.open(Path(tmp))
        try:
            shown = a.add(Note(id="d" * 32, corpus="bundled", doc=DOC, body="start", tags=("t",)))
            after_theirs = b.update(shown.id, **theirs)
            clash = any(getattr(after_theirs, f) != getattr(shown, f)
                        and getattr(after_theirs, f) != v for f, v in mine.items())
            if clash:
                with pytest.raises(StaleEdit):
                    a.update(shown.id, base=shown, **mine)
                assert a.get(shown.id) == after_theirs
            else:
                got = a.update(shown.id, base=shown, **mine)
                for name in _FIELD_VALUES:
                    want = mine.get(name, getattr(after_theirs, name))
                    assert getattr(got, name) == want
        finally:
            a.close()
            b.close()
