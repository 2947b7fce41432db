"""Search: index build (against Recoll), incremental update, query latency, snippets, the window.

Two corpora: the 2,225 real BBC News articles (``../shared/testdata/bbc-news``, converted to
corpus files in a temp folder) and a generated corpus of 20,000 documents of about 600 words
drawn with Zipf-like frequencies from the BBC vocabulary (also in a temp folder, never the
repo). Builds run in a child process so its peak memory (and its workers') is measured alone;
where ``recollindex`` is installed the same text, as plain files, is indexed by Recoll in the
same run and the ratio printed. Query latency is measured per kind for the search the window
makes (100 hits, snippets for the first page of 20, facets, suggestion) and for the CLI's
``--limit 20`` (snippets for all 20); "next page" is the window asking for 20 more snippets.
The window row starts the real main window offscreen in a child process on the big corpus,
indexes it with a 10 ms timer recording the event loop's lateness, searches, opens a
three-pane compare, and reports the largest stall and the process's peak memory.
Timings on the shared 2-core machine are noisy; CPU seconds are printed beside wall time.
"""

from __future__ import annotations

import itertools
import json
import logging
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from bench.common import ROOT, SHARED, Row, median, percentile
from bench.search_window import measure_window

log = logging.getLogger(__name__)

BBC = SHARED / "testdata" / "bbc-news"
OUTLETS = ("Daily Ledger", "Evening Courier", "Northern Post", "The Observer Weekly", "Metro Wire",
           "Harbour Times", "Capital Review", "Frontier Daily")
ZIPF_DOCS = int(os.environ.get("BENCH_SEARCH_DOCS", "20000"))
ZIPF_WORDS = 600
QUERIES_PER_KIND = 50
#: Worker processes for the builds.
PROCS = int(os.environ.get("BENCH_SEARCH_PROCS", "2"))
#: Hits the window asks for, and the page of them it cuts snippets for at once.
WINDOW_LIMIT, PAGE = 100, 20
TARGETS_MS = {"term": 30, "field": 30, "date": 30, "boolean": 30, "phrase": 60, "proximity": 60, "fuzzy": 60}


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
engine = WhooshEngine(index_dir, corpus, procs=procs)
cpu0 = time.process_time()
t0 = time.perf_counter()
report = engine.build(corpus)
build = time.perf_counter() - t0
cpu_self = time.process_time() - cpu0
children = resource.getrusage(resource.RUSAGE_CHILDREN)
words = sum(sum(w for _n, w in corpus.document(m.id).section_words()) for m in corpus.metas())
size = sum(p.stat().st_size for p in index_dir.iterdir() if p.is_file())
print(json.dumps({"scan": scan, "build": build, "docs": report.documents, "words": words, "size": size,
                  "cpu": cpu_self + children.ru_utime + children.ru_stime,
                  "rss_self": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
                  "rss_children": children.ru_maxrss, "segments": engine.segment_count()}))
