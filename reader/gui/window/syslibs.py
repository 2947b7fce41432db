"""Name the missing Debian package before Qt fails with a cryptic plugin error.

Qt's xcb platform plugin aborts the process ("could not load the Qt platform plugin") when a
system library such as libxcb-cursor is absent, and the PySide6 import fails with a bare
``libGL.so.1: cannot open shared object file``. The desktop bundle (and a pip install) carries
Qt itself but not these system libraries, so before Qt loads we try to open each library the
chosen platform needs and map the ones that fail to the Debian packages that provide them.

This module imports no Qt; it only uses ``ctypes`` (which honours the bundle's library path).
"""

from __future__ import annotations

import ctypes
import os
import sys
from collections.abc import Callable, Mapping
from pathlib import Path

#: Libraries every Qt GUI start needs (also offscreen), with the Debian package that ships each.
BASE_LIBRARIES: tuple[tuple[str, str], ...] = (
    ("libGL.so.1", "libgl1"),
    ("libEGL.so.1", "libegl1"),
    ("libxkbcommon.so.0", "libxkbcommon0"),
    ("libglib-2.0.so.0", "libglib2.0-0"),
    ("libfreetype.so.6", "libfreetype6"),
    ("libfontconfig.so.1", "libfontconfig1"),
    ("libdbus-1.so.3", "libdbus-1-3"),
)

#: Extra libraries the xcb (X11) platform plugin loads in a desktop session.
XCB_LIBRARIES: tuple[tuple[str, str], ...] = (
    ("libxcb-cursor.so.0", "libxcb-cursor0"),
    ("libxkbcommon-x11.so.0", "libxkbcommon-x11-0"),
    ("libxcb-icccm.so.4", "libxcb-icccm4"),
    ("libxcb-image.so.0", "libxcb-image0"),
    ("libxcb-keysyms.so.1", "libxcb-keysyms1"),
    ("libxcb-randr.so.0", "libxcb-randr0"),
    ("libxcb-render-util.so.0", "libxcb-render-util0"),
    ("libxcb-shape.so.0", "libxcb-shape0"),
    ("libxcb-xkb.so.1", "libxcb-xkb1"),
    ("libX11-xcb.so.1", "libx11-xcb1"),
)

#: Libraries of the Wayland platform plugin (Qt falls back to xcb when they are absent and X is there).
WAYLAND_LIBRARIES: tuple[tuple[str, str], ...] = (
    ("libwayland-client.so.0", "libwayland-client0"),
    ("libwayland-cursor.so.0", "libwayland-cursor0"),
    ("libwayland-egl.so.1", "libwayland-egl1"),
)

FONT_PACKAGE = "fonts-dejavu-core"
FONT_DIRS = ("/usr/share/fonts", "/usr/local/share/fonts")


def _loads(soname: str) -> bool:
    try:
        ctypes.CDLL(soname)
    except OSError:
        return False
    return True


def platform_for(environ: Mapping[str, str]) -> str:
    """The Qt platform plugin this start will use: ``offscreen``, ``xcb``, ``wayland``, ..."""
    chosen = environ.get("QT_QPA_PLATFORM", "").split(":", 1)[0].strip().lower()
    if chosen:
        return chosen
    if environ.get("WAYLAND_DISPLAY"):
        return "wayland"
    return "xcb"


def needed_libraries(platform: str) -> tuple[tuple[str, str], ...]:
    extra = {"xcb": XCB_LIBRARIES, "wayland": WAYLAND_LIBRARIES}.get(platform, ())
    return BASE_LIBRARIES + extra


def _has_fonts() -> bool:
    for folder in FONT_DIRS:
        root = Path(folder)
        if root.is_dir() and any(p.suffix.lower() in {".ttf", ".otf", ".pfb", ".ttc"} for p in root.rglob("*")):
            return True
    return False


def missing_packages(
    environ: Mapping[str, str] | None = None,
    loads: Callable[[str], bool] = _loads,
    has_fonts: Callable[[], bool] = _has_fonts,
) -> list[tuple[str, str]]:
    """``(what, debian package)`` for each system piece Qt needs that is absent (Linux only)."""
    if not sys.platform.startswith("linux"):
        return []
    env = os.environ if environ is None else environ
    platform = platform_for(env)

    def absent(libraries: tuple[tuple[str, str], ...]) -> list[tuple[str, str]]:
        return [(soname, package) for soname, package in libraries if not loads(soname)]

    missing = absent(needed_libraries(platform))
    if platform == "wayland" and missing and env.get("DISPLAY") and not env.get("QT_QPA_PLATFORM"):
        missing = absent(needed_libraries("xcb"))  # Qt falls back to X11 (XWayland)
    if not has_fonts():
        missing.append(("any font", FONT_PACKAGE))
    return missing


def missing_message(missing: list[tuple[str, str]]) -> str:
    """A message that names each absent library and the one command that installs them."""
    packages = " ".join(dict.fromkeys(package for _, package in missing))
    lines = ["parallax: Qt needs system libraries that are not installed:"]
    lines += [f"  {what:<26} (Debian/Ubuntu package {package})" for what, package in missing]
    lines.append(f"Install them with:\n  sudo apt-get install {packages}")
    return "\n".join(lines)
