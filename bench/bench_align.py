"""Side by side: align two 5,000-word documents, open a three-pane comparison, one scroll-sync event."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from bench.common import Row, median, percentile, timed

BUNDLED = ("frontier-post-alma-ata", "neo-outside-forces", "kavkazplus-gutted", "eadaily-ukrainian-trace",
           "moa-failed-rebellion")


def _long_doc(doc_id: str, words: int, seed: int):
    """A ~``words``-word document stitched from the bundled corpus's paragraphs (real prose)."""
    import random

    from reader.core.context import AppContext
    from reader.core.document import build_document
    from reader.core.text import paragraph_spans

    corpus = AppContext.create().corpus()
    paras = [d.text[s:e] for d in corpus.documents() for s, e in paragraph_spans(d.text)]
    rng = random.Random(seed)
    chosen, count = [], 0
    while count < words:
        para = rng.choice(paras)
        chosen.append(para)
        count += len(para.split())
    meta = corpus.meta(BUNDLED[0])
    from dataclasses import replace

    return build_document(replace(meta, id=doc_id), "\n\n".join(chosen))[0]


def run() -> list[Row]:
    rows: list[Row] = []
    with tempfile.TemporaryDirectory() as tmp:
        for name in ("CONFIG", "DATA", "CACHE"):
            os.environ[f"PARALLAX_{name}_DIR"] = str(Path(tmp) / name.lower())
        from reader.core.align import align_documents
        from reader.core.align.similarity import CorpusStats

        a, b = _long_doc("long-a", 5000, 1), _long_doc("long-b", 5000, 2)
        stats = CorpusStats.from_documents([a, b])
        times = timed(lambda: align_documents(a, b, stats), repeat=5)
        med = median(times)
        rows.append(Row("align two 5,000-word documents (uncached)", med * 1000, "ms", "<= 200 ms", med <= 0.2,
                        f"{len(align_documents(a, b, stats).pairs)} pairs"))
        rows += _gui_rows()
    return rows


def _gui_rows() -> list[Row]:
    import time

    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    from reader.core.context import AppContext
    from reader.gui.window.mainwindow import MainWindow

    app = QApplication.instance() or QApplication([])
    ids = [BUNDLED[4], BUNDLED[2], BUNDLED[0]]  # the three longest articles
    open_times = []
    window = None
    for k in range(4):
        window = MainWindow(AppContext.create(), persist=False)
        window.resize(1600, 1000)
        window.show()
        window.start([ids[0]])
        window.wait_for_corpus()
        app.processEvents()
        start = time.perf_counter()
        for doc_id in ids[1:]:
            window.compare.open_beside(doc_id, after=window.reader_views()[-1])
        app.processEvents()
        elapsed = time.perf_counter() - start
        if k:  # the first run builds the alignment cache
            open_times.append(elapsed)
        if k < 3:
            window.close()
            window.deleteLater()
            app.processEvents()
    med = median(open_times)
    rows = [Row("open a three-pane comparison (alignment cached, highlights on)", med * 1000, "ms", "<= 300 ms",
                med <= 0.3, "median of 3; first open (builds the cache) not counted")]
    assert window is not None
    sync = window.compare.sync
    first = window.reader_views()[0]
    bar = first.text.verticalScrollBar()
    per_event = []
    for step in range(0, bar.maximum(), max(1, bar.maximum() // 200)):
        bar.setValue(step)  # the handler runs synchronously inside setValue
        t0 = time.perf_counter()
        sync.on_scrolled(first)
        per_event.append(time.perf_counter() - t0)
    p95 = percentile(per_event, 95)
    rows.append(Row("scroll-sync handler per event, 3 panes (p95)", p95 * 1000, "ms", "<= 4 ms", p95 <= 0.004,
                    f"median {median(per_event) * 1000:.2f} ms over {len(per_event)} events"))
    window.close()
    window.deleteLater()
    app.processEvents()
    return rows
