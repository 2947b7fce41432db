"""Recognition on any corpus: the shipped model, resolution of short forms, the user's word on top.

Core tests use texts written here; the acceptance check imports 30 BBC politics articles from
``../shared/testdata`` (skipped with a reason when that folder is absent).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from reader.cli import main
from reader.core.document import Document, DocumentMeta, build_document
from reader.core.entities.api import EntityService
from reader.core.entities.conll import read_conll, score, spans_of
from reader.core.entities.model import EntityError
from reader.core.entities.ner_features import sentences, tokenize
from reader.core.entities.recogniser import default_recogniser
from reader.core.entities.resolution import Rules, acronym_pairs, build_table, name_key, resolve_document, strip_title
from tests.conftest import SHARED, write_doc

BBC_POLITICS = SHARED / "testdata" / "bbc-news" / "politics"
DAYS = {"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"}

STORY_A = ("BLAIR FACES LABOUR REVOLT\n\n"
           "Prime Minister Tony Blair faced a revolt on Wednesday. Mr Blair told the BBC in London that "
           "Labour would not change course. Blair's critics disagreed.\n\n"
           "I'm not worried, said Gordon Brown. Today the Democratic Choice of Kazakhstan (DCK) met in Almaty; "
           "the DCK said it would campaign.")
STORY_B = ("Election plans\n\nMr Blair and Mr Brown spoke in Manchester on Monday. The DCK was not mentioned. "
           "Mr Blair said Labour would win.")


def make_doc(text: str, doc_id: str) -> Document:
    meta = DocumentMeta(doc_id, doc_id, "Test", "", None, Path(f"/virtual/{doc_id}.md"))
    return build_document(meta, text)[0]


def texts_of(doc: Document, svc: EntityService, entity_id: str) -> list[str]:
    return [m.text for m in svc.mentions(doc) if m.entity_id == entity_id]


# -- tokens and the model ------------------------------------------------------------------------
def test_tokens_keep_offsets_and_split_possessives() -> None:
    text = "Blair's U.S. trip to Alma-Ata (AT&T) – I'm sure."
    words = [text[s:e] for s, e in tokenize(text)]
    assert words == ["Blair", "'s", "U.S.", "trip", "to", "Alma-Ata", "(", "AT&T", ")", "–", "I", "'m", "sure", "."]
    assert [len(s) for s in sentences("One. Two!\nThree")] == [2, 2, 1]


def test_model_recognises_typed_mentions_with_exact_offsets() -> None:
    rec = default_recogniser()
    assert rec is not None and rec.load_seconds < 5
    text = "Tony Blair met Gordon Brown in London on Wednesday, and Labour said so. I'm told the BBC agreed."
    found = {text[s:e]: t for s, e, t in rec.recognise(text)}
    assert found["Tony Blair"] == "person" and found["Gordon Brown"] == "person"
    assert found["London"] == "place" and found["Labour"] == "organisation"
    assert not ({"Wednesday", "I", "I'm"} & set(found))


def test_conll_reading_and_scoring(tmp_path: Path) -> None:
    path = tmp_path / "mini.txt"
    path.write_text("-DOCSTART- -X- -X- O\n\nEU NNP B-NP I-ORG\nrejects VBZ B-VP O\nPeter NNP B-NP I-PER\n"
                    "Blackburn NNP I-NP I-PER\n\n", encoding="utf-8")
    docs = read_conll(path)
    tags = [t for _w, t in docs[0][0]]
    assert tags == ["B-ORG", "O", "B-PER", "I-PER"]  # IOB1 as shipped becomes IOB2
    assert spans_of(tags) == [(0, 1, "ORG"), (2, 4, "PER")]
    s = score([tags], [["B-ORG", "O", "B-PER", "O"]])
    assert s["ORG"].f1 == 1.0 and s["PER"].tp == 0 and s["all"].precision == 0.5 and s["all"].recall == 0.5


# -- resolution ----------------------------------------------------------------------------------
def test_titles_folding_and_acronyms() -> None:
    text = "Prime Minister Tony Blair"
    assert text[slice(*strip_title(text, 0, len(text)))] == "Tony Blair"
    assert strip_title("Mr Blair", 0, 8) == (3, 8) and strip_title("Blair", 0, 5) == (0, 5)
    assert name_key("Alma-Ata") == name_key("ALMA ATA") == name_key("alma–ata")
    assert name_key("Erdoğan") == name_key("ERDOGAN")
    t = "the Democratic Choice of Kazakhstan (DCK) said"
    start = t.index("Democratic")
    assert acronym_pairs(t, [(start, start + len("Democratic Choice of Kazakhstan"), "organisation")]) == {
        "dck": "democratic choice of kazakhstan"}


def test_short_forms_resolve_in_document_then_corpus() -> None:
    rec = default_recogniser()
    assert rec is not None
    docs = [("a", STORY_A, [list(s) for s in rec.recognise(STORY_A)]),
            ("b", STORY_B, [list(s) for s in rec.recognise(STORY_B)])]
    table = build_table(docs, Rules())
    res = {d: resolve_document(d, text, raw, Rules(), table) for d, text, raw in docs}
    by_text_a = {(STORY_A[s:e], s): ent for s, e, ent, _t in res["a"]}
    blair_a = {ent for (txt, _s), ent in by_text_a.items() if txt.casefold() == "blair" or txt == "Tony Blair"}
    assert blair_a == {"tony-blair"}  # the headline in capitals, "Mr Blair", "Blair's" and the full name
    assert ("BLAIR", 0) in by_text_a
    dck = {ent for (txt, _s), ent in by_text_a.items() if txt in ("DCK", "Democratic Choice of Kazakhstan")}
    assert dck == {"democratic-choice-of-kazakhstan"}
    # document B never gives the full names: the corpus does
    by_text_b = {STORY_B[s:e]: ent for s, e, ent, _t in res["b"]}
    assert by_text_b["Blair"] == "tony-blair" and by_text_b["Brown"] == "gordon-brown"
    assert by_text_b.get("DCK") == "democratic-choice-of-kazakhstan"
    names = {STORY_A[s:e].casefold() for s, e, _x, _t in res["a"]} | set(by_text_b)
    assert not (names & (DAYS | {"i", "i'm", "today", "mr", "prime minister"}))
    assert table.types["tony-blair"] == "person" and table.types["labour"] == "organisation"


@pytest.fixture
def svc(tmp_path: Path) -> EntityService:
    gaz = tmp_path / "entities.yaml"
    gaz.write_text("entities:\n  - {id: brown, name: Gordon Brown, type: person, aliases: [Chancellor Brown]}\n",
                   encoding="utf-8")
    docs = [make_doc(STORY_A, "a"), make_doc(STORY_B, "b")]
    service = EntityService(gaz, tmp_path / "data" / "entities.yaml", tmp_path / "cache" / "entities",
                            documents=lambda: docs)
    service.recognise(workers=1)
    return service


def test_curated_list_wins_and_recognition_fills_the_rest(svc: EntityService) -> None:
    a, b = svc.documents()
    assert texts_of(a, svc, "brown") == ["Gordon Brown"]  # the curated entity, not a second "gordon-brown"
    assert "gordon-brown" not in {e.id for e in svc.entities()}
    assert texts_of(b, svc, "brown") == ["Brown"]  # a bare surname resolves to the curated person too
    assert svc.origin("brown") == "gazetteer" and svc.origin("tony-blair") == "recogniser"
    origins = {m.text: o for m, o in svc.mention_origins(a)}
    assert origins["Gordon Brown"] == "gazetteer" and origins["Tony Blair"] == "recogniser"
    assert set(texts_of(a, svc, "tony-blair")) == {"BLAIR", "Tony Blair", "Blair"}
    for m in svc.mentions(a):
        assert a.text[m.start:m.end] == m.text


def test_cached_mentions_survive_a_restart(svc: EntityService, tmp_path: Path) -> None:
    a = svc.documents()[0]
    first = svc.spans(a)
    again = EntityService(svc.gazetteer_path, svc.overlay_path, tmp_path / "cache" / "entities",
                          documents=svc._documents)
    again.recognise_on_demand = False  # must come from the derived store, not the model
    assert again.spans(a) == first
    assert not again.needs_recognition()


def test_reject_split_merge_unmerge_and_undo(svc: EntityService) -> None:
    a, b = svc.documents()
    svc.reject("Almaty", "a")
    assert "almaty" not in {m.entity_id for m in svc.mentions(a)}
    svc.undo()
    assert "almaty" in {m.entity_id for m in svc.mentions(a)}
    svc.reject("London")
    assert "london" not in {e.id for e in svc.entities()}
    # split: "Blair" is not Tony Blair
    svc.split("tony-blair", "Blair")
    assert "Blair" not in texts_of(b, svc, "tony-blair") and texts_of(b, svc, "blair") == ["Blair", "Blair"]
    svc.undo()
    assert texts_of(b, svc, "tony-blair") == ["Blair", "Blair"]
    # merge and unmerge a recognised entity into another
    svc.merge("labour", "tony-blair")
    assert svc.entity("labour").id == "tony-blair" and "Labour" in texts_of(a, svc, "tony-blair")
    svc.unmerge("labour")
    assert svc.entity("labour").name == "Labour" and "Labour" not in texts_of(a, svc, "tony-blair")
    svc.undo()  # takes the unmerge back: merged again
    assert svc.entity("labour").id == "tony-blair"
    svc.set_type("tony-blair", "group")
    assert svc.entity("tony-blair").type == "group"
    with pytest.raises(EntityError, match="not merged"):
        svc.unmerge("london")
    while svc.last_change() is not None:
        svc.undo()
    with pytest.raises(EntityError, match="nothing to undo"):
        svc.undo()
    assert svc.entity("labour").type == "organisation" and svc.entity("tony-blair").type == "person"


def test_recognition_can_be_off(tmp_path: Path) -> None:
    docs = [make_doc(STORY_A, "a")]
    off = EntityService(None, None, tmp_path / "c" / "entities", documents=lambda: docs, recognise=False)
    assert off.recognise_on_demand and not off.needs_recognition() and off.spans(docs[0]) == []


# -- the CLI on an imported corpus ---------------------------------------------------------------
def run_json(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, dict]:
    code = main(list(argv))
    return code, json.loads(capsys.readouterr().out)


def test_cli_recognise_doc_and_undo(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "mine"
    folder.mkdir()
    write_doc(folder, "story-a", STORY_A.split("\n\n", 1)[1])
    write_doc(folder, "story-b", STORY_B.split("\n\n", 1)[1])
    code, report = run_json(capsys, "--corpus", str(folder), "entities", "recognise", "--json")
    assert code == 0 and report["documents"] == 2 and report["recognised"] == 2 and report["entities"] >= 5
    code, data = run_json(capsys, "--corpus", str(folder), "entities", "--doc", "story-b", "--json")
    by_text = {m["text"]: m for m in data["mentions"]}
    assert by_text["Blair"]["entity"] == "tony-blair" and by_text["Blair"]["origin"] == "recogniser"
    assert by_text["Blair"]["type"] == "person"
    code, _ = run_json(capsys, "--corpus", str(folder), "entities", "merge", "Labour", "Tony Blair", "--json")
    code, data = run_json(capsys, "--corpus", str(folder), "entities", "--json")
    assert "labour" not in {e["id"] for e in data["entities"]}
    code, _ = run_json(capsys, "--corpus", str(folder), "entities", "unmerge", "labour", "--json")
    assert code == 0
    code, data = run_json(capsys, "--corpus", str(folder), "entities", "--json")
    assert {e["id"]: e["type"] for e in data["entities"]}["labour"] == "organisation"
    code, undone = run_json(capsys, "--corpus", str(folder), "entities", "undo", "--json")
    assert code == 0 and undone["undone"]["op"] == "unmerge"
    assert main(["--corpus", str(folder), "entities", "undo"]) == 0
    capsys.readouterr()
    assert main(["--corpus", str(folder), "entities", "undo"]) != 0  # nothing left: one clear line
    assert "nothing to undo" in capsys.readouterr().err


@pytest.mark.slow
@pytest.mark.skipif(not BBC_POLITICS.is_dir(), reason=f"BBC News test data not found at {BBC_POLITICS}")
def test_bbc_politics_acceptance(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """30 BBC politics articles imported into a new corpus: Blair is one person, Labour an
    organisation, London a place, no day names or "I'm", and the matrix lists them by document."""
    data_dir = tmp_path / "home"
    assert main(["--data-dir", str(data_dir), "corpus", "new", "bbc-politics"]) == 0
    files = sorted(BBC_POLITICS.glob("*.txt"))[:30]
    assert main(["--data-dir", str(data_dir), "import", "--quiet", *map(str, files)]) == 0
    capsys.readouterr()
    code, report = run_json(capsys, "--data-dir", str(data_dir), "entities", "recognise", "--json")
    assert code == 0 and report["documents"] == 30 and report["mentions"] > 300
    code, data = run_json(capsys, "--data-dir", str(data_dir), "entities", "--json")
    by_id = {e["id"]: e for e in data["entities"]}
    blair = by_id["tony-blair"]
    assert blair["type"] == "person" and blair["origin"] == "recogniser" and "Blair" in blair["aliases"]
    assert "blair" not in by_id and "mr-blair" not in by_id
    assert by_id["labour"]["type"] == "organisation" and by_id["london"]["type"] == "place"
    names = {e["name"].casefold() for e in data["entities"]}
    assert not (names & (DAYS | {"i'm", "i’m", "i"}))
    # the coverage matrix: entities by document
    assert len(blair["mentions"]) >= 10 and set(blair["mentions"]) <= set(data["documents"])
    assert len(by_id["labour"]["mentions"]) >= 10
    # every spelling of Blair in a document is that one entity, "Mr Blair" included
    doc_id = max(blair["mentions"], key=lambda d: blair["mentions"][d])
    code, shown = run_json(capsys, "--data-dir", str(data_dir), "show", doc_id, "--json")
    code, doc = run_json(capsys, "--data-dir", str(data_dir), "entities", "--doc", doc_id, "--json")
    text = shown["text"]
    blairs = [m for m in doc["mentions"] if m["text"] in ("Blair", "Tony Blair")]
    assert blairs and all(m["entity"] == "tony-blair" for m in blairs)
    assert any(text[m["start"] - 3:m["start"]] == "Mr " for m in blairs)
    assert all(text[m["start"]:m["end"]] == m["text"] for m in doc["mentions"])
