"""Presentation mode: the window becomes a projector view stepping through a lesson.

The main window itself presents (so every layer feature decorates the panes as usual): menus,
library and docks are hidden, a high-contrast theme and room-sized text are applied, and a
banner shows the step and its question. Keys work like a clicker: Page Down / Page Up, arrows,
space; B blanks the screen, R reveals hidden layers, S opens the speaker view, Esc leaves and
restores the window as it was.
"""

from __future__ import annotations

import html
from typing import Any

from PySide6.QtCore import QElapsedTimer, QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QFont, QGuiApplication, QKeyEvent, QPainter, QPaintEvent
from PySide6.QtWidgets import QApplication, QLabel, QSizePolicy, QToolBar, QVBoxLayout, QWidget

from reader.gui.window.theme import apply_theme, load_theme

NEXT_KEYS = {Qt.Key.Key_PageDown, Qt.Key.Key_Right, Qt.Key.Key_Down, Qt.Key.Key_Space, Qt.Key.Key_N}
PREV_KEYS = {Qt.Key.Key_PageUp, Qt.Key.Key_Left, Qt.Key.Key_Up, Qt.Key.Key_Backspace, Qt.Key.Key_P}


def rich(text: str) -> str:
    """Plain text for a rich-text label: escaped exactly once (apostrophes stay apostrophes).

    Every label of the presentation is set to rich text, so this is the only escaping step."""
    return html.escape(text, quote=False)


def room_font_size(pane_width: int) -> int:
    """Points for ~38 characters a line in a pane this wide, within 14-28 pt."""
    px = pane_width / 19.0
    return max(14, min(28, round(px * 0.75)))


class Banner(QWidget):
    """Step counter, title and the question for the room."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.label = QLabel(self)
        self.label.setWordWrap(True)
        self.label.setTextFormat(Qt.TextFormat.RichText)
        self.label.setAccessibleName("Lesson step")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 8, 16, 8)
        layout.addWidget(self.label)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.setStyleSheet("Banner { background: #000000; } QLabel { color: #ffffff; background: #000000; }")

    def fit(self, width: int) -> None:
        """Wrap the text to the window's width and take exactly the height it needs."""
        inner = max(200, width - 40)
        self.label.setFixedWidth(inner)
        self.setFixedHeight(self.label.heightForWidth(inner) + 18)

    def show_step(self, number: int, total: int, title: str, prompt: str, hidden: list[str], size: int,
                  legend: list[tuple[str, str]] | None = None) -> None:
        reveal = (f"<br><span style='color:#ffd54f; font-size:{max(10, size - 6)}pt;'>Hidden until revealed "
                  f"(R): {rich(', '.join(hidden))}</span>") if hidden else ""
        question = (f"<br><span style='font-size:{size}pt;'>{rich(prompt)}</span>") if prompt else ""
        small = max(10, size - 6)
        keys = "".join(f"&nbsp; <span style='background-color:{band}; color:#000000; text-decoration:underline;'>"
                       f"&nbsp;{rich(name)}&nbsp;</span>" for name, band in (legend or []))
        shown = (f"<br><span style='font-size:{small}pt; color:#dddddd;'>Framing highlighted:{keys}</span>"
                 if keys else "")
        self.label.setText(
            f"<span style='font-size:{small}pt; color:#bbbbbb;'>Step {number} of {total}</span>"
            f"&nbsp;&nbsp;<b style='font-size:{size}pt;'>{rich(title)}</b>{question}{shown}{reveal}")


class Blank(QWidget):
    """A black cover for the whole window (B).

    It paints itself: a plain QWidget given only a stylesheet draws nothing, which left the
    slide showing through."""

    def __init__(self, parent: QWidget, color: str = "#000000") -> None:
        super().__init__(parent)
        self.color = QColor(color)
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent, True)
        self.setAccessibleName("Screen blanked (B to return)")
        self.hide()

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.fillRect(self.rect(), self.color)
        painter.end()

    def cover(self) -> None:
        parent = self.parentWidget()
        if parent is not None:
            self.setGeometry(parent.rect())
        self.raise_()
        self.show()


