"""``parallax notes``: the issue's acceptance steps, exports and imports, search, recovery at start."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import pytest

from reader.cli import main
from reader.core.notes.store import DB_NAME

DOC = "neo-outside-forces"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def _edit(path: Path, pattern: str, repl: str) -> None:
    text = path.read_text(encoding="utf-8")
    new, n = re.subn(pattern, repl, text, count=1)
    assert n == 1
    path.write_text(new, encoding="utf-8")


def listed(capsys: pytest.CaptureFixture[str], corpus: Path, *extra: str) -> list[dict]:
    code, out, _ = run(capsys, "--corpus", str(corpus), "notes", "list", "--json", *extra)
    assert code == 0
    return json.loads(out)["notes"]


def test_acceptance_fuzzy_then_orphan_and_exports(capsys: pytest.CaptureFixture[str], corpus_copy: Path,
                                                  tmp_path: Path) -> None:
    c = str(corpus_copy)
    code, out, _ = run(capsys, "--corpus", c, "notes", "add", "--doc", DOC, "--quote",
                       "those events were sparked by outside forces", "--text", "Claim *without* evidence",
                       "--tags", "claim,outside", "--color", "red")
    assert code == 0
    note_id = out.strip()
    assert re.fullmatch(r"[0-9a-f]{32}", note_id)
    [note] = listed(capsys, corpus_copy)
    assert set(note) == {"id", "doc", "quote", "start", "end", "status", "text", "tags", "color", "created",
                         "updated"}
    assert note["status"] == "anchored" and note["tags"] == ["claim", "outside"] and note["color"] == "red"
    old_start = note["start"]

    path = corpus_copy / f"{DOC}.md"
    _edit(path, r"(\n---\n\n)", r"\1An editor's paragraph, added at the top.\n\n")
    _edit(path, r"sparked(\s+by outside forces)", r"triggered\1")
    [note] = listed(capsys, corpus_copy)
    assert note["status"] == "fuzzy"
    assert note["start"] == old_start + len("An editor's paragraph, added at the top.\n\n")
    code, out, _ = run(capsys, "--corpus", c, "show", DOC, "--json")
    text = json.loads(out)["text"]
    assert re.fullmatch(r"those events were triggered\sby outside forces", text[note["start"]:note["end"]])

    _edit(path, r"Numerous publications[^\n]*\n\n", "")
    [note] = listed(capsys, corpus_copy)
    assert note["status"] == "orphan" and note["start"] is None
    assert listed(capsys, corpus_copy, "--status", "orphan")[0]["id"] == note_id
    assert listed(capsys, corpus_copy, "--status", "anchored") == []

    for fmt in ("md", "csv", "json", "w3c"):
        target = tmp_path / f"out.{fmt}"
        code, _, _ = run(capsys, "--corpus", c, "notes", "export", "--format", fmt, "-o", str(target))
        assert code == 0
        assert note_id in target.read_text(encoding="utf-8").replace("-", "")
    md = (tmp_path / "out.md").read_text(encoding="utf-8")
    assert "> those events were triggered" in md and "orphan" in md
    assert "New Eastern Outlook, “Kazakhstan’s Security was Undermined by Outside Forces”" in md
    assert "#claim" in md
    rows = list(csv.DictReader(io.StringIO((tmp_path / "out.csv").read_text(encoding="utf-8"))))
    assert rows[0]["status"] == "orphan" and rows[0]["outlet"] == "New Eastern Outlook"
    w3c = json.loads((tmp_path / "out.w3c").read_text(encoding="utf-8"))
    assert w3c["@context"][0] == "http://www.w3.org/ns/anno.jsonld" and w3c["type"] == "AnnotationCollection"


def _validate_w3c(data: dict) -> None:
    """The Web Annotation model's MUSTs for what we emit."""
    assert data["@context"][0] == "http://www.w3.org/ns/anno.jsonld"
    assert data["type"] == "AnnotationCollection" and isinstance(data["id"], str) and ":" in data["id"]
    page = data["first"]
    assert page["type"] == "AnnotationPage"
    assert data["total"] == len(page["items"])
    for ann in page["items"]:
        assert ann["type"] == "Annotation" and ann["id"].startswith("urn:uuid:")
        target = ann["target"]
        assert target["type"] == "SpecificResource" and ":" in target["source"]
        if "selector" not in target:  # a note on the whole document targets the whole resource
            assert ann["parallax:kind"] == "document"
            continue
        selectors = target["selector"] if isinstance(target["selector"], list) else [target["selector"]]
        kinds = {s["type"] for s in selectors}
        assert "TextQuoteSelector" in kinds
        for s in selectors:
            if s["type"] == "TextQuoteSelector":
                assert isinstance(s["exact"], str) and s["exact"]
                assert isinstance(s["prefix"], str) and isinstance(s["suffix"], str)
            if s["type"] == "TextPositionSelector":
                assert 0 <= s["start"] < s["end"]
        bodies = ann.get("body", [])
        for body in bodies if isinstance(bodies, list) else [bodies]:
            assert body["type"] == "TextualBody" and body["purpose"] in ("commenting", "tagging")


