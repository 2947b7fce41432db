"""The main window: library beside the reader, on one :class:`~reader.core.session.Session`.

The window owns no core object: the session builds and owns the corpus and its services, the
bridge (:mod:`reader.gui.bridge`) turns the session's events into signals and carries every
notice. The window loads the corpus off the GUI thread, keeps the pane layout across a reload
and resets what belongs to the old corpus on a switch; features plug in through
:mod:`reader.gui.features` and see the window as :class:`~reader.gui.features.WindowAPI`.
"""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Any

from PySide6.QtCore import QByteArray, QEventLoop, QRect, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QActionGroup, QCloseEvent, QGuiApplication, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QDockWidget,
    QFileDialog,
    QLabel,
    QLineEdit,
    QMainWindow,
    QMenu,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QSplitter,
    QWidget,
)

from reader import APP_NAME, __version__
from reader.core.context import AppContext
from reader.core.corpus import Corpus
from reader.core.errors import ReaderError
from reader.core.events import CorpusReloaded
from reader.core.frontmatter import Problem
from reader.core.keymap import DOCK_KEYS, NEXT_AREA_KEY, PREVIOUS_AREA_KEY
from reader.core.paths import bundled_corpus_path
from reader.core.session import Session
from reader.core.themes import THEMES
from reader.gui.bridge import Notice, SessionBridge
from reader.gui.compare.feature import install_compare
from reader.gui.compare.view import CompareView
from reader.gui.features import Needs, install_features
from reader.gui.reader.library import LibraryPanel
from reader.gui.reader.view import ReaderView
from reader.gui.window.dialogs import ProblemsDialog, ShortcutsDialog
from reader.gui.window.theme import Theme, apply_text_scale, apply_theme, load_theme
from reader.gui.workers import Job

#: View-menu text of each dock toggle, with a mnemonic no other View item uses
DOCK_MENU_TEXT = {"framing": "F&raming Panel", "kwic": "&Concordance", "notes": "&Notes Panel",
                  "search": "&Search Panel", "entities": "&Entities Panel", "lesson": "Lesson E&ditor",
                  "research": "Rese&arch Panel"}


