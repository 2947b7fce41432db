"""Search in the window: GUI-thread stalls while 20,000 documents index, results arrive, compare opens.

Moved out of ``bench_search`` (which calls :func:`measure_window`). The real main window starts
offscreen in a child process on the big corpus, with a 10 ms timer recording the event loop's
lateness; it indexes the corpus from scratch, runs the typed searches, scrolls the results and
opens a three-pane compare. Each phase reports its longest stall against the 50 ms target.

Where a stall comes from is recorded too: a watchdog thread in the child samples the GUI
thread's Python stack (``sys._current_frames()``) whenever the timer is more than 50 ms late,
and the stack of each phase's worst stall (plus what the other threads were doing) goes to
``stalls.txt`` beside the child's folders; the row's note names the innermost frame. A stall in
C++ (Qt layout, a blocking call) shows as the Python frame that called into it.

Standalone: ``python -m bench.search_window [CORPUS_DIR]`` (generates the 20,000-document corpus
in a temp folder when none is given, and prints the rows).
"""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from bench.common import ROOT, Row

log = logging.getLogger(__name__)

#: The issue's target for any GUI-thread stall.
STALL_MS = 50

_WINDOW = r"""
import collections, json, os, resource, sys, threading, time, traceback
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
from PySide6.QtCore import QElapsedTimer, QEventLoop, QTimer
from PySide6.QtWidgets import QApplication
from reader.core.context import AppContext
from reader.gui.window.mainwindow import MainWindow
STALL_S = float(sys.argv[3]) / 1000
app = QApplication([])
lateness = []
clock = QElapsedTimer()
clock.start()
last = [clock.elapsed()]
beat = [time.monotonic()]
# The GUI thread's own scheduler figures: nanoseconds on a CPU and waiting in the run queue
# (Linux schedstat). A late tick whose time went to the run queue was the machine's other
# processes holding both cores, not this process's work.
SCHED = f"/proc/self/task/{threading.get_native_id()}/schedstat"
def sched():
    try:
        with open(SCHED, encoding="ascii") as f:
            run, wait, _n = f.read().split()
        return int(run) / 1e6, int(wait) / 1e6
    except (OSError, ValueError):
        return 0.0, 0.0
prev_sched = [sched()]
late_sched = {}  # phase -> (lateness, ms running, ms waiting for a CPU) of its latest tick
def tick():
    now = clock.elapsed()
    late = now - last[0] - 10
    lateness.append(late)
    last[0] = now
    beat[0] = time.monotonic()
    run, wait = sched()
    if late > late_sched.get(phase[0], (0,))[0]:
        late_sched[phase[0]] = (late, run - prev_sched[0][0], wait - prev_sched[0][1])
    prev_sched[0] = (run, wait)
probe = QTimer(interval=10)
probe.timeout.connect(tick)

# -- the watchdog: what the GUI thread is doing while the timer is late ---------------------
gui_ident = threading.get_ident()
phase = ["start"]
worst = {}  # phase -> (lateness s, gui stack, other threads' tops)
samples = collections.defaultdict(collections.Counter)  # phase -> innermost reader frame -> samples
def where(frame):
    stack = traceback.extract_stack(frame)
    mine = [f for f in stack if "/reader/" in f.filename]
    inner = (mine or stack)[-1]
    return stack, f"{Path_name(inner.filename)}:{inner.lineno} {inner.name}"
def Path_name(name):
    return name.split("/reader/", 1)[-1] if "/reader/" in name else name.rsplit("/", 1)[-1]
def watchdog():
    while True:
        time.sleep(0.005)
        late = time.monotonic() - beat[0] - 0.010
        if late <= STALL_S:
            continue
        frames = sys._current_frames()
        gui = frames.get(gui_ident)
        if gui is None:
            continue
        stack, inner = where(gui)
        samples[phase[0]][inner] += 1
        if late > worst.get(phase[0], (0,))[0]:
            others = []
            for ident, frame in frames.items():
                if ident in (gui_ident, threading.get_ident()):
                    continue
                others.append(where(frame)[1])
            worst[phase[0]] = (late, "".join(traceback.format_list(stack[-14:])), others, inner)
threading.Thread(target=watchdog, daemon=True, name="stall-watchdog").start()

window = MainWindow(AppContext.create(corpus=sys.argv[1]), persist=False)
window.resize(1400, 900)
window.show()
probe.start()
window.start([])
window.wait_for_corpus(timeout_ms=600000)
feature = window.features["search"]
rss_at = {}
def rss_now():
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0
def begin(name):
    rss_at[phase[0]] = rss_now()
    phase[0] = name
    lateness.clear()
    last[0] = clock.elapsed()
    beat[0] = time.monotonic()
    prev_sched[0] = sched()
def settle(until, limit_s=60.0):
    # run the event loop (the probe keeps ticking) until ``until()`` holds
    loop = QEventLoop()
    started = time.perf_counter()
    check = QTimer(interval=5)
    check.timeout.connect(lambda: loop.quit() if until() or time.perf_counter() - started > limit_s else None)
    check.start()
    loop.exec()
    check.stop()
begin("index")  # from here on: the window indexing (corpus loading is measured elsewhere)
t0 = time.perf_counter()
# the window opens the index and starts indexing by itself (wait_until_indexed would open it at once)
settle(lambda: feature.job is not None)
feature.wait_until_indexed(timeout_ms=3600000)
indexing = time.perf_counter() - t0
progress_text = feature.progress.text()
during_index = max(lateness or [0])
begin("search")
feature.show_panel()
searches = []
for q in ("government", "minister said", '"prime minister"', "econom*", "tony blair", "goverment~"):
    t0 = time.perf_counter()
    feature.panel.set_query(q)
    # the window searches a big corpus in a thread: until its results are shown
    settle(lambda: not getattr(feature, "searching", False))
    searches.append(time.perf_counter() - t0)
    for _ in range(5):
        app.processEvents()
feature.panel.results.scrollToBottom()
for _ in range(20):
    app.processEvents()
during_search = max(lateness or [0])
begin("compare")
t0 = time.perf_counter()
ids = [m.id for m in window.corpus.metas()[:3]]
# one action at a time, as a person opens them: the event loop runs between the three
settle(lambda: False, 0.2)
window.open_document(ids[0])
settle(lambda: False, 0.2)
window.compare.open_beside(ids[1])
settle(lambda: False, 0.2)
window.compare.open_beside(ids[2], after=window.compare.views()[-1])
for _ in range(20):
    app.processEvents()
# the corpus word weights are built in a background job: wait for the alignment to be applied
loop = QEventLoop()
check = QTimer(interval=50)
check.timeout.connect(lambda: loop.quit() if not getattr(window.compare, "alignment_pending", False)
                      or time.perf_counter() - t0 > 1200 else None)
check.start()
loop.exec()
check.stop()
aligning = time.perf_counter() - t0
aligned = window.compare.alignment_at(0) is not None
during_compare = max(lateness or [0])
begin("done")
with open(sys.argv[2], "w", encoding="utf-8") as out:
    for name, (late, stack, others, _inner) in worst.items():
        out.write(f"== {name}: worst stall {late * 1000:.0f} ms; GUI thread:\n{stack}")
        out.write("   other threads: " + "; ".join(others) + "\n")
        out.write("   samples while late (innermost reader frame): "
                  + ", ".join(f"{k} x{v}" for k, v in samples[name].most_common(8)) + "\n\n")
print(json.dumps({"indexing": indexing, "stall_index": during_index, "stall_search": during_search,
                  "stall_compare": during_compare, "aligning": aligning, "aligned": aligned,
                  "search_max": max(searches), "panes": len(window.compare.views()),
                  "rss": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  "where": {name: w[3] for name, w in worst.items()}, "rss_at": rss_at,
                  "sched": late_sched,
                  "progress": progress_text}), flush=True)
# Measured: leave now. A normal exit can hang in multiprocessing's exit handler (a Queue feeder
# thread blocked writing to worker processes that are gone), which is not what this measures.
sys.stderr.flush()
os._exit(0)
"""


