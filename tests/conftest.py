"""Shared fixtures. Qt runs offscreen; every test gets its own config, data and cache dirs."""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# Before any fixture runs (module- and session-scoped ones are built before the per-test folders
# below), the run's folders already point into one throwaway folder: no test reads or writes the
# real home's settings, notes or caches.
_SESSION_HOME = tempfile.mkdtemp(prefix="parallax-tests-")
atexit.register(shutil.rmtree, _SESSION_HOME, True)
for _name in ("CONFIG", "DATA", "CACHE"):
    os.environ[f"PARALLAX_{_name}_DIR"] = str(Path(_SESSION_HOME) / _name.lower())

# In CI, property tests replay the same examples every run: a rare new counterexample found at
# random must not turn a landing red; developers' runs keep exploring.
if os.environ.get("CI"):
    from hypothesis import settings as _hypothesis_settings

    _hypothesis_settings.register_profile("ci", derandomize=True, print_blob=True)
    _hypothesis_settings.load_profile("ci")
os.environ.setdefault("QT_LOGGING_RULES", "qt.qpa.*=false")

ROOT = Path(__file__).resolve().parent.parent
BUNDLED = ROOT / "corpus"
SHARED = ROOT.parent / "shared"


@pytest.fixture(autouse=True)
def isolated_dirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Path]:
    """Never touch the real home: point the platformdirs overrides at tmp folders."""
    dirs = {name: tmp_path / f"app-{name}" for name in ("config", "data", "cache")}
    monkeypatch.setenv("PARALLAX_CONFIG_DIR", str(dirs["config"]))
    monkeypatch.setenv("PARALLAX_DATA_DIR", str(dirs["data"]))
    monkeypatch.setenv("PARALLAX_CACHE_DIR", str(dirs["cache"]))
    monkeypatch.setattr("reader.core.context._RUN_PATHS", None)  # no folders left over from another test's run
    return dirs


@pytest.fixture
def corpus_copy(tmp_path: Path) -> Path:
    """A writable copy of the bundled corpus."""
    target = tmp_path / "corpus"
    shutil.copytree(BUNDLED, target)
    return target


def write_doc(folder: Path, doc_id: str, body: str = "Some text.", **fields: object) -> Path:
    """Write a minimal valid document (extra front-matter fields as keyword arguments)."""
    header = {"id": doc_id, "title": f"Title of {doc_id}", "outlet": "Test Outlet", "published": "2022-01-08"}
    header.update(fields)
    lines = ["---"] + [f"{k}: {v}" for k, v in header.items() if v is not None] + ["---", "", body, ""]
    path = folder / f"{doc_id}.md"
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


@pytest.fixture
def bad_corpus(tmp_path: Path) -> Path:
    """Two good documents beside one of each kind of bad file."""
    folder = tmp_path / "bad"
    folder.mkdir()
    write_doc(folder, "good-one", "First good document.\n\nSecond paragraph.")
    write_doc(folder, "good-two", "Another good one.")
    (folder / "broken-yaml.md").write_text("---\nid: broken-yaml\ntitle: [unclosed\n---\n\nText.\n", encoding="utf-8")
    (folder / "empty.md").write_bytes(b"")
    (folder / "latin1.md").write_bytes(
        "---\nid: latin1\ntitle: Caf\u00e9\n---\n\nCaf\u00e9 cr\u00e8me.\n".encode("latin-1"))
    (folder / "image.md").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4)
    write_doc(folder, "dup", "I am the original.")
    clash = folder / "zz-dup-copy.md"
    clash.write_text("---\nid: dup\ntitle: Imposter\n---\n\nI reuse an id.\n", encoding="utf-8")
    return folder

# The team tests' throwaway PostgreSQL cluster (started only when a team test asks for it).
pytest_plugins = ("tests.conftest_team",)
