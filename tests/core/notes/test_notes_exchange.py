"""Carrying notes between corpora: export, import, copies, moved folders, notes from before identities.

Issue 13, failure 6: exporting from the sample, making an editable copy and importing printed
"0 added … 3 already present", and a newer exported copy moved the note out of its original
corpus. Notes are keyed by the corpus's identity (``id`` in ``corpus.yaml``), an import into
another corpus re-keys them (new ids, origin kept), and nothing ever leaves its corpus.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reader.cli import main
from reader.core.corpus import SAMPLE_ID, Corpus, corpus_identity
from reader.core.notes.exchange import (
    ORIGINS_FILE,
    export_json,
    export_w3c,
    load_origins,
    merge_notes,
    parse_import,
    rekeyed_id,
)
from reader.core.notes.service import new_note
from reader.core.notes.store import NoteStore
from tests.conftest import BUNDLED

DOC = "kavkazplus-gutted"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def listed(capsys: pytest.CaptureFixture[str], *corpus: str) -> list[dict]:
    code, out, err = run(capsys, *corpus, "notes", "list", "--json")
    assert code == 0, err
    return json.loads(out)["notes"]


def add_three(capsys: pytest.CaptureFixture[str], *corpus: str) -> list[str]:
    ids = []
    for args in (["--quote", "seems that", "--text", "one"], ["--quote", "Tokayev", "--text", "two"],
                 ["--text", "whole document"]):
        code, out, err = run(capsys, *corpus, "notes", "add", "--doc", DOC, *args)
        assert code == 0, err
        ids.append(out.strip())
    return ids


def test_export_from_sample_then_import_into_copy_adds_every_note(capsys: pytest.CaptureFixture[str],
                                                                   tmp_path: Path,
                                                                   isolated_dirs: dict[str, Path]) -> None:
    originals = add_three(capsys)
    export = tmp_path / "sample.json"
    assert run(capsys, "notes", "export", "--format", "json", "-o", str(export))[0] == 0
    assert json.loads(export.read_text(encoding="utf-8"))["corpus"] == {"id": SAMPLE_ID}
    assert run(capsys, "corpus", "copy-sample")[0] == 0
    copy = isolated_dirs["data"] / "corpora" / "sample"
    assert corpus_identity(copy) not in (SAMPLE_ID, str(copy))
    code, out, _ = run(capsys, "notes", "import", str(export))
    assert code == 0
    assert "3 added, 0 updated, 0 already present" in out
    in_copy = listed(capsys)
    assert len(in_copy) == 3 and not {n["id"] for n in in_copy} & set(originals)
    assert {n["text"] for n in in_copy} == {"one", "two", "whole document"}
    # importing again changes nothing and duplicates nothing
    code, out, _ = run(capsys, "notes", "import", str(export), "--json")
    assert json.loads(out) == {"added": 0, "updated": 0, "unchanged": 3, "rekeyed": 3}
    assert len(listed(capsys)) == 3
    # the sample keeps its own three, untouched
    sample = listed(capsys, "--corpus", str(BUNDLED))
    assert sorted(n["id"] for n in sample) == sorted(originals)
    # provenance: each copy knows the note and corpus it came from, and says so in its export
    origins = json.loads((isolated_dirs["data"] / "notes" / ORIGINS_FILE).read_text(encoding="utf-8"))["origins"]
    assert {o["id"] for o in origins.values()} == set(originals)
    assert {o["corpus"] for o in origins.values()} == {SAMPLE_ID}
    again = tmp_path / "copy.json"
    run(capsys, "notes", "export", "--format", "json", "-o", str(again))
    data = json.loads(again.read_text(encoding="utf-8"))
    assert data["corpus"]["id"] == corpus_identity(copy)
    assert {r["origin"]["id"] for r in data["notes"]} == set(originals)


def test_a_newer_exported_copy_never_moves_a_note_out_of_its_corpus(capsys: pytest.CaptureFixture[str],
                                                                   tmp_path: Path) -> None:
    originals = add_three(capsys)
    export = tmp_path / "sample.json"
    run(capsys, "notes", "export", "--format", "json", "-o", str(export))
    data = json.loads(export.read_text(encoding="utf-8"))
    for record in data["notes"]:
        record["text"] += " (edited later, elsewhere)"
        record["updated"] = "2099-01-01T00:00:00.000Z"
    export.write_text(json.dumps(data), encoding="utf-8")
    run(capsys, "corpus", "copy-sample")
    for flags in ([], ["--merge-same-corpus"]):
        code, _out, err = run(capsys, "notes", "import", str(export), *flags)
        assert code == 0, err
        sample = listed(capsys, "--corpus", str(BUNDLED))
        assert sorted(n["id"] for n in sample) == sorted(originals), flags
        assert not any("edited later" in n["text"] for n in sample), flags
        copy = listed(capsys)
        assert len(copy) == 3 and all("edited later" in n["text"] for n in copy), flags


def test_a_copy_coming_home_merges_into_the_note_it_came_from(capsys: pytest.CaptureFixture[str],
                                                             tmp_path: Path) -> None:
    originals = add_three(capsys)
    out_of_sample = tmp_path / "sample.json"
    run(capsys, "notes", "export", "--format", "w3c", "-o", str(out_of_sample))
    run(capsys, "corpus", "copy-sample")
    run(capsys, "notes", "import", str(out_of_sample))
    copied = listed(capsys)
    run(capsys, "notes", "edit", copied[0]["id"], "--text", "improved in the copy")
    back = tmp_path / "copy.w3c.json"
    run(capsys, "notes", "export", "--format", "w3c", "-o", str(back))
    code, out, _ = run(capsys, "--corpus", str(BUNDLED), "notes", "import", str(back))
    assert code == 0 and "0 added, 1 updated, 2 already present" in out
    sample = listed(capsys, "--corpus", str(BUNDLED))
    assert sorted(n["id"] for n in sample) == sorted(originals)
    assert "improved in the copy" in {n["text"] for n in sample}


def test_merge_same_corpus_keeps_ids_for_notes_not_yet_here(capsys: pytest.CaptureFixture[str],
                                                           tmp_path: Path, corpus_copy: Path) -> None:
    (corpus_copy / "corpus.yaml").write_text("title: Elsewhere\nid: other-machine\n", encoding="utf-8")
    ids = add_three(capsys, "--corpus", str(corpus_copy))
    export = tmp_path / "n.json"
    run(capsys, "--corpus", str(corpus_copy), "notes", "export", "--format", "json", "-o", str(export))
    for nid in ids:
        run(capsys, "--corpus", str(corpus_copy), "notes", "delete", nid)
    target = tmp_path / "same-but-new-id"
    shutil.copytree(corpus_copy, target)
    (target / "corpus.yaml").write_text("title: Elsewhere\nid: this-machine\n", encoding="utf-8")
    code, out, _ = run(capsys, "--corpus", str(target), "notes", "import", str(export), "--merge-same-corpus")
    assert code == 0 and "3 added" in out and "another corpus" not in out
    assert sorted(n["id"] for n in listed(capsys, "--corpus", str(target))) == sorted(ids)


def test_moving_the_sample_folder_does_not_hide_its_notes(capsys: pytest.CaptureFixture[str],
                                                         tmp_path: Path) -> None:
    ids = add_three(capsys)
    moved = tmp_path / "somewhere" / "else"
    shutil.copytree(BUNDLED, moved)  # as an upgrade that installs the sample in a new place
    assert sorted(n["id"] for n in listed(capsys, "--corpus", str(moved))) == sorted(ids)


def test_moving_a_user_corpus_keeps_its_notes(capsys: pytest.CaptureFixture[str], tmp_path: Path,
                                              corpus_copy: Path) -> None:
    (corpus_copy / "corpus.yaml").write_text("# mine\ntitle: Mine\n", encoding="utf-8")
    ids = add_three(capsys, "--corpus", str(corpus_copy))
    text = (corpus_copy / "corpus.yaml").read_text(encoding="utf-8")
    assert text.startswith("# mine\ntitle: Mine\n") and "\nid: " in text  # written on first use, comments kept
    moved = tmp_path / "renamed"
    corpus_copy.rename(moved)
    assert sorted(n["id"] for n in listed(capsys, "--corpus", str(moved))) == sorted(ids)


def test_notes_keyed_by_path_or_bundled_are_adopted_on_first_open(capsys: pytest.CaptureFixture[str],
                                                                  corpus_copy: Path,
                                                                  isolated_dirs: dict[str, Path]) -> None:
    """Before identities, notes were keyed ``bundled`` (the sample) or by folder path."""
    (corpus_copy / "corpus.yaml").write_text("title: Old corpus\n", encoding="utf-8")
    sample = Corpus(BUNDLED).scan()
    doc = sample.document(DOC)
    store = NoteStore.open(isolated_dirs["data"])
    legacy_sample = new_note("bundled", doc, 0, 10, body="from an older version, on the sample")
    legacy_user = new_note(str(corpus_copy.resolve()), doc, 0, 10, body="from an older version, on mine")
    store.add(legacy_sample)
    store.add(legacy_user)
    store.close()
    assert [n["id"] for n in listed(capsys)] == [legacy_sample.id]
    assert [n["id"] for n in listed(capsys, "--corpus", str(corpus_copy))] == [legacy_user.id]
    identity = corpus_identity(corpus_copy)
    assert identity != str(corpus_copy.resolve())
    with NoteStore.open(isolated_dirs["data"]) as store:
        assert {n.corpus for n in store.notes()} == {SAMPLE_ID, identity}
        assert store.get(legacy_user.id) is not None and store.get(legacy_user.id).body.endswith("on mine")


def test_a_read_only_corpus_without_an_id_is_keyed_by_its_path(capsys: pytest.CaptureFixture[str],
                                                              corpus_copy: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """Where corpus.yaml cannot be written, the folder's path stays the key (as before identities)."""
    (corpus_copy / "corpus.yaml").write_text("title: Frozen\n", encoding="utf-8")

    def refused(path: Path, *_a: object, **_k: object) -> None:
        raise PermissionError(13, "Permission denied", str(path))

    monkeypatch.setattr("reader.core.corpus.atomic_write_text", refused)
    ids = add_three(capsys, "--corpus", str(corpus_copy))
    assert corpus_identity(corpus_copy) == str(corpus_copy.resolve())
    assert sorted(n["id"] for n in listed(capsys, "--corpus", str(corpus_copy))) == sorted(ids)
    assert (corpus_copy / "corpus.yaml").read_text(encoding="utf-8") == "title: Frozen\n"


