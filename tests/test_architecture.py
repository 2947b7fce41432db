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


def test_a_session_builds_its_services_without_qt() -> None:
    """The session (the core's centre) and every service it builds stay Qt-free when used."""
    code = (
        "import sys\n"
        "from reader.core.session import Session\n"
        "s = Session.create()\n"
        "s.corpus(); s.entities; s.framing; s.aligner(); s.notes\n"
        "s.close()\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('PySide6', 'shiboken6', 'PyQt5', 'PyQt6'))\n"
        "print(','.join(bad))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
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


def _literal_collections(path) -> list[tuple[int, set[str]]]:
    """Every tuple / list / set literal's strings and every dict literal's string keys in ``path``."""
    import ast

    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, (ast.Tuple, ast.List, ast.Set)):
            items = node.elts
        elif isinstance(node, ast.Dict):
            items = [k for k in node.keys if k is not None]
        else:
            continue
        strings = {e.value for e in items if isinstance(e, ast.Constant) and isinstance(e.value, str)}
        found.append((node.lineno, strings))
    return found


@pytest.mark.parametrize(("declaration", "names"), [
    ("reader/core/sync_modes.py", {"aligned", "entity", "proportional", "off"}),
    ("reader/core/themes.py", {"system", "light", "dark", "high-contrast"}),
])
def test_sync_modes_and_themes_are_listed_only_in_their_declaration(declaration: str, names: set[str]) -> None:
    """A second copy of the list drifts (a mode added to the menu but not to ``--sync``); every
    other module reads the declaration. Two of the names together in a literal is already a list."""
    copies = [f"{path.relative_to(ROOT)}:{line}"
              for path in sorted((ROOT / "reader").rglob("*.py")) if path != ROOT / declaration
              for line, strings in _literal_collections(path) if len(strings & names) >= 2]
    assert copies == [], f"lists of {sorted(names)} outside {declaration}: {copies}"
