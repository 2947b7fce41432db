"""The reader: a document's header and its text set for reading, with find and layers.

The text shown is the document's canonical text; comment headers and the comments
heading are inserted for display only and mapped out by :class:`TextMap`, so every
span the core reports can be drawn exactly.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QEvent, QObject, QPoint, Qt, QTimer, Signal
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontDatabase,
    QFontMetricsF,
    QHelpEvent,
    QKeySequence,
    QMouseEvent,
    QPainter,
    QShortcut,
    QTextBlockFormat,
    QTextCharFormat,
    QTextCursor,
    QTextDocument,
)
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QScrollArea,
    QSizePolicy,
    QSplitter,
    QStackedWidget,
    QTextBrowser,
    QTextEdit,
    QToolButton,
    QToolTip,
    QVBoxLayout,
    QWidget,
)

from reader.core.document import COMMENTS, Document
from reader.core.selection import snap_to_words
from reader.core.text import paragraph_spans, word_count
from reader.gui.reader.layers import Layer, LayerSpan, background_format
from reader.gui.reader.library import format_date
from reader.gui.reader.textmap import TextMap
from reader.gui.window.theme import Theme

#: layers whose spans are names or hits: clicking one selects it (then Add Note anchors there)
SELECTABLE_LAYERS = ("entities:", "entity-selected", "lockstep", "search-hits")

#: what F3 steps through, by navigation layer, for "hit 2 of 9"
NAV_NOUNS = {"search-hits": "Search hit", "entity-selected": "Mention"}

SERIF_PREFERENCE = ("Noto Serif", "Source Serif 4", "Source Serif Pro", "Georgia", "Charter",
                    "DejaVu Serif", "Liberation Serif", "Times New Roman")


def reading_font_family(requested: str = "") -> str:
    families = set(QFontDatabase.families())
    if requested and requested in families:
        return requested
    for family in SERIF_PREFERENCE:
        if family in families:
            return family
    font = QFont()
    font.setStyleHint(QFont.StyleHint.Serif)
    return font.defaultFamily()


class DocumentHeader(QWidget):
    """Title, outlet, author and date of the open document."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title = QLabel(self)
        self.title.setObjectName("docTitle")
        self.title.setWordWrap(True)
        self.title.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.meta = QLabel(self)
        self.meta.setObjectName("docMeta")
        self.meta.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 10)
        layout.setSpacing(4)
        layout.addWidget(self.title)
        layout.addWidget(self.meta)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)

    compact = False  # in a compare pane: a smaller title, so the text keeps the height

    def set_document(self, doc: Document, theme: Theme) -> None:
        meta = doc.meta
        self.title.setText(meta.title)
        font = self.title.font()
        font.setPointSizeF(max(11.0 if self.compact else 12.0, QFont().pointSizeF() * (1.1 if self.compact else 1.45)))
        font.setWeight(QFont.Weight.DemiBold)
        self.title.setFont(font)
        date = format_date(meta.published)
        if meta.date_note and meta.date_note.startswith("inferred"):
            date += " (inferred)"
        parts = [f"<b>{_esc(meta.outlet or 'Unknown outlet')}</b>"]
        if meta.author:
            parts.append(f"by {_esc(meta.author)}")
        parts.append(_esc(date))
        words = [f"{word_count(doc.section_text('article')):,} words"]
        if doc.comments:
            words.append(f"{len(doc.comments)} reader comments")
        parts.append(" + ".join(words))
        self.meta.setText(f"<span style='color:{theme.colors['muted_text']}'>" + "  ·  ".join(parts) + "</span>")
        self.meta.setToolTip(meta.date_note or "")


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


