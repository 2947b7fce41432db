"""Entities in the window: highlights on every reader, the legend, the Entities dock, and edits.

Installed through :mod:`reader.gui.features`. Highlights are one layer per type
(``entities:person``...) so each type toggles on its own; the clicked entity gets the
``entity-selected`` layer, which F3 / Shift+F3 step through. Counts and candidates are
computed in background jobs; every edit goes to the user's overlay through the core.

On a corpus the curated list does not cover, the counting job first runs recognition (the
model is loaded there, never on the GUI thread; a progress bar in the dock shows it), then the
views are highlighted again. Every edit is one command on the window's undo stack (the notes
feature's, so Ctrl+Z walks back through notes and entity edits alike): undo takes the change
back out of the overlay.
"""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QPoint, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QActionGroup, QCursor, QKeySequence, QUndoCommand, QUndoStack
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QInputDialog,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMenu,
    QMessageBox,
    QToolButton,
    QVBoxLayout,
    QWidget,
)
from rapidfuzz import fuzz, process

from reader.core import background
from reader.core.background import context_spec
from reader.core.background_tasks import recognise_and_count
from reader.core.entities.api import EntityService
from reader.core.entities.model import EntityError, GazetteerError
from reader.core.errors import ReaderError
from reader.gui.entities.panel import EntitiesPanel, Row
from reader.gui.entities.style import ENTITY_TYPES, STYLES, EntityLegend, mention_format, selected_format
from reader.gui.exports import report_failure
from reader.gui.features import Needs, WindowAPI
from reader.gui.reader.layers import Layer, LayerSpan
from reader.gui.workers import Job

#: the other features this one uses (handed over by reader.gui.features.install_features)
REQUIRES = ("notes",)

LAYER_PREFIX = "entities:"
SELECTED_LAYER = "entity-selected"
TOGGLE_SHORTCUT = "Ctrl+Shift+E"
DOCK_SHORTCUT = "Ctrl+Alt+E"
#: Corpora from this size recount (and recognise) in a child process: in a thread of the
#: window, reading and matching 20,000 documents held the GIL the GUI thread needs.
CHILD_MIN_DOCS = 1000


class EntityEditCommand(QUndoCommand):
    """One entity edit on the undo stack. The edit already ran when it is pushed (the first redo
    is skipped); undo takes the overlay's last change back, redo records it again."""

    def __init__(self, feature: EntitiesFeature, text: str, op: dict[str, Any]) -> None:
        super().__init__(text)
        self.feature = feature
        self.op = {k: v for k, v in op.items() if k != "at"}
        self._first = True

    def redo(self) -> None:
        if self._first:
            self._first = False
            return
        svc = self.feature.service
        if svc is not None:
            with contextlib.suppress(EntityError):
                svc.redo(self.op)
            self.feature.after_edit()

    def undo(self) -> None:
        svc = self.feature.service
        if svc is not None:
            last = svc.last_change()
            if last is not None and {k: v for k, v in last.items() if k != "at"} == self.op:
                svc.undo()
            self.feature.after_edit()