def _stall_row(name: str, value: float, big: bool, note: str, where: str,
               sched: list[float] | None = None) -> Row:
    if value > STALL_MS and where:
        note = f"{note}; worst at {where}"
    if value > STALL_MS and sched:
        note = (f"{note}; in the worst tick the GUI thread ran {sched[1]:.0f} ms and waited "
                f"{sched[2]:.0f} ms for a CPU")
    return Row(name, value, "ms", f"<= {STALL_MS} ms" if big else "", (value <= STALL_MS) if big else None, note)


def measure_window(label: str, corpus_dir: Path, work: Path, *, big: bool) -> list[Row]:
    """The window rows for the corpus at ``corpus_dir`` (indexed from scratch into ``work``)."""
    work.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ, PARALLAX_CACHE_DIR=str(work / "cache"), PARALLAX_DATA_DIR=str(work / "data"),
               PARALLAX_CONFIG_DIR=str(work / "cfg"), QT_QPA_PLATFORM="offscreen")
    stalls = work / "stalls.txt"
    proc = subprocess.run([sys.executable, "-c", _WINDOW, str(corpus_dir), str(stalls), str(STALL_MS)],
                          cwd=ROOT, env=env, capture_output=True, text=True)
    if proc.returncode != 0:
        print(proc.stderr[-6000:], file=sys.stderr)
        tail = (proc.stderr.strip().splitlines() or ["no output"])[-1]
        return [Row(f"{label}: window benchmark failed (exit status {proc.returncode})", 0, "", note=tail[:160])]
    data = json.loads(proc.stdout.strip().splitlines()[-1])
    if stalls.exists() and stalls.stat().st_size:
        log.info("where the window's stalls were:\n%s", stalls.read_text(encoding="utf-8"))
        print(stalls.read_text(encoding="utf-8"), file=sys.stderr)
    where = data.get("where", {})
    sched = data.get("sched", {})
    return [
        _stall_row(f"{label}: window, longest GUI stall while indexing", data["stall_index"], big,
                   f"indexing took {data['indexing']:.0f} s in the window (10 ms QTimer lateness); "
                   f"progress read “{data['progress']}”", where.get("index", ""),
                   sched.get("index")),
        _stall_row(f"{label}: window, longest GUI stall while searching", data["stall_search"], big,
                   f"slowest typed search incl. first page of snippets {data['search_max'] * 1000:.0f} ms",
                   where.get("search", ""), sched.get("search")),
        _stall_row(f"{label}: window, longest GUI stall while a {data['panes']}-pane compare opens and aligns",
                   data["stall_compare"], big,
                   f"alignment {'applied' if data['aligned'] else 'NOT applied'} after {data['aligning']:.1f} s "
                   "(corpus word weights built in the background)", where.get("compare", ""),
                   sched.get("compare")),
        Row(f"{label}: window peak memory (search, {data['panes']}-pane compare)", data["rss"], "MB",
            "<= 400" if big else "", (data["rss"] <= 400) if big else None,
            "the GUI process (children excluded); RSS at the end of each phase: "
            + ", ".join(f"{k} {v:.0f} MB" for k, v in data.get("rss_at", {}).items())),
    ]


def main(argv: list[str]) -> int:
    """Print the window rows for ``argv[0]`` (or a freshly generated 20,000-document corpus)."""
    from bench.bench_search import ZIPF_DOCS, ZIPF_WORDS, write_zipf

    with tempfile.TemporaryDirectory(prefix="parallax-bench-window-") as tmp:
        work = Path(tmp)
        if argv:
            corpus_dir = Path(argv[0])
        else:
            corpus_dir = work / "zipf"
            corpus_dir.mkdir()
            write_zipf(corpus_dir, ZIPF_DOCS, ZIPF_WORDS)
        docs = sum(1 for _ in corpus_dir.glob("*.md"))
        rows = measure_window(f"{docs:,} docs", corpus_dir, work / "window", big=docs >= 20000)
    subprocess.run(["uptime"], check=False)
    for r in rows:
        met = "" if r.ok is None else ("met" if r.ok else "NOT met")
        print(f"{r.name:<80}  {r.value:>9.4g} {r.unit:<3} {r.target:<10} {met:<7} {r.note}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
