"""Glue the faces share: where the index lives, keeping it fresh, recovering from damage."""

from __future__ import annotations

import logging
import time
from pathlib import Path

from reader.core.context import AppContext
from reader.core.corpus import Corpus
from reader.core.search.engine import (
    Cancelled,
    Filters,
    IndexUnusable,
    Progress,
    SearchEngine,
    SearchResults,
    UpdateReport,
)

log = logging.getLogger(__name__)


def index_dir(ctx: AppContext) -> Path:
    """The index folder of the context's current corpus (in its cache folder)."""
    return ctx.cache_dir / "index"


def open_engine(ctx: AppContext, corpus: Corpus | None = None) -> SearchEngine:
    """The engine for the current corpus (Whoosh on this machine, or the team corpus in use)."""
    from reader.core.team.config import team_engine

    team = team_engine(ctx.paths.config_dir)  # reads a file only; None unless `parallax team use NAME`
    if team is not None:
        return team
    from reader.core.search.whoosh_engine import WhooshEngine

    return WhooshEngine(index_dir(ctx), corpus or ctx.corpus())


def ensure_index(engine: SearchEngine, corpus: Corpus, progress: Progress | None = None,
                 cancelled: Cancelled | None = None) -> UpdateReport:
    """Build or update the index before use; the report says whether it was rebuilt and why."""
    report = engine.update(corpus, progress, cancelled)
    log.debug("index %s in %.2f s: %d added, %d updated, %d removed, %d unchanged%s", "rebuilt" if report.rebuilt
              else "updated", report.seconds, report.added, report.updated, report.removed, report.unchanged,
              f" ({report.reason})" if report.reason else "")
    return report


def search_with_index(engine: SearchEngine, corpus: Corpus, query: str, *, limit: int = 20,
                      filters: Filters | None = None,
                      progress: Progress | None = None) -> tuple[SearchResults, UpdateReport]:
    """Update the index, search; if the index turns out unreadable mid-search, rebuild once and retry."""
    report = ensure_index(engine, corpus, progress)
    started = time.perf_counter()
    try:
        results = engine.search(query, limit=limit, filters=filters)
    except IndexUnusable as exc:
        log.warning("index unusable mid-search, rebuilding: %s", exc)
        report = engine.build(corpus, progress, reason=str(exc))
        results = engine.search(query, limit=limit, filters=filters)
    log.debug("search %r: %d matches, %d shown, in %.1f ms", query, results.total, len(results.hits),
              (time.perf_counter() - started) * 1000)
    return results, report
