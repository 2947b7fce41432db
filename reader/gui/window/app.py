"""Start the GUI: QApplication, theme, main window; or render one frame to a PNG.

The window is shown before anything slow happens; the corpus loads off the GUI thread.
"""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from reader import APP_ID, APP_NAME
from reader.core.context import AppContext
from reader.core.session import Session

if TYPE_CHECKING:
    from reader.gui.window.mainwindow import MainWindow

log = logging.getLogger(__name__)

QT_SYSTEM_PACKAGES = ("libgl1 libegl1 libxkbcommon0 libglib2.0-0 libfreetype6 libfontconfig1 "
                      "libdbus-1-3 libxcb-cursor0 libxkbcommon-x11-0")


def _no_display() -> bool:
    if os.environ.get("QT_QPA_PLATFORM"):
        return False
    if sys.platform.startswith("linux"):
        return not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))
    return False


def run_gui(
    session: Session | AppContext,
    open_ids: list[str] | None = None,
    screenshot: str | None = None,
    size: tuple[int, int] | None = None,
    theme: str | None = None,
    sync: str | None = None,
    focus: str | None = None,
    lesson: tuple[str, int, bool] | None = None,
) -> int:
    from reader.core.paths import secure_app_dirs

    if not isinstance(session, Session):
        session = Session(session)
    ctx = session.ctx
    secure_app_dirs(ctx.paths)  # also when started without the command line (launchers, tests)
    if screenshot:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    elif _no_display():
        print("parallax: no display found (DISPLAY and WAYLAND_DISPLAY are unset).\n"
              "Run it in a desktop session, or render the window to a picture with\n"
              "  parallax --screenshot window.png [--open ID]", file=sys.stderr)
        return 1
    from reader.gui.window.syslibs import missing_message, missing_packages

    missing = missing_packages()  # before Qt loads: its own errors name no package
    if missing:
        print(missing_message(missing), file=sys.stderr)
        return 1
    try:
        from PySide6.QtCore import QTimer
        from PySide6.QtGui import QIcon
        from PySide6.QtWidgets import QApplication
    except ImportError as exc:
        print(f"parallax: Qt could not be loaded ({exc}).\n"
              f"On Debian or Ubuntu install its system libraries with:\n"
              f"  sudo apt-get install {QT_SYSTEM_PACKAGES}", file=sys.stderr)
        return 1

    from reader.core.paths import resource_path
    from reader.gui.window.mainwindow import MainWindow
    from reader.gui.window.theme import apply_text_scale, apply_theme, load_theme

    app = QApplication.instance() or QApplication([sys.argv[0] if sys.argv else "parallax"])
    assert isinstance(app, QApplication)
    app.setApplicationName("parallax")
    app.setApplicationDisplayName(APP_NAME)
    app.setOrganizationName("Parallax Reader")
    app.setDesktopFileName(APP_ID)
    app.setWindowIcon(QIcon(str(resource_path("icons", "parallax.svg"))))
    chosen = load_theme(theme or ctx.settings.get("ui.theme"))
    apply_theme(app, chosen)
    apply_text_scale(app, ctx.settings.get("ui.text_scale"))

    window = MainWindow(session, chosen, persist=not screenshot)
    if size:
        window.resize(*size)
    if screenshot:
        try:
            return _screenshot(app, window, open_ids or [], Path(screenshot), sync, focus, lesson)
        finally:
            session.close()
    window.show()
    if sync or focus:
        window.compare.apply_start_options(sync, focus)
    if lesson:
        window.corpusLoaded.connect(lambda: _open_lesson(window, lesson))
    QTimer.singleShot(0, lambda: window.start(open_ids))
    try:
        return app.exec()
    finally:
        session.close()


def _open_lesson(window: MainWindow, lesson: tuple[str, int, bool], *, fullscreen: bool = True) -> bool:
    """Open a lesson at a step (1-based), presenting it if asked; False if it cannot be opened."""
    feature = window.features.get("lessons")
    path, step, present = lesson
    if feature is None or not feature.open_file(Path(path)):
        return False
    steps = feature.session.lesson.steps
    index = max(0, min(len(steps) - 1, step - 1))
    if present:
        feature.present(index, fullscreen=fullscreen)
    else:
        feature.go_to_step(index)
        feature.editor.select_row(index)
    return True


def _wait_for_background_work(timeout_s: float = 20.0) -> None:
    """Let the jobs the first frame started finish (indexing, name recognition, counts) and their
    results reach the window, so a screenshot shows one settled state and not whichever stage a
    loaded machine happened to reach (the bundle's smoke test compares two of them pixel by pixel)."""
    from reader.gui.workers import wait_for_jobs

    if not wait_for_jobs(timeout_s):
        log.warning("screenshot taken with background work still running after %.0f s", timeout_s)


def _screenshot(app: object, window: object, open_ids: list[str], path: Path,
                sync: str | None = None, focus: str | None = None,
                lesson: tuple[str, int, bool] | None = None) -> int:
    from PySide6.QtWidgets import QApplication

    from reader.gui.exports import write_png
    from reader.gui.window.mainwindow import MainWindow

    assert isinstance(window, MainWindow)
    window.show()
    if sync or focus:
        window.compare.apply_start_options(sync, focus)
    window.start(open_ids or None)
    window.wait_for_corpus()
    _wait_for_background_work()
    window.compare.settle()
    if lesson and not _open_lesson(window, lesson, fullscreen=False):
        print(f"parallax: could not open lesson {lesson[0]}", file=sys.stderr)
        return 1
    if lesson:
        for _ in range(3):
            QApplication.processEvents()
    missing = [i for i in open_ids if window.corpus is None or i not in window.corpus]
    if missing:
        print(f"parallax: not in this corpus: {', '.join(missing)}", file=sys.stderr)
    image = window.grab().toImage()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_png(path, image)
    except OSError as exc:
        print(f"parallax: could not write {path}: {exc.strerror or exc}", file=sys.stderr)
        window.close()
        return 1
    print(f"wrote {path} ({image.width()}x{image.height()})", file=sys.stderr)
    window.close()
    return 1 if missing else 0
