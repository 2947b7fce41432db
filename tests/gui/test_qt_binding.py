"""Guard against Qt binding releases that corrupt reference counts.

PySide6 6.12.0 decremented None's reference count on every call of a void method
(QTextCursor.setPosition, QScrollBar.setValue, ...), so a long reading session aborted
with "none_dealloc". pyproject.toml excludes that release; this test catches a relapse.
"""

from __future__ import annotations

import sys

import pytest

pytestmark = pytest.mark.gui


def test_void_methods_keep_none_alive(qtbot) -> None:
    from PySide6.QtGui import QTextCursor
    from PySide6.QtWidgets import QTextEdit

    edit = QTextEdit()
    qtbot.addWidget(edit)
    edit.setPlainText("hello world " * 200)
    cursor = QTextCursor(edit.document())
    bar = edit.verticalScrollBar()
    before = sys.getrefcount(None)
    for _ in range(2000):
        cursor.setPosition(5)
        cursor.clearSelection()
        bar.setValue(3)
    assert abs(sys.getrefcount(None) - before) < 100
