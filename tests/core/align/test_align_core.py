"""Passage alignment (core, no Qt): normalisation and offset map, runs, quotes, chain, CLI."""

from __future__ import annotations

import itertools
import json
import string
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from reader.core.align import Aligner, align_documents
from reader.core.align.chain import anchor_points, interpolate, monotone_chain
from reader.core.align.comparisons import Comparison, load_comparisons, save_comparison
from reader.core.align.mentions import NameMentions
from reader.core.align.model import QUOTE, SIMILAR, Pair
from reader.core.align.normalise import normalise, tokens
from reader.core.align.passages import split_passages
from reader.core.context import AppContext
from reader.core.document import DocumentMeta, build_document
from reader.core.errors import ReaderError
from tests.conftest import write_doc

ALPHABET = string.ascii_letters + " \n\t\u00a0-\u00ad'\"“”‘’«»İ" + "éß"


def make_doc(doc_id: str, body: str):
    meta = DocumentMeta(doc_id, doc_id, "Outlet", "", "2022-01-08", Path(f"{doc_id}.md"))
    return build_document(meta, body)[0]


# -- normalisation ------------------------------------------------------------------------
def test_normalise_folds_quotes_space_case_and_hyphenation() -> None:
    text = "“The  Forces\u00a0were\nallow-ed,” he said; fo-\nrces ‘x’"
    norm = normalise(text)
    assert norm.text == "\"the forces were allowed,\" he said; forces 'x'"
    words = tokens(text)
    allowed = next(t for t in words if t.word == "allowed")
    assert text[allowed.start:allowed.end] == "allow-ed"
    forces = [t for t in words if t.word == "forces"]
    assert [text[t.start:t.end] for t in forces] == ["Forces", "fo-\nrces"]


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=ALPHABET, max_size=80))
def test_normalised_offsets_map_back(text: str) -> None:
    norm = normalise(text)
    assert len(norm.starts) == len(norm.text)
    assert all(0 <= s < len(text) for s in norm.starts)
    assert norm.starts == sorted(norm.starts)
    assert len(set(norm.starts)) == len(norm.starts) or any(ord(c) > 127 for c in text)
    for tok in tokens(text):
        assert 0 <= tok.start < tok.end <= len(text)
        # the canonical span a token maps back to normalises to that very token
        assert normalise(text[tok.start:tok.end]).text == tok.word


@settings(max_examples=100, deadline=None)
@given(st.lists(st.sampled_from(["alpha", "beta", "gamma", "delta", "said", "court", "the"]), min_size=0, max_size=40),
       st.sampled_from([" ", "\n", "\u00a0", "  "]))
def test_token_words_survive_any_spacing(words: list[str], sep: str) -> None:
    text = sep.join(words)
    assert [t.word for t in tokens(text)] == words
    assert [text[t.start:t.end] for t in tokens(text)] == words


# -- chain ---------------------------------------------------------------------------------
spans = st.tuples(st.integers(0, 500), st.integers(1, 60), st.integers(0, 500), st.integers(1, 60),
                  st.floats(0.01, 1.0))


@settings(max_examples=200, deadline=None)
@given(st.lists(spans, max_size=30))
def test_chain_is_monotone_and_optimal(raw: list[tuple[int, int, int, int, float]]) -> None:
    pairs = [Pair(SIMILAR, s, a, a + la, b, b + lb) for a, la, b, lb, s in raw]
    chain = [pairs[k] for k in monotone_chain(pairs)]
    for prev, cur in itertools.pairwise(chain):
        assert cur.a_start >= prev.a_end and cur.b_start >= prev.b_end
    if len(pairs) <= 8:  # compare with brute force
        best = 0.0
        for r in range(1, len(pairs) + 1):
            for combo in itertools.combinations(sorted(pairs, key=lambda p: p.a_start), r):
                if all(c.a_start >= p.a_end and c.b_start >= p.b_end for p, c in itertools.pairwise(combo)):
                    best = max(best, sum(p.score for p in combo))
        assert abs(sum(p.score for p in chain) - best) < 1e-9
    points = anchor_points(chain, 600, 600)
    xs = [interpolate(points, x) for x in range(0, 601, 7)]
    assert xs == sorted(xs)


def test_interpolate_hits_anchors() -> None:
    points = anchor_points([Pair(SIMILAR, 1, 100, 200, 300, 350)], 1000, 500)
    assert interpolate(points, 100) == 300
    assert interpolate(points, 150) == 325
    assert interpolate(points, 1000) == 500


# -- quotes and verbatim --------------------------------------------------------------------
QUOTE_A = ("The minister spoke to reporters on Tuesday evening.\n\n"
           "He told them: “We will not allow foreign forces to\ndecide the fate of our country,” "
           "and left the hall without questions.")
QUOTE_B = ("Opposition groups reacted angrily.\n\n"
           "According to the state agency the president insisted that \"we will not allow foreign forces "
           "to decide the fate of our country\" before announcing new measures on fuel prices.")


def test_shared_quotation_is_a_quote_pair_across_quote_styles_and_line_breaks() -> None:
    a, b = make_doc("qa", QUOTE_A), make_doc("qb", QUOTE_B)
    result = align_documents(a, b)
    quotes = [p for p in result.pairs if p.kind == QUOTE]
    assert len(quotes) == 1
    q = quotes[0]
    assert a.text[q.a_start:q.a_end] == "We will not allow foreign forces to\ndecide the fate of our country"
    assert b.text[q.b_start:q.b_end] == "we will not allow foreign forces to decide the fate of our country"
    assert q.in_chain and q.score > 0.6
    assert result.coverage_a > 0 and result.coverage_b > 0