class SpeakerView(QWidget):
    """Notes, the next step and a timer, for the presenter's own screen."""

    def __init__(self) -> None:
        super().__init__(None, Qt.WindowType.Window)
        self.setWindowTitle("Speaker view — Parallax Reader")
        self.resize(720, 480)
        self.current = QLabel(self)
        self.notes = QLabel(self)
        self.following = QLabel(self)
        self.timer_label = QLabel(self)
        for label in (self.current, self.notes, self.following):
            label.setWordWrap(True)
            label.setTextFormat(Qt.TextFormat.RichText)  # text goes through rich() once
        font = QFont()
        font.setPointSize(16)
        self.notes.setFont(font)
        big = QFont()
        big.setPointSize(28)
        big.setBold(True)
        self.timer_label.setFont(big)
        layout = QVBoxLayout(self)
        for widget in (self.timer_label, self.current, self.notes, self.following):
            layout.addWidget(widget)
        layout.addStretch(1)
        self.clock = QElapsedTimer()
        self.ticker = QTimer(self, interval=1000)
        self.ticker.timeout.connect(self._tick)

    def start(self) -> None:
        self.clock.start()
        self.ticker.start()
        self._tick()

    def _tick(self) -> None:
        seconds = self.clock.elapsed() // 1000 if self.clock.isValid() else 0
        self.timer_label.setText(f"{seconds // 60:02d}:{seconds % 60:02d}")

    def show_step(self, number: int, total: int, step: Any, nxt: Any) -> None:
        self.current.setText(f"<b>Step {number} of {total}: {rich(step.title)}</b>")
        self.notes.setText(rich(step.notes) if step.notes else "<i>No speaker notes for this step.</i>")
        self.following.setText(f"Next: {rich(nxt.title)}" if nxt is not None else "Last step.")


