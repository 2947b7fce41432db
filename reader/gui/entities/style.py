"""How entity mentions look: one colour and one underline style per type, and the legend strip.

Colours are the Okabe-Ito palette (distinguishable with the common colour-vision deficiencies
and on a washed-out projector); each type also has its own underline style, so types stay
apart in grey-scale. Backgrounds are light tints; dark themes get brighter underlines.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QColor, QFont, QIcon, QPainter, QPaintEvent, QPen, QPixmap, QTextCharFormat
from PySide6.QtWidgets import QCheckBox, QGridLayout, QLabel, QSizePolicy, QWidget

from reader.gui.window.theme import Theme, readable_alpha

ENTITY_TYPES = ("person", "organisation", "place", "group", "event", "media")

#: type -> (light-theme colour, dark-theme colour, underline style, legend label)
STYLES: dict[str, tuple[str, str, QTextCharFormat.UnderlineStyle, str]] = {
    "person": ("#D55E00", "#FF8F4D", QTextCharFormat.UnderlineStyle.SingleUnderline, "Person"),
    "organisation": ("#0072B2", "#62B6F0", QTextCharFormat.UnderlineStyle.DashUnderline, "Organisation"),
    "place": ("#009E73", "#3DD6A8", QTextCharFormat.UnderlineStyle.DotLine, "Place"),
    "group": ("#CC79A7", "#E7A3CB", QTextCharFormat.UnderlineStyle.DashDotLine, "Group"),
    "event": ("#B8860B", "#F0C445", QTextCharFormat.UnderlineStyle.WaveUnderline, "Event"),
    "media": ("#3A8FC0", "#9AD8F8", QTextCharFormat.UnderlineStyle.DashDotDotLine, "Media"),
}

SHORT_LABELS = {"organisation": "Org."}


def type_color(etype: str, theme: Theme) -> QColor:
    light, dark, _style, _label = STYLES.get(etype, STYLES["group"])
    return QColor(dark if theme.is_dark else light)


def mention_format(etype: str, theme: Theme) -> QTextCharFormat:
    """Tinted background plus a coloured underline in the type's own style."""
    color = type_color(etype, theme)
    fmt = QTextCharFormat()
    tint = QColor(color)
    tint.setAlpha(readable_alpha(tint, 70 if theme.is_dark else 42, theme))
    fmt.setBackground(tint)
    fmt.setUnderlineStyle(STYLES.get(etype, STYLES["group"])[2])
    fmt.setUnderlineColor(color)
    return fmt


def selected_format(etype: str, theme: Theme) -> QTextCharFormat:
    """The clicked entity's mentions: a strong tint, bold, solid underline."""
    color = type_color(etype, theme)
    fmt = QTextCharFormat()
    tint = QColor(color)
    tint.setAlpha(readable_alpha(tint, 150 if theme.is_dark else 110, theme))
    fmt.setBackground(tint)
    fmt.setFontWeight(QFont.Weight.Bold)
    fmt.setUnderlineStyle(QTextCharFormat.UnderlineStyle.SingleUnderline)
    fmt.setUnderlineColor(color)
    return fmt


def paint_swatch(painter: QPainter, etype: str, theme: Theme, width: int, height: int) -> None:
    """Draw a type's sample (tint plus underline style) into a ``width`` x ``height`` box."""
    color = type_color(etype, theme)
    tint = QColor(color)
    tint.setAlpha(90 if theme.is_dark else 70)
    painter.fillRect(0, 1, width, height - 5, tint)
    pen = QPen(color, 2)
    style = STYLES[etype][2]
    pen.setStyle({
        QTextCharFormat.UnderlineStyle.DashUnderline: Qt.PenStyle.DashLine,
        QTextCharFormat.UnderlineStyle.DotLine: Qt.PenStyle.DotLine,
        QTextCharFormat.UnderlineStyle.DashDotLine: Qt.PenStyle.DashDotLine,
        QTextCharFormat.UnderlineStyle.DashDotDotLine: Qt.PenStyle.DashDotDotLine,
    }.get(style, Qt.PenStyle.SolidLine))
    painter.setPen(pen)
    y = height - 2
    if style == QTextCharFormat.UnderlineStyle.WaveUnderline:
        for x in range(0, width - 3, 4):
            painter.drawLine(x, y, x + 2, y - 2)
            painter.drawLine(x + 2, y - 2, x + 4, y)
    else:
        painter.drawLine(0, y, width, y)


