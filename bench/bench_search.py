"""Search: index build, incremental update, query latency and snippet time.

Two corpora: the 2,225 real BBC News articles (``../shared/testdata/bbc-news``, converted to
corpus files in a temp folder) and a generated corpus of 20,000 documents of about 600 words
drawn with Zipf-like frequencies from the BBC vocabulary (also in a temp folder, never the
repo). Builds run in a child process so its peak memory (and its workers') is measured alone.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import re
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from bench.common import ROOT, SHARED, Row, median, percentile

BBC = SHARED / "testdata" / "bbc-news"
OUTLETS = ("Daily Ledger", "Evening Courier", "Northern Post", "The Observer Weekly", "Metro Wire",
           "Harbour Times", "Capital Review", "Frontier Daily")
ZIPF_DOCS = int(os.environ.get("BENCH_SEARCH_DOCS", "20000"))
ZIPF_WORDS = 600
QUERIES_PER_KIND = 50
#: Worker processes tried for the big corpus (each full build there takes minutes).
ZIPF_PROCS = tuple(int(p) for p in os.environ.get("BENCH_SEARCH_PROCS", "2").split(","))


def _front(doc_id: str, title: str, outlet: str, published: str, body: str, **extra: str) -> str:
    head = {"id": doc_id, "title": title, "outlet": outlet, "published": published, "language": "en", **extra}
    lines = ["---"] + [f"{k}: {json.dumps(v, ensure_ascii=False)}" for k, v in head.items()] + ["---", "", body, ""]
    return "\n".join(lines)


def write_bbc(target: Path) -> int:
    """BBC files → corpus documents (title line, paragraphs); dates spread over 2005."""
    files = sorted(BBC.glob("*/*.txt"))
    for n, path in enumerate(files):
        raw = path.read_bytes()
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            text = raw.decode("latin-1")
        title, _, body = text.strip().partition("\n")
        day = 1 + n % 365
        published = time.strftime("%Y-%m-%d", time.gmtime(1104537600 + (day - 1) * 86400))
        doc_id = f"bbc-{path.parent.name}-{path.stem}"
        (target / f"{doc_id}.md").write_text(
            _front(doc_id, title.strip(), "BBC News", published, body.strip(), category=path.parent.name),
            encoding="utf-8")
    return len(files)


def bbc_vocabulary() -> list[str]:
    words: Counter[str] = Counter()
    for path in sorted(BBC.glob("*/*.txt")):
        words.update(re.findall(r"[A-Za-z]+", path.read_bytes().decode("utf-8", "replace")))
    return [w for w, _c in words.most_common()]


def write_zipf(target: Path, count: int, words_per_doc: int, seed: int = 9) -> int:
    """Documents of real words with Zipf-like frequencies (rank^-1.07), paragraphs, some comments."""
    rng = random.Random(seed)
    vocab = bbc_vocabulary()
    weights = [1.0 / (rank + 1) ** 1.07 for rank in range(len(vocab))]
    cum: list[float] = []
    total = 0.0
    for w in weights:
        total += w
        cum.append(total)
    for n in range(count):
        words = rng.choices(vocab, cum_weights=cum, k=words_per_doc)
        paragraphs = []
        for start in range(0, words_per_doc, 75):
            chunk = words[start:start + 75]
            sentences = [" ".join(chunk[i:i + 15]).capitalize() + "." for i in range(0, len(chunk), 15)]
            paragraphs.append(" ".join(sentences))
        body = "\n\n".join(paragraphs)
        if n % 10 == 0:
            comment = " ".join(rng.choices(vocab, cum_weights=cum, k=60))
            body += f"\n\n## Comments\n\n### reader{n} · 2022-02-01 10:00 UTC · #{n}\n\n{comment.capitalize()}."
        title = " ".join(rng.choices(vocab[:3000], k=6)).title()
        published = time.strftime("%Y-%m-%d", time.gmtime(1640995200 + (n % 365) * 86400))
        doc_id = f"gen-{n:05d}"
        (target / f"{doc_id}.md").write_text(_front(doc_id, title, OUTLETS[n % len(OUTLETS)], published, body),
                                             encoding="utf-8")
    return count


_CHILD = r"""
import json, resource, sys, time
from pathlib import Path
from reader.core.corpus import Corpus
from reader.core.search.whoosh_engine import WhooshEngine
corpus_dir, index_dir, procs = sys.argv[1], Path(sys.argv[2]), int(sys.argv[3])
if sys.argv[4] == "core":  # only the core fields: leave registered extractors (entities) out
    import reader.core.search.fields as registry
    registry._discovered = True
    registry._REGISTRY.clear()
t0 = time.perf_counter()
corpus = Corpus(Path(corpus_dir)).scan()
scan = time.perf_counter() - t0
words = 0
engine = WhooshEngine(index_dir, corpus, procs=procs)
t0 = time.perf_counter()
report = engine.build(corpus)
build = time.perf_counter() - t0
for meta in corpus.metas():
    words += sum(w for _n, w in corpus.document(meta.id).section_words())
