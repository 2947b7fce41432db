"""The window under umask 022 leaves nothing readable by other accounts (run as the user would)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.core.test_permissions import _readable_by_others, _run, pytestmark  # noqa: F401


def test_the_window_under_umask_022_leaves_nothing_readable(tmp_path: Path, isolated_dirs: dict[str, Path]) -> None:
    pytest.importorskip("PySide6")
    dirs = isolated_dirs
    _run(dirs, "notes", "add", "--doc", "frontier-post-alma-ata", "--text", "private")
    _run(dirs, "--screenshot", str(dirs["cache"] / "window.png"), "--open", "frontier-post-alma-ata")
    assert (dirs["cache"] / "window.png").is_file()
    assert _readable_by_others(dirs["data"], dirs["cache"], dirs["config"]) == []
