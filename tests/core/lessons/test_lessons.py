"""Lesson files: parsed with located problems, checked against the corpus, saved atomically."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from reader.cli import main
from reader.core.corpus import Corpus
from reader.core.lessons.validate import LessonError, check_lesson, find_passage, load_lesson, save_lesson
from reader.core.paths import bundled_corpus_path

GOOD = """\
title: Test lesson
audience: students
steps:
  - title: One
    documents: [frontier-post-alma-ata, moa-failed-rebellion]
    sync: aligned
    scroll:
      moa-failed-rebellion: "Mukhtar Ablyazov was trained in nuclear physics"
    prompt: What differs?
  - title: Two
    documents: [neo-outside-forces]
    layers: {entities: true, framing: true}
    reveal: [framing]
"""

BAD = """\
title: Broken lesson
steps:
  - title: Fine
    documents: [neo-outside-forces]
  - title: Missing things
    documents: [no-such-document, moa-failed-rebellion]
    scroll:
      moa-failed-rebellion: "This sentence is nowhere in the text at all, not even close"
    sync: sideways
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "lesson.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_good_lesson_has_no_problems(tmp_path: Path) -> None:
    lesson, problems = load_lesson(write(tmp_path, GOOD))
    assert problems == []
    assert [s.title for s in lesson.steps] == ["One", "Two"]
    assert lesson.steps[1].visible_layers(revealed=False)["framing"] is False
    assert lesson.steps[1].visible_layers(revealed=True)["framing"] is True
    assert check_lesson(lesson, Corpus(bundled_corpus_path()).scan()) == []


def test_bad_lesson_reports_step_and_line(tmp_path: Path) -> None:
    lesson, problems = load_lesson(write(tmp_path, BAD))
    problems += check_lesson(lesson, Corpus(bundled_corpus_path()).scan())
    errors = [(p.step, p.line, p.message) for p in problems if p.severity == "error"]
    assert any("no-such-document" in m for step, line, m in errors if step == 2 and line == 5)
    assert any("passage not found" in m for step, _, m in errors if step == 2)
    assert any("sync mode 'sideways'" in m for step, _, m in errors if step == 2)
    assert not any(step == 1 for step, _, _ in errors)


def test_unusable_lesson_raises(tmp_path: Path) -> None:
    with pytest.raises(LessonError, match="no 'steps'"):
        load_lesson(write(tmp_path, "title: nothing\n"))
    with pytest.raises(LessonError, match="YAML error"):
        load_lesson(write(tmp_path, "title: [\n"))


def test_passage_found_despite_quote_and_space_changes() -> None:
    text = "He said “peaceful  protesters” were\nthere."
    assert find_passage(text, '"peaceful protesters" were there') == text.index("“")
    assert find_passage(text, "something else entirely") is None


def test_save_roundtrip(tmp_path: Path) -> None:
    lesson, _ = load_lesson(write(tmp_path, GOOD))
    target = tmp_path / "saved" / "copy.yaml"
    save_lesson(lesson, target)
    again, problems = load_lesson(target)
    assert problems == [] and again.to_yaml() == lesson.to_yaml()


def test_cli_lesson_check(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["lesson", "check", str(write(tmp_path, GOOD))]) == 0
    assert "2 steps, 0 errors" in capsys.readouterr().out
    assert main(["lesson", "check", str(write(tmp_path, BAD)), "--json"]) == 1
    assert '"step": 2' in capsys.readouterr().out


def test_export_html_and_pdf(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    lesson = write(tmp_path, GOOD)
    html_out, pdf_out = tmp_path / "h.html", tmp_path / "h.pdf"
    assert main(["lesson", "export", str(lesson), "--format", "html", "-o", str(html_out)]) == 0
    page = html_out.read_text(encoding="utf-8")
    assert page.count("Step 1 of 2") == 1 and "Step 2 of 2" in page
    assert "Moon of Alabama" in page and "What differs?" in page
    assert "http" not in page.split("<body>")[0]  # no external assets
    assert main(["lesson", "export", str(lesson), "--format", "pdf", "--step", "2", "-o", str(pdf_out)]) == 0
    assert pdf_out.read_bytes().startswith(b"%PDF")
    assert "(1 pages)" in capsys.readouterr().err


def test_sample_handout_has_one_page_per_step(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    sample = bundled_corpus_path() / "lessons" / "kazakhstan-five-outlets.yaml"
    assert main(["lesson", "check", str(sample)]) == 0
    out = tmp_path / "sample.pdf"
    assert main(["lesson", "export", str(sample), "--format", "pdf", "-o", str(out)]) == 0
    lesson, _ = load_lesson(sample)
    pages = re.findall(rb"/Type\s*/Page(?!s)", out.read_bytes())
    assert len(pages) == len(lesson.steps)
    assert f"({len(lesson.steps)} pages)" in capsys.readouterr().err
