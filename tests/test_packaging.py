"""Packaging: the wheel carries the corpus, resources and package data; desktop files validate;
install.sh installs and uninstalls; the launcher names missing Debian packages. No Qt needed.

The PyInstaller bundle itself is built and smoke-tested by .ci/run (packaging/smoke-bundle):
building it takes about a minute, too long for the unit suite.
"""

from __future__ import annotations

import json
import os
import shutil
import struct
import subprocess
import sys
import sysconfig
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import pytest

from reader import APP_ID, __version__
from reader.core import paths
from reader.gui.window import syslibs
from tests.conftest import ROOT

DESKTOP = ROOT / "resources" / "desktop" / f"{APP_ID}.desktop"
METAINFO = ROOT / "resources" / "desktop" / f"{APP_ID}.metainfo.xml"
ICON_SIZES = (16, 22, 24, 32, 48, 64, 128, 256, 512)
BUNDLED_IDS = {"frontier-post-alma-ata", "neo-outside-forces", "kavkazplus-gutted",
               "eadaily-ukrainian-trace", "moa-failed-rebellion"}
SKIP_DIRS = {".venv", ".git", "build", "dist", ".hypothesis", ".pytest_cache", ".ruff_cache", "__pycache__"}


def _package_data_files(root: Path) -> set[str]:
    """Every non-Python file under reader/ (what the wheel and the bundle must carry)."""
    out = set()
    for path in (root / "reader").rglob("*"):
        if path.is_file() and "__pycache__" not in path.parts and path.suffix not in {".py", ".pyc", ".pyo"}:
            out.add(path.relative_to(root).as_posix())
    return out


def _copy_source(target: Path) -> Path:
    def ignore(folder: str, names: list[str]) -> set[str]:
        return {n for n in names if n in SKIP_DIRS or n.endswith(".egg-info")}

    shutil.copytree(ROOT, target, ignore=ignore)
    return target


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A wheel built the way pip builds one (PEP 517, isolated), from a copy of this checkout."""
    work = tmp_path_factory.mktemp("wheel")
    source = _copy_source(work / "src")
    # A file a later capability might add: package data must be found generically.
    extra = source / "reader" / "core" / "zz_packaging_probe"
    extra.mkdir()
    (extra / "probe.yaml").write_text("probe: true\n", encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "--disable-pip-version-check",
         "-w", str(work / "out"), str(source)],
        capture_output=True, text=True, timeout=300)
    if result.returncode != 0 and "Could not find a version that satisfies" in result.stderr:
        pytest.skip(f"the build backend could not be installed (no package index?): {result.stderr[-300:]}")
    assert result.returncode == 0, result.stderr[-2000:]
    (built,) = (work / "out").glob("parallax_reader-*.whl")
    return built


@pytest.mark.slow
def test_wheel_carries_corpus_resources_and_package_data(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    for doc_id in BUNDLED_IDS:
        assert f"reader/_data/corpus/{doc_id}.md" in names
    assert "reader/_data/corpus/corpus.yaml" in names
    for resource in ROOT.joinpath("resources").rglob("*"):
        if resource.is_file():
            assert f"reader/_data/{resource.relative_to(ROOT).as_posix()}" in names
    for data in _package_data_files(ROOT):
        assert data in names, f"{data} is missing from the wheel"
    assert "reader/core/zz_packaging_probe/probe.yaml" in names  # found without naming it anywhere
    assert not [n for n in names if n.endswith(".pyc") or "__pycache__" in n]
    assert f"parallax_reader-{__version__}.dist-info/entry_points.txt" in names


@pytest.mark.slow
def test_installed_wheel_lists_the_bundled_corpus(wheel: Path, tmp_path: Path) -> None:
    """Unpacked wheel first on the path, the project's dependencies after it, no editable finder."""
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    deps = sysconfig.get_paths()["purelib"]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(site), deps])}
    code = ("import sys, reader; from reader.cli import main; print(reader.__file__, file=sys.stderr); "
            "sys.exit(main(['corpus', 'check', '--json']))")
    # -S: no site-packages processing, so the checkout's editable install cannot shadow the wheel.
    result = subprocess.run([sys.executable, "-S", "-c", code], cwd=tmp_path, env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stderr.strip().startswith(str(site))
    report = json.loads(result.stdout)
    assert {d["id"] for d in report["documents"]} == BUNDLED_IDS
    assert report["errors"] == []
    assert all(Path(d["path"]).is_relative_to(site / "reader" / "_data" / "corpus") for d in report["documents"])


def test_checkout_layout_finds_resources_and_corpus() -> None:
    assert paths._source_root() == ROOT
    assert paths.resource_path("themes", "light.yaml").is_file()
    assert (paths.bundled_corpus_path() / "moa-failed-rebellion.md").is_file()


def test_bundle_layout_uses_the_unpacked_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "_MEIPASS", str(tmp_path), raising=False)
    assert paths.resource_path("icons", "parallax.svg") == tmp_path / "resources" / "icons" / "parallax.svg"
    assert paths.bundled_corpus_path() == tmp_path / "corpus"


