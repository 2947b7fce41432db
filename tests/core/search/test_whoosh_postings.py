"""Flat postings: every segment written keeps exactly Whoosh's docnums and weights per word.

The ranker's results against Whoosh's own walk are in test_ranking (which runs on flat
postings); here: the files themselves, merges, segments without them, damaged files.
"""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from whoosh import fields, query
from whoosh.codec import whoosh3
from whoosh.filedb.filestore import FileStorage

from reader.core.corpus import Corpus
from reader.core.search import whoosh_postings
from reader.core.search.querylang import parse
from reader.core.search.ranking import Ranker, leaf_postings
from reader.core.search.whoosh_engine import WhooshEngine
from reader.core.search.whoosh_postings import MAGIC, SegmentPostings, _encode, _FieldSink
from tests.conftest import write_doc

WORDS = ["alpha", "beta", "gamma", "delta", "colour", "revolution", "protest", "minister", "said", "rally"]


def _corpus(folder: Path, count: int = 40) -> Corpus:
    folder.mkdir(exist_ok=True)
    for n in range(count):
        body = " ".join(WORDS[(n * 7 + k * k) % len(WORDS)] for k in range(n % 11 + 3))
        write_doc(folder, f"doc-{n:02d}", body + ".", title=f"{WORDS[n % len(WORDS)]} story {n}")
    return Corpus(folder).scan()


def _check_segments(engine: WhooshEngine) -> int:
    """Every scored word of every segment: flat postings (minus deletions) == Whoosh's blocks."""
    searcher = engine._search_handle()
    checked = 0
    for sub, _offset in searcher.leaf_searchers():
        reader = sub.reader()
        flat = SegmentPostings.of(reader)
        assert flat is not None
        assert {"body", "title"} <= set(flat.fields)
        dead = reader.deleted_docs_set
        for fieldname in flat.fields:
            for btext in reader.lexicon(fieldname):
                got = flat.postings(fieldname, btext)
                assert got is not None
                pairs = [(d, w) for d, w in zip(got[0].tolist(), got[1].tolist(), strict=True) if d not in dead]
                ids, weights = leaf_postings(reader.postings(fieldname, btext))
                assert pairs == list(zip(ids, weights, strict=True)), (fieldname, btext)
                checked += 1
            assert flat.postings(fieldname, b"\xffnot-a-word")[0].tolist() == []
    return checked


def test_builds_updates_and_merges_write_exact_flat_postings(tmp_path: Path) -> None:
    corpus = _corpus(tmp_path / "corpus")
    engine = WhooshEngine(tmp_path / "index", corpus, procs=1)
    engine.update(corpus)
    for n in (3, 17):  # changed: deleted records in the first segment, a new segment
        write_doc(tmp_path / "corpus", f"doc-{n:02d}", "alpha alpha colour revolution rally.", title=f"changed {n}")
    write_doc(tmp_path / "corpus", "doc-99", "beta gamma protest minister said.", title="late")
    corpus.scan()
    assert engine.update(corpus).changed
    assert engine.segment_count() > 1
    assert _check_segments(engine) > 20
    engine.merge()
    assert _check_segments(engine) > 20
    engine.close()


def test_parallel_build_workers_write_flat_postings(tmp_path: Path) -> None:
    corpus = _corpus(tmp_path / "corpus", 80)
    engine = WhooshEngine(tmp_path / "index", corpus, procs=2)
    engine.build(corpus)
    assert _check_segments(engine) > 20
    engine.close()


