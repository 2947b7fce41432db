"""The bundled corpus: five documents, no problems, article text word for word from the seeds."""

from __future__ import annotations

import re

import pytest

from reader.core.corpus import Corpus
from reader.core.paths import bundled_corpus_path
from tests.conftest import SHARED

EXPECTED = {
    "frontier-post-alma-ata": ("The Frontier Post", "2022-01-07"),
    "neo-outside-forces": ("New Eastern Outlook", "2022-01-07"),
    "moa-failed-rebellion": ("Moon of Alabama", "2022-01-08"),
    "kavkazplus-gutted": ("Kavkazplus", "2022-01-09"),
    "eadaily-ukrainian-trace": ("EADaily", "2022-01-10"),
}
FURNITURE = ("Similar Posts", "Leave a Reply", "Read: 595", "comments powered by", "Write comment",
             "previous page", "comments to this entry are closed", "Permalink")


def test_five_documents_no_problems() -> None:
    docs, problems = Corpus(bundled_corpus_path()).check()
    assert problems == []
    assert {d.id: (d.meta.outlet, d.meta.published) for d in docs} == EXPECTED
    assert all(d.meta.title for d in docs)


def test_moon_of_alabama_has_comments() -> None:
    doc = Corpus(bundled_corpus_path()).scan().document("moa-failed-rebellion")
    assert [s.name for s in doc.sections] == ["article", "comments"]
    assert len(doc.comments) == 18
    assert doc.comments[0].author == "Oui" and doc.comments[0].number == 201
    assert doc.comments[-1].author == "Bemildred" and doc.comments[-1].posted == "2022-01-21T19:40:00Z"
    assert "Erdogan" in doc.section_text("comments")


def test_no_page_furniture() -> None:
    for doc in Corpus(bundled_corpus_path()).scan().documents():
        for junk in FURNITURE:
            assert junk not in doc.text, (doc.id, junk)


@pytest.mark.skipif(not (SHARED / "seeds").is_dir(), reason="../shared/seeds not present")
def test_every_paragraph_is_verbatim_from_the_seeds() -> None:
    seeds = {p.name: p.read_text(encoding="utf-8") for p in (SHARED / "seeds").glob("*.txt")}
    for doc in Corpus(bundled_corpus_path()).scan().documents():
        source = seeds[doc.meta.extra["provenance"]["seed"]]
        for para in re.split(r"\n\n", doc.text):
            assert para in source, (doc.id, para[:60])
    hyphenated = Corpus(bundled_corpus_path()).scan()
    joined = " ".join(d.text for d in hyphenated.documents())
    assert "peaceful protestors" in joined and "\u00a0" in joined  # curly quotes and NBSP kept
    for artefact in ("allow-ed", "fo-rces", "cou-p"):  # hyphenation artefacts stay as printed
        assert artefact in joined
