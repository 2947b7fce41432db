"""The corpus loader: good files load, each kind of bad file is reported and skipped."""

from __future__ import annotations

from pathlib import Path

import pytest

from reader.core.corpus import Corpus, has_errors
from reader.core.errors import CorpusError, DocumentNotFound
from tests.conftest import write_doc


def problems_for(corpus: Corpus, name: str, severity: str = "error") -> list[str]:
    return [f"{p.severity}:{p.line}:{p.message}" for p in corpus.problems
            if Path(p.path).name == name and p.severity == severity]


def test_bad_files_reported_good_ones_load(bad_corpus: Path) -> None:
    corpus = Corpus(bad_corpus).scan()
    assert sorted(corpus.ids) == ["dup", "good-one", "good-two"]
    assert has_errors(corpus.problems)
    (yaml_problem,) = problems_for(corpus, "broken-yaml.md")
    assert yaml_problem.startswith("error:4:") and "YAML" in yaml_problem
    assert problems_for(corpus, "empty.md") == ["error:None:empty file"]
    (latin,) = problems_for(corpus, "latin1.md")
    assert "not valid UTF-8" in latin and "0xE9" in latin and latin.startswith("error:3:")
    (png,) = problems_for(corpus, "image.md")
    assert "PNG image" in png
    (dup,) = problems_for(corpus, "zz-dup-copy.md")
    assert "duplicate id 'dup'" in dup and "dup.md" in dup
    warnings = problems_for(corpus, "zz-dup-copy.md", "warning")
    assert any("file name does not match" in w for w in warnings)
    assert any("no 'outlet'" in w for w in warnings)
    assert corpus.meta("dup").title == "Title of dup"


def test_missing_id_and_title(tmp_path: Path) -> None:
    (tmp_path / "a.md").write_text("---\ntitle: No id here\n---\n\nText.\n", encoding="utf-8")
    (tmp_path / "b.md").write_text("---\nid: b\n---\n\nText.\n", encoding="utf-8")
    corpus = Corpus(tmp_path).scan()
    assert corpus.ids == []
    messages = sorted(p.message for p in corpus.problems)
    assert messages == ["missing 'id' in front matter", "missing 'title' in front matter"]


def test_empty_text_and_unknown_key(tmp_path: Path) -> None:
    (tmp_path / "e.md").write_text("---\nid: e\ntitle: T\n---\n\n   \n", encoding="utf-8")
    write_doc(tmp_path, "k", "Body.", mood="cheerful")
    corpus = Corpus(tmp_path).scan()
    assert corpus.ids == ["k"]
    assert any("empty text" in p.message and p.severity == "error" for p in corpus.problems)
    (unknown,) = [p for p in corpus.problems if "unknown" in p.message]
    assert unknown.severity == "warning" and "'mood'" in unknown.message


def test_front_matter_not_closed_and_not_mapping(tmp_path: Path) -> None:
    (tmp_path / "open.md").write_text("---\nid: open\ntitle: T\n\nBody\n", encoding="utf-8")
    (tmp_path / "list.md").write_text("---\n- a\n- b\n---\n\nBody\n", encoding="utf-8")
    (tmp_path / "none.md").write_text("Just text, no header.\n", encoding="utf-8")
    corpus = Corpus(tmp_path).scan()
    msgs = {Path(p.path).name: p.message for p in corpus.problems}
    assert "never closed" in msgs["open.md"]
    assert "mapping" in msgs["list.md"]
    assert "no YAML front matter" in msgs["none.md"]


def test_invalid_id_and_bad_date(tmp_path: Path) -> None:
    write_doc(tmp_path, "ok", "Body.", published="not-a-date")
    (tmp_path / "Bad Id.md").write_text("---\nid: Bad Id\ntitle: T\n---\n\nBody\n", encoding="utf-8")
    corpus = Corpus(tmp_path).scan()
    assert corpus.ids == ["ok"]
    assert corpus.meta("ok").published is None
    assert any("invalid id" in p.message for p in corpus.problems)
    assert any("not an ISO date" in p.message and p.severity == "warning" for p in corpus.problems)


def test_crlf_bom_and_whitespace_normalised(tmp_path: Path) -> None:
    raw = "\ufeff---\r\nid: w\r\ntitle: T\r\n---\r\n\r\nOne  \r\n\r\n\r\n\r\nTwo\r\n"
    (tmp_path / "w.md").write_bytes(raw.encode("utf-8"))
    doc = Corpus(tmp_path).scan().document("w")
    assert doc.text == "One\n\nTwo"


def test_comments_section(tmp_path: Path) -> None:
    body = ("Article para.\n\n## Comments\n\n### Ann · 2022-01-10 21:12 UTC · #5\n\nFirst comment.\n\n"
            "Second para.\n\n### Bob\n\nUndated.\n")
    write_doc(tmp_path, "c", body)
    doc = Corpus(tmp_path).scan().document("c")
    assert doc.section_text("article") == "Article para."
    assert [c.author for c in doc.comments] == ["Ann", "Bob"]
    first = doc.comments[0]
    assert (first.posted, first.number) == ("2022-01-10T21:12:00Z", 5)
    assert doc.text[first.start:first.end] == "First comment.\n\nSecond para."
    assert doc.comments[1].posted is None
    comments = doc.section("comments")
    assert comments is not None and doc.text[comments.start:comments.end].endswith("Undated.")
    assert "###" not in doc.text and "## Comments" not in doc.text


def test_lazy_text_and_missing_document(corpus_copy: Path) -> None:
    corpus = Corpus(corpus_copy).scan()
    assert len(corpus) == 5
    with pytest.raises(DocumentNotFound):
        corpus.document("nope")
    (corpus_copy / "neo-outside-forces.md").write_bytes(b"\x89PNG\r\n\x1a\n")
    with pytest.raises(Exception, match="can no longer be read"):
        corpus.document("neo-outside-forces")


def test_corpus_folder_errors(tmp_path: Path) -> None:
    with pytest.raises(CorpusError, match="not found"):
        Corpus(tmp_path / "missing")
    (tmp_path / "file").write_text("x")
    with pytest.raises(CorpusError, match="not a folder"):
        Corpus(tmp_path / "file")


def test_broken_corpus_yaml_reported(tmp_path: Path) -> None:
    write_doc(tmp_path, "a")
    (tmp_path / "corpus.yaml").write_text("title: [oops\n", encoding="utf-8")
    corpus = Corpus(tmp_path).scan()
    assert corpus.ids == ["a"]
    assert any(p.path.endswith("corpus.yaml") for p in corpus.problems)


def test_scan_progress_and_cancel(corpus_copy: Path) -> None:
    seen: list[tuple[int, int]] = []
    Corpus(corpus_copy).scan(progress=lambda d, t: seen.append((d, t)))
    assert seen[-1] == (5, 5)
    from reader.core.corpus import ScanCancelled

    with pytest.raises(ScanCancelled):
        Corpus(corpus_copy).scan(cancelled=lambda: True)


def test_duplicate_id_prefers_the_file_named_after_it(tmp_path: Path) -> None:
    write_doc(tmp_path, "story", "The original.")
    (tmp_path / "a-copy.md").write_text("---\nid: story\ntitle: A stray copy\n---\n\nCopy.\n", encoding="utf-8")
    corpus = Corpus(tmp_path).scan()
    assert corpus.meta("story").path.name == "story.md"
    (dup,) = problems_for(corpus, "a-copy.md")
    assert "duplicate id 'story'" in dup
