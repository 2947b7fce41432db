"""Coverage over time: how many matching documents each outlet published on each day.

"Who covered this first, who never did" in one table: the engine's day facet, taken once per
outlet (outlet filter), so the counts are exactly those ``parallax search`` reports. Outlets
of the corpus that have no match are listed with no days, so absence shows too.
"""

from __future__ import annotations

import csv
import io
import logging
from dataclasses import dataclass
from typing import Any

from reader.core.search.engine import SearchEngine

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Timeline:
    query: str
    days: list[str]                       # every day with a match, sorted
    counts: dict[str, dict[str, int]]     # outlet -> day -> documents
    total: int

    def first_day(self, outlet: str) -> str | None:
        days = sorted(self.counts.get(outlet, {}))
        return days[0] if days else None

    def to_json(self) -> dict[str, Any]:
        return {"query": self.query, "total": self.total, "days": self.days,
                "outlets": [{"outlet": o, "first": self.first_day(o), "days": dict(sorted(c.items())),
                             "documents": sum(c.values())} for o, c in self.counts.items()]}


def timeline(engine: SearchEngine, query: str, outlets: list[str]) -> Timeline:
    """Per-outlet day counts for ``query``; ``outlets`` are every outlet of the corpus."""
    overall = engine.search(query, limit=0)
    matched = overall.facets.get("outlet", {})
    counts: dict[str, dict[str, int]] = {}
    for outlet in sorted(set(outlets) | set(matched), key=str.lower):
        if not matched.get(outlet):
            counts[outlet] = {}
            continue
        per = engine.search(query, limit=0, filters={"outlet": [outlet]})
        counts[outlet] = {day: n for day, n in per.facets.get("published", {}).items() if n}
    days = sorted({d for c in counts.values() for d in c})
    return Timeline(query, days, counts, overall.total)


def timeline_csv(line: Timeline) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["outlet", *line.days, "total"])
    for outlet, per in line.counts.items():
        writer.writerow([outlet, *(per.get(d, 0) for d in line.days), sum(per.values())])
    return out.getvalue()
