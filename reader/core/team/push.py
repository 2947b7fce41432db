"""``team push``: upload a local corpus, incrementally by content hash, resumable.

The server's ``(doc_id, content_hash)`` list is compared with the local corpus, and only new
or changed documents travel, in batches of one transaction each. Worker processes (one per
core) read, analyse and format each document straight into COPY text lines; the parent only
streams them: every table is loaded by COPY (an editor's documents and sections go through
temporary tables and one INSERT per batch, since COPY refuses tables whose rows row-level
security filters). The session runs with ``synchronous_commit = off``, and a large first load
drops the RUM index and rebuilds it after. A dropped connection (or a lost unflushed commit)
loses at most the batches in flight: committed batches already match by hash, so running the
push again resumes where it stopped. Removed documents are deleted last. Then the derived data
(vocabulary, statistics, RUM index) is rebuilt by jobs inside PostgreSQL.
"""

from __future__ import annotations

import json
import logging
import multiprocessing
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from reader.core.corpus import Corpus
from reader.core.document import Document
from reader.core.errors import ReaderError
from reader.core.search.engine import Cancelled, IndexCancelled, Progress
from reader.core.search.fields import registered_fields
from reader.core.team import corpora, jobs
from reader.core.team.db import reported
from reader.core.team.tokens import section_vectors

log = logging.getLogger(__name__)

BATCH = 2000
#: At most this many worker processes (one per core) prepare documents while the parent writes.
PROCS = 8
#: Below this many documents one process is faster than starting workers.
PARALLEL_MIN_DOCS = 1000
#: Loading at least this many documents drops the RUM index first and rebuilds it after.
BULK_DOCS = 5000

EntitySpans = Callable[[Document], list[tuple[int, int, str]]]
FramingSpans = Callable[[Document], list[Any]]


@dataclass(frozen=True)
class PushReport:
    added: int
    updated: int
    removed: int
    unchanged: int
    seconds: float
    jobs: list[tuple[str, float]]

    @property
    def docs_per_second(self) -> float:
        sent = self.added + self.updated
        return sent / self.seconds if self.seconds > 0 else 0.0

    def to_json(self) -> dict[str, Any]:
        return {"added": self.added, "updated": self.updated, "removed": self.removed,
                "unchanged": self.unchanged, "seconds": round(self.seconds, 3),
                "docs_per_second": round(self.docs_per_second, 1),
                "jobs": [{"kind": k, "seconds": round(s, 3)} for k, s in self.jobs]}


def _extra_values(doc: Document) -> dict[str, dict[str, list[str]]]:
    out: dict[str, dict[str, list[str]]] = {}
    for spec in registered_fields():
        for sec in doc.sections:
            try:
                values = spec.values(doc, sec.name)
            except Exception as exc:  # an extractor failing must not stop the upload
                log.warning("search field %s failed on %s: %s", spec.name, doc.id, exc, exc_info=True)
                values = []
            if values:
                out.setdefault(sec.name, {})[spec.name] = values
    return out


def push(conn: Any, corpus: Corpus, name: str, *, progress: Progress | None = None,
         cancelled: Cancelled | None = None, entity_spans: EntitySpans | None = None,
         framing_spans: FramingSpans | None = None, batch: int = BATCH,
         after_batch: Callable[[int], None] | None = None) -> PushReport:
    """Bring the team corpus ``name`` up to date with ``corpus``; see the module docstring."""
    with reported(f"push the corpus {name!r}", resumable=True):
        return _push(conn, corpus, name, progress, cancelled, entity_spans, framing_spans, batch, after_batch)


@dataclass
class Prepared:
    """One document made ready on a worker, already in COPY text format.

    The workers do every per-document step (read, hash, analyse, format and escape the rows),
    so the parent only concatenates their lines and streams them to the server: with two
    workers and the server on two cores, the parent must not become the third busy process.
    """

    doc_id: str
    content_hash: str
    known: bool
    text_row: str
    document_row: str
    section_rows: str
    facet_rows: str
    surfaces: dict[str, str]
    mention_rows: str
    framing_rows: str