def test_w3c_round_trip_into_empty_data_dir(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    ids = []
    for quote, tags in (("outside forces", "a"), ("Kazakhstan", "b,c")):
        code, out, _ = run(capsys, "notes", "add", "--doc", DOC, "--quote", quote, "--tags", tags,
                           "--text", f"note on {quote}")
        assert code == 0
        ids.append(out.strip())
    code, out, _ = run(capsys, "notes", "add", "--doc", "moa-failed-rebellion", "--text", "whole piece",
                       "--color", "purple")
    ids.append(out.strip())
    target = tmp_path / "notes.jsonld"
    assert run(capsys, "notes", "export", "--format", "w3c", "-o", str(target))[0] == 0
    data = json.loads(target.read_text(encoding="utf-8"))
    assert data["total"] == 3
    original = listed(capsys, Path("corpus"))
    fresh = tmp_path / "fresh"
    for _ in range(2):  # importing twice never duplicates
        code, out, _ = run(capsys, "--data-dir", str(fresh), "notes", "import", str(target))
        assert code == 0
    assert "0 added" in out and "3 already present" in out
    code, out, _ = run(capsys, "--data-dir", str(fresh), "notes", "list", "--json")
    assert json.loads(out)["notes"] == original
    _validate_w3c(data)


def test_json_import_merges_by_id_newest_wins(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    _code, out, _ = run(capsys, "notes", "add", "--doc", DOC, "--quote", "outside forces", "--text", "v1")
    note_id = out.strip()
    export = tmp_path / "n.json"
    run(capsys, "notes", "export", "--format", "json", "-o", str(export))
    run(capsys, "notes", "edit", note_id[:8], "--text", "v2 newer")
    _code, out, _ = run(capsys, "notes", "import", str(export), "--json")
    assert json.loads(out) == {"added": 0, "updated": 0, "unchanged": 1}
    [note] = listed(capsys, Path("corpus"))
    assert note["text"] == "v2 newer"


def test_search_edit_attach_delete(capsys: pytest.CaptureFixture[str], corpus_copy: Path) -> None:
    c = str(corpus_copy)
    _, out, _ = run(capsys, "--corpus", c, "notes", "add", "--doc", DOC, "--quote", "outside forces",
                    "--text", "The CSTO angle matters", "--tags", "csto")
    note_id = out.strip()
    run(capsys, "--corpus", c, "notes", "add", "--doc", DOC, "--text", "unrelated")
    code, out, _ = run(capsys, "--corpus", c, "notes", "search", "csto", "--json")
    assert code == 0 and [n["id"] for n in json.loads(out)["notes"]] == [note_id]
    code, out, _ = run(capsys, "--corpus", c, "notes", "search", "note:tag:csto", "--json")
    assert [n["id"] for n in json.loads(out)["notes"]] == [note_id]
    assert run(capsys, "--corpus", c, "notes", "search", "nothing-like-this")[0] == 1
    code, _, _ = run(capsys, "--corpus", c, "notes", "edit", note_id, "--color", "green", "--tags", "x,y")
    assert code == 0
    got = {n["id"]: n for n in listed(capsys, corpus_copy)}[note_id]
    assert got["color"] == "green" and got["tags"] == ["x", "y"]
    assert run(capsys, "--corpus", c, "notes", "edit", note_id, "--color", "beige")[0] == 2
    # make it an orphan, then re-attach it elsewhere
    _edit(corpus_copy / f"{DOC}.md", r"outside\s+forces", "foreign powers")
    statuses = {n["id"]: n["status"] for n in listed(capsys, corpus_copy)}
    assert statuses[note_id] == "orphan"
    code, out, _ = run(capsys, "--corpus", c, "notes", "attach", note_id, "--quote", "foreign powers", "--json")
    assert code == 0 and json.loads(out)["status"] == "anchored"
    assert run(capsys, "--corpus", c, "notes", "delete", note_id)[0] == 0
    assert note_id not in {n["id"] for n in listed(capsys, corpus_copy)}
    code, _, err = run(capsys, "--corpus", c, "notes", "delete", note_id)
    assert code == 2 and "no note" in err


def test_bad_quote_and_occurrence(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "notes", "add", "--doc", DOC, "--quote", "words that are not there at all")
    assert code == 2 and "not in the document" in err
    code, _, err = run(capsys, "notes", "add", "--doc", DOC, "--quote", "Kazakhstan", "--occurrence", "999")
    assert code == 2 and "--occurrence" in err
    code, _out, err = run(capsys, "notes", "add", "--doc", DOC, "--quote", "Kazakhstan", "--occurrence", "2")
    assert code == 0
    [note] = listed(capsys, Path("corpus"))
    assert note["start"] > 0


def test_garbage_database_restored_at_start(capsys: pytest.CaptureFixture[str],
                                            isolated_dirs: dict[str, Path]) -> None:
    _, out, _ = run(capsys, "notes", "add", "--doc", DOC, "--quote", "outside forces")
    note_id = out.strip()
    db = isolated_dirs["data"] / "notes" / DB_NAME
    db.write_bytes(b"garbage " * 2000)
    code, out, err = run(capsys, "notes", "list", "--json")
    assert code == 0
    assert "Restored the newest good backup" in err and "damaged" in err
    assert [n["id"] for n in json.loads(out)["notes"]] == [note_id]
    kept = [p for p in db.parent.iterdir() if p.name.startswith(DB_NAME + ".damaged-")]
    assert kept and kept[0].read_bytes().startswith(b"garbage")


def test_reanchoring_runs_once_per_document_change(corpus_copy: Path, tmp_path: Path) -> None:
    from reader.core.context import AppContext
    from reader.core.notes.service import corpus_key, new_note, refresh_anchors
    from reader.core.notes.store import NoteStore

    ctx = AppContext.create(corpus=str(corpus_copy))
    doc = ctx.corpus().document(DOC)
    start = doc.text.index("outside forces")
    with NoteStore.open(ctx.paths.data_dir) as store:
        store.add(new_note(corpus_key(ctx), doc, start, start + 14))
        assert refresh_anchors(store, ctx.corpus(), corpus_key(ctx)) == []  # text unchanged: no work
        _edit(corpus_copy / f"{DOC}.md", r"(\n---\n\n)", r"\1New first paragraph.\n\n")
        ctx.corpus().scan()
        first = refresh_anchors(store, ctx.corpus(), corpus_key(ctx))
        assert [n.status for n in first] == ["moved"]
        assert refresh_anchors(store, ctx.corpus(), corpus_key(ctx)) == []  # stored: not again
        revision = store.revision
        refresh_anchors(store, ctx.corpus(), corpus_key(ctx))
        assert store.revision == revision


def test_read_only_data_dir_refuses_changes_clearly(capsys: pytest.CaptureFixture[str],
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    from reader.core.notes import store as store_mod

    assert run(capsys, "notes", "add", "--doc", DOC, "--quote", "outside forces")[0] == 0
    monkeypatch.setattr(store_mod, "_writable", lambda _folder: False)
    code, out, err = run(capsys, "notes", "list", "--json")
    assert code == 0 and len(json.loads(out)["notes"]) == 1 and "cannot be written" in err
    code, out, err = run(capsys, "notes", "add", "--doc", DOC, "--quote", "Kazakhstan")
    assert code == 2 and "read-only" in err and out == ""


def test_full_disk_during_add_is_reported_not_a_crash(capsys: pytest.CaptureFixture[str],
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    import sqlite3

    from reader.core.notes.store import NoteStore

    real_open = NoteStore.open.__func__  # type: ignore[attr-defined]

    def tiny_disk(cls: type[NoteStore], data_dir: Path) -> NoteStore:
        store = real_open(cls, data_dir)
        pages = store._conn.execute("PRAGMA page_count").fetchone()[0]
        store._conn.execute(f"PRAGMA max_page_count = {pages}")  # the next page cannot be written
        return store

    assert run(capsys, "notes", "add", "--doc", DOC, "--quote", "outside forces")[0] == 0
    monkeypatch.setattr(NoteStore, "open", classmethod(tiny_disk))
    code, out, err = run(capsys, "notes", "add", "--doc", DOC, "--quote", "Kazakhstan", "--text", "x" * 20000)
    assert code == 2 and "disk is full" in err and out == ""
    monkeypatch.setattr(NoteStore, "open", classmethod(real_open))  # (not undo(): that drops the tmp dirs too)
    assert len(listed(capsys, Path("corpus"))) == 1
    assert sqlite3.connect(":memory:")  # the process is alive and well
