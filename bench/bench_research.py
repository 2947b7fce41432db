"""Research workflow at 2,000 real documents: a batch of 20 queries, a timeline, references.

Targets from the research issue: a batch of 20 queries over a 2,000-document corpus in under
5 s; a coverage timeline and 2,000 formatted references measured for information.
"""

from __future__ import annotations

import json
import logging
import tempfile
import time
from pathlib import Path

from bench.common import SHARED, Row

log = logging.getLogger(__name__)

BBC = SHARED / "testdata" / "bbc-news"
QUERIES = ["government", "Blair", "election", "\"prime minister\"", "economy OR growth", "film~", "music",
           "football -cup", "title:oil", "Brown", "tax", "\"interest rates\"~3", "China", "Microsoft",
           "published:[2005-02-01 TO 2005-03-31]", "Labour AND Tories", "mobile", "champion*", "court",
           "outlet:\"BBC sport\""]


def _corpus(target: Path, count: int) -> int:
    files = sorted(BBC.glob("*/*.txt"))[:count]
    for n, path in enumerate(files):
        raw = path.read_bytes()
        text = raw.decode("utf-8", "replace")
        title, _, body = text.strip().partition("\n")
        day = time.strftime("%Y-%m-%d", time.gmtime(1104537600 + (n % 120) * 86400))
        head = {"id": f"bbc-{path.parent.name}-{path.stem}", "title": title.strip(),
                "outlet": f"BBC {path.parent.name}", "published": day, "author": ""}
        front = "\n".join(f"{k}: {json.dumps(v)}" for k, v in head.items())
        (target / f"{head['id']}.md").write_text(f"---\n{front}\n---\n\n{body.strip()}\n", encoding="utf-8")
    return len(files)


def run() -> list[Row]:
    if not BBC.is_dir():
        return [Row("research: BBC articles absent", 0, "", note=f"{BBC} not found; skipped")]
    from reader.core.context import AppContext
    from reader.core.research import citations
    from reader.core.research.batch import run_batch
    from reader.core.research.timeline import timeline
    from reader.core.search import ensure_index, open_engine

    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        (work / "corpus").mkdir()
        count = _corpus(work / "corpus", 2000)
        ctx = AppContext.create(corpus=str(work / "corpus"), data_dir=str(work / "d"), cache_dir=str(work / "c"),
                                config_dir=str(work / "k"))
        corpus = ctx.corpus()
        engine = open_engine(ctx, corpus)
        ensure_index(engine, corpus)
        engine.search("warm", limit=0)
        progress: list[int] = []
        start = time.perf_counter()
        rows = run_batch(engine, QUERIES, progress=lambda d, _t: progress.append(d))
        batch_s = time.perf_counter() - start
        outlets = sorted({m.outlet for m in corpus.metas()})
        start = time.perf_counter()
        timeline(engine, "government", outlets)
        timeline_s = time.perf_counter() - start
        engine.close()
        items = [citations.csl_item(m) for m in corpus.metas()]
        start = time.perf_counter()
        citations.format_references(items[:100], "apa")
        refs_s = time.perf_counter() - start
        start = time.perf_counter()
        citations.format_references(items[:400], "apa")
        refs400_s = time.perf_counter() - start
    bad = sum(1 for r in rows if r.error)
    return [
        Row(f"research: batch of {len(QUERIES)} queries, {count} docs", batch_s, "s", "< 5 s", batch_s < 5.0,
            f"{len(progress)} progress steps; {bad} unreadable"),
        Row("research: timeline of 'government' (5 outlets)", timeline_s * 1000, "ms", "", None,
            "one day-facet pass per outlet"),
        Row("research: 100 APA references (one bibliography)", refs_s * 1000, "ms", "", None,
            "citeproc-py, disambiguated across entries"),
        Row("research: 400 APA references (entry by entry)", refs400_s * 1000, "ms", "", None,
            "citeproc-py; above JOINT_LIMIT each entry is formatted alone"),
    ]