UNCHANGED = "unchanged"


@dataclass
class _Job:
    """What the workers need, set before they fork (closures and the corpus are inherited, not pickled)."""

    corpus: Corpus
    corpus_id: int
    server: dict[str, str]
    entity_spans: EntitySpans | None
    framing_spans: FramingSpans | None
    seen_surfaces: set[str]


_JOB: _Job | None = None


def copy_text(value: str) -> str:
    """A value escaped for COPY's text format (backslash, tab, newline, carriage return)."""
    if "\\" in value:
        value = value.replace("\\", "\\\\")
    if "\t" in value:
        value = value.replace("\t", "\\t")
    if "\n" in value:
        value = value.replace("\n", "\\n")
    if "\r" in value:
        value = value.replace("\r", "\\r")
    return value


def _prepare(doc_id: str) -> Prepared | str | None:
    """Read, hash, analyse, format: the Python half of a push, run on worker processes for large corpora."""
    job = _JOB
    assert job is not None
    try:
        doc = job.corpus.document(doc_id)
    except ReaderError:
        return None  # unreadable since the scan; `corpus check` reports it
    known = job.server.get(doc.id)
    if known == doc.content_hash:
        return UNCHANGED
    cid = str(job.corpus_id)
    h = doc.content_hash
    meta = doc.meta
    did = copy_text(doc.id)
    day = _day(meta.published)
    document_row = "\t".join((
        cid, did, h, copy_text(meta.title), copy_text(meta.outlet), copy_text(meta.author),
        day.isoformat() if day else "\\N", copy_text(meta.language or "en"),
        copy_text(json.dumps({"url": meta.url, "event": meta.event, "date_note": meta.date_note,
                              "published": meta.published})),
        copy_text(json.dumps([[sec.name, sec.start, sec.end] for sec in doc.sections])))) + "\n"
    outlet = copy_text(meta.outlet)
    published = meta.published[:10] if meta.published else "undated"
    sections: list[str] = []
    facets: list[str] = []
    surfaces: dict[str, str] = {}
    for vec in section_vectors(doc, extra_values=_extra_values(doc), seen_surfaces=job.seen_surfaces):
        name = copy_text(vec.section)
        sections.append("\t".join((cid, did, name, outlet, copy_text(published), str(vec.body_len),
                                   str(vec.title_len), copy_text(vec.tsv))) + "\n")
        facets.extend("\t".join((cid, did, name, copy_text(n), copy_text(v))) + "\n" for n, v in vec.facets)
        for term, surface in vec.surfaces.items():
            surfaces.setdefault(term, surface)
    # Spans are stored once per text; keyed like the primary keys so a repeat cannot abort the batch.
    mentions: dict[tuple[int, str], int] = {}
    if job.entity_spans is not None:
        for s, e, ent in _safe(job.entity_spans, doc):
            mentions[(int(s), str(ent))] = int(e)
    framing: dict[tuple[str, int, str], tuple[int, str]] = {}
    if job.framing_spans is not None:
        for sp in _safe(job.framing_spans, doc):
            framing[(sp.technique, int(sp.start), sp.rule)] = (int(sp.end), getattr(sp, "term", ""))
    mention_rows = "".join(f"{h}\t{copy_text(ent)}\t{s}\t{e}\n" for (s, ent), e in sorted(mentions.items()))
    framing_rows = "".join(f"{h}\t{copy_text(tech)}\t{s}\t{e}\t{copy_text(rule)}\t{copy_text(term)}\n"
                           for (tech, s, rule), (e, term) in sorted(framing.items()))
    return Prepared(doc.id, h, known is not None, f"{h}\t{copy_text(doc.text)}\n", document_row,
                    "".join(sections), "".join(facets), surfaces, mention_rows, framing_rows)


