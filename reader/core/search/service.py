"""Glue the faces share: where the index lives, keeping it fresh, recovering from damage."""

from __future__ import annotations

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
    return engine.update(corpus, progress, cancelled)


def search_with_index(engine: SearchEngine, corpus: Corpus, query: str, *, limit: int = 20,
                      filters: Filters | None = None,
                      progress: Progress | None = None) -> tuple[SearchResults, UpdateReport]:
    """Update the index, search; if the index turns out unreadable mid-search, rebuild once and retry."""
    report = ensure_index(engine, corpus, progress)
    try:
        return engine.search(query, limit=limit, filters=filters), report
    except IndexUnusable as exc:
        report = engine.build(corpus, progress, reason=str(exc))
        return engine.search(query, limit=limit, filters=filters), report
