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


# -- issue 13: what the loader must refuse or report, never silently skip or hang on -------------
def test_a_file_over_the_size_limit_is_skipped_with_its_size(tmp_path: Path) -> None:
    from reader.core.frontmatter import MAX_FILE_BYTES

    write_doc(tmp_path, "small")
    huge = tmp_path / "huge.md"
    with huge.open("wb") as handle:  # sparse: costs no disk, and is never read
        handle.truncate(MAX_FILE_BYTES + 1)
    corpus = Corpus(tmp_path).scan()
    assert corpus.ids == ["small"]
    (problem,) = problems_for(corpus, "huge.md")
    assert "too large: 20.0 MB, over the 20 MB limit" in problem
    _docs, problems = corpus.check()
    assert any("over the 20 MB limit" in p.message for p in problems)


def test_fifo_folder_and_link_loop_named_md_are_reported_without_blocking(tmp_path: Path) -> None:
    import os
    import threading

    from reader.core.frontmatter import read_corpus_file

    write_doc(tmp_path, "good")
    os.mkfifo(tmp_path / "pipe.md")
    (tmp_path / "folder.md").mkdir()
    (tmp_path / "loop-a.md").symlink_to(tmp_path / "loop-b.md")
    (tmp_path / "loop-b.md").symlink_to(tmp_path / "loop-a.md")
    (tmp_path / "dangling.md").symlink_to(tmp_path / "missing.md")
    done: list[Corpus] = []
    worker = threading.Thread(target=lambda: done.append(Corpus(tmp_path).scan()), daemon=True)
    worker.start()
    worker.join(20)
    assert done, "the scan blocked on a named pipe"
    corpus = done[0]
    assert corpus.ids == ["good"]
    assert "named pipe (FIFO)" in problems_for(corpus, "pipe.md")[0]
    assert "a folder named like a document" in problems_for(corpus, "folder.md")[0]
    assert "symbolic link loop" in problems_for(corpus, "loop-a.md")[0]
    assert "symbolic link loop" in problems_for(corpus, "loop-b.md")[0]
    assert "broken symbolic link" in problems_for(corpus, "dangling.md")[0]
    # reading a pipe directly (swapped in after a scan) is reported too, not blocked on
    split, problems = read_corpus_file(tmp_path / "pipe.md")
    assert split is None and "named pipe" in problems[0].message


def test_symlinks_out_of_the_corpus_are_refused_inside_ones_followed(tmp_path: Path) -> None:
    secret = tmp_path / "outside"
    secret.mkdir()
    write_doc(secret, "secret", "Private text outside the corpus.")
    folder = tmp_path / "corpus"
    (folder / "sub").mkdir(parents=True)
    write_doc(folder / "sub", "inside", "Text kept in a subfolder.")
    (folder / "inside.md").symlink_to(folder / "sub" / "inside.md")
    (folder / "secret.md").symlink_to(secret / "secret.md")
    (folder / "passwd.md").symlink_to("/etc/passwd")
    corpus = Corpus(folder).scan()
    assert corpus.ids == ["inside"]
    assert "outside the corpus folder; refused" in problems_for(corpus, "secret.md")[0]
    assert "outside the corpus folder; refused" in problems_for(corpus, "passwd.md")[0]
    assert "Private text" not in "".join(str(p) for p in corpus.problems)


def test_a_document_swapped_for_a_link_out_after_the_scan_is_refused(tmp_path: Path) -> None:
    from reader.core.errors import ReaderError

    outside = tmp_path / "outside.md"
    folder = tmp_path / "corpus"
    folder.mkdir()
    write_doc(folder, "doc")
    write_doc(tmp_path, "outside")
    corpus = Corpus(folder).scan()
    (folder / "doc.md").unlink()
    (folder / "doc.md").symlink_to(outside)
    with pytest.raises(ReaderError, match="outside the corpus folder"):
        corpus.document("doc")


@pytest.mark.parametrize("encoding,bom", [("utf-16-le", True), ("utf-16-be", True), ("utf-16-le", False),
                                          ("utf-16-be", False)])
def test_utf16_text_is_decoded_not_called_binary(tmp_path: Path, encoding: str, bom: bool) -> None:
    text = "---\nid: wide\ntitle: Ünïcode wide title\noutlet: O\n---\n\nText in UTF-16, café.\n"
    data = text.encode(encoding)
    if bom:
        data = ("\ufeff").encode(encoding) + data
    (tmp_path / "wide.md").write_bytes(data)
    corpus = Corpus(tmp_path).scan()
    assert corpus.ids == ["wide"]
    assert corpus.meta("wide").title == "Ünïcode wide title"
    assert corpus.document("wide").text.strip().endswith("café.")
    (warning,) = problems_for(corpus, "wide.md", "warning")
    assert "UTF-16" in warning and "binary" not in warning


def test_broken_utf16_is_reported_as_utf16(tmp_path: Path) -> None:
    (tmp_path / "bad16.md").write_bytes(b"\xff\xfe" + "---\nid: x\n".encode("utf-16-le") + b"\x00\xd8")
    corpus = Corpus(tmp_path).scan()
    (problem,) = problems_for(corpus, "bad16.md")
    assert "UTF-16" in problem and "binary" not in problem


def test_escape_sequences_in_titles_never_reach_the_terminal(tmp_path: Path,
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    import json

    from reader.cli import main

    evil = "Evil\x1b]0;owned\x07 title\x1b[2J\x9b31m here\x07"
    (tmp_path / "evil.md").write_text(f'---\nid: evil\ntitle: "{evil.encode("unicode_escape").decode()}"\n'
                                      "outlet: O\n---\n\nBody.\n", encoding="utf-8")
    assert main(["--corpus", str(tmp_path), "corpus", "check"]) == 0
    out, err = capsys.readouterr()
    assert "Evil title here" in out
    assert not any(ch in out + err for ch in "\x1b\x07\x9b")
    assert main(["--corpus", str(tmp_path), "corpus", "check", "--json"]) == 0
    out, _err = capsys.readouterr()
    assert not any(ch in out for ch in "\x1b\x07\x9b")
    assert json.loads(out)["documents"][0]["title"] == evil  # JSON escapes them: the data stays exact


def test_strip_controls_keeps_text_tabs_and_newlines() -> None:
    from reader.commands.output import strip_controls

    assert strip_controls("a\tb\nc\x00d\x1b[1;31me\x1b]8;;http://x\x1b\\f\x7fg\x85h") == "a\tb\ncdefgh"
    assert strip_controls("50%\r60%", keep_cr=True) == "50%\r60%"
    assert strip_controls("50%\r60%") == "50%60%"
