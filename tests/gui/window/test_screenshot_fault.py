"""``parallax --screenshot`` into a place that cannot hold a file: one line on stderr, exit status 1,
no traceback and no half-written image (the PNG goes through the atomic writer)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT

pytestmark = pytest.mark.gui


def test_a_screenshot_that_cannot_be_written_says_so(tmp_path: Path) -> None:
    pytest.importorskip("PySide6")
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the folder should be", encoding="utf-8")
    target = blocker / "window.png"
    dirs = ["--data-dir", str(tmp_path / "d"), "--cache-dir", str(tmp_path / "c"), "--config-dir", str(tmp_path / "k")]
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    proc = subprocess.run([sys.executable, "-m", "reader", "--screenshot", str(target), "--size", "600x400", *dirs],
                          cwd=ROOT, capture_output=True, text=True, timeout=180, env=env)
    assert proc.returncode == 1, proc.stderr
    assert f"parallax: could not write {target}" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert blocker.read_text(encoding="utf-8") == "a file where the folder should be"