def _push(conn: Any, corpus: Corpus, name: str, progress: Progress | None, cancelled: Cancelled | None,
          entity_spans: EntitySpans | None, framing_spans: FramingSpans | None, batch: int,
          after_batch: Callable[[int], None] | None) -> PushReport:
    global _JOB
    started = time.perf_counter()
    target = corpora.find(conn, name) or corpora.create(conn, name)
    server = dict(conn.execute("SELECT doc_id, content_hash FROM parallax.documents WHERE corpus_id = %s",
                               (target.id,)).fetchall())
    ids = [m.id for m in corpus.metas()]
    local_ids = set(ids)
    removed = [doc_id for doc_id in server if doc_id not in local_ids]
    if len(local_ids - set(server)) >= BULK_DOCS:
        jobs.drop_rum_index(conn)
    # A push is derived data resent by hash when lost: a server crash may drop the last commits,
    # and the next push sends them again, so no commit needs to wait for the disk.
    conn.execute("SET synchronous_commit = off")
    staged = _staging(conn)
    procs = min(PROCS, os.cpu_count() or 1) if len(ids) >= PARALLEL_MIN_DOCS else 1
    _JOB = _Job(corpus, target.id, server, entity_spans, framing_spans, set())
    pool = multiprocessing.get_context("fork").Pool(procs) if procs > 1 else None
    added = updated = unchanged = done = 0
    pending: list[Prepared] = []

    def flush() -> None:
        nonlocal done
        if not pending:
            return
        with conn.transaction():
            _write_batch(conn, target.id, pending, staged)
        done += len(pending)
        pending.clear()
        if after_batch is not None:
            after_batch(done)

    try:
        results = pool.imap(_prepare, ids, chunksize=32) if pool is not None else map(_prepare, ids)
        for seen, item in enumerate(results, 1):
            if item == UNCHANGED:
                unchanged += 1
            elif isinstance(item, Prepared):
                pending.append(item)
                updated += item.known
                added += not item.known
            if len(pending) >= batch:
                if cancelled is not None and cancelled():
                    raise IndexCancelled(f"push cancelled after {done} documents; run it again to resume")
                flush()
                if progress is not None:
                    progress(seen, len(ids))
        flush()
    finally:
        if pool is not None:
            pool.terminate()
            pool.join()
        _JOB = None
        if not conn.closed and not conn.broken:
            conn.execute("RESET synchronous_commit")
    if progress is not None:
        progress(len(ids), len(ids))
    if removed:
        with conn.transaction():
            conn.execute("DELETE FROM parallax.documents WHERE corpus_id = %s AND doc_id = ANY(%s)",
                         (target.id, removed))
    if added or updated or removed:
        jobs.queue(conn, target.id, "vocabulary", "stats", "rum-index")
    ran = jobs.run_jobs(conn, target.id)
    return PushReport(added, updated, len(removed), unchanged, time.perf_counter() - started, ran)


_DOCUMENT_COLUMNS = "corpus_id, doc_id, content_hash, title, outlet, author, published, language, meta, sections"
_SECTION_COLUMNS = "corpus_id, doc_id, section, outlet, day, body_len, title_len, tsv"


def _staging(conn: Any) -> bool:
    """Whether row-level security applies to this user's writes (an editor, not the owner).

    COPY cannot write to a table whose rows RLS filters, so an editor's rows are copied into
    temporary tables first and moved with one INSERT per batch (the policies then check them);
    the schema owner copies straight into the tables.
    """
    row = conn.execute("SELECT row_security_active('parallax.documents') OR "
                       "row_security_active('parallax.sections')").fetchone()
    if not (row and row[0]):
        return False
    conn.execute("CREATE TEMP TABLE IF NOT EXISTS push_documents (LIKE parallax.documents INCLUDING DEFAULTS) "
                 "ON COMMIT DELETE ROWS")
    conn.execute("CREATE TEMP TABLE IF NOT EXISTS push_sections (corpus_id integer, doc_id text, section text, "
                 "outlet text, day text, body_len integer, title_len integer, tsv tsvector) ON COMMIT DELETE ROWS")
    return True


