"""Window wiring for the compare view: the Compare menu, library "Open Beside" and drag, saved comparisons."""

from __future__ import annotations

import contextlib
from typing import Any

from PySide6.QtCore import QEvent, QObject, QPoint, Qt
from PySide6.QtGui import QAction, QActionGroup, QDrag, QKeySequence, QMouseEvent
from PySide6.QtWidgets import QApplication, QInputDialog, QMenu, QMessageBox

from reader.core.align.comparisons import Comparison, delete_comparison, load_comparisons, save_comparison
from reader.core.errors import ReaderError
from reader.gui.compare.scrollsync import MODES
from reader.gui.compare.view import MODE_LABELS, doc_mime
from reader.gui.reader.library import DocIdRole

#: Sync submenu text, with mnemonics (the toolbar's combo box shows MODE_LABELS without them)
MODE_MENU_TEXT = {"aligned": "&Aligned", "entity": "&Entity Lockstep", "proportional": "&Proportional", "off": "O&ff"}


class LibraryDrag(QObject):
    """Start a drag of a document id from the library table (drop it on the reader area)."""

    def __init__(self, view: Any) -> None:
        super().__init__(view)
        self.view = view
        self._press: QPoint | None = None
        view.viewport().installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.MouseButtonPress:
            assert isinstance(event, QMouseEvent)
            self._press = event.position().toPoint() if event.button() == Qt.MouseButton.LeftButton else None
        elif event.type() == QEvent.Type.MouseMove and self._press is not None:
            assert isinstance(event, QMouseEvent)
            pos = event.position().toPoint()
            if (event.buttons() & Qt.MouseButton.LeftButton) and \
                    (pos - self._press).manhattanLength() >= QApplication.startDragDistance():
                doc_id = self.view.indexAt(self._press).data(DocIdRole)
                self._press = None
                if doc_id:
                    drag = QDrag(self.view)
                    drag.setMimeData(doc_mime(str(doc_id)))
                    drag.exec(Qt.DropAction.CopyAction)
                    return True
        elif event.type() == QEvent.Type.MouseButtonRelease:
            self._press = None
        return False


