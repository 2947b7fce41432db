"""Framing quality on the PTC dev articles (held-out half) and speed of highlighting and KWIC.

Quality: *touch precision* is the share of our Loaded Language, Name Calling and Doubt
highlights that overlap a gold span of any technique; *touch recall* is the share of gold
spans of those three techniques that at least one of our highlights overlaps.

How fitting was avoided: the articles are split by a hash of their id (SHA-256, even = tune,
odd = held out). The word lists were written from general knowledge first; only the tune
half's gold spans and our errors on it were ever looked at while editing them. The held-out
numbers printed here are the ones to report.
"""

from __future__ import annotations

import hashlib
import logging
import random
import tempfile
import time
from pathlib import Path

from bench.common import SHARED, Row, median, timed

log = logging.getLogger(__name__)

PTC = SHARED / "testdata" / "ptc-dev"
TARGET = {"Loaded_Language": "loaded_language", "Name_Calling,Labeling": "name_calling", "Doubt": "doubt"}


def is_tune(article_id: str) -> bool:
    """The split: half the articles (by id hash) may be looked at while editing lists; the rest never."""
    return int(hashlib.sha256(article_id.encode("utf-8")).hexdigest(), 16) % 2 == 0


def load_ptc(root: Path = PTC) -> tuple[dict[str, str], dict[str, list[tuple[str, int, int]]]]:
    texts = {p.stem.removeprefix("article"): p.read_text(encoding="utf-8")
             for p in sorted((root / "articles").glob("article*.txt"))}
    gold: dict[str, list[tuple[str, int, int]]] = {a: [] for a in texts}
    for line in (root / "labels.tsv").read_text(encoding="utf-8").splitlines():
        parts = line.split("\t")
        if len(parts) == 4 and parts[0] in gold:
            gold[parts[0]].append((parts[1], int(parts[2]), int(parts[3])))
    return texts, gold


def touch_scores(texts: dict[str, str], gold: dict[str, list[tuple[str, int, int]]], ids: list[str],
                 detect) -> tuple[float, float, int, int]:
    """(precision, recall, our spans, gold spans) over ``ids``."""
    ours_total = ours_touch = gold_total = gold_touch = 0
    wanted = set(TARGET.values())
    for aid in ids:
        spans = [(s.start, s.end) for s in detect(texts[aid]) if s.technique in wanted]
        all_gold = [(s, e) for _t, s, e in gold[aid]]
        target_gold = [(s, e) for t, s, e in gold[aid] if t in TARGET]
        ours_total += len(spans)
        ours_touch += sum(any(s < ge and gs < e for gs, ge in all_gold) for s, e in spans)
        gold_total += len(target_gold)
        gold_touch += sum(any(s < ge and gs < e for s, e in spans) for gs, ge in target_gold)
    precision = ours_touch / ours_total if ours_total else 0.0
    recall = gold_touch / gold_total if gold_total else 0.0
    return precision, recall, ours_total, gold_total


def _engine():
    from reader.core.framing import FramingEngine

    return FramingEngine(Path(tempfile.mkdtemp(prefix="parallax-bench-")))


def quality_rows() -> list[Row]:
    if not (PTC / "labels.tsv").exists():
        return [Row("framing quality: ../shared/testdata/ptc-dev missing", 0, "", note="skipped")]
    texts, gold = load_ptc()
    detector = _engine().detector
    rows = []
    for name, ids in (("tune half", [a for a in texts if is_tune(a)]),
                      ("HELD-OUT half", [a for a in texts if not is_tune(a)])):
        p, r, n_ours, n_gold = touch_scores(texts, gold, ids, detector.detect)
        held = name.startswith("HELD")
        rows.append(Row(f"framing touch precision, LL+NC+Doubt, {name} ({len(ids)} articles)", p, "",
                        ">= 0.45" if held else "", (p >= 0.45) if held else None, f"{n_ours} highlights"))
        rows.append(Row(f"framing touch recall, LL+NC+Doubt, {name}", r, "",
                        ">= 0.45" if held else "", (r >= 0.45) if held else None, f"{n_gold} gold spans"))
    return rows


def _article_25kb() -> str:
    if (PTC / "articles").is_dir():
        texts, _ = load_ptc()
        blob = "\n\n".join(texts[a] for a in sorted(texts))
    else:
        blob = "The so-called “peaceful protesters” were brutal terrorists and bandits. Why? " * 400
    return blob[:25_000]


def speed_rows() -> list[Row]:
    engine = _engine()
    text = _article_25kb()
    engine.detector.detect(text)
    times = timed(lambda: engine.detector.detect(text), repeat=15)
    med = median(times)
    return [Row("framing: highlight a 25 KB article (median of 15)", med * 1000, "ms", "<= 50 ms", med <= 0.050,
                f"{len(engine.detector.detect(text))} spans")]


def kwic_rows(n_docs: int = 20_000) -> list[Row]:
    from reader.core.framing.kwic import KwicIndex, KwicRecord

    rng = random.Random(7)
    words = ["the", "government", "said", "protesters", "police", "city", "people", "gas", "prices", "rose",
             "sharply", "across", "country", "officials", "reported", "on", "tuesday", "that", "troops",
             "arrived", "while", "residents", "stayed", "indoors"]
    outlets = [f"Outlet {i}" for i in range(12)]
    records = []
    for i in range(n_docs):
        body = [rng.choice(words) for _ in range(rng.randint(250, 600))]
        if i % 37 == 0:
            body.insert(rng.randrange(len(body)), "colour revolution")
        if i % 53 == 0:
            body.insert(rng.randrange(len(body)), "color revolution")
        records.append(KwicRecord(f"doc-{i}", outlets[i % 12], f"2022-01-{i % 28 + 1:02d}", " ".join(body)))
    start = time.perf_counter()
    index = KwicIndex.from_records(records)
    build = time.perf_counter() - start
    index.search("colour revolution")
    times = timed(lambda: index.search("colour revolution", width=60), repeat=5)
    med = median(times)
    hits = len(index.search("colour revolution"))
    times2 = timed(lambda: index.search("police", width=60, limit=5000), repeat=3)
    return [Row(f"kwic: load {n_docs:,} generated documents into the concordance", build, "s", "", None,
                f"{sum(len(r.text) for r in records) / 1e6:.0f} M characters"),
            Row(f"kwic: phrase query over {n_docs:,} documents (median of 5)", med, "s", "<= 1 s", med <= 1.0,
                f"{hits} lines (colour/color)"),
            Row(f"kwic: frequent word over {n_docs:,} documents, first 5,000 lines", median(times2), "s", "<= 1 s",
                median(times2) <= 1.0, "")]


def run() -> list[Row]:
    return quality_rows() + speed_rows() + kwic_rows()
