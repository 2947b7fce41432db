"""Batch search (ICIJ Datashare's "batch search"): many queries at once, hits per query and outlet.

Each query is answered by the engine's own facet counts (no snippets, no hit list), so a
batch of twenty queries costs twenty cheap passes. A malformed query is reported in its
row and does not stop the batch.
"""

from __future__ import annotations

import csv
import io
import logging
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from reader.core.search.engine import QuerySyntaxError, SearchEngine

log = logging.getLogger(__name__)

Progress = Callable[[int, int], None]
Cancelled = Callable[[], bool]


@dataclass(frozen=True)
class BatchRow:
    query: str
    total: int
    outlets: dict[str, int] = field(default_factory=dict)
    error: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {"query": self.query, "total": self.total, "outlets": dict(self.outlets), "error": self.error}


def read_queries(text: str) -> list[str]:
    """One query a line; blank lines and ``#`` comments skipped, duplicates kept once."""
    seen: dict[str, None] = {}
    for line in text.splitlines():
        query = line.strip()
        if query and not query.startswith("#"):
            seen.setdefault(query, None)
    return list(seen)


def run_batch(engine: SearchEngine, queries: Iterable[str], progress: Progress | None = None,
              cancelled: Cancelled | None = None) -> list[BatchRow]:
    queries = list(queries)
    rows: list[BatchRow] = []
    started = time.perf_counter()
    for number, query in enumerate(queries, 1):
        if cancelled is not None and cancelled():
            break
        try:
            results = engine.search(query, limit=0)
            rows.append(BatchRow(query, results.total, dict(results.facets.get("outlet", {}))))
        except QuerySyntaxError as exc:
            rows.append(BatchRow(query, 0, {}, f"bad query: {exc}"))
        if progress is not None:
            progress(number, len(queries))
    log.debug("batch of %d queries in %.3f s", len(rows), time.perf_counter() - started)
    return rows


def batch_csv(rows: list[BatchRow]) -> str:
    """One row per query and outlet (plus the query's total), ready for a spreadsheet."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["query", "outlet", "documents", "error"])
    for row in rows:
        writer.writerow([row.query, "(all outlets)", row.total, row.error or ""])
        for outlet, count in sorted(row.outlets.items(), key=lambda kv: (-kv[1], kv[0])):
            writer.writerow([row.query, outlet, count, ""])
    return out.getvalue()
