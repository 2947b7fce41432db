"""Colour themes: YAML palettes in ``resources/themes`` turned into a QPalette and styles."""

from __future__ import annotations

import logging
from dataclasses import dataclass

import yaml
from PySide6.QtGui import QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication

from reader.core.paths import resource_path

log = logging.getLogger(__name__)

ROLES = (
    "window", "window_text", "base", "alternate_base", "text", "muted_text", "button",
    "highlight", "highlighted_text", "link", "border", "accent", "reader_background",
    "reader_text", "comments_background", "comments_border", "comment_header",
    "find_match", "find_current", "warning", "error",
)

_FALLBACK = {role: "#808080" for role in ROLES}


@dataclass(frozen=True)
class Theme:
    name: str
    colors: dict[str, str]

    def color(self, role: str) -> QColor:
        return QColor(self.colors.get(role, "#808080"))

    @property
    def is_dark(self) -> bool:
        return self.color("base").lightness() < 128


def load_theme(name: str) -> Theme:
    """Load a palette of :data:`reader.core.themes.PALETTES` (``system`` picks light or dark by the
    platform's colour scheme)."""
    if name == "system":
        name = "dark" if _system_prefers_dark() else "light"
    path = resource_path("themes", f"{name}.yaml")
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        log.warning("theme %s not read (%s); the built-in colours are used", path, exc)
        data = {}
    colors = dict(_FALLBACK)
    colors.update({k: str(v) for k, v in data.items() if k in ROLES})
    return Theme(name, colors)


def _system_prefers_dark() -> bool:
    hints = QGuiApplication.styleHints()
    scheme = getattr(hints, "colorScheme", None)
    if scheme is None:
        return False
    try:
        from PySide6.QtCore import Qt

        return scheme() == Qt.ColorScheme.Dark
    except AttributeError:  # Qt < 6.5
        return False


def apply_theme(app: QApplication, theme: Theme) -> None:
    """Fusion style plus the theme's palette: the same look on every platform."""
    app.setStyle("Fusion")
    pal = QPalette()
    c = theme.color
    # every group gets every role: left unset, the Disabled group keeps Qt's light defaults, and
    # a disabled field in the dark theme came out at 1.8:1
    for group in (QPalette.ColorGroup.Active, QPalette.ColorGroup.Inactive, QPalette.ColorGroup.Disabled):
        pal.setColor(group, QPalette.ColorRole.Window, c("window"))
        pal.setColor(group, QPalette.ColorRole.WindowText, c("window_text"))
        pal.setColor(group, QPalette.ColorRole.Base, c("base"))
        pal.setColor(group, QPalette.ColorRole.AlternateBase, c("alternate_base"))
        pal.setColor(group, QPalette.ColorRole.Text, c("text"))
        pal.setColor(group, QPalette.ColorRole.Button, c("button"))
        pal.setColor(group, QPalette.ColorRole.ButtonText, c("window_text"))
        pal.setColor(group, QPalette.ColorRole.Highlight, c("highlight"))
        pal.setColor(group, QPalette.ColorRole.HighlightedText, c("highlighted_text"))
        pal.setColor(group, QPalette.ColorRole.Link, c("link"))
        pal.setColor(group, QPalette.ColorRole.ToolTipBase, c("base"))
        pal.setColor(group, QPalette.ColorRole.ToolTipText, c("text"))
        pal.setColor(group, QPalette.ColorRole.PlaceholderText, c("muted_text"))
    muted = c("muted_text")
    for role in (QPalette.ColorRole.WindowText, QPalette.ColorRole.Text, QPalette.ColorRole.ButtonText,
                 QPalette.ColorRole.HighlightedText):
        pal.setColor(QPalette.ColorGroup.Disabled, role, muted)
    pal.setColor(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Highlight, c("button"))
    app.setPalette(pal)
    app.setStyleSheet(
        f"""
        QSplitter::handle {{ background: {theme.colors['border']}; }}
        QSplitter::handle:horizontal {{ width: 1px; }}
        QStatusBar {{ border-top: 1px solid {theme.colors['border']}; }}
        QLineEdit {{ padding: 4px 6px; border: 1px solid {theme.colors['border']}; border-radius: 4px;
                     background: {theme.colors['base']}; }}
        QLineEdit:focus {{ border: 1px solid {theme.colors['accent']}; }}
        QLineEdit:disabled {{ color: {theme.colors['muted_text']}; background: {theme.colors['alternate_base']}; }}
        QToolTip {{ color: {theme.colors['text']}; background: {theme.colors['base']};
                    border: 1px solid {theme.colors['border']}; }}
        QTreeView, QTableView#libraryTable {{ border: none; }}
        QTreeView::item, QTableView#libraryTable::item {{ padding: 4px 2px; }}
        QTreeView:focus, QTableView#libraryTable:focus, QListView:focus, QTextBrowser:focus, QPlainTextEdit:focus {{
            border: 2px solid {theme.colors['accent']}; }}
        QPushButton:focus, QToolButton:focus, QCheckBox:focus, QComboBox:focus {{
            outline: 2px solid {theme.colors['accent']}; }}
        """
    )


def apply_text_scale(app: QApplication, scale: float) -> None:
    """Scale the interface font from the system's size (remembered on first call), so the
    system setting and the user's scale both count."""
    base = app.property("parallaxBaseFontSize")
    if base is None:
        base = app.font().pointSizeF()
        if base <= 0:
            base = 10.0
        app.setProperty("parallaxBaseFontSize", base)
    font = app.font()
    font.setPointSizeF(float(base) * scale)
    app.setFont(font)
    sheet = app.styleSheet()
    if sheet:
        # Qt does not carry an application font change into widgets a style sheet polishes
        # (seen: the window grew, the splitter and everything under it kept the old size):
        # setting the same sheet again re-polishes them with the new font.
        app.setStyleSheet(sheet)


def readable_alpha(tint: QColor, alpha: int, theme: Theme, text_role: str = "reader_text",
                   background_role: str = "reader_background") -> int:
    """The strongest opacity up to ``alpha`` at which ``tint`` over the reader keeps the text at
    WCAG AA (4.5:1): highlights stay highlights without making the words under them hard to read."""
    from reader.core.themes import blend, contrast_ratio

    text, back = theme.colors.get(text_role, "#000000"), theme.colors.get(background_role, "#ffffff")
    while alpha > 0 and contrast_ratio(text, blend(tint.name(), alpha, back)) < 4.5:
        alpha -= 5
    return max(0, alpha)
