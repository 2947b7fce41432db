"""``team push``: upload a local corpus, incrementally by content hash, resumable.

The server's ``(doc_id, content_hash)`` list is compared with the local corpus, and only new
or changed documents travel, in batches of one transaction each (texts, document rows,
section vectors by COPY, facet values, entity mentions and framing spans). A dropped
connection loses at most the batch in flight: committed batches already match by hash, so
running the push again resumes where it stopped. Removed documents are deleted last. Then
the derived data (vocabulary, statistics, RUM index) is rebuilt by jobs inside PostgreSQL.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
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

BATCH = 500
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


def _push(conn: Any, corpus: Corpus, name: str, progress: Progress | None, cancelled: Cancelled | None,
          entity_spans: EntitySpans | None, framing_spans: FramingSpans | None, batch: int,
          after_batch: Callable[[int], None] | None) -> PushReport:
    started = time.perf_counter()
    target = corpora.find(conn, name) or corpora.create(conn, name)
    server = dict(conn.execute("SELECT doc_id, content_hash FROM parallax.documents WHERE corpus_id = %s",
                               (target.id,)).fetchall())
    conn.commit()
    metas = corpus.metas()
    local_ids = {m.id for m in metas}
    todo: list[tuple[Document, bool]] = []
    unchanged = 0
    for meta in metas:
        try:
            doc = corpus.document(meta.id)
        except ReaderError:
            continue
        known = server.get(doc.id)
        if known == doc.content_hash:
            unchanged += 1
        else:
            todo.append((doc, known is not None))
    removed = [doc_id for doc_id in server if doc_id not in local_ids]
    total = len(todo)
    if total >= BULK_DOCS:
        jobs.drop_rum_index(conn)
    done = 0
    for start in range(0, total, batch):
        if cancelled is not None and cancelled():
            raise IndexCancelled(f"push cancelled after {done} of {total} documents; run it again to resume")
        chunk = todo[start:start + batch]
        with conn.transaction():
            _write_batch(conn, target.id, [d for d, _ in chunk], entity_spans, framing_spans)
        done += len(chunk)
        if progress is not None:
            progress(done, total)
        if after_batch is not None:
            after_batch(done)
    if removed:
        with conn.transaction():
            conn.execute("DELETE FROM parallax.documents WHERE corpus_id = %s AND doc_id = ANY(%s)",
                         (target.id, removed))
    ran: list[tuple[str, float]] = []
    if todo or removed:
        jobs.queue(conn, target.id, "vocabulary", "stats", "rum-index")
    ran = jobs.run_jobs(conn, target.id)
    updated = sum(1 for _d, was in todo if was)
    return PushReport(total - updated, updated, len(removed), unchanged, time.perf_counter() - started, ran)


def _write_batch(conn: Any, corpus_id: int, docs: list[Document], entity_spans: EntitySpans | None,
                 framing_spans: FramingSpans | None) -> None:
    hashes = [d.content_hash for d in docs]
    have = {r[0] for r in conn.execute("SELECT content_hash FROM parallax.texts WHERE content_hash = ANY(%s)",
                                       (hashes,))}
    new_docs = {d.content_hash: d for d in docs if d.content_hash not in have}
    ids = [d.id for d in docs]
    conn.execute("DELETE FROM parallax.documents WHERE corpus_id = %s AND doc_id = ANY(%s)", (corpus_id, ids))
    with conn.cursor() as cur:
        with cur.copy("COPY parallax.texts (content_hash, text) FROM STDIN") as copy:
            for h, d in new_docs.items():
                copy.write_row((h, d.text))
        with cur.copy("COPY parallax.documents (corpus_id, doc_id, content_hash, title, outlet, author, published, "
                      "language, meta, sections) FROM STDIN") as copy:
            for d in docs:
                m = d.meta
                copy.write_row((corpus_id, d.id, d.content_hash, m.title, m.outlet, m.author,
                                m.published[:10] if m.published else None, m.language or "en",
                                json.dumps({"url": m.url, "event": m.event, "date_note": m.date_note,
                                            "published": m.published}),
                                json.dumps([[s.name, s.start, s.end] for s in d.sections])))
        surfaces: dict[str, str] = {}
        facets: list[tuple[str, str, str, str]] = []
        with cur.copy("COPY parallax.sections (corpus_id, doc_id, section, outlet, day, body_len, title_len, tsv) "
                      "FROM STDIN") as copy:
            for d in docs:
                day = d.meta.published[:10] if d.meta.published else "undated"
                for vec in section_vectors(d, extra_values=_extra_values(d)):
                    copy.write_row((corpus_id, d.id, vec.section, d.meta.outlet, day, vec.body_len,
                                    vec.title_len, vec.tsv))
                    for term, surface in vec.surfaces.items():
                        surfaces.setdefault(term, surface)
                    facets.extend((d.id, vec.section, n, v) for n, v in vec.facets)
        if facets:
            with cur.copy("COPY parallax.section_facets (corpus_id, doc_id, section, name, value) FROM STDIN") as copy:
                for doc_id, section, n, v in facets:
                    copy.write_row((corpus_id, doc_id, section, n, v))
        if surfaces:
            cur.execute("INSERT INTO parallax.surfaces (corpus_id, term, surface) "
                        "SELECT %s, t, s FROM unnest(%s::text[], %s::text[]) AS u(t, s) ON CONFLICT DO NOTHING",
                        (corpus_id, list(surfaces), list(surfaces.values())))
        if entity_spans is not None and new_docs:
            # Keyed like the table's primary key, so a repeated span cannot abort the batch.
            mentions = {(h, s, ent): e for h, d in new_docs.items() for s, e, ent in _safe(entity_spans, d)}
            if mentions:
                with cur.copy("COPY parallax.entity_mentions (content_hash, entity, start_at, end_at) "
                              "FROM STDIN") as copy:
                    for (h, s, ent), e in sorted(mentions.items()):
                        copy.write_row((h, ent, s, e))
        if framing_spans is not None and new_docs:
            spans = {(h, sp.technique, sp.start, sp.rule): (sp.end, getattr(sp, "term", ""))
                     for h, d in new_docs.items() for sp in _safe(framing_spans, d)}
            if spans:
                with cur.copy("COPY parallax.framing_spans (content_hash, technique, start_at, end_at, rule, term) "
                              "FROM STDIN") as copy:
                    for (h, tech, s, rule), (e, term) in sorted(spans.items()):
                        copy.write_row((h, tech, s, e, rule, term))


def _safe(fn: Callable[[Document], list[Any]], doc: Document) -> list[Any]:
    try:
        return list(fn(doc))
    except Exception as exc:  # derived spans are optional: the document still uploads
        log.warning("derived spans failed on %s: %s", doc.id, exc)
        return []
