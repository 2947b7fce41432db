"""Notes in the window: highlights and margin markers in every reader view, the Notes dock,
"Add Note" (Ctrl+Shift+N and the reader's context menu), undo/redo, export and import.

Installed through :mod:`reader.gui.features`. Every change goes through a QUndoStack, so
delete and edits are undoable (Ctrl+Z / Ctrl+Shift+Z) for the whole session; each
command is one store transaction. Re-anchoring runs when a document is shown and only
does work when its text changed since the notes were last anchored.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QEvent, QObject, QRectF, Qt, QTimer
from PySide6.QtGui import (
    QAction,
    QColor,
    QGuiApplication,
    QKeySequence,
    QPainter,
    QTextCharFormat,
    QTextCursor,
    QUndoCommand,
    QUndoStack,
)
from PySide6.QtWidgets import QFileDialog, QMenu, QMessageBox, QWidget

from reader.core.errors import ReaderError
from reader.core.keymap import HIGHLIGHT_KEY
from reader.core.notes.anchoring import ORPHAN
from reader.core.notes.exchange import merge_notes, parse_import, url_lookup
from reader.core.notes.model import COLORS, Note, NotesError, highlight_color, now_iso
from reader.core.notes.service import attach, corpus_key, new_note, refresh_anchors
from reader.core.notes.store import ANCHOR_FIELDS, NoteStore, StaleEdit
from reader.core.research.scope import Scope, select_notes
from reader.gui.notes.panel import NotesPanel
from reader.gui.notes.review import NotesReview
from reader.gui.reader.layers import Layer, LayerSpan

ADD_NOTE_SHORTCUT = "Ctrl+Shift+N"
HIGHLIGHT_SHORTCUT = HIGHLIGHT_KEY
#: the export dialog's file types, in the order shown: label -> format
EXPORT_FILTERS: tuple[tuple[str, str], ...] = (
    ("Markdown with citations (*.md)", "md"), ("CSV (*.csv)", "csv"), ("JSON (*.json)", "json"),
    ("W3C Web Annotation (*.jsonld)", "w3c"), ("CSL-JSON for Zotero and pandoc (*.json)", "csl-json"),
    ("BibTeX (*.bib)", "bibtex"), ("RIS (*.ris)", "ris"))
DOCK_SHORTCUT = "Ctrl+Shift+M"
LAYER_PREFIX = "notes-"


# -- undo commands --------------------------------------------------------------------------
class _NoteCommand(QUndoCommand):
    """One undoable store action. The action already ran when the command is pushed, so the
    first redo is skipped; ``do``/``revert`` are the store calls that replay and reverse it."""

    def __init__(self, feature: NotesFeature, text: str, do: Callable[[], object],
                 revert: Callable[[], object]) -> None:
        super().__init__(text)
        self.feature = feature
        self._do, self._revert = do, revert
        self._first = True

    def redo(self) -> None:
        if self._first:
            self._first = False
            return
        self.feature.run_safely(self._do)

    def undo(self) -> None:
        self.feature.run_safely(self._revert)


class AddNoteCommand(_NoteCommand):
    def __init__(self, feature: NotesFeature, note: Note) -> None:
        super().__init__(feature, "Add Note", lambda: feature.store.put(note), lambda: feature.store.delete(note.id))
        self.note = note


class DeleteNoteCommand(_NoteCommand):
    def __init__(self, feature: NotesFeature, note: Note) -> None:
        super().__init__(feature, "Delete Note", lambda: feature.store.delete(note.id),
                         lambda: feature.store.put(note))
        self.note = note


class EditNoteCommand(_NoteCommand):
    """A change of one note; consecutive typing in the same note merges into one step.

    Replaying or reversing writes only the ``fields`` this edit changed, so undo never
    overwrites what another process changed in the note's other fields meanwhile."""

    MERGE_ID = 5150

    def __init__(self, feature: NotesFeature, before: Note, after: Note, text: str, typing: bool,
                 fields: tuple[str, ...] = ("body", "tags", "color")) -> None:
        # read self.after at replay time: merging later keystrokes replaces it
        super().__init__(feature, text, lambda: self._apply(self.after), lambda: self._apply(self.before))
        self.before = before
        self.after = after
        self.typing = typing
        self.fields = fields

    def _apply(self, note: Note) -> None:
        self.feature.store.update(note.id, **{f: getattr(note, f) for f in self.fields})

    def id(self) -> int:
        return self.MERGE_ID if self.typing else -1

    def mergeWith(self, other: QUndoCommand) -> bool:
        if isinstance(other, EditNoteCommand) and other.typing and other.before.id == self.before.id:
            self.after = other.after
            return True
        return False


