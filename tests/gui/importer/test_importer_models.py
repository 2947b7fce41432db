"""The import review model under Qt's model tester: rows from a real import, edited in place."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from reader.core.importer.batch import import_paths
from reader.gui.importer.dialogs import ChangedRole, DocIdRole, ImportReviewModel
from tests.gui.modeltest import check, role_names

pytestmark = pytest.mark.gui


def test_import_review_model(qtbot, corpus_copy: Path, tmp_path: Path) -> None:
    sources = tmp_path / "in"
    sources.mkdir()
    for i in range(3):
        (sources / f"note-{i}.txt").write_text(f"Report {i}\n\nProtesters gathered in Almaty on day {i}.\n",
                                               encoding="utf-8")
    report = import_paths(corpus_copy, [sources])
    assert len(report.imported) == 3
    model = ImportReviewModel(report)
    tester = check(model)
    assert model.rowCount() == 3 and model.columnCount() > 1
    index = model.index(1, 0)
    assert index.data(DocIdRole) == report.imported[1].id and not index.data(ChangedRole)
    assert model.setData(index, "  A   better  title ", Qt.ItemDataRole.EditRole)
    assert index.data() == "A better title" and index.data(ChangedRole)
    assert model.changes() == {report.imported[1].id: {model_key(model, 0): "A better title"}}
    assert {b"docId", b"sourcePath", b"changed"} <= role_names(model)
    del tester


def model_key(model: ImportReviewModel, column: int) -> str:
    from reader.gui.importer.dialogs import REVIEW_COLUMNS

    return REVIEW_COLUMNS[column][0]
