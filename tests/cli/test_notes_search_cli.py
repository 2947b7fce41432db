"""Notes are searchable from the CLI: ``note:`` queries, marked snippets, tag scopes."""

from __future__ import annotations

import json

import pytest

from reader.cli import main

QUOTE = "Mukhtar Ablyazov was trained in nuclear physics"


def add_note(capsys: pytest.CaptureFixture[str]) -> str:
    assert main(["notes", "add", "--doc", "moa-failed-rebellion", "--quote", QUOTE,
                 "--text", "Biography used to discredit: physics, then banking", "--tags", "biography"]) == 0
    return capsys.readouterr().out.strip()


def test_cli_note_query(capsys: pytest.CaptureFixture[str]) -> None:
    note_id = add_note(capsys)
    assert main(["search", "note:physics", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["scope"] == "notes" and data["total"] == 1
    (hit,) = data["hits"]
    assert hit["id"] == note_id and hit["doc"] == "moa-failed-rebellion" and hit["quote"] == QUOTE
    assert "<mark>physics</mark>" in hit["snippets"][0]
    assert main(["search", "note:tag:biography", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["total"] == 1
    assert main(["search", "note:nothinglikethis", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["total"] == 0
