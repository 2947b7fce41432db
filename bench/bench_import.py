"""HTML import quality and speed on the saved pages of ../shared/testdata/readability-pages/.

Quality: word-level F1 between the article text the importer extracts and the text of each
page's ``expected.html`` (bag of words, case-folded; CJK counted per character), over the
news pages; share of titles and bylines that match ``expected-metadata.json``.
Speed: end-to-end ``import_paths`` of the news pages into an empty corpus (read, sniff,
decode, extract, render, verify, write), pages per second.

PDF: the same news pages printed to PDF by headless Chromium (made here, cached in the temp
folder; offline: every host name resolves to nothing), imported, and compared with
``expected.html`` the same way; PDF pages per second end to end. A page whose printed PDF
does not hold the article at all (the browser printed it blank or garbled without the page's
scripts, styles and fonts: under half of the expected words anywhere in the PDF) measures
the browser, not the importer, and is listed apart. Round trips: a Word file (python-docx),
an EPUB (EbookLib) and an e-mail (email) written from known paragraphs come back word for word.
"""

from __future__ import annotations

import logging
import re
import shutil
import statistics
import tempfile
import time
from collections import Counter
from pathlib import Path

from bench.common import SHARED, Row, percentile

log = logging.getLogger(__name__)

PAGES = SHARED / "testdata" / "readability-pages"

#: The news sites among the readability test pages (the others are blogs, docs, synthetic edge cases).
NEWS = (
    "aktualne", "ars-1", "bbc-1", "breitbart", "buzzfeed-1", "citylab-1", "cnet", "cnn", "engadget", "folha",
    "gmw", "guardian-1", "heise", "herald-sun-1", "la-nacion", "lemonde-1", "liberation-1", "lwn-1",
    "medicalnewstoday", "msn", "nytimes-1", "nytimes-2", "nytimes-3", "nytimes-4", "nytimes-5", "qq",
    "quanta-1", "salon-1", "seattletimes-1", "telegraph", "theverge", "tmz-1", "wapo-1", "wapo-2",
    "webmd-1", "webmd-2", "yahoo-1", "yahoo-2", "yahoo-3", "yahoo-4",
)

_CJK = "\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af"
_TOKEN = re.compile(rf"[{_CJK}]|[^\W{_CJK}]+")


def tokens(text: str) -> Counter[str]:
    return Counter(t.casefold() for t in _TOKEN.findall(text))


def word_f1(got: str, want: str) -> float:
    a, b = tokens(got), tokens(want)
    common = sum((a & b).values())
    if not common:
        return 0.0
    precision, recall = common / sum(a.values()), common / sum(b.values())
    return 2 * precision * recall / (precision + recall)


def expected_text(folder: Path) -> str:
    import lxml.html

    return lxml.html.fromstring((folder / "expected.html").read_text(encoding="utf-8")).text_content()


def _norm(text: str | None) -> str:
    text = re.sub(r"^\s*by\s+", "", text or "", flags=re.IGNORECASE)
    return " ".join(re.sub(r"[^\w\s]", " ", text).casefold().split())


def title_matches(got: str, want: str) -> bool:
    """Equal, or equal but for a site name one of them appends (``Title - Breitbart``)."""
    g, w = _norm(got), _norm(want)
    short, long_ = sorted((g, w), key=len)
    return bool(short) and (g == w or (long_.startswith(short) and len(short) >= 0.6 * len(long_)))


def byline_matches(got: str, want: str) -> bool:
    g, w = _norm(got), _norm(want)
    return bool(g and w) and (g == w or g in w or w in g)


