"""Switching corpus is one rule (the session's); the window drops what belonged to the old one."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from reader import APP_NAME
from reader.core.context import AppContext
from reader.core.events import CorpusReloaded
from reader.gui.window.mainwindow import MainWindow

pytestmark = pytest.mark.gui


def test_switching_corpus_resets_the_title_and_the_library_filter(qtbot, corpus_copy: Path, tmp_path: Path) -> None:
    other = tmp_path / "other"
    shutil.copytree(corpus_copy, other)
    info = yaml.safe_load((other / "corpus.yaml").read_text())
    info["title"] = "The other corpus"
    info.pop("id", None)
    (other / "corpus.yaml").write_text(yaml.safe_dump(info))
    window = MainWindow(AppContext.create(corpus=str(corpus_copy)), persist=False)
    qtbot.addWidget(window)
    window.show()
    window.start(["neo-outside-forces"])
    window.wait_for_corpus()
    assert window.windowTitle().startswith(window.reader.doc.meta.title)
    window.library.filter_edit.setText("no document is called this")
    window.library.restrict_to({"neo-outside-forces"}, "")
    assert window.library.count_label.text() == "0 of 5 documents"
    events: list[CorpusReloaded] = []
    window.session.subscribe(CorpusReloaded, events.append)

    window.switch_corpus(other)
    window.wait_for_corpus()

    assert events and events[-1].switched
    assert window.corpus.root == other or Path(window.corpus.root).resolve() == other.resolve()
    assert window.windowTitle() == f"The other corpus — {APP_NAME}"
    assert window.reader.doc is None
    assert window.library.filter_edit.text() == ""
    assert window.library.count_label.text() == "5 documents"
    assert window.library.proxy.rowCount() == 5
