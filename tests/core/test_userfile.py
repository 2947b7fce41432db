"""One set-aside rule for every user file (reader/core/userfile.py), and one declaration of the sync modes."""

from __future__ import annotations

import argparse
import re
from pathlib import Path

import pytest

from reader.core import sync_modes
from reader.core.align.comparisons import Comparison, load_comparisons, save_comparison
from reader.core.overlay import OverlayFile
from reader.core.research.saved_searches import SavedSearches
from reader.core.settings import Settings, declared
from reader.core.userfile import aside_path, set_aside

ASIDE = re.compile(r"\.broken-\d{8}-\d{6}(-\d+)?$")


def test_aside_names_never_collide(tmp_path: Path) -> None:
    path = tmp_path / "x.yaml"
    names = set()
    for i in range(3):
        path.write_text(f"copy {i}\n")
        kept = set_aside(path)
        assert kept is not None and ASIDE.search(kept.name) and not path.exists()
        names.add(kept.name)
    assert len(names) == 3 and aside_path(path).name not in names
    assert sorted(p.read_text() for p in tmp_path.glob("x.yaml.broken-*")) == ["copy 0\n", "copy 1\n", "copy 2\n"]


def test_a_broken_comparisons_file_is_set_aside_and_saving_goes_on(tmp_path: Path) -> None:
    broken = "Ablyazov: {documents: [a, b\n"
    (tmp_path / "comparisons.yaml").write_text(broken, encoding="utf-8")
    assert load_comparisons(tmp_path) == []
    (kept,) = tmp_path.glob("comparisons.yaml.broken-*")
    assert kept.read_text(encoding="utf-8") == broken and ASIDE.search(kept.name)
    save_comparison(tmp_path, Comparison("Two", ("a", "b"), "proportional"))
    assert [(c.name, c.sync) for c in load_comparisons(tmp_path)] == [("Two", "proportional")]
    (tmp_path / "comparisons.yaml").write_text("- not\n- a mapping\n", encoding="utf-8")
    save_comparison(tmp_path, Comparison("Three", ("a", "b", "c")))  # a list, not a mapping: set aside too
    assert [c.name for c in load_comparisons(tmp_path)] == ["Three"]
    assert len(list(tmp_path.glob("comparisons.yaml.broken-*"))) == 2


def test_settings_overlay_and_saved_searches_use_the_same_rule(tmp_path: Path) -> None:
    for name in ("settings.yaml", "entities.yaml", "saved-searches.yaml"):
        (tmp_path / name).write_text("key: [unclosed\n", encoding="utf-8")
    settings = Settings(tmp_path / "settings.yaml")
    overlay = OverlayFile(tmp_path / "entities.yaml")
    saved = SavedSearches(tmp_path)
    for name, notice in (("settings.yaml", settings.notice), ("entities.yaml", overlay.notice),
                         ("saved-searches.yaml", saved.notice)):
        (kept,) = tmp_path.glob(f"{name}.broken-*")
        assert ASIDE.search(kept.name) and notice is not None and kept.name in notice, (name, notice)
        assert not (tmp_path / name).exists()


def test_sync_modes_are_declared_once() -> None:
    from reader.cli import build_parser
    from reader.core.lessons.model import SYNC_MODES as LESSON_MODES
    from reader.core.lessons.validate import check_lesson

    assert sync_modes.KEYS == ("aligned", "entity", "proportional", "off")
    assert declared("compare.sync").choices == sync_modes.KEYS
    assert declared("compare.sync").default == sync_modes.DEFAULT
    assert LESSON_MODES == sync_modes.KEYS
    assert all(m.label and m.description and "&" in m.menu_text for m in sync_modes.MODES)
    assert sync_modes.sync_mode("entity").label == "Entity lockstep"
    with pytest.raises(KeyError, match="aligned, entity, proportional, off"):
        sync_modes.sync_mode("lockstep")
    sync = next(a for a in build_parser()._actions if "--sync" in a.option_strings)
    assert isinstance(sync, argparse.Action) and tuple(sync.choices or ()) == sync_modes.KEYS
    assert check_lesson is not None
