"""Layering rules that keep the core usable without Qt, and the code base lint-clean."""

from __future__ import annotations

import pkgutil
import shutil
import subprocess
import sys

import pytest

import reader.core
from tests.conftest import ROOT


def test_core_imports_no_qt() -> None:
    modules = [f"reader.core.{m.name}" for m in pkgutil.iter_modules(reader.core.__path__)]
    assert len(modules) >= 5
    code = (
        "import importlib, sys\n"
        f"for name in {modules!r}: importlib.import_module(name)\n"
        "import reader.cli, reader.commands\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('PySide6', 'shiboken6', 'PyQt5', 'PyQt6'))\n"
        "print(','.join(bad))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == ""


def test_ruff_clean() -> None:
    ruff = shutil.which("ruff") or str(ROOT / ".venv" / "bin" / "ruff")
    if not shutil.which(ruff):
        pytest.skip("ruff not installed")
    result = subprocess.run([ruff, "check", "reader", "tests", "tools", "bench"], cwd=ROOT,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr


def test_tests_mirror_the_package_and_core_tests_need_no_qt() -> None:
    """``tests/core/<feature>/`` and ``tests/gui/<feature>/`` follow ``reader/``; a core test that
    imported Qt would hide a core that cannot run without it."""
    core_features = {p.name for p in (ROOT / "reader/core").iterdir() if (p / "__init__.py").is_file()}
    gui_features = {p.name for p in (ROOT / "reader/gui").iterdir() if (p / "__init__.py").is_file()}
    for kind, features in (("core", core_features), ("gui", gui_features)):
        for folder in (ROOT / "tests" / kind).iterdir():
            if folder.is_dir() and folder.name != "__pycache__":
                assert folder.name in features, f"tests/{kind}/{folder.name} mirrors nothing in reader/{kind}"
    for test in (ROOT / "tests/core").rglob("test_*.py"):
        text = test.read_text(encoding="utf-8")
        assert "PySide6" not in text and "reader.gui" not in text and "qtbot" not in text, test
    loose = [p.name for p in (ROOT / "reader/gui").glob("*.py")]
    assert len(loose) <= 8, f"reader/gui/ should hold feature packages, not {sorted(loose)}"
