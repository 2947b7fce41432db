"""Derived data rebuilt inside PostgreSQL from the store of record, through a job table.

A push queues jobs; :func:`run_jobs` takes them with ``FOR UPDATE SKIP LOCKED`` (several
workers never run the same job) and runs each in its own transaction, so a killed worker
leaves the job queued again. Nothing leaves the database: the vocabulary comes from
``ts_stat`` over the stored vectors, the statistics from the section rows, and the RUM index
is built after bulk loads (trickle inserts are about 4x slower with it in place).
"""

from __future__ import annotations

import logging
import time
from typing import Any

log = logging.getLogger(__name__)

RUM_INDEX = "sections_rum"


def queue(conn: Any, corpus_id: int, *kinds: str) -> None:
    with conn.transaction():
        for kind in kinds:
            exists = conn.execute("SELECT 1 FROM parallax.jobs WHERE corpus_id = %s AND kind = %s AND state = 'queued'",
                                  (corpus_id, kind)).fetchone()
            if not exists:
                conn.execute("INSERT INTO parallax.jobs (corpus_id, kind) VALUES (%s, %s)", (corpus_id, kind))


def run_jobs(conn: Any, corpus_id: int | None = None) -> list[tuple[str, float]]:
    """Run queued jobs (of one corpus, or all); returns ``(kind, seconds)`` per job run."""
    ran: list[tuple[str, float]] = []
    while True:
        with conn.transaction():
            row = conn.execute(
                "SELECT id, corpus_id, kind FROM parallax.jobs WHERE state = 'queued' "
                "AND (%s::integer IS NULL OR corpus_id = %s) ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED",
                (corpus_id, corpus_id)).fetchone()
            if row is None:
                return ran
            job_id, cid, kind = row
            started = time.perf_counter()
            try:
                with conn.transaction():
                    RUNNERS[kind](conn, cid)
            except Exception as exc:
                log.warning("team job %s (%s) failed: %s", job_id, kind, exc, exc_info=True)
                conn.execute("UPDATE parallax.jobs SET state = 'failed', error = %s, finished = now() WHERE id = %s",
                             (str(exc)[:500], job_id))
                continue
            conn.execute("UPDATE parallax.jobs SET state = 'done', finished = now() WHERE id = %s", (job_id,))
            ran.append((kind, time.perf_counter() - started))


def _vocabulary(conn: Any, corpus_id: int) -> None:
    """Document frequencies of every word (title and body), and of body words alone, via ts_stat."""
    conn.execute("DELETE FROM parallax.vocabulary WHERE corpus_id = %s", (corpus_id,))
    source = f"SELECT tsv FROM parallax.sections WHERE corpus_id = {int(corpus_id)}"
    conn.execute(
        "INSERT INTO parallax.vocabulary (corpus_id, term, df, body_df) "
        "SELECT %s, a.word, a.ndoc, coalesce(b.ndoc, 0) FROM ts_stat(%s, 'AD') a "
        "LEFT JOIN ts_stat(%s, 'D') b ON b.word = a.word WHERE position('=' in a.word) = 0",
        (corpus_id, source, source))


def _stats(conn: Any, corpus_id: int) -> None:
    conn.execute(
        "INSERT INTO parallax.corpus_stats (corpus_id, sections, avg_body, avg_title, first_day, last_day, refreshed) "
        "SELECT %s, count(*), greatest(avg(body_len), 1), greatest(avg(title_len) FILTER (WHERE title_len > 0), 1), "
        "min(day) FILTER (WHERE day <> 'undated'), max(day) FILTER (WHERE day <> 'undated'), now() "
        "FROM parallax.sections WHERE corpus_id = %s "
        "ON CONFLICT (corpus_id) DO UPDATE SET sections = EXCLUDED.sections, avg_body = EXCLUDED.avg_body, "
        "avg_title = EXCLUDED.avg_title, first_day = EXCLUDED.first_day, last_day = EXCLUDED.last_day, "
        "refreshed = now()", (corpus_id, corpus_id))


def _owns_sections(conn: Any) -> bool:
    row = conn.execute("SELECT pg_has_role(current_user, tableowner, 'USAGE') FROM pg_tables "
                       "WHERE schemaname = 'parallax' AND tablename = 'sections'").fetchone()
    return bool(row and row[0])


def _has_rum_index(conn: Any) -> bool:
    row = conn.execute("SELECT 1 FROM pg_indexes WHERE schemaname = 'parallax' AND indexname = %s",
                       (RUM_INDEX,)).fetchone()
    return row is not None


def _rum_index(conn: Any, _corpus_id: int) -> None:
    if _has_rum_index(conn):
        return
    if not _owns_sections(conn):
        raise PermissionError("the RUM index is missing and only the administrator can build it: parallax team jobs")
    # The build sorts the whole corpus's entries: with the default 64 MB it spills to disk in many runs.
    conn.execute("SET LOCAL maintenance_work_mem = '256MB'")
    conn.execute(f"CREATE INDEX {RUM_INDEX} ON parallax.sections USING rum (tsv rum_tsvector_ops)")
    conn.execute("ANALYZE parallax.sections")


def drop_rum_index(conn: Any) -> None:
    """Before a bulk load: inserts without the RUM index are several times faster.

    Only the schema owner may drop (and rebuild) it; an editor's bulk push keeps it in place.
    """
    with conn.transaction():
        if _owns_sections(conn):
            conn.execute(f"DROP INDEX IF EXISTS parallax.{RUM_INDEX}")


RUNNERS = {"vocabulary": _vocabulary, "stats": _stats, "rum-index": _rum_index}
