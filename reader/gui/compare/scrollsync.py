"""Keep compare panes in step: aligned (sync point + chain anchors), proportional, or off.

Aligned mode follows Meld's idea of a *sync point*: a line of the viewport that is the
top at the start of a document, drifts to the middle over the first half screen and to
the bottom over the last half screen, so both ends of texts of different lengths can be
reached. The document position under that line is mapped to each neighbour by linear
interpolation between the alignment chain's anchors (in pixels of each laid-out text),
and the neighbour is scrolled so the mapped position sits on the same screen line.
Influence flows outward from the pane the user scrolls; a re-entrancy lock keeps the
programmatic scrolls from echoing back, so there is no feedback loop and no jitter.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, QPoint, Signal
from PySide6.QtWidgets import QWidget

from reader.core.align.chain import interpolate
from reader.core.align.model import Alignment
from reader.gui.reader.view import ReaderView

MODES = ("aligned", "entity", "proportional", "off")


def syncpoint(value: float, page: float, maximum: float) -> float:
    """Fraction of the viewport height (0 top .. 1 bottom) that is in step with the others."""
    if page <= 0:
        return 0.0
    half = page / 2.0
    point = 0.5 * min(value, half) / half
    remaining = maximum - value
    if remaining < half and maximum > 0:
        point = max(point, 1.0 - 0.5 * max(remaining, 0.0) / half)
    return min(1.0, max(0.0, point))


def offset_y(view: ReaderView, offset: int) -> float | None:
    """Document y (pixels) of a canonical offset in the article column; None if not there."""
    pane = view.article_pane
    if not (pane.start <= offset <= pane.end) or pane.end <= pane.start:
        return None
    qdoc = pane.widget.document()
    pos = pane.map.to_qt(offset)
    block = qdoc.findBlock(pos)
    if not block.isValid():
        return None
    rect = qdoc.documentLayout().blockBoundingRect(block)
    layout = block.layout()
    if layout is None:
        return rect.top()
    line = layout.lineForTextPosition(pos - block.position())
    return layout.position().y() + (line.y() if line.isValid() else 0.0)


def line_height(view: ReaderView) -> float:
    return view.text.fontMetrics().lineSpacing() * 1.5


class ScrollSync(QObject):
    """Scroll coupling for an ordered list of panes and the alignments of neighbours.

    ``alignment(i)`` is the alignment of pane ``i`` with pane ``i + 1``. ``reference`` is
    the widget whose coordinates define "the same screen line" (the compare view).
    """

    synced = Signal()

    def __init__(self, reference: QWidget, alignment: Callable[[int], Alignment | None]) -> None:
        super().__init__(reference)
        self.reference = reference
        self.alignment = alignment
        self.mode = "aligned"
        self.views: list[ReaderView] = []
        self._lock = False
        self._anchors: dict[int, list[tuple[float, float]]] = {}
        self._connected: set[int] = set()
        #: called after every invalidation (the connectors drop their cached geometry)
        self.on_invalidate: list[Callable[[], None]] = []

    # -- panes ----------------------------------------------------------------------
    def set_views(self, views: list[ReaderView]) -> None:
        self.views = list(views)
        self.invalidate()
        for view in self.views:
            if id(view) in self._connected:
                continue
            self._connected.add(id(view))
            bar = view.text.verticalScrollBar()
            bar.valueChanged.connect(lambda _v, v=view: self.on_scrolled(v))
            bar.rangeChanged.connect(lambda _a, _b: self.invalidate())
            key = id(view)
            view.destroyed.connect(lambda _o=None, k=key: self._connected.discard(k))

    def forget(self, view: ReaderView) -> None:
        self._connected.discard(id(view))

    def invalidate(self) -> None:
        """Layouts changed (resize, font, new document): anchors are recomputed on demand."""
        self._anchors.clear()
        for callback in self.on_invalidate:
            callback()

    def anchors(self, i: int) -> list[tuple[float, float]]:
        """Pixel anchors ``(y in pane i, y in pane i+1)``: chain pairs in both article columns."""
        if i in self._anchors:
            return self._anchors[i]
        left, right = self.views[i], self.views[i + 1]
        points: list[tuple[float, float]] = [(0.0, 0.0)]
        alignment = self.alignment(i)
        if alignment is not None and left.doc is not None and right.doc is not None:
            for pair in alignment.chain:
                for a_off, b_off in ((pair.a_start, pair.b_start), (pair.a_end, pair.b_end)):
                    ya, yb = offset_y(left, a_off), offset_y(right, b_off)
                    if ya is None or yb is None:
                        continue
                    if ya >= points[-1][0] and yb >= points[-1][1]:
                        points.append((ya, yb))
        end_a = left.text.document().size().height()
        end_b = right.text.document().size().height()
        if end_a >= points[-1][0] and end_b >= points[-1][1]:
            points.append((end_a, end_b))
        self._anchors[i] = points
        return points

    # -- geometry ---------------------------------------------------------------------
    def viewport_top(self, view: ReaderView) -> float:
        """Top of a pane's text viewport in the reference widget's coordinates."""
        return float(view.text.viewport().mapTo(self.reference, QPoint(0, 0)).y())

    def sync_line(self, view: ReaderView) -> tuple[float, float]:
        """(screen line in reference coordinates, document y under it) for a pane."""
        bar = view.text.verticalScrollBar()
        page = view.text.viewport().height()
        point = syncpoint(bar.value(), page, bar.maximum())
        return self.viewport_top(view) + point * page, bar.value() + point * page

    # -- scrolling ---------------------------------------------------------------------
    def on_scrolled(self, view: ReaderView) -> None:
        if self._lock or self.mode not in ("aligned", "proportional") or view not in self.views:
            self.synced.emit()
            return
        self._lock = True
        try:
            self.follow(self.views.index(view))
        finally:
            self._lock = False
        self.synced.emit()

    def follow(self, master: int) -> None:
        """Bring every other pane in step with pane ``master``."""
        if self.mode == "proportional":
            bar = self.views[master].text.verticalScrollBar()
            fraction = bar.value() / bar.maximum() if bar.maximum() > 0 else 0.0
            for k, view in enumerate(self.views):
                if k != master:
                    other = view.text.verticalScrollBar()
                    other.setValue(round(fraction * other.maximum()))
            return
        line, y = self.sync_line(self.views[master])
        y_right = y
        for k in range(master + 1, len(self.views)):
            y_right = interpolate(self.anchors(k - 1), y_right)
            self._place(self.views[k], y_right, line)
        y_left = y
        for k in range(master - 1, -1, -1):
            points = [(b, a) for a, b in self.anchors(k)]
            y_left = interpolate(points, y_left)
            self._place(self.views[k], y_left, line)

    def _place(self, view: ReaderView, doc_y: float, line: float) -> None:
        bar = view.text.verticalScrollBar()
        target = doc_y - (line - self.viewport_top(view))
        bar.setValue(round(min(max(target, bar.minimum()), bar.maximum())))

    def bring_level(self, i: int, y_left: float, y_right: float, fraction: float = 0.33) -> None:
        """Scroll panes ``i`` and ``i+1`` so the two document positions sit on one screen line."""
        left, right = self.views[i], self.views[i + 1]
        line = self.viewport_top(left) + fraction * left.text.viewport().height()
        self._lock = True
        try:
            # when one side cannot scroll that far (near a document's end), level on where it stopped
            self._place(left, y_left, line)
            actual = self.viewport_top(left) + y_left - left.text.verticalScrollBar().value()
            self._place(right, y_right, actual)
            actual_right = self.viewport_top(right) + y_right - right.text.verticalScrollBar().value()
            if abs(actual_right - actual) > 1:
                self._place(left, y_left, actual_right)
        finally:
            self._lock = False
        self.synced.emit()
