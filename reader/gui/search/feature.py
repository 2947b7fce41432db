"""The search feature: a dock with the search panel, background indexing, hits in the reader.

Installed through :data:`reader.gui.features.FEATURES`. Indexing starts after the corpus
has loaded (``window.corpusLoaded``), never before the window shows, and runs in a
:class:`~reader.gui.workers.Job` with a progress bar and a Cancel button in the status
bar. Opening a result shows the document with every hit in a ``search-hits`` layer and
makes F3 / Shift+F3 step through them.
"""

from __future__ import annotations

import logging
import time
from dataclasses import replace
from typing import Any

from PySide6.QtCore import QCoreApplication, QEventLoop, QObject, Qt, QTimer
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QProgressBar, QTextBrowser, QToolButton, QVBoxLayout

from reader.core import background
from reader.core.background import context_spec
from reader.core.errors import ReaderError
from reader.core.paths import _source_root
from reader.core.search.engine import (
    IndexCancelled,
    IndexUnusable,
    QuerySyntaxError,
    SearchEngine,
    SearchHit,
    SearchResults,
    UpdateReport,
)
from reader.gui.actions import make_action
from reader.gui.features import Needs, WindowAPI
from reader.gui.format import count
from reader.gui.reader.layers import Layer, LayerSpan, background_format
from reader.gui.search.panel import QUERY_CHEATSHEET, SearchPanel
from reader.gui.workers import Job, JobError

#: the other features this one uses (handed over by reader.gui.features.install_features)
REQUIRES = ("notes",)

log = logging.getLogger(__name__)

HITS_LAYER = "search-hits"
RESULT_LIMIT = 100
#: Rows whose snippets are cut before results show; the rest as they scroll into view.
SNIPPET_PAGE = 20
#: Niceness of the index build's worker processes started from the window.
BACKGROUND_NICE = 10
#: Corpora from this size index in a child process (:mod:`reader.core.background`): in a thread
#: of the window, the writer's Python work and its workers' feeder threads held the GIL for
#: seconds at 20,000 documents (GUI stalls up to 2.9 s). None: from the size at which a build
#: uses worker processes (``PARALLEL_MIN_DOCS``), so the window's process never holds their
#: queues, whose feeder threads could hang its exit (a feeder blocked writing to workers gone).
#: Smaller ones index in a thread, where starting a child would cost more than it saves.
CHILD_MIN_DOCS: int | None = None
#: Corpora from this size search in a pool thread (:meth:`SearchFeature._search_in_job`);
#: smaller ones answer in a few milliseconds on the GUI thread.
THREAD_SEARCH_MIN_DOCS = 5000


def in_child(engine: SearchEngine, documents: int) -> bool:
    """Whether to index in a child: a local Whoosh index on disk (``worker_nice`` marks it; a
    team corpus's engine talks to its server), big enough, where children can be started."""
    least = CHILD_MIN_DOCS
    if least is None:
        from reader.core.search.whoosh_index import PARALLEL_MIN_DOCS  # Whoosh: loaded off the GUI thread

        least = PARALLEL_MIN_DOCS
    return (hasattr(engine, "worker_nice") and not getattr(engine, "notice", "")
            and documents >= least and background.can_run_children())


