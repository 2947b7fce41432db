"""The push's fast analysis gives exactly the vectors the project's analyzer would (no server needed).

``tokens.section_vectors`` skips the analyzer's token generator for speed; these properties
drive the real :class:`StemmingAnalyzer` over the same text and require the same terms, the
same positions, the same surfaces and, for whole documents, the same ``tsvector`` text.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reader.core.document import DocumentMeta, build_document
from reader.core.search.analysis import STOP_WORDS, StemmingAnalyzer
from reader.core.team import tokens

# Words the analyzer treats specially: stop words, possessives (both apostrophes), British
# spellings, dotted and hyphenated words, digits, accents, upper case, punctuation and spacing.
_PIECES = [
    *sorted(STOP_WORDS),
    "Ablyazov's", "Ablyazov’s", "it's", "’s", "'s", "s’s", "colour", "Colours", "centre", "U.S.", "e.g",
    "rock'n'roll", "don’t", "2022", "10.5", "naïve", "Ünïcödé", "ΣΊΣΥΦΟΣ", "İstanbul", "ß", "running", "ran",
    "protesters", "peaceful", "x" * 600, "_under_score", "--", ".", ",", "'", "’", " ", "  ", "\n", "\n\n", "\t",
]
_TEXT = st.lists(st.one_of(st.sampled_from(_PIECES), st.text(max_size=8)), max_size=60).map(" ".join)


def _reference(text: str, start: int, weight: str) -> tuple[dict[str, list[str]], dict[str, str], int]:
    """What the analyzer says: term -> positions (as tsvector text), first surface, token count."""
    positions: dict[str, list[str]] = {}
    surfaces: dict[str, str] = {}
    count = 0
    for token in StemmingAnalyzer()(text, positions=True, chars=True):
        surfaces.setdefault(token.text, text[token.startchar:token.endchar])
        if len(token.text.encode("utf-8")) <= tokens.MAX_LEXEME_BYTES:
            positions.setdefault(token.text, []).append(f"{min(start + token.pos, tokens.MAX_POS)}{weight}")
        count += 1
    return positions, surfaces, count


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=_TEXT, start=st.sampled_from([1, 40, tokens.MAX_POS - 5]))
def test_fast_analysis_gives_the_analyzers_terms_positions_and_surfaces(text: str, start: int) -> None:
    positions: defaultdict[str, list[str]] = defaultdict(list)
    surfaces: dict[str, str] = {}
    count = tokens._analyse_into(positions, text, start, tokens._positions("D"), surfaces, None)
    want_positions, want_surfaces, want_count = _reference(text, start, "D")
    assert count == want_count
    assert dict(positions) == want_positions
    assert list(positions) == list(want_positions)  # first-occurrence order, so the vector text agrees
    assert surfaces == want_surfaces


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(title=_TEXT, body=_TEXT, more=_TEXT)
def test_fast_section_vectors_equal_the_analyzer_built_ones(title: str, body: str, more: str) -> None:
    meta = DocumentMeta("doc-1", title.replace("\n", " "), "Moon of Alabama", "A. Writer", "2022-01-05",
                        Path("doc-1.md"))
    doc, _issues = build_document(meta, f"{body}\n\n## Comments\n\n### c1\n\n{more}\n")
    seen: set[str] = set()
    fast = tokens.section_vectors(doc, seen_surfaces=seen)
    for vec, sec in zip(fast, doc.sections, strict=True):
        want = _reference_vector(doc, sec)
        assert (vec.section, vec.tsv, vec.body_len, vec.title_len) == want[:4]
        assert set(vec.surfaces) <= set(want[4])  # a worker sends each term's surface once
        assert all(want[4][t] == s for t, s in vec.surfaces.items())
    again = tokens.section_vectors(doc, seen_surfaces=seen)
    assert [v.tsv for v in again] == [v.tsv for v in fast] and not any(v.surfaces for v in again)


def _reference_vector(doc: object, sec: object) -> tuple[str, str, int, int, dict[str, str]]:
    """The vector as first written (one analyzer token at a time), kept here as the specification."""
    from reader.core.document import ARTICLE

    meta = doc.meta  # type: ignore[attr-defined]
    positions: dict[str, list[str]] = {}
    pos = 1

    def add(lexeme: str, weight: str, at: int | None = None) -> None:
        nonlocal pos
        if len(lexeme.encode("utf-8")) <= tokens.MAX_LEXEME_BYTES:
            positions.setdefault(lexeme, []).append(f"{min(tokens.MAX_POS, at if at is not None else pos)}{weight}")
        if at is None:
            pos += 1

    for token in (f"section={sec.name}", "language=en", f"id={meta.id}", f"fo={meta.outlet}",  # type: ignore[attr-defined]
                  "day=2022-01-05", "month=2022-01", "year=2022"):
        add(token, "C")
    pos += 8
    for word in tokens.simple_words(meta.outlet):
        add(f"outlet={word}", "C")
    pos += 8
    for word in tokens.simple_words(meta.author):
        add(f"author={word}", "C")
    pos += 16
    surfaces: dict[str, str] = {}
    title_len = 0
    if sec.name == ARTICLE:  # type: ignore[attr-defined]
        for token in StemmingAnalyzer()(meta.title, positions=True, chars=True):
            add(token.text, "A", pos + token.pos)
            surfaces.setdefault(token.text, meta.title[token.startchar:token.endchar])
            title_len += 1
        pos += title_len + 8
    body = doc.text[sec.start:sec.end]  # type: ignore[attr-defined]
    body_len = 0
    for token in StemmingAnalyzer()(body, positions=True, chars=True):
        add(token.text, "D", pos + token.pos)
        surfaces.setdefault(token.text, body[token.startchar:token.endchar])
        body_len += 1
    tsv = " ".join(f"{tokens.quote_lexeme(lex)}:{','.join(p[:256])}" for lex, p in positions.items())
    return sec.name, tsv, body_len, title_len, surfaces  # type: ignore[attr-defined]


def test_copy_text_escapes_what_copy_would_misread() -> None:
    from reader.core.team.push import copy_text

    assert copy_text("a\\b\tc\nd\re") == "a\\\\b\\tc\\nd\\re"
    assert copy_text("plain") == "plain"
