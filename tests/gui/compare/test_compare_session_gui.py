"""The compare view on the session: reload keeps the panes, the followed entity survives a
restart, an alias added in the Entities dock reaches every open pane at once."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from reader.core.context import AppContext
from reader.core.events import DocumentsChanged
from reader.gui.window.mainwindow import MainWindow

pytestmark = pytest.mark.gui

FP, NEO, EAD = "frontier-post-alma-ata", "neo-outside-forces", "eadaily-ukrainian-trace"


def make_window(qtbot, open_ids: list[str], corpus: Path | None = None) -> MainWindow:
    window = MainWindow(AppContext.create(corpus=str(corpus) if corpus else None))
    qtbot.addWidget(window)
    window.resize(1600, 1000)
    window.show()
    window.start(open_ids)
    window.wait_for_corpus()
    for _ in range(3):
        QApplication.processEvents()
    return window


def test_reload_keeps_three_panes_in_the_same_order(qtbot, isolated_dirs, corpus_copy: Path) -> None:
    window = make_window(qtbot, [FP, NEO, EAD], corpus=corpus_copy)
    views = window.reader_views()
    assert [v.doc.id for v in views] == [FP, NEO, EAD]
    window.compare.set_active(views[2])  # reloading from the last pane
    changed: list[DocumentsChanged] = []
    window.session.subscribe(DocumentsChanged, changed.append)
    path = corpus_copy / f"{NEO}.md"
    path.write_text(path.read_text(encoding="utf-8") + "\nA line added on disk.\n", encoding="utf-8")
    qtbot.keyClick(window, Qt.Key.Key_R, Qt.KeyboardModifier.ControlModifier)
    window.wait_for_corpus()
    after = window.reader_views()
    assert [v.doc.id for v in after] == [FP, NEO, EAD]
    assert after == views  # the same panes, not new ones
    assert "A line added on disk." in after[1].doc.text  # showing the new text
    assert changed == [DocumentsChanged((NEO,))]
    window.close()
    saved = (isolated_dirs["config"] / "settings.yaml").read_text()
    assert saved.count(f"- {FP}") == 1 and saved.count(f"- {EAD}") == 1  # the saved layout: three panes


def test_after_a_restart_the_lockstep_box_shows_the_followed_entity(qtbot) -> None:
    window = make_window(qtbot, [FP, NEO])
    window.compare.set_mode("entity")
    window.compare.set_entity("ablyazov")
    window.close()
    again = make_window(qtbot, [])
    compare = again.compare
    assert compare.sync.mode == "entity" and compare.entity_id == "ablyazov"
    assert compare.entity_combo.currentData() == "ablyazov"
    assert "Ablyazov" in compare.entity_combo.currentText()
    assert all(v.layers.get("lockstep") is not None and v.layers["lockstep"].spans for v in again.reader_views())


def test_an_alias_added_in_the_entities_dock_reaches_every_open_pane(qtbot) -> None:
    window = make_window(qtbot, [FP, NEO])
    compare = window.compare
    compare.set_mode("entity")
    entities = window.features["entities"]
    svc = window.session.entities
    assert entities.ensure_service() is svc  # one service: the dock edits what the panes follow
    target = next(e for e in svc.entities() if e.id == "ablyazov")
    word = "protests"  # a word both texts use that is no mention of anything yet
    texts = [v.doc.text for v in window.reader_views()]
    assert all(word in t for t in texts)
    compare.set_entity(target.id)
    before = [len(v.layers["lockstep"].spans) for v in window.reader_views()]
    entities.add_alias(word, target.id)  # what the dock's "Accept as alias" does
    after = [len(v.layers["lockstep"].spans) for v in window.reader_views()]
    assert all(a > b for a, b in zip(after, before, strict=True))
    label = compare.entity_combo.itemText(compare.entity_combo.findData(target.id))
    count = sum(after)
    assert label.endswith(f"({count})")
