"""W3C exports pass the Web Annotation Working Group's own model tests, note by note, and come back whole.

Every assertion of ``annotationMusts.test`` (../shared/testdata/web-annotation-tests) is checked
with jsonschema against each exported annotation on its own, as the W3C's test harness does.
Hypothesis's JSON export imports onto the document saved from the same page.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from reader.core.corpus import Corpus
from reader.core.notes.exchange import export_w3c, parse_import, url_lookup
from reader.core.notes.model import Note
from reader.core.notes.service import new_note
from tests.conftest import SHARED, write_doc

SUITE = SHARED / "testdata" / "web-annotation-tests"
pytestmark = pytest.mark.skipif(not SUITE.is_dir(), reason=f"{SUITE} absent (the W3C annotation test suite)")


def _registry():  # type: ignore[no-untyped-def]
    from referencing import Registry, Resource
    from referencing.jsonschema import DRAFT4

    resources = []
    for path in SUITE.rglob("*.json"):
        data = json.loads(path.read_text(encoding="utf-8"))
        if isinstance(data, dict) and "id" in data:
            resources.append((data["id"], Resource(data, specification=DRAFT4)))
    return Registry().with_resources(resources)


def failed_musts(annotation: dict) -> list[str]:
    jsonschema = pytest.importorskip("jsonschema")
    registry = _registry()
    test = json.loads((SUITE / "annotations" / "annotationMusts.test").read_text(encoding="utf-8"))
    failures = []
    for rel in test["assertions"]:
        schema = json.loads((SUITE / rel).read_text(encoding="utf-8"))
        valid = jsonschema.Draft4Validator(schema, registry=registry).is_valid(annotation)
        if valid != (schema.get("expectedResult", "valid") == "valid"):
            failures.append(f"{rel}: {schema.get('errorMessage')}")
    return failures


@pytest.fixture
def sample_notes(corpus_copy: Path) -> tuple[Corpus, list[Note]]:
    corpus = Corpus(corpus_copy).scan()
    doc = corpus.document("neo-outside-forces")
    start = doc.text.index("outside forces")
    notes = [
        new_note("c", doc, start, start + len("outside forces"), body="Claim *without* evidence",
                 tags=("claim", "outside"), color="red"),
        new_note("c", doc, None, None, body="About the whole piece"),
        new_note("c", doc, start, start + 7, body=""),  # a highlight: no body
    ]
    return corpus, notes


def test_every_exported_annotation_passes_every_must_on_its_own(sample_notes) -> None:  # type: ignore[no-untyped-def]
    corpus, notes = sample_notes
    data = json.loads(export_w3c(notes, lambda d: corpus.meta(d)))
    items = data["first"]["items"]
    assert len(items) == 3
    for item in items:
        assert failed_musts(item) == []
        assert item["@context"][0] == "http://www.w3.org/ns/anno.jsonld"
        assert "parallax" in item["@context"][1]  # the extension terms are defined
        assert item["stylesheet"]["type"] == "CssStylesheet"
        assert f".{item['target']['styleClass']} " in item["stylesheet"]["value"]


def test_w3c_round_trip_into_a_fresh_data_folder_is_lossless(sample_notes) -> None:  # type: ignore[no-untyped-def]
    corpus, notes = sample_notes
    text = export_w3c(notes, lambda d: corpus.meta(d))
    back = parse_import(text, "c")
    fields = ("id", "doc", "doc_hash", "start", "end", "exact", "prefix", "suffix", "original", "status", "kind",
              "body", "tags", "color", "created", "updated")
    assert [{f: getattr(n, f) for f in fields} for n in back] == [{f: getattr(n, f) for f in fields} for n in notes]
    one = json.loads(text)["first"]["items"][0]
    assert [n.id for n in parse_import(json.dumps(one), "c")] == [notes[0].id]  # one item alone imports too


def test_hypothesis_export_lands_on_the_document_saved_from_that_page(corpus_copy: Path) -> None:
    body = "\n\n".join(f"Paragraph {i} says something about the unrest and who is behind it." for i in range(6))
    write_doc(corpus_copy, "saved-page", body, url="https://news.example/2022/01/unrest")
    corpus = Corpus(corpus_copy).scan()
    meta = corpus.meta("saved-page")
    doc = corpus.document(meta.id)
    quote = doc.text[100:140]
    export = {"export_date": "2026-11-30T10:00:00Z", "export_userid": "acct:ana@hypothes.is",
              "annotations": [
                  {"id": "hX1", "created": "2026-11-29T09:00:00.000000+00:00",
                   "updated": "2026-11-29T09:05:00.000000+00:00", "user": "acct:ana@hypothes.is",
                   "uri": meta.url + "#comments", "text": "Reads like a **press release**", "tags": ["pr"],
                   "target": [{"source": meta.url, "selector": [
                       {"type": "TextPositionSelector", "start": 5000, "end": 5040},
                       {"type": "TextQuoteSelector", "exact": quote, "prefix": doc.text[80:100],
                        "suffix": doc.text[140:160]}]}],
                   "document": {"title": [meta.title]}},
                  {"id": "hX2", "created": "2026-11-29T09:00:00Z", "uri": "https://elsewhere.example/x",
                   "text": "not ours", "tags": [], "target": [{"source": "https://elsewhere.example/x"}]}]}
    incoming = parse_import(json.dumps(export), "c", url_lookup(corpus.metas()))
    [note] = incoming
    assert incoming.missing_urls == ["https://elsewhere.example/x"]
    assert note.doc == meta.id and note.exact == quote and note.body == "Reads like a **press release**"
    assert note.tags == ("pr",) and note.created.startswith("2026-11-29T09:00")
    again = parse_import(json.dumps(export), "c", url_lookup(corpus.metas()))
    assert [n.id for n in again] == [note.id]  # the same export twice is the same note
