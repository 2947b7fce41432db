"""Per-outlet framing profile chart: bars per technique, outlets side by side, drawn with QPainter.

QtCharts is not part of PySide6-Essentials, so the chart paints itself; it exports as PNG
(what you see) and CSV (the numbers behind it).
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from PySide6.QtCore import QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFont, QFontMetrics, QImage, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from reader.core.atomic import atomic_write_text
from reader.core.framing.catalogue import Technique
from reader.core.framing.engine import Profile, profile_csv_rows

#: Outlet colours (Okabe-Ito, blue first): distinct from each other for colour-blind readers.
OUTLET_COLOURS = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000")


class ProfileChart(QWidget):
    """Grouped bars: one group per technique that occurs, one bar per outlet (spans per 1,000 words)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.profiles: dict[str, Profile] = {}
        self.catalogue: dict[str, Technique] = {}
        self.text_colour = QColor("#1f2328")
        self.grid_colour = QColor("#c8c8c8")
        self.setMinimumSize(560, 320)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setAccessibleName("Framing profile chart")

    def set_data(self, profiles: dict[str, Profile], catalogue: dict[str, Technique]) -> None:
        self.profiles, self.catalogue = dict(profiles), dict(catalogue)
        self.update()

    def shown_techniques(self) -> list[str]:
        return [t for t in self.catalogue if any(p.counts.get(t) for p in self.profiles.values())]

    def sizeHint(self) -> QSize:
        return QSize(820, 440)

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.render_chart(painter, QRectF(self.rect()))
        painter.end()

    def render_chart(self, painter: QPainter, area: QRectF) -> None:
        font = QFont(self.font())
        painter.setFont(font)
        fm = QFontMetrics(font)
        techs = self.shown_techniques()
        outlets = list(self.profiles)
        if not techs or not outlets:
            painter.setPen(self.text_colour)
            painter.drawText(area, Qt.AlignmentFlag.AlignCenter, "No framing spans to chart.")
            return
        rates = {o: p.per_1000() for o, p in self.profiles.items()}
        top = max(max(rates[o].get(t, 0.0) for o in outlets for t in techs), 0.1)
        step = _nice_step(top)
        top = step * (int(top / step) + 1)
        legend = self._legend_layout(fm, area)
        legend_h = (max(r for r, _x, _o in legend) + 1) * (fm.height() + 6) + 4 if legend else 0
        left = fm.horizontalAdvance(f"{top:.0f}") + 40
        label_h = fm.height() * 2 + 10
        plot = QRectF(area.left() + left, area.top() + legend_h + 10, area.width() - left - 16,
                      area.height() - legend_h - label_h - 30)
        painter.setPen(self.text_colour)
        painter.save()
        painter.translate(area.left() + 12, plot.center().y())
        painter.rotate(-90)
        painter.drawText(QRectF(-plot.height() / 2, -10, plot.height(), fm.height() + 4),
                         Qt.AlignmentFlag.AlignCenter, "spans per 1,000 words")
        painter.restore()
        value = 0.0
        while value <= top + 1e-9:
            y = plot.bottom() - value / top * plot.height()
            painter.setPen(QPen(self.grid_colour, 1))
            painter.drawLine(int(plot.left()), int(y), int(plot.right()), int(y))
            painter.setPen(self.text_colour)
            painter.drawText(QRectF(area.left() + 18, y - fm.height() / 2, left - 24, fm.height()),
                             Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, f"{value:g}")
            value += step
        group_w = plot.width() / len(techs)
        bar_w = max(2.0, (group_w * 0.8) / len(outlets))
        for gi, tech in enumerate(techs):
            gx = plot.left() + gi * group_w + group_w * 0.1
            for oi, outlet in enumerate(outlets):
                v = rates[outlet].get(tech, 0.0)
                h = v / top * plot.height()
                colour = QColor(OUTLET_COLOURS[oi % len(OUTLET_COLOURS)])
                painter.fillRect(QRectF(gx + oi * bar_w, plot.bottom() - h, bar_w - 1, h), colour)
            painter.setPen(self.text_colour)
            name = self.catalogue[tech].name
            painter.drawText(QRectF(plot.left() + gi * group_w, plot.bottom() + 4, group_w, fm.height() * 2 + 4),
                             Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop | Qt.TextFlag.TextWordWrap,
                             name)
        for row, x, outlet in legend:
            oi = outlets.index(outlet)
            y = area.top() + 4 + row * (fm.height() + 6)
            painter.fillRect(QRectF(x, y + 3, 12, 12), QColor(OUTLET_COLOURS[oi % len(OUTLET_COLOURS)]))
            painter.setPen(self.text_colour)
            label = self._legend_label(outlet)
            painter.drawText(QRectF(x + 16, y, fm.horizontalAdvance(label) + 4, fm.height() + 4),
                             Qt.AlignmentFlag.AlignVCenter, label)

    def _legend_label(self, outlet: str) -> str:
        return f"{outlet} ({self.profiles[outlet].words:,} words)"

    def _legend_layout(self, fm: QFontMetrics, area: QRectF) -> list[tuple[int, float, str]]:
        """(row, x, outlet) for each legend entry, wrapping to new rows so nothing is clipped."""
        out: list[tuple[int, float, str]] = []
        row, x = 0, area.left() + 60
        for outlet in self.profiles:
            w = fm.horizontalAdvance(self._legend_label(outlet)) + 34
            if x + w > area.right() - 8 and x > area.left() + 60:
                row, x = row + 1, area.left() + 60
            out.append((row, x, outlet))
            x += w
        return out

    def to_image(self, size: QSize | None = None) -> QImage:
        size = size or QSize(max(self.width(), 900), max(self.height(), 480))
        image = QImage(size, QImage.Format.Format_ARGB32)
        image.fill(QColor("#ffffff"))
        saved = (self.text_colour, self.grid_colour)
        self.text_colour, self.grid_colour = QColor("#1f2328"), QColor("#c8c8c8")
        painter = QPainter(image)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.render_chart(painter, QRectF(0, 0, size.width(), size.height()))
        painter.end()
        self.text_colour, self.grid_colour = saved
        return image

    def export_png(self, path: str | Path) -> bool:
        return self.to_image().save(str(path), "PNG")

    def export_csv(self, path: str | Path) -> None:
        buffer = io.StringIO()
        csv.writer(buffer).writerows(profile_csv_rows(self.profiles, self.catalogue))
        atomic_write_text(Path(path), buffer.getvalue())