def test_a_segment_without_flat_postings_is_read_from_whoosh(tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    corpus = _corpus(tmp_path / "corpus")
    engine = WhooshEngine(tmp_path / "index", corpus, procs=1)
    engine.update(corpus)
    # An index written before flat postings existed: a segment without them.
    monkeypatch.setattr(whoosh3.W3FieldWriter, "start_field", whoosh_postings._start_field)
    monkeypatch.setattr(whoosh3.W3FieldWriter, "close", whoosh_postings._close)
    write_doc(tmp_path / "corpus", "doc-98", "alpha beta protest said said.", title="older writer")
    corpus.scan()
    engine.update(corpus)
    searcher = engine._search_handle()
    flats = [SegmentPostings.of(sub.reader()) for sub, _ in searcher.leaf_searchers()]
    assert None in flats and any(f is not None for f in flats)
    for text in ("alpha", "said OR protest", "beta -alpha", "title:older"):
        q = parse(text, engine._schema, engine._parser).query
        mixed = Ranker(searcher)
        whoosh_only = Ranker(searcher)
        whoosh_only._flat_postings = [None] * len(flats)
        assert mixed.top(q, 100, None) == whoosh_only.top(q, 100, None)
    engine.close()


def test_a_damaged_flat_postings_file_is_ignored_with_a_warning(tmp_path: Path,
                                                                caplog: pytest.LogCaptureFixture) -> None:
    folder = tmp_path / "ix"
    folder.mkdir()
    ix = FileStorage(str(folder)).create_index(fields.Schema(body=fields.TEXT))
    writer = ix.writer(compound=False)  # the parts as plain files, so one can be damaged
    writer.add_document(body="alpha beta")
    writer.add_document(body="beta gamma")
    writer.commit()
    [part] = folder.glob("*" + whoosh_postings.EXT)
    with ix.searcher() as searcher:
        assert SegmentPostings.of(searcher.reader()) is not None
    part.write_bytes(MAGIC + b"\x40\0\0\0{broken")
    with ix.searcher() as searcher, caplog.at_level(logging.WARNING):
        assert SegmentPostings.of(searcher.reader()) is None
        assert "unreadable" in caplog.text
        ranker = Ranker(searcher)
        assert ranker.top(query.Term("body", "beta"), 10, None)[1] == frozenset({0, 1})
    ix.close()


@pytest.mark.parametrize("damage", ["magic", "truncated", "byteorder", "sizes"])
def test_damaged_files_are_refused(damage: str) -> None:
    sink = _FieldSink()
    for word, ids in ((b"a", [0, 2]), (b"b", [1])):
        sink.start(word)
        sink.ids.extend(ids)
        sink.weights.extend([1.0] * len(ids))
    data = bytearray(_encode({"body": sink}))
    if damage == "magic":
        data[:4] = b"JUNK"
    elif damage == "truncated":
        del data[-8:]
    elif damage == "byteorder":
        data = bytearray(bytes(data).replace(b'"little"', b'"ZZZZZZ"').replace(b'"big"', b'"ZZZ"'))
    else:  # more docnums than weights
        sink.ids.append(7)
        data = bytearray(_encode({"body": sink}))
    with pytest.raises(ValueError):
        SegmentPostings(memoryview(bytes(data)))


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(st.binary(min_size=0, max_size=6),
                       st.lists(st.tuples(st.integers(0, 2**32 - 1), st.floats(0, 1e6, width=32)), max_size=5),
                       max_size=30),
       st.lists(st.binary(max_size=6), max_size=10))
def test_round_trip_and_lookup(postings: dict[bytes, list[tuple[int, float]]], probes: list[bytes]) -> None:
    """Any sorted words with any postings: each is found with its own, anything else is absent."""
    sink = _FieldSink()
    for word in sorted(postings):
        sink.start(word)
        sink.ids.extend(d for d, _w in postings[word])
        sink.weights.extend(w for _d, w in postings[word])
    flat = SegmentPostings(memoryview(_encode({"f": sink, "g": _FieldSink()})))
    for word, expected in postings.items():
        ids, weights = flat.postings("f", word)  # type: ignore[misc]
        assert list(zip(ids.tolist(), weights.tolist(), strict=True)) == expected
    for word in probes:
        if word not in postings:
            assert flat.postings("f", word)[0].tolist() == []  # type: ignore[index]
        assert flat.postings("g", word)[0].tolist() == []  # type: ignore[index]
    assert flat.postings("h", b"x") is None
