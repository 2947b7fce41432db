"""``parallax --debug``: a private log file in ``<cache>/logs`` whose path is printed, CLI and window."""

from __future__ import annotations

import os
import re
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from reader.cli import main
from reader.core import logsetup
from tests.conftest import ROOT

PRINTED = re.compile(r"parallax: debug log: (\S+\.log)")


@pytest.fixture(autouse=True)
def _detach() -> Iterator[None]:
    yield
    logsetup.stop_debug_log()


def _dirs(tmp_path: Path) -> list[str]:
    return ["--data-dir", str(tmp_path / "d"), "--cache-dir", str(tmp_path / "c"), "--config-dir", str(tmp_path / "k")]


def _printed_log(stderr: str, tmp_path: Path) -> Path:
    found = PRINTED.search(stderr)
    assert found, stderr
    path = Path(found.group(1))
    assert path.parent == tmp_path / "c" / "logs"
    assert re.fullmatch(r"parallax-\d{8}-\d{6}(-\d+)?\.log", path.name)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    return path


def test_debug_search_writes_a_log_whose_path_it_prints(tmp_path: Path) -> None:
    proc = subprocess.run([sys.executable, "-m", "reader", "--debug", "search", "x", *_dirs(tmp_path)],
                          cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    path = _printed_log(proc.stderr, tmp_path)
    text = path.read_text(encoding="utf-8")
    assert "INFO    reader.core.logsetup" in text and "parallax " in text and "'search', 'x'" in text
    # what the run did, for a bug report: the index update and the search with its timing
    assert "index rebuilt in" in text and "search 'x':" in text and " ms" in text
    # without --debug: no log file and nothing printed about one
    before = set(path.parent.iterdir())
    quiet = subprocess.run([sys.executable, "-m", "reader", "search", "x", *_dirs(tmp_path)],
                           cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert quiet.returncode == 0 and "debug log" not in quiet.stderr
    assert set(path.parent.iterdir()) == before


def test_debug_after_the_command_and_the_window(tmp_path: Path) -> None:
    proc = subprocess.run([sys.executable, "-m", "reader", "search", "x", "--debug", *_dirs(tmp_path)],
                          cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0 and _printed_log(proc.stderr, tmp_path).exists()
    shot = tmp_path / "shot.png"
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    gui = subprocess.run([sys.executable, "-m", "reader", "--debug", "--screenshot", str(shot), "--size", "900x600",
                          *_dirs(tmp_path)], cwd=ROOT, capture_output=True, text=True, timeout=180, env=env)
    assert gui.returncode == 0, gui.stderr
    assert shot.exists() and "'--screenshot'" in _printed_log(gui.stderr, tmp_path).read_text(encoding="utf-8")


def test_only_the_newest_ten_are_kept(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    logs = tmp_path / "c" / "logs"
    logs.mkdir(parents=True)
    for i in range(12):
        old = logs / f"parallax-20200101-0000{i:02d}.log"
        old.write_text("old\n")
        os.utime(old, (1_600_000_000 + i, 1_600_000_000 + i))
    (logs / "notes.txt").write_text("not a log: never pruned\n")
    assert main(["--debug", "search", "x", *_dirs(tmp_path)]) == 0
    new = _printed_log(capsys.readouterr().err, tmp_path)
    kept = sorted(p.name for p in logs.glob("parallax-*.log"))
    assert len(kept) == logsetup.KEEP and new.name in kept
    assert "parallax-20200101-000000.log" not in kept and "parallax-20200101-000002.log" not in kept
    assert "parallax-20200101-000003.log" in kept and (logs / "notes.txt").exists()


def test_an_unwritable_log_folder_is_one_line_and_the_command_still_runs(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "c").mkdir()
    (tmp_path / "c" / "logs").write_text("a file where the logs folder should be\n")  # a real fault: mkdir fails
    assert main(["--debug", "search", "x", *_dirs(tmp_path)]) == 0
    err = capsys.readouterr().err
    assert "parallax: cannot write the debug log in" in err and "Traceback" not in err