def _nice_step(top: float) -> float:
    for step in (0.5, 1, 2, 5, 10, 20, 50, 100, 200, 500):
        if top / step <= 8:
            return float(step)
    return 1000.0


class ProfileDialog(QDialog):
    """The chart with a scope choice (open documents / whole corpus) and PNG/CSV export."""

    scopeChanged = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Framing profile by outlet")
        self.chart = ProfileChart(self)
        self.scope = QComboBox(self)
        self.scope.addItem("Whole corpus", "corpus")
        self.scope.addItem("Documents open in the reader", "open")
        self.scope.setAccessibleName("Profile scope")
        self.status = QLabel(self)
        self.png_button = QPushButton("Export PNG…", self)
        self.csv_button = QPushButton("Export CSV…", self)
        close = QPushButton("Close", self)
        top = QHBoxLayout()
        top.addWidget(QLabel("Profile of:", self))
        top.addWidget(self.scope)
        top.addStretch(1)
        top.addWidget(self.status)
        bottom = QHBoxLayout()
        bottom.addWidget(QLabel("Spans per 1,000 words of article text (reader comments not counted).", self))
        bottom.addStretch(1)
        bottom.addWidget(self.png_button)
        bottom.addWidget(self.csv_button)
        bottom.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.chart, 1)
        layout.addLayout(bottom)
        self.scope.currentIndexChanged.connect(lambda _i: self.scopeChanged.emit(self.scope.currentData()))
        self.png_button.clicked.connect(self._export_png)
        self.csv_button.clicked.connect(self._export_csv)
        close.clicked.connect(self.close)
        self.resize(900, 540)

    def _export_png(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Export chart as PNG", "framing-profile.png", "PNG (*.png)")
        if path:
            self.status.setText("Saved." if self.chart.export_png(path) else "Could not save the image.")

    def _export_csv(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Export profile as CSV", "framing-profile.csv", "CSV (*.csv)")
        if path:
            try:
                self.chart.export_csv(path)
                self.status.setText("Saved.")
            except OSError as exc:
                self.status.setText(f"Could not save: {exc}")
