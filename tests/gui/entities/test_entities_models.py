"""The entity list, its filter and the candidate list under Qt's model tester, filled from the corpus."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from reader.gui.entities.panel import CandidateRole, EntityIdRole
from tests.gui.modeltest import check

pytestmark = pytest.mark.gui


def test_entity_and_candidate_models(qtbot) -> None:
    from tests.gui.entities.test_entities_gui import make_window

    _win, feature = make_window(qtbot)
    panel = feature.panel
    testers = [check(panel.model), check(panel.proxy), check(panel.cand_model)]
    n = panel.model.rowCount()
    assert n > 5 and panel.model.index(0, 0).data(EntityIdRole)
    panel.proxy.set_filter("person", "")
    assert 0 < panel.proxy.rowCount() < n
    panel.proxy.set_filter("", "tokayev")
    assert panel.proxy.rowCount() >= 1
    panel.proxy.set_filter("", "")
    panel.proxy.sort(2, Qt.SortOrder.DescendingOrder)
    with qtbot.waitSignal(feature.countsUpdated, timeout=15000):
        feature.recount()  # the rows are set again (a reset) with fresh counts
    with qtbot.waitSignal(feature.candidatesUpdated, timeout=15000):
        feature.show_tab(2)
    assert panel.cand_model.rowCount() > 0
    names = {bytes(v.data()) for v in panel.model.roleNames().values()}
    assert {b"entityId", b"entityType", b"total", b"searchText", b"display", b"toolTip"} <= names
    assert panel.model.roleNames()[EntityIdRole].data() == b"entityId"
    assert panel.cand_model.roleNames()[CandidateRole].data() == b"candidate"
    assert panel.cand_model.index(0, 0).data(CandidateRole) is not None
    del testers


def test_a_recount_changes_count_cells_without_a_reset(qtbot) -> None:
    """Same entities, new counts: dataChanged on Mentions/Docs only; the selection survives; new entities reset."""
    from reader.gui.entities.panel import Row
    from tests.gui.entities.test_entities_gui import make_window

    _win, feature = make_window(qtbot)
    panel = feature.panel
    tester = check(panel.model)
    resets: list[int] = []
    changed: list[tuple[int, int]] = []
    panel.model.modelReset.connect(lambda: resets.append(1))
    panel.model.dataChanged.connect(lambda a, b, *_: changed.append((a.column(), b.column())))
    panel.select_entity(panel.model.rows[0].id)
    chosen = panel.model.rows[0].id
    rows = [Row(r.id, r.name, r.type, r.aliases, r.description, {**r.counts, "extra-doc": 2})
            for r in panel.model.rows]
    panel.set_data(rows, [*panel._docs, ("extra-doc", "Extra")])
    assert not resets and changed == [(2, 3)]
    assert panel.model.rows[0].total == sum(rows[0].counts.values())
    selected = panel.table.selectionModel().selectedRows()
    assert selected and selected[0].data(EntityIdRole) == chosen
    panel.set_data(rows[1:], panel._docs)  # an entity fewer: the model is reset
    assert resets == [1] and panel.model.rowCount() == len(rows) - 1
    del tester
