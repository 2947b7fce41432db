"""Building and updating the index: a full build in a fresh folder swapped in (workers, see
:mod:`reader.core.search.build_workers`), incremental updates by file stats and content hashes,
an in-memory index when the cache folder cannot be written, background merges.
"""

from __future__ import annotations

import logging
import os
import shutil
import time
import uuid
from pathlib import Path
from typing import Any

from whoosh.filedb.filestore import FileStorage, RamStorage, copy_storage
from whoosh.writing import CLEAR, IndexWriter

from reader.core.corpus import Corpus
from reader.core.document import Document
from reader.core.errors import ReaderError
from reader.core.search.build_workers import extras_picklable, file_state, parallel_build
from reader.core.search.engine import (
    Cancelled,
    IndexCancelled,
    Progress,
    UpdateReport,
)
from reader.core.search.fields import flush_fields
from reader.core.search.records import section_records
from reader.core.search.schema import schema_version
from reader.core.search.whoosh_index import (
    INDEX_NAME,
    PARALLEL_MIN_DOCS,
    PROGRESS_EVERY,
    WORKER_LIMIT_MB,
    IndexHandle,
    _describe,
    _unwritable,
    clean_debris,
)
from reader.core.search.writer import LeanSegmentWriter

log = logging.getLogger(__name__)