class MainWindow(QMainWindow):
    """Extension points for features: ``corpusLoaded``, ``documentOpened(id)``,
    ``readerViewAdded(ReaderView)`` (also call :meth:`reader_views` for the existing ones),
    ``menus`` by name, :meth:`add_dock`."""

    corpusLoaded = Signal()
    documentOpened = Signal(str)
    readerViewAdded = Signal(object)

    def __init__(self, session: Session | AppContext, theme: Theme | None = None, *, persist: bool = True) -> None:
        super().__init__()
        self._fit_timer = QTimer(self, singleShot=True, interval=0)  # fit_to_screen once layouts settle
        self._fit_timer.timeout.connect(self.fit_to_screen)
        self.session = session if isinstance(session, Session) else Session(session)
        ctx = self.session.ctx
        self.ctx = ctx
        self.persist = persist  # False for --screenshot: render, never change the user's session
        self.settings = ctx.settings
        self.theme = theme or load_theme(self.settings.get("ui.theme"))
        self.corpus: Corpus | None = None
        self.problems: list[Problem] = []
        self.notices: list[str] = [ctx.settings.notice] if ctx.settings.notice else []
        self._job: Job | None = None
        self._loaded_job: Job | None = None  # the load whose result the GUI thread has applied
        self._pending_open: list[str] = []
        self._reload_layout: list[str | None] | None = None  # the panes' documents across a reload
        self._loaded_stamps: dict[str, tuple[int, int]] | None = None  # the files as last read
        self.bridge = SessionBridge(self.session, self)
        self.bridge.changed.connect(self._on_setting_changed)
        self.bridge.notice.connect(self._show_notice)
        self.bridge.corpusReloaded.connect(self._on_corpus_reloaded)

        self.setWindowTitle(APP_NAME)
        self.setObjectName("MainWindow")
        self.library = LibraryPanel(self)
        self.reader = ReaderView(self.theme, self)
        self.reader.set_font(self.settings.get("reader.font_size"), self.settings.get("reader.font_family"))
        self.reader.set_line_width(self.settings.get("reader.line_width"))
        self.reader.set_placeholder("Loading the corpus…")
        self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.splitter.setObjectName("mainSplitter")
        self.splitter.addWidget(self.library)
        self.compare = CompareView(self, self.reader)  # 1 pane = the plain reader; 2-4 = side by side
        self.splitter.addWidget(self.compare)
        self.splitter.setStretchFactor(0, 0)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setChildrenCollapsible(False)
        self.library.setMinimumWidth(200)
        self.setCentralWidget(self.splitter)
        self.library.setVisible(self.settings.get("library.show"))

        self._build_status_bar()
        self._build_actions()
        self.library.openRequested.connect(self.open_document)
        self.compare_actions = install_compare(self)
        #: ``doc_id -> Document | None`` callables asked for a document not in the local corpus.
        self.document_sources: list[Any] = []
        self.features = install_features(self)
        #: what the window's own panels (the welcome panel) use of the features
        self.window_needs = Needs("window", ("search", "lessons"), self.features)
        from reader.gui.window.welcome import WelcomePanel

        for act in self.menuBar().actions():
            menu = act.menu()
            if isinstance(menu, QMenu):
                give_mnemonics(menu)
        self.welcome = WelcomePanel(self)
        self.reader.add_placeholder_widget(self.welcome)
        self.update_welcome()
        self.compare.panesChanged.connect(self._fit_timer.start)
        if persist:
            self._restore_window()
        else:
            self.resize(*self.first_size())
            self.splitter.setSizes(self.first_splitter_sizes())
            self.arrange_docks()

    # -- extension points ---------------------------------------------------------
    def _from_document_sources(self, doc_id: str) -> Any:
        """A document this laptop's corpus lacks, from a feature that can fetch it (a team corpus)."""
        for source in self.document_sources:
            try:
                doc = source(doc_id)
            except ReaderError as exc:
                self.notify(str(exc), 15000, level="error", dialog=True, title="Cannot open document")
                return None
            if doc is not None:
                return doc
        return None
    def notify(self, text: str, timeout_ms: int = 6000, **kind: Any) -> Notice:
        """The one notice channel (status bar; a dialog with ``dialog=True``)."""
        return self.bridge.notify(text, timeout_ms, **kind)

    def _show_notice(self, notice: Notice) -> None:
        if notice.dialog and self.persist:
            show = QMessageBox.warning if notice.level != "info" else QMessageBox.information
            show(self, notice.title or APP_NAME, notice.text)
            return
        self.statusBar().showMessage(notice.text, notice.timeout_ms)

    def reader_views(self) -> list[ReaderView]:
        """Every reader view in the window (the main reader, and compare panes when present)."""
        return self.compare.views()

    def active_reader(self) -> ReaderView:
        """The pane the user works in (the last one focused); the main reader when alone."""
        return self.compare.active_view()

    def add_dock(self, widget: QWidget, title: str, name: str,
                 area: Qt.DockWidgetArea = Qt.DockWidgetArea.RightDockWidgetArea,
                 shortcut: str | None = None) -> QDockWidget:
        """Add a dock (restored with the window state) and a View menu toggle for it."""
        dock = QDockWidget(title, self)
        dock.setObjectName(f"dock-{name}")
        dock.setWidget(widget)
        self.addDockWidget(area, dock)
        toggle = dock.toggleViewAction()
        toggle.setText(DOCK_MENU_TEXT.get(name, f"&{title}"))
        shortcut = shortcut or DOCK_KEYS.get(name)
        if shortcut:
            toggle.setShortcut(QKeySequence(shortcut))
        dock.visibilityChanged.connect(lambda shown, d=dock: self._on_dock_visibility(d, shown))
        toggle.triggered.connect(lambda checked, d=dock: QTimer.singleShot(0, lambda: self.focus_dock(d))
                                 if checked else None)
        self.menus["view"].addAction(toggle)
        self.addAction(toggle)
        return dock

    def focus_dock(self, dock: QDockWidget) -> None:
        """A dock opened from its key takes the keyboard: its first text field (the Concordance's
        query, the search box...), else its first control."""
        if not dock.isVisible():
            return
        dock.raise_()
        widget = dock.widget()
        if widget is None:
            return
        fields = [w for w in widget.findChildren(QLineEdit) if w.isVisible() and w.isEnabled()]
        target = fields[0] if fields else next(
            (w for w in widget.findChildren(QWidget) if w.isVisible() and w.isEnabled()
             and w.focusPolicy() != Qt.FocusPolicy.NoFocus), widget)
        target.setFocus(Qt.FocusReason.ShortcutFocusReason)

    def arrange_docks(self) -> None:
        """First-start layout: docks sharing an area become tabs (one visible at a time), so the
        window never needs more than a laptop screen, and start closed so the library and the
        reader have the room; each opens from the View menu or its shortcut (Ctrl+Shift+F...)."""
        groups: dict[Qt.DockWidgetArea, list[QDockWidget]] = {}
        for dock in self.findChildren(QDockWidget):
            if dock.parent() is self and not dock.isFloating():
                groups.setdefault(self.dockWidgetArea(dock), []).append(dock)
        for docks in groups.values():
            for other in docks[1:]:
                self.tabifyDockWidget(docks[0], other)
            for dock in docks:
                dock.hide()
        for dock in groups.get(Qt.DockWidgetArea.RightDockWidgetArea, []):
            self.resizeDocks([dock], [360], Qt.Orientation.Horizontal)

    def update_welcome(self) -> None:
        """The first-run panel shows in the empty reader until one of its tries is used."""
        self.welcome.setVisible(bool(self.settings.get("ui.welcome")))

    def show_welcome(self) -> None:
        """Help ▸ Things to Try: back to the empty reader with the three tries."""
        self.settings.set("ui.welcome", True, save=self.persist)
        self.compare.close_all_but_main()
        self.reader.clear()
        self.setWindowTitle(APP_NAME)
        self.update_welcome()

    # -- fitting the screen ---------------------------------------------------------
    def screen_room(self) -> QRect | None:
        """The screen area the window may use (without panels and docks of the desktop); None
        when there is no real screen (offscreen rendering, where --size decides)."""
        if QGuiApplication.platformName() in ("offscreen", "minimal"):
            return None
        screen = self.screen() or QGuiApplication.primaryScreen()
        return screen.availableGeometry() if screen is not None else None

    def first_size(self) -> tuple[int, int]:
        """1280x820, or less on a smaller screen: the status bar must be on screen at first start."""
        room = self.screen_room()
        if room is None:
            return 1280, 820
        return min(1280, room.width() - 16), min(820, room.height() - 48)

    def first_splitter_sizes(self) -> list[int]:
        """The library gets enough room that titles read (about 30 characters), the reader the rest."""
        width = self.width() or 1280
        library = max(300, min(420, width * 28 // 100))
        return [library, max(400, width - library)]

    def fit_to_screen(self) -> None:
        """Keep the whole window on its screen: when docks or panes need more width than there is,
        docks sharing a side become tabs, then docks shrink, then the library makes way; a window
        (or a restored geometry) larger than the screen is brought back inside it."""
        room = self.screen_room()
        if room is None or self.isFullScreen() or self.isMaximized():
            return
        frame = self.frameGeometry()
        extra_w = frame.width() - self.width()
        extra_h = frame.height() - self.height()
        max_w, max_h = room.width() - extra_w, room.height() - extra_h
        if self.minimumSizeHint().width() > max_w or self.minimumSizeHint().height() > max_h:
            self._make_room(max_w, max_h)
        width, height = min(self.width(), max_w), min(self.height(), max_h)
        if (width, height) != (self.width(), self.height()):
            self.resize(width, height)
        frame = self.frameGeometry()
        x = min(max(frame.x(), room.x()), room.right() - frame.width() + 1)
        y = min(max(frame.y(), room.y()), room.bottom() - frame.height() + 1)
        if (x, y) != (frame.x(), frame.y()):
            self.move(x, y)

    def _make_room(self, max_w: int, max_h: int) -> None:
        docks = [d for d in self.findChildren(QDockWidget)
                 if d.parent() is self and d.isVisible() and not d.isFloating()]
        by_area: dict[Qt.DockWidgetArea, list[QDockWidget]] = {}
        for dock in docks:
            by_area.setdefault(self.dockWidgetArea(dock), []).append(dock)
        for group in by_area.values():
            for other in group[1:]:
                if other not in self.tabifiedDockWidgets(group[0]):
                    self.tabifyDockWidget(group[0], other)
        QApplication.processEvents()

        def too_wide() -> bool:
            return self.minimumSizeHint().width() > max_w

        def too_big() -> bool:
            return too_wide() or self.minimumSizeHint().height() > max_h

        if too_wide() and docks:
            self.resizeDocks(docks, [240] * len(docks), Qt.Orientation.Horizontal)
        if too_wide() and self.library.isVisible():
            self.settings.set("library.show", False, save=False)
            self.notify("The library is hidden to make room on this screen (F9 shows it).", 8000)
            QApplication.processEvents()
        if too_big():
            keep = getattr(self, "_last_dock", None)
            for dock in docks:
                if dock is not keep and dock.isVisible():
                    dock.hide()
            self.notify("Other docks are closed to make room on this screen (View menu).", 8000)

    def _on_dock_visibility(self, dock: QDockWidget, shown: bool) -> None:
        if shown:
            self._last_dock = dock
            area = self.dockWidgetArea(dock)
            if area in (Qt.DockWidgetArea.BottomDockWidgetArea, Qt.DockWidgetArea.TopDockWidgetArea) \
                    and dock.height() > self.height() * 0.34:
                # a dock under the panes takes a third of the height at most: the text keeps the room
                self.resizeDocks([dock], [int(self.height() * 0.3)], Qt.Orientation.Vertical)
        self._fit_timer.start()

    def resizeEvent(self, event: Any) -> None:
        super().resizeEvent(event)
        room = self.screen_room()
        frame = self.frameGeometry()
        if room is not None and (frame.width() > room.width() or frame.height() > room.height()):
            self._fit_timer.start()  # grown past the screen (a dock filled later, say): fit again

    def showEvent(self, event: Any) -> None:
        super().showEvent(event)
        self._fit_timer.start()

    # -- focus areas (F6) -------------------------------------------------------------
    def focus_areas(self) -> list[QWidget]:
        """Library, each reader pane, each open dock: what F6 / Shift+F6 cycle through, in order."""
        areas: list[QWidget] = []
        if self.library.isVisible():
            areas.append(self.library.view)
        areas += [view.text for view in self.reader_views() if view.isVisible()]
        docks = [d for d in self.findChildren(QDockWidget) if d.parent() is self and d.isVisible()
                 and not d.visibleRegion().isEmpty() and d.widget() is not None]
        docks.sort(key=lambda d: (d.mapTo(self, d.rect().topLeft()).x(), d.mapTo(self, d.rect().topLeft()).y()))
        areas += [d.widget() for d in docks]
        return areas

    def cycle_focus(self, step: int) -> QWidget | None:
        areas = self.focus_areas()
        if not areas:
            return None
        focus = QApplication.focusWidget()
        current = next((i for i, area in enumerate(areas)
                        if focus is not None and (focus is area or area.isAncestorOf(focus))), -1)
        target = areas[(current + step) % len(areas)] if current >= 0 else areas[0 if step > 0 else -1]
        widget = target
        if target.focusPolicy() == Qt.FocusPolicy.NoFocus or not target.isEnabled():
            widget = next((w for w in target.findChildren(QWidget)
                           if w.isVisible() and w.isEnabled() and w.focusPolicy() != Qt.FocusPolicy.NoFocus), target)
        widget.setFocus(Qt.FocusReason.ShortcutFocusReason)
        return target

    # -- construction -------------------------------------------------------------
    def _build_status_bar(self) -> None:
        bar = self.statusBar()
        self.corpus_label = QLabel(self)
        self.progress = QProgressBar(self)
        self.progress.setMaximumWidth(220)
        self.progress.setTextVisible(True)
        self.progress.hide()
        self.problems_button = QPushButton(self)
        self.problems_button.setFlat(True)
        self.problems_button.setAccessibleName("Show corpus problems")
        self.problems_button.clicked.connect(self.show_problems)
        self.problems_button.hide()
        bar.addWidget(self.corpus_label, 1)
        bar.addPermanentWidget(self.progress)
        bar.addPermanentWidget(self.problems_button)

    def _action(self, text: str, slot: Any,
                shortcuts: list[QKeySequence | QKeySequence.StandardKey | str] | None = None,
                tip: str = "") -> QAction:
        action = QAction(text, self)
        if shortcuts:
            action.setShortcuts([s if isinstance(s, QKeySequence) else QKeySequence(s) for s in shortcuts])
        if tip:
            action.setStatusTip(tip)
        action.triggered.connect(slot)
        self.addAction(action)
        return action

    def _build_actions(self) -> None:
        menu = self.menuBar()
        self.menus: dict[str, Any] = {}
        file_menu = self.menus["file"] = menu.addMenu("&File")
        self.act_open_corpus = self._action("&Open Corpus…", self.choose_corpus,
                                            [QKeySequence.StandardKey.Open], "Open a folder of documents")
        self.act_bundled = self._action("Open &Sample Corpus", self.open_bundled_corpus,
                                        tip="The five-outlet sample corpus shipped with the app")
        self.recent_menu = file_menu.addMenu("Open &Recent")
        self.act_reload = self._action("Reloa&d Corpus", self.reload_corpus, ["Ctrl+R"],
                                       "Read the corpus folder again")
        self.act_problems = self._action("Corpus &Problems…", self.show_problems, tip="What could not be loaded")
        self.act_quit = self._action("&Quit", self.close, ["Ctrl+Q"])
        self.act_quit.setMenuRole(QAction.MenuRole.QuitRole)
        file_menu.insertAction(self.recent_menu.menuAction(), self.act_open_corpus)
        file_menu.insertAction(self.recent_menu.menuAction(), self.act_bundled)
        for act in (self.act_reload, self.act_problems):
            file_menu.addAction(act)
        file_menu.addSeparator()
        file_menu.addAction(self.act_quit)
        self._fill_recent()

        edit_menu = self.menus["edit"] = menu.addMenu("&Edit")
        self.act_find = self._action("&Find in Document…", lambda: self.active_reader().open_find(),
                                     [QKeySequence.StandardKey.Find])
        self.act_find_next = self._action("Find &Next", lambda: self.active_reader().find_next(), ["F3"])
        self.act_find_prev = self._action("Find Pre&vious", lambda: self.active_reader().find_previous(),
                                          ["Shift+F3"])
        self.act_filter = self._action("Filter &Library", self.focus_library_filter, ["Ctrl+L"])
        for act in (self.act_find, self.act_find_next, self.act_find_prev, self.act_filter):
            edit_menu.addAction(act)

        view_menu = self.menus["view"] = menu.addMenu("&View")
        self.act_zoom_in = self._action("Zoom &In", lambda: self.change_font_size(+1), ["Ctrl+=", "Ctrl++"])
        self.act_zoom_out = self._action("Zoom &Out", lambda: self.change_font_size(-1), ["Ctrl+-"])
        self.act_zoom_reset = self._action("Actual Si&ze", self.reset_font_size, ["Ctrl+0"])
        self.act_ui_larger = self._action("Lar&ger Interface Text", lambda: self.change_text_scale(0.1),
                                          ["Ctrl+Alt+="])
        self.act_ui_smaller = self._action("S&maller Interface Text", lambda: self.change_text_scale(-0.1),
                                           ["Ctrl+Alt+-"])
        self.act_library = self._action("Show &Library", self.toggle_library, ["F9"])
        self.act_library.setCheckable(True)
        self.act_library.setChecked(self.settings.get("library.show"))
        for act in (self.act_zoom_in, self.act_zoom_out, self.act_zoom_reset, self.act_ui_larger,
                    self.act_ui_smaller):
            view_menu.addAction(act)
        view_menu.addSeparator()
        view_menu.addAction(self.act_library)
        self.act_next_area = self._action("Ne&xt Area", lambda: self.cycle_focus(+1), [NEXT_AREA_KEY],
                                          "Move the keyboard focus to the next area (library, panes, docks)")
        self.act_prev_area = self._action("Pre&vious Area", lambda: self.cycle_focus(-1), [PREVIOUS_AREA_KEY])
        view_menu.addAction(self.act_next_area)
        view_menu.addAction(self.act_prev_area)
        theme_menu = view_menu.addMenu("&Theme")
        group = QActionGroup(self)
        self.theme_actions: dict[str, QAction] = {}
        for name, label in THEMES:
            act = QAction(label, self, checkable=True)
            act.setChecked(self.settings.get("ui.theme") == name)
            act.triggered.connect(lambda _=False, n=name: self.settings.set("ui.theme", n))
            group.addAction(act)
            theme_menu.addAction(act)
            self.theme_actions[name] = act

        self.menus["tools"] = menu.addMenu("&Tools")
        help_menu = self.menus["help"] = menu.addMenu("&Help")
        self.act_shortcuts = self._action("&Keyboard Shortcuts", self.show_shortcuts, ["Ctrl+/"])
        self.act_guide = self._action("&Reader's Guide", self.show_guide, ["F1"], "How to use Parallax Reader")
        self.act_welcome = self._action("Things to &Try", self.show_welcome,
                                        tip="The first-run panel: search a name, compare outlets, present a lesson")
        self.act_about = self._action(f"&About {APP_NAME}", self.show_about)
        self.act_about.setMenuRole(QAction.MenuRole.AboutRole)
        self.act_about_qt = self._action("About &Qt", QApplication.aboutQt)
        self.act_about_qt.setMenuRole(QAction.MenuRole.AboutQtRole)
        for act in (self.act_guide, self.act_welcome, self.act_shortcuts, self.act_about, self.act_about_qt):
            help_menu.addAction(act)

    def _fill_recent(self) -> None:
        self.recent_menu.clear()
        recent = [p for p in self.settings.get("corpus.recent") if Path(p).is_dir()]
        for path in recent[:10]:
            act = self.recent_menu.addAction(path)
            act.triggered.connect(lambda _=False, p=path: self.switch_corpus(Path(p)))
        self.recent_menu.setEnabled(bool(recent))

    # -- state --------------------------------------------------------------------
    def _restore_window(self) -> None:
        geometry = self.settings.get("window.geometry")
        if not (geometry and self.restoreGeometry(QByteArray.fromBase64(geometry.encode()))):
            self.resize(*self.first_size())
        state = self.settings.get("window.state")
        if not (state and self.restoreState(QByteArray.fromBase64(state.encode()))):
            self.arrange_docks()
        splitter = self.settings.get("window.splitter")
        if not (splitter and self.splitter.restoreState(QByteArray.fromBase64(splitter.encode()))):
            self.splitter.setSizes(self.first_splitter_sizes())

    def save_state(self) -> None:
        s = self.settings
        s.set("window.geometry", bytes(self.saveGeometry().toBase64().data()).decode(), save=False)
        s.set("window.state", bytes(self.saveState().toBase64().data()).decode(), save=False)
        s.set("window.splitter", bytes(self.splitter.saveState().toBase64().data()).decode(), save=False)
        s.set("session.open_documents", [v.doc.id for v in self.reader_views() if v.doc], save=False)
        s.set("compare.sizes", self.compare.splitter.sizes() if len(self.reader_views()) > 1 else [], save=False)
        if self.compare.entity_id:
            s.set("compare.entity", self.compare.entity_id, save=False)
        header = self.library.view.header()
        s.set("library.sort_column", max(0, header.sortIndicatorSection()), save=False)
        s.set("library.sort_order", 1 if header.sortIndicatorOrder() == Qt.SortOrder.DescendingOrder else 0,
              save=False)
        try:
            s.save()
        except OSError as exc:
            self.notify(f"Could not save settings: {exc}", 10000)

    def closeEvent(self, event: QCloseEvent) -> None:
        if self._job is not None and not self._job.done:
            self._job.cancel()
        if self.persist:
            self.save_state()
        self.bridge.close()
        super().closeEvent(event)

    # -- corpus -------------------------------------------------------------------
    def start(self, open_ids: list[str] | None = None) -> None:
        """Load the corpus off the GUI thread, then open ``open_ids`` or last session's document."""
        self._pending_open = list(open_ids) if open_ids else self.settings.get("session.open_documents")
        self.load_corpus()

    def load_corpus(self) -> None:
        try:
            corpus = self.session.new_corpus()
        except ReaderError as exc:
            self.notices.append(f"{exc}; opened the sample corpus instead.")
            self.session.fall_back_to_sample()
            corpus = self.session.new_corpus()
        if self._job is not None and not self._job.done:
            self._job.cancel()
        self.corpus_label.setText(f"Reading {corpus.root} …")
        self.progress.setRange(0, 0)
        self.progress.show()
        job = Job(lambda progress, cancelled: corpus.scan(progress, cancelled), self)
        job.progress.connect(self._on_scan_progress)
        job.finished.connect(lambda corpus, j=job: self._on_corpus_scanned(corpus) if j is self._job else None)
        job.failed.connect(lambda error, j=job: self._on_scan_failed(error) if j is self._job else None)
        self._job = job
        job.start()

    def wait_for_corpus(self, timeout_ms: int = 30000) -> None:
        """Block (running the event loop) until the current load finishes; for screenshots and tests."""
        if self._job is None or self._loaded_job is self._job:
            return  # nothing started, or the latest load has been handled on this thread
        loop = QEventLoop()
        self.corpusLoaded.connect(loop.quit)
        timer = QTimer(singleShot=True)
        timer.timeout.connect(loop.quit)
        timer.start(timeout_ms)
        loop.exec()
        with contextlib.suppress(RuntimeError):
            self.corpusLoaded.disconnect(loop.quit)

    def _on_scan_progress(self, done: int, total: int) -> None:
        self.progress.setRange(0, total)
        self.progress.setValue(done)
        self.progress.setFormat("Reading %v of %m")

    def _on_scan_failed(self, error: object) -> None:
        self._loaded_job = self._job
        self._reload_layout = None
        self.progress.hide()
        self.corpus_label.setText("The corpus could not be read.")
        self.notices.append(str(error))
        self._update_problems_button()
        self.corpusLoaded.emit()

    def _on_corpus_scanned(self, corpus: Corpus) -> None:
        self._loaded_job = self._job
        self.progress.hide()
        self.session.adopt(corpus)  # CorpusReloaded: the bridge calls _on_corpus_reloaded at once

    def _on_corpus_reloaded(self, event: CorpusReloaded) -> None:
        corpus = self.session.loaded
        if corpus is None:
            return
        if event.switched:  # what belonged to the old corpus goes: its filter, its title
            self.library.reset()
            self.setWindowTitle(APP_NAME)
        before = None if event.switched else self._loaded_stamps
        self._loaded_stamps = _file_stamps(corpus)
        self.corpus = corpus
        self.problems = list(corpus.problems)
        self.library.set_documents(corpus.metas())
        self.library.sort(self.settings.get("library.sort_column"),
                          Qt.SortOrder(self.settings.get("library.sort_order")))
        read_only = "  ·  read-only sample" if corpus.read_only else ""
        self.corpus_label.setText(f"{corpus.info.title}  ·  {len(corpus)} documents{read_only}")
        if self.reader.doc is None:
            self.setWindowTitle(f"{corpus.info.title} — {APP_NAME}")
        self.corpus_label.setToolTip(str(corpus.root))
        self._update_problems_button()
        info = corpus.info
        self.reader.set_placeholder(
            f"<h2>{_html(info.title)}</h2><p>{_html(info.description)}</p>"
            f"<p>{len(corpus)} documents. Choose one in the library to read it.</p>"
        )
        layout, self._reload_layout = self._reload_layout, None
        wanted = [i for i in self._pending_open if i in corpus]
        missing = [i for i in self._pending_open if i not in corpus]
        self._pending_open = []
        if layout is not None:  # a reload: the same panes, in the same order, with the new texts
            missing = [i for i in layout if i is not None and i not in corpus]
            wanted = []
        if missing:
            self.notify(f"Not in this corpus: {', '.join(missing)}", 10000)
        self.compare.reset_corpus()
        if layout is not None:
            self.compare.reshow(corpus)
            active = self.active_reader()
            if active.doc is not None:
                self.library.select(active.doc.id)
                self.setWindowTitle(f"{active.doc.meta.title} — {APP_NAME}")
        elif wanted:
            self.open_document(wanted[0])
            for doc_id in wanted[1:]:
                self.compare.open_beside(doc_id, after=self.reader_views()[-1])
            sizes = self.settings.get("compare.sizes")
            if len(wanted) > 1 and len(sizes) == len(self.reader_views()):
                self.compare.splitter.setSizes([int(x) for x in sizes])
        self.corpusLoaded.emit()
        if before is not None:
            after = self._loaded_stamps or {}
            changed = sorted(i for i in before.keys() | after.keys() if before.get(i) != after.get(i))
            if changed:  # added, edited or removed on disk since the last reading
                self.session.documents_changed(changed)

    def _update_problems_button(self) -> None:
        errors = sum(p.severity == "error" for p in self.problems)
        warnings = len(self.problems) - errors
        parts = []
        if errors:
            parts.append(f"{errors} file(s) skipped")
        if warnings:
            parts.append(f"{warnings} warning(s)")
        if self.notices:
            parts.append(f"{len(self.notices)} notice(s)")
        self.problems_button.setText("⚠ " + ", ".join(parts) if parts else "")
        color = self.theme.colors["error" if errors else "warning"]
        self.problems_button.setStyleSheet(f"color: {color}; font-weight: 600; padding: 2px 8px;")
        self.problems_button.setVisible(bool(parts))

    def show_problems(self) -> None:
        ProblemsDialog(self.problems, self.notices, self).exec()

    def reload_corpus(self) -> None:
        """Ctrl+R: read the corpus again; the panes stay as they are and show the new texts."""
        if self._reload_layout is None:  # a second Ctrl+R during a reload keeps the first layout
            self._reload_layout = [v.doc.id if v.doc else None for v in self.reader_views()]
        self._pending_open = []
        self.load_corpus()

    def choose_corpus(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Open corpus folder", str(Path.home()))
        if folder:
            self.switch_corpus(Path(folder))

    def open_bundled_corpus(self) -> None:
        self.switch_corpus(bundled_corpus_path())

    def switch_corpus(self, root: Path) -> None:
        """Open another corpus: the session's switching rule, then a fresh window state."""
        self.session.switch(root, persist=self.persist)
        self._reload_layout = None
        self._pending_open = []
        self._fill_recent()
        self.compare.close_all_but_main()
        self.reader.clear()
        self.library.reset()  # a filter typed for the old corpus would hide the new one
        self.setWindowTitle(APP_NAME)
        self.load_corpus()

    # -- documents ----------------------------------------------------------------
    def open_document(self, doc_id: str) -> bool:
        if self.corpus is None:
            self._pending_open = [doc_id]
            return False
        try:
            doc = self.corpus.document(doc_id)
        except ReaderError as exc:
            found = self._from_document_sources(doc_id) if doc_id not in self.corpus else None
            if found is None:
                QMessageBox.warning(self, "Cannot open document", str(exc))
                return False
            doc = found
        active = self.active_reader()
        elsewhere = [i for i, v in enumerate(self.reader_views())
                     if v is not active and v.doc is not None and v.doc.id == doc_id]
        if elsewhere:  # already beside: go there rather than show it twice
            view = self.reader_views()[elsewhere[0]]
            view.text.setFocus()
            self.compare.set_active(view)
            self.notify(f"“{doc.meta.title}” is already open (pane {elsewhere[0] + 1}).", 6000)
            return True
        active.show_document(doc)
        self.library.select(doc_id)
        self.setWindowTitle(f"{doc.meta.title} — {APP_NAME}")
        self.documentOpened.emit(doc_id)
        return True

    # -- view ---------------------------------------------------------------------
    def change_font_size(self, delta: int) -> None:
        setting_size = self.settings.get("reader.font_size") + delta
        with contextlib.suppress(ReaderError):
            self.settings.set("reader.font_size", setting_size)

    def change_text_scale(self, delta: float) -> None:
        scale = round(self.settings.get("ui.text_scale") + delta, 2)
        with contextlib.suppress(ReaderError):
            self.settings.set("ui.text_scale", scale)

    def reset_font_size(self) -> None:
        self.settings.reset("reader.font_size")
        for view in self.reader_views():
            view.set_font(self.settings.get("reader.font_size"), self.settings.get("reader.font_family"))

    def toggle_library(self) -> None:
        self.settings.set("library.show", not self.library.isVisible())

    def focus_library_filter(self) -> None:
        if not self.library.isVisible():
            self.settings.set("library.show", True)
        self.library.filter_edit.setFocus()
        self.library.filter_edit.selectAll()

    def _on_setting_changed(self, name: str, value: object) -> None:
        if name in ("reader.font_size", "reader.font_family"):
            for view in self.reader_views():
                view.set_font(self.settings.get("reader.font_size"), self.settings.get("reader.font_family"))
            self.notify(f"Text size {self.settings.get('reader.font_size')} pt", 2000)
        elif name == "reader.line_width":
            for view in self.reader_views():
                view.set_line_width(int(str(value)))
        elif name == "library.show":
            self.library.setVisible(bool(value))
            self.act_library.setChecked(bool(value))
        elif name == "ui.text_scale":
            app = QApplication.instance()
            if isinstance(app, QApplication):
                apply_text_scale(app, float(str(value)))
            # the widgets take the new font when its change event arrives: fit the rows after it
            QTimer.singleShot(0, self.library.view, self.library.view.fit_rows)
            self.notify(f"Interface text {round(float(str(value)) * 100)}%", 2000)
        elif name == "ui.theme":
            self.theme = load_theme(str(value))
            app = QApplication.instance()
            if isinstance(app, QApplication):
                apply_theme(app, self.theme)
            for view in self.reader_views():
                view.apply_theme(self.theme)
            self._update_problems_button()
            guide = getattr(self, "guide", None)
            if guide is not None:
                guide.apply_theme(self.theme)

    def show_shortcuts(self) -> None:
        ShortcutsDialog(self.menus, self.actions(), self).exec()

    def show_guide(self) -> None:
        from reader.gui.window.dialogs import GuideWindow

        self.guide = GuideWindow(self.theme, self)
        self.guide.show()

    def show_about(self) -> None:
        paths = self.ctx.paths
        QMessageBox.about(
            self, f"About {APP_NAME}",
            f"<h3>{APP_NAME} {__version__}</h3>"
            "<p>An offline reader for comparing how different outlets tell the same story.</p>"
            "<p>Nothing leaves this computer: no network connection is ever opened.</p>"
            f"<p><small>Corpus: {_html(str(self.ctx.corpus_root))}<br>Data: {_html(str(paths.data_dir))}<br>"
            f"Settings: {_html(str(paths.config_dir))}<br>Cache: {_html(str(paths.cache_dir))}</small></p>",
        )


def mnemonic(text: str) -> str | None:
    """The Alt-key of a menu text, lower-cased: the letter after the first ``&`` that is not
    ``&&`` (Qt's escape for a literal ampersand), or None."""
    i = 0
    while (i := text.find("&", i)) >= 0 and i < len(text) - 1:
        if text[i + 1] != "&":
            return text[i + 1].lower()
        i += 2
    return None


def give_mnemonics(menu: QMenu) -> None:
    """Every item of ``menu`` (and its submenus) gets an Alt-key: items without one take the first
    letter of their text no sibling uses yet. Items added later by a feature get theirs when the
    menu next opens."""
    items = [a for a in menu.actions() if not a.isSeparator() and a.text()]
    used = {key for key in (mnemonic(a.text()) for a in items) if key}
    for act in items:
        text = act.text()
        if mnemonic(text) is None:
            k = next((i for i, ch in enumerate(text) if ch.isalnum() and ch.lower() not in used), -1)
            if k >= 0:
                used.add(text[k].lower())
                act.setText(text[:k] + "&" + text[k:])
        sub = act.menu()
        if isinstance(sub, QMenu):
            give_mnemonics(sub)
    if not menu.property("parallaxMnemonics"):
        menu.setProperty("parallaxMnemonics", True)
        menu.aboutToShow.connect(lambda m=menu: give_mnemonics(m))


def _file_stamps(corpus: Corpus | None) -> dict[str, tuple[int, int]] | None:
    """Each document's file size and modification time (what tells a reload which ones changed),
    from the scan: stat-ing 20,000 files again here was 0.45 s of the GUI thread at each load."""
    return None if corpus is None else corpus.file_stamps()


def _html(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


__all__ = ["MainWindow"]
