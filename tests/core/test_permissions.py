"""Private data stays private: everything the app writes under its folders is 0600 / 0700.

Corpora and their originals, the entity overlay, settings, the search index (it holds the
full text), caches and notes are private; a user who runs with umask 022 must not leave
them readable by other accounts. Files the user made read-only keep that mode.
"""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from reader.core.atomic import atomic_write_text
from reader.core.paths import PRIVATE_MARKER, AppPaths, secure_app_dirs, tighten_modes
from tests.conftest import ROOT

pytestmark = pytest.mark.skipif(os.name != "posix", reason="POSIX permission bits")


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.lstat().st_mode)


def _readable_by_others(*roots: Path) -> list[str]:
    """What ``find ROOTS -perm /077`` prints: the issue's acceptance check, as is."""
    existing = [str(r) for r in roots if r.exists()]
    assert existing
    out = subprocess.run(["find", *existing, "-perm", "/077"],
                         capture_output=True, text=True, check=True)
    return out.stdout.split()


def _run(dirs: dict[str, Path], *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    opts = ["--data-dir", str(dirs["data"]), "--cache-dir", str(dirs["cache"]), "--config-dir",
            str(dirs["config"])]
    # umask 022, as on most desktops: the app must make its own files private regardless
    cmd = ["sh", "-c", 'umask 022; exec "$@"', "sh", sys.executable, "-m", "reader", *opts, *args]
    done = subprocess.run(cmd, capture_output=True, text=True, env=env, input=stdin, timeout=300)
    assert done.returncode == 0, (args, done.stdout, done.stderr)
    assert "Traceback" not in done.stderr
    return done


def test_full_workflow_under_umask_022_leaves_nothing_readable(tmp_path: Path,
                                                               isolated_dirs: dict[str, Path]) -> None:
    dirs = isolated_dirs
    source = tmp_path / "to-import"
    source.mkdir()
    (source / "plain.txt").write_text("A Plain Story\n\nTokayev spoke in Almaty on Friday.\n", encoding="utf-8")
    _run(dirs, "corpus", "new", "mine", "--title", "Mine")
    _run(dirs, "import", "--quiet", str(source))
    _run(dirs, "corpus", "copy-sample")
    _run(dirs, "index")
    _run(dirs, "search", "Tokayev")
    _run(dirs, "entities", "alias", "tokayev", "Tokaev")
    _run(dirs, "settings", "set", "reader.font_size", "15")
    _run(dirs, "notes", "add", "--doc", "frontier-post-alma-ata", "--text", "private thought")
    export = dirs["data"] / "exports" / "notes.md"
    export.parent.mkdir(parents=True)  # made by the test (umask 022 here): tightened on the next start
    export.parent.chmod(0o755)
    _run(dirs, "notes", "export", "-o", str(export))
    _run(dirs, "notes", "export", "--format", "json", "-o", str(dirs["data"] / "notes.json"))
    _run(dirs, "notes", "list")
    assert export.is_file()
    assert _readable_by_others(dirs["data"], dirs["cache"], dirs["config"]) == []


def test_existing_files_are_tightened_on_start_but_read_only_ones_stay(isolated_dirs: dict[str, Path]) -> None:
    dirs = isolated_dirs
    corpus = dirs["data"] / "corpora" / "old"
    corpus.mkdir(parents=True)
    loose = corpus / "doc.md"
    loose.write_text("---\nid: doc\ntitle: T\n---\ntext\n", encoding="utf-8")
    loose.chmod(0o644)
    corpus.chmod(0o755)
    frozen = dirs["data"] / "frozen.yaml"
    frozen.write_text("x: 1\n", encoding="utf-8")
    frozen.chmod(0o400)
    shared_ro = dirs["data"] / "shared-ro.txt"
    shared_ro.write_text("y\n", encoding="utf-8")
    shared_ro.chmod(0o444)
    settings = dirs["config"]
    settings.mkdir(parents=True)
    (settings / "settings.yaml").write_text("{}\n", encoding="utf-8")
    (settings / "settings.yaml").chmod(0o644)
    index = dirs["cache"] / "corpora" / "x" / "index"
    index.mkdir(parents=True)
    (index / "seg.dat").write_bytes(b"full text")
    (index / "seg.dat").chmod(0o664)
    for folder in (dirs["data"], dirs["cache"], dirs["config"], index, index.parent):
        folder.chmod(0o755)
    _run(dirs, "settings", "list")
    assert _readable_by_others(dirs["data"], dirs["cache"], dirs["config"]) == []
    assert _mode(loose) == 0o600 and _mode(corpus) == 0o700
    assert _mode(frozen) == 0o400, "a file the user made read-only is not made writable again"
    assert _mode(shared_ro) == 0o400, "only group/other bits are removed; the user's own bits are kept"
    assert _mode(index / "seg.dat") == 0o600
    for root in (dirs["data"], dirs["cache"], dirs["config"]):
        assert (root / PRIVATE_MARKER).is_file()


def test_after_the_first_walk_only_the_top_level_is_checked(tmp_path: Path) -> None:
    paths = AppPaths(tmp_path / "k", tmp_path / "d", tmp_path / "c")
    for root in (paths.config_dir, paths.data_dir, paths.cache_dir):
        root.mkdir()
    old = os.umask(0o022)
    try:
        secure_app_dirs(paths)
        assert os.umask(0o077) == 0o077  # the app's umask is in force after the call
        deep = paths.data_dir / "a" / "b"
        deep.mkdir(parents=True, mode=0o755)
        deep.chmod(0o755)
        top = paths.data_dir / "top.txt"
        top.write_text("t", encoding="utf-8")
        top.chmod(0o644)
        secure_app_dirs(paths)
        assert _mode(top) == 0o600
        assert _mode(deep) == 0o755  # beyond the cheap check; the full walk ran once already
    finally:
        os.umask(old)


def test_tighten_skips_symlinks_and_never_adds_bits(tmp_path: Path) -> None:
    outside = tmp_path / "outside.txt"
    outside.write_text("not ours", encoding="utf-8")
    outside.chmod(0o644)
    root = tmp_path / "root"
    root.mkdir()
    (root / "link").symlink_to(outside)
    (root / "exec").write_text("#!/bin/sh\n", encoding="utf-8")
    (root / "exec").chmod(0o755)
    (root / "none").write_text("", encoding="utf-8")
    (root / "none").chmod(0o000)
    tighten_modes(root)
    assert _mode(outside) == 0o644, "a link's target outside the folder is left alone"
    assert _mode(root / "exec") == 0o700
    assert _mode(root / "none") == 0o000


def test_atomic_write_new_file_is_private_and_replacing_keeps_mode(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        fresh = tmp_path / "fresh.yaml"
        atomic_write_text(fresh, "a: 1\n")
        assert _mode(fresh) == 0o600
        kept = tmp_path / "kept.yaml"
        kept.write_text("a: 1\n", encoding="utf-8")
        kept.chmod(0o640)
        atomic_write_text(kept, "a: 2\n")
        assert _mode(kept) == 0o640
        atomic_write_text(kept, "a: 3\n", mode=0o600)
        assert _mode(kept) == 0o600
    finally:
        os.umask(old)