class MergeDialog(QDialog):
    """Choose the entity to merge into: nothing is chosen until the user picks a row, Enter on
    no choice does nothing, and the merge is confirmed before it happens."""

    def __init__(self, source: Any, targets: list[Any], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Merge entity")
        self.source = source
        self.targets = targets
        self.chosen: Any = None
        self.confirm = True  # tests switch the question box off and call accept_choice()
        self.filter = QLineEdit(self)
        self.filter.setPlaceholderText("Type to find the entity to merge into")
        self.filter.setAccessibleName("Find entity")
        self.list = QListWidget(self)
        self.list.setAccessibleName("Entities to merge into")
        for ent in targets:
            item = QListWidgetItem(f"{ent.name} ({ent.type}, {ent.id})")
            item.setData(Qt.ItemDataRole.UserRole, ent.id)
            self.list.addItem(item)
        self.list.setCurrentRow(-1)
        self.list.clearSelection()
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel,
                                        self)
        self.ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok.setText("Merge…")
        self.ok.setEnabled(False)
        self.ok.setAutoDefault(False)
        self.ok.setDefault(False)
        self.buttons.accepted.connect(self.accept_choice)
        self.buttons.rejected.connect(self.reject)
        self.list.itemSelectionChanged.connect(self._update)
        self.list.itemActivated.connect(lambda _item: self.accept_choice())  # Enter or double-click on a row
        self.filter.textChanged.connect(self._filter)
        self.filter.returnPressed.connect(self.accept_choice)
        lay = QVBoxLayout(self)
        lay.addWidget(QLabel(f"Merge <b>{_html(source.name)}</b> into:", self))
        lay.addWidget(self.filter)
        lay.addWidget(self.list, 1)
        lay.addWidget(self.buttons)

    def _filter(self, text: str) -> None:
        key = text.casefold().strip()
        for i in range(self.list.count()):
            item = self.list.item(i)
            item.setHidden(bool(key) and key not in item.text().casefold())
        selected = self.list.selectedItems()
        if selected and selected[0].isHidden():
            self.list.clearSelection()

    def _update(self) -> None:
        self.ok.setEnabled(self.selected_id() is not None)

    def selected_id(self) -> str | None:
        items = [i for i in self.list.selectedItems() if not i.isHidden()]
        return str(items[0].data(Qt.ItemDataRole.UserRole)) if items else None

    def keyPressEvent(self, event: Any) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.accept_choice()  # never the dialog's default accept: no choice, no merge
            return
        super().keyPressEvent(event)

    def accept_choice(self) -> None:
        ent_id = self.selected_id()
        if ent_id is None or self.chosen is not None:
            return
        target = next(e for e in self.targets if e.id == ent_id)
        if self.confirm:
            answer = QMessageBox.question(self, "Merge entity",
                                          f"Merge {self.source.name} into {target.name}? Their mentions will "
                                          "count as one entity (Edit ▸ Undo takes it back).")
            if answer != QMessageBox.StandardButton.Yes:
                return
        self.chosen = target
        self.accept()