class Building(IndexHandle):
    """Building and updating the index: a full build in a fresh folder swapped in (workers, see"""

    def build(self, corpus: Corpus | None = None, progress: Progress | None = None,
              cancelled: Cancelled | None = None, *, reason: str = "full rebuild requested") -> UpdateReport:
        corpus = corpus or self.corpus
        started = time.perf_counter()
        parent = self.index_dir.parent
        try:
            parent.mkdir(parents=True, exist_ok=True)
            clean_debris(parent)
            fresh = parent / f"index.new-{os.getpid()}-{uuid.uuid4().hex[:8]}"
            fresh.mkdir()
        except OSError as exc:
            if not _unwritable(exc):
                raise ReaderError(f"cannot build the search index in {parent}: {exc.strerror or exc}") from exc
            return self._build_in_memory(corpus, progress, cancelled, reason, started, exc)
        try:
            storage = FileStorage(str(fresh))
            docs = self._index_all(storage, corpus, progress, cancelled)
            self._write_state(docs, fresh)
            self._swap_in(fresh)
        except OSError as exc:
            if not _unwritable(exc):
                raise
            return self._build_in_memory(corpus, progress, cancelled, reason, started, exc)
        finally:
            shutil.rmtree(fresh, ignore_errors=True)
        with self._lock:
            self._ram, self._ram_state, self.notice = None, None, ""
        report = UpdateReport(added=len(docs), seconds=time.perf_counter() - started, rebuilt=True,
                              reason=reason, documents=len(docs))
        self.last_rebuild = report
        return report

    def _index_all(self, storage: Any, corpus: Corpus, progress: Progress | None,
                   cancelled: Cancelled | None) -> dict[str, list[Any]]:
        """Every document of ``corpus`` into a new index in ``storage``; the per-document state."""
        metas = corpus.metas()
        total = len(metas)
        ix = storage.create_index(self._schema, INDEX_NAME)
        extras = self._extras()
        if (self.procs > 1 and total >= PARALLEL_MIN_DOCS and isinstance(storage, FileStorage)
                and extras_picklable(extras)):
            return parallel_build(ix, metas, extras, self.procs, max(self.limitmb, WORKER_LIMIT_MB), progress,
                                  cancelled, nice=self.worker_nice)
        docs: dict[str, list[Any]] = {}
        writer: IndexWriter = LeanSegmentWriter(ix, limitmb=self.limitmb)
        try:
            for n, meta in enumerate(metas, 1):
                if cancelled is not None and cancelled():
                    raise IndexCancelled("indexing cancelled; the previous index is unchanged")
                try:
                    doc = corpus.document(meta.id)
                except ReaderError:
                    continue  # unreadable since the scan; the corpus reports it
                for record in section_records(doc, extras):
                    writer.add_document(**record)
                docs[doc.id] = file_state(meta.path, doc.content_hash)
                if progress is not None and (n % PROGRESS_EVERY == 0 or n == total):
                    progress(n, total)
            flush_fields()
            writer.commit()
        except BaseException:
            writer.cancel()
            raise
        return docs

    def _build_in_memory(self, corpus: Corpus, progress: Progress | None, cancelled: Cancelled | None,
                         reason: str, started: float, exc: OSError) -> UpdateReport:
        """The cache folder cannot be written: index into memory for this session, and say so."""
        ram = RamStorage()
        docs = self._index_all(ram, corpus, progress, cancelled)
        with self._lock:
            self._reset()
            self._ram = ram
            self._ram_state = {"schema": schema_version(), "docs": docs}
            self.notice = (f"the search index folder {self.index_dir.parent} cannot be written "
                           f"({exc.strerror or exc}); searching from an index built in memory")
        report = UpdateReport(added=len(docs), seconds=time.perf_counter() - started, rebuilt=True,
                              reason=reason, documents=len(docs), notice=self.notice)
        self.last_rebuild = report
        return report

    def _to_memory(self, exc: OSError) -> None:
        """Copy the stored (readable) index into memory, to update it there."""
        with self._lock:
            state = self._read_state()
            ram = RamStorage()
            copy_storage(FileStorage(str(self.index_dir), readonly=True), ram)
            self._reset()
            self._ram, self._ram_state = ram, state
            self.notice = (f"the search index folder {self.index_dir} cannot be written "
                           f"({exc.strerror or exc}); searching from a copy in memory, updated there")

    def _swap_in(self, fresh: Path) -> None:
        with self._lock:
            self._reset()
            old = self.index_dir.parent / f"index.old-{os.getpid()}-{uuid.uuid4().hex[:8]}"
            if self.index_dir.exists():
                self.index_dir.rename(old)
            fresh.rename(self.index_dir)
            shutil.rmtree(old, ignore_errors=True)

    def update(self, corpus: Corpus | None = None, progress: Progress | None = None,
               cancelled: Cancelled | None = None) -> UpdateReport:
        corpus = corpus or self.corpus
        reason = self.needs_rebuild()
        if reason is not None:
            return self.build(corpus, progress, cancelled, reason=reason)
        started = time.perf_counter()
        state = self._read_state() or {"docs": {}}
        known: dict[str, list[Any]] = dict(state["docs"])
        metas = corpus.metas()
        total = len(metas)
        added: list[Document] = []
        changed: list[Document] = []
        unchanged = 0
        new_state: dict[str, list[Any]] = {}
        for n, meta in enumerate(metas, 1):
            if cancelled is not None and cancelled():
                raise IndexCancelled("indexing cancelled; the index is unchanged")
            stat = file_state(meta.path, "")
            old = known.get(meta.id)
            if old is not None and old[1:] == stat[1:]:
                new_state[meta.id] = old
                unchanged += 1
                continue
            # New, or size/mtime changed, or same size and mtime but another ctime or inode
            # (cp -p, rsync -t): the content hash decides.
            try:
                doc = corpus.document(meta.id)
            except ReaderError:
                if old is not None:
                    new_state[meta.id] = old
                continue
            new_state[meta.id] = [doc.content_hash, *stat[1:]]
            if old is None:
                added.append(doc)
            elif old[0] != doc.content_hash:
                changed.append(doc)
            else:
                unchanged += 1
            if progress is not None and n % 500 == 0:
                progress(n, total)
        removed = [doc_id for doc_id in known if doc_id not in new_state]
        if added or changed or removed:
            try:
                self._apply(added, changed, removed)
            except ReaderError:
                raise
            except OSError as exc:
                if not _unwritable(exc) or self._ram is not None:
                    raise ReaderError(f"cannot update the search index: {exc.strerror or exc}") from exc
                self._to_memory(exc)
                self._apply(added, changed, removed)
            except Exception as exc:  # a damaged index found while writing: rebuild, reported
                self._reset()
                return self.build(corpus, progress, cancelled,
                                  reason=f"the index cannot be updated ({_describe(exc)})")
        if new_state != known:
            try:
                self._write_state(new_state)
            except OSError as exc:
                if not _unwritable(exc):
                    raise ReaderError(f"cannot save the search index state: {exc.strerror or exc}") from exc
                # Stats only (a touched file): the index is right, the next run compares hashes again.
                log.info("index state not saved (%s)", exc)
        if progress is not None:
            progress(total, total)
        return UpdateReport(len(added), len(changed), len(removed), unchanged, time.perf_counter() - started,
                            documents=len(new_state), notice=self.notice)

    def _apply(self, added: list[Document], changed: list[Document], removed: list[str]) -> None:
        with self._write_lock:
            with self._lock:
                ix = self._open()
            # Docnums from the open searcher (same generation as the writer's base): deleting by
            # term made the writer open a reader on every segment again.
            doomed = self._docnums_of([*removed, *(d.id for d in changed)])
            writer = ix.writer(limitmb=self.limitmb)
            try:
                if doomed is None or writer.generation != self._search_handle().reader().generation() + 1:
                    for doc_id in [*removed, *(d.id for d in changed)]:
                        writer.delete_by_term("id", doc_id)
                else:
                    for docnum in doomed:
                        writer.delete_document(docnum)
                for doc in added + changed:
                    for record in self._section_records(doc):
                        writer.add_document(**record)
                flush_fields()
                writer.commit(merge=False)
            except BaseException:
                writer.cancel()
                raise

    def _docnums_of(self, doc_ids: list[str]) -> list[int] | None:
        """Record numbers of these documents in the current generation (None: ask the writer)."""
        try:
            with self._lock:
                searcher = self._search_handle()
                return [n for doc_id in doc_ids for n in searcher.document_numbers(id=doc_id)]
        except Exception:  # the writer's own lookup is the fallback
            return None

    def merge(self, cancelled: Cancelled | None = None) -> bool:
        """Merge small segments; searches go on meanwhile on the previous generation."""
        with self._write_lock:
            before = self.segment_count()
            if before <= 1 or (cancelled is not None and cancelled()):
                return False
            with self._lock:
                ix = self._open()
            try:
                writer = ix.writer(limitmb=self.limitmb)
                writer.commit()  # the default policy merges the small segments
            except OSError as exc:
                if _unwritable(exc):
                    return False  # housekeeping only
                raise
            return self.segment_count() < before

    def clear(self) -> None:
        with self._lock:
            if self.index_dir.exists():
                writer = self._open().writer()
                writer.commit(mergetype=CLEAR)
