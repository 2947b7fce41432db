"""Wires the Research dock and Copy Citation to the core and to the search feature's engine."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QGuiApplication, QKeySequence
from PySide6.QtWidgets import QFileDialog, QInputDialog, QMenu

from reader.core.atomic import atomic_write_bytes, atomic_write_text
from reader.core.errors import ReaderError
from reader.core.keymap import COPY_CITATION_KEY
from reader.core.research import citations
from reader.core.research.batch import BatchRow, batch_csv, read_queries, run_batch
from reader.core.research.saved_searches import SavedSearches
from reader.core.research.timeline import Timeline, timeline, timeline_csv
from reader.core.search.engine import QuerySyntaxError
from reader.gui.research.panel import ResearchPanel
from reader.gui.workers import Job

log = logging.getLogger(__name__)

COPY_CITATION_SHORTCUT = COPY_CITATION_KEY


class ResearchFeature(QObject):
    def __init__(self, window: Any) -> None:
        super().__init__(window)
        self.window = window
        self.panel = ResearchPanel(window)
        self.dock = window.add_dock(self.panel, "Research", "research", Qt.DockWidgetArea.BottomDockWidgetArea)
        if not window.settings.get("window.state"):
            self.dock.hide()
        self.saved = SavedSearches(window.ctx.paths.data_dir)
        if self.saved.notice:
            window.statusBar().showMessage(self.saved.notice, 15000)
        self.last_timeline: Timeline | None = None
        self.last_batch: list[BatchRow] = []
        self._job: Job | None = None
        self._batch_job: Job | None = None
        self._connected: list[Any] = []
        self._search_connected = False
        self._build_actions()
        p = self.panel
        p.timelineRequested.connect(self.show_timeline)
        p.exportTimelineRequested.connect(self.export_timeline)
        p.batchRequested.connect(self.run_batch)
        p.batchCancelRequested.connect(self.cancel_batch)
        p.loadQueriesRequested.connect(self.load_queries)
        p.exportBatchRequested.connect(self.export_batch)
        p.searchRequested.connect(self.search_in_dock)
        p.saveSearchRequested.connect(self.ask_save_search)
        p.deleteSearchRequested.connect(self.delete_search)
        window.corpusLoaded.connect(self._on_corpus)
        window.library.savedSearchChosen.connect(self.show_saved_in_library)
        self.dock.visibilityChanged.connect(lambda shown: shown and self.refresh_saved())
        window.readerViewAdded.connect(self._connect_view)
        for view in window.reader_views():
            self._connect_view(view)
        self.panel.saved_model.set_items(self.saved.list())  # counts follow once the corpus is loaded
        window.library.set_saved_searches([item.name for item in self.saved.list()])

    def _build_actions(self) -> None:
        w = self.window
        self.act_copy_citation = w._action("Copy &Citation", self.copy_citation, [COPY_CITATION_SHORTCUT],
                                           "Copy a reference to the open document (and the selected passage)")
        w.menus["edit"].addAction(self.act_copy_citation)
        tools = w.menus["tools"]
        tools.addSeparator()
        self.act_timeline = w._action("Coverage &Timeline…", lambda: self.show_tab(0), [],
                                      "Who covered a query or an entity when")
        self.act_batch = w._action("&Batch Search…", lambda: self.show_tab(1), [], "Run many queries at once")
        self.act_saved = w._action("Sa&ved Searches…", lambda: self.show_tab(2), [], "Named searches you keep")
        styles = QMenu("Citation &Style", w)
        for name, (_file, label) in citations.STYLES.items():
            act = styles.addAction(label)
            act.setCheckable(True)
            act.setChecked(w.settings.get("research.citation_style") == name)
            act.triggered.connect(lambda _=False, n=name: self._set_style(n))
        self.style_menu = styles
        for act in (self.act_timeline, self.act_batch, self.act_saved):
            tools.addAction(act)
        tools.addMenu(styles)

    def _set_style(self, name: str) -> None:
        self.window.settings.set("research.citation_style", name)
        for act, key in zip(self.style_menu.actions(), citations.STYLES, strict=True):
            act.setChecked(key == name)

    def show_tab(self, index: int) -> None:
        self.dock.show()
        self.dock.raise_()
        self.panel.setCurrentIndex(index)
        self.panel.focus_current()

    def _say(self, message: str, ms: int = 8000) -> None:
        self.window.statusBar().showMessage(message, ms)

    # -- engine ------------------------------------------------------------------------------
    def _engine(self) -> Any:
        search = self.window.features.get("search")
        if search is None:
            return None
        search.open_pending()
        if search.engine is None or search.indexing:
            self._say("The search index is being built; try again when it is ready.")
            return None
        return search.engine

    def _outlets(self) -> list[str]:
        corpus = self.window.corpus
        return sorted({m.outlet for m in corpus.metas() if m.outlet}) if corpus is not None else []

    # -- timeline ----------------------------------------------------------------------------
    def show_timeline(self, query: str) -> None:
        self.show_tab(0)
        self.panel.timeline_query.setText(query)
        engine = self._engine()
        if engine is None:
            self.panel.timeline_status.setText("The search index is not ready yet.")
            return
        outlets = self._outlets()

        def work(progress: Any, cancelled: Any) -> Timeline | str:
            try:
                return timeline(engine, query, outlets)
            except QuerySyntaxError as exc:
                return f"Cannot read the query: {exc}"

        self.panel.timeline_status.setText("Counting…")
        self._job = job = Job(work, self)
        job.finished.connect(self._on_timeline)
        job.failed.connect(lambda message: self.panel.timeline_status.setText(f"The timeline failed: {message}"))
        job.start()

    def _on_timeline(self, result: Timeline | str) -> None:
        if isinstance(result, str):
            self.panel.timeline_status.setText(result)
            self.panel.chart.set_timeline(None)
            self.panel.set_timeline_exportable(False)
            self.last_timeline = None
            return
        self.last_timeline = result
        self.panel.chart.set_timeline(result)
        firsts = [(o, result.first_day(o)) for o in result.counts if result.first_day(o)]
        never = [o for o, per in result.counts.items() if not per]
        text = f"{result.total} document(s) match."
        if firsts:
            outlet, day = min(firsts, key=lambda pair: pair[1] or "")
            text += f" First: {outlet} on {day}."
        if never:
            text += f" Never: {', '.join(never)}."
        self.panel.timeline_status.setText(text)
        self.panel.set_timeline_exportable(True)

    def export_timeline(self, kind: str) -> None:
        line = self.last_timeline
        if line is None:
            return
        if kind == "png":
            self._export("timeline.png", "PNG image (*.png)", self.panel.chart.to_png())
        else:
            self._export("timeline.csv", "CSV (*.csv)", timeline_csv(line))

    # -- batch -------------------------------------------------------------------------------
    def run_batch(self, queries: list[str]) -> None:
        engine = self._engine()
        if engine is None:
            self.panel.batch_status.setText("The search index is not ready yet.")
            return
        self.panel.set_batch_running(True)
        self.panel.batch_status.setText(f"Running {len(queries)} queries…")
        self._batch_job = job = Job(lambda progress, cancelled: run_batch(engine, queries, progress, cancelled), self)
        job.progress.connect(self._on_batch_progress)
        job.finished.connect(self._on_batch_done)
        job.failed.connect(self._on_batch_failed)
        job.start()

    def _on_batch_progress(self, done: int, total: int) -> None:
        self.panel.batch_progress.setRange(0, max(1, total))
        self.panel.batch_progress.setValue(done)

    def _on_batch_done(self, rows: list[BatchRow]) -> None:
        self.panel.set_batch_running(False)
        self.last_batch = rows
        self.panel.batch_model.set_rows(rows)
        bad = sum(1 for r in rows if r.error)
        text = f"{len(rows)} queries run."
        if bad:
            text += f" {bad} could not be read (see their rows)."
        if self._batch_job is not None and self._batch_job.cancelled:
            text = f"Stopped after {len(rows)} queries."
        self.panel.batch_status.setText(text)
        self.panel.batch_csv.setEnabled(bool(rows))

    def _on_batch_failed(self, message: str) -> None:
        self.panel.set_batch_running(False)
        self.panel.batch_status.setText(f"The batch failed: {message}")

    def cancel_batch(self) -> None:
        if self._batch_job is not None:
            self._batch_job.cancel()

    def load_queries(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self.window, "Load Queries", self._start_folder(),
                                              "Text files (*.txt *.csv);;All files (*)")
        if not path:
            return
        try:
            text = Path(path).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            self.panel.batch_status.setText(f"Cannot read {path}: {exc}")
            return
        queries = read_queries(text)
        self.panel.queries.setPlainText("\n".join(queries))
        self.panel.batch_status.setText(f"{len(queries)} queries loaded from {Path(path).name}.")

    def export_batch(self) -> None:
        if self.last_batch:
            self._export("batch-search.csv", "CSV (*.csv)", batch_csv(self.last_batch))

    # -- saved searches ------------------------------------------------------------------------
    def refresh_saved(self) -> None:
        items = self.saved.list()
        counts: dict[str, int | None] = {}
        search = self.window.features.get("search")
        engine = search.engine if search is not None and not search.indexing else None
        if engine is not None:
            for item in items:
                try:
                    counts[item.name] = engine.search(item.query, limit=0).total
                except QuerySyntaxError:
                    counts[item.name] = None
                except ReaderError as exc:  # an unusable index: the counts wait for the rebuild
                    log.info("saved-search counts skipped: %s", exc)
                    counts = {}
                    break
        self.panel.saved_model.set_items(items, counts)
        self.window.library.set_saved_searches([item.name for item in items])

    def _on_corpus(self) -> None:
        self.window.library.restrict_to(None)  # another corpus: its documents, all of them
        search = self.window.features.get("search")
        if search is not None and not self._search_connected:  # features exist once all are installed
            search.panel.timelineRequested.connect(self.show_timeline)
            self._search_connected = True
        self.refresh_saved()

    def show_saved_in_library(self, name: str) -> None:
        """The library lists only the documents a saved search matches (re-run now, so never stale)."""
        from reader.core.research.scope import documents_matching

        library = self.window.library
        if not name:
            library.restrict_to(None)
            return
        engine = self._engine()
        try:
            item = self.saved.get(name)
            if engine is None:
                library.restrict_to(None)
                return
            ids = documents_matching(engine, item.query)
        except QuerySyntaxError as exc:
            self._say(f"The saved search “{name}” cannot be read: {exc}")
            library.restrict_to(None)
            return
        except ReaderError as exc:
            self._say(str(exc))
            library.restrict_to(None)
            return
        library.restrict_to(ids, name)
        self._say(f"Library: {len(ids)} document(s) match the saved search “{name}” ({item.query}).")

    def save_search(self, name: str, query: str) -> bool:
        engine = self._engine()
        try:
            if engine is not None:
                engine.search(query, limit=0)  # a malformed query is refused before it is kept
            self.saved.save(name, query)
        except QuerySyntaxError as exc:
            self._say(f"Not saved: cannot read the query: {exc}")
            return False
        except (ReaderError, OSError) as exc:
            self._say(f"Not saved: {exc}")
            return False
        self.refresh_saved()
        self._say(f"Saved search “{name}”.")
        return True

    def ask_save_search(self) -> None:
        search = self.window.features.get("search")
        query = (search.panel.query() if search is not None else "").strip()
        if not query:
            self._say("Type a query in the search dock first (Ctrl+Shift+F).")
            return
        name, ok = QInputDialog.getText(self.window, "Save Search", f"Name for “{query}”:", text=query[:40])
        if ok and name.strip():
            self.save_search(name.strip(), query)

    def delete_search(self, name: str) -> None:
        try:
            self.saved.delete(name)
        except (ReaderError, OSError) as exc:
            self._say(str(exc))
            return
        self.refresh_saved()
        self._say(f"Deleted saved search “{name}”.")

    def search_in_dock(self, query: str) -> None:
        search = self.window.features.get("search")
        if search is None:
            return
        search.show_panel()
        search.panel.set_query(query)

    # -- citations ---------------------------------------------------------------------------
    def citation_text(self, view: Any = None, start: int | None = None) -> str | None:
        view = view or self.window.active_reader()
        doc = getattr(view, "doc", None)
        if doc is None:
            return None
        style = str(self.window.settings.get("research.citation_style") or "apa")
        reference = citations.format_reference(doc.meta, style)
        if start is None:
            chosen = view.selected_range()
            start = chosen[0] if chosen else None
        if start is not None:
            reference += f" ({citations.locator_for(doc, start).short()})"
        return reference

    def copy_citation(self, view: Any = None, start: int | None = None) -> None:
        try:
            text = self.citation_text(view, start)
        except ReaderError as exc:
            self._say(str(exc))
            return
        if text is None:
            self._say("Open a document to cite it.")
            return
        QGuiApplication.clipboard().setText(text)
        self._say(f"Copied: {text}", 10000)

    def _connect_view(self, view: Any) -> None:
        if any(v is view for v in self._connected):
            return
        self._connected.append(view)
        view.contextMenuRequested.connect(lambda menu, s, e, v=view: self._context_menu(v, menu, s))

    def _context_menu(self, view: Any, menu: QMenu, start: int) -> None:
        if view.doc is None:
            return
        menu.addSeparator()
        act = menu.addAction("Copy Citation")
        act.setShortcut(QKeySequence(COPY_CITATION_SHORTCUT))
        act.triggered.connect(lambda _=False: self.copy_citation(view, start))
        for layer, span in view.spans_at(start):
            if layer.name.startswith("entities:") and span.key:
                timeline_act = menu.addAction("Coverage over time for this entity")
                timeline_act.triggered.connect(lambda _=False, key=span.key: self.show_timeline(f"entity:{key}"))
                break

    # -- exports -----------------------------------------------------------------------------
    def _start_folder(self) -> str:
        folder = str(self.window.settings.get("export.last_folder") or "")
        return folder if folder and Path(folder).is_dir() else str(Path.home())

    def _export(self, suggested: str, filters: str, data: str | bytes) -> Path | None:
        path_text, _ = QFileDialog.getSaveFileName(self.window, "Export", str(Path(self._start_folder()) / suggested),
                                                   filters)
        if not path_text:
            return None
        return self.write_export(Path(path_text), data)

    def write_export(self, path: Path, data: str | bytes) -> Path | None:
        """Write an export atomically; a refused write is reported, never a traceback."""
        try:
            if isinstance(data, bytes):
                atomic_write_bytes(path, data, mode=0o600)
            else:
                atomic_write_text(path, data, mode=0o600)
        except OSError as exc:
            self._say(f"Could not write {path}: {exc.strerror or exc}", 15000)
            return None
        self.window.settings.set("export.last_folder", str(path.parent))
        self._say(f"Wrote {path}")
        return path


def install(window: Any) -> ResearchFeature:
    return ResearchFeature(window)