class CompareActions(QObject):
    """The Compare menu and its actions; kept in ``window.compare_actions``."""

    def __init__(self, window: Any) -> None:
        super().__init__(window)
        self.window = window
        compare = window.compare
        menu = window.menus["compare"] = QMenu("&Compare", window)
        window.menuBar().insertMenu(window.menus["tools"].menuAction(), menu)
        self.menu = menu

        def action(text: str, slot: Any, shortcut: str | None = None, tip: str = "") -> QAction:
            act = QAction(text, window)
            if shortcut:
                act.setShortcut(QKeySequence(shortcut))
            if tip:
                act.setStatusTip(tip)
            act.triggered.connect(slot)
            window.addAction(act)
            menu.addAction(act)
            return act

        self.open_beside = action("Open &Beside", self.open_selected_beside, "Ctrl+Shift+O",
                                  "Open the document selected in the library in a new pane beside this one")
        self.close_pane = action("&Close Pane", lambda: compare.close_view(window.active_reader()), "Ctrl+W")
        self.swap = action("&Swap with Neighbour", compare.swap_active, "Alt+\\",
                           "Swap the active pane with its right neighbour")
        self.move_left = action("Move Pane &Left", lambda: compare.move_view(window.active_reader(), -1),
                                "Ctrl+Alt+Left")
        self.move_right = action("Move Pane &Right", lambda: compare.move_view(window.active_reader(), +1),
                                 "Ctrl+Alt+Right")
        menu.addSeparator()
        for act in (compare.act_pair_next, compare.act_pair_prev, compare.act_entity_next, compare.act_entity_prev,
                    compare.act_word_diff, compare.act_weak):
            window.addAction(act)
            menu.addAction(act)
        compare.act_pair_next.setText("Next Aligned &Pair")
        compare.act_pair_prev.setText("Previous Aligned Pai&r")
        compare.act_entity_next.setText("Next &Mention of Followed Entity")
        compare.act_entity_prev.setText("Previous Mention of Followed Entit&y")
        for act, short in ((compare.act_pair_next, "↓ Pair"), (compare.act_pair_prev, "↑ Pair"),
                           (compare.act_entity_next, "Next ▶"), (compare.act_entity_prev, "◀ Previous")):
            act.setIconText(short)
        sync_menu = menu.addMenu("S&ync")
        group = QActionGroup(self)
        self.mode_actions: dict[str, QAction] = {}
        for mode in MODES:
            act = QAction(MODE_MENU_TEXT.get(mode, MODE_LABELS[mode]), window, checkable=True)
            act.triggered.connect(lambda _=False, m=mode: compare.set_mode(m))
            group.addAction(act)
            sync_menu.addAction(act)
            self.mode_actions[mode] = act
        sync_menu.aboutToShow.connect(lambda: self.mode_actions[compare.sync.mode].setChecked(True))
        menu.addSeparator()
        self.save = action("Save Comparison &As…", self.save_comparison, tip="Keep this set of panes under a name")
        self.saved_menu = menu.addMenu("Saved C&omparisons")
        self.saved_menu.aboutToShow.connect(self._fill_saved)
        self.single = action("Back to a &Single Reader", compare.close_all_but_main)
        compare.panesChanged.connect(self._update_enabled)
        self._update_enabled()
        library = window.library
        library.view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        library.view.customContextMenuRequested.connect(self._library_menu)
        self.drag = LibraryDrag(library.view)
        library.besideRequested.connect(lambda doc_id: window.compare.open_beside(doc_id))

    def _update_enabled(self) -> None:
        multi = len(self.window.reader_views()) > 1
        for act in (self.close_pane, self.swap, self.move_left, self.move_right, self.save, self.single):
            act.setEnabled(multi)

    def open_selected_beside(self) -> None:
        index = self.window.library.view.currentIndex()
        doc_id = index.data(DocIdRole) if index.isValid() else None
        if doc_id:
            self.window.compare.open_beside(str(doc_id))
        else:
            self.window.statusBar().showMessage("Select a document in the library first.", 4000)

    def _library_menu(self, pos: QPoint) -> None:
        view = self.window.library.view
        index = view.indexAt(pos)
        doc_id = index.data(DocIdRole) if index.isValid() else None
        if not doc_id:
            return
        menu = QMenu(view)
        menu.addAction("Open", lambda: self.window.open_document(str(doc_id)))
        beside = menu.addAction("Open Beside", lambda: self.window.compare.open_beside(str(doc_id)))
        beside.setShortcut(self.open_beside.shortcut())
        beside.setEnabled(self.window.reader.doc is not None and len(self.window.reader_views()) < 4)
        menu.exec(view.viewport().mapToGlobal(pos))

    def current(self, name: str) -> Comparison:
        compare = self.window.compare
        return Comparison(name, tuple(v.doc.id for v in compare.views() if v.doc), compare.sync.mode,
                          compare.entity_id)

    def save_comparison(self) -> None:
        name, ok = QInputDialog.getText(self.window, "Save comparison", "Name:")
        if ok and name.strip():
            try:
                save_comparison(self.window.ctx.paths.data_dir, self.current(name.strip()))
            except (ReaderError, OSError) as exc:
                QMessageBox.warning(self.window, "Cannot save the comparison", str(exc))
                return
            self.window.statusBar().showMessage(f"Saved comparison “{name.strip()}”", 4000)

    def _fill_saved(self) -> None:
        self.saved_menu.clear()
        try:
            saved = load_comparisons(self.window.ctx.paths.data_dir)
        except ReaderError as exc:
            self.saved_menu.addAction(str(exc)).setEnabled(False)
            return
        if not saved:
            self.saved_menu.addAction("(none saved yet)").setEnabled(False)
        for comp in saved:
            self.saved_menu.addAction(f"{comp.name}  ({len(comp.documents)} documents)",
                                      lambda c=comp: self.open_comparison(c))
        if saved:
            delete = self.saved_menu.addMenu("Delete")
            for comp in saved:
                delete.addAction(comp.name, lambda n=comp.name: self._delete(n))

    def _delete(self, name: str) -> None:
        with contextlib.suppress(ReaderError, OSError):
            delete_comparison(self.window.ctx.paths.data_dir, name)

    def open_comparison(self, comp: Comparison) -> None:
        window = self.window
        compare = window.compare
        missing = [d for d in comp.documents if window.corpus is None or d not in window.corpus]
        docs = [d for d in comp.documents if d not in missing]
        if not docs:
            window.statusBar().showMessage("None of its documents are in this corpus.", 6000)
            return
        compare.close_all_but_main()
        window.open_document(docs[0])
        for doc_id in docs[1:]:
            compare.open_beside(doc_id, after=window.reader_views()[-1])
        compare.set_mode(comp.sync)
        if comp.entity:
            compare.set_entity(comp.entity, go_first=comp.sync == "entity")
        if missing:
            window.statusBar().showMessage(f"Not in this corpus: {', '.join(missing)}", 6000)


def install_compare(window: Any) -> CompareActions:
    return CompareActions(window)
