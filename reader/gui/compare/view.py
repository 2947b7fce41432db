"""The compare view: 1 to 4 reader panes side by side, kept in step, joined by connectors.

With one pane it is the plain reader (no toolbar, no strip). Every pane is a
:class:`ReaderView`, so features that decorate reader views (entities, notes, framing)
decorate compare panes too: the window emits ``readerViewAdded`` for each new pane.
"""

from __future__ import annotations

import contextlib
from typing import Any

from PySide6.QtCore import QEvent, QMimeData, QObject, QPoint, Qt, Signal
from PySide6.QtGui import QAction, QColor, QDragEnterEvent, QDropEvent, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QToolBar,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from reader.core.align import Aligner, Alignment
from reader.core.align.comparisons import MAX_PANES
from reader.core.align.mentions import EntityMentions, NameMentions, entity_service, mentions_of
from reader.core.align.model import KINDS, WEAK_SCORE, is_weak
from reader.core.align.worddiff import pair_word_diff
from reader.core.errors import ReaderError
from reader.core.keymap import WORD_DIFF_KEY
from reader.gui.compare.connectors import KIND_COLORS, KIND_LABELS, CompareSplitter, ConnectorHandle, kind_color
from reader.gui.compare.scrollsync import MODES, ScrollSync, offset_y
from reader.gui.reader.layers import Layer, LayerSpan, background_format
from reader.gui.reader.view import ReaderView

DOC_MIME = "application/x-parallax-doc-id"
MODE_LABELS = {"aligned": "Aligned", "entity": "Entity lockstep", "proportional": "Proportional", "off": "Off"}


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
            button = QToolButton(self, text=text, toolTip=tip)
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


