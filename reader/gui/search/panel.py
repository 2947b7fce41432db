"""The search dock: query box, status and suggestion lines, facet filters, results list.

A view only: it emits intents (``searchRequested``, ``openRequested``,
``moreLikeRequested``, ``helpRequested``) and shows what the feature controller gives it.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QModelIndex, QPoint, Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListView,
    QMenu,
    QSplitter,
    QToolButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from reader.core.search.engine import SearchResults
from reader.gui.format import esc, format_date
from reader.gui.search.model import DocIdRole, SearchResultDelegate, SearchResultsModel, SectionRole

log = logging.getLogger(__name__)

#: Shown as the query box's tooltip; docs/search.md has the full reference.
QUERY_CHEATSHEET = (
    "Words must all appear (AND); also: OR, NOT or -word, \"exact phrase\", \"phrase\"~3 (within 3 words),\n"
    "prefix*, word~ (similar spelling), title: outlet: author: section:comments language:,\n"
    "published:2022-01, published:[2022-01-01 TO 2022-01-09], parentheses. Help ▸ Search Query Language."
)
FACET_TITLES = {"outlet": "Outlet", "section": "Section", "published": "Published"}
FacetRole = Qt.ItemDataRole.UserRole + 20
ValueRole = Qt.ItemDataRole.UserRole + 21


class SearchPanel(QWidget):
    searchRequested = Signal(str)
    openRequested = Signal(str, str)  # document id, section
    moreLikeRequested = Signal(str)
    helpRequested = Signal()
    timelineRequested = Signal(str)  # coverage over time of the query (the research feature draws it)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("searchPanel")
        self.edit = QLineEdit(self)
        self.edit.setPlaceholderText("Search the corpus…   (note: … searches your notes)")
        self.edit.setClearButtonEnabled(True)
        self.edit.setToolTip(QUERY_CHEATSHEET)
        self.edit.setAccessibleName("Search query")
        self.help_button = QToolButton(self)
        self.help_button.setText("?")
        self.help_button.setToolTip("The search query language")
        self.help_button.clicked.connect(self.helpRequested)
        self.timeline_button = QToolButton(self)
        self.timeline_button.setText("Timeline")
        self.timeline_button.setToolTip("Who covered this query when: matching documents per outlet and day")
        self.timeline_button.setAccessibleName(self.timeline_button.toolTip())
        self.timeline_button.clicked.connect(self._request_timeline)
        self.status = QLabel(self)
        self.status.setWordWrap(True)
        self.status.setObjectName("searchStatus")
        self.suggestion = QLabel(self)
        self.suggestion.setTextFormat(Qt.TextFormat.RichText)
        self.suggestion.linkActivated.connect(self._on_suggestion)
        self.suggestion.hide()
        self.facets = QTreeWidget(self)
        self.facets.setHeaderHidden(True)
        self.facets.setRootIsDecorated(True)
        self.facets.setAccessibleName("Facet filters")
        self.facets.setToolTip("Tick values to narrow the results")
        self.facets.itemChanged.connect(self._on_facet_changed)
        self.facets.itemExpanded.connect(lambda _item: self.fit_facets())
        self.facets.itemCollapsed.connect(lambda _item: self.fit_facets())
        self.model = SearchResultsModel(self)
        self.results = QListView(self)
        self.results.setModel(self.model)
        self.results.setItemDelegate(SearchResultDelegate(self.results))
        self.results.setWordWrap(True)
        self.results.setUniformItemSizes(False)
        self.results.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.results.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.results.setAccessibleName("Search results")
        self.results.activated.connect(self._on_open)
        self.results.clicked.connect(self._on_open)
        self.results.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.results.customContextMenuRequested.connect(self._on_context_menu)

        top = QHBoxLayout()
        top.setContentsMargins(0, 0, 0, 0)
        top.addWidget(self.edit, 1)
        top.addWidget(self.timeline_button)
        top.addWidget(self.help_button)
        self.splitter = QSplitter(Qt.Orientation.Vertical, self)
        self.splitter.addWidget(self.facets)
        self.splitter.addWidget(self.results)
        self.splitter.setStretchFactor(0, 0)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([140, 500])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addLayout(top)
        layout.addWidget(self.status)
        layout.addWidget(self.suggestion)
        layout.addWidget(self.splitter, 1)

        self._debounce = QTimer(self, singleShot=True, interval=300)
        self._debounce.timeout.connect(self.request_search)
        self.edit.textEdited.connect(lambda _t: self._debounce.start())
        self.edit.returnPressed.connect(self.request_search)
        down = QShortcut(QKeySequence(Qt.Key.Key_Down), self.edit)  # from the query into the results
        down.setContext(Qt.ShortcutContext.WidgetShortcut)
        down.activated.connect(self.focus_results)
        self._filling = False
        self._filters: dict[str, set[str]] = {}
        self.set_status("Type words to search every document.")

    # -- intents ------------------------------------------------------------------
    def query(self) -> str:
        return self.edit.text().strip()

    def filters(self) -> dict[str, list[str]]:
        return {name: sorted(values) for name, values in self._filters.items() if values}

    def request_search(self) -> None:
        self._debounce.stop()
        self.searchRequested.emit(self.query())

    def set_query(self, text: str, *, run: bool = True) -> None:
        self.edit.setText(text)
        if run:
            self.request_search()

    def clear_filters(self) -> None:
        self._filters.clear()

    def focus_query(self) -> None:
        self.edit.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.edit.selectAll()

    def _on_open(self, index: QModelIndex) -> None:
        if index.isValid():
            self.openRequested.emit(index.data(DocIdRole), index.data(SectionRole) or "article")

    def _on_suggestion(self, link: str) -> None:
        self.set_query(link)

    def _on_context_menu(self, pos: QPoint) -> None:
        index = self.results.indexAt(pos)
        if not index.isValid():
            return
        menu = QMenu(self)
        menu.addAction("Open", lambda: self._on_open(index))
        menu.addAction("More Like This", lambda: self.moreLikeRequested.emit(index.data(DocIdRole)))
        menu.exec(self.results.viewport().mapToGlobal(pos))

    def _on_facet_changed(self, item: QTreeWidgetItem, _column: int) -> None:
        if self._filling:
            return
        facet, value = item.data(0, FacetRole), item.data(0, ValueRole)
        if facet is None or value is None:
            return
        chosen = self._filters.setdefault(facet, set())
        if item.checkState(0) == Qt.CheckState.Checked:
            chosen.add(value)
        else:
            chosen.discard(value)
        # Deferred: the search rebuilds the facet tree, which deletes the item emitting this signal.
        QTimer.singleShot(0, self.request_search)

    # -- display ------------------------------------------------------------------
    def set_colors(self, mark: str, muted: str) -> None:
        self.model.mark_color, self.model.muted_color = mark, muted

    def set_status(self, text: str, *, error: bool = False) -> None:
        self.status.setText(text)
        self.status.setProperty("error", error)
        self.status.setStyleSheet("color: #b3261e;" if error else "")

    def show_results(self, results: SearchResults, *, label: str | None = None, filled: int | None = None) -> None:
        """Show results; ``filled`` rows already have snippets (the rest ask when painted)."""
        self.model.set_hits(results.hits, filled)
        shown = len(results.hits)
        what = label or f"“{results.query}”"
        if results.total == 0:
            self.set_status(f"No documents match {what}.")
        elif shown < results.total:
            self.set_status(f"{results.total} documents match {what}; showing the best {shown}.")
        else:
            self.set_status("1 document matches " + what + "." if results.total == 1
                            else f"{results.total} documents match {what}.")
        if results.suggestion:
            self.suggestion.setText(f'Did you mean <a href="{esc(results.suggestion)}">'
                                    f"{esc(results.suggestion)}</a>?")
            self.suggestion.show()
        else:
            self.suggestion.hide()
        self.show_facets(results.facets)
        if results.hits:
            self.results.scrollToTop()

    def show_facets(self, facets: dict[str, dict[str, int]]) -> None:
        self._filling = True
        expanded = {group.data(0, FacetRole): group.isExpanded() for group in self._groups()}
        self.facets.clear()
        # Items are built outside the tree and added a group at a time: built inside it, each
        # value's setData/setCheckState was a change signal and a model update, which at 20,000
        # documents (hundreds of dates, thousands of entities) was much of the GUI thread's time
        # when results arrived.
        groups: list[tuple[QTreeWidgetItem, bool]] = []
        for name, counts in facets.items():
            chosen = self._filters.get(name, set())
            values = dict(counts)
            for value in chosen:
                values.setdefault(value, 0)
            if not values:
                continue
            group = QTreeWidgetItem([FACET_TITLES.get(name, name.capitalize())])
            group.setData(0, FacetRole, name)
            group.setFlags(Qt.ItemFlag.ItemIsEnabled)
            children = []
            for value, count in values.items():
                label = format_date(value) if name == "published" and value != "undated" else value
                child = QTreeWidgetItem([f"{label}  ({count})"])
                child.setData(0, FacetRole, name)
                child.setData(0, ValueRole, value)
                child.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsUserCheckable)
                child.setCheckState(0, Qt.CheckState.Checked if value in chosen else Qt.CheckState.Unchecked)
                children.append(child)
            group.addChildren(children)
            groups.append((group, expanded.get(name, name != "published" or len(values) <= 6)))
        self.facets.addTopLevelItems([group for group, _open in groups])
        for group, is_open in groups:
            group.setExpanded(is_open)
        self._filling = False
        self.fit_facets()

    def focus_results(self) -> None:
        """Down in the query field: into the results, first one current (Enter opens it)."""
        if self.model.rowCount() == 0:
            return
        self.results.setFocus(Qt.FocusReason.ShortcutFocusReason)
        if not self.results.currentIndex().isValid():
            self.results.setCurrentIndex(self.model.index(0, 0))

    def _groups(self) -> list[QTreeWidgetItem]:
        return _children(self.facets.invisibleRootItem())

    def _request_timeline(self) -> None:
        query = self.edit.text().strip()
        if query:
            self.timelineRequested.emit(query)

    def fit_facets(self) -> None:
        """Give the facet box the height its rows need (up to 40% of the panel), not a fixed strip."""
        rows = 0
        for group in self._groups():
            rows += 1 + (group.childCount() if group.isExpanded() else 0)
        row_h = max(18, self.facets.sizeHintForRow(0)) if rows else 0
        total = max(1, self.splitter.height())
        want = min(int(total * 0.4), rows * row_h + 8) if rows else 0
        self.splitter.setSizes([want, max(1, total - want)])

    def facet_item(self, facet: str, value: str) -> QTreeWidgetItem | None:
        for group in self._groups():
            for child in _children(group):
                if child.data(0, FacetRole) == facet and child.data(0, ValueRole) == value:
                    return child
        return None

    def clear_results(self) -> None:
        self.model.set_hits([])
        self.suggestion.hide()


def _children(item: QTreeWidgetItem) -> list[QTreeWidgetItem]:
    """An item's children (``child(i)`` is typed Optional; in range it never is None)."""
    return [child for i in range(item.childCount()) if (child := item.child(i)) is not None]
