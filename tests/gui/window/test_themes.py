"""Issue 20 item 16: every text/background pair of every theme meets WCAG AA, walked from the palettes."""

from __future__ import annotations

import pytest
import yaml
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QApplication

from reader.core.paths import resource_path
from reader.core.settings import SETTINGS
from reader.core.themes import CONTRAST_PAIRS, PALETTES, THEME_NAMES, blend, contrast_ratio
from reader.gui.window.theme import ROLES, apply_theme, load_theme

pytestmark = pytest.mark.gui

GROUPS = (QPalette.ColorGroup.Active, QPalette.ColorGroup.Inactive, QPalette.ColorGroup.Disabled)
R = QPalette.ColorRole
WIDGET_PAIRS = ((R.WindowText, R.Window), (R.Text, R.Base), (R.Text, R.AlternateBase), (R.ButtonText, R.Button),
                (R.HighlightedText, R.Highlight), (R.PlaceholderText, R.Base), (R.ToolTipText, R.ToolTipBase),
                (R.Link, R.Base))


def test_contrast_formula_matches_wcag() -> None:
    assert contrast_ratio("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast_ratio("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)
    assert blend("#ffffff", 0, "#000000") == "#000000" and blend("#ffffff", 255, "#000000") == "#ffffff"


@pytest.mark.parametrize("name", PALETTES)
def test_every_palette_pair_meets_wcag_aa(name: str) -> None:
    colors = yaml.safe_load(resource_path("themes", f"{name}.yaml").read_text(encoding="utf-8"))
    assert set(ROLES) <= set(colors), f"{name} misses {set(ROLES) - set(colors)}"
    failing = [(fg, bg, round(contrast_ratio(colors[fg], colors[bg]), 2)) for fg, bg, need in CONTRAST_PAIRS
               if contrast_ratio(colors[fg], colors[bg]) < need]
    assert not failing, f"{name}: {failing}"


@pytest.mark.parametrize("name", PALETTES)
def test_the_applied_qt_palette_meets_wcag_aa_in_every_state(qapp: QApplication, name: str) -> None:
    """What widgets really draw, including disabled fields and buttons (1.8:1 in the old dark theme)."""
    apply_theme(qapp, load_theme(name))
    pal = qapp.palette()
    failing = []
    for group in GROUPS:
        for fg, bg in WIDGET_PAIRS:
            ratio = contrast_ratio(pal.color(group, fg).name(), pal.color(group, bg).name())
            if ratio < 4.5:
                failing.append((group.name, fg.name, bg.name, round(ratio, 2)))
    apply_theme(qapp, load_theme("light"))
    assert not failing, f"{name}: {failing}"


@pytest.mark.parametrize("name", PALETTES)
def test_entity_tints_keep_the_text_readable(name: str) -> None:
    from reader.gui.entities.style import ENTITY_TYPES, mention_format, selected_format

    theme = load_theme(name)
    back = theme.colors["reader_background"]
    failing = []
    for etype in ENTITY_TYPES:
        for fmt in (mention_format(etype, theme), selected_format(etype, theme)):
            tint = fmt.background().color()
            shown = blend(tint.name(), tint.alpha(), back)
            ratio = contrast_ratio(theme.colors["reader_text"], shown)
            if ratio < 4.5:
                failing.append((etype, shown, round(ratio, 2)))
    assert not failing, f"{name}: {failing}"


def test_themes_are_declared_once() -> None:
    """The setting, the CLI and the View ▸ Theme menu offer exactly THEMES, and each has a palette."""
    setting = next(s for s in SETTINGS if s.name == "ui.theme")
    assert tuple(setting.choices) == THEME_NAMES
    from reader.cli import build_parser

    parser = build_parser()
    gui = next(a for a in parser._actions if "--theme" in a.option_strings)
    assert tuple(gui.choices) == THEME_NAMES
    for name in THEME_NAMES:
        assert name == "system" or resource_path("themes", f"{name}.yaml").exists()
    assert "high-contrast" in THEME_NAMES