def quality() -> tuple[list[tuple[float, str]], int, int, int, int]:
    import json

    from reader.core.importer.decode import decode_bytes
    from reader.core.importer.html import read_html
    from reader.core.importer.model import Skip

    scores: list[tuple[float, str]] = []
    titles = title_ok = bylines = byline_ok = 0
    for name in NEWS:
        folder = PAGES / name
        meta = json.loads((folder / "expected-metadata.json").read_text(encoding="utf-8"))
        try:
            text, _ = decode_bytes((folder / "source.html").read_bytes(), html=True)
            ex = read_html(text)
        except Skip:
            scores.append((0.0, name))
            continue
        scores.append((word_f1(ex.text, expected_text(folder)), name))
        if meta.get("title"):
            titles += 1
            title_ok += title_matches(ex.title, meta["title"])
        if meta.get("byline"):
            bylines += 1
            byline_ok += byline_matches(ex.author, meta["byline"])
    return scores, titles, title_ok, bylines, byline_ok


def throughput(repeat: int = 3) -> tuple[list[float], list[float]]:
    """Wall-clock and CPU-time rates (the CPU rate is what a busy machine cannot lower much)."""
    from reader.core.importer import import_paths

    rates, cpu_rates = [], []
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "src"
        src.mkdir()
        for name in NEWS:
            shutil.copy(PAGES / name / "source.html", src / f"{name}.html")
        for n in range(repeat):
            corpus = Path(tmp) / f"corpus{n}"
            corpus.mkdir()
            start, cpu = time.perf_counter(), time.process_time()
            report = import_paths(corpus, [src])
            elapsed = time.perf_counter() - start
            rates.append(len(report.imported) / elapsed)
            cpu_rates.append(len(report.imported) / max(time.process_time() - cpu, 1e-9))
    return rates, cpu_rates


CHROMIUM_FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run",
                  "--host-resolver-rules=MAP * ~NOTFOUND")


def _chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")


def print_pdfs(names: tuple[str, ...] = NEWS) -> tuple[dict[str, Path], str]:
    """Each page printed to PDF by headless Chromium (cached by the page's hash); ``(pdfs, note)``."""
    import hashlib
    import subprocess

    browser = _chromium()
    if browser is None:
        return {}, "no chromium (apt-get install -y chromium)"
    cache = Path(tempfile.gettempdir()) / "parallax-bench-pdfs"
    cache.mkdir(exist_ok=True)
    out: dict[str, Path] = {}
    for name in names:
        source = PAGES / name / "source.html"
        digest = hashlib.sha256(source.read_bytes()).hexdigest()[:16]
        pdf = cache / f"{name}-{digest}.pdf"
        if not pdf.exists():
            with tempfile.TemporaryDirectory() as profile:
                try:
                    subprocess.run([browser, *CHROMIUM_FLAGS, f"--user-data-dir={profile}",
                                    f"--print-to-pdf={pdf}", source.resolve().as_uri()],
                                   capture_output=True, timeout=90, check=False)
                except subprocess.TimeoutExpired:
                    continue
        if pdf.exists() and pdf.stat().st_size:
            out[name] = pdf
    return out, f"{len(out)} of {len(names)} pages printed by {Path(browser).name}"


def recall(got: str, want: str) -> float:
    a, b = tokens(got), tokens(want)
    return sum((a & b).values()) / max(sum(b.values()), 1)


