"""Segment files are read in place from the map: same bytes as Whoosh's copy, no copy made."""

from __future__ import annotations

import io

from hypothesis import given, settings
from hypothesis import strategies as st

from reader.core.search.whoosh_mmap import MappedFile, MemoryFile

OPS = st.lists(st.one_of(
    st.tuples(st.just("read"), st.integers(min_value=-1, max_value=40)),
    st.tuples(st.just("readline"), st.integers(min_value=-1, max_value=40)),
    st.tuples(st.just("seek"), st.tuples(st.integers(min_value=0, max_value=60), st.sampled_from([0, 1, 2]))),
    st.tuples(st.just("tell"), st.none()),
), max_size=30)


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=50), OPS)
def test_memory_file_reads_as_bytesio_does(data: bytes, ops: list[tuple[str, object]]) -> None:
    ours, theirs = MemoryFile(memoryview(data)), io.BytesIO(data)
    for op, arg in ops:
        if op == "seek":
            offset, whence = arg  # type: ignore[misc]
            offset = offset if whence == 0 else min(offset, 5) - 5  # relative seeks: either way
            if (whence == 1 and theirs.tell() + offset < 0) or (whence == 2 and len(data) + offset < 0):
                continue  # BytesIO refuses a negative position
            assert ours.seek(offset, whence) == theirs.seek(offset, whence)
        elif op == "tell":
            assert ours.tell() == theirs.tell()
        else:
            assert getattr(ours, op)(arg) == getattr(theirs, op)(arg)
    assert list(MemoryFile(memoryview(data))) == list(io.BytesIO(data))


def test_an_index_opens_its_segment_files_in_place(tmp_path) -> None:
    from whoosh.fields import TEXT, Schema
    from whoosh.filedb.filestore import FileStorage

    import reader.core.search.whoosh_index  # noqa: F401 - installs the in-place reader

    storage = FileStorage(str(tmp_path)).create()
    ix = storage.create_index(Schema(body=TEXT(stored=True)))
    with ix.writer() as writer:
        for n in range(50):
            writer.add_document(body=f"word{n % 7} common text {n}")
    ix = storage.open_index()
    with ix.searcher() as searcher:
        assert len(list(searcher.documents())) == 50
        from whoosh.query import Term

        assert len(searcher.search(Term("body", "common"), limit=None)) == 50
        terms = searcher.reader()._terms  # Whoosh's W3 terms reader: its postings and term files
        assert isinstance(terms._postfile, MappedFile) and isinstance(terms._dbfile, MappedFile)
    mapped = MappedFile(memoryview(b"abcdef"))
    sub = mapped.subset(2, 3)
    assert sub.get(0, 3) == b"cde" and sub.read(2) == b"cd"