"""


def child_build(corpus_dir: Path, index_dir: Path, procs: int, fields: str = "all",
                cache: Path | None = None) -> dict[str, float]:
    env = dict(os.environ, PARALLAX_CACHE_DIR=str(cache or index_dir.parent / "cache"),
               PARALLAX_DATA_DIR=str(index_dir.parent / "data"), PARALLAX_CONFIG_DIR=str(index_dir.parent / "cfg"))
    proc = subprocess.run([sys.executable, "-c", _CHILD, str(corpus_dir), str(index_dir), str(procs), fields],
                          cwd=ROOT, env=env, capture_output=True, text=True, check=True)
    return json.loads(proc.stdout.strip().splitlines()[-1])


# -- Recoll ---------------------------------------------------------------------------------------
def recoll_build(corpus_dir: Path, work: Path) -> dict[str, float] | None:
    """Index the same text as plain files with ``recollindex``; None where Recoll is absent."""
    if shutil.which("recollindex") is None:
        return None
    from reader.core.corpus import Corpus

    text_dir, conf = work / "recoll-text", work / "recoll-conf"
    text_dir.mkdir(parents=True)
    conf.mkdir()
    corpus = Corpus(corpus_dir).scan()
    for meta in corpus.metas():
        doc = corpus.document(meta.id)
        (text_dir / f"{meta.id}.txt").write_text(f"{meta.title}\n\n{doc.text}\n", encoding="utf-8")
    (conf / "recoll.conf").write_text(f"topdirs = {text_dir}\nnoaspell = 1\nloglevel = 1\nidxniceprio = 0\n"
                                      "indexStemmingLanguages = english\n", encoding="utf-8")
    t0 = time.perf_counter()
    proc = subprocess.run(["recollindex", "-c", str(conf), "-z"], capture_output=True, text=True)
    seconds = time.perf_counter() - t0
    if proc.returncode != 0:
        return None
    return {"build": seconds}


# -- queries --------------------------------------------------------------------------------------
def make_queries(engine: object, corpus: object, rng: random.Random) -> dict[str, list[str]]:
    """Queries of every kind the issue names, drawn from the corpus itself."""
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
        "proximity": [f'"{rng.choice(bigrams)}"~3' for _ in range(n)],
        "field": [f'outlet:"{rng.choice(outlets)}" {rng.choice(words)}' if i % 2 else
                  f"title:{rng.choice(words)}" for i in range(n)],
        "fuzzy": [f"{typo(rng.choice([w for w in words if len(w) > 5]))}~" for _ in range(n)],
        "boolean": [f"{rng.choice(words)} OR {rng.choice(words)}" if i % 2 else
                    f"{rng.choice(words)} -{rng.choice(words)}" for i in range(n)],
        "date": [],
    }
    for _ in range(n):
        a, b = sorted(rng.sample(dates, 2))
        kinds["date"].append(f"published:[{a} TO {b}] {rng.choice(words)}")
    return kinds


def _ms(values: list[float]) -> tuple[float, float]:
    return median(values) * 1000, percentile(values, 95) * 1000


def measure_corpus(label: str, corpus_dir: Path, work: Path, *, big: bool) -> list[Row]:
    from reader.core.corpus import Corpus
    from reader.core.paths import AppPaths
    from reader.core.search.whoosh_engine import WhooshEngine

    rows: list[Row] = []
    recoll = recoll_build(corpus_dir, work / "recoll")
    cache = work / "index" / "cache"
    # Where the CLI looks for this corpus's index, so the CLI row reuses the benchmark's build.
    index_dir = AppPaths.resolve(cache_dir=cache).corpus_cache_dir(corpus_dir) / "index"
    stats = child_build(corpus_dir, index_dir, PROCS, cache=cache)
    wps = stats["words"] / stats["build"]
    rows.append(Row(f"{label}: full build, {PROCS} processes", stats["build"], "s", "", None,
                    f"{stats['docs']} docs, {stats['words']:,} words, CPU {stats['cpu']:.0f} s, "
                    f"{stats['segments']} segment(s)"))
    rows.append(Row(f"{label}: build words/s", wps, "w/s", ">= 250000" if big else "",
                    (wps >= 250_000) if big else None, f"CPU-bound rate {stats['words'] / stats['cpu']:,.0f} w/CPU-s"))
    if recoll is not None:
        ratio = stats["build"] / recoll["build"]
        rows.append(Row(f"{label}: recollindex, same text as plain files", recoll["build"], "s", "", None,
                        "built in this run, just before ours"))
        rows.append(Row(f"{label}: build time / Recoll's", ratio, "x", "<= 1.0" if big else "",
                        (ratio <= 1.0) if big else None))
    else:
        rows.append(Row(f"{label}: Recoll comparison skipped", 0, "", note="recollindex not installed "
                        "(apt-get install recollcmd)"))
    peak_mb = max(stats["rss_self"], stats["rss_children"]) / 1024
    rows.append(Row(f"{label}: build peak memory (largest process)", peak_mb, "MB", "<= 400" if big else "",
                    (peak_mb <= 400) if big else None,
                    f"main {stats['rss_self'] / 1024:.0f} MB, worker {stats['rss_children'] / 1024:.0f} MB"))
    rows.append(Row(f"{label}: index size", stats["size"] / 1e6, "MB", "", None,
                    f"corpus scan {stats['scan']:.1f} s (not part of the build)"))

    os.environ["PARALLAX_CACHE_DIR"] = str(cache)  # the entity span cache of this process: temp, not home
    os.environ["PARALLAX_DATA_DIR"] = str(work / "index" / "data")
    corpus = Corpus(corpus_dir).scan()
    engine = WhooshEngine(index_dir, corpus, procs=PROCS)
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
    rows.append(Row(f"{label}: update, one file changed", update, "s", "<= 0.5" if big else "",
                    (update <= 0.5) if big else None, f"plus corpus rescan {rescan:.2f} s"))
    t0 = time.perf_counter()
    engine.merge()
    rows.append(Row(f"{label}: background merge after the update", time.perf_counter() - t0, "s"))

    kinds = make_queries(engine, corpus, random.Random(7))
    # What the window does once the index is ready (gui/search/feature.py, in a job): facet sets,
    # vocabulary, columns, the most frequent words' postings. Timed apart, not in the queries.
    t0 = time.perf_counter()
    engine.warm()
    rows.append(Row(f"{label}: warm() after indexing (the window runs it in a job)", time.perf_counter() - t0, "s"))
    for q in [q for qs in kinds.values() for q in qs][:20]:  # warm caches (vocabulary, facet sets)
        engine.search(q, limit=10, snippets=0)
    next_page: list[float] = []
    everything: list[float] = []
    for kind, queries in kinds.items():
        window: list[float] = []
        cli: list[float] = []
        for q in queries:
            t0 = time.perf_counter()
            res = engine.search(q, limit=WINDOW_LIMIT, snippets=0)
            engine.snippets(q, res.hits[:PAGE])
            window.append(time.perf_counter() - t0)
            if len(res.hits) > PAGE:
                t0 = time.perf_counter()
                engine.snippets(q, res.hits[PAGE:2 * PAGE])
                next_page.append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            engine.search(q, limit=20, snippets=3)
            cli.append(time.perf_counter() - t0)
        everything.extend(window)
        (w50, w95), (c50, c95) = _ms(window), _ms(cli)
        target = TARGETS_MS[kind]
        rows.append(Row(f"{label}: window search p95, {kind} ({len(queries)} queries)", w95, "ms",
                        f"p95 <= {target} ms" if big else "", (w95 <= target) if big else None,
                        f"p50 {w50:.1f} ms; CLI --limit 20: p50 {c50:.1f} / p95 {c95:.1f} ms"))
    n50, n95 = _ms(next_page) if next_page else (0.0, 0.0)
    rows.append(Row(f"{label}: next page of snippets p95 ({len(next_page)} pages of {PAGE})", n95, "ms",
                    "p95 <= 20 ms" if big else "", (n95 <= 20) if big else None, f"p50 {n50:.1f} ms"))
    a50, a95 = _ms(everything)
    rows.append(Row(f"{label}: all {len(everything)} window searches p50 / p95", a95, "ms", "", None,
                    f"p50 {a50:.1f} ms"))
    engine.close()
    rows.append(cli_row(label, corpus_dir, work))
    return rows


def cli_row(label: str, corpus_dir: Path, work: Path) -> Row:
    """One real ``parallax search --limit 20`` process: start-up and freshness check included."""
    env = dict(os.environ, PARALLAX_CACHE_DIR=str(work / "index" / "cache"))
    cmd = [sys.executable, "-m", "reader", "--corpus", str(corpus_dir), "search", "government", "--limit", "20",
           "--json"]
    t0 = time.perf_counter()
    subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, check=True)
    return Row(f"{label}: CLI process, search --limit 20 --json", time.perf_counter() - t0, "s", "", None,
               "whole process: Python start-up, corpus scan, index freshness check, search")


def run() -> list[Row]:
    rows: list[Row] = []
    if not BBC.is_dir():
        return [Row("search benchmark skipped: ../shared/testdata/bbc-news is absent", 0, "", note=str(BBC))]
    with tempfile.TemporaryDirectory(prefix="parallax-bench-search-") as tmp:
        work = Path(tmp)
        bbc_dir = work / "bbc"
        bbc_dir.mkdir()
        write_bbc(bbc_dir)
        rows.extend(measure_corpus("BBC 2,225", bbc_dir, work / "bbc-work", big=False))
        zipf_dir = work / "zipf"
        zipf_dir.mkdir()
        t0 = time.perf_counter()
        write_zipf(zipf_dir, ZIPF_DOCS, ZIPF_WORDS)
        label = f"Zipf {ZIPF_DOCS:,}"
        big = ZIPF_DOCS >= 20000
        rows.append(Row(f"{label}: corpus generated (temp folder)", time.perf_counter() - t0, "s"))
        rows.extend(measure_corpus(label, zipf_dir, work / "zipf-work", big=big))
        if os.environ.get("BENCH_SEARCH_WINDOW", "1") != "0":
            rows.extend(measure_window(label, zipf_dir, work / "zipf-window", big=big))
    return rows
