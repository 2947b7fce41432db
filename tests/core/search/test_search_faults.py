"""Search under real faults: a read-only cache folder, a killed parent, debris, sneaky edits.

Each fault is made for real (a read-only bind mount, ``kill -9``, ``cp -p``) and skips with a
reason where the machine cannot make it.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reader.core.corpus import Corpus
from reader.core.search import highlight
from reader.core.search.analysis import query_terms
from reader.core.search.formats import analyse_for_index
from reader.core.search.whoosh_engine import WhooshEngine, clean_debris
from tests.conftest import ROOT, write_doc


def _cli(*argv: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "reader", *argv], cwd=ROOT, capture_output=True, text=True,
                          env=env, timeout=300)


@pytest.fixture
def ro_mount(tmp_path: Path) -> Iterator[tuple[Path, Path]]:
    """``(writable source, read-only view of it)`` through a real ``mount --bind -o ro``."""
    if os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("a read-only bind mount needs root and mount(8) (chmod does not stop root)")
    src, view = tmp_path / "cache-src", tmp_path / "cache-ro"
    src.mkdir()
    view.mkdir()
    made = subprocess.run(["mount", "--bind", "-o", "ro", str(src), str(view)], capture_output=True, text=True)
    if made.returncode != 0:
        pytest.skip(f"cannot make a read-only bind mount here: {made.stderr.strip()}")
    try:
        probe = view / "probe"
        try:
            probe.write_text("x")
        except OSError:
            pass
        else:
            pytest.skip("the bind mount is not read-only on this kernel")
        yield src, view
    finally:
        subprocess.run(["umount", str(view)], capture_output=True)


def test_search_from_read_only_cache(ro_mount: tuple[Path, Path], corpus_copy: Path, tmp_path: Path) -> None:
    src, view = ro_mount
    dirs = ["--corpus", str(corpus_copy), "--data-dir", str(tmp_path / "d"), "--config-dir", str(tmp_path / "k")]
    # 1. No index and a read-only cache: built in memory, said so, right answer, no traceback.
    res = _cli(*dirs, "--cache-dir", str(view), "search", "Ablyazov", "--json")
    assert res.returncode == 0, res.stderr
    assert "Traceback" not in res.stderr and "in memory" in res.stderr
    data = json.loads(res.stdout)
    assert data["total"] == 4 and "in memory" in data["notice"]
    # 2. A stored index, searched from the read-only folder as it is.
    assert _cli(*dirs, "--cache-dir", str(src), "index").returncode == 0
    res = _cli(*dirs, "--cache-dir", str(view), "search", "Ablyazov", "--json")
    assert res.returncode == 0 and "Traceback" not in res.stderr, res.stderr
    assert json.loads(res.stdout)["total"] == 4
    # 3. The corpus changed since: the stored index is copied to memory and updated there.
    path = corpus_copy / "kavkazplus-gutted.md"
    path.write_text(path.read_text(encoding="utf-8").replace("Simferopol", "Simferopol zanzibarian"),
                    encoding="utf-8")
    res = _cli(*dirs, "--cache-dir", str(view), "search", "zanzibarian", "--json")
    assert res.returncode == 0 and "Traceback" not in res.stderr, res.stderr
    data = json.loads(res.stdout)
    assert [h["id"] for h in data["hits"]] == ["kavkazplus-gutted"] and "memory" in data["notice"]


_KILLED_PARENT = textwrap.dedent("""
    import os, sys, time
    from pathlib import Path
    import reader.core.search.build_workers as bw
    from reader.core.corpus import Corpus
    from reader.core.search.whoosh_engine import WhooshEngine
    real = bw.worker_main
    def slow_worker(*args):  # report the pid, then index slowly so the parent can be killed mid-build
        os.write(1, f"worker {os.getpid()}\\n".encode())  # one write: lines of two workers never mix
        real_load = bw.load_document
        def load(meta):
            time.sleep(0.05)
            return real_load(meta)
        bw.load_document = load
        real(*args)
    bw.worker_main = slow_worker
    corpus = Corpus(Path(sys.argv[1])).scan()
    WhooshEngine(Path(sys.argv[2]), corpus, procs=2).build(corpus)