def test_a_broken_corpus_yaml_is_never_rewritten(tmp_path: Path) -> None:
    folder = tmp_path / "c"
    folder.mkdir()
    (folder / "corpus.yaml").write_text("title: [broken\n", encoding="utf-8")
    assert corpus_identity(folder) == str(folder.resolve())
    assert (folder / "corpus.yaml").read_text(encoding="utf-8") == "title: [broken\n"


# -- the merge rules, on the store directly -------------------------------------------------------
def _store_with(tmp_path: Path, corpus: str, n: int) -> tuple[NoteStore, list]:
    doc = Corpus(BUNDLED).scan().document(DOC)
    store = NoteStore.open(tmp_path / "data")
    notes = [new_note(corpus, doc, 10 * i, 10 * i + 5, body=f"note {i}") for i in range(n)]
    store.put_many(notes)
    return store, notes


def test_w3c_export_names_its_corpus_and_reimport_into_it_merges(tmp_path: Path) -> None:
    store, notes = _store_with(tmp_path, "corpus-a", 3)
    with store:
        text = export_w3c(notes, lambda _d: None)
        assert json.loads(text)["parallax:corpus"] == "corpus-a"
        incoming = parse_import(text, "corpus-a")
        assert incoming.source_corpus == "corpus-a"
        result = merge_notes(store, incoming)
        assert (result.added, result.updated, result.unchanged, result.rekeyed) == (0, 0, 3, 0)
        assert load_origins(store) == {}


