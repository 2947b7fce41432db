"""The coverage timeline: one row per outlet, one column per day (or week, or month), a dot per count.

"Who covered this first, who never did" at a glance: dot area grows with the number of matching
documents, each outlet's first day is ringed, outlets without a match say "never". Painted with
QPainter from the window palette, so every theme applies and nothing needs a chart library; when
the days do not fit the width they are grouped by week, then by month.
"""

from __future__ import annotations

import logging
import math
from datetime import date

from PySide6.QtCore import QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFontMetrics, QImage, QPainter, QPaintEvent, QPalette
from PySide6.QtWidgets import QSizePolicy, QWidget

from reader.core.research.timeline import Timeline
from reader.gui.exports import png_bytes

log = logging.getLogger(__name__)

ROW_HEIGHT = 22
MIN_COLUMN = 18
MAX_COLUMN = 96


def bucket(day: str, granularity: str) -> str:
    """The column a day falls in: itself, its ISO week (2022-W01) or its month (2022-01)."""
    if granularity == "day":
        return day
    try:
        value = date.fromisoformat(day)
    except ValueError:
        return day
    if granularity == "week":
        year, week, _ = value.isocalendar()
        return f"{year}-W{week:02d}"
    return day[:7]


def columns_for(line: Timeline, granularity: str) -> tuple[list[str], dict[str, dict[str, int]]]:
    counts: dict[str, dict[str, int]] = {}
    for outlet, per in line.counts.items():
        grouped: dict[str, int] = {}
        for day, n in per.items():
            key = bucket(day, granularity)
            grouped[key] = grouped.get(key, 0) + n
        counts[outlet] = grouped
    keys = sorted({bucket(d, granularity) for d in line.days})
    return keys, counts


class TimelineChart(QWidget):
    """Paints a :class:`Timeline`; ``granularity`` says how its columns were grouped."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.timeline: Timeline | None = None
        self.granularity = "day"
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.setMinimumHeight(ROW_HEIGHT * 3)
        self.setAccessibleName("Coverage timeline")

    def set_timeline(self, line: Timeline | None) -> None:
        self.timeline = line
        self.updateGeometry()
        self.update()

    def _label_width(self) -> int:
        metrics = QFontMetrics(self.font())
        if self.timeline is None or not self.timeline.counts:
            return 0
        return min(220, max(metrics.horizontalAdvance(o) for o in self.timeline.counts) + 12)

    def _layout(self) -> tuple[list[str], dict[str, dict[str, int]], float]:
        assert self.timeline is not None
        available = max(1, self.width() - self._label_width() - 8)
        for granularity in ("day", "week", "month"):
            keys, counts = columns_for(self.timeline, granularity)
            if not keys or available / len(keys) >= MIN_COLUMN or granularity == "month":
                self.granularity = granularity
                width = min(MAX_COLUMN, available / max(1, len(keys)))
                return keys, counts, width
        raise AssertionError("unreachable")

    def sizeHint(self) -> QSize:
        rows = len(self.timeline.counts) if self.timeline else 2
        return QSize(480, ROW_HEIGHT * (rows + 2) + 8)

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.paint(painter)
        painter.end()

    def paint(self, painter: QPainter) -> None:
        palette = self.palette()
        text = palette.color(QPalette.ColorRole.WindowText)
        muted = palette.color(QPalette.ColorRole.PlaceholderText)
        accent = palette.color(QPalette.ColorRole.Highlight)
        painter.fillRect(self.rect(), palette.color(QPalette.ColorRole.Base))
        if self.timeline is None:
            painter.setPen(muted)
            painter.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, "Type a query to see who covered it when.")
            return
        keys, counts, column = self._layout()
        label_w = self._label_width()
        metrics = QFontMetrics(self.font())
        top = ROW_HEIGHT + 4
        biggest = max((n for per in counts.values() for n in per.values()), default=1)
        # header: first, middle and last column labels only, so they never overlap
        painter.setPen(muted)
        shown = sorted({0, len(keys) // 2, len(keys) - 1}) if keys else []
        last_right = -1.0
        for i in shown:
            label = keys[i]
            x = label_w + i * column + column / 2 - metrics.horizontalAdvance(label) / 2
            x = max(float(label_w), min(x, self.width() - metrics.horizontalAdvance(label) - 2.0))
            if x > last_right + 6:
                painter.drawText(QPointF(x, ROW_HEIGHT - 6), label)
                last_right = x + metrics.horizontalAdvance(label)
        for row, (outlet, per) in enumerate(counts.items()):
            y = top + row * ROW_HEIGHT
            if row % 2:
                band = palette.color(QPalette.ColorRole.AlternateBase)
                painter.fillRect(QRectF(0, y, self.width(), ROW_HEIGHT), band)
            painter.setPen(text)
            painter.drawText(QRectF(4, y, label_w - 8, ROW_HEIGHT),
                             int(Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft),
                             metrics.elidedText(outlet, Qt.TextElideMode.ElideRight, label_w - 8))
            if not per:
                painter.setPen(muted)
                painter.drawText(QRectF(label_w, y, self.width() - label_w, ROW_HEIGHT),
                                 int(Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft), "never")
                continue
            first = min(per)
            for i, key in enumerate(keys):
                n = per.get(key, 0)
                if not n:
                    continue
                radius = max(2.5, (ROW_HEIGHT / 2 - 2) * math.sqrt(n / biggest))
                centre = QPointF(label_w + i * column + column / 2, y + ROW_HEIGHT / 2)
                painter.setPen(Qt.PenStyle.NoPen)
                painter.setBrush(accent)
                painter.drawEllipse(centre, radius, radius)
                if key == first:
                    painter.setBrush(Qt.BrushStyle.NoBrush)
                    painter.setPen(text)
                    painter.drawEllipse(centre, radius + 2.5, radius + 2.5)

    def to_png(self, width: int = 900) -> bytes:
        """The chart as PNG bytes at ``width`` pixels (for export), painted off screen."""
        rows = len(self.timeline.counts) if self.timeline else 2
        old = self.size()
        self.resize(width, ROW_HEIGHT * (rows + 1) + 12)
        image = QImage(self.size(), QImage.Format.Format_ARGB32)
        image.fill(QColor(self.palette().color(QPalette.ColorRole.Base)))
        painter = QPainter(image)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.paint(painter)
        painter.end()
        self.resize(old)
        return png_bytes(image)