class FindBar(QWidget):
    """Find in the open document: Enter / F3 next, Shift+Enter / Shift+F3 previous, Esc closes."""

    searchChanged = Signal(str)
    nextRequested = Signal()
    previousRequested = Signal()
    closed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.edit = QLineEdit(self)
        self.edit.setPlaceholderText("Find in document")
        self.edit.setAccessibleName("Find in document")
        self.edit.setClearButtonEnabled(True)
        self.count = QLabel(self)
        self.count.setMinimumWidth(90)
        prev_btn = QToolButton(self, text="↑", toolTip="Previous match (Shift+F3)")
        next_btn = QToolButton(self, text="↓", toolTip="Next match (F3)")
        close_btn = QToolButton(self, text="✕", toolTip="Close (Esc)")
        for btn, name in ((prev_btn, "Previous match"), (next_btn, "Next match"), (close_btn, "Close find bar")):
            btn.setAccessibleName(name)
            btn.setAutoRaise(True)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(12, 4, 12, 6)
        layout.addWidget(self.edit, 1)
        layout.addWidget(self.count)
        layout.addWidget(prev_btn)
        layout.addWidget(next_btn)
        layout.addWidget(close_btn)
        self.edit.textChanged.connect(self.searchChanged)
        self.edit.returnPressed.connect(self.nextRequested)
        prev_btn.clicked.connect(self.previousRequested)
        next_btn.clicked.connect(self.nextRequested)
        close_btn.clicked.connect(self.close_bar)
        escape = QShortcut(QKeySequence(Qt.Key.Key_Escape), self)
        escape.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        escape.activated.connect(self.close_bar)
        back = QShortcut(QKeySequence("Shift+Return"), self.edit)
        back.setContext(Qt.ShortcutContext.WidgetShortcut)
        back.activated.connect(self.previousRequested.emit)
        self.hide()

    def open_bar(self, initial: str = "") -> None:
        self.show()
        if initial:
            self.edit.setText(initial)
        self.edit.setFocus()
        self.edit.selectAll()

    def close_bar(self) -> None:
        self.hide()
        self.closed.emit()


class ReaderText(QTextBrowser):
    """The text widget: keeps the text in a centred column of readable width."""

    def __init__(self, parent: QWidget | None = None, min_side: float = 24.0) -> None:
        super().__init__(parent)
        self.line_width_chars = 72
        self.min_side = min_side
        self.setOpenLinks(False)
        self.setReadOnly(True)
        self.setUndoRedoEnabled(False)
        self.setFrameShape(QTextBrowser.Shape.NoFrame)
        self.setAccessibleName("Document text")
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse
                                     | Qt.TextInteractionFlag.TextSelectableByKeyboard
                                     | Qt.TextInteractionFlag.LinksAccessibleByMouse)

    def resizeEvent(self, event: Any) -> None:
        super().resizeEvent(event)
        self.update_column()

    def update_column(self) -> None:
        doc = self.document()
        metrics = QFontMetricsF(doc.defaultFont())
        column = metrics.averageCharWidth() * self.line_width_chars * 1.08
        available = self.viewport().width()
        side = max(self.min_side, (available - column) / 2)
        root = doc.rootFrame()
        fmt = root.frameFormat()
        if abs(fmt.leftMargin() - side) > 0.5:
            fmt.setLeftMargin(side)
            fmt.setRightMargin(side)
            fmt.setTopMargin(20)
            fmt.setBottomMargin(48)
            root.setFrameFormat(fmt)


class ScrollMarks(QWidget):
    """Ticks on the article's scrollbar where the find matches or the hits stepped through with
    F3 are, so a reader sees at a glance where in the text they lie."""

    def __init__(self, view: ReaderView) -> None:
        bar = view.text.verticalScrollBar()
        super().__init__(bar)
        self.view = view
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.setAttribute(Qt.WidgetAttribute.WA_NoSystemBackground)
        bar.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in (QEvent.Type.Resize, QEvent.Type.Show):
            parent = self.parentWidget()
            if parent is not None:
                self.setGeometry(parent.rect())
                self.raise_()
        return False

    def fractions(self) -> list[float]:
        """Where each mark sits, 0 (top of the text) to 1 (bottom)."""
        view = self.view
        pane = view.article_pane
        if view.doc is None or pane.end <= pane.start:
            return []
        spans = view.find_matches if view.findbar.isVisible() else [(s.start, s.end) for s in view.navigation_spans()]
        qdoc = pane.widget.document()
        height = qdoc.documentLayout().documentSize().height()
        if height <= 0:
            return []
        out = []
        for start, _end in spans:
            if not pane.start <= start < pane.end:
                continue
            block = qdoc.findBlock(pane.map.to_qt(start))
            if block.isValid():
                out.append(qdoc.documentLayout().blockBoundingRect(block).top() / height)
        return out

    def paintEvent(self, _event: Any) -> None:
        marks = self.fractions()
        if not marks:
            return
        painter = QPainter(self)
        color = QColor(self.view.theme.colors.get("find_current", "#ff9f43"))
        arrows = self.width() + 2  # the bar's arrow buttons (Fusion: as tall as the bar is wide)
        track = max(1, self.height() - 2 * arrows)
        for fraction in marks:
            y = arrows + round(fraction * track)
            painter.fillRect(1, y - 1, self.width() - 2, 3, color)
        painter.end()