class Presenter(QObject):
    """Runs a lesson full screen on the main window; restores everything on stop."""

    stepShown = Signal(int)
    stopped = Signal()

    def __init__(self, window: Any, feature: Any) -> None:
        super().__init__(window)
        self.window = window
        self.feature = feature
        self.active = False
        self.index = 0
        self.revealed = False
        self.banner = Banner()
        self.bar = QToolBar("Presentation", window)
        self.bar.setObjectName("presentationBar")
        self.bar.setMovable(False)
        self.bar.addWidget(self.banner)
        self.bar.hide()
        self.blank = Blank(window)
        self.speaker: SpeakerView | None = None
        self._saved: dict[str, Any] = {}
        #: a resize soon after a step is shown (going full screen, the projector's mode change)
        #: rewraps the text; the step's passages are put back at the top once it settles
        self._shown = QElapsedTimer()
        self._repin = QTimer(self, singleShot=True, interval=60)
        self._repin.timeout.connect(self._restore_step_scroll)
        window.readerViewAdded.connect(self._mask_new_view)

    @property
    def lesson(self) -> Any:
        return self.feature.session.lesson

    def start(self, index: int = 0, *, fullscreen: bool = True) -> None:
        if self.lesson is None or not self.lesson.steps:
            self.window.statusBar().showMessage("Open a lesson with at least one step first.", 5000)
            return
        if self.active:  # already presenting: a second start must not save the presenting window as "before"
            self.go(index)
            return
        w = self.window
        self._saved = {
            "state": w.saveState(), "maximized": w.isMaximized(), "fullscreen": w.isFullScreen(),
            "library": w.library.isVisible(), "menubar": w.menuBar().isVisible(),
            "statusbar": w.statusBar().isVisible(), "toolbar": w.compare.toolbar.isVisible(),
            "theme": w.theme, "font": w.settings.get("reader.font_size"),
        }
        self.active = True
        w.menuBar().hide()
        w.statusBar().hide()
        w.library.hide()
        self._hidden_toolbars = [bar for bar in w.findChildren(QToolBar) if bar.isVisible() and bar is not self.bar]
        for bar in self._hidden_toolbars:
            bar.hide()
        for dock in w.findChildren(QWidget):
            if dock.metaObject().className() == "QDockWidget" and dock.isVisible():
                dock.hide()
        w.addToolBar(Qt.ToolBarArea.TopToolBarArea, self.bar)
        self.bar.show()
        theme = load_theme("projector")
        app = QApplication.instance()
        if isinstance(app, QApplication):
            apply_theme(app, theme)
        w.theme = theme
        for view in w.reader_views():
            view.apply_theme(theme)
        QGuiApplication.instance().installEventFilter(self)  # type: ignore[union-attr]
        if fullscreen:
            screens = QGuiApplication.screens()
            if len(screens) > 1:  # the projector is the screen that is not the laptop's
                other = next((s for s in screens if s is not QGuiApplication.primaryScreen()), screens[-1])
                w.windowHandle().setScreen(other) if w.windowHandle() else None
                w.setGeometry(other.geometry())
                self.open_speaker_view()
            w.showFullScreen()
        self.go(index)

    def step_mask(self) -> Any:
        """What the current step may draw (see :meth:`Step.allows_layer`)."""
        step = self.lesson.steps[self.index]
        revealed = self.revealed
        return lambda name: step.allows_layer(name, revealed)

    def _apply_mask(self) -> None:
        mask = self.step_mask()
        for view in self.window.reader_views():
            view.set_layer_mask(mask)

    def _mask_new_view(self, view: Any) -> None:
        if self.active and self.lesson is not None:
            view.set_layer_mask(self.step_mask())

    def framing_legend(self) -> list[tuple[str, str]]:
        """(technique name, band colour as it shows on the page) for each framing layer drawn now:
        the banner's legend is made from what the panes really paint."""
        framing = self.window.features.get("framing")
        engine = getattr(framing, "engine", None)
        if engine is None:
            return []
        from reader.core.themes import blend
        from reader.gui.framing.feature import BAND_ALPHA, LAYER_PREFIX

        shown = sorted({name[len(LAYER_PREFIX):] for view in self.window.reader_views()
                        for name in view.drawn_layers() if name.startswith(LAYER_PREFIX)})
        back = self.window.theme.colors.get("reader_background", "#ffffff")
        return [(engine.catalogue[t].name, blend(engine.catalogue[t].colour, BAND_ALPHA, back))
                for t in shown if t in engine.catalogue]

    def _restore_step_scroll(self) -> None:
        if self.active and self.lesson is not None:
            self.feature.restore_scroll(self.lesson.steps[self.index])

    def stop(self) -> None:
        if not self.active:
            return
        w = self.window
        self.active = False
        self._repin.stop()
        QGuiApplication.instance().removeEventFilter(self)  # type: ignore[union-attr]
        for view in w.reader_views():
            view.set_layer_mask(None)
        w.compare.set_presenting(False)
        self.blank.hide()
        self.bar.hide()
        w.removeToolBar(self.bar)
        saved = self._saved
        app = QApplication.instance()
        if isinstance(app, QApplication):
            apply_theme(app, saved["theme"])
        w.theme = saved["theme"]
        for view in w.reader_views():
            view.apply_theme(saved["theme"])
            view.set_font(saved["font"], w.settings.get("reader.font_family"))
        if not saved["fullscreen"]:
            w.showMaximized() if saved["maximized"] else w.showNormal()
        w.restoreState(saved["state"])
        w.menuBar().setVisible(saved["menubar"])
        w.statusBar().setVisible(saved["statusbar"])
        w.library.setVisible(saved["library"])
        w.compare.toolbar.setVisible(saved["toolbar"])
        for bar in getattr(self, "_hidden_toolbars", []):
            bar.show()
        if self.speaker is not None:
            self.speaker.close()
        self.feature.restore_layers()
        self.stopped.emit()

    def go(self, index: int) -> None:
        lesson = self.lesson
        if lesson is None or not lesson.steps:
            return
        self.index = max(0, min(len(lesson.steps) - 1, index))
        self.revealed = False
        self.blank.hide()
        step = lesson.steps[self.index]
        self._apply_mask()  # before anything is drawn: private layers never flash up
        self.feature.apply_step(step, revealed=False)
        self._apply_mask()  # the panes the step opened
        views = self.window.reader_views()
        width = max(300, self.window.width() // max(1, len(views)))
        size = room_font_size(width)
        for view in views:
            view.set_font(size, self.window.settings.get("reader.font_family"))
        self.window.compare.toolbar.hide()  # applying a step refreshes the compare chrome
        self.window.compare.set_presenting(True)
        hidden = [name for name in step.reveal if step.layers.get(name)]
        self.banner.show_step(self.index + 1, len(lesson.steps), step.title, step.prompt, hidden,
                              max(14, min(24, size + 2)), self.framing_legend())
        self.banner.fit(self.window.width())
        self.feature.restore_scroll(step)  # last: fonts, banner and panes are laid out now
        self._shown.start()
        if self.speaker is not None:
            nxt = lesson.steps[self.index + 1] if self.index + 1 < len(lesson.steps) else None
            self.speaker.show_step(self.index + 1, len(lesson.steps), step, nxt)
        self.stepShown.emit(self.index)

    def next(self) -> None:
        self.go(self.index + 1)

    def previous(self) -> None:
        self.go(self.index - 1)

    def reveal(self) -> None:
        if self.lesson is None:
            return
        step = self.lesson.steps[self.index]
        self.revealed = True
        self._apply_mask()
        self.feature.apply_layers(step, revealed=True)
        self.banner.show_step(self.index + 1, len(self.lesson.steps), step.title, step.prompt, [],
                              max(14, min(24, self.window.reader.font_size + 2)), self.framing_legend())
        self.banner.fit(self.window.width())

    def toggle_blank(self) -> None:
        if self.blank.isVisible():
            self.blank.hide()
        else:
            self.blank.cover()

    def open_speaker_view(self) -> None:
        if self.speaker is None:
            self.speaker = SpeakerView()
            self.speaker.start()
        primary = QGuiApplication.primaryScreen()
        if primary is not None:
            self.speaker.move(primary.availableGeometry().topLeft())
        self.speaker.show()
        if self.lesson is not None:
            nxt = self.lesson.steps[self.index + 1] if self.index + 1 < len(self.lesson.steps) else None
            self.speaker.show_step(self.index + 1, len(self.lesson.steps), self.lesson.steps[self.index], nxt)

    def handle_key(self, key: int) -> bool:
        """React to a presentation key; True if it was one."""
        if key in NEXT_KEYS:
            self.next()
        elif key in PREV_KEYS:
            self.previous()
        elif key in (Qt.Key.Key_B, Qt.Key.Key_Period):
            self.toggle_blank()
        elif key == Qt.Key.Key_R:
            self.reveal()
        elif key == Qt.Key.Key_S:
            self.open_speaker_view()
        elif key == Qt.Key.Key_Home:
            self.go(0)
        elif key == Qt.Key.Key_End and self.lesson is not None:
            self.go(len(self.lesson.steps) - 1)
        elif key == Qt.Key.Key_Escape:
            self.stop()
        else:
            return False
        return True

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if self.active and event.type() == QEvent.Type.KeyPress:
            assert isinstance(event, QKeyEvent)
            if event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier:
                return False
            return self.handle_key(event.key())
        if self.active and event.type() == QEvent.Type.Resize and watched is self.window:
            if self.blank.isVisible():
                self.blank.cover()
            if self._shown.isValid() and self._shown.elapsed() < 3000:
                self.banner.fit(self.window.width())
                self._repin.start()
        return False
