"""The framing layer in every reader view: coloured underlines, a legend dock, hover explanations.

Framing is drawn as a coloured *underline* (one layer per technique, ``framing:<id>``) so it
stays legible over entity highlights, which use backgrounds. The layer is toggled on its own
(View ▸ Framing Highlights, Ctrl+Shift+H, or the toolbar button) and remembered. Hovering a
span shows the technique, its definition read-aloud style, and the rule that fired; the
context menu edits the user's word lists (the overlay) and mutes rules.
"""

from __future__ import annotations

import html
from typing import Any

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QAction, QColor, QKeySequence, QPainter, QPixmap, QTextCharFormat
from PySide6.QtWidgets import (
    QCheckBox,
    QInputDialog,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMenu,
    QPushButton,
    QScrollArea,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from reader.core.errors import ReaderError
from reader.core.framing import FramingEngine, FramingSpan, Technique
from reader.gui.framing.chart import ProfileDialog
from reader.gui.reader.layers import Layer, LayerSpan
from reader.gui.workers import Job

LAYER_PREFIX = "framing:"
SHORTCUT = "Ctrl+Shift+H"
TechniqueRole = Qt.ItemDataRole.UserRole + 1


#: opacity of the projector's framing band (see :func:`framing_format`)
BAND_ALPHA = 70


def framing_format(colour: str, dark: bool = False, band: bool = False) -> QTextCharFormat:
    """A wavy underline in the technique's colour and nothing else: entity highlights use
    backgrounds, so a framing span inside a name stays readable and tellable apart.

    ``band`` (the projector theme): a thin wave is lost on a wall at the back of a room, so the
    span gets a tinted band in the technique's colour and a solid underline instead."""
    fmt = QTextCharFormat()
    qcolour = QColor(colour)
    if dark:
        qcolour = qcolour.lighter(130)
    if band:
        tint = QColor(qcolour)
        tint.setAlpha(BAND_ALPHA)
        fmt.setBackground(tint)
        fmt.setUnderlineStyle(QTextCharFormat.UnderlineStyle.SingleUnderline)
    else:
        fmt.setUnderlineStyle(QTextCharFormat.UnderlineStyle.WaveUnderline)
    fmt.setUnderlineColor(qcolour)
    return fmt


def span_tooltip(span: FramingSpan, tech: Technique, explanation: str) -> str:
    """Rich-text hover: technique, definition, and the rule that fired (and the list term)."""
    term = f" — list entry “{html.escape(span.term)}”" if span.term and span.rule.startswith("list:") else ""
    return (f"<b style='color:{tech.colour}'>■</b> <b>{html.escape(tech.name)}</b><br>"
            f"{html.escape(tech.definition)}<br>"
            f"<i>Why here:</i> {html.escape(explanation)}{term}<br>"
            f"<small>rule <code>{html.escape(span.rule)}</code></small>")


def swatch(colour: str, size: int = 14) -> QPixmap:
    pix = QPixmap(size, size)
    pix.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pix)
    painter.fillRect(1, size - 5, size - 2, 4, QColor(colour))
    painter.fillRect(1, 1, size - 2, size - 7, QColor(colour).lighter(160))
    painter.end()
    return pix


class FramingLegend(QWidget):
    """The dock: on/off, technique colours with counts for the open document, a profile chart button."""

    techniqueToggled = Signal(str, bool)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.toggle = QCheckBox("Show framing highlights  (Ctrl+Shift+H)", self)
        self.list = QListWidget(self)
        self.list.setAccessibleName("Framing techniques legend")
        self.list.setWordWrap(True)
        self.list.setMinimumHeight(150)
        self.summary = QLabel(self)
        self.summary.setWordWrap(True)
        self.profile_button = QPushButton("Profile by outlet…", self)
        hint = QLabel("Hover a highlight: why it is there. Right-click: edit the lists.", self)
        hint.setWordWrap(True)
        hint.setObjectName("framingHint")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.addWidget(self.toggle)
        layout.addWidget(self.list, 1)
        layout.addWidget(self.summary)
        layout.addWidget(self.profile_button)
        layout.addWidget(hint)
        self.list.itemChanged.connect(self._on_item_changed)

    def set_techniques(self, catalogue: dict[str, Technique], counts: dict[str, int], hidden: set[str]) -> None:
        self.list.blockSignals(True)
        self.list.clear()
        for tid, tech in catalogue.items():
            n = counts.get(tid, 0)
            item = QListWidgetItem(f"{tech.name}  ({n})" if counts else tech.name)
            item.setIcon(swatch(tech.colour))
            item.setData(TechniqueRole, tid)
            item.setToolTip(f"<b>{html.escape(tech.name)}</b><br>{html.escape(tech.definition)}"
                            f"<br><i>Example:</i> {html.escape(tech.example)}")
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Unchecked if tid in hidden else Qt.CheckState.Checked)
            self.list.addItem(item)
        self.list.blockSignals(False)

    def _on_item_changed(self, item: QListWidgetItem) -> None:
        self.techniqueToggled.emit(item.data(TechniqueRole), item.checkState() == Qt.CheckState.Checked)


