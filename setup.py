"""Build step that carries the sample corpus and resources/ into the wheel.

Everything else is declared in pyproject.toml. In a checkout the app reads ``corpus/`` and
``resources/`` beside the package; a wheel has no checkout, so ``build_py`` copies both folders to
``reader/_data/`` where :func:`reader.core.paths._source_root` looks for them. Editable installs
skip the copy: they read the checkout directly.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

HERE = Path(__file__).resolve().parent
CARRIED = ("corpus", "resources", "docs")  # folders copied into reader/_data/ (docs: the in-app Help)


def _ignore(folder: str, names: list[str]) -> set[str]:
    return {n for n in names if n == "__pycache__" or n.endswith((".pyc", ".pyo"))}


class BuildPyWithData(build_py):
    """``build_py`` plus ``corpus/``, ``resources/`` and ``docs/`` under ``reader/_data/``."""

    def run(self) -> None:
        super().run()
        if getattr(self, "editable_mode", False):
            return
        target = Path(self.build_lib) / "reader" / "_data"
        for name in CARRIED:
            source = HERE / name
            if not source.is_dir():
                raise SystemExit(f"setup.py: {source} is missing; the wheel must carry it")
            destination = target / name
            if destination.exists():
                shutil.rmtree(destination)
            shutil.copytree(source, destination, ignore=_ignore)


setup(cmdclass={"build_py": BuildPyWithData})