# -- margin markers ----------------------------------------------------------------------------
class MarginMarkers(QWidget):
    """A transparent layer over a text pane's viewport drawing a bar beside each noted passage."""

    def __init__(self, view: Any, pane: Any) -> None:
        super().__init__(pane.widget.viewport())
        self.view = view
        self.pane = pane
        self.spans: list[tuple[int, int, str]] = []
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.setAttribute(Qt.WidgetAttribute.WA_NoSystemBackground)
        self.setObjectName("noteMarkers")
        pane.widget.viewport().installEventFilter(self)
        pane.widget.verticalScrollBar().valueChanged.connect(self._follow_scroll)
        self.resize(pane.widget.viewport().size())
        self.show()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Resize:
            self.resize(self.pane.widget.viewport().size())
            self.raise_()
        return False

    def _follow_scroll(self) -> None:
        """Scrolling the text moves the viewport's children with it (QWidget.scroll); the bars are
        computed in viewport coordinates already, so the overlay must stay put at (0, 0)."""
        if self.pos().x() or self.pos().y():
            self.move(0, 0)
        self.update()

    def set_spans(self, spans: list[tuple[int, int, str]]) -> None:
        self.spans = spans
        self.raise_()
        self.update()

    def marker_rects(self) -> list[tuple[QRectF, str]]:
        """Where each marker is drawn (viewport coordinates), for painting and tests."""
        pane, widget = self.pane, self.pane.widget
        out: list[tuple[QRectF, str]] = []
        if self.view.doc is None or pane.end <= pane.start or not self.view.layer_allowed(LAYER_PREFIX):
            return out  # a presented step that keeps notes private draws no bars either
        qdoc = widget.document()
        left = qdoc.rootFrame().frameFormat().leftMargin()
        for start, end, color in self.spans:
            if end <= pane.start or start >= pane.end:
                continue
            cur = QTextCursor(qdoc)
            cur.setPosition(pane.map.to_qt(max(start, pane.start)))
            top = widget.cursorRect(cur)
            cur.setPosition(pane.map.to_qt(min(end, pane.end)))
            bottom = widget.cursorRect(cur)
            x = max(2.0, left - 12 - widget.horizontalScrollBar().value())
            out.append((QRectF(x, top.top(), 4, max(bottom.bottom() - top.top(), top.height())), color))
        return out

    def paintEvent(self, _event: Any) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        for rect, color in self.marker_rects():
            if rect.bottom() < 0 or rect.top() > self.height():
                continue
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(QColor(COLORS.get(color, "#888888")))
            painter.drawRoundedRect(rect, 2, 2)
        painter.end()


