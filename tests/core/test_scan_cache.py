"""The scan cache: an unchanged file is not read again, and a cached scan equals a fresh one."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import reader.core.corpus as corpus_module
from reader.core.corpus import Corpus
from tests.conftest import write_doc

OLD = time.time() - 3600  # older than the racy window, so files may be cached


def age(folder: Path, when: float = OLD) -> None:
    for path in folder.iterdir():
        os.utime(path, (when, when))


def scan(folder: Path, cache: Path | None) -> tuple[list[object], list[str]]:
    corpus = Corpus(folder, scan_cache=cache).scan()
    return [(m, corpus._body_lines[m.id]) for m in corpus.metas()], [str(p) for p in corpus.problems]


@pytest.fixture
def no_racy_window(monkeypatch: pytest.MonkeyPatch) -> None:
    """Files these tests just wrote count as settled (their change time cannot be set back)."""
    import reader.core.scan_cache as scan_cache

    monkeypatch.setattr(scan_cache, "RACY_NS", 0)


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """Every file the scan opens."""
    opened: list[Path] = []
    original = corpus_module.read_corpus_file

    def spy(path: Path, display: str | None = None):  # type: ignore[no-untyped-def]
        opened.append(Path(path))
        return original(path, display)

    monkeypatch.setattr(corpus_module, "read_corpus_file", spy)
    return opened


def test_a_second_scan_reads_no_unchanged_file_and_says_the_same(bad_corpus: Path, tmp_path: Path,
                                                                  reads: list[Path], no_racy_window: None) -> None:
    age(bad_corpus)
    cache = tmp_path / "cache" / "scan.json"
    first = scan(bad_corpus, cache)
    assert first == scan(bad_corpus, None)  # the cache changes nothing a scan reports
    assert cache.exists()
    reads.clear()
    assert scan(bad_corpus, cache) == first
    assert reads == []  # the problems of bad files are remembered too


def test_an_edited_file_is_read_again(tmp_path: Path, reads: list[Path], no_racy_window: None) -> None:
    folder = tmp_path / "c"
    folder.mkdir()
    write_doc(folder, "a", "One.")
    write_doc(folder, "b", "Two.")
    age(folder)
    cache = tmp_path / "scan.json"
    scan(folder, cache)
    path = write_doc(folder, "a", "One.", title="Tutle of a")  # same size, new text
    os.utime(path, (OLD + 60, OLD + 60))
    reads.clear()
    metas, _problems = scan(folder, cache)
    assert reads == [path]
    assert {m.id: m.title for m, _line in metas} == {"a": "Tutle of a", "b": "Title of b"}


def test_a_file_changed_just_before_the_scan_is_never_trusted(tmp_path: Path, reads: list[Path]) -> None:
    folder = tmp_path / "c"
    folder.mkdir()
    path = write_doc(folder, "fresh", "Just written.")
    cache = tmp_path / "scan.json"
    scan(folder, cache)
    reads.clear()
    scan(folder, cache)
    assert reads == [path]  # within the racy window: an edit in the same tick would look unchanged
    os.utime(path, (OLD, OLD))
    reads.clear()
    scan(folder, cache)
    assert reads == [path]  # an old mtime set by hand does not hide a change time that is recent


def test_a_damaged_or_foreign_cache_means_reading_everything(tmp_path: Path, reads: list[Path],
                                                             no_racy_window: None) -> None:
    folder = tmp_path / "c"
    folder.mkdir()
    write_doc(folder, "a")
    age(folder)
    cache = tmp_path / "scan.json"
    expected = scan(folder, cache)
    for damage in ("{not json", '{"version": 999, "files": {}}', '{"version": 1, "files": {"a.md": [1]}}',
                   '{"version": 1, "files": {"a.md": [[0, 0, 0, 0], {"x": 1}, 1, []]}}'):
        cache.write_text(damage, encoding="utf-8")
        reads.clear()
        assert scan(folder, cache) == expected
        assert reads == [folder / "a.md"]


def test_a_cache_that_cannot_be_written_only_costs_time(tmp_path: Path) -> None:
    folder = tmp_path / "c"
    folder.mkdir()
    write_doc(folder, "a")
    age(folder)
    blocker = tmp_path / "blocker"
    blocker.write_text("a file where the cache folder should be", encoding="utf-8")
    assert scan(folder, blocker / "scan.json") == scan(folder, None)


def test_front_matter_json_cannot_hold_is_read_each_time(tmp_path: Path, reads: list[Path],
                                                         no_racy_window: None) -> None:
    folder = tmp_path / "c"
    folder.mkdir()
    path = write_doc(folder, "dated", captured="2022-01-08")  # a YAML date: not JSON
    age(folder)
    cache = tmp_path / "scan.json"
    first = scan(folder, cache)
    reads.clear()
    assert scan(folder, cache) == first and reads == [path]


EDITS = st.lists(st.tuples(st.sampled_from(["a", "b", "c"]),
                           st.sampled_from(["write", "retitle", "break", "delete"]),
                           st.integers(min_value=0, max_value=3)), max_size=8)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(EDITS)
def test_any_edits_between_scans_give_what_a_fresh_scan_gives(tmp_path_factory: pytest.TempPathFactory,
                                                              no_racy_window: None,
                                                              edits: list[tuple[str, str, int]]) -> None:
    """With every file cacheable at once; each edit gets an mtime of its own, as an edit a
    clock tick later would (the same-tick case is the racy window's, tested above)."""
    root = tmp_path_factory.mktemp("prop")
    folder = root / "c"
    folder.mkdir()
    cache = root / "scan.json"
    for doc in "abc":
        write_doc(folder, doc)
    age(folder)
    scan(folder, cache)
    for step, (doc, edit, tick) in enumerate(edits):
        path = folder / f"{doc}.md"
        if edit == "delete":
            path.unlink(missing_ok=True)
        elif edit == "break":
            path.write_text("---\nid: [\n---\n\nbroken\n", encoding="utf-8")
        else:
            write_doc(folder, doc, f"Body {step}.", title=f"T{step}" if edit == "retitle" else None)
        if path.exists():
            when = OLD + 100 * step + tick
            os.utime(path, (when, when))
        assert scan(folder, cache) == scan(folder, None)


def test_file_stamps_come_from_the_scan(bad_corpus: Path) -> None:
    corpus = Corpus(bad_corpus).scan()
    stamps = corpus.file_stamps()
    assert set(stamps) == set(corpus.ids)
    for meta in corpus.metas():
        st = meta.path.stat()
        assert stamps[meta.id] == (st.st_size, st.st_mtime_ns)