size = sum(p.stat().st_size for p in index_dir.iterdir() if p.is_file())
print(json.dumps({"scan": scan, "build": build, "docs": report.documents, "words": words, "size": size,
                  "rss_self": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
                  "rss_children": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss,
                  "segments": engine.segment_count()}))
"""


def child_build(corpus_dir: Path, index_dir: Path, procs: int, fields: str = "core") -> dict[str, float]:
    env = dict(os.environ, PARALLAX_CACHE_DIR=str(index_dir.parent / "cache"),
               PARALLAX_DATA_DIR=str(index_dir.parent / "data"), PARALLAX_CONFIG_DIR=str(index_dir.parent / "cfg"))
    proc = subprocess.run([sys.executable, "-c", _CHILD, str(corpus_dir), str(index_dir), str(procs), fields],
                          cwd=ROOT, env=env, capture_output=True, text=True, check=True)
    return json.loads(proc.stdout.strip().splitlines()[-1])


def make_queries(engine: object, corpus: object, rng: random.Random) -> dict[str, list[str]]:
    """Term, phrase, field, fuzzy and date queries drawn from the corpus itself."""
    docs = [corpus.document(m.id) for m in rng.sample(corpus.metas(), 60)]  # type: ignore[attr-defined]
    words: list[str] = []
    bigrams: list[str] = []
    for doc in docs:
        tokens = [t for t in re.findall(r"[A-Za-z]{4,}", doc.text)]
        words.extend(tokens)
        bigrams.extend(f"{a} {b}" for a, b in itertools.pairwise(tokens))
    words = [w for w in words if w.lower() not in {"that", "with", "this", "from", "have"}]
    outlets = sorted({m.outlet for m in corpus.metas()})  # type: ignore[attr-defined]
    dates = sorted({m.published for m in corpus.metas() if m.published})  # type: ignore[attr-defined]

    def typo(word: str) -> str:
        i = rng.randrange(1, len(word) - 1)
        return word[:i] + word[i + 1:]

    n = QUERIES_PER_KIND
    kinds: dict[str, list[str]] = {
        "term": [" ".join(rng.sample(words, rng.choice((1, 1, 2)))) for _ in range(n)],
        "phrase": [f'"{rng.choice(bigrams)}"' for _ in range(n)],
        "field": [f'outlet:"{rng.choice(outlets)}" {rng.choice(words)}' if i % 2 else
                  f"title:{rng.choice(words)}" for i in range(n)],
        "fuzzy": [f"{typo(rng.choice([w for w in words if len(w) > 5]))}~" for _ in range(n)],
        "date": [],
    }
    for _ in range(n):
        a, b = sorted(rng.sample(dates, 2))
        kinds["date"].append(f"published:[{a} TO {b}] {rng.choice(words)}")
    return kinds


def measure_corpus(label: str, corpus_dir: Path, work: Path, *, big: bool,
                   procs_list: tuple[int, ...] = (1, 2)) -> list[Row]:
    from reader.core.corpus import Corpus
    from reader.core.search.whoosh_engine import WhooshEngine

    rows: list[Row] = []
    builds = {}
    for procs in procs_list:
        builds[procs] = child_build(corpus_dir, work / f"index-{procs}" / "index", procs)
    best = min(builds, key=lambda p: builds[p]["build"])
    stats = builds[best]
    wps = stats["words"] / stats["build"]
    dps = stats["docs"] / stats["build"]
    for procs, built in sorted(builds.items()):
        rows.append(Row(f"{label}: full build, {procs} process{'es' if procs > 1 else ''}", built["build"], "s", "",
                        None, f"{built['words'] / built['build']:,.0f} words/s, {built['segments']} segment(s)"))
    rows.append(Row(f"{label}: build words/s (best)", wps, "w/s", ">= 250000" if big else "",
                    (wps >= 250_000) if big else None, f"{stats['words']:,} words, {stats['docs']} docs"))
    rows.append(Row(f"{label}: build documents/s (best)", dps, "doc/s", ">= 420" if big else "",
                    (dps >= 420) if big else None))
    peak_mb = max(stats["rss_self"], stats["rss_children"]) / 1024
    rows.append(Row(f"{label}: peak memory (largest process)", peak_mb, "MB", "<= 400" if big else "",
                    (peak_mb <= 400) if big else None,
                    f"main {stats['rss_self'] / 1024:.0f} MB, worker {stats['rss_children'] / 1024:.0f} MB"))
    rows.append(Row(f"{label}: index size", stats["size"] / 1e6, "MB", "", None,
                    f"corpus scan {stats['scan']:.1f} s (not part of the build)"))

    index_dir = work / f"index-{best}" / "index"
    corpus = Corpus(corpus_dir).scan()
    engine = WhooshEngine(index_dir, corpus, procs=best)
    assert engine.update(corpus).unchanged == len(corpus)
    victim = corpus.metas()[len(corpus) // 2]
    victim.path.write_text(victim.path.read_text(encoding="utf-8") + "\nOne more zanzibarian line.\n",
                           encoding="utf-8")
    t0 = time.perf_counter()
    corpus.scan()
    rescan = time.perf_counter() - t0
    t0 = time.perf_counter()
    report = engine.update(corpus)
    update = time.perf_counter() - t0
    assert report.updated == 1 and engine.search("zanzibarian").total == 1
    rows.append(Row(f"{label}: incremental update, one file changed", update, "s", "<= 0.5" if big else "",
                    (update <= 0.5) if big else None, f"plus corpus rescan {rescan:.2f} s"))
    t0 = time.perf_counter()
    engine.merge()
    rows.append(Row(f"{label}: background merge after the update", time.perf_counter() - t0, "s"))

    rng = random.Random(7)
    kinds = make_queries(engine, corpus, rng)
    for q in [q for qs in kinds.values() for q in qs][:20]:  # warm caches (lexicon, columns)
        engine.search(q, limit=10, snippets=0)
    all_times: list[float] = []
    targets = {"term": 0.030, "phrase": 0.060}
    snippet_times: list[float] = []
    for kind, queries in kinds.items():
        times = []
        for q in queries:
            t0 = time.perf_counter()
            engine.search(q, limit=10, snippets=0)
            times.append(time.perf_counter() - t0)
        all_times.extend(times)
        p50, p95 = median(times) * 1000, percentile(times, 95) * 1000
        target = targets.get(kind)
        rows.append(Row(f"{label}: {kind} query p50 / p95 ({len(queries)} queries)", p95, "ms",
                        f"p95 <= {target * 1000:.0f} ms" if (big and target) else "",
                        (p95 <= target * 1000) if (big and target) else None, f"p50 {p50:.1f} ms"))
        for q in queries[:10]:
            t0 = time.perf_counter()
            engine.search(q, limit=10, snippets=0)
            bare = time.perf_counter() - t0
            t0 = time.perf_counter()
            engine.search(q, limit=10, snippets=3)
            snippet_times.append(max(0.0, time.perf_counter() - t0 - bare))
    rows.append(Row(f"{label}: all {len(all_times)} queries p50 / p95", percentile(all_times, 95) * 1000, "ms", "",
                    None, f"p50 {median(all_times) * 1000:.1f} ms"))
    rows.append(Row(f"{label}: snippets for the top 10 (median)", median(snippet_times) * 1000, "ms", "", None,
                    f"p95 {percentile(snippet_times, 95) * 1000:.1f} ms"))
    engine.close()
    return rows


def _core_fields_only() -> dict[str, object]:
    """Measure the core schema: registered extractors (entities...) are timed in one row of their own."""
    import reader.core.search.fields as registry

    registry.discover_providers()
    saved = dict(registry._REGISTRY)
    registry._REGISTRY.clear()
    return saved


def run() -> list[Row]:
    import reader.core.search.fields as registry

    saved = _core_fields_only()
    try:
        return _run(saved)
    finally:
        registry._REGISTRY.update(saved)  # type: ignore[arg-type]


def _run(registered: dict[str, object]) -> list[Row]:
    rows: list[Row] = []
    with tempfile.TemporaryDirectory(prefix="parallax-bench-search-") as tmp:
        work = Path(tmp)
        if BBC.is_dir():
            bbc_dir = work / "bbc"
            bbc_dir.mkdir()
            write_bbc(bbc_dir)
            rows.extend(measure_corpus("BBC 2,225", bbc_dir, work / "bbc-work", big=False))
            if registered:
                built = child_build(bbc_dir, work / "bbc-registered" / "index", 2, fields="all")
                rows.append(Row("BBC 2,225: full build with registered fields, 2 processes", built["build"], "s",
                                note=f"fields: {', '.join(sorted(registered))}; "
                                     f"{built['words'] / built['build']:,.0f} words/s"))
            zipf_dir = work / "zipf"
            zipf_dir.mkdir()
            t0 = time.perf_counter()
            write_zipf(zipf_dir, ZIPF_DOCS, ZIPF_WORDS)
            label = f"Zipf {ZIPF_DOCS:,}"
            rows.append(Row(f"{label}: corpus generated (temp folder)", time.perf_counter() - t0, "s"))
            rows.extend(measure_corpus(label, zipf_dir, work / "zipf-work", big=ZIPF_DOCS >= 20000,
                                       procs_list=ZIPF_PROCS))
        else:
            rows.append(Row("search benchmark skipped: ../shared/testdata/bbc-news is absent", 0, "", note=str(BBC)))
    return rows
