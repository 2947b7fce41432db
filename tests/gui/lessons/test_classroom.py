"""Issue 20, trainers: presenting is trustworthy (privacy, blank, speaker text, scroll targets, handout)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QTextDocument

from reader.core.context import AppContext
from reader.core.lessons.handout import handout_html, step_comments
from reader.core.lessons.sources import handout_sources
from reader.core.lessons.validate import find_passage, load_lesson
from reader.gui.window.mainwindow import MainWindow
from tests.conftest import BUNDLED

pytestmark = pytest.mark.gui
SAMPLE = BUNDLED / "lessons" / "kazakhstan-five-outlets.yaml"


def make_window(qtbot, size: tuple[int, int] | None = None, *, persist: bool = True) -> MainWindow:
    window = MainWindow(AppContext.create(), persist=persist)
    qtbot.addWidget(window)
    if size:
        window.resize(*size)
    window.show()
    window.start()
    window.wait_for_corpus()
    return window


def private_analyst_state(window: MainWindow) -> None:
    """An analyst at work: a note on every sample document, entity tints and all framing on."""
    notes = window.features["notes"]
    for doc_id in ("frontier-post-alma-ata", "neo-outside-forces", "moa-failed-rebellion",
                   "eadaily-ukrainian-trace", "kavkazplus-gutted"):
        window.open_document(doc_id)
        notes.add_note(window.reader, 100, 140, body="my private suspicion")
    window.settings.set("entities.show", True)
    window.features["entities"].set_enabled(True)
    window.features["framing"].set_enabled(True)


def drawn(window: MainWindow) -> set[str]:
    return {name for view in window.reader_views() for name in view.drawn_layers()}


def note_bars(window: MainWindow) -> int:
    markers = window.features["notes"].markers
    return sum(len(m.marker_rects()) for view in window.reader_views() for m in markers.get(id(view), []))


def test_presenting_never_shows_private_notes_or_layers_the_step_turns_off(qtbot) -> None:
    window = make_window(qtbot)
    private_analyst_state(window)
    assert any(n.startswith("notes-") for n in drawn(window)) and note_bars(window) > 0
    feature = window.features["lessons"]
    feature.open_file(SAMPLE)
    feature.present(0, fullscreen=False)  # step 1: entities, framing and notes off
    shown = drawn(window)
    assert not any(n.startswith(("notes-", "entities:", "framing:", "entity-selected")) for n in shown), shown
    assert note_bars(window) == 0
    qtbot.keyClick(window.reader.text, Qt.Key.Key_PageDown)  # step 2: entities on, notes still private
    shown = drawn(window)
    assert any(n.startswith("entities:") for n in shown)
    assert not any(n.startswith(("notes-", "framing:")) for n in shown)
    feature.presenter.go(3)  # step 4: framing limited to two techniques, hidden until R
    assert not any(n.startswith("framing:") for n in drawn(window))
    qtbot.keyClick(window.reader.text, Qt.Key.Key_R)
    framing = {n for n in drawn(window) if n.startswith("framing:")}
    assert framing and framing <= {"framing:name_calling", "framing:loaded_language"}, framing
    assert not any(n.startswith("notes-") for n in drawn(window)) and note_bars(window) == 0
    live = drawn(window)
    qtbot.keyClick(window.reader.text, Qt.Key.Key_Escape)
    assert any(n.startswith("notes-") for n in drawn(window)) and note_bars(window) > 0  # back to the analyst's view

    # the --screenshot --present path is the same path: a render of step 4 draws the same layers
    render = make_window(qtbot, persist=False)
    render.features["lessons"].open_file(SAMPLE)
    render.features["lessons"].present(3, fullscreen=False)
    render.features["lessons"].presenter.reveal()
    assert drawn(render) == live


def test_step_that_asks_for_notes_shows_them(qtbot, tmp_path) -> None:
    window = make_window(qtbot)
    private_analyst_state(window)
    lesson_path = tmp_path / "with-notes.yaml"
    lesson_path.write_text("title: t\nsteps:\n  - title: mine\n    documents: [frontier-post-alma-ata]\n"
                           "    layers: {notes: true}\n", encoding="utf-8")
    feature = window.features["lessons"]
    feature.open_file(lesson_path)
    feature.present(0, fullscreen=False)
    assert any(n.startswith("notes-") for n in drawn(window)) and note_bars(window) > 0
    feature.presenter.stop()


def test_blank_paints_the_window_black_and_back(qtbot) -> None:
    window = make_window(qtbot, (1280, 720))
    feature = window.features["lessons"]
    feature.open_file(SAMPLE)
    feature.present(0, fullscreen=False)
    qtbot.keyClick(window.reader.text, Qt.Key.Key_B)
    image = window.grab().toImage()
    for x, y in ((20, 20), (image.width() // 2, image.height() // 2), (image.width() - 20, image.height() - 20)):
        assert image.pixelColor(x, y).name() == "#000000", (x, y)
    qtbot.keyClick(window.reader.text, Qt.Key.Key_B)
    image = window.grab().toImage()
    assert image.pixelColor(image.width() // 2, image.height() // 2).name() != "#000000"
    feature.presenter.stop()


def test_speaker_view_shows_apostrophes_not_entities(qtbot) -> None:
    window = make_window(qtbot)
    feature = window.features["lessons"]
    feature.open_file(SAMPLE)
    feature.present(1, fullscreen=False)
    feature.presenter.open_speaker_view()
    speaker = feature.presenter.speaker
    qtbot.addWidget(speaker)

    def rendered(label) -> str:
        doc = QTextDocument()
        doc.setHtml(label.text()) if label.textFormat() == Qt.TextFormat.RichText else doc.setPlainText(label.text())
        return doc.toPlainText()

    assert "Ablyazov's 22-month sentence" in rendered(speaker.current)
    feature.presenter.go(5)
    assert "outlet's own voice" in rendered(speaker.notes)
    assert "&#" not in rendered(speaker.notes) + rendered(speaker.current) + rendered(speaker.following)
    feature.presenter.go(1)
    assert "Ablyazov's" in rendered(feature.presenter.banner.label)
    feature.presenter.stop()


def passage_in_view(view, offset: int) -> bool:
    top = view.offset_at(view.text.viewport().rect().topLeft()) or 0
    bottom = view.offset_at(view.text.viewport().rect().bottomLeft()) or 0
    return top - 40 <= offset <= bottom


@pytest.mark.parametrize("size", [(1280, 720), (1920, 1080)])
def test_step_targets_are_in_view_at_every_size(qtbot, size) -> None:
    window = make_window(qtbot, size)
    feature = window.features["lessons"]
    feature.open_file(SAMPLE)
    lesson = feature.session.lesson
    for index, step in enumerate(lesson.steps):
        if not step.scroll:
            continue
        feature.present(index, fullscreen=False)
        # going full screen or onto the projector resizes the window after the step is shown
        other = (1920, 1080) if size == (1280, 720) else (1280, 720)
        window.resize(*other)
        qtbot.wait(250)
        for view in window.reader_views():
            quote = step.scroll.get(view.doc.id)
            if quote:
                target = find_passage(view.doc.text, quote)
                assert passage_in_view(view, target), (index, view.doc.id, size)
        feature.presenter.stop()
        window.resize(*size)


def test_handout_carries_the_comments_a_step_targets(qtbot) -> None:
    window = make_window(qtbot)
    lesson, problems = load_lesson(SAMPLE)
    assert not problems
    step = lesson.steps[5]
    assert step.comments == 3
    doc = window.corpus.document("moa-failed-rebellion")
    chosen = step_comments(doc, step)
    assert len(chosen) == 3
    page = handout_html(lesson, window.corpus, handout_sources(window.ctx), step=6)
    for head, _text in chosen:
        assert head.split(",")[0] in page
    assert "Reader comments under" in page
    first_comment = " ".join(doc.text[doc.comments[0].start:doc.comments[0].end].split())[:50]
    assert first_comment in page.replace("&#x27;", "'").replace("&quot;", '"')
    # steps that do not ask for comments carry none
    assert "Reader comments under" not in handout_html(lesson, window.corpus, handout_sources(window.ctx), step=1)
    # and the live step shows the comments column
    feature = window.features["lessons"]
    feature.open_file(SAMPLE)
    feature.present(5, fullscreen=False)
    assert window.reader.comments_box.isVisible()
    feature.presenter.stop()


def test_projector_draws_framing_as_a_band_and_the_banner_legend_matches(qtbot) -> None:
    from reader.core.themes import blend, contrast_ratio
    from reader.gui.framing.feature import BAND_ALPHA

    window = make_window(qtbot, (1280, 720))
    feature = window.features["lessons"]
    feature.open_file(SAMPLE)
    feature.present(3, fullscreen=False)
    qtbot.keyClick(window.reader.text, Qt.Key.Key_R)  # reveal the framing of step 4
    engine = window.features["framing"].engine
    drawn_framing = sorted({n for v in window.reader_views() for n in v.drawn_layers() if n.startswith("framing:")})
    assert drawn_framing
    for view in window.reader_views():
        for name in drawn_framing:
            if name in view.layers:
                fmt = view.layers[name].fmt
                assert fmt.background().style() != Qt.BrushStyle.NoBrush  # a band, not a hairline
                assert fmt.underlineStyle() == fmt.UnderlineStyle.SingleUnderline
    legend = feature.presenter.framing_legend()
    assert [n for n, _c in legend] == [engine.catalogue[n.split(":", 1)[1]].name for n in drawn_framing]
    text = feature.presenter.banner.label.text()
    for name, band in legend:
        assert name in text and band in text
        assert contrast_ratio("#000000", band) >= 4.5  # the projector's black text stays readable on it
    for tech in engine.catalogue.values():
        assert contrast_ratio("#000000", blend(tech.colour, BAND_ALPHA, "#ffffff")) >= 4.5, tech.name
    feature.presenter.stop()
    for view in window.reader_views():  # back in the reading theme: the fine wavy underline again
        for name, layer in view.layers.items():
            if name.startswith("framing:"):
                assert layer.fmt.underlineStyle() == layer.fmt.UnderlineStyle.WaveUnderline