def test_unquoted_shared_run_is_verbatim_and_short_runs_are_not_pairs() -> None:
    a = make_doc("va", "Officials confirmed that the airport of Almaty was seized by armed groups on Wednesday.")
    b = make_doc("vb", "Reports say the airport of Almaty was seized by armed groups late at night.")
    kinds = {p.kind for p in align_documents(a, b).pairs}
    assert "verbatim" in kinds
    c = make_doc("vc", "The airport of Almaty reopened.")
    assert not [p for p in align_documents(a, c).pairs if p.kind != SIMILAR]


def test_passages_split_long_paragraphs_into_sentences() -> None:
    long_para = " ".join(f"Sentence number {i} says something about the protests in the city." for i in range(12))
    doc = make_doc("p", "Short first paragraph here.\n\n" + long_para)
    passages = split_passages(doc)
    assert passages[0].end == len("Short first paragraph here.")
    assert len(passages) == 13
    assert all(doc.text[p.start:p.end].strip() == doc.text[p.start:p.end] for p in passages)


# -- the bundled corpus ------------------------------------------------------------------------
def test_ablyazov_sentence_pairs_frontier_post_with_neo() -> None:
    ctx = AppContext.create()
    corpus = ctx.corpus()
    a, b = corpus.document("frontier-post-alma-ata"), corpus.document("neo-outside-forces")
    result = Aligner.for_context(ctx).align(a, b)
    target = [p for p in result.pairs if "22 months" in a.text[p.a_start:p.a_end]
              and "22 months" in b.text[p.b_start:p.b_end]]
    assert len(target) == 1 and target[0].kind == SIMILAR
    others = [p.score for p in result.pairs if p is not target[0]]
    assert others and target[0].score > max(others)


def test_cli_align_json(capsys) -> None:
    from reader.cli import main

    assert main(["align", "frontier-post-alma-ata", "neo-outside-forces", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["a"] == "frontier-post-alma-ata" and data["b"] == "neo-outside-forces"
    assert 0 < data["coverage"]["a"] < 1 and 0 < data["coverage"]["b"] < 1
    starts = [p["a_start"] for p in data["pairs"]]
    assert starts == sorted(starts)
    assert main(["show", "frontier-post-alma-ata", "--json"]) == 0
    text_a = json.loads(capsys.readouterr().out)["text"]
    for pair in data["pairs"]:
        assert set(pair) >= {"kind", "score", "a_start", "a_end", "b_start", "b_end", "a_text", "b_text"}
        assert text_a[pair["a_start"]:pair["a_end"]] == pair["a_text"]
    assert main(["align", "frontier-post-alma-ata", "nope"]) == 2


def test_alignment_cache_is_reused_and_symmetric(tmp_path: Path) -> None:
    folder = tmp_path / "c"
    folder.mkdir()
    write_doc(folder, "qa", QUOTE_A)
    write_doc(folder, "qb", QUOTE_B)
    ctx = AppContext.create(corpus=str(folder))
    a, b = ctx.corpus().document("qa"), ctx.corpus().document("qb")
    first = Aligner.for_context(ctx).align(a, b)
    files = list((ctx.cache_dir / "align").glob("v*.json"))
    assert len(files) == 1
    again = Aligner.for_context(ctx).align(a, b)  # a new aligner reads the disk cache
    assert again == first
    aligner = Aligner.for_context(ctx)
    aligner.align(a, b)
    back = aligner.align(b, a)
    assert back.a_id == "qb" and [(p.a_start, p.b_start) for p in back.pairs] == sorted(
        (p.b_start, p.a_start) for p in first.pairs)


def test_name_mentions_fallback() -> None:
    doc = make_doc("n", "Mukhtar Ablyazov spoke. Later ABLYAZOV left; Ablyazovs is not him.")
    spans = NameMentions("mukhtar-ablyazov").mentions(doc)
    assert [doc.text[s:e] for s, e, _ in spans] == ["Mukhtar Ablyazov", "ABLYAZOV"]


def test_saved_comparisons_roundtrip(tmp_path: Path) -> None:
    save_comparison(tmp_path, Comparison("Ablyazov", ("a", "b", "c"), "entity", "ablyazov"))
    save_comparison(tmp_path, Comparison("Two", ("a", "b")))
    saved = load_comparisons(tmp_path)
    assert [c.name for c in saved] == ["Ablyazov", "Two"]
    assert saved[0].documents == ("a", "b", "c") and saved[0].sync == "entity"
    try:
        save_comparison(tmp_path, Comparison("One", ("a",)))
    except ReaderError as exc:
        assert "2 to 4" in str(exc)
    else:
        raise AssertionError("a one-document comparison was accepted")


def test_corpus_weights_stream_cancel_and_match_the_list_build(tmp_path: Path) -> None:
    """The weights are counted from an iterator one document at a time; a cancelled build stores nothing."""
    from reader.core.align.similarity import CorpusStats

    ctx = AppContext.create()
    corpus = ctx.corpus()
    whole = CorpusStats.from_documents(list(corpus.documents()))
    seen: list[int] = []
    streamed = CorpusStats.build(corpus.documents(), cancelled=lambda: bool(seen.append(1)) and False)
    assert streamed == whole and len(seen) == len(corpus.metas())
    aligner = Aligner(tmp_path, corpus.documents, corpus_key="k1")
    assert not aligner.stats_ready
    assert aligner.prepare_stats(cancelled=lambda: True) is False
    assert not aligner.stats_ready and not list((tmp_path / "align").glob("stats-*.json"))
    assert aligner.prepare_stats() is True and aligner.stats_ready and aligner.stats == whole
    again = Aligner(tmp_path, lambda: iter(()), corpus_key="k1")  # a later session loads them from disk
    assert again.prepare_stats() is True and again.stats == whole
