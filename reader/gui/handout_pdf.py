"""Lesson handouts as PDF: Qt lays out the same HTML the HTML export writes, one step per page."""

from __future__ import annotations

import os
from pathlib import Path


def html_to_pdf(html: str, path: Path) -> int:
    """Render ``html`` to an A4 landscape PDF at ``path``; returns the page count."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QMarginsF, QSizeF
    from PySide6.QtGui import QFont, QGuiApplication, QPageLayout, QPageSize, QPdfWriter, QTextDocument

    _app = QGuiApplication.instance() or QGuiApplication(["parallax"])
    writer = QPdfWriter(str(path))
    writer.setTitle("Parallax Reader handout")
    writer.setCreator("Parallax Reader")
    writer.setResolution(144)
    layout = QPageLayout(QPageSize(QPageSize.PageSizeId.A4), QPageLayout.Orientation.Landscape,
                         QMarginsF(12, 12, 12, 12), QPageLayout.Unit.Millimeter)
    writer.setPageLayout(layout)
    doc = QTextDocument()
    doc.documentLayout().setPaintDevice(writer)  # lay out in the PDF's own resolution
    font = QFont("DejaVu Serif")
    font.setPointSizeF(9.5)
    doc.setDefaultFont(font)
    doc.setHtml(html)
    paint = layout.paintRectPixels(writer.resolution())
    doc.setPageSize(QSizeF(paint.width(), paint.height()))
    doc.print_(writer)
    pages = doc.pageCount()
    del writer
    return pages
