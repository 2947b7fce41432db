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


def _channel(value: int) -> float:
    c = value / 255.0
    return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4


def parse_hex(color: str) -> tuple[int, int, int]:
    color = color.strip().lstrip("#")
    if len(color) == 3:
        color = "".join(ch * 2 for ch in color)
    return int(color[0:2], 16), int(color[2:4], 16), int(color[4:6], 16)


def luminance(color: str) -> float:
    """WCAG 2 relative luminance of ``#rrggbb``."""
    r, g, b = parse_hex(color)
    return 0.2126 * _channel(r) + 0.7152 * _channel(g) + 0.0722 * _channel(b)


def contrast_ratio(fg: str, bg: str) -> float:
    """WCAG 2 contrast ratio, 1 to 21 (AA asks 4.5 for body text, 3 for large text and focus rings)."""
    a, b = luminance(fg), luminance(bg)
    hi, lo = max(a, b), min(a, b)
    return (hi + 0.05) / (lo + 0.05)


def blend(top: str, alpha: int, bottom: str) -> str:
    """``top`` at ``alpha`` (0-255) over ``bottom``: the colour a tinted highlight really shows."""
    t, b = parse_hex(top), parse_hex(bottom)
    mixed = (round(t[i] * alpha / 255 + b[i] * (255 - alpha) / 255) for i in range(3))
    return "#" + "".join(f"{v:02x}" for v in mixed)


#: (text role, background role, minimum ratio) pairs every palette must meet: the roles of a
#: theme file as the window uses them (labels on windows, fields, buttons, selections, the reader
#: and its comments column, find marks, the status colours, focus rings and borders of fields)
CONTRAST_PAIRS: tuple[tuple[str, str, float], ...] = (
    ("window_text", "window", 4.5), ("window_text", "button", 4.5), ("window_text", "alternate_base", 4.5),
    ("text", "base", 4.5), ("text", "alternate_base", 4.5),
    ("muted_text", "window", 4.5), ("muted_text", "base", 4.5), ("muted_text", "button", 4.5),
    ("muted_text", "alternate_base", 4.5), ("muted_text", "comments_background", 4.5),
    ("muted_text", "reader_background", 4.5),
    ("highlighted_text", "highlight", 4.5), ("link", "base", 4.5), ("link", "window", 4.5),
    ("reader_text", "reader_background", 4.5), ("reader_text", "comments_background", 4.5),
    ("comment_header", "comments_background", 4.5),
    ("reader_text", "find_match", 4.5), ("reader_text", "find_current", 4.5),
    ("warning", "window", 4.5), ("error", "window", 4.5),
    ("accent", "window", 3.0), ("accent", "base", 3.0),
)