# -- the feature ----------------------------------------------------------------------------------
class NotesFeature(QObject):
    """Owns the notes store for the window's lifetime and keeps every view in step with it."""

    def __init__(self, window: Any) -> None:
        super().__init__(window)
        self.window = window
        self.store = NoteStore.open(window.ctx.paths.data_dir)
        self.notice = self.store.notice
        self.undo_stack = QUndoStack(self)
        self.markers: dict[int, list[MarginMarkers]] = {}
        self._views: dict[int, Any] = {}
        self.panel = NotesPanel(window)
        self.review = NotesReview(self)  # the dock's Review tab: notes whose place changed
        self.dock = window.add_dock(self.panel, "Notes", "notes", Qt.DockWidgetArea.RightDockWidgetArea,
                                    DOCK_SHORTCUT)
        if not (window.persist and window.settings.get("window.state")):
            self.dock.hide()  # opens with the first note added, or View ▸ Notes (Ctrl+Shift+M)
        self._build_actions()
        self.panel.jumpRequested.connect(self.jump_to)
        self.panel.editRequested.connect(self.edit_note)
        self.panel.deleteRequested.connect(self.delete_note)
        self.panel.attachRequested.connect(self.attach_to_selection)
        self.panel.scopeChanged.connect(self.refresh_panel)
        window.corpusLoaded.connect(self.on_corpus_loaded)
        window.documentOpened.connect(lambda _doc_id: self.refresh_panel())
        window.readerViewAdded.connect(self.add_view)
        for view in window.reader_views():
            self.add_view(view)
        window.installEventFilter(self)
        if self.notice:
            window.notices.append(self.notice)
            window.statusBar().showMessage(self.notice, 20000)
            if window.persist:
                QTimer.singleShot(0, self._show_notice_box)

    # -- wiring ---------------------------------------------------------------------------------
    def _build_actions(self) -> None:
        w = self.window
        self.act_add = QAction("Add &Note", w)
        self.act_add.setShortcut(QKeySequence(ADD_NOTE_SHORTCUT))
        self.act_add.setStatusTip("Add a note on the selected passage (on the whole document if none)")
        self.act_add.triggered.connect(lambda: self.add_note())
        w.addAction(self.act_add)
        self.act_undo = self.undo_stack.createUndoAction(w, "&Undo")
        self.act_undo.setShortcuts([QKeySequence(QKeySequence.StandardKey.Undo)])
        self.act_redo = self.undo_stack.createRedoAction(w, "&Redo")
        self.act_redo.setShortcuts([QKeySequence("Ctrl+Shift+Z")])
        for act in (self.act_undo, self.act_redo):
            act.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
            w.addAction(act)
        self.act_highlight = QAction("&Highlight Passage", w)
        self.act_highlight.setShortcut(QKeySequence(HIGHLIGHT_SHORTCUT))
        self.act_highlight.setStatusTip("Mark the selected passage in a colour without writing a note")
        self.act_highlight.triggered.connect(lambda: self.highlight())
        w.addAction(self.act_highlight)
        edit = w.menus["edit"]
        edit.addSeparator()
        for act in (self.act_undo, self.act_redo, self.act_add, self.act_highlight):
            edit.addAction(act)
        self.act_export = QAction("Export &Notes…", w)
        self.act_export.triggered.connect(self.export_dialog)
        self.act_import = QAction("&Import Notes…", w)
        self.act_import.triggered.connect(self.import_dialog)
        file_menu = w.menus["file"]
        file_menu.insertSeparator(w.act_quit)
        file_menu.insertAction(w.act_quit, self.act_export)
        file_menu.insertAction(w.act_quit, self.act_import)

    def add_view(self, view: Any) -> None:
        known = self._views.get(id(view))
        if known is not None and known is view:
            return
        self._views[id(view)] = view
        self.markers[id(view)] = [MarginMarkers(view, pane) for pane in view.panes]
        view.documentShown.connect(lambda doc_id, v=view: self.on_document_shown(v, doc_id))
        view.contextMenuRequested.connect(lambda menu, s, e, v=view: self.on_context_menu(v, menu, s, e))
        view.spanClicked.connect(self.on_span_clicked)
        if view.doc is not None:
            self.on_document_shown(view, view.doc.id)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.window and event.type() == QEvent.Type.Close:
            self.close()
        return False

    def close(self) -> None:
        """Save anything typed and take a backup if the notes changed."""
        self.panel.flush()
        self.store.close()

    def _show_notice_box(self) -> None:
        box = QMessageBox(QMessageBox.Icon.Warning, "Notes", self.notice or "",
                          QMessageBox.StandardButton.Ok, self.window)
        box.setWindowModality(Qt.WindowModality.NonModal)
        self.notice_box = box
        box.open()

    # -- data -------------------------------------------------------------------------------------
    @property
    def key(self) -> str:
        return corpus_key(self.window.ctx)

    @property
    def corpus(self) -> Any:
        return self.window.corpus

    def run_safely(self, fn: Any) -> bool:
        """Run a store action; a refused write (full disk, read-only) is reported, never a crash."""
        try:
            fn()
        except ReaderError as exc:
            self.report(str(exc))
            return False
        finally:
            self.refresh()
        return True

    def report(self, message: str) -> None:
        self.window.statusBar().showMessage(message, 15000)
        if self.window.persist:
            QMessageBox.warning(self.window, "Notes", message)
        self.last_error = message

    def on_corpus_loaded(self) -> None:
        if self.corpus is None:
            return
        try:
            refresh_anchors(self.store, self.corpus, self.key)
        except ReaderError as exc:
            self.report(str(exc))
        self.refresh()

    def on_document_shown(self, view: Any, doc_id: str) -> None:
        if self.corpus is not None:
            try:
                refresh_anchors(self.store, self.corpus, self.key, [doc_id])
            except ReaderError as exc:
                self.report(str(exc))
        self.apply_layers(view)
        self.refresh_panel()

    def refresh(self) -> None:
        for view in self.window.reader_views():
            self.apply_layers(view)
        self.refresh_panel()

    def current_doc_id(self) -> str | None:
        doc = self.window.reader.doc
        return doc.id if doc is not None else None

    def refresh_panel(self) -> None:
        doc_id = self.current_doc_id()
        if self.panel.whole_corpus:
            notes = self.store.notes(corpus=self.key)
        else:
            notes = self.store.notes(corpus=self.key, doc=doc_id) if doc_id else []
        titles: dict[str, str] = {}
        if self.corpus is not None:
            for note in notes:
                if note.doc not in titles:
                    with contextlib.suppress(ReaderError):
                        titles[note.doc] = self.corpus.meta(note.doc).title
        self.panel.set_notes(notes, titles)
        self.review.refresh()

    def apply_layers(self, view: Any) -> None:
        for color in COLORS:
            if LAYER_PREFIX + color in view.layers:
                view.remove_layer(LAYER_PREFIX + color)
        spans: list[tuple[int, int, str]] = []
        if view.doc is not None:
            notes = [n for n in self.store.notes(corpus=self.key, doc=view.doc.id)
                     if n.start is not None and n.end is not None and n.status != ORPHAN]
            theme = view.theme
            background = theme.colors.get("reader_background", "#ffffff")
            by_color: dict[str, list[LayerSpan]] = {}
            for note in notes:
                assert note.start is not None and note.end is not None
                tip = (note.body.strip()[:300] or "(note without text)") + (
                    "\n" + " ".join(f"#{t}" for t in note.tags) if note.tags else "")
                by_color.setdefault(note.color, []).append(LayerSpan(note.start, note.end, note.id, tip))
                spans.append((note.start, note.end, note.color))
            for color, layer_spans in by_color.items():
                fmt = QTextCharFormat()
                fmt.setBackground(QColor(highlight_color(color, background, theme.is_dark)))
                fmt.setUnderlineStyle(QTextCharFormat.UnderlineStyle.SingleUnderline)
                fmt.setUnderlineColor(QColor(COLORS[color]))
                view.set_layer(Layer(LAYER_PREFIX + color, layer_spans, fmt, z=20))
        for marker in self.markers.get(id(view), []):
            marker.set_spans(spans)

    # -- actions ------------------------------------------------------------------------------------
    def _active_view(self) -> Any:
        views = self.window.reader_views()
        for view in views:
            if view.doc is not None and view.selected_range() is not None:
                return view
        focus = self.window.focusWidget()
        for view in views:
            if focus is not None and view.isAncestorOf(focus) and view.doc is not None:
                return view
        active = getattr(self.window, "active_reader", None)
        return active() if active is not None else self.window.reader

    def add_note(self, view: Any = None, start: int | None = None, end: int | None = None,
                 *, body: str = "", tags: object = (), color: str = "yellow", edit: bool = True) -> Note | None:
        """A note on the selection of ``view`` (or ``[start, end)``); the whole document if none.

        ``edit=False`` keeps the focus in the reader (a quick highlight needs no words)."""
        view = view or self._active_view()
        if view.doc is None:
            self.report("Open a document first, then select a passage to note.")
            return None
        if start is None:
            chosen = view.selected_range()
            if chosen is not None:
                start, end = chosen
        note = new_note(self.key, view.doc, start, end, body=body, tags=tags, color=color)
        if not self.run_safely(lambda: self.store.add(note)):
            return None
        self.undo_stack.push(AddNoteCommand(self, note))
        if not edit:
            self.window.statusBar().showMessage("Passage highlighted (Ctrl+Z to undo; it is listed with the notes)",
                                                5000)
            return note
        self.show_dock()
        self.panel.select(note.id)
        self.panel.edit_current()
        return note

    def highlight(self, view: Any = None, start: int | None = None, end: int | None = None) -> Note | None:
        """Hypothesis's quick highlight: mark the selected passage in a colour, with no note to write."""
        view = view or self._active_view()
        if start is None:
            chosen = view.selected_range() if view.doc is not None else None
            if chosen is None:  # a hint, not an error: no dialog
                self.window.statusBar().showMessage(f"Select a passage to highlight it ({HIGHLIGHT_KEY}).", 8000)
                return None
            start, end = chosen
        color = str(self.window.settings.get("notes.highlight_color") or "yellow")
        return self.add_note(view, start, end, color=color, edit=False)

    def edit_note(self, note_id: str, changes: dict[str, Any]) -> None:
        """Save the named fields; ``base`` is the copy the panel showed, so a note changed by another
        process meanwhile is merged field by field, or the edit refused with a message (StaleEdit)."""
        base = self.panel.note(note_id) or self.store.get(note_id)
        if base is None:
            return
        saved: list[Note] = []

        def save() -> None:
            try:
                saved.append(self.store.update(note_id, base=base, **changes, updated=now_iso()))
            except StaleEdit as exc:
                if "body" in changes:  # keep what was typed within reach
                    QGuiApplication.clipboard().setText(str(changes["body"]))
                    raise StaleEdit(f"{exc} Your text is on the clipboard.", exc.current) from None
                raise

        if not self.run_safely(save):
            return
        typing = set(changes) == {"body"}
        label = "Edit Note" if typing else "Change Note " + "/".join(sorted(changes))
        self.undo_stack.push(EditNoteCommand(self, base, saved[0], label, typing, tuple(sorted(changes))))

    def delete_note(self, note_id: str) -> None:
        note = self.store.get(note_id)
        if note is None:
            return
        if self.panel.current_id == note_id:
            self.panel.flush()
            note = self.store.get(note_id) or note
        if self.run_safely(lambda: self.store.delete(note_id)):
            self.undo_stack.push(DeleteNoteCommand(self, note))
            self.window.statusBar().showMessage("Note deleted (Ctrl+Z to undo)", 5000)

    def attach_to_selection(self, note_id: str) -> None:
        note = self.store.get(note_id)
        view = self._active_view()
        chosen = view.selected_range() if view.doc is not None else None
        if note is None or chosen is None:
            self.report("Select the passage in the reader first, then click Attach to selection.")
            return
        after = attach(note, view.doc, chosen[0], chosen[1])
        moved = {f: getattr(after, f) for f in ANCHOR_FIELDS}
        if self.run_safely(lambda: self.store.update(note_id, base=note, **moved)):
            self.undo_stack.push(EditNoteCommand(self, note, after, "Re-attach Note", False, ANCHOR_FIELDS))
            self.panel.select(note_id)

    def jump_to(self, note_id: str) -> None:
        note = self.store.get(note_id)
        if note is None:
            return
        shown = self.window.reader.doc
        if (shown is None or shown.id != note.doc) and not self.window.open_document(note.doc):
            return
        if note.start is not None and note.end is not None:
            self.window.reader.select_range(note.start, note.end)
        self.panel.select(note_id)

    def on_context_menu(self, view: Any, menu: QMenu, start: int, end: int) -> None:
        menu.addSeparator()
        act = menu.addAction("Add Note" if end > start else "Add Note on Document")
        act.setShortcut(QKeySequence(ADD_NOTE_SHORTCUT))
        act.triggered.connect(lambda: self.add_note(view, start if end > start else None,
                                                    end if end > start else None))
        if end > start:
            mark = menu.addAction("Highlight Passage")
            mark.setShortcut(QKeySequence(HIGHLIGHT_SHORTCUT))
            mark.triggered.connect(lambda: self.highlight(view, start, end))
        here = [s for _layer, s in view.spans_at(start) if _layer.name.startswith(LAYER_PREFIX)]
        for span in here[:3]:
            edit = menu.addAction("Edit Note…")
            edit.triggered.connect(lambda _c=False, k=span.key: self.show_note(k))
            delete = menu.addAction("Delete Note")
            delete.triggered.connect(lambda _c=False, k=span.key: self.delete_note(k))

    def on_span_clicked(self, layer: str, key: str, _offset: int) -> None:
        if layer.startswith(LAYER_PREFIX):
            self.show_note(key)

    def show_dock(self) -> None:
        self.dock.show()
        self.dock.raise_()  # it may share a tabbed area with other docks

    def show_note(self, note_id: str) -> None:
        self.show_dock()
        self.panel.select(note_id)

    # -- files -------------------------------------------------------------------------------------
    def export_dialog(self) -> None:
        """Choose what (scope), then where and in which format; the last folder is remembered."""
        scope = self.ask_scope()
        if scope is None:
            return
        settings = self.window.settings
        folder = str(settings.get("export.last_folder") or "")
        start = Path(folder) if folder and Path(folder).is_dir() else Path.home()
        path, chosen = QFileDialog.getSaveFileName(self.window, "Export notes", str(start / "notes.md"),
                                                   ";;".join(label for label, _fmt in EXPORT_FILTERS))
        if not path:
            return
        fmt = dict(EXPORT_FILTERS).get(chosen, "md")
        if self.export_to(Path(path), fmt, scope) is not None:
            settings.set("export.last_folder", str(Path(path).parent))

    def ask_scope(self) -> Scope | None:
        """The notes an export covers: all, the open document, a tag, or the current search's documents."""
        from PySide6.QtWidgets import QInputDialog

        view = self._active_view()
        notes = self.store.notes(corpus=self.key)
        tags = sorted({t for n in notes for t in n.tags}, key=str.casefold)
        search = self.window.features.get("search")
        query = search.panel.query().strip() if search is not None else ""
        options: list[tuple[str, Scope]] = [("All notes of this corpus", Scope("all"))]
        if view.doc is not None:
            options.append((f"Notes on “{view.doc.meta.title}”", Scope("doc", (view.doc.id,))))
        options += [(f"Notes tagged #{t}", Scope("tag", (t,))) for t in tags]
        if query and not query.lower().startswith("note:"):
            options.append((f"Notes on documents matching “{query}”", Scope("search", (query,))))
        if len(options) == 1:
            return options[0][1]
        label, ok = QInputDialog.getItem(self.window, "Export notes", "Which notes?", [o[0] for o in options], 0,
                                         False)
        return dict(options).get(label) if ok else None

    def export_to(self, path: Path, fmt: str, scope: Scope | None = None) -> int | None:
        """Write the export; the number of notes written, or None when it could not be written."""
        from reader.core.atomic import atomic_write_text
        from reader.core.notes.exchange import load_origins
        from reader.core.research.note_citations import render_notes_export

        try:
            notes = select_notes(self.store.notes(corpus=self.key), scope or Scope("all"), self._search_ids)
            title = f"Notes: {self.corpus.info.title}" if self.corpus is not None else "Notes"
            style = str(self.window.settings.get("research.citation_style") or "apa")
            text = render_notes_export(notes, self.corpus, fmt, style=style if fmt == "md" else None, title=title,
                                       origins=load_origins(self.store))
            atomic_write_text(path, text, mode=0o600)
        except OSError as exc:
            self.report(f"Could not write {path}: {exc.strerror or exc}")
            return None
        except ReaderError as exc:
            self.report(f"Could not export: {exc}")
            return None
        self.window.statusBar().showMessage(f"Exported {len(notes)} notes to {path}", 8000)
        return len(notes)

    def _search_ids(self, query: str) -> set[str]:
        from reader.core.research.scope import documents_matching

        search = self.window.features.get("search")
        if search is None or search.engine is None:
            raise ReaderError("the search index is not ready")
        return documents_matching(search.engine, query)

    def import_dialog(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self.window, "Import notes", str(Path.home()),
                                              "Notes (*.json *.jsonld);;All files (*)")
        if path:
            self.import_from(Path(path))

    def import_from(self, path: Path) -> None:
        try:
            metas = self.corpus.metas() if self.corpus is not None else []
            incoming = parse_import(path.read_text(encoding="utf-8"), self.key, url_lookup(metas))
            result = merge_notes(self.store, incoming)
        except (OSError, UnicodeDecodeError) as exc:
            self.report(f"Could not read {path}: {exc}")
            return
        except NotesError as exc:
            self.report(str(exc))
            return
        self.on_corpus_loaded()
        self.window.statusBar().showMessage(
            f"Imported {path.name}: {result.added} added, {result.updated} updated, "
            f"{result.unchanged} already present", 8000)
        if incoming.missing_urls:
            self.report(f"{len(incoming.missing_urls)} annotated page(s) are not in this corpus; import the pages, "
                        f"then the notes again: {', '.join(incoming.missing_urls[:3])}")


def install(window: Any) -> NotesFeature:
    return NotesFeature(window)
