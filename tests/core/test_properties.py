"""Property-based tests: the loader and text model hold up under random bytes and Unicode."""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reader.core.document import parse_body
from reader.core.frontmatter import read_corpus_file, split_front_matter
from reader.core.text import canonical_text, paragraph_spans

TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=400)


@settings(max_examples=200, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.binary(max_size=600))
def test_random_bytes_never_crash(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "x.md"
    path.write_bytes(data)
    split, problems = read_corpus_file(path)
    assert split is not None or problems
    for problem in problems:
        assert problem.message and problem.severity in ("error", "warning")


@given(header=TEXT, body=TEXT)
def test_random_front_matter_never_crashes(header: str, body: str) -> None:
    split, problems = split_front_matter(f"---\n{header}\n---\n{body}", "p.md")
    assert split is not None or problems


@given(raw=TEXT)
def test_canonical_text_is_idempotent(raw: str) -> None:
    once = canonical_text(raw)
    assert canonical_text(once) == once
    assert "\r" not in once and "\n\n\n" not in once


@given(raw=TEXT)
def test_paragraph_spans_cover_nonblank_text(raw: str) -> None:
    text = canonical_text(raw)
    spans = paragraph_spans(text)
    assert all(0 <= s < e <= len(text) for s, e in spans)
    assert "".join(text[s:e] for s, e in spans).replace("\n", "") == text.replace("\n", "")


@given(article=TEXT, comments=st.lists(st.tuples(st.text("abc ·#12", max_size=12), TEXT), max_size=5))
def test_sections_and_comments_stay_inside_text(article: str, comments: list[tuple[str, str]]) -> None:
    body = article + "\n\n## Comments\n\n" + "".join(f"### {h}\n\n{t}\n\n" for h, t in comments)
    text, sections, parsed, _issues = parse_body(body)
    for sec in sections:
        assert 0 <= sec.start <= sec.end <= len(text)
    for c in parsed:
        assert 0 <= c.start < c.end <= len(text)
        assert text[c.start:c.end] == canonical_text(text[c.start:c.end])