def swatch_icon(etype: str, theme: Theme, width: int = 22, height: int = 14) -> QIcon:
    pixmap = QPixmap(width * 2, height * 2)
    pixmap.setDevicePixelRatio(2.0)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    paint_swatch(painter, etype, theme, width, height)
    painter.end()
    return QIcon(pixmap)


class Swatch(QWidget):
    """A small sample of a type's look: tint plus its underline style."""

    def __init__(self, etype: str, theme: Theme, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.etype = etype
        self.theme = theme
        self.setFixedSize(26, 16)

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        paint_swatch(painter, self.etype, self.theme, self.width(), self.height())
        painter.end()


class EntityLegend(QWidget):
    """The strip under a reader: one checkbox per type (its swatch, name and mention count)."""

    typeToggled = Signal(str, bool)

    def __init__(self, theme: Theme, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("entityLegend")
        self.setAccessibleName("Entity legend")
        self.grid = QGridLayout(self)
        self.grid.setContentsMargins(10, 2, 6, 3)
        self.grid.setHorizontalSpacing(6)
        self.grid.setVerticalSpacing(0)
        self.title = QLabel("Names:", self)
        self.title.setToolTip("Names highlighted by type; untick a type to hide it. Click a name to select it, "
                              "F3 / Shift+F3 step through its mentions.")
        self.checks: dict[str, QCheckBox] = {}
        for etype in ENTITY_TYPES:
            check = QCheckBox(SHORT_LABELS.get(etype, STYLES[etype][3]), self)
            check.setIcon(swatch_icon(etype, theme))
            check.setIconSize(QSize(22, 14))
            check.setChecked(True)
            check.setSizePolicy(QSizePolicy.Policy.Minimum, QSizePolicy.Policy.Fixed)
            check.setAccessibleName(f"Show {STYLES[etype][3].lower()} names")
            check.setToolTip(f"Show or hide {STYLES[etype][3].lower()} names")
            check.toggled.connect(lambda on, t=etype: self.typeToggled.emit(t, on))
            self.checks[etype] = check
        self.selected = QLabel(self)
        self.selected.setObjectName("entitySelected")
        self.selected.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.extra: list[QWidget] = []
        self._columns = 0
        self._arrange(len(ENTITY_TYPES))

    def add_trailing(self, widget: QWidget) -> None:
        """A widget kept at the end of the selection row (the clear button)."""
        self.extra.append(widget)
        self._arrange(self._columns, force=True)

    def _one_row_width(self) -> int:
        return (self.title.sizeHint().width() + sum(c.sizeHint().width() + 6 for c in self.checks.values())
                + 40)

    def _arrange(self, columns: int, force: bool = False) -> None:
        """Lay the type boxes out in one row, or two/three rows when the reader is narrow."""
        if columns == self._columns and not force:
            return
        self._columns = columns
        for i in reversed(range(self.grid.count())):
            self.grid.takeAt(i)
        self.grid.addWidget(self.title, 0, 0)
        for n, check in enumerate(self.checks.values()):
            self.grid.addWidget(check, n // columns, 1 + n % columns)
        rows = (len(self.checks) + columns - 1) // columns
        self.grid.setColumnStretch(columns + 1, 1)
        if columns == len(self.checks):
            self.grid.addWidget(self.selected, 0, columns + 1)
            for k, widget in enumerate(self.extra):
                self.grid.addWidget(widget, 0, columns + 2 + k)
        else:
            self.grid.addWidget(self.selected, rows, 0, 1, columns + 1)
            for k, widget in enumerate(self.extra):
                self.grid.addWidget(widget, rows, columns + 1 + k)

    def resizeEvent(self, event: Any) -> None:
        super().resizeEvent(event)
        width = self.width()
        full = self._one_row_width()
        columns = len(ENTITY_TYPES) if width >= full else 3 if width >= full * 0.55 else 2
        self._arrange(columns)

    def set_theme(self, theme: Theme) -> None:
        if theme is not getattr(self, "_theme", None):
            self._theme = theme
            for etype, check in self.checks.items():
                check.setIcon(swatch_icon(etype, theme))
        self.setStyleSheet(f"#entityLegend {{ border-top: 1px solid {theme.colors['border']}; }}")

    def set_counts(self, counts: dict[str, int]) -> None:
        for etype, check in self.checks.items():
            n = counts.get(etype, 0)
            label = STYLES[etype][3]
            check.setToolTip(f"{n} {label.lower()} mention{'s' if n != 1 else ''} in this document; "
                             "untick to hide them")

    def set_visible_types(self, shown: dict[str, bool]) -> None:
        for etype, check in self.checks.items():
            check.blockSignals(True)
            check.setChecked(shown.get(etype, True))
            check.blockSignals(False)