class TextPane:
    """One text widget showing a range of the canonical text, with its own offset map."""

    def __init__(self, widget: ReaderText) -> None:
        self.widget = widget
        self.map = TextMap()
        self.start = 0
        self.end = 0

    def holds(self, offset: int) -> bool:
        return self.start <= offset < self.end or (offset == self.end and self.end > self.start)


class ReaderView(QWidget):
    """Header, article text, reader comments beside it, and a find bar, for one document.

    This is the unit the compare view repeats. Every public method speaks in canonical
    offsets; which widget shows an offset is this class's business.
    """

    #: a document was laid out (its id); features re-apply their layers on this
    documentShown = Signal(str)
    #: a highlighted span was clicked: (layer name, span key, canonical offset)
    spanClicked = Signal(str, str, int)
    #: context menu over the text: (QMenu to add actions to, selection start, selection end);
    #: start == end when nothing is selected (then it is the offset under the mouse)
    contextMenuRequested = Signal(object, int, int)

    def __init__(self, theme: Theme, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.theme = theme
        self.doc: Document | None = None
        self.font_size = 13
        self.font_family = reading_font_family()
        self.layers: dict[str, Layer] = {}
        #: while presenting, which layers may be drawn at all (None: every visible layer); the
        #: presenter sets it from the step, so no feature can paint what the step keeps private
        self.layer_mask: Callable[[str], bool] | None = None
        self.show_comments = True
        self._find_matches: list[tuple[int, int]] = []
        self._find_current = -1
        self.header = DocumentHeader(self)
        self.text = ReaderText(self)
        self.comments_text = ReaderText(self, min_side=14.0)
        self.comments_text.line_width_chars = 60
        self.comments_text.setAccessibleName("Reader comments")
        self.article_pane = TextPane(self.text)
        self.comments_pane = TextPane(self.comments_text)
        self.comments_title = QLabel(self)
        self.comments_title.setObjectName("commentsTitle")
        self.comments_title.setWordWrap(True)
        self.comments_box = QWidget(self)
        self.comments_box.setObjectName("commentsBox")
        box = QVBoxLayout(self.comments_box)
        box.setContentsMargins(0, 0, 0, 0)
        box.setSpacing(0)
        box.addWidget(self.comments_title)
        box.addWidget(self.comments_text, 1)
        self.body = QSplitter(Qt.Orientation.Horizontal, self)
        self.body.setObjectName("readerBody")
        self.body.addWidget(self.text)
        self.body.addWidget(self.comments_box)
        self.body.setStretchFactor(0, 3)
        self.body.setStretchFactor(1, 2)
        self.body.setChildrenCollapsible(False)
        self.comments_box.setMinimumWidth(170)
        self.findbar = FindBar(self)
        self.placeholder = QLabel(self)
        self.placeholder.setObjectName("readerPlaceholder")
        self.placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.placeholder.setWordWrap(True)
        self.placeholder.setMargin(40)
        self.placeholder_page = QWidget(self)
        self._placeholder_layout = QVBoxLayout(self.placeholder_page)
        self._placeholder_layout.addStretch(1)
        self._placeholder_layout.addWidget(self.placeholder)
        self._placeholder_layout.addStretch(1)
        self.stack = QStackedWidget(self)
        page = QWidget(self)
        inner = QVBoxLayout(page)
        inner.setContentsMargins(0, 0, 0, 0)
        inner.setSpacing(0)
        inner.addWidget(self.header)
        inner.addWidget(self.body, 1)
        self.nav_status = QLabel(self)
        self.nav_status.setObjectName("navStatus")
        self.nav_status.setAccessibleName("Position among hits")
        self.nav_status.setContentsMargins(14, 3, 14, 3)
        self.nav_status.hide()
        inner.addWidget(self.nav_status)
        inner.addWidget(self.findbar)
        scroller = QScrollArea(self)  # the empty reader's text and first-run panel never set the window's height
        scroller.setWidget(self.placeholder_page)
        scroller.setWidgetResizable(True)
        scroller.setFrameShape(QScrollArea.Shape.NoFrame)
        self.stack.addWidget(scroller)
        self.stack.addWidget(page)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.stack)
        self.marks = ScrollMarks(self)
        self.findbar.searchChanged.connect(self._on_find_text)
        self.findbar.nextRequested.connect(self.find_next)
        self.findbar.previousRequested.connect(self.find_previous)
        self.findbar.closed.connect(self._on_find_closed)
        for pane in self.panes:
            pane.widget.viewport().installEventFilter(self)
            pane.widget.viewport().setMouseTracking(True)
            pane.widget.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
            pane.widget.customContextMenuRequested.connect(
                lambda pos, p=pane: self._on_context_menu(p, pos))
        self.apply_theme(theme)

    @property
    def panes(self) -> tuple[TextPane, TextPane]:
        return (self.article_pane, self.comments_pane)

    @property
    def textmap(self) -> TextMap:
        """The article's offset map (most callers want the article)."""
        return self.article_pane.map

    def pane_for(self, offset: int) -> TextPane:
        if self.comments_pane.end > self.comments_pane.start and self.comments_pane.holds(offset) \
                and not self.article_pane.holds(offset):
            return self.comments_pane
        return self.article_pane

    # -- content ------------------------------------------------------------------
    def add_placeholder_widget(self, widget: QWidget) -> None:
        """Show ``widget`` under the placeholder text (the first-run panel), centred."""
        self._placeholder_layout.insertWidget(2, widget, 0, Qt.AlignmentFlag.AlignHCenter)

    def set_placeholder(self, html: str) -> None:
        self.placeholder.setText(html)
        if self.doc is None:
            self.stack.setCurrentIndex(0)

    def show_document(self, doc: Document) -> None:
        keep = self.doc is not None and self.doc.id == doc.id
        fraction = self._scroll_fraction() if keep else 0.0
        if not keep:
            self.layers.clear()
            self.nav_status.hide()
        self.doc = doc
        self.header.set_document(doc, self.theme)
        self._build()
        self.stack.setCurrentIndex(1)
        if self.findbar.isVisible() and self.findbar.edit.text():
            self._on_find_text(self.findbar.edit.text())
        QTimer.singleShot(0, lambda: self._restore_fraction(fraction))
        self.documentShown.emit(doc.id)

    def clear(self) -> None:
        self.doc = None
        for pane in self.panes:
            pane.widget.clear()
            pane.map = TextMap()
            pane.start = pane.end = 0
        self.layers.clear()
        self.stack.setCurrentIndex(0)

    def set_font(self, size: int, family: str = "") -> None:
        self.font_size = size
        self.font_family = reading_font_family(family)
        if self.doc is not None:
            fraction = self._scroll_fraction()
            self._build()
            QTimer.singleShot(0, lambda: self._restore_fraction(fraction))

    def set_line_width(self, chars: int) -> None:
        self.text.line_width_chars = chars
        self.text.update_column()

    def set_compact(self, compact: bool) -> None:
        """Compare panes are narrow: a smaller document header leaves the height to the text."""
        if self.header.compact != compact:
            self.header.compact = compact
            self.header.layout().setContentsMargins(12, 6, 12, 6) if compact else \
                self.header.layout().setContentsMargins(16, 12, 16, 10)
            if self.doc is not None:
                self.header.set_document(self.doc, self.theme)

    def set_comments_visible(self, visible: bool) -> None:
        self.show_comments = visible
        self.comments_box.setVisible(visible and bool(self.doc and self.doc.comments))

    def apply_theme(self, theme: Theme) -> None:
        self.theme = theme
        c = theme.colors
        self.text.setStyleSheet(f"QTextBrowser {{ background: {c['reader_background']}; color: {c['reader_text']}; }}")
        self.comments_text.setStyleSheet(
            f"QTextBrowser {{ background: {c['comments_background']}; color: {c['reader_text']}; }}")
        self.comments_title.setStyleSheet(
            f"QLabel {{ background: {c['comments_background']}; color: {c['comment_header']};"
            f" border-left: 4px solid {c['comments_border']}; border-bottom: 1px solid {c['comments_border']};"
            " padding: 8px 12px; }")
        self.comments_box.setStyleSheet(f"#commentsBox {{ border-left: 4px solid {c['comments_border']}; }}")
        self.header.setStyleSheet(f"DocumentHeader {{ border-bottom: 1px solid {c['border']}; }}")
        self.placeholder.setStyleSheet(f"color: {c['muted_text']};")
        self.nav_status.setStyleSheet(f"QLabel#navStatus {{ color: {c['window_text']};"
                                      f" background: {c['alternate_base']}; border-top: 1px solid {c['border']}; }}")
        if self.doc is not None:
            self.header.set_document(self.doc, theme)
            self._build()

    def _base_font(self, scale: float = 1.0) -> QFont:
        font = QFont(self.font_family)
        font.setPointSizeF(self.font_size * scale)
        return font

    def _new_qdoc(self, pane: TextPane, scale: float = 1.0) -> tuple[QTextDocument, QTextCursor]:
        assert self.doc is not None
        qdoc = QTextDocument(pane.widget)
        qdoc.setDefaultFont(self._base_font(scale))
        qdoc.setDocumentMargin(0)
        pane.map = TextMap(self.doc.text)
        return qdoc, QTextCursor(qdoc)

    def _build(self) -> None:
        """Lay the canonical text out as blocks; record where each paragraph lands."""
        assert self.doc is not None
        doc, theme = self.doc, self.theme
        body_block = QTextBlockFormat()
        body_block.setLineHeight(150.0, QTextBlockFormat.LineHeightTypes.ProportionalHeight.value)
        body_block.setBottomMargin(self.font_size * 0.9)
        body_char = QTextCharFormat()
        body_char.setFont(self._base_font())
        body_char.setForeground(theme.color("reader_text"))

        pane = self.article_pane
        qdoc, cursor = self._new_qdoc(pane)
        article = doc.section("article")
        pane.start, pane.end = (article.start, article.end) if article else (0, 0)
        first = True
        for start, end in paragraph_spans(doc.text, pane.start, pane.end):
            first = self._paragraph(cursor, pane, start, end, body_block, body_char, first)
        pane.widget.setDocument(qdoc)
        pane.widget.update_column()

        cpane = self.comments_pane
        comments = doc.section(COMMENTS)
        if comments is not None and doc.comments:
            cpane.start, cpane.end = comments.start, comments.end
            self._build_comments(body_block)
            self.comments_title.setText(
                f"<b>Reader comments ({len(doc.comments)})</b><br>"
                f"<span style='font-size:small; font-style:italic; color:{theme.colors['muted_text']}'>"
                "Posted by readers below the article; not part of the article text.</span>")
        else:
            cpane.start = cpane.end = 0
            cpane.widget.clear()
            cpane.map = TextMap()
        self.comments_box.setVisible(self.show_comments and bool(doc.comments))
        self._refresh_selections()

    def _paragraph(self, cursor: QTextCursor, pane: TextPane, start: int, end: int,
                   block: QTextBlockFormat, char: QTextCharFormat, first: bool) -> bool:
        if first:
            cursor.setBlockFormat(block)
            cursor.setBlockCharFormat(char)
        else:
            cursor.insertBlock(block, char)
        pane.map.add(start, end, cursor.position())
        cursor.insertText(self.doc.text[start:end].replace("\n", "\u2028"), char) if self.doc else None
        return False

    def _build_comments(self, body_block: QTextBlockFormat) -> None:
        assert self.doc is not None
        doc, theme, pane = self.doc, self.theme, self.comments_pane
        qdoc, cursor = self._new_qdoc(pane, 0.92)
        head_block = QTextBlockFormat()
        head_block.setTopMargin(self.font_size * 1.1)
        head_block.setBottomMargin(self.font_size * 0.3)
        head_char = QTextCharFormat()
        head_char.setFont(self._base_font(0.82))
        head_char.setFontWeight(QFont.Weight.DemiBold)
        head_char.setForeground(theme.color("comment_header"))
        comment_block = QTextBlockFormat(body_block)
        comment_block.setBottomMargin(self.font_size * 0.6)
        comment_char = QTextCharFormat()
        comment_char.setFont(self._base_font(0.92))
        comment_char.setForeground(theme.color("reader_text"))
        first = True
        for comment in doc.comments:
            if first:
                first_block = QTextBlockFormat(head_block)
                first_block.setTopMargin(0)
                cursor.setBlockFormat(first_block)
                first = False
            else:
                cursor.insertBlock(head_block, head_char)
            number = f"  #{comment.number}" if comment.number is not None else ""
            cursor.insertText(f"{comment.author}  ·  {_format_posted(comment.posted)}{number}", head_char)
            for start, end in paragraph_spans(doc.text, comment.start, comment.end):
                self._paragraph(cursor, pane, start, end, comment_block, comment_char, False)
        pane.widget.setDocument(qdoc)
        pane.widget.update_column()

    # -- layers -------------------------------------------------------------------
    def set_layer(self, layer: Layer) -> None:
        self.layers[layer.name] = layer
        self._refresh_selections()

    def remove_layer(self, name: str) -> None:
        if self.layers.pop(name, None) is not None:
            self._refresh_selections()

    def set_layer_mask(self, mask: Callable[[str], bool] | None) -> None:
        """Limit what is drawn to the layers ``mask`` allows (None lifts the limit)."""
        self.layer_mask = mask
        self._refresh_selections()
        for child in self.findChildren(QWidget):
            if child.objectName() == "noteMarkers":
                child.update()

    def layer_allowed(self, name: str) -> bool:
        return self.layer_mask is None or self.layer_mask(name)

    def drawn_layers(self) -> list[str]:
        """Names of the layers actually painted now (visible, allowed, with spans): what a viewer sees."""
        return sorted(name for name, layer in self.layers.items()
                      if layer.visible and layer.spans and self.layer_allowed(name))

    def _refresh_selections(self) -> None:
        for pane in self.panes:
            selections = []
            if self.doc is not None and pane.end > pane.start:
                qdoc = pane.widget.document()
                for layer in sorted(self.layers.values(), key=lambda lay: lay.z):
                    if not layer.visible or not self.layer_allowed(layer.name):
                        continue
                    for span in layer.spans:
                        if span.end <= pane.start or span.start >= pane.end:
                            continue
                        sel = QTextEdit.ExtraSelection()
                        cur = QTextCursor(qdoc)
                        cur.setPosition(pane.map.to_qt(max(span.start, pane.start)))
                        cur.setPosition(pane.map.to_qt(min(span.end, pane.end)), QTextCursor.MoveMode.KeepAnchor)
                        sel.cursor = cur
                        sel.format = layer.fmt
                        selections.append(sel)
            pane.widget.setExtraSelections(selections)

    def spans_at(self, offset: int) -> list[tuple[Layer, LayerSpan]]:
        return [(layer, span) for layer in self.layers.values() if layer.visible and self.layer_allowed(layer.name)
                for span in layer.spans if span.start <= offset < span.end]

    def offset_at(self, point: QPoint, pane: TextPane | None = None) -> int | None:
        pane = pane or self.article_pane
        return pane.map.to_py(pane.widget.cursorForPosition(point).position())

    def selected_range(self) -> tuple[int, int] | None:
        """The selection as canonical offsets snapped to whole words, or None when nothing is selected.

        The current find match, search hit or entity mention stepped to is selected too (see
        :meth:`select_range`), so a keyboard user's Add Note lands on it."""
        for pane in self.panes:
            cursor = pane.widget.textCursor()
            if cursor.hasSelection():
                start = pane.map.to_py(cursor.selectionStart())
                end = pane.map.to_py(cursor.selectionEnd())
                if start is not None and end is not None and end > start:
                    return snap_to_words(self.doc.text, start, end) if self.doc is not None else (start, end)
        return None

    def _snap_selection(self, pane: TextPane) -> None:
        """After a drag: show the selection as the whole words a note would take."""
        cursor = pane.widget.textCursor()
        if self.doc is None or not cursor.hasSelection():
            return
        start, end = pane.map.to_py(cursor.selectionStart()), pane.map.to_py(cursor.selectionEnd())
        if start is None or end is None:
            return
        a, b = snap_to_words(self.doc.text, start, end)
        if (a, b) != (start, end) and pane.start <= a and b <= pane.end:
            forward = cursor.position() >= cursor.anchor()
            snapped = QTextCursor(pane.widget.document())
            snapped.setPosition(pane.map.to_qt(a if forward else b))
            snapped.setPosition(pane.map.to_qt(b if forward else a), QTextCursor.MoveMode.KeepAnchor)
            pane.widget.setTextCursor(snapped)

    def select_range(self, start: int, end: int) -> None:
        """Select a canonical range and bring it into view."""
        self.scroll_to_offset(start, select_to=end)

    def _on_context_menu(self, pane: TextPane, pos: QPoint) -> None:
        menu = pane.widget.createStandardContextMenu(pos)
        chosen = self.selected_range()
        if chosen is None:
            offset = self.offset_at(pos, pane)
            chosen = (offset, offset) if offset is not None else None
        if chosen is not None:
            self.contextMenuRequested.emit(menu, chosen[0], chosen[1])
        menu.exec(pane.widget.viewport().mapToGlobal(pos))
        menu.deleteLater()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        pane = next((p for p in self.panes if watched is p.widget.viewport()), None)
        if pane is not None and event.type() == QEvent.Type.MouseButtonRelease:
            assert isinstance(event, QMouseEvent)
            if event.button() == Qt.MouseButton.LeftButton and pane.widget.textCursor().hasSelection():
                self._snap_selection(pane)
            elif event.button() == Qt.MouseButton.LeftButton:
                offset = self.offset_at(event.position().toPoint(), pane)
                if offset is not None:
                    hits = self.spans_at(offset)
                    mention = next((span for layer, span in hits if layer.name.startswith(SELECTABLE_LAYERS)), None)
                    if mention is not None:  # a clicked name is the passage Add Note takes
                        self._select_quietly(pane, mention.start, mention.end)
                    for layer, span in hits:
                        self.spanClicked.emit(layer.name, span.key, offset)
        if pane is not None and event.type() == QEvent.Type.ToolTip:
            assert isinstance(event, QHelpEvent)
            offset = self.offset_at(event.pos(), pane)
            tips = [span.tooltip for _layer, span in self.spans_at(offset)] if offset is not None else []
            tips = [t for t in tips if t]
            if tips:
                QToolTip.showText(event.globalPos(), "\n\n".join(tips), pane.widget)
            else:
                QToolTip.hideText()
            return True
        return super().eventFilter(watched, event)

    def _select_quietly(self, pane: TextPane, start: int, end: int) -> None:
        cursor = QTextCursor(pane.widget.document())
        cursor.setPosition(pane.map.to_qt(max(start, pane.start)))
        cursor.setPosition(pane.map.to_qt(min(end, pane.end)), QTextCursor.MoveMode.KeepAnchor)
        pane.widget.setTextCursor(cursor)

    # -- navigation ---------------------------------------------------------------
    def scroll_to_offset(self, offset: int, *, select_to: int | None = None) -> None:
        """Bring a canonical offset into view, about a third from the top."""
        pane = self.pane_for(offset)
        if pane is self.comments_pane and not self.comments_box.isVisible():
            self.set_comments_visible(True)
        widget = pane.widget
        cursor = QTextCursor(widget.document())
        cursor.setPosition(pane.map.to_qt(offset))
        if select_to is not None:
            cursor.setPosition(pane.map.to_qt(select_to), QTextCursor.MoveMode.KeepAnchor)
        widget.setTextCursor(cursor)
        rect = widget.cursorRect(cursor)
        bar = widget.verticalScrollBar()
        bar.setValue(bar.value() + rect.top() - widget.viewport().height() // 3)

    def _scroll_fraction(self) -> float:
        bar = self.text.verticalScrollBar()
        return bar.value() / bar.maximum() if bar.maximum() > 0 else 0.0

    def _restore_fraction(self, fraction: float) -> None:
        bar = self.text.verticalScrollBar()
        bar.setValue(round(fraction * bar.maximum()))

    # -- find ---------------------------------------------------------------------
    def open_find(self) -> None:
        if self.doc is None:
            return
        selected = ""
        for pane in self.panes:
            chosen = pane.widget.textCursor().selectedText()
            if chosen:
                selected = chosen.replace("\u2029", " ").replace("\u2028", " ")
        self.findbar.open_bar(selected if 0 < len(selected) < 80 else "")

    def _on_find_text(self, query: str) -> None:
        self._find_matches = []
        self._find_current = -1
        if self.doc is not None and query.strip():
            pattern = re.compile(re.escape(query).replace(r"\ ", r"\s+"), re.IGNORECASE)
            self._find_matches = [(m.start(), m.end()) for m in pattern.finditer(self.doc.text)]
        if self._find_matches:
            self._find_current = 0
            self._show_find()
        else:
            self.layers.pop("find-current", None)
            self.set_layer(Layer("find", [], background_format(self.theme.color("find_match")), z=100))
        self._update_find_count(query)

    def _update_find_count(self, query: str) -> None:
        if not query.strip():
            self.findbar.count.setText("")
        elif not self._find_matches:
            self.findbar.count.setText("no matches")
        else:
            self.findbar.count.setText(f"{self._find_current + 1} of {len(self._find_matches)}")

    def _show_find(self) -> None:
        spans = [LayerSpan(s, e) for s, e in self._find_matches]
        self.layers["find"] = Layer("find", spans, background_format(self.theme.color("find_match")), z=100)
        start, end = self._find_matches[self._find_current]
        self.layers["find-current"] = Layer("find-current", [LayerSpan(start, end)],
                                            background_format(self.theme.color("find_current")), z=101)
        self._refresh_selections()
        self.scroll_to_offset(start, select_to=end)  # the match is the selection: Add Note takes it
        self._update_find_count(self.findbar.edit.text())
        self.marks.update()

    def find_next(self) -> None:
        """F3: the next find match while the find bar is open, else the next navigation span."""
        if self._find_matches and self.findbar.isVisible():
            self._find_current = (self._find_current + 1) % len(self._find_matches)
            self._show_find()
        else:
            self.step_navigation(+1)

    def find_previous(self) -> None:
        if self._find_matches and self.findbar.isVisible():
            self._find_current = (self._find_current - 1) % len(self._find_matches)
            self._show_find()
        else:
            self.step_navigation(-1)

    # -- navigation layer (F3 / Shift+F3 outside the find bar) -------------------------
    def set_navigation(self, layer_name: str | None, key: str | None = None) -> None:
        """Make F3 / Shift+F3 step through a layer's spans (only those with ``key`` if given)."""
        self._nav = (layer_name, key) if layer_name else None
        self._nav_index = -1
        self.nav_status.hide()
        self.marks.update()

    def navigation_spans(self) -> list[LayerSpan]:
        nav = getattr(self, "_nav", None)
        if not nav or nav[0] not in self.layers:
            return []
        name, key = nav
        return sorted((s for s in self.layers[name].spans if key is None or s.key == key),
                      key=lambda s: (s.start, s.end))

    def step_navigation(self, step: int) -> LayerSpan | None:
        """Move to the next (+1) or previous (-1) navigation span, wrapping; returns it."""
        spans = self.navigation_spans()
        if not spans:
            return None
        self._nav_index = (getattr(self, "_nav_index", -1) + step) % len(spans)
        span = spans[self._nav_index]
        self.select_range(span.start, span.end)
        nav = getattr(self, "_nav", None)
        what = NAV_NOUNS.get(nav[0] if nav else "", "match")
        self.nav_status.setText(f"{what} {self._nav_index + 1} of {len(spans)}  ·  F3 next, Shift+F3 previous")
        self.nav_status.show()
        self.marks.update()
        return span

    def _on_find_closed(self) -> None:
        self.marks.update()
        self.remove_layer("find")
        self.remove_layer("find-current")
        self._find_matches = []
        self.text.setFocus()

    @property
    def find_matches(self) -> list[tuple[int, int]]:
        return list(self._find_matches)


def _format_posted(posted: str | None) -> str:
    if not posted:
        return "undated"
    date_part, _, time_part = posted.partition("T")
    label = format_date(date_part)
    if time_part:
        label += f", {time_part[:5]} UTC" if time_part.endswith("Z") else f", {time_part[:5]}"
    return label


__all__ = ["ReaderView", "TextPane"]
