"""Writing exports: every PNG, PDF, HTML and CSV the window saves goes through here.

Each export is rendered into memory first and then written with :mod:`reader.core.atomic`, so a
full disk or a vanished folder leaves either the old file or none, never half an image. The
writers raise ``OSError``; :func:`report_failure` is the one sentence an export action shows.
"""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QBuffer, QByteArray, QIODevice
from PySide6.QtGui import QImage, QImageWriter

from reader.core.atomic import atomic_write_bytes

log = logging.getLogger(__name__)


def png_bytes(image: QImage) -> bytes:
    """``image`` encoded as PNG in memory (``QImage.save`` would write straight to the target)."""
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    writer = QImageWriter(buffer, QByteArray(b"PNG"))
    if not writer.write(image):
        raise OSError(f"the image could not be encoded as PNG: {writer.errorString()}")
    buffer.close()
    return bytes(data.data())


def write_png(path: str | Path, image: QImage) -> None:
    """Save ``image`` as a PNG at ``path`` atomically; raises ``OSError``."""
    atomic_write_bytes(Path(path), png_bytes(image))


def report_failure(path: str | Path, exc: OSError) -> str:
    """The message an export action shows when the file could not be written."""
    log.warning("export to %s failed", path, exc_info=exc)
    reason = exc.strerror or str(exc)
    return f"Could not save {Path(path).name}: {reason}."
