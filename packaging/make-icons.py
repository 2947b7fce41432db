#!/usr/bin/env python3
"""Render resources/icons/parallax.svg to the PNG sizes desktops look for (16..512 px).

The PNGs are committed (a build needs no SVG renderer); run this again after editing the SVG:
    QT_QPA_PLATFORM=offscreen .venv/bin/python packaging/make-icons.py
Writes resources/icons/hicolor/<N>x<N>/apps/<app id>.png, the layout install.sh copies as is, plus
parallax.ico (Windows: the PNGs up to 256 px in one icon) and parallax.icns (macOS) for the other builds.
"""

from __future__ import annotations

import os
import struct
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from reader import APP_ID  # noqa: E402

SIZES = (16, 22, 24, 32, 48, 64, 128, 256, 512)


def render(svg: Path, out_dir: Path, sizes: tuple[int, ...] = SIZES) -> list[Path]:
    """One PNG per size, antialiased, transparent background."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QGuiApplication, QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    _app = QGuiApplication.instance() or QGuiApplication([])
    renderer = QSvgRenderer(str(svg))
    if not renderer.isValid():
        raise SystemExit(f"make-icons: {svg} is not a valid SVG")
    written = []
    for size in sizes:
        image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
        image.fill(Qt.GlobalColor.transparent)
        painter = QPainter(image)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        renderer.render(painter)
        painter.end()
        target = out_dir / "hicolor" / f"{size}x{size}" / "apps" / f"{APP_ID}.png"
        target.parent.mkdir(parents=True, exist_ok=True)
        if not image.save(str(target), "PNG"):
            raise SystemExit(f"make-icons: could not write {target}")
        written.append(target)
    return written


def write_ico(pngs: list[Path], target: Path) -> Path:
    """A Windows .ico holding PNG images (supported since Windows Vista), one entry per size."""
    images = []
    for png in pngs:
        data = png.read_bytes()
        width, height = struct.unpack(">II", data[16:24])
        if width <= 256:
            images.append((width, height, data))
    header = struct.pack("<HHH", 0, 1, len(images))
    offset = 6 + 16 * len(images)
    entries, blobs = b"", b""
    for width, height, data in images:
        entries += struct.pack("<BBBBHHII", width % 256, height % 256, 0, 0, 1, 32, len(data), offset + len(blobs))
        blobs += data
    target.write_bytes(header + entries + blobs)
    return target


def write_icns(png: Path, target: Path) -> Path:
    """A macOS .icns through Qt's icns image plugin."""
    from PySide6.QtGui import QImage, QImageWriter

    writer = QImageWriter(str(target), b"icns")
    if not writer.write(QImage(str(png))):
        raise SystemExit(f"make-icons: could not write {target}: {writer.errorString()}")
    return target


def main() -> int:
    icons = ROOT / "resources" / "icons"
    pngs = render(icons / "parallax.svg", icons)
    pngs.append(write_ico(pngs, icons / "parallax.ico"))
    pngs.append(write_icns(pngs[-2], icons / "parallax.icns"))
    for path in pngs:
        print(path.relative_to(ROOT))
    return 0


if __name__ == "__main__":
    sys.exit(main())
