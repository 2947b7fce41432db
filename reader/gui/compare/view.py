"""The compare view: 1 to 4 reader panes side by side, kept in step, joined by connectors.

Split by its four jobs: the panes (:mod:`.panes`), their alignment and connector bands
(:mod:`.alignment`), the entity lockstep (:mod:`.lockstep`), and here the toolbar, the chrome
and the wiring to the window and the session's events.

With one pane it is the plain reader (no toolbar, no strip). Every pane is a
:class:`ReaderView`, so features that decorate reader views (entities, notes, framing)
decorate compare panes too: the window emits ``readerViewAdded`` for each new pane.
"""

from __future__ import annotations

import contextlib
import logging
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QLabel,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from reader.core import sync_modes
from reader.core.align import Aligner, Alignment
from reader.core.align.mentions import EntityMentions, NameMentions
from reader.core.align.model import WEAK_SCORE
from reader.core.keymap import WORD_DIFF_KEY
from reader.gui.compare.alignment import (  # noqa: F401 - re-exported: the view's public names
    LEGEND_WORDS,
    AlignmentLayers,
    connector_legend,
    word_diff_format,
)
from reader.gui.compare.connectors import CompareSplitter
from reader.gui.compare.lockstep import EntityLockstep
from reader.gui.compare.panes import DOC_MIME, PaneFrame, PaneManager, PaneStrip, doc_mime  # noqa: F401
from reader.gui.compare.scrollsync import MODES, ScrollSync
from reader.gui.reader.view import ReaderView
from reader.gui.workers import Job

log = logging.getLogger(__name__)

MODE_LABELS = sync_modes.LABELS  # declared once, in reader.core.sync_modes


class CompareView(PaneManager, AlignmentLayers, EntityLockstep, QWidget):
    """Panes in a connector splitter, a sync toolbar, and the actions that drive them (the jobs
    live in the mixins; this class holds their state and wires them together)."""

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
        self._stats_job: Job | None = None  # the corpus word weights, built in the background
        self._stats_generation = 0
        self._pair_job: Job | None = None  # neighbouring pairs not cached yet, aligned in the background
        self._pair_wanted: dict[tuple[str, str], tuple[Any, Any]] = {}
        self._pair_failed: set[tuple[str, str]] = set()
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
        # the followed entity first: set_mode("entity") fills the follow list with it (after a restart too)
        self.entity_id = str(window.settings.get("compare.entity") or "")
        self.set_mode(str(window.settings.get("compare.sync")), save=False)
        self._update_chrome()
        window.bridge.entitiesEdited.connect(self.on_entities_edited)

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
        line = self.entity_combo.lineEdit()
        if line is not None:
            line.returnPressed.connect(
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
            sheet = f"#paneStrip {{ border-top: 3px solid {color}; }}"
            if frame.strip.styleSheet() != sheet:  # setting a style sheet re-polishes the strip (up to 90 ms)
                frame.strip.setStyleSheet(sheet)

    # -- panes ----------------------------------------------------------------------


















    # -- alignment ------------------------------------------------------------------



    def _on_panes_changed(self) -> None:
        self.sync.set_views(self.views())
        self._pair_index.clear()
        if len(self.frames) > 1:
            self._apply_alignment_layers()
            if self.sync.mode == "entity":
                self._fill_entities()  # the follow list counts the mentions of the panes shown
                if self.entity_id:
                    self._apply_entity_layer()
        else:
            for view in self.views():
                view.remove_layer("align")
                view.remove_layer("lockstep")
        self._update_coverage()
        self._mark_active()
        self._repaint_gutters()
        self.panesChanged.emit()













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



def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
