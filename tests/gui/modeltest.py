"""Shared by the ``test_<feature>_models.py`` files: a window on the sample corpus and the Qt model tester."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractItemModel, QThreadPool
from PySide6.QtTest import QAbstractItemModelTester

from reader.core.context import AppContext
from reader.gui.window.mainwindow import MainWindow


def check(model: QAbstractItemModel) -> QAbstractItemModelTester:
    """Attach Qt's model tester in Fatal mode: any broken invariant, now or on a later change, aborts.

    The caller keeps the returned object alive for as long as the model should be watched."""
    return QAbstractItemModelTester(model, QAbstractItemModelTester.FailureReportingMode.Fatal)


def role_names(model: QAbstractItemModel) -> set[bytes]:
    return {bytes(name.data()) for name in model.roleNames().values()}


def window(qtbot: Any, open_ids: list[str] | None = None, corpus: str | None = None) -> MainWindow:
    win = MainWindow(AppContext.create(corpus=corpus), persist=False)
    # background jobs (index, entity counts) finish before the window goes
    qtbot.addWidget(win, before_close_func=lambda _w: QThreadPool.globalInstance().waitForDone(30000))
    win.show()
    win.start(open_ids or [])
    win.wait_for_corpus()
    return win