class EntitiesFeature(QObject):
    """Owns the entity service of the current corpus and keeps every view in step with it."""

    countsUpdated = Signal()
    candidatesUpdated = Signal()
    selectionChanged = Signal(str)

    def __init__(self, window: Any, needs: Needs | None = None) -> None:
        super().__init__(window)
        self.window = window
        self.needs = needs or Needs.none("entities")  # the features it declared in REQUIRES
        self.service: EntityService | None = None
        self.counts: dict[str, dict[str, int]] = {}
        self.candidates: list[Any] = []
        self.selected: str | None = None
        self._views: list[Any] = []
        self.legends: dict[int, EntityLegend] = {}
        self._counts_job: Job | None = None
        self._cand_job: Job | None = None
        self._generation = 0
        settings = window.settings
        hidden = set(settings.get("entities.hidden_types"))
        self.shown_types = {t: t not in hidden for t in ENTITY_TYPES}

        self.panel = EntitiesPanel(window.theme, window)
        self.dock = window.add_dock(self.panel, "Entities", "entities", Qt.DockWidgetArea.RightDockWidgetArea,
                                    DOCK_SHORTCUT)
        if not settings.get("window.state"):
            self.dock.hide()
        self._panel_stale = False  # counts arrived while the dock was hidden: fill it when shown
        self.dock.visibilityChanged.connect(self._on_dock_visibility)
        self.panel.entitySelected.connect(self.select_in_current)
        self.panel.cellOpened.connect(self.open_at_first_mention)
        self.panel.exportCsvRequested.connect(lambda: self.export_matrix("csv"))
        self.panel.exportPngRequested.connect(lambda: self.export_matrix("png"))
        self.panel.acceptAliasRequested.connect(self.add_alias)
        self.panel.acceptNewRequested.connect(self.new_entity_dialog)
        self.panel.dismissRequested.connect(self.dismiss)
        self.panel.refreshCandidatesRequested.connect(self.refresh_candidates)
        self.panel.tabs.currentChanged.connect(self._on_tab)
        self.panel.listMenuRequested.connect(self._list_menu)
        self.panel.matrixWindowRequested.connect(self.open_matrix_window)
        self.matrix_window: QDialog | None = None
        self._own_undo: QUndoStack | None = None
        self.recognising = False
        self._build_actions()

        window.corpusLoaded.connect(self._on_corpus)
        window.readerViewAdded.connect(self._connect_view)
        window.bridge.changed.connect(self._on_setting)
        for view in window.reader_views():
            self._connect_view(view)

    # -- actions ------------------------------------------------------------------
    def _build_actions(self) -> None:
        w = self.window
        self.act_show = QAction("Entity &Highlights", w, checkable=True)
        self.act_show.setChecked(bool(w.settings.get("entities.show")))
        self.act_show.setShortcut(QKeySequence(TOGGLE_SHORTCUT))
        self.act_show.setStatusTip("Highlight people, organisations, places, groups, events and media")
        self.act_show.toggled.connect(self.set_enabled)
        w.addAction(self.act_show)
        view_menu = w.menus["view"]
        view_menu.addSeparator()
        view_menu.addAction(self.act_show)
        self.types_menu = view_menu.addMenu("Entity Ty&pes")
        self.type_actions: dict[str, QAction] = {}
        for etype in ENTITY_TYPES:
            act = QAction(STYLES[etype][3], w, checkable=True)
            act.setChecked(self.shown_types[etype])
            act.toggled.connect(lambda on, t=etype: self.set_type_shown(t, on))
            self.types_menu.addAction(act)
            self.type_actions[etype] = act
        self.act_clear = QAction("Clear Entity Selection", w)
        self.act_clear.triggered.connect(lambda: self.select(None))
        view_menu.addAction(self.act_clear)
        tools = w.menus["tools"]
        self.act_matrix = QAction("Entity &Coverage Matrix", w)
        self.act_matrix.setStatusTip("Who each outlet names, and whom it leaves out")
        self.act_matrix.triggered.connect(lambda: self.show_tab(1))
        self.act_candidates = QAction("Names Not in the Entity &List…", w)
        self.act_candidates.triggered.connect(lambda: self.show_tab(2))
        tools.addAction(self.act_matrix)
        tools.addAction(self.act_candidates)
        w.addAction(self.act_matrix)

    def show_tab(self, index: int) -> None:
        self.dock.show()
        self.dock.raise_()
        self.panel.tabs.setCurrentIndex(index)

    def _on_tab(self, index: int) -> None:
        if index == 2 and not self.candidates:
            self.refresh_candidates()

    # -- service and counts -------------------------------------------------------
    def ensure_service(self) -> EntityService | None:
        """The session's entity service (every pane and the search follow the same one)."""
        if self.service is None:
            try:
                self.service = self.window.session.entities
            except (GazetteerError, ReaderError) as exc:
                self.window.notify(f"Entities unavailable: {exc}", 15000)
                self.window.notices.append(str(exc))
                return None
            self.service.recognise_on_demand = False  # the model runs in the counting job, never here
            for notice in self.service.notices:
                self.window.notices.append(notice)
            if self.service.notices:
                with contextlib.suppress(AttributeError):
                    self.window._update_problems_button()
        return self.service

    def _on_corpus(self) -> None:
        self.service = None  # the session built a new one for this reading of the corpus
        self.counts = {}
        self.candidates = []
        self.selected = None
        self.panel.set_candidates([])
        self.refresh()

    def refresh(self) -> None:
        """Re-apply highlights everywhere and recount (after any change)."""
        self._generation += 1
        for view in self.views():
            self.apply(view)
        self.recount()

    def recount(self) -> None:
        svc = self.ensure_service()
        corpus = self.window.corpus
        if svc is None or corpus is None:
            return
        if self._counts_job is not None and not self._counts_job.done:
            self._counts_job.cancel()
        ids = corpus.ids

        def work(progress: Any, cancelled: Any) -> tuple[bool, dict[str, dict[str, int]]]:
            return recognise_and_count(svc, corpus, progress, cancelled)

        generation = self._generation
        spec = context_spec(self.window.session.ctx, corpus.root)
        far = len(ids) >= CHILD_MIN_DOCS and background.can_run_children()

        def elsewhere(progress: Any, cancelled: Any) -> tuple[bool, dict[str, dict[str, int]]]:
            recognised, counts = background.run("reader.core.background_tasks:entity_counts", {"spec": spec},
                                                progress, cancelled)
            if recognised:
                svc.reload_recognised()  # the child stored the table: this service reads it
            return recognised, counts

        def tagged(progress: Any, cancelled: Any) -> tuple[int, bool, dict[str, dict[str, int]]]:
            svc.warm()  # here, not when the first document opens (and again for a new table)
            recognised, counts = (elsewhere if far else work)(progress, cancelled)
            svc.warm()
            return generation, recognised, counts

        self._counts_job = self._start(tagged, self._on_counts, self._on_progress)

    def _on_progress(self, done: int, total: int) -> None:
        self.recognising = done < total
        self.panel.show_progress(done, total)
        if done < total:
            self.window.notify(f"Recognising names: {done}/{total} documents", 3000)

    def _start(self, fn: Any, slot: Any, progress: Any = None) -> Job:
        """Run ``fn`` in the pool; the result goes to a bound slot (dropped if this feature is gone).

        Jobs have no Qt parent: the pump keeps them until they end, so closing the window while
        one runs never deletes the object a worker thread is about to report on.
        """
        job = Job(fn)
        job.finished.connect(slot)
        job.failed.connect(self._on_job_failed)
        if progress is not None:
            job.progress.connect(progress)
        job.start()
        return job

    def _on_job_failed(self, message: object) -> None:
        self.recognising = False
        self.panel.show_progress(0, 0)
        self.window.notify(f"Entities: {message}", 10000)

    def _on_counts(self, result: tuple[int, bool, dict[str, dict[str, int]]]) -> None:
        generation, recognised, counts = result
        self.recognising = False
        self.panel.show_progress(0, 0)
        if generation != self._generation or self.service is None:
            return
        if recognised:
            for view in self.views():
                self.apply(view)
            self._reindex_entities()
        self.counts = counts
        if self.dock.isVisible() or self.matrix_window is not None:
            self._fill_panel()
        else:
            # Nobody sees the list: filling its model (a reset, a sorted proxy asking Python for
            # every row's sort keys, the matrix's text metrics) cost 0.67 s of GUI thread at
            # 3,000 documents. Mark it stale; showing the dock fills it.
            self._panel_stale = True
        self.countsUpdated.emit()

    def _on_dock_visibility(self, shown: bool) -> None:
        if shown and self._panel_stale:
            self._fill_panel()

    def _fill_panel(self) -> None:
        """Put the current counts into the dock's list and matrix (and the matrix window)."""
        self._panel_stale = False
        if self.service is None:
            return
        corpus = self.window.corpus
        docs = []
        if corpus is not None:
            metas = sorted(corpus.metas(), key=lambda m: (m.published or "", m.outlet))
            docs = [(m.id, m.outlet or m.id) for m in metas]
        counts = self.counts
        rows = [Row(e.id, e.name, e.type, e.aliases, e.description, dict(counts.get(e.id, {})))
                for e in self.service.entities()]
        self.panel.set_data(rows, docs)
        if self.matrix_window is not None:
            self.matrix_window.matrix.set_data(rows, docs)  # type: ignore[attr-defined]
        if self.selected:
            self.panel.select_entity(self.selected)

    def _reindex_entities(self) -> None:
        """The search index's ``entity`` field was filled from the curated list only if it was built
        before recognition ended; say how to bring it up to date rather than race the search
        feature's own indexing job."""
        self.window.notify(
            "Names recognised. Tools ▸ Rebuild Search Index lets entity: searches find them.", 10000)

    def refresh_candidates(self) -> None:
        svc = self.ensure_service()
        corpus = self.window.corpus
        if svc is None or corpus is None:
            return
        if self._cand_job is not None and not self._cand_job.done:
            self._cand_job.cancel()
        ids = [m.id for m in corpus.metas()]

        def work(progress: Any, cancelled: Any) -> list[Any]:
            docs = [corpus.document(i) for i in ids]
            return svc.candidates(docs, progress, cancelled)

        self._cand_job = self._start(work, self._on_candidates)

    def _on_candidates(self, items: list[Any]) -> None:
        self.candidates = items
        self.panel.set_candidates(items)
        self.candidatesUpdated.emit()

    # -- views --------------------------------------------------------------------
    def views(self) -> list[Any]:
        return [v for v in self.window.reader_views() if v is not None]

    def _connect_view(self, view: Any) -> None:
        if any(v is view for v in self._views):
            return
        self._views.append(view)
        legend = EntityLegend(view.theme, view)
        legend.set_theme(view.theme)
        legend.set_visible_types(self.shown_types)
        legend.typeToggled.connect(self.set_type_shown)
        clear = QToolButton(legend)
        clear.setText("✕")
        clear.setAutoRaise(True)
        clear.setToolTip("Clear the entity selection")
        clear.setAccessibleName("Clear entity selection")
        clear.clicked.connect(lambda: self.select(None))
        clear.hide()
        legend.add_trailing(clear)
        legend.clear_button = clear  # type: ignore[attr-defined]
        view.layout().addWidget(legend)
        legend.setVisible(self.act_show.isChecked())
        self.legends[id(view)] = legend
        view.documentShown.connect(lambda _id, v=view: self.apply(v))
        view.spanClicked.connect(lambda layer, key, offset, v=view: self._on_span_clicked(v, layer, key, offset))
        view.contextMenuRequested.connect(lambda menu, s, e, v=view: self._context_menu(v, menu, s, e))
        if view.doc is not None:
            self.apply(view)

    def apply(self, view: Any) -> None:
        """Put this view's entity layers in step with the service, toggles and selection."""
        for etype in ENTITY_TYPES:
            view.remove_layer(LAYER_PREFIX + etype)
        view.remove_layer(SELECTED_LAYER)
        legend = self.legends.get(id(view))
        if view.doc is None or not self.act_show.isChecked():
            if legend is not None:
                legend.set_counts({})
                legend.selected.setText("")
            return
        svc = self.ensure_service()
        if svc is None:
            return
        theme = view.theme
        by_type: dict[str, list[LayerSpan]] = {t: [] for t in ENTITY_TYPES}
        chosen: list[LayerSpan] = []
        for m in svc.mentions(view.doc):
            ent = svc.entity(m.entity_id)
            tip = f"{ent.name} — {ent.type}"
            if ent.description:
                tip += f"\n{ent.description}"
            if m.text != ent.name:
                tip += f"\nWritten here as “{m.text}”"
            span = LayerSpan(m.start, m.end, m.entity_id, tip)
            by_type.setdefault(m.type, []).append(span)
            if m.entity_id == self.selected:
                chosen.append(span)
        for etype, spans in by_type.items():
            view.set_layer(Layer(LAYER_PREFIX + etype, spans, mention_format(etype, theme),
                                 visible=self.shown_types.get(etype, True), z=10))
        if self.selected:
            ent_type = svc.entity(self.selected).type
            view.set_layer(Layer(SELECTED_LAYER, chosen, selected_format(ent_type, theme), z=20))
            view.set_navigation(SELECTED_LAYER, key=self.selected)
        if legend is not None:
            legend.set_theme(theme)
            legend.set_counts({t: len(s) for t, s in by_type.items()})
            if self.selected:
                name = svc.entity(self.selected).name
                here = len(chosen)
                legend.selected.setText(f"<b>{_html(name)}</b>: {here} here · F3 next" if here
                                        else f"<b>{_html(name)}</b>: not named here")
            else:
                legend.selected.setText("")
            legend.clear_button.setVisible(bool(self.selected))  # type: ignore[attr-defined]

    def layer_spans(self, view: Any, etype: str | None = None) -> list[LayerSpan]:
        """The spans currently drawn on a view (one type or all): for tests and other features."""
        names = [LAYER_PREFIX + etype] if etype else [LAYER_PREFIX + t for t in ENTITY_TYPES]
        return [s for n in names if n in view.layers for s in view.layers[n].spans]

    def set_enabled(self, on: bool) -> None:
        if bool(self.window.settings.get("entities.show")) != on:
            self.window.settings.set("entities.show", on)
        for view in self.views():
            legend = self.legends.get(id(view))
            if legend is not None:
                legend.setVisible(on)
            self.apply(view)

    def set_type_shown(self, etype: str, on: bool) -> None:
        self.shown_types[etype] = on
        act = self.type_actions.get(etype)
        if act is not None and act.isChecked() != on:
            act.blockSignals(True)
            act.setChecked(on)
            act.blockSignals(False)
        for legend in self.legends.values():
            legend.set_visible_types(self.shown_types)
        self.window.settings.set("entities.hidden_types", [t for t, shown in self.shown_types.items() if not shown])
        for view in self.views():
            layer = view.layers.get(LAYER_PREFIX + etype)
            if layer is not None:
                layer.visible = on
                view.set_layer(layer)

    def _on_setting(self, name: str, _value: object) -> None:
        if name == "ui.theme":
            self.panel.matrix.theme = self.window.theme
            self.panel.matrix.update()
            for view in self.views():
                self.apply(view)

    # -- selection ----------------------------------------------------------------
    def _on_span_clicked(self, view: Any, layer: str, key: str, _offset: int) -> None:
        if (layer.startswith(LAYER_PREFIX) or layer == SELECTED_LAYER) and key:
            self.select(key)

    def select(self, entity_id: str | None) -> None:
        """Select an entity everywhere: its mentions stand out and F3 steps through them."""
        self.selected = entity_id
        for view in self.views():
            if entity_id is None:
                view.set_navigation(None)
            self.apply(view)
        if entity_id:
            self.panel.select_entity(entity_id)
        self.selectionChanged.emit(entity_id or "")

    def select_in_current(self, entity_id: str) -> None:
        """From the list: select, and bring the first mention in the open document into view."""
        self.select(entity_id)
        view = self.window.reader
        if view.doc is not None:
            view.step_navigation(+1)

    def open_at_first_mention(self, entity_id: str, doc_id: str) -> None:
        """From the matrix: open the document and show the entity's first mention."""
        if not self.window.open_document(doc_id):
            return
        self.select(entity_id)
        view = self.window.reader
        QTimer.singleShot(0, lambda: view.step_navigation(+1) if view.doc and view.doc.id == doc_id else None)

    # -- edits --------------------------------------------------------------------
    @property
    def undo_stack(self) -> QUndoStack:
        """The window's undo stack (the notes feature's when it is installed: one Ctrl+Z for all)."""
        notes = self.needs.get("notes")
        stack = getattr(notes, "undo_stack", None)
        if isinstance(stack, QUndoStack):
            return stack
        if self._own_undo is None:
            self._own_undo = QUndoStack(self)
            act = self._own_undo.createUndoAction(self.window, "&Undo")
            act.setShortcuts([QKeySequence(QKeySequence.StandardKey.Undo)])
            act.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
            self.window.addAction(act)
        return self._own_undo

    def _edit(self, fn: Any, *args: Any, label: str = "Entity Change") -> Any:
        svc = self.service
        before = len(svc.overlay.ops) if svc is not None and svc.overlay is not None else 0
        try:
            result = fn(*args)
        except EntityError as exc:
            QMessageBox.warning(self.window, "Entities", str(exc))
            return None
        if svc is not None and svc.overlay is not None and len(svc.overlay.ops) > before:
            self.undo_stack.push(EntityEditCommand(self, label, svc.overlay.ops[-1]))
        self.after_edit()
        return result

    def after_edit(self) -> None:
        """Everything shown follows the entity list after an edit, an undo or a redo."""
        self.refresh()
        self.candidates = []
        if self.panel.tabs.currentIndex() == 2:
            self.refresh_candidates()

    def undo(self) -> None:
        self.undo_stack.undo()

    def add_alias(self, text: str, entity_id: str) -> Any:
        svc = self.ensure_service()
        if svc is None:
            return None
        entity = self._edit(svc.add_alias, entity_id, text)
        if entity is not None:
            self.window.notify(f"“{text}” now counts as {entity.name}", 6000)
        return entity

    def merge(self, source_id: str, into_id: str) -> Any:
        svc = self.ensure_service()
        if svc is None:
            return None
        if self.selected == source_id:
            self.selected = into_id
        return self._edit(svc.merge, source_id, into_id, label="Merge Entities")

    def new_entity(self, name: str, etype: str) -> Any:
        svc = self.ensure_service()
        return None if svc is None else self._edit(svc.add_entity, name, etype)

    def dismiss(self, text: str) -> None:
        svc = self.ensure_service()
        if svc is not None:
            self._edit(svc.dismiss, text)
            self.refresh_candidates()

    def hide_entity(self, entity_id: str) -> None:
        svc = self.ensure_service()
        if svc is not None:
            if self.selected == entity_id:
                self.selected = None
            self._edit(svc.hide, entity_id)

    def rename_dialog(self, entity_id: str) -> None:
        svc = self.ensure_service()
        if svc is None:
            return
        ent = svc.entity(entity_id)
        name, ok = QInputDialog.getText(self.window, "Rename entity", f"New name for {ent.name}:", text=ent.name)
        if ok and name.strip():
            self._edit(svc.rename, entity_id, name)

    def set_type(self, entity_id: str, etype: str) -> None:
        svc = self.ensure_service()
        if svc is not None:
            self._edit(svc.set_type, entity_id, etype)

    def new_entity_dialog(self, text: str) -> None:
        labels = [STYLES[t][3] for t in ENTITY_TYPES]
        label, ok = QInputDialog.getItem(self.window, "New entity", f"What is “{text}”?", labels, 0, False)
        if ok:
            self.new_entity(text, ENTITY_TYPES[labels.index(label)])

    def choose_entity_dialog(self, text: str) -> None:
        svc = self.ensure_service()
        if svc is None:
            return
        ents = svc.entities()
        labels = [f"{e.name} ({e.type}, {e.id})" for e in ents]
        label, ok = QInputDialog.getItem(self.window, "Add as alias", f"“{text}” is another spelling of:",
                                         labels, 0, True)
        if ok and label in labels:
            self.add_alias(text, ents[labels.index(label)].id)

    def merge_dialog(self, source_id: str) -> MergeDialog | None:
        svc = self.ensure_service()
        if svc is None:
            return None
        source = svc.entity(source_id)
        dialog = MergeDialog(source, [e for e in svc.entities() if e.id != source_id], self.window)
        self.last_merge_dialog = dialog
        dialog.accepted.connect(lambda: self.merge(source_id, dialog.chosen.id) if dialog.chosen else None)
        dialog.open()
        return dialog

    def reject_mention(self, text: str, doc_id: str | None) -> None:
        svc = self.ensure_service()
        if svc is not None:
            self._edit(svc.reject, text, doc_id, label="Not an Entity")

    def split_spelling(self, entity_id: str, text: str) -> None:
        svc = self.ensure_service()
        if svc is not None:
            self._edit(svc.split, entity_id, text, label="Split Entity")

    def suggestions_for(self, text: str, limit: int = 6) -> list[Any]:
        """Entities whose spellings look most like ``text`` (best first, one per entity)."""
        svc = self.ensure_service()
        if svc is None:
            return []
        choices: dict[str, str] = {}
        for e in svc.entities():
            for a in e.spellings():
                choices.setdefault(a.text, e.id)
        out: list[str] = []
        for alias, _score, _index in process.extract(text, list(choices), scorer=fuzz.WRatio, limit=limit * 4):
            ent_id = choices[alias]
            if ent_id not in out:
                out.append(ent_id)
            if len(out) == limit:
                break
        return [svc.entity(i) for i in out]

    # -- context menu -------------------------------------------------------------
    def _pointer_offset(self, view: Any) -> int | None:
        """The canonical offset under the mouse pointer in this view (None when not over text)."""
        for pane in getattr(view, "panes", []):
            viewport = pane.widget.viewport()
            pos = viewport.mapFromGlobal(QCursor.pos())
            if viewport.rect().contains(pos):
                return view.offset_at(pos, pane)
        return None

    def _context_menu(self, view: Any, menu: QMenu, start: int, end: int) -> None:
        if view.doc is None or self.ensure_service() is None:
            return
        if end > start:
            pointer = self._pointer_offset(view)
            if pointer is not None and not start <= pointer <= end and any(
                    layer.name.startswith(LAYER_PREFIX) for layer, _span in view.spans_at(pointer)):
                start = end = pointer  # right-click on a name acts on that name, not an old selection
        menu.addSeparator()
        if end > start:
            text = clean_selection(view.doc.text[start:end])
            if text:
                sub = menu.addMenu(f"Add “{_short(text)}” as Alias of")
                sub.setObjectName("entityAliasMenu")
                for ent in self.suggestions_for(text):
                    act = sub.addAction(f"{ent.name} ({ent.type})")
                    act.setData(ent.id)
                    act.triggered.connect(lambda _=False, t=text, i=ent.id: self.add_alias(t, i))
                sub.addSeparator()
                sub.addAction("Other Entity…").triggered.connect(lambda _=False, t=text: self.choose_entity_dialog(t))
                menu.addAction(f"New Entity “{_short(text)}”…").triggered.connect(
                    lambda _=False, t=text: self.new_entity_dialog(t))
            return
        hits = [(layer, span) for layer, span in view.spans_at(start)
                if layer.name.startswith(LAYER_PREFIX) or layer.name == SELECTED_LAYER]
        if not hits:
            return
        svc = self.service
        assert svc is not None
        span = hits[0][1]
        ent = svc.entity(span.key)
        self.entity_menu(menu, ent.id, view.doc.text[span.start:span.end], view.doc.id)

    def _list_menu(self, entity_id: str, pos: QPoint) -> None:
        menu = QMenu(self.panel)
        menu.setObjectName("entityListMenu")
        self.entity_menu(menu, entity_id)
        self.last_list_menu = menu
        menu.popup(pos)

    def entity_menu(self, menu: QMenu, entity_id: str, text: str | None = None, doc_id: str | None = None) -> None:
        """The actions on one entity (the reader's context menu, the Entities list's)."""
        svc = self.ensure_service()
        if svc is None:
            return
        ent = svc.entity(entity_id)
        menu.addAction(f"Select “{_short(ent.name)}” (all mentions)").triggered.connect(
            lambda _=False, i=ent.id: self.select(i))
        menu.addAction(f"Rename “{_short(ent.name)}”…").triggered.connect(
            lambda _=False, i=ent.id: self.rename_dialog(i))
        types = menu.addMenu("Entity Type")
        group = QActionGroup(types)
        for etype in ENTITY_TYPES:
            act = types.addAction(STYLES[etype][3])
            act.setCheckable(True)
            act.setChecked(etype == ent.type)
            group.addAction(act)
            act.triggered.connect(lambda _=False, i=ent.id, t=etype: self.set_type(i, t))
        menu.addAction(f"Merge “{_short(ent.name)}” into…").triggered.connect(
            lambda _=False, i=ent.id: self.merge_dialog(i))
        menu.addAction(f"Hide “{_short(ent.name)}”").triggered.connect(lambda _=False, i=ent.id: self.hide_entity(i))
        if text and text != ent.name:
            menu.addAction(f"“{_short(text)}” Is Not {_short(ent.name)} (Split Off)").triggered.connect(
                lambda _=False, i=ent.id, t=text: self.split_spelling(i, t))
        if text and svc.origin(ent.id) == "recogniser":
            menu.addAction(f"“{_short(text)}” Is Not a Name Here").triggered.connect(
                lambda _=False, t=text, d=doc_id: self.reject_mention(t, d))
            menu.addAction(f"“{_short(text)}” Is Never a Name").triggered.connect(
                lambda _=False, t=text: self.reject_mention(t, None))

    def open_matrix_window(self) -> QDialog:
        """The coverage matrix in a resizable window of its own (same data, clicks and export)."""
        if self.matrix_window is None:
            from PySide6.QtWidgets import QHBoxLayout, QPushButton, QScrollArea

            from reader.gui.entities.panel import CoverageMatrix

            dialog = QDialog(self.window)
            dialog.setWindowTitle("Entity coverage")
            dialog.setModal(False)
            matrix = CoverageMatrix(self.window.theme, dialog)
            matrix.cellClicked.connect(self.open_at_first_mention)
            scroll = QScrollArea(dialog)
            scroll.setWidget(matrix)
            lay = QVBoxLayout(dialog)
            lay.addWidget(scroll, 1)
            row = QHBoxLayout()
            row.addStretch(1)
            for label, kind in (("Export CSV…", "csv"), ("Export PNG…", "png")):
                btn = QPushButton(label, dialog)
                btn.clicked.connect(lambda _=False, k=kind: self.export_matrix(k))
                row.addWidget(btn)
            lay.addLayout(row)
            dialog.matrix = matrix  # type: ignore[attr-defined]
            dialog.resize(1000, 640)
            self.matrix_window = dialog
        if self._panel_stale:
            self._fill_panel()
        source = self.panel.matrix
        self.matrix_window.matrix.set_data(source.rows, source.docs)  # type: ignore[attr-defined]
        self.matrix_window.show()
        self.matrix_window.raise_()
        return self.matrix_window

    # -- export -------------------------------------------------------------------
    def export_matrix(self, kind: str, path: Path | None = None) -> Path | None:
        if self._panel_stale:
            self._fill_panel()  # the export is what the matrix would show
        if path is None:
            filters = "CSV files (*.csv)" if kind == "csv" else "PNG images (*.png)"
            chosen, _ = QFileDialog.getSaveFileName(self.window, "Export coverage matrix",
                                                    str(Path.home() / f"entity-coverage.{kind}"), filters)
            if not chosen:
                return None
            path = Path(chosen)
        try:
            if kind == "csv":
                self.panel.matrix.export_csv(path)
            else:
                self.panel.matrix.export_png(path)
        except OSError as exc:
            self.window.notify(report_failure(path, exc), 15000, level="error")
            return None
        self.window.notify(f"Coverage matrix written to {path}", 6000)
        return path


def clean_selection(text: str) -> str:
    """A selection as an alias: one line, trimmed of spaces, quotes, punctuation and a possessive."""
    text = " ".join(text.split())
    text = text.strip(" \t\"'“”‘’«».,;:!?()[]")
    for tail in ("'s", "’s"):
        if text.endswith(tail):
            text = text[: -len(tail)]
    text = text.strip()
    if not text or len(text) > 80 or not any(c.isalnum() for c in text):
        return ""
    return text


def _short(text: str, width: int = 32) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def _html(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def install(window: WindowAPI, needs: Needs) -> EntitiesFeature:
    return EntitiesFeature(window, needs)