class SearchFeature(QObject):
    """Wires the search panel, the engine and the reader views together."""

    def __init__(self, window: Any, needs: Needs | None = None) -> None:
        super().__init__(window)
        self.window = window
        self.needs = needs or Needs.none("search")  # the features it declared in REQUIRES
        self.panel = SearchPanel()
        self.dock = window.add_dock(self.panel, "Search", "search", Qt.DockWidgetArea.RightDockWidgetArea)
        self.engine: SearchEngine | None = None
        self.job: Job | None = None
        self.search_job: Job | None = None
        self._search_seq = 0
        self.merge_job: Job | None = None
        self.indexing = False
        self.pending_query: str | None = None
        self.last_query = ""
        self.last_results: SearchResults | None = None
        self.last_report: UpdateReport | None = None
        self.last_filters: dict[str, list[str]] | None = None
        self._build_status_widgets()
        self._build_actions()
        self._apply_theme()
        self.panel.searchRequested.connect(self.run_search)
        self.panel.openRequested.connect(self.open_result)
        self.panel.moreLikeRequested.connect(self.more_like)
        self.panel.helpRequested.connect(self.show_help)
        self.panel.model.snippetsWanted.connect(self.fill_snippets)
        self._index_started = 0.0
        window.corpusLoaded.connect(self.on_corpus_loaded)
        window.bridge.changed.connect(self._on_setting_changed)
        app = QCoreApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(self.cancel_indexing)

    # -- construction ---------------------------------------------------------------
    def _build_status_widgets(self) -> None:
        bar = self.window.statusBar()
        self.progress = QProgressBar(self.window)
        self.progress.setMaximumWidth(360)
        self.progress.setFormat("Indexing %v of %m")
        self.progress.setAccessibleName("Search indexing progress")
        self.cancel_button = QToolButton(self.window)
        self.cancel_button.setText("Cancel")
        self.cancel_button.setToolTip("Stop indexing; search keeps the previous index")
        self.cancel_button.clicked.connect(self.cancel_indexing)
        bar.addPermanentWidget(self.progress)
        bar.addPermanentWidget(self.cancel_button)
        self.progress.hide()
        self.cancel_button.hide()

    def _build_actions(self) -> None:
        w = self.window
        w.menus["edit"].addSeparator()
        self.act_search = make_action(w, "Search &Corpus…", self.show_panel, shortcut=["Ctrl+Shift+F"],
                                      tip="Search every document of the corpus", menu=w.menus["edit"])
        self.act_reindex = make_action(w, "Rebuild Search &Index", lambda: self.start_indexing(rebuild=True),
                                       tip="Index every document again from scratch", menu=w.menus["tools"])
        self.act_help = make_action(w, "&Search Query Language", self.show_help,
                                    tip="The words, phrases, fields and operators a search understands")
        w.menus["help"].insertAction(w.menus["help"].actions()[0] if w.menus["help"].actions() else None,
                                     self.act_help)

    def _apply_theme(self) -> None:
        theme = self.window.theme
        self.panel.set_colors(theme.colors.get("find_match", "#ffe08a"), theme.colors.get("muted_text", "#5b6270"))
        self.panel.results.viewport().update()

    def _on_setting_changed(self, name: str, _value: object) -> None:
        if name == "ui.theme":
            QTimer.singleShot(0, self._apply_theme)

    # -- indexing -------------------------------------------------------------------
    OPEN_DELAY_MS = 300

    def on_corpus_loaded(self) -> None:
        """Open the index a moment after the corpus loads: the window paints first (Whoosh's
        import and the index opening took a quarter second on the GUI thread)."""
        self._pending_open = True
        # Whoosh and the engine's modules are imported in a pool thread first (their import was
        # most of that quarter second; at 20,000 documents it stalled the GUI thread ~0.1 s).
        job = Job(lambda _progress, _cancelled: _import_engine_modules(), self)
        job.finished.connect(lambda _result: QTimer.singleShot(self.OPEN_DELAY_MS, self.open_pending))
        job.failed.connect(lambda _error: QTimer.singleShot(self.OPEN_DELAY_MS, self.open_pending))
        self._import_job = job
        job.start()

    def open_pending(self) -> None:
        """Open the index now if a corpus load is still waiting for it (idempotent)."""
        if not getattr(self, "_pending_open", False):
            return
        self._pending_open = False
        self._open_engine()

    def _open_engine(self) -> None:
        corpus = self.window.corpus
        if corpus is None:
            return
        self.cancel_indexing()
        if self.engine is not None:
            self.engine.close()
            self.window.session.forget_search()
        try:
            self.engine = self.window.session.search  # built by the session, for its corpus
            if hasattr(self.engine, "worker_nice"):
                self.engine.worker_nice = BACKGROUND_NICE  # indexing yields the CPU to the window
        except ReaderError as exc:
            self.engine = None
            self.panel.set_status(f"Search is unavailable: {exc}", error=True)
            return
        self.panel.clear_results()
        self.panel.clear_filters()
        self.start_indexing()

    def start_indexing(self, *, rebuild: bool = False, reason: str = "") -> None:
        engine, corpus = self.engine, self.window.corpus
        if engine is None or corpus is None:
            return
        if self.job is not None and not self.job.done:
            self.job.cancel()

        spec = context_spec(self.window.session.ctx, corpus.root)

        def here(progress: Any, cancelled: Any) -> UpdateReport:
            if rebuild or reason:
                return engine.build(corpus, progress, cancelled, reason=reason or "rebuild requested")
            return engine.update(corpus, progress, cancelled)

        def work(progress: Any, cancelled: Any) -> UpdateReport:
            if not in_child(engine, len(corpus)):
                report = here(progress, cancelled)
            else:
                report = background.run("reader.core.background_tasks:index_corpus",
                                        {"spec": spec, "rebuild": rebuild, "reason": reason, "nice": 0},
                                        progress, cancelled, nice=BACKGROUND_NICE)  # workers inherit it
                engine.close()  # the child wrote a new generation (or swapped a new folder in): reopen
                if report.notice:  # it could only index into its own memory: do it in this process
                    report = here(progress, cancelled)
            engine.warm()  # the first search's caches, read here rather than on the GUI thread
            return report

        job = Job(work, self)
        job.progress.connect(self._on_progress)
        job.finished.connect(lambda report, j=job: self._on_indexed(j, report))
        job.failed.connect(lambda message, j=job: self._on_index_failed(j, message))
        self.job = job
        self.indexing = True
        self._index_started = time.monotonic()
        self.progress.setFormat("Indexing %v of %m")
        self.progress.setRange(0, 0)
        self.progress.show()
        self.cancel_button.show()
        job.start()

    def _on_progress(self, done: int, total: int) -> None:
        self.progress.setRange(0, max(1, total))
        self.progress.setValue(done)
        self.progress.setFormat(progress_text(done, total, time.monotonic() - self._index_started))

    def _finish_job(self) -> None:
        self.indexing = False
        self.progress.hide()
        self.cancel_button.hide()

    def _on_indexed(self, job: Job, report: UpdateReport) -> None:
        if job is not self.job:
            return
        self._finish_job()
        self.last_report = report
        self.window.session.index_updated(report)
        if report.notice:
            self.panel.set_status(f"Note: {report.notice}.")
        if report.rebuilt:
            done = f"{report.documents} documents, {report.seconds:.1f} s"
            first = report.reason.startswith("no index yet")
            self.window.notify(
                f"Search index built ({done})." if first else f"Search index rebuilt ({done}): {report.reason}",
                10000)
        elif report.changed:
            self.window.notify(
                f"Search index updated: {report.added} added, {report.updated} updated, "
                f"{report.removed} removed", 6000)
            self._merge_later()
        self._run_pending()

    def _on_index_failed(self, job: Job, message: JobError) -> None:
        if job is not self.job:
            return
        self._finish_job()
        if isinstance(message.error, IndexCancelled):
            self.window.notify("Indexing cancelled; search uses the previous index.", 8000)
            self.panel.set_status("Indexing was cancelled. Choose Tools ▸ Rebuild Search Index to finish it.")
        else:
            self.window.notify(f"Indexing failed: {message}", 10000)
            self.panel.set_status(f"Indexing failed: {message}", error=True)
        self.pending_query = None

    def cancel_indexing(self) -> None:
        if self.job is not None and not self.job.done:
            self.job.cancel()

    def _merge_later(self) -> None:
        """Merge the small segments incremental updates leave, off the GUI thread."""
        engine = self.engine
        if engine is None or (self.merge_job is not None and not self.merge_job.done):
            return
        job = Job(lambda _progress, cancelled: engine.merge(cancelled), self)
        job.failed.connect(lambda message: self.window.notify(
            f"Index housekeeping failed: {message}", 6000))
        self.merge_job = job
        job.start()

    def wait_until_indexed(self, timeout_ms: int = 60000) -> bool:
        """For tests and screenshots: run the event loop until indexing ends."""
        self.open_pending()
        job = self.job
        if job is None or not self.indexing:
            return not self.indexing
        loop = QEventLoop()
        job.finished.connect(loop.quit)
        job.failed.connect(loop.quit)
        QTimer.singleShot(timeout_ms, loop.quit)
        if not job.done:
            loop.exec()
        settle = QEventLoop()  # let the queued finished/failed slots run (no Python processEvents loop:
        QTimer.singleShot(10, settle.quit)  # PySide6 6.12's binding of it over-releases None)
        settle.exec()
        return not self.indexing

    # -- searching ------------------------------------------------------------------
    def show_panel(self) -> None:
        self.dock.show()
        self.dock.raise_()
        self.panel.focus_query()

    def run_search(self, query: str) -> None:
        self.open_pending()
        self.last_query = query
        if not query:
            self.panel.clear_results()
            self.panel.set_status("Type words to search every document.")
            return
        if query.lstrip().lower().startswith("note:"):
            self.search_notes(query)
            return
        if self.engine is None:
            self.pending_query = query
            self.panel.set_status("The corpus is still loading; the search will run when it is ready.")
            return
        if self.indexing:
            self.pending_query = query
            done, total = self.progress.value(), self.progress.maximum()
            where = f" ({done} of {total} documents)" if total > 1 else ""
            self.panel.set_status(f"The search index is being built{where}; your search will run when it is ready.")
            return
        filters = self.panel.filters()
        engine = self.engine
        corpus = self.window.corpus
        if corpus is not None and len(corpus) >= THREAD_SEARCH_MIN_DOCS:
            self._search_in_job(engine, query, filters)
            return
        try:
            results = first_page(engine, query, filters)
        except (QuerySyntaxError, IndexUnusable) as exc:
            self._search_failed(query, exc)
            return
        self._show(results, filters)

    def _search_in_job(self, engine: SearchEngine, query: str, filters: dict[str, list[str]]) -> None:
        """Search in a pool thread; only the newest search's results are shown. At 20,000
        documents a search with its first page of snippets took up to 0.2 s of the GUI thread;
        in a thread, Python's switch interval hands the GUI thread the interpreter every 5 ms."""
        self._search_seq += 1
        seq = self._search_seq
        job = Job(lambda _progress, _cancelled: first_page(engine, query, filters), self)
        job.finished.connect(lambda results: self._on_searched(seq, query, filters, results))
        job.failed.connect(lambda error: self._on_search_failed(seq, query, error))
        self.search_job = job
        job.start()

    def _on_searched(self, seq: int, query: str, filters: dict[str, list[str]], results: SearchResults) -> None:
        if seq == self._search_seq and query == self.last_query and self.engine is not None:
            self._show(results, filters)

    def _on_search_failed(self, seq: int, query: str, error: JobError) -> None:
        if seq != self._search_seq or query != self.last_query:
            return
        if isinstance(error.error, (QuerySyntaxError, IndexUnusable)):
            self._search_failed(query, error.error)
        else:
            self.panel.set_status(f"Search failed: {error}", error=True)

    @property
    def searching(self) -> bool:
        """Whether a search runs in a job (big corpora; see :meth:`_search_in_job`)."""
        return self.search_job is not None and not self.search_job.done

    def _search_failed(self, query: str, exc: Exception) -> None:
        if isinstance(exc, QuerySyntaxError):
            self.panel.clear_results()
            self.panel.set_status(f"Cannot read the query: {exc}", error=True)
            return
        self.pending_query = query
        self.panel.set_status("The search index was damaged; rebuilding it…")
        self.window.notify(f"Rebuilding the search index: {exc}", 10000)
        self.start_indexing(reason=str(exc))

    def _show(self, results: SearchResults, filters: dict[str, list[str]]) -> None:
        self.last_results = results
        self.last_filters = filters
        self.panel.show_results(results, filled=min(SNIPPET_PAGE, len(results.hits)))

    def fill_snippets(self, rows: list[int]) -> None:
        """Cut snippets for rows that came into view (a page at a time, from the first asked)."""
        model = self.panel.model
        if self.engine is None or not self.last_query or not rows:
            return
        start = rows[0]
        wanted = [r for r in range(start, min(len(model.hits), start + SNIPPET_PAGE)) if not model.filled[r]]
        wanted += [r for r in rows if r not in wanted]
        try:
            hits = self.engine.snippets(self.last_query, [model.hits[r] for r in wanted],
                                        filters=self.last_filters)
        except (ReaderError, IndexError):
            return  # the index is being rebuilt; rows stay without snippets
        model.fill(wanted, hits)

    def _run_pending(self) -> None:
        query, self.pending_query = self.pending_query, None
        if query is not None and query == self.panel.query():
            self.run_search(query)

    def more_like(self, doc_id: str) -> None:
        if self.engine is None or self.window.corpus is None or self.indexing:
            return
        try:
            doc = self.window.corpus.document(doc_id)
            results = self.engine.more_like_this(doc, limit=RESULT_LIMIT)
        except ReaderError as exc:
            self.panel.set_status(str(exc), error=True)
            return
        self.last_query = ""
        self.last_results = results
        self.panel.show_results(results, label=f"like “{doc.meta.title}”")
        self.show_panel()

    def search_notes(self, query: str) -> None:
        """The notes scope: ``note:`` queries search your notes' text, tags and quotes."""
        notes = self.needs.get("notes")
        corpus = self.window.corpus
        if notes is None or corpus is None:
            self.panel.set_status("Notes are not available.", error=True)
            return
        from reader.core.notes.search import note_snippets, parse_query, search_notes

        hits = search_notes(notes.store, query, corpus=notes.key, limit=RESULT_LIMIT)
        parsed = parse_query(query)
        rows = []
        for hit in hits:
            note = hit.note
            meta = corpus.meta(note.doc) if note.doc in corpus else None
            title = f"Note on “{meta.title}”" if meta else f"Note on {note.doc}"
            snippets = note_snippets(note, parsed)
            rows.append(SearchHit(id=note.doc, title=title, outlet=meta.outlet if meta else "",
                                  published=meta.published if meta else None, score=hit.score,
                                  section=f"note:{note.id}", snippets=snippets))
        self.last_results = SearchResults(query, len(rows), rows, {})
        self.panel.show_results(self.last_results)
        self.panel.set_status(f"{count(len(rows), 'note')} match." if rows else "No note matches.")

    def open_result(self, doc_id: str, _section: str = "article") -> None:
        if _section.startswith("note:"):
            notes = self.needs.get("notes")
            if notes is not None:
                notes.jump_to(_section[len("note:"):])
            return
        if not self.window.open_document(doc_id):
            return
        reader = self.window.reader
        spans: list[tuple[int, int]] = []
        if self.engine is not None and self.last_query and reader.doc is not None:
            try:
                spans = self.engine.hit_spans(self.last_query, reader.doc)
            except ReaderError as exc:
                log.debug("no hit spans for %r in %s: %s", self.last_query, doc_id, exc)
        if not spans:
            reader.remove_layer(HITS_LAYER)
            return
        fmt = background_format(QColor(self.window.theme.colors.get("find_match", "#ffe08a")))
        tip = f"Search hit for {self.last_query}"
        reader.set_layer(Layer(HITS_LAYER, [LayerSpan(s, e, "hit", tip) for s, e in spans], fmt, z=50))
        reader.set_navigation(HITS_LAYER)
        # After show_document's own deferred scroll restore: go to the first hit.
        QTimer.singleShot(0, lambda: reader.step_navigation(+1))

    # -- help -------------------------------------------------------------------------
    def show_help(self) -> None:
        dialog = QDialog(self.window)
        dialog.setWindowTitle("Search Query Language")
        dialog.resize(720, 640)
        browser = QTextBrowser(dialog)
        path = _source_root() / "docs" / "search.md"
        try:
            browser.setMarkdown(path.read_text(encoding="utf-8"))
        except OSError:
            log.debug("no query language page at %s; showing the cheat sheet", path, exc_info=True)
            browser.setPlainText(QUERY_CHEATSHEET)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, dialog)
        buttons.rejected.connect(dialog.reject)
        layout = QVBoxLayout(dialog)
        layout.addWidget(browser)
        layout.addWidget(buttons)
        self.help_dialog = dialog
        dialog.open()


def _import_engine_modules() -> None:
    import importlib

    for name in ("reader.core.search.service", "reader.core.search.whoosh_engine"):
        importlib.import_module(name)


def first_page(engine: SearchEngine, query: str, filters: dict[str, list[str]]) -> SearchResults:
    """The window's search: the best hits, snippets for the first page only (the rest are cut
    as rows scroll into view)."""
    results = engine.search(query, limit=RESULT_LIMIT, filters=filters, snippets=0)
    first = engine.snippets(query, results.hits[:SNIPPET_PAGE], filters=filters)
    return replace(results, hits=first + results.hits[SNIPPET_PAGE:])


def progress_text(done: int, total: int, seconds: float) -> str:
    """``Indexing 1200 of 20000 · 410 docs/s · 41 s left`` (rate and time left once known)."""
    text = "Indexing %v of %m"
    if done <= 0 or seconds <= 0.5:
        return text
    rate = done / seconds
    left = max(0.0, (total - done) / rate) if rate > 0 else 0.0
    when = f"{left / 60:.0f} min" if left >= 90 else f"{left:.0f} s"
    return f"{text} · {rate:.0f} docs/s · {when} left"


def install(window: WindowAPI, needs: Needs) -> SearchFeature:
    return SearchFeature(window, needs)
