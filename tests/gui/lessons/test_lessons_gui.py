"""Lessons in the window: presenting with clicker keys, revealing layers, capturing views, the editor."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from reader.core.context import AppContext
from reader.core.lessons.validate import find_passage, load_lesson
from reader.gui.window.mainwindow import MainWindow
from tests.conftest import BUNDLED

pytestmark = pytest.mark.gui
SAMPLE = BUNDLED / "lessons" / "kazakhstan-five-outlets.yaml"


def make_window(qtbot) -> MainWindow:
    window = MainWindow(AppContext.create())
    qtbot.addWidget(window)
    window.show()
    window.start()
    window.wait_for_corpus()
    return window


def shown_ids(window: MainWindow) -> list[str]:
    return [v.doc.id for v in window.reader_views() if v.doc is not None]


def top_offset(view) -> int:
    return view.offset_at(view.text.viewport().rect().topLeft()) or 0


def test_clicker_keys_move_between_steps_and_restore_them(qtbot) -> None:
    window = make_window(qtbot)
    feature = window.features["lessons"]
    assert feature.open_file(SAMPLE)
    lesson = feature.session.lesson
    feature.present(0, fullscreen=False)
    presenter = feature.presenter
    assert presenter.active and not window.menuBar().isVisible() and not window.library.isVisible()
    assert shown_ids(window) == lesson.steps[0].documents
    qtbot.keyClick(window.reader.text, Qt.Key.Key_PageDown)
    assert presenter.index == 1
    step = lesson.steps[1]
    assert shown_ids(window) == step.documents
    assert window.compare.sync.mode == "entity" and window.compare.entity_id == "ablyazov"
    for view in window.reader_views():  # each pane scrolled to its passage
        target = find_passage(view.doc.text, step.scroll[view.doc.id])
        assert abs(top_offset(view) - target) < 120, view.doc.id
    qtbot.keyClick(window.reader.text, Qt.Key.Key_Space)
    qtbot.keyClick(window.reader.text, Qt.Key.Key_PageUp)
    assert presenter.index == 1 and shown_ids(window) == step.documents
    qtbot.keyClick(window.reader.text, Qt.Key.Key_Escape)
    assert not presenter.active and window.menuBar().isVisible() and window.library.isVisible()


def test_reveal_shows_hidden_layers(qtbot) -> None:
    window = make_window(qtbot)
    feature = window.features["lessons"]
    feature.open_file(SAMPLE)
    feature.present(3, fullscreen=False)  # step 4 hides framing until revealed
    framing = window.features["framing"]
    assert not window.settings.get("framing.show")
    assert not any(name.startswith("framing") and layer.spans and layer.visible
                   for v in window.reader_views() for name, layer in v.layers.items())
    assert "Hidden until revealed" in feature.presenter.banner.label.text()
    qtbot.keyClick(window.reader.text, Qt.Key.Key_R)
    assert window.settings.get("framing.show")
    assert any(layer.spans for v in window.reader_views() for name, layer in v.layers.items()
               if name in framing.layer_names())
    qtbot.keyClick(window.reader.text, Qt.Key.Key_B)
    assert feature.presenter.blank.isVisible()
    qtbot.keyClick(window.reader.text, Qt.Key.Key_B)
    assert not feature.presenter.blank.isVisible()
    feature.presenter.stop()


def test_add_current_view_as_step(qtbot, tmp_path: Path) -> None:
    window = make_window(qtbot)
    feature = window.features["lessons"]
    from reader.core.lessons.model import Lesson

    path = tmp_path / "mine.yaml"
    feature.session.open(Lesson(title="Mine", steps=[]), path)
    window.open_document("kavkazplus-gutted")
    window.compare.open_beside("eadaily-ukrainian-trace", after=window.reader_views()[-1])
    window.compare.set_mode("proportional", save=False)
    window.reader_views()[1].scroll_to_offset(2000)
    feature.act_add.trigger()
    step = feature.session.lesson.steps[0]
    assert step.documents == ["kavkazplus-gutted", "eadaily-ukrainian-trace"]
    assert step.sync == "proportional"
    assert set(step.scroll) <= set(step.documents) and step.scroll
    feature.session.save_now()
    saved, problems = load_lesson(path)
    assert problems == [] and saved.steps[0].documents == step.documents
    feature.session.undo.undo()
    assert feature.session.lesson.steps == []


def test_editor_edits_are_undoable_and_autosaved(qtbot, tmp_path: Path) -> None:
    window = make_window(qtbot)
    feature = window.features["lessons"]
    target = tmp_path / "copy.yaml"
    target.write_text(SAMPLE.read_text(encoding="utf-8"), encoding="utf-8")
    feature.open_file(target)
    editor = feature.editor
    editor.select_row(0)
    editor.title.setFocus()
    editor.title.selectAll()
    qtbot.keyClicks(editor.title, "Warm-up")
    assert feature.session.lesson.steps[0].title == "Warm-up"
    feature.session.save_now()
    assert load_lesson(target)[0].steps[0].title == "Warm-up"
    feature.session.undo.undo()
    assert feature.session.lesson.steps[0].title == "The same event in three outlets"
    editor.select_row(1)
    editor.btn_down.click()
    assert feature.session.lesson.steps[2].title.startswith("One fact")
    # every control of the editor can take keyboard focus and has an accessible name
    named = (editor.steps, editor.title, editor.prompt, editor.notes, editor.btn_add, editor.btn_dup,
             editor.btn_del, editor.btn_up, editor.btn_down, editor.btn_present, *editor.reveal.values())
    for widget in named:
        assert widget.focusPolicy() != Qt.FocusPolicy.NoFocus and widget.accessibleName(), widget


def test_sample_is_read_only(qtbot) -> None:
    window = make_window(qtbot)
    feature = window.features["lessons"]
    feature.open_file(SAMPLE)
    assert feature.session.read_only
    feature.act_add.trigger()
    assert len(feature.session.lesson.steps) == 6