# --- desktop integration -------------------------------------------------------------------------

def _png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()[:24]
    assert data[:8] == b"\x89PNG\r\n\x1a\n", f"{path} is not a PNG"
    return struct.unpack(">II", data[16:24])


def test_icons_exist_at_every_size() -> None:
    for size in ICON_SIZES:
        icon = ROOT / "resources" / "icons" / "hicolor" / f"{size}x{size}" / "apps" / f"{APP_ID}.png"
        assert icon.is_file(), f"run packaging/make-icons.py: {icon} is missing"
        assert _png_size(icon) == (size, size)


def test_desktop_entry_names_the_app_and_icon() -> None:
    entry = dict(line.split("=", 1) for line in DESKTOP.read_text(encoding="utf-8").splitlines() if "=" in line)
    assert entry["Icon"] == APP_ID
    assert entry["Exec"].split()[0] == "parallax"
    assert entry["Type"] == "Application"


@pytest.mark.skipif(shutil.which("desktop-file-validate") is None,
                    reason="desktop-file-validate absent (Debian package desktop-file-utils)")
def test_desktop_entry_validates() -> None:
    result = subprocess.run(["desktop-file-validate", str(DESKTOP)], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "error" not in result.stdout.lower()


def test_metainfo_matches_the_app() -> None:
    root = ET.parse(METAINFO).getroot()
    assert root.findtext("id") == APP_ID
    assert root.find("launchable").text == DESKTOP.name  # type: ignore[union-attr]
    versions = [r.get("version") for r in root.iter("release")]
    assert versions and versions[0] == __version__, "add a <release> for the new version to the metainfo"


@pytest.mark.skipif(shutil.which("appstreamcli") is None, reason="appstreamcli absent (Debian package appstream)")
def test_metainfo_validates_offline() -> None:
    result = subprocess.run(["appstreamcli", "validate", "--no-net", str(METAINFO)],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr


# --- install.sh ----------------------------------------------------------------------------------

@pytest.fixture
def fake_bundle(tmp_path: Path) -> Path:
    """The unpacked tarball's layout, with a stand-in program (the real one is built in CI)."""
    bundle = tmp_path / "ParallaxReader"
    (bundle / "_internal").mkdir(parents=True)
    shutil.copytree(ROOT / "resources", bundle / "_internal" / "resources")
    program = bundle / "parallax"
    program.write_text("#!/bin/sh\necho parallax-stand-in \"$@\"\n", encoding="utf-8")
    program.chmod(0o755)
    shutil.copy2(ROOT / "packaging" / "install.sh", bundle / "install.sh")
    return bundle


def _run(cmd: list[str], home: Path) -> subprocess.CompletedProcess[str]:
    env = {"HOME": str(home), "PATH": os.environ.get("PATH", "/usr/bin:/bin")}
    return subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=60)


def test_install_sh_installs_and_uninstalls_for_a_user(fake_bundle: Path, tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    result = _run(["sh", str(fake_bundle / "install.sh"), "--user"], home)
    assert result.returncode == 0, result.stderr
    share = home / ".local" / "share"
    appdir = share / "parallax-reader" / "app"
    link = home / ".local" / "bin" / "parallax"
    assert link.is_symlink() and link.resolve() == (appdir / "parallax").resolve()
    assert _run([str(link), "--version"], home).stdout.strip() == "parallax-stand-in --version"
    desktop = share / "applications" / DESKTOP.name
    assert f"Exec={appdir}/parallax" in desktop.read_text(encoding="utf-8")
    assert (share / "metainfo" / METAINFO.name).is_file()
    for size in ICON_SIZES:
        assert (share / "icons" / "hicolor" / f"{size}x{size}" / "apps" / f"{APP_ID}.png").is_file()
    assert (share / "icons" / "hicolor" / "scalable" / "apps" / f"{APP_ID}.svg").is_file()
    if shutil.which("desktop-file-validate"):
        assert subprocess.run(["desktop-file-validate", str(desktop)], capture_output=True).returncode == 0

    removed = _run([str(appdir / "uninstall.sh")], home)
    assert removed.returncode == 0, removed.stderr
    left = [p for p in home.rglob("*") if p.is_file() or p.is_symlink()]
    assert [p.name for p in left if p.name != "mimeinfo.cache"] == []
    assert not (share / "parallax-reader").exists()


def test_install_sh_prefix_and_reinstall(fake_bundle: Path, tmp_path: Path) -> None:
    prefix = tmp_path / "opt"
    for _ in range(2):  # a second install replaces the first
        result = _run(["sh", str(fake_bundle / "install.sh"), "--prefix", str(prefix)], tmp_path)
        assert result.returncode == 0, result.stderr
    manifest = (prefix / "parallax-reader" / "installed-files.txt").read_text(encoding="utf-8").splitlines()
    assert len(manifest) == len(set(manifest)) == 1 + 2 + len(ICON_SIZES) + 1
    assert _run(["sh", str(fake_bundle / "install.sh"), "--prefix", str(prefix), "--uninstall"],
                tmp_path).returncode == 0
    assert not (prefix / "parallax-reader").exists()
    assert all(not Path(p).exists() for p in manifest)


def test_install_sh_refuses_outside_a_bundle(tmp_path: Path) -> None:
    result = _run(["sh", str(ROOT / "packaging" / "install.sh"), "--prefix", str(tmp_path / "p")], tmp_path)
    assert result.returncode == 2
    assert "unpacked ParallaxReader folder" in result.stderr


# --- the launcher's check for Qt's system libraries ----------------------------------------------

def test_platform_choice_follows_the_environment() -> None:
    assert syslibs.platform_for({"QT_QPA_PLATFORM": "offscreen"}) == "offscreen"
    assert syslibs.platform_for({"DISPLAY": ":0"}) == "xcb"
    assert syslibs.platform_for({"WAYLAND_DISPLAY": "wayland-0", "DISPLAY": ":0"}) == "wayland"


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the check is for Linux systems")
def test_missing_library_is_named_with_its_debian_package() -> None:
    missing = syslibs.missing_packages({"DISPLAY": ":0"}, loads=lambda s: s != "libxcb-cursor.so.0",
                                       has_fonts=lambda: True)
    assert missing == [("libxcb-cursor.so.0", "libxcb-cursor0")]
    message = syslibs.missing_message(missing)
    assert "libxcb-cursor.so.0" in message and "sudo apt-get install libxcb-cursor0" in message
    # Offscreen (screenshots, tests) does not need the X11 libraries at all.
    assert syslibs.missing_packages({"QT_QPA_PLATFORM": "offscreen"}, loads=lambda s: "xcb" not in s,
                                    has_fonts=lambda: True) == []
    no_fonts = syslibs.missing_packages({"QT_QPA_PLATFORM": "offscreen"}, loads=lambda s: True,
                                        has_fonts=lambda: False)
    assert no_fonts == [("any font", "fonts-dejavu-core")]


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the check is for Linux systems")
def test_wayland_falls_back_to_x11_libraries() -> None:
    env = {"WAYLAND_DISPLAY": "wayland-0", "DISPLAY": ":0"}
    assert syslibs.missing_packages(env, loads=lambda s: "wayland" not in s, has_fonts=lambda: True) == []
    only_wayland = {"WAYLAND_DISPLAY": "wayland-0"}
    missing = syslibs.missing_packages(only_wayland, loads=lambda s: "wayland" not in s, has_fonts=lambda: True)
    assert {p for _, p in missing} == {"libwayland-client0", "libwayland-cursor0", "libwayland-egl1"}


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the check is for Linux systems")
def test_this_machine_has_what_offscreen_qt_needs() -> None:
    assert syslibs.missing_packages({"QT_QPA_PLATFORM": "offscreen"}) == []


def test_gui_start_stops_with_the_package_name(monkeypatch: pytest.MonkeyPatch,
                                               capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    from reader.core.context import AppContext
    from reader.gui import app

    monkeypatch.setattr(syslibs, "missing_packages", lambda: [("libEGL.so.1", "libegl1")])
    ctx = AppContext.create()
    assert app.run_gui(ctx, screenshot=str(tmp_path / "out.png")) == 1
    err = capsys.readouterr().err
    assert "libEGL.so.1" in err and "sudo apt-get install libegl1" in err
    assert not (tmp_path / "out.png").exists()



def test_wheel_carries_the_help_text(wheel: Path) -> None:
    """The in-app Help (Help ▸ Search Query Language) reads docs/search.md from the data folder."""
    assert "reader/_data/docs/search.md" in zipfile.ZipFile(wheel).namelist()
