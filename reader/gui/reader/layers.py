"""Span layers: every highlight (find, entities, notes...) is data drawn by one mechanism.

A layer is a list of :class:`LayerSpan` with a char format; the reader view turns
all visible layers into Qt extra selections, in layer order, so a new kind of
highlight is a new layer, never a new widget.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtGui import QColor, QTextCharFormat


@dataclass(frozen=True)
class LayerSpan:
    start: int
    end: int
    key: str = ""
    tooltip: str = ""


@dataclass
class Layer:
    name: str
    spans: list[LayerSpan]
    fmt: QTextCharFormat
    visible: bool = True
    z: int = 0


def background_format(color: QColor, foreground: QColor | None = None) -> QTextCharFormat:
    fmt = QTextCharFormat()
    fmt.setBackground(color)
    if foreground is not None:
        fmt.setForeground(foreground)
    return fmt
