"""Lessons in the window: the lesson editor dock, capturing and applying steps, presenting.

A step is applied by driving the compare view (documents, sync mode, followed entity), the
layer features (entities, framing, notes: each exposes ``set_enabled``) and each pane's scroll
position, found from the step's quoted passage like a note re-anchors.
"""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QCheckBox,
    QFileDialog,
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QListView,
    QMenu,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from reader.core.errors import ReaderError
from reader.core.lessons.model import LAYERS, Lesson, Step
from reader.core.lessons.validate import LessonError, find_passage, load_lesson
from reader.core.text import paragraph_spans
from reader.gui.lessons.presentation import Presenter
from reader.gui.lessons.session import LessonSession

SAMPLE_NAME = "kazakhstan-five-outlets.yaml"


def lesson_folders(window: Any) -> list[Path]:
    """Lessons live beside a corpus (``lessons/``) and in the user's data dir."""
    folders = [window.ctx.corpus_root / "lessons", window.ctx.paths.data_dir / "lessons"]
    return [f for f in folders if f.is_dir()]


class LessonEditor(QWidget):
    """Steps list and the selected step's title, prompt, speaker notes and reveal choices."""

    def __init__(self, feature: LessonsFeature) -> None:
        super().__init__()
        self.feature = feature
        session = feature.session
        self.heading = QLabel("No lesson open. Lessons ▸ Open Lesson… or New Lesson…", self)
        self.heading.setWordWrap(True)
        self.steps = QListView(self)
        self.steps.setModel(session.model)
        self.steps.setAccessibleName("Lesson steps")
        self.steps.activated.connect(lambda index: feature.go_to_step(index.row()))
        self.steps.selectionModel().currentChanged.connect(lambda *_: self._load_fields())
        buttons = QGridLayout()  # two rows of three: the dock stays narrow enough for a laptop
        self.btn_add = QPushButton("&Add View", self)
        self.btn_add.setToolTip("Add the current view as a step (Ctrl+Alt+A)")
        self.btn_dup = QPushButton("D&uplicate", self)
        self.btn_del = QPushButton("&Delete", self)
        self.btn_up = QPushButton("Up", self)
        self.btn_down = QPushButton("Down", self)
        self.btn_present = QPushButton("&Present", self)
        self.btn_present.setToolTip("Present from the selected step (F5)")
        for i, (btn, name) in enumerate(((self.btn_add, "Add current view as step"), (self.btn_dup, "Duplicate step"),
                                         (self.btn_del, "Delete step"), (self.btn_up, "Move step up"),
                                         (self.btn_down, "Move step down"), (self.btn_present, "Start presentation"))):
            btn.setAccessibleName(name)
            buttons.addWidget(btn, i // 3, i % 3)
        self.title = QLineEdit(self)
        self.title.setAccessibleName("Step title")
        self.prompt = QPlainTextEdit(self)
        self.prompt.setAccessibleName("Question for the room")
        self.prompt.setTabChangesFocus(True)
        self.prompt.setMaximumHeight(80)
        self.notes = QPlainTextEdit(self)
        self.notes.setAccessibleName("Speaker notes")
        self.notes.setTabChangesFocus(True)
        self.notes.setMaximumHeight(100)
        self.reveal: dict[str, QCheckBox] = {}
        reveal_row = QHBoxLayout()
        for name in LAYERS:
            box = QCheckBox(name, self)
            box.setAccessibleName(f"Hide {name} until revealed")
            box.toggled.connect(self._reveal_changed)
            self.reveal[name] = box
            reveal_row.addWidget(box)
        form = QFormLayout()
        form.addRow("&Title", self.title)
        form.addRow("&Question", self.prompt)
        form.addRow("Speaker &notes", self.notes)
        form.addRow("Reveal later", reveal_row)
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addWidget(self.steps, 1)
        layout.addLayout(buttons)
        layout.addLayout(form)
        self.btn_add.clicked.connect(feature.add_current_view)
        self.btn_dup.clicked.connect(lambda: self._with_row(session.duplicate_step))
        self.btn_del.clicked.connect(lambda: self._with_row(session.delete_step))
        self.btn_up.clicked.connect(lambda: self._move(-1))
        self.btn_down.clicked.connect(lambda: self._move(+1))
        self.btn_present.clicked.connect(lambda: feature.present(max(0, self.current_row())))
        self.title.textEdited.connect(lambda text: self._set("title", text))
        self.prompt.textChanged.connect(lambda: self._set("prompt", self.prompt.toPlainText()))
        self.notes.textChanged.connect(lambda: self._set("notes", self.notes.toPlainText()))
        session.changed.connect(self._on_changed)
        self._loading = False
        self._on_changed()

    def current_row(self) -> int:
        index = self.steps.currentIndex()
        return index.row() if index.isValid() else -1

    def select_row(self, row: int) -> None:
        if 0 <= row < self.feature.session.model.rowCount():
            self.steps.setCurrentIndex(self.feature.session.model.index(row))

    def _with_row(self, fn: Any) -> None:
        row = self.current_row()
        if row >= 0:
            fn(row)
            self.select_row(min(row, self.feature.session.model.rowCount() - 1))

    def _move(self, delta: int) -> None:
        row = self.current_row()
        if row >= 0:
            self.select_row(self.feature.session.move_step(row, delta))

    def _set(self, name: str, value: Any) -> None:
        row = self.current_row()
        if self._loading or row < 0:
            return
        step = self.feature.session.lesson.steps[row]
        if getattr(step, name) != value:
            self.feature.session.set_field(row, name, value)

    def _reveal_changed(self) -> None:
        self._set("reveal", [name for name, box in self.reveal.items() if box.isChecked()])

    def _on_changed(self) -> None:
        session = self.feature.session
        lesson = session.lesson
        has = lesson is not None
        for widget in (self.btn_add, self.btn_dup, self.btn_del, self.btn_up, self.btn_down, self.btn_present,
                       self.title, self.prompt, self.notes, *self.reveal.values()):
            widget.setEnabled((has and not session.read_only) or (widget is self.btn_present and has))
        if lesson is not None:
            where = f"{session.path}" if session.path else "unsaved"
            ro = "  (read-only sample: Lessons ▸ Save Lesson As… to edit a copy)" if session.read_only else ""
            self.heading.setText(f"<b>{lesson.title}</b> · {len(lesson.steps)} steps<br>"
                                 f"<small>{where}{ro}</small>")
        if self.current_row() < 0 and has and lesson.steps:
            self.select_row(0)
        self._load_fields()

    def _load_fields(self) -> None:
        lesson = self.feature.session.lesson
        row = self.current_row()
        step = lesson.steps[row] if lesson is not None and 0 <= row < len(lesson.steps) else None
        self._loading = True
        try:
            if self.title.text() != (step.title if step else ""):
                self.title.setText(step.title if step else "")
            if self.prompt.toPlainText() != (step.prompt if step else ""):
                self.prompt.setPlainText(step.prompt if step else "")
            if self.notes.toPlainText() != (step.notes if step else ""):
                self.notes.setPlainText(step.notes if step else "")
            for name, box in self.reveal.items():
                box.setChecked(bool(step and name in step.reveal))
        finally:
            self._loading = False


class LessonsFeature:
    """The Lessons menu, the editor dock and the presenter."""

    def __init__(self, window: Any) -> None:
        self.window = window
        self.session = LessonSession(window)
        self.session.saveFailed.connect(lambda msg: window.statusBar().showMessage(msg, 10000))
        self.presenter = Presenter(window, self)
        self.editor = LessonEditor(self)
        self.dock = window.add_dock(self.editor, "Lesson", "lesson", Qt.DockWidgetArea.RightDockWidgetArea)
        if not window.settings.get("window.state"):
            self.dock.hide()
        self._layer_state: dict[str, bool] | None = None
        menu = QMenu("&Lessons", window)
        window.menuBar().insertMenu(window.menus["help"].menuAction(), menu)
        window.menus["lessons"] = menu

        def action(text: str, slot: Any, shortcut: str | None = None) -> QAction:
            act = QAction(text, window)
            if shortcut:
                act.setShortcut(QKeySequence(shortcut))
            act.triggered.connect(slot)
            menu.addAction(act)
            window.addAction(act)
            return act

        self.act_new = action("&New Lesson…", self.new_lesson)
        self.act_open = action("&Open Lesson…", self.choose_lesson)
        self.act_sample = action("Open &Sample Lesson", self.open_sample)
        self.act_save_as = action("Sa&ve Lesson As…", self.save_as)
        menu.addSeparator()
        self.act_add = action("&Add Current View as Step", self.add_current_view, "Ctrl+Alt+A")
        self.act_undo = self.session.undo.createUndoAction(window, "&Undo Lesson Edit")
        self.act_redo = self.session.undo.createRedoAction(window, "&Redo Lesson Edit")
        self.act_undo.setShortcut(QKeySequence("Ctrl+Alt+Z"))
        self.act_redo.setShortcut(QKeySequence("Ctrl+Alt+Shift+Z"))
        for act in (self.act_undo, self.act_redo):
            menu.addAction(act)
            window.addAction(act)
        menu.addSeparator()
        self.act_present = action("&Present", lambda: self.present(max(0, self.editor.current_row())), "F5")
        self.act_export_pdf = action("Export Handout as &PDF…", lambda: self.export("pdf"))
        self.act_export_html = action("Export Handout as &HTML…", lambda: self.export("html"))
        menu.addSeparator()
        menu.addAction(self.dock.toggleViewAction())

    # -- files --------------------------------------------------------------------
    def open_file(self, path: Path, *, read_only: bool = False) -> bool:
        try:
            lesson, problems = load_lesson(path)
        except LessonError as exc:
            QMessageBox.warning(self.window, "Cannot open lesson", str(exc))
            return False
        errors = [p for p in problems if p.severity == "error"]
        if errors:
            self.window.statusBar().showMessage(f"Lesson has {len(errors)} problem(s): {errors[0]}", 10000)
        sample = self.window.ctx.corpus_root / "lessons"
        read_only = read_only or (self.window.corpus is not None and self.window.corpus.read_only
                                  and path.resolve().parent == sample.resolve())
        self.session.open(lesson, path, read_only=read_only)
        self.dock.show()
        return True

    def open_sample(self) -> None:
        path = self.window.ctx.corpus_root / "lessons" / SAMPLE_NAME
        if path.exists():
            self.open_file(path)
        else:
            self.window.statusBar().showMessage("This corpus has no sample lesson.", 5000)

    def choose_lesson(self) -> None:
        start = str((lesson_folders(self.window) or [Path.home()])[0])
        name, _ = QFileDialog.getOpenFileName(self.window, "Open lesson", start, "Lessons (*.yaml *.yml)")
        if name:
            self.open_file(Path(name))

    def new_lesson(self) -> None:
        title, ok = QInputDialog.getText(self.window, "New lesson", "Lesson title:")
        if not ok or not title.strip():
            return
        folder = self.window.ctx.paths.data_dir / "lessons"
        slug = "".join(c if c.isalnum() else "-" for c in title.lower()).strip("-") or "lesson"
        path = folder / f"{slug}.yaml"
        n = 2
        while path.exists():
            path = folder / f"{slug}-{n}.yaml"
            n += 1
        self.session.open(Lesson(title=title.strip(), steps=[]), path)
        self.session.save_now()
        self.dock.show()

    def save_as(self) -> None:
        if self.session.lesson is None:
            return
        start = str(self.window.ctx.paths.data_dir / "lessons")
        name, _ = QFileDialog.getSaveFileName(self.window, "Save lesson as", start, "Lessons (*.yaml)")
        if name:
            self.session.path, self.session.read_only = Path(name), False
            self.session.save_now()
            self.session.changed.emit()

    def export(self, fmt: str) -> None:
        lesson, path = self.session.lesson, self.session.path
        if lesson is None or self.window.corpus is None:
            return
        name, _ = QFileDialog.getSaveFileName(self.window, "Export handout", str(Path.home() / f"handout.{fmt}"),
                                              f"{fmt.upper()} (*.{fmt})")
        if not name:
            return
        from reader.core.atomic import atomic_write_text
        from reader.core.lessons.handout import handout_html
        from reader.core.lessons.sources import handout_sources

        html = handout_html(lesson, self.window.corpus, handout_sources(self.window.ctx))
        if fmt == "html":
            atomic_write_text(Path(name), html)
        else:
            from reader.gui.lessons.handout_pdf import lesson_to_pdf

            lesson_to_pdf(lesson, self.window.corpus, handout_sources(self.window.ctx), Path(name))
        self.window.statusBar().showMessage(f"Handout written to {name} (from {path})", 8000)

    # -- steps --------------------------------------------------------------------
    def capture_step(self) -> Step:
        """The whole compare view as a step: documents, sync, focus, layers, scroll passages."""
        w = self.window
        views = [v for v in w.reader_views() if v.doc is not None]
        compare = w.compare
        layers = {name: self._layer_on(name) for name in LAYERS}
        scroll = {}
        for view in views:
            quote = top_passage(view)
            if quote:
                scroll[view.doc.id] = quote
        title = " · ".join(v.doc.meta.outlet or v.doc.id for v in views) or "Step"
        framing = w.features.get("framing")
        techniques = []
        if framing is not None and getattr(framing, "hidden", None):
            with contextlib.suppress(Exception):
                techniques = [t for t in framing.technique_ids() if t not in framing.hidden]
        return Step(title=title, documents=[v.doc.id for v in views], sync=compare.sync.mode,
                    focus=compare.entity_id or None, layers=layers, techniques=techniques, scroll=scroll)

    def add_current_view(self) -> None:
        if self.session.lesson is None:
            self.new_lesson()
            if self.session.lesson is None:
                return
        if self.session.read_only:
            self.window.statusBar().showMessage("The sample lesson is read-only: Save Lesson As… first.", 6000)
            return
        if not any(v.doc is not None for v in self.window.reader_views()):
            self.window.statusBar().showMessage("Open a document first.", 5000)
            return
        row = self.editor.current_row()
        at = row + 1 if row >= 0 else None
        index = self.session.add_step(self.capture_step(), at)
        self.editor.select_row(index)

    def _layer_on(self, name: str) -> bool:
        return bool(self.window.settings.get(f"{name}.show")) if _has_setting(f"{name}.show") else False

    def apply_layers(self, step: Step, *, revealed: bool) -> None:
        if self._layer_state is None:
            self._layer_state = {name: self._layer_on(name) for name in LAYERS}
        for name, on in step.visible_layers(revealed).items():
            feature = self.window.features.get(name)
            if feature is not None and hasattr(feature, "set_enabled"):
                with contextlib.suppress(ReaderError):
                    feature.set_enabled(on)

    def restore_layers(self) -> None:
        if self._layer_state is None:
            return
        for name, on in self._layer_state.items():
            feature = self.window.features.get(name)
            if feature is not None and hasattr(feature, "set_enabled"):
                with contextlib.suppress(ReaderError):
                    feature.set_enabled(on)
        self._layer_state = None

    def apply_step(self, step: Step, *, revealed: bool = False) -> None:
        w = self.window
        if w.corpus is None:
            return
        docs = [d for d in step.documents if d in w.corpus]
        if not docs:
            w.statusBar().showMessage("None of this step's documents is in the corpus.", 6000)
            return
        compare = w.compare
        compare.close_all_but_main()
        w.open_document(docs[0])
        for doc_id in docs[1:]:
            compare.open_beside(doc_id, after=w.reader_views()[-1])
        compare.set_mode(step.sync, save=False)
        if step.focus:
            compare.set_entity(step.focus, go_first=not step.scroll, save=False)
        self.apply_layers(step, revealed=revealed)
        QApplicationProcess.settle()
        self.restore_scroll(step)

    def restore_scroll(self, step: Step) -> None:
        """Scroll each pane to its passage with sync held, so panes keep exactly the saved places."""
        compare = self.window.compare
        QApplicationProcess.settle()
        held, compare.sync._lock = compare.sync._lock, True
        try:
            for view in self.window.reader_views():
                quote = step.scroll.get(view.doc.id) if view.doc is not None else None
                offset = find_passage(view.doc.text, quote) if quote and view.doc is not None else None
                if offset is not None:
                    scroll_to_top(view, offset)
        finally:
            compare.sync._lock = held
        compare.sync.invalidate()

    def go_to_step(self, row: int) -> None:
        lesson = self.session.lesson
        if lesson is not None and 0 <= row < len(lesson.steps):
            if self.presenter.active:
                self.presenter.go(row)
            else:
                self.apply_step(lesson.steps[row], revealed=True)

    def present(self, index: int = 0, *, fullscreen: bool = True) -> None:
        self.presenter.start(index, fullscreen=fullscreen)


class QApplicationProcess:
    """Let pending layouts finish (panes must be laid out before scroll positions mean anything)."""

    @staticmethod
    def settle() -> None:
        from PySide6.QtWidgets import QApplication

        for _ in range(2):
            QApplication.processEvents()


def _has_setting(name: str) -> bool:
    from reader.core.settings import SETTINGS

    return any(s.name == name for s in SETTINGS)


def top_passage(view: Any, length: int = 80) -> str:
    """The start of the first paragraph visible at the top of a pane: the step's scroll anchor."""
    if view.doc is None:
        return ""
    offset = view.offset_at(view.text.viewport().rect().topLeft()) or 0
    for start, end in paragraph_spans(view.doc.text):
        if end > offset:
            text = view.doc.text[start:end]
            cut = text.rfind(" ", 0, length)
            return text[: cut if cut > 20 else length]
    return ""


def scroll_to_top(view: Any, offset: int) -> None:
    """Put the paragraph holding ``offset`` at the top of the pane."""
    pane = view.pane_for(offset)
    widget = pane.widget
    from PySide6.QtGui import QTextCursor

    cursor = QTextCursor(widget.document())
    cursor.setPosition(pane.map.to_qt(offset))
    rect = widget.cursorRect(cursor)
    bar = widget.verticalScrollBar()
    bar.setValue(bar.value() + rect.top() - 8)


def install(window: Any) -> LessonsFeature:
    return LessonsFeature(window)


__all__ = ["LessonsFeature", "install"]
