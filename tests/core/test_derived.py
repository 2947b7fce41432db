"""The derived store: batched, keyed by content hash and fingerprint, degrades to memory."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from reader.core.derived import DerivedStore


def test_round_trip_and_fingerprint(tmp_path: Path) -> None:
    store = DerivedStore(tmp_path / "c")
    store.put_many("entity-spans", {"h1": [[0, 3, "a"]], "h2": []}, "fp1")
    store.close()
    again = DerivedStore(tmp_path / "c")
    assert again.get_many("entity-spans", ["h1", "h2", "h3"], "fp1") == {"h1": [[0, 3, "a"]], "h2": []}
    assert again.get("entity-spans", "h1", "fp2") is None  # other rules: a miss
    assert (tmp_path / "c" / "derived.sqlite3").stat().st_mode & 0o077 == 0


@pytest.mark.skipif(os.geteuid() == 0, reason="root ignores file modes")
def test_unwritable_folder_keeps_memory(tmp_path: Path) -> None:
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o500)
    store = DerivedStore(folder / "c")
    store.put("k", "x", "fp", {"v": 1})
    assert store.get("k", "x", "fp") == {"v": 1}


def test_unopenable_file_keeps_memory(tmp_path: Path) -> None:
    folder = tmp_path / "c"
    (folder / "derived.sqlite3").mkdir(parents=True)  # a folder where the file should be
    store = DerivedStore(folder)
    store.put("k", "x", "fp", [1, 2])
    assert store.get("k", "x", "fp") == [1, 2]


def test_delete_kind(tmp_path: Path) -> None:
    store = DerivedStore(tmp_path)
    store.put("a", "x", "fp", 1)
    store.put("b", "x", "fp", 2)
    store.delete_kind("a")
    store.clear_memory()
    assert store.get("a", "x", "fp") is None and store.get("b", "x", "fp") == 2


def test_stored_rows_are_not_also_kept_in_memory(tmp_path: Path) -> None:
    store = DerivedStore(tmp_path / "c")
    store.put_many("entity-spans", {f"h{n}": [[n, n + 1, "x"]] for n in range(1000)}, "fp")
    assert store._memory == {}  # the file answers: memory does not grow with the corpus
    assert store.get("entity-spans", "h999", "fp") == [[999, 1000, "x"]]


def test_a_failed_write_keeps_the_batch_in_memory(tmp_path: Path) -> None:
    import sqlite3

    store = DerivedStore(tmp_path / "c")
    store.put("k", "first", "fp", 1)
    assert store.path is not None
    store._conn = sqlite3.connect(f"file:{store.path}?mode=ro", uri=True, isolation_level=None,
                                  check_same_thread=False)  # a real refusal: a read-only database
    store.put("k", "second", "fp", 2)
    assert store.get_many("k", ["first", "second"], "fp") == {"first": 1, "second": 2}
    assert ("k", "second") in store._memory and ("k", "first") not in store._memory
