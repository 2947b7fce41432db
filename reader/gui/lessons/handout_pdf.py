"""Lesson handouts as PDF: Qt lays out the same HTML the HTML export writes, one page per step.

Each step's excerpt is shortened until the step fits one A4 landscape page, measured with the
very layout that prints it, so a long passage never spills a step over two pages.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from reader.core.corpus import Corpus
from reader.core.lessons.handout import HandoutSources, default_excerpt, handout_html
from reader.core.lessons.model import Lesson


def _setup() -> tuple[Any, Any]:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QMarginsF
    from PySide6.QtGui import QGuiApplication, QPageLayout, QPageSize

    app = QGuiApplication.instance() or QGuiApplication(["parallax"])
    layout = QPageLayout(QPageSize(QPageSize.PageSizeId.A4), QPageLayout.Orientation.Landscape,
                         QMarginsF(12, 12, 12, 12), QPageLayout.Unit.Millimeter)
    return app, layout


def _document(html: str, writer: Any, layout: Any) -> Any:
    from PySide6.QtCore import QSizeF
    from PySide6.QtGui import QFont, QTextDocument

    doc = QTextDocument()
    doc.documentLayout().setPaintDevice(writer)  # lay out in the PDF's own resolution
    font = QFont("DejaVu Serif")
    font.setPointSizeF(9.5)
    doc.setDefaultFont(font)
    doc.setHtml(html)
    paint = layout.paintRectPixels(writer.resolution())
    doc.setPageSize(QSizeF(paint.width(), paint.height()))
    return doc


def _writer(path: Path, layout: Any) -> Any:
    from PySide6.QtGui import QPdfWriter

    writer = QPdfWriter(str(path))
    writer.setTitle("Parallax Reader handout")
    writer.setCreator("Parallax Reader")
    writer.setResolution(144)
    writer.setPageLayout(layout)
    return writer


def html_to_pdf(html: str, path: Path) -> int:
    """Render ``html`` to an A4 landscape PDF at ``path``; returns the page count."""
    _app, layout = _setup()
    writer = _writer(path, layout)
    doc = _document(html, writer, layout)
    doc.print_(writer)
    pages = doc.pageCount()
    del writer
    return pages


def lesson_to_pdf(lesson: Lesson, corpus: Corpus, sources: HandoutSources, path: Path,
                  step: int | None = None) -> int:
    """Write the handout (or one step), one page per step; returns the page count.

    Each step is laid out on its own, its excerpt shortened until it fits the page, and painted
    onto a page of its own (rich-text page breaks let long tables spill onto extra pages)."""
    from PySide6.QtCore import QRectF
    from PySide6.QtGui import QPainter

    _app, layout = _setup()
    writer = _writer(path, layout)
    paint = layout.paintRectPixels(writer.resolution())
    numbers = [step] if step else list(range(1, len(lesson.steps) + 1))
    painter = QPainter(writer)
    try:
        for i, n in enumerate(numbers):
            columns = sum(1 for d in lesson.steps[n - 1].documents if d in corpus)
            size = default_excerpt(columns)
            while True:
                html = handout_html(lesson, corpus, sources, step=n, excerpts={n: size}, heading=(i == 0))
                doc = _document(html, writer, layout)
                if doc.pageCount() <= 1 or size <= 200:
                    break
                size = int(size * 0.8)
            if i:
                writer.newPage()
            doc.drawContents(painter, QRectF(0, 0, paint.width(), paint.height()))
    finally:
        painter.end()
    return len(numbers)
