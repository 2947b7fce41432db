"""A build started from the window runs its workers at a lower priority, with the same result."""

from __future__ import annotations

import os
from pathlib import Path

from reader.core.corpus import Corpus
from reader.core.search import build_workers
from reader.core.search.whoosh_engine import WhooshEngine
from tests.conftest import write_doc


def test_niced_workers_build_the_same_index(tmp_path: Path, monkeypatch) -> None:
    folder = tmp_path / "many"
    folder.mkdir()
    for n in range(320):
        write_doc(folder, f"doc-{n:03d}", f"alpha beta marker{n % 5} colour revolution", published="2022-01-05")
    corpus = Corpus(folder).scan()
    real_nice = os.nice

    def spy(step: int) -> int:
        # runs in the forked worker: a file carries what it was asked back to the test
        (tmp_path / f"nice-{os.getpid()}").write_text(str(step), encoding="utf-8")
        return real_nice(step)

    monkeypatch.setattr(build_workers.os, "nice", spy)
    plain = WhooshEngine(tmp_path / "plain" / "index", corpus, procs=2)
    niced = WhooshEngine(tmp_path / "niced" / "index", corpus, procs=2)
    niced.worker_nice = 5
    assert plain.update().added == niced.update().added == 320
    for q in ("alpha", "marker3", '"colour revolution"'):
        assert plain.search(q, limit=400).total == niced.search(q, limit=400).total
    marks = sorted(p.read_text(encoding="utf-8") for p in tmp_path.glob("nice-*"))
    assert marks == ["5", "5"]  # each of the niced build's two workers, none of the plain build's
    assert os.getpid() not in {int(p.name.split("-")[1]) for p in tmp_path.glob("nice-*")}
