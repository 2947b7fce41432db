"""``team push``: upload a local corpus, incrementally by content hash, resumable.

The server's ``(doc_id, content_hash)`` list is compared with the local corpus, and only new
or changed documents travel, in batches of one transaction each (texts, facet values, entity
mentions and framing spans by COPY; document rows and section vectors by one INSERT from binary
arrays, since row-level security refuses COPY to editors). A dropped
connection loses at most the batch in flight: committed batches already match by hash, so
running the push again resumes where it stopped. Removed documents are deleted last. Then
the derived data (vocabulary, statistics, RUM index) is rebuilt by jobs inside PostgreSQL.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from psycopg.types.json import Jsonb

from reader.core.corpus import Corpus
from reader.core.document import Document
from reader.core.errors import ReaderError
from reader.core.search.engine import Cancelled, IndexCancelled, Progress
from reader.core.search.fields import registered_fields
from reader.core.team import corpora, jobs
from reader.core.team.db import reported
from reader.core.team.tokens import SectionVector, section_vectors

log = logging.getLogger(__name__)

BATCH = 500
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
                log.warning("search field %s failed on %s: %s", spec.name, doc.id, exc)
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
    """One document made ready on a worker: its vectors and derived spans."""

    doc: Document
    known: bool
    vectors: list[SectionVector]
    mentions: list[tuple[int, int, str]]
    framing: list[tuple[str, int, int, str, str]]


UNCHANGED = "unchanged"
#: What the workers need, set before they fork (closures and the corpus are inherited, not pickled).
_JOB: tuple[Corpus, dict[str, str], EntitySpans | None, FramingSpans | None] | None = None


def _prepare(doc_id: str) -> Prepared | str | None:
    """Read, hash, analyse: the Python half of a push, run on worker processes for large corpora."""
    assert _JOB is not None
    corpus, server, entity_spans, framing_spans = _JOB
    try:
        doc = corpus.document(doc_id)
    except ReaderError:
        return None  # unreadable since the scan; `corpus check` reports it
    known = server.get(doc.id)
    if known == doc.content_hash:
        return UNCHANGED
    vectors = section_vectors(doc, extra_values=_extra_values(doc))
    mentions = [(int(s), int(e), str(ent)) for s, e, ent in _safe(entity_spans, doc)] if entity_spans else []
    framing = [(sp.technique, int(sp.start), int(sp.end), sp.rule, getattr(sp, "term", ""))
               for sp in _safe(framing_spans, doc)] if framing_spans else []
    return Prepared(doc, known is not None, vectors, mentions, framing)


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
    procs = min(PROCS, os.cpu_count() or 1) if len(ids) >= PARALLEL_MIN_DOCS else 1
    _JOB = (corpus, server, entity_spans, framing_spans)
    pool = multiprocessing.get_context("fork").Pool(procs) if procs > 1 else None
    added = updated = unchanged = done = 0
    pending: list[Prepared] = []

    def flush() -> None:
        nonlocal done
        if not pending:
            return
        with conn.transaction():
            _write_batch(conn, target.id, pending)
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


def _write_batch(conn: Any, corpus_id: int, items: list[Prepared]) -> None:
    docs = [p.doc for p in items]
    hashes = [d.content_hash for d in docs]
    have = {r[0] for r in conn.execute("SELECT content_hash FROM parallax.texts WHERE content_hash = ANY(%s)",
                                       (hashes,))}
    fresh = {p.doc.content_hash: p for p in items if p.doc.content_hash not in have}
    conn.execute("DELETE FROM parallax.documents WHERE corpus_id = %s AND doc_id = ANY(%s)",
                 (corpus_id, [d.id for d in docs]))
    with conn.cursor() as cur:
        with cur.copy("COPY parallax.texts (content_hash, text) FROM STDIN") as copy:
            for h, p in fresh.items():
                copy.write_row((h, p.doc.text))
        # Documents and sections have row-level security, which COPY does not support for editors:
        # one INSERT per batch from arrays sent in binary (no escaping of the vectors' text).
        cur.execute(
            "INSERT INTO parallax.documents (corpus_id, doc_id, content_hash, title, outlet, author, published, "
            "language, meta, sections) SELECT %b, u.* FROM unnest(%b::text[], %b::text[], %b::text[], %b::text[], "
            "%b::text[], %b::date[], %b::text[], %b::jsonb[], %b::jsonb[]) AS u",
            (corpus_id, [d.id for d in docs], [d.content_hash for d in docs], [d.meta.title for d in docs],
             [d.meta.outlet for d in docs], [d.meta.author for d in docs],
             [_day(d.meta.published) for d in docs], [d.meta.language or "en" for d in docs],
             [Jsonb({"url": d.meta.url, "event": d.meta.event, "date_note": d.meta.date_note,
                     "published": d.meta.published}) for d in docs],
             [Jsonb([[s.name, s.start, s.end] for s in d.sections]) for d in docs]))
        surfaces: dict[str, str] = {}
        facets: list[tuple[str, str, str, str]] = []
        rows: list[tuple[str, str, str, str, int, int, str]] = []
        for p in items:
            d = p.doc
            day = d.meta.published[:10] if d.meta.published else "undated"
            for vec in p.vectors:
                rows.append((d.id, vec.section, d.meta.outlet, day, vec.body_len, vec.title_len, vec.tsv))
                for term, surface in vec.surfaces.items():
                    surfaces.setdefault(term, surface)
                facets.extend((d.id, vec.section, n, v) for n, v in vec.facets)
        columns = list(zip(*rows, strict=True)) if rows else [[] for _ in range(7)]
        cur.execute(
            "INSERT INTO parallax.sections (corpus_id, doc_id, section, outlet, day, body_len, title_len, tsv) "
            "SELECT %b, d, s, o, y, b, t, v::tsvector FROM unnest(%b::text[], %b::text[], %b::text[], %b::text[], "
            "%b::integer[], %b::integer[], %b::text[]) AS u(d, s, o, y, b, t, v)",
            (corpus_id, *[list(c) for c in columns]))
        if facets:
            with cur.copy("COPY parallax.section_facets (corpus_id, doc_id, section, name, value) FROM STDIN") as copy:
                for doc_id, section, n, v in facets:
                    copy.write_row((corpus_id, doc_id, section, n, v))
        if surfaces:
            cur.execute("INSERT INTO parallax.surfaces (corpus_id, term, surface) "
                        "SELECT %s, t, s FROM unnest(%s::text[], %s::text[]) AS u(t, s) ON CONFLICT DO NOTHING",
                        (corpus_id, list(surfaces), list(surfaces.values())))
        # Spans are stored once per text; keyed like the primary keys so a repeat cannot abort the batch.
        mentions = {(h, s, ent): e for h, p in fresh.items() for s, e, ent in p.mentions}
        if mentions:
            with cur.copy("COPY parallax.entity_mentions (content_hash, entity, start_at, end_at) FROM STDIN") as copy:
                for (h, s, ent), e in sorted(mentions.items()):
                    copy.write_row((h, ent, s, e))
        spans = {(h, tech, s, rule): (e, term) for h, p in fresh.items() for tech, s, e, rule, term in p.framing}
        if spans:
            with cur.copy("COPY parallax.framing_spans (content_hash, technique, start_at, end_at, rule, term) "
                          "FROM STDIN") as copy:
                for (h, tech, s, rule), (e, term) in sorted(spans.items()):
                    copy.write_row((h, tech, s, e, rule, term))


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
        log.warning("derived spans failed on %s: %s", doc.id, exc)
        return []