def pdf_rows() -> list[Row]:
    from reader.core.importer import import_paths
    from reader.core.importer.model import Skip
    from reader.core.importer.pdf import read_pages, read_pdf
    from reader.core.importer.pdf_layout import paragraphs

    pdfs, note = print_pdfs()
    if not pdfs:
        return [Row("import PDF: browser-printed news pages", 0, "", note=f"skipped: {note}")]
    scores: list[tuple[float, str]] = []
    unprinted: list[str] = []
    n_pages = 0
    for name, pdf in sorted(pdfs.items()):
        data = pdf.read_bytes()
        want = expected_text(PAGES / name)
        try:
            pages, _, _ = read_pages(data)
        except Skip:
            pages = []
        n_pages += len(pages)
        if recall("\n".join(p.text for p in paragraphs(pages)), want) < 0.5:
            unprinted.append(name)
            continue
        try:
            scores.append((word_f1(read_pdf(data).text, want), name))
        except Skip:
            scores.append((0.0, name))
    values = [v for v, _ in scores]
    med, p10 = statistics.median(values), percentile(values, 10)
    worst = ", ".join(f"{n} {v:.2f}" for v, n in sorted(scores)[:4])
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "pdfs"
        src.mkdir()
        for name, pdf in pdfs.items():
            shutil.copy(pdf, src / f"{name}.pdf")
        corpus = Path(tmp) / "corpus"
        corpus.mkdir()
        start, cpu = time.perf_counter(), time.process_time()
        import_paths(corpus, [src])
        elapsed, cpu_s = time.perf_counter() - start, time.process_time() - cpu
    rate = n_pages / elapsed
    apart = f"; printed without the article, left out: {', '.join(unprinted)}" if unprinted else ""
    return [
        Row(f"import PDF: article word F1, median over {len(values)} printed news pages", med, "F1", ">= 0.90",
            med >= 0.90, note + apart),
        Row("import PDF: article word F1, 10th percentile", p10, "F1", ">= 0.75", p10 >= 0.75, f"worst: {worst}"),
        Row(f"import PDF: throughput, {len(pdfs)} PDFs / {n_pages} pages end to end", rate, "pages/s", ">= 5",
            rate >= 5, f"{n_pages / max(cpu_s, 1e-9):.1f} pages per CPU-second"),
    ]


def round_trip_rows() -> list[Row]:
    """Word, EPUB and e-mail files written from known paragraphs by other libraries, read back."""
    from reader.core.importer.batch import read_source
    from tests.import_files import ARTICLE, email_message, epub_file, word_file

    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        makers = {
            "docx (python-docx)": lambda: word_file(Path(tmp) / "a.docx", "Known text", [("Part", ARTICLE)]),
            "epub (EbookLib)": lambda: epub_file(Path(tmp) / "a.epub", "Known text", [("Part", ARTICLE)]),
            "e-mail (email)": lambda: _write(Path(tmp) / "a.eml", email_message("Known text", "\n\n".join(ARTICLE))),
        }
        for label, make in makers.items():
            try:
                path = make()
            except ImportError as exc:
                rows.append(Row(f"import round trip {label}", 0, "", note=f"skipped: {exc.name} not installed"))
                continue
            [(ex, _, _)] = read_source(path, path.read_bytes())
            got = [p for p in ex.text.split("\n\n") if p != "Part"]
            same = sum(a == b for a, b in zip(got, ARTICLE, strict=False)) / len(ARTICLE)
            exact = got == ARTICLE and ex.title == "Known text"
            rows.append(Row(f"import round trip {label}: paragraphs back word for word", same, "share", "= 1",
                            exact))
    return rows


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def run() -> list[Row]:
    if not PAGES.is_dir():
        return [Row("import: readability pages not found (../shared/testdata)", 0, "", note="skipped"),
                *round_trip_rows()]
    scores, titles, title_ok, bylines, byline_ok = quality()
    values = [s for s, _ in scores]
    med, p10 = statistics.median(values), percentile(values, 10)
    worst = ", ".join(f"{n} {s:.2f}" for s, n in sorted(scores)[:4])
    rates, cpu_rates = throughput()
    rate = statistics.median(rates)
    import os

    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    return [
        Row(f"import: article word F1, median over {len(values)} news pages", med, "F1", ">= 0.90", med >= 0.90),
        Row("import: article word F1, 10th percentile", p10, "F1", note=f"worst: {worst}"),
        Row("import: titles matching expected-metadata.json", title_ok / max(titles, 1), "share",
            note=f"{title_ok} of {titles} (a site name appended to either side is tolerated)"),
        Row("import: bylines matching expected-metadata.json", byline_ok / max(bylines, 1), "share",
            note=f"{byline_ok} of {bylines} pages that have one"),
        Row(f"import: throughput, {len(NEWS)} news pages end to end (median of {len(rates)})", rate, "pages/s",
            ">= 20", rate >= 20, f"runs: {', '.join(f'{r:.1f}' for r in rates)}; "
            f"{statistics.median(cpu_rates):.1f} pages per CPU-second; load average {load:.1f}"),
        *pdf_rows(),
        *round_trip_rows(),
    ]