""")


def _many_docs(folder: Path, n: int) -> Path:
    folder.mkdir()
    for i in range(n):
        write_doc(folder, f"doc-{i:04d}", f"Alpha beta gamma {i} delta.\n\nEpsilon zeta number{i % 9}.")
    return folder


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:  # a zombie is dead for our purpose
        return "Z" not in Path(f"/proc/{pid}/stat").read_text().split()[2]
    except OSError:
        return True


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="kill -9 of a parent and /proc need Linux")
def test_workers_exit_when_the_parent_is_killed(tmp_path: Path) -> None:
    corpus = _many_docs(tmp_path / "many", 400)
    index = tmp_path / "cache" / "index"
    proc = subprocess.Popen([sys.executable, "-c", _KILLED_PARENT, str(corpus), str(index)], cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env=dict(os.environ, PYTHONPATH=str(ROOT)))
    assert proc.stdout is not None
    pids: list[int] = []
    deadline = time.monotonic() + 60
    while len(pids) < 2 and time.monotonic() < deadline:
        line = proc.stdout.readline()
        if line.startswith("worker"):
            pids.append(int(line.split()[1]))
    assert len(pids) == 2, proc.stderr.read() if proc.stderr else ""
    time.sleep(0.5)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=10)
    deadline = time.monotonic() + 10
    while any(_alive(p) for p in pids) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not any(_alive(p) for p in pids), "a worker outlived its killed parent"
    # The killed build left its folder behind; the next build removes it and succeeds.
    assert list(index.parent.glob("index.new-*"))
    scanned = Corpus(corpus).scan()
    eng = WhooshEngine(index, scanned, procs=1)
    assert eng.update(scanned).rebuilt
    assert not list(index.parent.glob("index.new-*"))
    assert eng.search("epsilon", limit=1).total == 400


def test_debris_of_a_dead_process_is_removed_not_a_live_one(tmp_path: Path) -> None:
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    gone = tmp_path / f"index.new-{int(dead.stdout)}-0123abcd"
    live = tmp_path / f"index.new-{os.getpid()}-4567abcd"
    old_style = tmp_path / "index.new-89abcdef"
    for folder in (gone, live, old_style):
        folder.mkdir()
        (folder / "MAIN_x.seg").write_bytes(b"x" * 100)
    os.utime(old_style, (time.time() - 7200, time.time() - 7200))
    assert clean_debris(tmp_path) == 2
    assert live.exists() and not gone.exists() and not old_style.exists()


def test_same_size_and_mtime_but_new_content_is_reindexed(tmp_path: Path, corpus_copy: Path) -> None:
    corpus = Corpus(corpus_copy).scan()
    eng = WhooshEngine(tmp_path / "cache" / "index", corpus, procs=1)
    eng.update(corpus)
    path = corpus_copy / "kavkazplus-gutted.md"
    text = path.read_text(encoding="utf-8")
    assert "Simferopol" in text
    edited = tmp_path / "edited.md"
    edited.write_text(text.replace("Simferopol", "Zanzibaria", 1), encoding="utf-8")  # same length
    before = path.stat()
    os.utime(edited, ns=(before.st_atime_ns, before.st_mtime_ns))
    subprocess.run(["cp", "-p", str(edited), str(path)], check=True)  # what cp -p / rsync -t do
    after = path.stat()
    assert (after.st_size, after.st_mtime_ns) == (before.st_size, before.st_mtime_ns)
    corpus.scan()
    report = eng.update(corpus)
    assert report.updated == 1
    assert [h.id for h in eng.search("Zanzibaria").hits] == ["kavkazplus-gutted"]
    assert eng.update(corpus).unchanged == len(corpus)  # and the new stats are remembered


@settings(max_examples=80, deadline=None)
@given(st.lists(st.sampled_from(["colour", "Color's", "red", "the", "revolution", "a", "x\n\ny", "Tokayev’s",
                                 "revolutions.", "RED", "of"]), min_size=1, max_size=40),
       st.integers(min_value=1, max_value=3))
def test_token_map_spans_equal_analysed_spans(words: list[str], slop: int) -> None:
    """Hits located from postings + token map are exactly those found by analysing the text."""
    text = " ".join(words)
    value, blob = analyse_for_index(text)
    spec = highlight.MatchSpec(terms=set(query_terms("colour tokayev")),
                               phrases=[(tuple(query_terms("red revolution")), slop)])
    expected = highlight.find_hits(text, 0, len(text), spec)
    found = {w: value.postings[w] for w in spec.terms | set(spec.phrases[0][0]) if w in value.postings}
    assert WhooshEngine._spans_from_map(text, 0, blob, found, spec) == expected