def test_an_old_export_without_a_corpus_merges_notes_already_here(tmp_path: Path) -> None:
    store, notes = _store_with(tmp_path, "corpus-a", 2)
    with store:
        data = json.loads(export_json(notes))
        del data["corpus"]
        result = merge_notes(store, parse_import(json.dumps(data), "corpus-a"))
        assert (result.added, result.unchanged) == (0, 2)
        into_b = merge_notes(store, parse_import(json.dumps(data), "corpus-b"))
        assert (into_b.added, into_b.rekeyed) == (2, 2)
        assert {n.id for n in store.notes(corpus="corpus-b")} == {rekeyed_id("corpus-b", "", n.id) for n in notes}
        assert len(store.notes(corpus="corpus-a")) == 2


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(st.integers(0, 4), st.booleans(), st.sampled_from(["corpus-a", "corpus-b", "corpus-c"]),
                          st.booleans()), min_size=1, max_size=8))
def test_property_imports_never_touch_other_corpora_and_are_idempotent(tmp_path_factory: pytest.TempPathFactory,
                                                                       steps: list) -> None:
    """Any sequence of exports and imports: a corpus's own notes only change by merging a
    newer copy of themselves, nothing moves corpus, and repeating the last import is a no-op."""
    tmp = tmp_path_factory.mktemp("prop")
    doc = Corpus(BUNDLED).scan().document(DOC)
    with NoteStore.open(tmp / "data") as store:
        store.put_many([new_note("corpus-a", doc, 10 * i, 10 * i + 5, body=f"a{i}") for i in range(3)])
        last = None
        for source_index, newer, target, merge_flag in steps:
            sources = ["corpus-a", "corpus-b", "corpus-c"]
            source = sources[source_index % 3]
            notes = store.notes(corpus=source)
            if newer:
                notes = [n.with_changes(body=n.body + "+", updated="2099-01-01T00:00:00.000Z") for n in notes]
            text = export_json(notes, load_origins(store)) if notes else None
            if text is None:
                continue
            before = {n.id: n.corpus for n in store.notes()}
            merge_notes(store, parse_import(text, target), merge_same_corpus=merge_flag)
            after = {n.id: n.corpus for n in store.notes()}
            assert all(after[i] == c for i, c in before.items()), "a note changed corpus"
            last = (text, target, merge_flag)
        if last is not None:
            count = store.count()
            again = merge_notes(store, parse_import(last[0], last[1]), merge_same_corpus=last[2])
            assert again.added == 0 and again.updated == 0 and store.count() == count


def test_a_folder_copied_by_hand_is_told_it_shares_notes_a_moved_one_is_not(
        capsys: pytest.CaptureFixture[str], tmp_path: Path, corpus_copy: Path) -> None:
    (corpus_copy / "corpus.yaml").write_text("title: Mine\n", encoding="utf-8")
    ids = add_three(capsys, "--corpus", str(corpus_copy))
    run(capsys, "--corpus", str(corpus_copy), "notes", "list")
    twin = tmp_path / "twin"
    shutil.copytree(corpus_copy, twin)
    code, _out, err = run(capsys, "--corpus", str(twin), "notes", "list")
    assert code == 0 and "same identity as" in err and str(corpus_copy.resolve()) in err
    assert "share their notes" in err
    _code, _out, err = run(capsys, "--corpus", str(corpus_copy), "notes", "list")
    assert "same identity" not in err  # the original is not nagged
    shutil.rmtree(corpus_copy)
    moved = tmp_path / "moved"
    twin.rename(moved)
    code, out, err = run(capsys, "--corpus", str(moved), "notes", "list", "--json")
    assert "same identity" not in err
    assert sorted(n["id"] for n in json.loads(out)["notes"]) == sorted(ids)