class FramingFeature(QObject):
    """Wires the framing engine to the window's reader views, menus and a legend dock."""

    def __init__(self, window: Any) -> None:
        super().__init__(window)
        self.window = window
        self.engine: FramingEngine | None = None
        self.hidden: set[str] = set(window.settings.get("framing.hidden"))
        self._connected: list[Any] = []
        self._profile_job: Job | None = None
        self.dialog: ProfileDialog | None = None

        self.action = QAction("Framing &Highlights", window, checkable=True)
        self.action.setShortcut(QKeySequence(SHORTCUT))
        self.action.setStatusTip("Underline loaded language, labels, doubt and other framing techniques")
        self.action.setToolTip(f"Framing highlights ({SHORTCUT})")
        self.action.setChecked(bool(window.settings.get("framing.show")))
        self.action.toggled.connect(self.set_enabled)
        window.addAction(self.action)
        window.menus["view"].addSeparator()
        window.menus["view"].addAction(self.action)
        self.act_profile = QAction("Framing &Profile by Outlet…", window)
        self.act_profile.triggered.connect(self.show_profile)
        window.menus["tools"].addAction(self.act_profile)
        toolbar = window.findChild(QToolBar, "layersToolbar")
        if toolbar is None:
            toolbar = QToolBar("Layers", window)
            toolbar.setObjectName("layersToolbar")
            window.addToolBar(Qt.ToolBarArea.TopToolBarArea, toolbar)
        toolbar.addAction(self.action)
        self.toolbar = toolbar

        self.legend = FramingLegend(window)
        self.legend.toggle.setChecked(self.action.isChecked())
        self.legend.toggle.toggled.connect(self.action.setChecked)
        self.legend.techniqueToggled.connect(self._on_technique_toggled)
        self.legend.profile_button.clicked.connect(self.show_profile)
        scroller = QScrollArea(window)
        scroller.setWidget(self.legend)
        scroller.setWidgetResizable(True)
        scroller.setFrameShape(QScrollArea.Shape.NoFrame)
        self.dock = window.add_dock(scroller, "Framing", "framing")
        if not window.settings.get("window.state"):
            self.dock.hide()

        self.dock.visibilityChanged.connect(lambda shown: self._update_legend() if shown else None)
        bridge = getattr(window, "bridge", None)
        if bridge is not None:  # the theme changes underline colours (lighter on dark)
            bridge.changed.connect(lambda name, _v: self.refresh_all() if name == "ui.theme" else None)
        window.corpusLoaded.connect(self._on_corpus)
        window.readerViewAdded.connect(self._connect_view)
        for view in window.reader_views():
            self._connect_view(view)

    # -- engine -------------------------------------------------------------------
    def ensure_engine(self) -> FramingEngine:
        if self.engine is None:
            self.engine = FramingEngine.for_context(self.window.ctx)
            for notice in self.engine.notices:
                self.window.statusBar().showMessage(notice, 10000)
        return self.engine

    def _on_corpus(self) -> None:
        self.engine = None
        self.refresh_all()

    # -- views --------------------------------------------------------------------
    def _connect_view(self, view: Any) -> None:
        if any(v is view for v in self._connected):
            return
        self._connected.append(view)
        view.documentShown.connect(lambda _id, v=view: self.apply(v))
        view.contextMenuRequested.connect(lambda menu, s, e, v=view: self._context_menu(v, menu, s, e))
        if view.doc is not None:
            self.apply(view)

    def views(self) -> list[Any]:
        return [v for v in self.window.reader_views() if v is not None]

    def set_enabled(self, on: bool) -> None:
        self.legend.toggle.setChecked(on)
        if bool(self.window.settings.get("framing.show")) != on:
            self.window.settings.set("framing.show", on)
        self.refresh_all()

    def refresh_all(self) -> None:
        for view in self.views():
            self.apply(view)
        self._update_legend()

    def layer_names(self) -> list[str]:
        catalogue = self.engine.catalogue if self.engine else {}
        return [LAYER_PREFIX + t for t in catalogue]

    def apply(self, view: Any) -> None:
        """(Re)draw the framing layers of one view, or remove them when framing is off."""
        if not self.action.isChecked() or view.doc is None:
            for name in [n for n in view.layers if n.startswith(LAYER_PREFIX)]:
                view.remove_layer(name)
            self._update_legend()
            return
        engine = self.ensure_engine()
        try:
            spans = engine.spans(view.doc)
        except ReaderError as exc:
            self.window.statusBar().showMessage(str(exc), 10000)
            return
        by_tech: dict[str, list[LayerSpan]] = {}
        rules = engine.rules()
        for span in spans:
            tech = engine.catalogue.get(span.technique)
            if tech is None or span.technique in self.hidden:
                continue
            tip = span_tooltip(span, tech, rules.get(span.rule, ("", span.rule))[1])
            by_tech.setdefault(span.technique, []).append(LayerSpan(span.start, span.end, span.technique, tip))
        dark = bool(getattr(view.theme, "is_dark", False))
        band = getattr(view.theme, "name", "") == "projector"
        for name in [n for n in view.layers if n.startswith(LAYER_PREFIX) and n[len(LAYER_PREFIX):] not in by_tech]:
            view.remove_layer(name)
        for i, (tid, layer_spans) in enumerate(by_tech.items()):
            fmt = framing_format(engine.catalogue[tid].colour, dark, band)
            view.set_layer(Layer(LAYER_PREFIX + tid, layer_spans, fmt, z=40 + i))
        self._update_legend()

    def _update_legend(self) -> None:
        engine = self.engine
        if engine is None and not self.action.isChecked() and not self.dock.isVisible():
            return  # nothing shows framing yet: do not load the lists on the way to reading
        if engine is None:
            try:
                engine = self.ensure_engine()
            except ReaderError:
                return
        view = self._current_view()
        counts: dict[str, int] = {}
        if view is not None and view.doc is not None:
            for span in engine.spans(view.doc):
                counts[span.technique] = counts.get(span.technique, 0) + 1
            prof = engine.profile(view.doc)
            self.legend.summary.setText(
                f"{view.doc.meta.outlet or 'This document'}: {sum(prof.counts.values())} spans in "
                f"{prof.words:,} words of article text ({sum(prof.counts.values()) * 1000 / max(1, prof.words):.1f}"
                " per 1,000 words).")
        else:
            self.legend.summary.setText("Open a document to see its framing.")
        self.legend.set_techniques(engine.catalogue, counts, self.hidden)

    def _current_view(self) -> Any:
        active = getattr(self.window, "active_reader", None)
        if callable(active):
            try:
                return active()
            except (AttributeError, RuntimeError):
                pass
        views = self.views()
        return views[0] if views else None

    def _on_technique_toggled(self, tid: str, shown: bool) -> None:
        if shown:
            self.hidden.discard(tid)
        else:
            self.hidden.add(tid)
        self.window.settings.set("framing.hidden", sorted(self.hidden))
        for view in self.views():
            self.apply(view)

    # -- overlay edits from the context menu -------------------------------------------
    def _context_menu(self, view: Any, menu: QMenu, start: int, end: int) -> None:
        if view.doc is None:
            return
        engine = self.ensure_engine()
        sub = menu.addMenu("Framing")
        hits = [s for s in engine.spans(view.doc) if s.start <= start < s.end or (start < end and
                                                                                   s.start < end and start < s.end)]
        selected = view.doc.text[start:end].strip() if end > start else ""
        if selected and len(selected) <= 60:
            add = sub.addMenu(f"Add “{selected}” to list")
            for tid, tech in engine.catalogue.items():
                act = add.addAction(tech.name)
                act.triggered.connect(lambda _=False, t=tid, term=selected: self.edit("add", term, t))
        for span in hits[:3]:
            tech = engine.catalogue[span.technique]
            if span.rule.startswith("list:") and span.term:
                act = sub.addAction(f"Not framing: remove “{span.term}” from the lists")
                act.triggered.connect(lambda _=False, term=span.term: self.edit("remove", term))
                move = sub.addMenu(f"Move “{span.term}” to")
                for tid, other in engine.catalogue.items():
                    if tid != span.technique:
                        a = move.addAction(other.name)
                        a.triggered.connect(lambda _=False, t=tid, term=span.term: self.edit("move", term, t))
            act = sub.addAction(f"Mute rule “{span.rule}” ({tech.name})")
            act.triggered.connect(lambda _=False, r=span.rule: self.edit("mute", r))
        if not sub.actions():
            sub.setEnabled(False)

    def edit(self, kind: str, value: str, technique: str = "") -> None:
        engine = self.ensure_engine()
        try:
            if kind == "add":
                engine.add_term(value, technique)
            elif kind == "move":
                engine.move_term(value, technique)
            elif kind == "remove":
                engine.remove_term(value)
            elif kind == "mute":
                engine.mute(value)
        except ReaderError as exc:
            self.window.statusBar().showMessage(str(exc), 10000)
            return
        self.window.statusBar().showMessage(f"Framing lists changed ({kind} {value}); saved in "
                                            f"{engine.overlay.path}", 6000)
        self.refresh_all()

    def add_term_interactively(self) -> None:
        term, ok = QInputDialog.getText(self.window, "Add a framing term", "Word or phrase:")
        if ok and term.strip():
            engine = self.ensure_engine()
            names = [t.name for t in engine.catalogue.values()]
            name, ok = QInputDialog.getItem(self.window, "Add a framing term", "Technique:", names, 0, False)
            if ok:
                tid = next(t for t, tech in engine.catalogue.items() if tech.name == name)
                self.edit("add", term.strip(), tid)

    # -- profile chart ------------------------------------------------------------
    def show_profile(self) -> None:
        if self.dialog is None:
            self.dialog = ProfileDialog(self.window)
            self.dialog.scopeChanged.connect(lambda _s: self.compute_profile())
        self.dialog.chart.text_colour = self.window.theme.color("text")
        self.dialog.chart.grid_colour = self.window.theme.color("border")
        self.dialog.show()
        self.dialog.raise_()
        self.compute_profile()

    def compute_profile(self) -> None:
        dialog, corpus = self.dialog, self.window.corpus
        if dialog is None or corpus is None:
            return
        engine = self.ensure_engine()
        scope = dialog.scope.currentData()
        if scope == "open":
            docs = [v.doc for v in self.views() if v.doc is not None]
            dialog.chart.set_data(engine.outlet_profiles(docs), engine.catalogue)
            dialog.status.setText(f"{len(docs)} open document(s)")
            return
        ids = corpus.ids
        if self._profile_job is not None and not self._profile_job.done:
            self._profile_job.cancel()
        dialog.status.setText("Counting…")
        job = Job(lambda progress, cancelled: engine.outlet_profiles(
            (corpus.document(i) for i in ids), progress, cancelled, total=len(ids)), self)
        job.finished.connect(lambda profiles: self._profile_done(profiles, len(ids)))
        job.failed.connect(lambda message: dialog.status.setText(message))
        self._profile_job = job
        job.start()

    def _profile_done(self, profiles: Any, n: int) -> None:
        if self.dialog is not None and self.engine is not None:
            self.dialog.chart.set_data(profiles, self.engine.catalogue)
            self.dialog.status.setText(f"{n} document(s), {len(profiles)} outlet(s)")


def install(window: Any) -> FramingFeature:
    return FramingFeature(window)
