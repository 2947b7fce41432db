"""The team feature: open team hits this laptop lacks, and sync notes from the window.

Installed through :data:`reader.gui.features.FEATURES`. Nothing here opens a connection
unless the user configured a team server (``parallax team init``) *and* asks for something
that needs it: a search hit from the team corpus whose document is not local is fetched
through the search engine (:meth:`SearchEngine.document`), and **Tools → Sync Notes with
Team Server** runs :class:`~reader.core.team.sync.Syncer` in a background job with a
progress bar. A failed connection is shown as a clear offline state in the status bar
(nothing is lost: the notes stay dirty and go up at the next sync).
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QLabel, QProgressBar

from reader.core.document import Document
from reader.core.errors import ReaderError
from reader.gui.actions import make_action
from reader.gui.features import Needs, WindowAPI
from reader.gui.workers import Job

#: the other features this one uses (handed over by reader.gui.features.install_features)
REQUIRES = ("search", "notes")

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SyncOutcome:
    """What a sync job came back with: a report, or why it could not reach the server."""

    report: Any = None
    offline: str = ""
    error: str = ""


class TeamFeature(QObject):
    """Wires the team server into the window; idle (and offline) until configured and asked."""

    syncFinished = Signal(object)

    def __init__(self, window: WindowAPI, needs: Needs | None = None) -> None:
        super().__init__(window)  # type: ignore[arg-type]  # the window is a QMainWindow
        self.window = window
        self.needs = needs or Needs.none("team")
        self.job: Job | None = None
        self.last: SyncOutcome | None = None
        bar = window.statusBar()
        self.status = QLabel("", bar)
        self.status.setObjectName("teamStatus")
        self.status.setVisible(False)
        self.progress = QProgressBar(bar)
        self.progress.setMaximumWidth(160)
        self.progress.setVisible(False)
        bar.addPermanentWidget(self.progress)
        bar.addPermanentWidget(self.status)
        window.menus["tools"].addSeparator()
        self.act_sync = make_action(window, "Sync &Notes with Team Server", self.sync,  # type: ignore[arg-type]
                                    tip="Pull the team's note changes and push yours (parallax team sync)",
                                    menu=window.menus["tools"])
        window.document_sources.append(self.fetch_document)
        if self._config() is not None:
            self._show("Team: not synced yet")

    # -- configuration ------------------------------------------------------------------
    def _config(self) -> Any:
        from reader.core.team import config  # psycopg (the team extra) is imported only on connect

        try:
            return config.load(self.window.ctx.paths.config_dir)
        except ReaderError as exc:
            log.warning("team settings unreadable: %s", exc)
            return None

    def _show(self, text: str, tip: str = "") -> None:
        self.status.setText(text)
        self.status.setToolTip(tip or text)
        self.status.setVisible(True)

    # -- documents from the server ------------------------------------------------------
    def fetch_document(self, doc_id: str) -> Document | None:
        """A team hit's document, fetched from the server when this laptop does not hold it."""
        search = self.needs.get("search")
        engine = getattr(search, "engine", None)
        if engine is None:
            return None
        try:
            doc = engine.document(doc_id)
        except ReaderError as exc:
            self._show("Team: offline", str(exc))
            raise ReaderError(f"{doc_id} is not on this laptop and the team server cannot be reached "
                              f"({exc})") from None
        if doc is not None:
            self.window.notify(f"“{doc.meta.title}” opened from the team server "
                                                "(not in this laptop's corpus)", 8000)
        return doc

    # -- notes sync ------------------------------------------------------------------------
    def sync(self) -> Job | None:
        """Start a notes sync in the background (one at a time); None when nothing was started."""
        if self.job is not None and not self.job.done:
            self.window.notify("A notes sync is already running.", 4000)
            return None
        cfg = self._config()
        if cfg is None:
            self._show("Team: no server", "No team server is configured: parallax team init URL")
            self.window.notify(
                "No team server configured (parallax team init URL); notes stay on this laptop.", 8000)
            return None
        paths = self.window.ctx.paths

        def run(progress: Any, _cancelled: Any) -> SyncOutcome:
            from reader.core.notes.store import NoteStore
            from reader.core.team import config
            from reader.core.team.sync import Syncer
            from reader.core.team.sync_state import SyncState

            try:
                conn = config.connector(paths.config_dir, cfg)()
            except ReaderError as exc:
                return SyncOutcome(offline=str(exc))
            store = NoteStore.open(paths.data_dir)  # this thread's own connections
            state = SyncState.beside(paths.data_dir)
            try:
                with conn:
                    report = Syncer(conn, store, state, cfg.user,
                                    lambda _phase, done, total: progress(done, total)).sync()
            except ReaderError as exc:
                text = str(exc)
                return SyncOutcome(offline=text) if "connection" in text else SyncOutcome(error=text)
            finally:
                store.close()
                state.close()
            return SyncOutcome(report=report)

        self.job = Job(run, self)
        self.job.progress.connect(self._on_progress)
        self.job.finished.connect(self._on_finished)
        self.job.failed.connect(lambda error: self._on_finished(SyncOutcome(error=str(error))))
        self.progress.setRange(0, 0)
        self.progress.setVisible(True)
        self._show("Team: syncing notes…")
        self.act_sync.setEnabled(False)
        self.job.start()
        return self.job

    def _on_progress(self, done: int, total: int) -> None:
        self.progress.setRange(0, max(total, 1))
        self.progress.setValue(min(done, max(total, 1)))

    def _on_finished(self, outcome: SyncOutcome) -> None:
        self.last = outcome
        self.progress.setVisible(False)
        self.act_sync.setEnabled(True)
        if outcome.offline:
            self._show("Team: offline", f"Notes not synced, nothing lost: {outcome.offline}")
            self.window.notify("Team server offline: notes not synced, nothing lost.", 8000)
        elif outcome.error:
            self._show("Team: sync failed", outcome.error)
            self.window.notify(outcome.error, 8000)
        else:
            r = outcome.report
            text = f"{r.pulled} pulled, {r.pushed} pushed"
            if r.conflicts:
                text += f", {len(r.conflicts)} conflict(s) to resolve (parallax team conflicts)"
            self._show(f"Team: synced {time.strftime('%H:%M')}", f"Notes synced: {text}")
            self.window.notify(f"Notes synced: {text}.", 8000)
            notes = self.needs.get("notes")
            if notes is not None:
                notes.refresh()
        self.syncFinished.emit(outcome)


def install(window: WindowAPI, needs: Needs) -> TeamFeature:
    return TeamFeature(window, needs)