class CompareView(QWidget):
    """Panes in a connector splitter, a sync toolbar, and the actions that drive them."""

    paneAdded = Signal(object)
    panesChanged = Signal()

    def __init__(self, window: Any, main_view: ReaderView) -> None:
        super().__init__(window)
        self.window_ = window
        self.setAcceptDrops(True)
        self.toolbar = QToolBar("Compare", self)
        self.toolbar.setObjectName("compareToolbar")
        self.splitter = CompareSplitter(self)
        self.splitter.setObjectName("compareSplitter")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.toolbar)
        layout.addWidget(self.splitter, 1)
        self.frames: list[PaneFrame] = []
        self._active: ReaderView = main_view
        self._aligner: Aligner | None = None
        self._alignments: dict[tuple[str, str], Alignment] = {}
        self._band_cache: dict[int, list[tuple[int, Any, float, float, float, float]]] = {}
        self._pair_index: dict[int, int] = {}
        self.entity_id = ""
        self.show_weak = False  # weak similar pairs (score < WEAK_SCORE) are not drawn by default
        self.word_diffs = False  # mark the differing words inside quote / similar pairs
        self._entity_pos: dict[int, int] = {}
        self._mention_source: EntityMentions | NameMentions | None = None
        self.sync = ScrollSync(self, self.alignment_at)
        self.sync.on_invalidate.append(self._band_cache.clear)
        self.sync.synced.connect(self._repaint_gutters)
        self.splitter.splitterMoved.connect(lambda *_: self.sync.invalidate())
        self._build_toolbar()
        self._add_frame(main_view)
        self.set_mode(str(window.settings.get("compare.sync")), save=False)
        self.entity_id = str(window.settings.get("compare.entity") or "")
        self._update_chrome()

    # -- toolbar --------------------------------------------------------------------
    def _build_toolbar(self) -> None:
        bar = self.toolbar
        bar.addWidget(QLabel(" Sync: ", self))
        self.mode_combo = QComboBox(self)
        self.mode_combo.setAccessibleName("Sync mode")
        for mode in MODES:
            self.mode_combo.addItem(MODE_LABELS[mode], mode)
        self.mode_combo.setToolTip("How the panes scroll together (remembered)")
        self.mode_combo.activated.connect(lambda i: self.set_mode(str(self.mode_combo.itemData(i))))
        bar.addWidget(self.mode_combo)
        self.entity_combo = QComboBox(self)
        self.entity_combo.setEditable(True)
        self.entity_combo.setMinimumContentsLength(14)
        self.entity_combo.setAccessibleName("Entity to follow")
        self.entity_combo.setToolTip("The entity every pane follows; Next / Previous move to its mentions")
        self.entity_combo.activated.connect(lambda i: self.set_entity(str(self.entity_combo.itemData(i)
                                                                          or self.entity_combo.itemText(i))))
        self.entity_combo.lineEdit().returnPressed.connect(
            lambda: self.set_entity(self.entity_combo.currentText().strip().lower().replace(" ", "-")))
        self.act_entity_prev = QAction("◀ Previous", self, toolTip="Every pane to its previous mention (Shift+F7)")
        self.act_entity_prev.setShortcut(QKeySequence("Shift+F7"))
        self.act_entity_prev.triggered.connect(lambda: self.step_entity(-1))
        self.act_entity_next = QAction("Next ▶", self, toolTip="Every pane to its next mention (F7)")
        self.act_entity_next.setShortcut(QKeySequence("F7"))
        self.act_entity_next.triggered.connect(lambda: self.step_entity(+1))
        self.entity_widgets = [bar.addWidget(self.entity_combo), self.act_entity_prev, self.act_entity_next]
        bar.addAction(self.act_entity_prev)
        bar.addAction(self.act_entity_next)
        bar.addSeparator()
        self.act_pair_prev = QAction("↑ Pair", self, toolTip="Previous aligned pair (Alt+Up)")
        self.act_pair_prev.setShortcut(QKeySequence("Alt+Up"))
        self.act_pair_prev.triggered.connect(lambda: self.step_pair(-1))
        self.act_pair_next = QAction("↓ Pair", self, toolTip="Next aligned pair (Alt+Down)")
        self.act_pair_next.setShortcut(QKeySequence("Alt+Down"))
        self.act_pair_next.triggered.connect(lambda: self.step_pair(+1))
        bar.addAction(self.act_pair_prev)
        bar.addAction(self.act_pair_next)
        bar.addSeparator()
        self.act_word_diff = QAction("Word &Differences", self, checkable=True)
        self.act_word_diff.setShortcut(QKeySequence(WORD_DIFF_KEY))
        self.act_word_diff.setToolTip(f"Mark the words that differ inside aligned quotations and similar passages "
                                      f"({WORD_DIFF_KEY})")
        self.act_word_diff.setIconText("Word diffs")
        self.act_word_diff.toggled.connect(self.set_word_diffs)
        bar.addAction(self.act_word_diff)
        self.act_weak = QAction("Show &Weak Pairs", self, checkable=True)
        self.act_weak.setToolTip(f"Also draw similar passages scoring below {WEAK_SCORE:.2f} (a few shared words)")
        self.act_weak.toggled.connect(self.set_show_weak)
        bar.addSeparator()
        self.legend = QLabel(self)
        self.legend.setObjectName("connectorLegend")
        self.legend.setTextFormat(Qt.TextFormat.RichText)
        self.legend.setAccessibleName("Connector legend")
        self.legend.setText(connector_legend())
        self.legend.setToolTip("Bands between panes join passages the texts share. Colour: the kind of match; "
                               "stronger colour: a closer match; solid outline: in the same order in both texts "
                               "(scrolling follows these); dashed: told in a different order. Click a band to bring "
                               "both passages level.")
        bar.addWidget(self.legend)
        bar.addSeparator()
        self.coverage_label = QLabel(self)
        self.coverage_label.setObjectName("coverageLabel")
        bar.addWidget(self.coverage_label)

    def _update_chrome(self) -> None:
        multi = len(self.frames) > 1
        self.toolbar.setVisible(multi)
        for frame in self.frames:
            frame.strip.setVisible(multi)
            frame.view.set_compact(multi)
            for button in frame.strip.buttons:
                button.setVisible(not getattr(self, "presenting", False))
            frame.view.set_comments_visible(not multi)
        entity_mode = self.sync.mode == "entity"
        for widget in self.entity_widgets:
            widget.setVisible(entity_mode)
        self._mark_active()

    def set_presenting(self, on: bool) -> None:
        """While presenting, pane strips show only the outlet: no move / close buttons for the room."""
        self.presenting = on
        for frame in self.frames:
            for button in frame.strip.buttons:
                button.setVisible(not on)

    def _mark_active(self) -> None:
        theme = self.window_.theme
        for frame in self.frames:
            doc = frame.view.doc
            active = frame.view is self._active and len(self.frames) > 1
            outlet = (doc.meta.outlet or doc.id) if doc else "(empty)"
            frame.strip.label.setText(f"<b>{_esc(outlet)}</b>")
            color = theme.colors["accent"] if active else theme.colors["border"]
            frame.strip.setStyleSheet(f"#paneStrip {{ border-top: 3px solid {color}; }}")

    # -- panes ----------------------------------------------------------------------
    def views(self) -> list[ReaderView]:
        return [f.view for f in self.frames]

    def active_view(self) -> ReaderView:
        return self._active if self._active in self.views() else self.frames[0].view

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
            window.statusBar().showMessage(f"At most {MAX_PANES} panes side by side; close one first.", 6000)
            return None
        try:
            doc = window.corpus.document(doc_id)
        except ReaderError as exc:
            window.statusBar().showMessage(str(exc), 6000)
            return None
        shown = next((i for i, v in enumerate(self.views()) if v.doc is not None and v.doc.id == doc_id), -1)
        if shown >= 0:  # never a silent second copy: say so and go to the pane showing it
            view = self.views()[shown]
            self._active = view
            self._mark_active()
            view.text.setFocus()
            window.statusBar().showMessage(
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

    # -- alignment ------------------------------------------------------------------
    def aligner(self) -> Aligner | None:
        if self._aligner is None and self.window_.corpus is not None:
            self._aligner = Aligner.for_context(self.window_.ctx)
        return self._aligner

    def reset_corpus(self) -> None:
        self._aligner = None
        self._alignments.clear()
        self._mention_source = None

    def alignment_at(self, i: int) -> Alignment | None:
        views = self.views()
        if i + 1 >= len(views):
            return None
        a, b = views[i].doc, views[i + 1].doc
        aligner = self.aligner()
        if a is None or b is None or aligner is None:
            return None
        key = (a.content_hash, b.content_hash)
        if key not in self._alignments:
            try:
                self._alignments[key] = aligner.align(a, b)
            except (ReaderError, OSError) as exc:
                self.window_.statusBar().showMessage(f"Could not align: {exc}", 8000)
                return None
        return self._alignments[key]

    def _on_panes_changed(self) -> None:
        self.sync.set_views(self.views())
        self._pair_index.clear()
        if len(self.frames) > 1:
            self._apply_alignment_layers()
            if self.sync.mode == "entity" and self.entity_id:
                self._apply_entity_layer()
        else:
            for view in self.views():
                view.remove_layer("align")
                view.remove_layer("lockstep")
        self._update_coverage()
        self._mark_active()
        self._repaint_gutters()
        self.panesChanged.emit()

    def _apply_alignment_layers(self) -> None:
        views = self.views()
        spans: dict[int, list[LayerSpan]] = {id(v): [] for v in views}
        for i in range(len(views) - 1):
            alignment = self.alignment_at(i)
            if alignment is None:
                continue
            left, right = views[i], views[i + 1]
            for pair in self.shown_pairs(alignment):
                label = f"{KIND_LABELS.get(pair.kind, pair.kind)} · score {pair.score:.2f}"
                spans[id(left)].append(LayerSpan(pair.a_start, pair.a_end, pair.kind,
                                                 f"{label} · with {_outlet(right)}"))
                spans[id(right)].append(LayerSpan(pair.b_start, pair.b_end, pair.kind,
                                                  f"{label} · with {_outlet(left)}"))
        fmt = background_format(QColor(kind_color("similar", 0.0, base_alpha=26, span=0)))
        for view in views:
            view.set_layer(Layer("align", sorted(spans[id(view)], key=lambda s: s.start), fmt, z=-10))
        self._apply_word_diffs()

    def shown_pairs(self, alignment: Alignment) -> list[Any]:
        return [p for p in alignment.pairs if self.show_weak or not is_weak(p)]

    def set_show_weak(self, on: bool) -> None:
        self.show_weak = on
        if self.act_weak.isChecked() != on:
            self.act_weak.setChecked(on)
        self._band_cache.clear()
        self._on_panes_changed()

    def set_word_diffs(self, on: bool) -> None:
        self.word_diffs = on
        if self.act_word_diff.isChecked() != on:
            self.act_word_diff.setChecked(on)
        self._apply_word_diffs()
        if on and len(self.frames) < 2:
            self.window_.statusBar().showMessage("Word differences need two panes side by side.", 5000)

    def _apply_word_diffs(self) -> None:
        """Differing words of every shown quote / similar pair between neighbours, in both panes."""
        views = self.views()
        spans: dict[int, list[LayerSpan]] = {id(v): [] for v in views}
        if self.word_diffs and len(views) > 1:
            for i in range(len(views) - 1):
                alignment = self.alignment_at(i)
                left, right = views[i], views[i + 1]
                if alignment is None or left.doc is None or right.doc is None:
                    continue
                for pair in self.shown_pairs(alignment):
                    diff = pair_word_diff(left.doc.text, right.doc.text, pair)
                    tip = f"Worded differently in {_outlet(right)}"
                    spans[id(left)] += [LayerSpan(a, b, pair.kind, tip) for a, b in diff.a_spans]
                    tip = f"Worded differently in {_outlet(left)}"
                    spans[id(right)] += [LayerSpan(a, b, pair.kind, tip) for a, b in diff.b_spans]
        fmt = word_diff_format(self.window_.theme)
        for view in views:
            if spans[id(view)]:
                view.set_layer(Layer("worddiff", sorted(spans[id(view)], key=lambda s: s.start), fmt, z=30))
            else:
                view.remove_layer("worddiff")

    def _update_coverage(self) -> None:
        views = self.views()
        parts = []
        for i in range(len(views) - 1):
            alignment = self.alignment_at(i)
            if alignment is not None:
                parts.append(f"{_outlet(views[i])} {alignment.coverage_a:.0%} ↔ {alignment.coverage_b:.0%} "
                             f"{_outlet(views[i + 1])}")
        short = [f"{a.coverage_a:.0%} ↔ {a.coverage_b:.0%}" for a in
                 (self.alignment_at(i) for i in range(len(views) - 1)) if a is not None]
        self.coverage_label.setText(("Shared text: " + "  ·  ".join(short)) if short else "")
        self.coverage_label.setToolTip(
            "Shared text: the share of each article that has a counterpart (a shared quotation, a verbatim run "
            "or a similar passage) in the pane beside it. 16% ↔ 13% means 16% of the left text and 13% of the "
            "right text are matched.\n" + "\n".join(parts))

    def _summary(self, handle: ConnectorHandle) -> str:
        i = self.splitter.indexOf(handle) - 1
        alignment = self.alignment_at(i)
        if alignment is None:
            return ""
        views = self.views()
        return (f"{len(alignment.pairs)} aligned pairs ({len(alignment.chain)} in order)\n"
                f"{alignment.coverage_a:.0%} of {_outlet(views[i])} and {alignment.coverage_b:.0%} of "
                f"{_outlet(views[i + 1])} have a counterpart in the other")

    def _band_geometry(self, handle: ConnectorHandle) -> list[tuple[int, Any, float, float, float, float]]:
        i = self.splitter.indexOf(handle) - 1
        views = self.views()
        if i < 0 or i + 1 >= len(views):
            return []
        if i not in self._band_cache:
            alignment = self.alignment_at(i)
            items = []
            if alignment is not None:
                left, right = views[i], views[i + 1]
                for k, pair in enumerate(alignment.pairs):
                    if is_weak(pair) and not self.show_weak:
                        continue
                    ya0, ya1 = offset_y(left, pair.a_start), _end_y(left, pair.a_end)
                    yb0, yb1 = offset_y(right, pair.b_start), _end_y(right, pair.b_end)
                    if None in (ya0, ya1, yb0, yb1):
                        continue
                    items.append((k, pair, ya0, ya1, yb0, yb1))
            self._band_cache[i] = items  # type: ignore[assignment]
        left, right = views[i], views[i + 1]
        top_a = left.text.viewport().mapTo(self.splitter, QPoint(0, 0)).y() - handle.y()
        top_b = right.text.viewport().mapTo(self.splitter, QPoint(0, 0)).y() - handle.y()
        da = top_a - left.text.verticalScrollBar().value()
        db = top_b - right.text.verticalScrollBar().value()
        handle.clip = (float(min(top_a, top_b)), float(handle.height()))
        handle.current = self._pair_index.get(i, -1)
        return [(k, p, y0a + da, y1a + da, y0b + db, y1b + db) for k, p, y0a, y1a, y0b, y1b in self._band_cache[i]]

    def _repaint_gutters(self) -> None:
        for handle in self.splitter.connector_handles():
            handle.update()

    def _on_pair_clicked(self, handle_index: int, pair_index: int) -> None:
        self.bring_pair_level(handle_index - 1, pair_index)

    def bring_pair_level(self, i: int, pair_index: int) -> None:
        alignment = self.alignment_at(i)
        views = self.views()
        if alignment is None or not 0 <= pair_index < len(alignment.pairs):
            return
        pair = alignment.pairs[pair_index]
        ya, yb = offset_y(views[i], pair.a_start), offset_y(views[i + 1], pair.b_start)
        self._pair_index[i] = pair_index
        if ya is None or yb is None:
            views[i].scroll_to_offset(pair.a_start)
            views[i + 1].scroll_to_offset(pair.b_start)
        else:
            self.sync.bring_level(i, ya, yb)
        self._repaint_gutters()

    def step_pair(self, step: int) -> None:
        """Alt+Down / Alt+Up: the next or previous pair between the active pane and its neighbour."""
        views = self.views()
        if len(views) < 2:
            return
        k = views.index(self.active_view())
        i = k if k + 1 < len(views) else k - 1
        alignment = self.alignment_at(i)
        if alignment is None or not alignment.pairs:
            return
        shown = [k for k, p in enumerate(alignment.pairs) if self.show_weak or not is_weak(p)]
        if not shown:
            return
        current = self._pair_index.get(i, -1 if step > 0 else len(alignment.pairs))
        later = [k for k in shown if (k > current if step > 0 else k < current)]
        target = (later[0] if step > 0 else later[-1]) if later else (shown[-1] if step > 0 else shown[0])
        self.bring_pair_level(i, target)

    # -- start options (--sync, --focus) --------------------------------------------------
    def apply_start_options(self, sync: str | None, focus: str | None) -> None:
        """Apply ``--sync`` / ``--focus`` once the corpus and the panes are there."""
        self._start_options = (sync, focus)
        self.window_.corpusLoaded.connect(self._on_start_loaded)

    def _on_start_loaded(self) -> None:
        with contextlib.suppress(RuntimeError, TypeError):
            self.window_.corpusLoaded.disconnect(self._on_start_loaded)
        sync, focus = getattr(self, "_start_options", (None, None))
        if sync:
            self.set_mode(sync, save=False)
        if focus:
            self.set_entity(focus, save=False)

    def settle(self) -> None:
        """Let layouts finish, then redo the entity positions (used before a screenshot)."""
        app = QApplication.instance()
        for _ in range(3):
            if app is not None:
                app.processEvents()
        if self.entity_id and self.sync.mode == "entity" and len(self.frames) > 1:
            self._entity_pos = {}
            self.step_entity(+1)
        self.sync.invalidate()
        self._repaint_gutters()
        if app is not None:
            app.processEvents()

    # -- sync modes -------------------------------------------------------------------
    def set_mode(self, mode: str, *, save: bool = True) -> None:
        if mode not in MODES:
            mode = "aligned"
        self.sync.mode = mode
        self.mode_combo.setCurrentIndex(MODES.index(mode))
        if save:
            with contextlib.suppress(ReaderError):
                self.window_.settings.set("compare.sync", mode, save=self.window_.persist)
        if mode == "entity":
            self._fill_entities()
            if self.entity_id:
                self._apply_entity_layer()
        else:
            for view in self.views():
                view.remove_layer("lockstep")
        self._update_chrome()
        if mode in ("aligned", "proportional") and len(self.frames) > 1:
            self.sync.on_scrolled(self.active_view())

    def mention_source(self) -> EntityMentions | NameMentions | None:
        if self._mention_source is None and self.window_.corpus is not None:
            self._mention_source = entity_service(self.window_.ctx)
        return self._mention_source

    def _source_for(self, entity_id: str) -> EntityMentions | NameMentions:
        service = self.mention_source()
        if service is not None:
            with contextlib.suppress(ReaderError, KeyError, LookupError, AttributeError):
                if service.service.entity(entity_id) is not None:
                    return service
        return NameMentions(entity_id)

    def _fill_entities(self) -> None:
        combo = self.entity_combo
        combo.clear()
        service = self.mention_source()
        counts: dict[str, int] = {}
        if service is not None:
            for view in self.views():
                if view.doc is not None:
                    with contextlib.suppress(ReaderError):
                        for _s, _e, eid in service.mentions(view.doc):
                            counts[eid] = counts.get(eid, 0) + 1
        for eid in sorted(counts, key=lambda e: -counts[e])[:200]:
            combo.addItem(f"{service.label(eid) if service else eid} ({counts[eid]})", eid)
        if self.entity_id and combo.findData(self.entity_id) < 0:
            combo.insertItem(0, NameMentions(self.entity_id).label(self.entity_id), self.entity_id)
        if self.entity_id:
            combo.setCurrentIndex(combo.findData(self.entity_id))

    def set_entity(self, entity_id: str, *, go_first: bool = True, save: bool = True) -> None:
        """Follow ``entity_id``; every pane goes to its first mention."""
        if not entity_id:
            return
        self.entity_id = entity_id
        with contextlib.suppress(ReaderError):
            self.window_.settings.set("compare.entity", entity_id, save=save and self.window_.persist)
        if self.sync.mode == "entity":
            self._fill_entities()
        self._apply_entity_layer()
        self._entity_pos = {}
        if go_first:
            self.step_entity(+1)

    def entity_mentions(self, view: ReaderView) -> list[tuple[int, int]]:
        if view.doc is None or not self.entity_id:
            return []
        return mentions_of(self._source_for(self.entity_id), view.doc, self.entity_id)

    def _apply_entity_layer(self) -> None:
        fmt = background_format(QColor(255, 196, 61, 150))
        fmt.setFontUnderline(True)
        for view in self.views():
            spans = [LayerSpan(s, e, self.entity_id, f"Followed entity: {self.entity_id}")
                     for s, e in self.entity_mentions(view)]
            view.set_layer(Layer("lockstep", spans, fmt, z=50))

    def step_entity(self, step: int) -> None:
        """Move every pane to its next (+1) or previous (-1) mention of the followed entity."""
        if not self.entity_id:
            self.window_.statusBar().showMessage("Choose an entity to follow first.", 4000)
            return
        missing = []
        for view in self.views():
            spans = self.entity_mentions(view)
            if not spans:
                missing.append(_outlet(view))
                continue
            current = self._entity_pos.get(id(view), -1)
            k = max(0, min(len(spans) - 1, current + step))
            self._entity_pos[id(view)] = k
            start, end = spans[k]
            view.select_range(start, end)
        if missing:
            self.window_.statusBar().showMessage(f"Not mentioned in: {', '.join(missing)}", 6000)


#: the legend's short words for each kind (the tooltips and the guide use KIND_LABELS in full)
LEGEND_WORDS = {"quote": "quotation", "verbatim": "verbatim", "similar": "similar"}


def connector_legend() -> str:
    """The toolbar legend: one swatch per connector kind, in the colours the bands use."""
    items = [f"<span style='color:{KIND_COLORS[k]}; font-size:large;'>■</span>&nbsp;{LEGEND_WORDS[k]}" for k in KINDS]
    return "&nbsp;&nbsp;".join(items)


def word_diff_format(theme: Any) -> Any:
    """Differing words: a warm tint and a thick underline, readable on every theme."""
    from PySide6.QtGui import QTextCharFormat

    from reader.gui.window.theme import readable_alpha

    tint = QColor("#e07b24")
    tint.setAlpha(readable_alpha(tint, 110, theme))
    fmt = QTextCharFormat()
    fmt.setBackground(tint)
    fmt.setUnderlineStyle(QTextCharFormat.UnderlineStyle.SingleUnderline)
    fmt.setUnderlineColor(QColor("#e07b24"))
    return fmt


def _end_y(view: ReaderView, offset: int) -> float | None:
    """Bottom of the line holding the last character of a span."""
    y = offset_y(view, max(0, offset - 1))
    return None if y is None else y + view.text.fontMetrics().lineSpacing() * 1.4


def _outlet(view: ReaderView) -> str:
    if view.doc is None:
        return "(empty)"
    return view.doc.meta.outlet or view.doc.id


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
