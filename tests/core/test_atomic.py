"""Atomic writes: user data is fsync-ed, derived data (durable=False) is only replaced whole."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

import reader.core.atomic as atomic


@pytest.fixture
def fsyncs(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    calls: list[int] = []
    real = os.fsync

    def counting(fd: int) -> None:
        calls.append(fd)
        real(fd)

    monkeypatch.setattr(atomic.os, "fsync", counting)
    return calls


def test_user_data_is_fsynced_file_and_folder(tmp_path: Path, fsyncs: list[int]) -> None:
    target = tmp_path / "notes.json"
    atomic.atomic_write_text(target, "kept")
    assert target.read_text() == "kept" and len(fsyncs) == 2
    assert target.stat().st_mode & 0o777 == 0o600


def test_derived_data_is_replaced_whole_without_fsync(tmp_path: Path, fsyncs: list[int]) -> None:
    target = tmp_path / "state.json"
    target.write_text("old")
    target.chmod(0o600)
    atomic.atomic_write_text(target, "new", durable=False)
    assert target.read_text() == "new" and fsyncs == []
    assert [p.name for p in tmp_path.iterdir()] == ["state.json"]  # no temp file left
    assert target.stat().st_mode & 0o777 == 0o600
