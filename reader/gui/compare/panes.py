"""The compare view's panes: 1 to 4 reader views side by side, opened, moved, closed, dragged in.

One of the compare view's four jobs (panes here; alignment in :mod:`.alignment`, the entity
lockstep in :mod:`.lockstep`, the toolbar and the wiring in :mod:`.view`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QEvent, QMimeData, QObject, Signal
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QHBoxLayout, QLabel, QToolButton, QVBoxLayout, QWidget

from reader.core.align.comparisons import MAX_PANES
from reader.core.errors import ReaderError
from reader.gui.reader.view import ReaderView

if TYPE_CHECKING:
    from reader.gui.compare.connectors import CompareSplitter, ConnectorHandle
    from reader.gui.compare.scrollsync import ScrollSync

DOC_MIME = "application/x-parallax-doc-id"


def doc_mime(doc_id: str) -> QMimeData:
    data = QMimeData()
    data.setData(DOC_MIME, doc_id.encode("utf-8"))
    data.setText(doc_id)
    return data


class PaneStrip(QWidget):
    """A thin bar above a pane: its outlet, and move / close buttons."""

    moveRequested = Signal(int)
    closeRequested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("paneStrip")
        self.setAutoFillBackground(True)
        self.label = QLabel(self)
        self.label.setObjectName("paneLabel")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(10, 2, 4, 2)
        layout.setSpacing(2)
        layout.addWidget(self.label, 1)
        self.buttons: list[QToolButton] = []
        for text, tip, slot in (("◀", "Move this pane left", lambda: self.moveRequested.emit(-1)),
                                ("▶", "Move this pane right", lambda: self.moveRequested.emit(+1)),
                                ("✕", "Close this pane (Ctrl+W)", self.closeRequested.emit)):
            button = QToolButton(self)
            button.setText(text)
            button.setToolTip(tip)
            button.setAccessibleName(tip)
            button.setAutoRaise(True)
            button.clicked.connect(slot)
            layout.addWidget(button)
            self.buttons.append(button)


class PaneFrame(QWidget):
    """One pane of the compare view: strip over a reader view."""

    def __init__(self, view: ReaderView, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.view = view
        self.strip = PaneStrip(self)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.strip)
        layout.addWidget(view, 1)
        self.setMinimumWidth(180)  # four panes and a dock still fit a 1280 px screen



if TYPE_CHECKING:
    _WidgetBase = QWidget  # the mixin is only ever part of the CompareView widget
else:
    _WidgetBase = object


class PaneManager(_WidgetBase):
    """The panes of the compare view (a mixin of :class:`~reader.gui.compare.view.CompareView`)."""

    window_: Any
    frames: list[PaneFrame]
    splitter: CompareSplitter
    sync: ScrollSync
    _active: ReaderView
    paneAdded: Any

    if TYPE_CHECKING:  # the other jobs' methods these call (defined by the other mixins / the view)
        def _on_panes_changed(self) -> None: ...
        def _update_chrome(self) -> None: ...
        def _mark_active(self) -> None: ...
        def _band_geometry(self, handle: ConnectorHandle) -> list[Any]: ...
        def _summary(self, handle: ConnectorHandle) -> str: ...
        def _on_pair_clicked(self, handle_index: int, pair_index: int) -> None: ...

    def views(self) -> list[ReaderView]:
        return [f.view for f in self.frames]

    def active_view(self) -> ReaderView:
        return self._active if self._active in self.views() else self.frames[0].view

    def set_active(self, view: ReaderView) -> None:
        """Make ``view`` the pane Find, Alt+\\ and Ctrl+W act on, and give it the keyboard."""
        if view in self.views():
            self._active = view
            self._mark_active()
            view.text.setFocus()

    def reshow(self, corpus: Any) -> None:
        """After a reload: every pane shows its document's new text, in the same order; a pane
        whose document is gone closes (the main reader empties instead)."""
        for view in list(self.views()):
            if view.doc is None:
                continue
            if view.doc.id in corpus:
                try:
                    view.show_document(corpus.document(view.doc.id))
                    continue
                except ReaderError as exc:
                    self.window_.notify(str(exc), 6000)
            if view is self.window_.reader and len(self.frames) == 1:
                view.clear()
            else:
                self.close_view(view)
        self._update_chrome()
        self._on_panes_changed()

    def _add_frame(self, view: ReaderView, index: int | None = None) -> PaneFrame:
        frame = PaneFrame(view, self)
        frame.strip.moveRequested.connect(lambda d, v=view: self.move_view(v, d))
        frame.strip.closeRequested.connect(lambda v=view: self.close_view(v))
        index = len(self.frames) if index is None else index
        self.frames.insert(index, frame)
        self.splitter.insertWidget(index, frame)
        view.documentShown.connect(lambda _id: self._on_panes_changed())
        for widget in (view.text, view.text.viewport(), view.comments_text.viewport()):
            widget.installEventFilter(self)
        self._install_handles()
        return frame

    def _install_handles(self) -> None:
        for handle in self.splitter.connector_handles():
            if handle.geometry_source is None:
                handle.geometry_source = self._band_geometry
                handle.summary = self._summary
                handle.pairClicked.connect(self._on_pair_clicked)

    def open_beside(self, doc_id: str, after: ReaderView | None = None) -> ReaderView | None:
        """Open a document in a new pane right of ``after`` (the active pane by default)."""
        window = self.window_
        if window.corpus is None:
            return None
        if len(self.frames) >= MAX_PANES:
            window.notify(f"At most {MAX_PANES} panes side by side; close one first.", 6000)
            return None
        try:
            doc = window.corpus.document(doc_id)
        except ReaderError as exc:
            window.notify(str(exc), 6000)
            return None
        shown = next((i for i, v in enumerate(self.views()) if v.doc is not None and v.doc.id == doc_id), -1)
        if shown >= 0:  # never a silent second copy: say so and go to the pane showing it
            view = self.views()[shown]
            self._active = view
            self._mark_active()
            view.text.setFocus()
            window.notify(
                f"“{doc.meta.title}” is already open (pane {shown + 1} of {len(self.frames)}).", 6000)
            return view
        anchor = after or self.active_view()
        if anchor.doc is None:  # the first pane is empty: fill it instead
            window.open_document(doc_id)
            return anchor
        view = ReaderView(window.theme, self)
        view.set_font(window.settings.get("reader.font_size"), window.settings.get("reader.font_family"))
        view.set_line_width(window.settings.get("reader.line_width"))
        index = self.views().index(anchor) + 1 if anchor in self.views() else len(self.frames)
        self._add_frame(view, index)
        window.readerViewAdded.emit(view)
        self.paneAdded.emit(view)
        view.show_document(doc)
        self._active = view
        self._even_sizes()
        self._update_chrome()
        self._on_panes_changed()
        return view

    def _even_sizes(self) -> None:
        total = max(1, self.splitter.width())
        self.splitter.setSizes([total // len(self.frames)] * len(self.frames))

    def close_view(self, view: ReaderView) -> None:
        """Close a pane; the window's main reader is never destroyed (it takes a neighbour's document)."""
        views = self.views()
        if view not in views or len(views) == 1:
            return
        main = self.window_.reader
        if view is main:
            k = views.index(main)
            donor = views[k + 1] if k + 1 < len(views) else views[k - 1]
            if donor.doc is not None:
                main.show_document(donor.doc)
            self._remove(donor)
            self._place_frame(main, min(k, len(self.frames) - 1))
        else:
            self._remove(view)
        self._active = main if self._active not in self.views() else self._active
        self._update_chrome()
        self._on_panes_changed()

    def close_all_but_main(self) -> None:
        for view in self.views():
            if view is not self.window_.reader:
                self._remove(view)
        self._update_chrome()
        self._on_panes_changed()

    def _remove(self, view: ReaderView) -> None:
        frame = next(f for f in self.frames if f.view is view)
        self.frames.remove(frame)
        self.sync.forget(view)
        frame.hide()
        frame.setParent(None)
        frame.deleteLater()

    def _place_frame(self, view: ReaderView, index: int) -> None:
        frame = next(f for f in self.frames if f.view is view)
        self.frames.remove(frame)
        self.frames.insert(index, frame)
        self.splitter.insertWidget(index, frame)
        self._install_handles()

    def move_view(self, view: ReaderView, delta: int) -> None:
        views = self.views()
        if view not in views:
            return
        k = views.index(view)
        target = k + delta
        if 0 <= target < len(views):
            self._place_frame(view, target)
            self._active = view
            self._mark_active()
            self._on_panes_changed()

    def swap_active(self) -> None:
        """Alt+\\: swap the active pane with its right neighbour (the left one for the last pane)."""
        views = self.views()
        view = self.active_view()
        k = views.index(view)
        self.move_view(view, +1 if k + 1 < len(views) else -1)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """A click or focus in a pane makes it the active one (Find, Alt+\\, Ctrl+W act on it)."""
        if event.type() in (QEvent.Type.FocusIn, QEvent.Type.MouseButtonPress) and isinstance(watched, QWidget):
            for frame in self.frames:
                if frame.isAncestorOf(watched) and self._active is not frame.view:
                    self._active = frame.view
                    self._mark_active()
                    break
        return False

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if event.mimeData().hasFormat(DOC_MIME):
            event.acceptProposedAction()

    def dragMoveEvent(self, event: Any) -> None:
        if event.mimeData().hasFormat(DOC_MIME):
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        doc_id = bytes(event.mimeData().data(DOC_MIME).data()).decode("utf-8")
        pos = event.position().toPoint()
        target = next((f.view for f in self.frames
                       if f.geometry().contains(self.splitter.mapFrom(self, pos))), None)
        if doc_id:
            event.acceptProposedAction()
            self.open_beside(doc_id, after=target)