def _write_batch(conn: Any, corpus_id: int, items: list[Prepared], staged: bool) -> None:
    hashes = [p.content_hash for p in items]
    have = {r[0] for r in conn.execute("SELECT content_hash FROM parallax.texts WHERE content_hash = ANY(%s)",
                                       (hashes,))}
    fresh: dict[str, Prepared] = {}
    for p in items:
        if p.content_hash not in have:
            fresh.setdefault(p.content_hash, p)
    known = [p.doc_id for p in items if p.known]
    if known:
        conn.execute("DELETE FROM parallax.documents WHERE corpus_id = %s AND doc_id = ANY(%s)",
                     (corpus_id, known))
    documents, sections = ("push_documents", "push_sections") if staged else \
        ("parallax.documents", "parallax.sections")
    with conn.cursor() as cur:
        _copy(cur, "parallax.texts (content_hash, text)", [p.text_row for p in fresh.values()])
        _copy(cur, f"{documents} ({_DOCUMENT_COLUMNS})", [p.document_row for p in items])
        _copy(cur, f"{sections} ({_SECTION_COLUMNS})", [p.section_rows for p in items])
        if staged:
            cur.execute(f"INSERT INTO parallax.documents ({_DOCUMENT_COLUMNS}) "  # fixed names, no values
                        f"SELECT {_DOCUMENT_COLUMNS} FROM push_documents")
            cur.execute(f"INSERT INTO parallax.sections ({_SECTION_COLUMNS}) "  # fixed names, no values
                        f"SELECT {_SECTION_COLUMNS} FROM push_sections")
        _copy(cur, "parallax.section_facets (corpus_id, doc_id, section, name, value)",
              [p.facet_rows for p in items])
        surfaces: dict[str, str] = {}
        for p in items:
            for term, surface in p.surfaces.items():
                surfaces.setdefault(term, surface)
        if surfaces:
            cur.execute("INSERT INTO parallax.surfaces (corpus_id, term, surface) "
                        "SELECT %s, t, s FROM unnest(%s::text[], %s::text[]) AS u(t, s) ON CONFLICT DO NOTHING",
                        (corpus_id, list(surfaces), list(surfaces.values())))
        _copy(cur, "parallax.entity_mentions (content_hash, entity, start_at, end_at)",
              [p.mention_rows for p in fresh.values()])
        _copy(cur, "parallax.framing_spans (content_hash, technique, start_at, end_at, rule, term)",
              [p.framing_rows for p in fresh.values()])


#: COPY data is sent in blocks of about this many characters (fewer, larger writes).
_COPY_BLOCK = 1 << 20


def _copy(cur: Any, target: str, rows: list[str]) -> None:
    """Stream pre-formatted COPY text lines into ``target`` (a fixed table and column list)."""
    if not any(rows):
        return
    with cur.copy(f"COPY {target} FROM STDIN") as copy:
        block: list[str] = []
        size = 0
        for row in rows:
            if row:
                block.append(row)
                size += len(row)
                if size >= _COPY_BLOCK:
                    copy.write("".join(block))
                    block, size = [], 0
        if block:
            copy.write("".join(block))


def _day(published: str | None) -> date | None:
    if not published:
        return None
    try:
        return date.fromisoformat(published[:10])
    except ValueError:
        return None


def _safe(fn: Callable[[Document], list[Any]], doc: Document) -> list[Any]:
    try:
        return list(fn(doc))
    except Exception as exc:  # derived spans are optional: the document still uploads
        log.warning("derived spans failed on %s: %s", doc.id, exc, exc_info=True)
        return []
