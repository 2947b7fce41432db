"""The lesson's steps model under Qt's model tester: the sample lesson opened, then steps added,
moved, edited, deleted and undone (each a model reset)."""

from __future__ import annotations

import copy

import pytest

from reader.gui.lessons.session import DocumentsRole, PromptRole, StepRole
from tests.gui.modeltest import check, role_names, window

pytestmark = pytest.mark.gui


def test_steps_model(qtbot, tmp_path) -> None:
    win = window(qtbot)
    lessons = win.features["lessons"]
    model = lessons.session.model
    tester = check(model)
    lessons.open_sample()
    session = lessons.session
    assert session.lesson is not None and model.rowCount() == len(session.lesson.steps) > 2
    first = model.index(0, 0)
    assert first.data().startswith("1. ") and first.data(StepRole) is session.lesson.steps[0]
    assert first.data(DocumentsRole) == list(session.lesson.steps[0].documents)
    session.path, session.read_only = tmp_path / "copy.yaml", False  # an editable copy
    n = model.rowCount()
    session.add_step(copy.deepcopy(session.lesson.steps[0]), 1)
    assert model.rowCount() == n + 1
    session.move_step(1, 1)
    session.set_field(0, "prompt", "What is left out?")
    assert model.index(0, 0).data(PromptRole) == "What is left out?"
    session.delete_step(2)
    session.undo.undo()
    assert model.rowCount() == n + 1
    assert {b"step", b"prompt", b"documents", b"display"} <= role_names(model)
    del tester


def test_a_pdf_export_first_still_lets_the_process_open_a_window(tmp_path) -> None:
    """The CLI's PDF export makes the Qt application; a window opened later in the same process must
    not abort (a plain QGuiApplication made every later QWidget a fatal error)."""
    import subprocess
    import sys

    from tests.conftest import ROOT

    code = ("from reader.gui.lessons.handout_pdf import _setup\n_setup()\n"
            "from PySide6.QtWidgets import QWidget\nw = QWidget()\nprint('ok', type(w).__name__)\n")
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120,
                          env={**__import__("os").environ, "QT_QPA_PLATFORM": "offscreen"})
    assert proc.returncode == 0 and proc.stdout.strip() == "ok QWidget", proc.stderr[-500:]
