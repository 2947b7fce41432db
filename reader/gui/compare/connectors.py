"""Connectors: curved bands in the gutter between two panes joining aligned passages.

Each visible pair is a filled shape, as in Meld: a cubic Bézier from the left passage's
top to the right passage's top (control points at the gutter's middle), down the right
edge, and a Bézier back to the left passage's bottom. Colour says the kind, opacity the
score; chain pairs (the ones scrolling follows) get a solid outline. Only pairs with an
end in view are drawn. The gutter is the splitter handle, so it still resizes the panes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import QPoint, QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QMouseEvent, QPainter, QPainterPath, QPaintEvent, QPen
from PySide6.QtWidgets import QSplitter, QSplitterHandle, QToolTip, QWidget

from reader.core.align.model import QUOTE, SIMILAR, VERBATIM, Pair

KIND_COLORS = {QUOTE: "#e07b24", VERBATIM: "#9b59d0", SIMILAR: "#3d86c6"}
KIND_LABELS = {QUOTE: "shared quotation", VERBATIM: "verbatim run", SIMILAR: "similar passage"}


def kind_color(kind: str, score: float = 1.0, *, base_alpha: int = 45, span: int = 150) -> QColor:
    color = QColor(KIND_COLORS.get(kind, "#888888"))
    color.setAlpha(max(0, min(255, base_alpha + round(span * max(0.0, min(1.0, score))))))
    return color


@dataclass
class Band:
    """One drawn connector: its pair, index in the alignment and shape in handle coordinates."""

    index: int
    pair: Pair
    path: QPainterPath


class ConnectorHandle(QSplitterHandle):
    """A splitter handle that draws the connectors between its two neighbouring panes."""

    pairClicked = Signal(int, int)  # (handle index, pair index)

    def __init__(self, orientation: Qt.Orientation, parent: QSplitter) -> None:
        super().__init__(orientation, parent)
        self.setMouseTracking(True)
        self.bands: list[Band] = []
        self.current: int = -1
        #: set by the compare view: (handle index) -> [(pair index, pair, y0a, y1a, y0b, y1b)] in handle coords
        self.geometry_source: Callable[[ConnectorHandle], list[tuple[int, Pair, float, float, float, float]]] | None \
            = None
        self.summary: Callable[[ConnectorHandle], str] | None = None
        #: vertical range where the panes show text (set by the geometry source); bands are clipped to it
        self.clip: tuple[float, float] | None = None

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        w, h = float(self.width()), float(self.height())
        painter.fillRect(self.rect(), self.palette().window())
        self.bands = []
        items = self.geometry_source(self) if self.geometry_source else []
        if self.clip is not None:
            painter.setClipRect(QRectF(0.0, self.clip[0], w, max(0.0, self.clip[1] - self.clip[0])))
        for index, pair, y0a, y1a, y0b, y1b in items:
            if (y1a < 0 and y1b < 0) or (y0a > h and y0b > h):
                continue
            top = self.clip[0] if self.clip else 0.0
            if not pair.in_chain and not (y1a > top and y0a < h and y1b > top and y0b < h):
                continue  # a crossing pair is drawn only when both of its passages are in view
            path = band_path(w, y0a, y1a, y0b, y1b)
            self.bands.append(Band(index, pair, path))
            painter.fillPath(path, kind_color(pair.kind, pair.score))
            pen = QPen(kind_color(pair.kind, 1.0, base_alpha=200, span=0))
            pen.setWidthF(2.0 if index == self.current else 1.0)
            if not pair.in_chain:
                pen.setStyle(Qt.PenStyle.DashLine)
            painter.setPen(pen)
            painter.drawPath(path)
        painter.setClipping(False)
        painter.setPen(QPen(self.palette().mid().color()))
        painter.drawLine(QPointF(0.5, 0), QPointF(0.5, h))
        painter.drawLine(QPointF(w - 0.5, 0), QPointF(w - 0.5, h))
        painter.end()

    def band_at(self, pos: QPoint) -> Band | None:
        point = QPointF(pos)
        for band in reversed(self.bands):
            if band.path.contains(point):
                return band
        return None

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        band = self.band_at(event.position().toPoint())
        if band is not None and not event.buttons():
            self.setCursor(Qt.CursorShape.PointingHandCursor)
            pair = band.pair
            chain = "" if pair.in_chain else "\n(told in a different order: not used for scrolling)"
            shared = f"\nshared entities: {', '.join(pair.entities)}" if pair.entities else ""
            QToolTip.showText(event.globalPosition().toPoint(),
                              f"{KIND_LABELS.get(pair.kind, pair.kind)} · score {pair.score:.2f}{shared}{chain}"
                              "\nClick to bring both passages level", self)
            return
        if not event.buttons():
            self.setCursor(Qt.CursorShape.SplitHCursor)
            if self.summary is not None:
                QToolTip.showText(event.globalPosition().toPoint(), self.summary(self), self)
        super().mouseMoveEvent(event)

    def mousePressEvent(self, event: QMouseEvent) -> None:
        band = self.band_at(event.position().toPoint())
        if band is not None and event.button() == Qt.MouseButton.LeftButton:
            splitter = self.splitter()
            self.pairClicked.emit(splitter.indexOf(self), band.index)
            event.accept()
            return
        super().mousePressEvent(event)


def band_path(w: float, y0a: float, y1a: float, y0b: float, y1b: float) -> QPainterPath:
    """The filled connector shape between ``[y0a, y1a]`` on the left and ``[y0b, y1b]`` on the right."""
    y1a = max(y1a, y0a + 2.0)
    y1b = max(y1b, y0b + 2.0)
    mid = w / 2.0
    path = QPainterPath(QPointF(0.0, y0a))
    path.cubicTo(QPointF(mid, y0a), QPointF(mid, y0b), QPointF(w, y0b))
    path.lineTo(QPointF(w, y1b))
    path.cubicTo(QPointF(mid, y1b), QPointF(mid, y1a), QPointF(0.0, y1a))
    path.closeSubpath()
    return path


class CompareSplitter(QSplitter):
    """A horizontal splitter whose handles are connector gutters."""

    handleCreated = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(Qt.Orientation.Horizontal, parent)
        self.setHandleWidth(46)
        self.setChildrenCollapsible(False)
        self.setOpaqueResize(True)

    def createHandle(self) -> QSplitterHandle:
        handle = ConnectorHandle(self.orientation(), self)
        self.handleCreated.emit(handle)
        return handle

    def connector_handles(self) -> list[ConnectorHandle]:
        """Handles between neighbouring panes, left to right (handle(0) is never shown)."""
        out = []
        for i in range(1, self.count()):
            handle = self.handle(i)
            if isinstance(handle, ConnectorHandle):
                out.append(handle)
        return out


def visible(rect: QRectF, y0: float, y1: float) -> bool:
    return y1 >= rect.top() and y0 <= rect.bottom()
