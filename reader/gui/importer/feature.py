"""The import feature: File ▸ Import…, drag and drop, progress with Cancel, review,
Edit ▸ Edit Metadata…, File ▸ New Corpus… and Copy Sample Corpus.

Imports run in a :class:`~reader.gui.workers.Job`; the core writes each document
atomically and stops between files when cancelled. The bundled sample is read-only,
so importing while it is open offers to create a corpus first and imports there.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QEvent, QObject, Signal
from PySide6.QtGui import QAction, QDragEnterEvent, QDropEvent, QKeySequence
from PySide6.QtWidgets import QFileDialog, QMenu, QMessageBox

from reader.core.corpora import copy_sample, corpora_dir, create_corpus, edit_document_meta, is_bundled
from reader.core.corpus import Corpus
from reader.core.errors import ReaderError
from reader.core.importer import ImportReport, import_paths
from reader.gui.importer.dialogs import ImportProgressDialog, ImportReviewDialog, MetadataDialog, NewCorpusDialog
from reader.gui.workers import Job

FILE_FILTER = ("Documents (*.txt *.md *.markdown *.html *.htm *.xhtml *.pdf *.docx *.epub *.eml *.mbox);;"
               "All files (*)")


class ImportFeature(QObject):
    """Owns the import actions and dialogs of one window."""

    importFinished = Signal(object)  # ImportReport
    metadataSaved = Signal(str)  # document id

    def __init__(self, window: Any) -> None:
        super().__init__(window)
        self.window = window
        self.job: Job | None = None
        self.progress_dialog: ImportProgressDialog | None = None
        self.review: ImportReviewDialog | None = None
        self.last_report: ImportReport | None = None
        self.last_progress: list[tuple[int, int]] = []  # what the progress dialog showed (for tests)
        self._build_actions()
        from reader.gui.importer.bulk_edit import BulkEditFeature

        self.bulk = BulkEditFeature(window, self)
        window.setAcceptDrops(True)
        window.installEventFilter(self)
        viewport = window.library.view.viewport()
        viewport.setAcceptDrops(True)
        viewport.installEventFilter(self)
        for view in window.reader_views():
            self._hook_reader(view)
        window.readerViewAdded.connect(self._hook_reader)

    # -- menus --------------------------------------------------------------------
    def _action(self, text: str, slot: Any, shortcut: str | None = None, tip: str = "") -> QAction:
        action = QAction(text, self.window)
        if shortcut:
            action.setShortcut(QKeySequence(shortcut))
        action.setStatusTip(tip)
        action.triggered.connect(slot)
        self.window.addAction(action)
        return action

    def _build_actions(self) -> None:
        w = self.window
        self.act_new_corpus = self._action("&New Corpus…", self.new_corpus, None,
                                           "Create an empty corpus for your own documents")
        self.act_copy_sample = self._action("Copy Sample &Corpus", self.copy_sample,
                                            tip="An editable copy of the sample corpus")
        self.act_import = self._action("&Import Files…", self.choose_files, "Ctrl+I",
                                       "Import text, Markdown, saved web pages, PDF, Word, EPUB or e-mail")
        self.act_import_folder = self._action("Import &Folder…", self.choose_folder, "Ctrl+Shift+I",
                                              "Import every document in a folder and its subfolders")
        self.act_edit_meta = self._action("Edit &Metadata…", self.edit_current_metadata, "Ctrl+E",
                                          "Title, outlet, author, date and event of the open document")
        file_menu = w.menus["file"]
        file_menu.insertAction(w.act_open_corpus, self.act_new_corpus)
        file_menu.insertAction(w.act_reload, self.act_copy_sample)
        file_menu.insertSeparator(w.act_reload)
        file_menu.insertAction(w.act_reload, self.act_import)
        file_menu.insertAction(w.act_reload, self.act_import_folder)
        file_menu.insertSeparator(w.act_reload)
        w.menus["edit"].addSeparator()
        w.menus["edit"].addAction(self.act_edit_meta)

    def _hook_reader(self, view: Any) -> None:
        view.contextMenuRequested.connect(self._reader_menu)

    def _reader_menu(self, menu: QMenu, _start: int, _end: int) -> None:
        menu.addSeparator()
        menu.addAction(self.act_edit_meta)

    # -- drag and drop --------------------------------------------------------------
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if kind in (QEvent.Type.DragEnter, QEvent.Type.DragMove) and isinstance(event, QDragEnterEvent | QDropEvent):
            if _local_paths(event):
                event.acceptProposedAction()
                return True
        elif kind == QEvent.Type.Drop and isinstance(event, QDropEvent):
            paths = _local_paths(event)
            if paths:
                event.acceptProposedAction()
                self.start_import(paths)
                return True
        return False

    # -- import ---------------------------------------------------------------------
    def choose_files(self) -> None:
        files, _ = QFileDialog.getOpenFileNames(self.window, "Import documents", str(Path.home()), FILE_FILTER)
        if files:
            self.start_import([Path(f) for f in files])

    def choose_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self.window, "Import a folder", str(Path.home()))
        if folder:
            self.start_import([Path(folder)])

    def writable_target(self) -> Path | None:
        """The current corpus if it takes imports; for the sample, a new corpus the user creates."""
        root = Path(self.window.ctx.corpus_root)
        if not is_bundled(root):
            return root
        answer = QMessageBox.question(
            self.window, "The sample corpus is read-only",
            "The sample corpus cannot be changed. Create a corpus of your own for these documents?",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel)
        if answer != QMessageBox.StandardButton.Yes:
            return None
        return self.new_corpus(intro="Your documents go into a corpus of your own.")

    def start_import(self, paths: list[Path]) -> bool:
        """Import ``paths`` in the background; progress dialog now, review dialog at the end."""
        if self.job is not None and not self.job.done:
            QMessageBox.information(self.window, "Import running", "Wait for the current import to finish.")
            return False
        target = self.writable_target()
        if target is None:
            return False
        max_mb = self.window.settings.get("import.max_size_mb")
        self.progress_dialog = ImportProgressDialog(self.window)
        job = Job(lambda progress, cancelled: import_paths(target, paths, max_mb=max_mb, progress=progress,
                                                           cancelled=cancelled), self)
        job.progress.connect(self.progress_dialog.set_progress)
        job.finished.connect(self._on_finished)
        job.failed.connect(self._on_failed)
        self.progress_dialog.cancelRequested.connect(job.cancel)
        self.job = job
        self.progress_dialog.open()
        job.start()
        return True

    def _close_progress(self) -> None:
        if self.progress_dialog is not None:
            self.last_progress = list(self.progress_dialog.seen)
            self.progress_dialog.hide()
            self.progress_dialog.deleteLater()
            self.progress_dialog = None

    def _on_failed(self, message: str) -> None:
        self._close_progress()
        QMessageBox.warning(self.window, "Import failed", message)

    def _on_finished(self, report: ImportReport) -> None:
        self._close_progress()
        self.last_report = report
        if report.imported:
            self.window.reload_corpus()
        self.window.statusBar().showMessage(
            f"Imported {len(report.imported)}, {len(report.duplicates)} already present, "
            f"{len(report.skipped)} skipped", 10000)
        self.review = ImportReviewDialog(report, self.window)
        self.review.saveRequested.connect(self._save_review)
        self.review.openRequested.connect(self.window.open_document)
        self.review.open()
        self.importFinished.emit(report)

    def _save_review(self, changes: dict[str, dict[str, str]]) -> None:
        if self.review is None or self.last_report is None:
            return
        corpus = Corpus(self.last_report.corpus).scan()
        errors = []
        for doc_id, fields in changes.items():
            try:
                edit_document_meta(corpus, doc_id, fields)
            except ReaderError as exc:
                errors.append(f"{doc_id}: {exc}")
        if errors:
            self.review.saved("Not saved: " + "; ".join(errors), ok=False)
        else:
            self.review.saved(f"Saved the metadata of {len(changes)} document(s).", ok=True)
        self.window.reload_corpus()

    # -- metadata -------------------------------------------------------------------
    def edit_current_metadata(self) -> None:
        view = self.window.active_reader() if hasattr(self.window, "active_reader") else self.window.reader
        doc = view.doc
        if doc is None:
            self.window.statusBar().showMessage("Open a document first, then edit its metadata.", 5000)
            return
        self.edit_metadata(doc.id)

    def edit_metadata(self, doc_id: str) -> MetadataDialog | None:
        corpus = self.window.corpus
        if corpus is None:
            return None
        if corpus.read_only or is_bundled(corpus.root):
            QMessageBox.information(self.window, "Read-only corpus",
                                    "The sample corpus is read-only. Use File ▸ Copy Sample Corpus to get a copy "
                                    "you can edit.")
            return None
        dialog = MetadataDialog(corpus.meta(doc_id), self.window)
        dialog.buttons.accepted.connect(lambda: self._save_metadata(dialog, corpus, doc_id))
        dialog.open()
        return dialog

    def _save_metadata(self, dialog: MetadataDialog, corpus: Corpus, doc_id: str) -> None:
        changes = dialog.changes()
        if changes:
            try:
                edit_document_meta(corpus, doc_id, changes)
            except ReaderError as exc:
                dialog.error.setText(str(exc))
                return
            self.window.reload_corpus()
            self.metadataSaved.emit(doc_id)
        dialog.accept()

    # -- corpora --------------------------------------------------------------------
    def new_corpus(self, intro: str = "") -> Path | None:
        """Ask for a name (and optionally a folder), create the corpus and switch to it."""
        dialog = NewCorpusDialog(corpora_dir(self.window.ctx.paths), self.window, intro=intro)
        created: list[Path] = []

        def create() -> None:
            try:
                created.append(create_corpus(self.window.ctx.paths, dialog.name.text(), dialog.target(),
                                             title=dialog.title.text().strip() or None,
                                             event=dialog.event.text().strip()))
            except ReaderError as exc:
                dialog.error.setText(str(exc))
                return
            dialog.accept()

        dialog.buttons.accepted.connect(create)
        if dialog.exec() != NewCorpusDialog.DialogCode.Accepted or not created:
            return None
        self.window.switch_corpus(created[0])
        return created[0]

    def copy_sample(self) -> Path | None:
        try:
            root = copy_sample(self.window.ctx.paths)
        except ReaderError as exc:
            QMessageBox.warning(self.window, "Cannot copy the sample", str(exc))
            return None
        self.window.switch_corpus(root)
        self.window.statusBar().showMessage(f"Copied the sample corpus to {root}", 8000)
        return root


def _local_paths(event: QDragEnterEvent | QDropEvent) -> list[Path]:
    mime = event.mimeData()
    if mime is None or not mime.hasUrls():
        return []
    return [Path(u.toLocalFile()) for u in mime.urls() if u.isLocalFile()]


def install(window: Any) -> ImportFeature:
    return ImportFeature(window)
