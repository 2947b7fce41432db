"""``parallax entities``: JSON shapes, offsets that slice ``show --json`` text, overlay actions."""

from __future__ import annotations

import json
import time

import pytest

from reader.cli import main
from reader.core.entities.search_fields import RECHECK_SECONDS

DOC_IDS = ["frontier-post-alma-ata", "neo-outside-forces", "kavkazplus-gutted", "eadaily-ukrainian-trace",
           "moa-failed-rebellion"]


def run_json(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, dict]:
    code = main(list(argv))
    return code, json.loads(capsys.readouterr().out)


def test_list_json(capsys: pytest.CaptureFixture[str]) -> None:
    code, data = run_json(capsys, "entities", "--json")
    assert code == 0
    by_id = {e["id"]: e for e in data["entities"]}
    abl = by_id["ablyazov"]
    assert set(abl) >= {"id", "name", "type", "aliases", "mentions"}
    assert set(abl["mentions"]) == set(DOC_IDS) - {"kavkazplus-gutted"}
    assert all(n > 0 for n in abl["mentions"].values())
    assert by_id["tokayev"]["type"] == "person" and "Kassym-Zhomart Tokayev" in by_id["tokayev"]["aliases"]
    assert sorted(data["documents"]) == sorted(DOC_IDS)


@pytest.mark.parametrize("doc_id", DOC_IDS)
def test_doc_spans_slice_show_text(capsys: pytest.CaptureFixture[str], doc_id: str) -> None:
    _code, shown = run_json(capsys, "show", doc_id, "--json")
    code, data = run_json(capsys, "entities", "--doc", doc_id, "--json")
    assert code == 0 and data["doc"] == doc_id and len(data["mentions"]) > 20
    text = shown["text"]
    for m in data["mentions"]:
        assert text[m["start"]:m["end"]] == m["text"]
        assert set(m) == {"entity", "type", "start", "end", "text", "origin"}
        assert m["origin"] in ("gazetteer", "overlay", "recogniser")


def test_candidates_json(capsys: pytest.CaptureFixture[str]) -> None:
    code, data = run_json(capsys, "entities", "--candidates", "--json")
    assert code == 0
    erodgan = next(c for c in data["candidates"] if c["text"] == "Erodgan")
    assert erodgan["suggestion"]["entity"] == "erdogan" and erodgan["suggestion"]["score"] > 80
    assert erodgan["count"] == 1 and erodgan["docs"] == ["moa-failed-rebellion"]


def test_actions_change_counts(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["entities", "accept", "Erodgan"]) == 0
    assert "now a spelling of" in capsys.readouterr().out
    _c, data = run_json(capsys, "entities", "--json")
    assert next(e for e in data["entities"] if e["id"] == "erdogan")["mentions"]["moa-failed-rebellion"] == 10
    _c, cands = run_json(capsys, "entities", "--candidates", "--json")
    assert "Erodgan" not in [c["text"] for c in cands["candidates"]]

    assert main(["entities", "merge", "Kyiv", "ukraine"]) == 0
    assert main(["entities", "alias", "Mukhtar Ablyazov", "Wild Arman"]) == 0  # moved from its owner
    assert main(["entities", "type", "the-west", "place"]) == 0
    assert main(["entities", "rename", "csto", "CSTO (ODKB)"]) == 0
    assert main(["entities", "hide", "kazakhstan"]) == 0
    assert main(["entities", "dismiss", "Vladimir"]) == 0
    capsys.readouterr()
    _c, data = run_json(capsys, "entities", "--json")
    by_id = {e["id"]: e for e in data["entities"]}
    assert "kyiv" not in by_id and "Kiev" in by_id["ukraine"]["aliases"]
    assert by_id["ablyazov"]["mentions"]["moa-failed-rebellion"] == 14 + 3
    assert by_id["the-west"]["type"] == "place" and by_id["csto"]["name"] == "CSTO (ODKB)"
    assert "kazakhstan" not in by_id
    _c, cands = run_json(capsys, "entities", "--candidates", "--json")
    assert "Vladimir" not in [c["text"] for c in cands["candidates"]]


def test_add_entity_and_errors(capsys: pytest.CaptureFixture[str]) -> None:
    code, data = run_json(capsys, "entities", "add", "Chief of Defence Staff", "--type", "organisation", "--json")
    assert code == 0 and data["entity"]["id"] == "chief-of-defence-staff"
    assert main(["entities", "alias", "nobody-at-all", "X"]) == 2
    assert "no entity" in capsys.readouterr().err
    assert main(["entities", "--doc", "no-such-doc"]) == 2


def test_entity_edits_follow_a_moved_corpus(capsys: pytest.CaptureFixture[str], corpus_copy, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """The overlay is keyed by the corpus identity, not its folder: moving the folder keeps the edits."""
    code = main(["--corpus", str(corpus_copy), "entities", "alias", "tokayev", "Tokaev-Moved"])
    capsys.readouterr()
    assert code == 0
    moved = tmp_path / "elsewhere" / "renamed-corpus"
    moved.parent.mkdir()
    corpus_copy.rename(moved)
    code, data = run_json(capsys, "--corpus", str(moved), "entities", "--json")
    assert code == 0
    assert "Tokaev-Moved" in {e["id"]: e for e in data["entities"]}["tokayev"]["aliases"]


def test_overlay_keyed_by_path_is_adopted(capsys: pytest.CaptureFixture[str], corpus_copy, isolated_dirs) -> None:  # type: ignore[no-untyped-def]
    from reader.core.context import AppContext
    from reader.core.entities.api import overlay_path_for

    ctx = AppContext.create(corpus=str(corpus_copy))
    legacy = isolated_dirs["data"] / "overlays" / ctx.paths.corpus_cache_dir(corpus_copy).name / "entities.yaml"
    legacy.parent.mkdir(parents=True)
    legacy.write_text("ops:\n- {op: alias, entity: tokayev, alias: Tokaev-Legacy}\n", encoding="utf-8")
    path = overlay_path_for(ctx)
    assert path != legacy and path.is_file() and not legacy.exists()
    code, data = run_json(capsys, "--corpus", str(corpus_copy), "entities", "--json")
    assert code == 0
    assert "Tokaev-Legacy" in {e["id"]: e for e in data["entities"]}["tokayev"]["aliases"]


def test_an_alias_reaches_entity_search(capsys: pytest.CaptureFixture[str], corpus_copy) -> None:  # type: ignore[no-untyped-def]
    """The index's entity field reads the same overlay the CLI edits (keyed by corpus identity)."""
    doc = corpus_copy / "kavkazplus-gutted.md"  # the one document that never names Ablyazov
    doc.write_text(doc.read_text(encoding="utf-8") + "\nMukhtar Oblastovich said so.\n", encoding="utf-8")
    c = str(corpus_copy)
    code, data = run_json(capsys, "--corpus", c, "search", "entity:ablyazov", "--limit", "0", "--json")
    assert code == 0 and data["total"] == 4
    assert main(["--corpus", c, "entities", "alias", "ablyazov", "Mukhtar Oblastovich"]) == 0
    capsys.readouterr()
    time.sleep(RECHECK_SECONDS + 0.1)  # one process runs both commands here: let the field see the new overlay
    assert main(["--corpus", c, "index", "--rebuild"]) == 0
    capsys.readouterr()
    code, data = run_json(capsys, "--corpus", c, "search", "entity:ablyazov", "--limit", "0", "--json")
    assert code == 0 and data["total"] == 5
