"""Property tests: whatever bytes or text a file holds, the importer gives a document or a reason."""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reader.core.corpus import Corpus
from reader.core.importer import import_paths

SUFFIXES = st.sampled_from([".txt", ".md", ".html", ".htm", ""])


def check_import(data: bytes, suffix: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "corpus"
        root.mkdir()
        source = Path(tmp) / f"source{suffix}"
        source.write_bytes(data)
        report = import_paths(root, [source])
        assert len(report.imported) + len(report.skipped) + len(report.duplicates) == 1
        for skip in report.skipped:
            assert skip.reason and "Traceback" not in skip.reason
        files = sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())
        assert not [f for f in files if f.endswith(".tmp") or Path(f).name.startswith(".")]
        if report.imported:
            doc_id = report.imported[0].id
            originals = [f for f in files if f.startswith("originals/")]
            assert len(files) == 2 and f"{doc_id}.md" in files and len(originals) == 1
            assert (root / originals[0]).read_bytes() == data
            corpus = Corpus(root).scan()
            assert [p for p in corpus.problems if p.severity == "error"] == []
            assert corpus.document(doc_id).text.strip()
            again = import_paths(root, [source])  # the same source twice is a duplicate, never a copy
            assert [d.id for d in again.duplicates] == [doc_id] and not again.imported
        else:
            assert files == []


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.binary(max_size=2000), suffix=SUFFIXES)
def test_random_bytes_never_crash(data: bytes, suffix: str) -> None:
    check_import(data, suffix)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=st.text(max_size=600), suffix=SUFFIXES, encoding=st.sampled_from(["utf-8", "utf-16", "utf-8-sig"]))
def test_random_unicode_never_crashes(text: str, suffix: str, encoding: str) -> None:
    check_import(text.encode(encoding, "surrogatepass"), suffix)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(title=st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=80),
       paras=st.lists(st.text(st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=120),
                      min_size=1, max_size=5))
def test_markdown_like_text_keeps_its_words(title: str, paras: list[str]) -> None:
    """Text with markup-looking lines ('## Comments', '---') imports with all its words in the article."""
    body = "\n\n".join(["## Comments", *paras, "---"])
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "corpus"
        root.mkdir()
        source = Path(tmp) / "note.txt"
        source.write_text(f"{title}\n\n{body}\n", encoding="utf-8")
        report = import_paths(root, [source])
        if report.imported:
            doc = Corpus(root).scan().document(report.imported[0].id)
            assert doc.comments == ()
            for para in paras:
                for word in para.split():
                    if word.isalnum():
                        assert word in doc.text or word in doc.meta.title
