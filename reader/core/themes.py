"""The colour themes, declared once: the View ▸ Theme menu, ``--theme`` and the ``ui.theme``
setting all take their choices from :data:`THEMES`, so a new theme is one line here plus its
palette file in ``resources/themes/``."""

from __future__ import annotations

#: (name, menu label) of every theme a user can choose; "system" follows the platform's scheme
THEMES: tuple[tuple[str, str], ...] = (
    ("system", "&System"),
    ("light", "&Light"),
    ("dark", "&Dark"),
    ("high-contrast", "&High Contrast"),
)
THEME_NAMES: tuple[str, ...] = tuple(name for name, _label in THEMES)
#: the palette presentation mode switches to (not offered in the menu: F5 picks it)
PRESENTATION_THEME = "projector"
#: every palette file shipped, for the contrast test
PALETTES: tuple[str, ...] = ("light", "dark", "high-contrast", PRESENTATION_THEME)
