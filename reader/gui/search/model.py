"""Search results as a Qt model (named roles) and a delegate that draws marked snippets.

Snippets are lazy: the feature fills the first page before showing results; rows painted
later without snippets ask for theirs through :attr:`SearchResultsModel.snippetsWanted`
(paint is the one call Qt makes only for rows on screen), coalesced once per event-loop turn.
"""

from __future__ import annotations

import html
from collections import OrderedDict
from typing import Any

from PySide6.QtCore import QAbstractListModel, QModelIndex, QPersistentModelIndex, QRectF, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QAbstractTextDocumentLayout, QPainter, QPalette, QTextDocument
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem, QWidget

from reader.core.search.engine import SearchHit
from reader.gui.reader.library import format_date

DocIdRole = Qt.ItemDataRole.UserRole + 1
TitleRole = Qt.ItemDataRole.UserRole + 2
OutletRole = Qt.ItemDataRole.UserRole + 3
PublishedRole = Qt.ItemDataRole.UserRole + 4
SnippetsRole = Qt.ItemDataRole.UserRole + 5
ScoreRole = Qt.ItemDataRole.UserRole + 6
SectionRole = Qt.ItemDataRole.UserRole + 7
HtmlRole = Qt.ItemDataRole.UserRole + 8

_Index = QModelIndex | QPersistentModelIndex


class SearchResultsModel(QAbstractListModel):
    """One row per hit, in rank order; rows know whether their snippets were fetched yet."""

    snippetsWanted = Signal(list)  # rows shown on screen whose snippets were not fetched yet

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.hits: list[SearchHit] = []
        self.filled: list[bool] = []
        self.mark_color = "#ffe08a"
        self.muted_color = "#5b6270"
        self._wanted: set[int] = set()

    def set_hits(self, hits: list[SearchHit], filled: int | None = None) -> None:
        """Show ``hits``; the first ``filled`` rows (all when None) already carry their snippets."""
        self.beginResetModel()
        self.hits = list(hits)
        count = len(self.hits) if filled is None else filled
        self.filled = [i < count for i in range(len(self.hits))]
        self._wanted.clear()
        self.endResetModel()

    def want(self, row: int) -> None:
        """A row is on screen without its snippets: ask once, at the end of this event-loop turn."""
        if 0 <= row < len(self.filled) and not self.filled[row] and row not in self._wanted:
            if not self._wanted:
                QTimer.singleShot(0, self._emit_wanted)
            self._wanted.add(row)

    def _emit_wanted(self) -> None:
        rows, self._wanted = sorted(self._wanted), set()
        rows = [r for r in rows if r < len(self.filled) and not self.filled[r]]
        if rows:
            self.snippetsWanted.emit(rows)

    def fill(self, rows: list[int], hits: list[SearchHit]) -> None:
        """Snippets arrived for ``rows`` (the hits as :meth:`SearchEngine.snippets` returned them)."""
        for row, hit in zip(rows, hits, strict=True):
            if 0 <= row < len(self.hits) and self.hits[row].id == hit.id:
                self.hits[row] = hit
                self.filled[row] = True
        if rows:
            self.dataChanged.emit(self.index(min(rows), 0), self.index(max(rows), 0))

    def hit(self, row: int) -> SearchHit:
        return self.hits[row]

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.hits)

    def roleNames(self) -> dict[int, bytes]:
        names = dict(super().roleNames())
        names.update({DocIdRole: b"docId", TitleRole: b"title", OutletRole: b"outlet", PublishedRole: b"published",
                      SnippetsRole: b"snippets", ScoreRole: b"score", SectionRole: b"section", HtmlRole: b"html"})
        return names

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self.hits):
            return None
        hit = self.hits[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return f"{hit.title} — {hit.outlet}, {format_date(hit.published)}"
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"{hit.title}\n{hit.outlet} · {format_date(hit.published)} · score {hit.score:.2f}"
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return f"{hit.title}, {hit.outlet}, {format_date(hit.published)}"
        return {
            DocIdRole: hit.id, TitleRole: hit.title, OutletRole: hit.outlet, PublishedRole: hit.published,
            SnippetsRole: list(hit.snippets), ScoreRole: hit.score, SectionRole: hit.section,
            HtmlRole: self._html(hit) if role == HtmlRole else None,
        }.get(role)

    def _html(self, hit: SearchHit) -> str:
        where = " · reader comments" if hit.section != "article" else ""
        mark = f'<span style="background-color:{self.mark_color}; color:#1c1e21;">'
        snippets = "".join(
            f'<p style="margin-top:3px; margin-bottom:0;">{s.replace("<mark>", mark).replace("</mark>", "</span>")}</p>'
            for s in hit.snippets)
        return (f'<p style="margin:0;"><b>{html.escape(hit.title)}</b></p>'
                f'<p style="margin:0; color:{self.muted_color};">{html.escape(hit.outlet)} · '
                f"{html.escape(format_date(hit.published))}{where}</p>{snippets}")


class SearchResultDelegate(QStyledItemDelegate):
    """Draws a hit's title, outlet and date, and its snippets with the matches marked.

    Laid-out rich-text documents are kept per (markup, width, font) in a small LRU: Qt asks
    every row's size hint on each layout, and laying out 100 HTML rows again took ~0.4 s of
    the GUI thread when results or snippets arrived.
    """

    PADDING = 6
    CACHE = 256

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._docs: OrderedDict[tuple[str, int, str], QTextDocument] = OrderedDict()

    def _document(self, option: QStyleOptionViewItem, index: _Index) -> QTextDocument:
        markup = index.data(HtmlRole) or ""
        if option.state & QStyle.StateFlag.State_Selected:  # muted text is unreadable on the selection
            model = index.model()
            muted = getattr(model, "muted_color", "")
            markup = markup.replace(f"color:{muted};", "")
        width = max(80, option.rect.width() - 2 * self.PADDING)
        key = (markup, width, option.font.key())
        doc = self._docs.get(key)
        if doc is not None:
            self._docs.move_to_end(key)
            return doc
        doc = QTextDocument()
        doc.setDefaultFont(option.font)
        doc.setDocumentMargin(0)
        doc.setHtml(markup)
        doc.setTextWidth(width)
        self._docs[key] = doc
        while len(self._docs) > self.CACHE:
            self._docs.popitem(last=False)
        return doc

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: _Index) -> None:
        model = index.model()
        if isinstance(model, SearchResultsModel):
            model.want(index.row())
        self.initStyleOption(option, index)
        style = option.widget.style() if option.widget else None
        text_backup = option.text
        option.text = ""
        if style is not None:
            style.drawControl(QStyle.ControlElement.CE_ItemViewItem, option, painter, option.widget)
        option.text = text_backup
        doc = self._document(option, index)
        painter.save()
        painter.translate(option.rect.left() + self.PADDING, option.rect.top() + self.PADDING)
        ctx = QAbstractTextDocumentLayout.PaintContext()
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        role = QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text
        ctx.palette.setColor(QPalette.ColorRole.Text, option.palette.color(role))
        ctx.clip = QRectF(0, 0, option.rect.width(), option.rect.height())
        doc.documentLayout().draw(painter, ctx)
        painter.restore()

    def sizeHint(self, option: QStyleOptionViewItem, index: _Index) -> QSize:
        self.initStyleOption(option, index)
        widget: QWidget | None = option.widget  # type: ignore[assignment]
        if widget is not None:
            option.rect.setWidth(widget.width() - 20)
        doc = self._document(option, index)
        return QSize(int(doc.idealWidth()) + 2 * self.PADDING, int(doc.size().height()) + 2 * self.PADDING + 2)
