"""Setting metadata on many documents at once: one CLI command, all or nothing, undoable."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from reader.cli import main
from reader.core.bulk_meta import bulk_edit, parse_assignment, undo_bulk_edit
from reader.core.corpora import create_corpus
from reader.core.corpus import Corpus
from reader.core.errors import ReaderError
from reader.core.importer import import_paths
from reader.core.paths import AppPaths


@pytest.fixture
def twenty(tmp_path: Path) -> tuple[Path, list[str]]:
    corpus = create_corpus(AppPaths.resolve(), "twenty", tmp_path / "twenty")
    src = tmp_path / "src"
    src.mkdir()
    for n in range(20):
        (src / f"d{n:02}.txt").write_text(f"Report {n}\n\nThe crowd in square {n} grew through the night.\n",
                                          encoding="utf-8")
    ids = [i.id for i in import_paths(corpus, [src]).imported]
    assert len(ids) == 20
    return corpus, ids


def bodies(corpus: Path) -> dict[str, str]:
    return {p.name: p.read_text(encoding="utf-8").split("\n---\n", 1)[1] for p in corpus.glob("*.md")}


def test_cli_sets_the_outlet_of_twenty_documents_in_one_command(twenty: tuple[Path, list[str]],
                                                                capsys: pytest.CaptureFixture[str]) -> None:
    corpus, ids = twenty
    before = bodies(corpus)
    code = main(["--corpus", str(corpus), "corpus", "edit-meta", *ids, "--set", "outlet=BBC News",
                 "--set", "published=2022-01-08", "--set", "tags=unrest, fuel", "--json"])
    assert code == 0
    out = json.loads(capsys.readouterr().out)
    assert len(out["changed"]) == 20 and out["set"]["tags"] == ["unrest", "fuel"]
    scanned = Corpus(corpus).scan()
    assert {(m.outlet, m.published) for m in scanned.metas()} == {("BBC News", "2022-01-08")}
    assert all(m.extra["tags"] == ["unrest", "fuel"] for m in scanned.metas())
    assert bodies(corpus) == before  # text untouched
    assert not [p for p in scanned.problems if p.severity in ("warning", "error")]


def test_a_bad_value_or_id_changes_nothing(twenty: tuple[Path, list[str]],
                                           capsys: pytest.CaptureFixture[str]) -> None:
    corpus, ids = twenty
    files = {p.name: p.read_bytes() for p in corpus.glob("*.md")}
    assert main(["--corpus", str(corpus), "corpus", "edit-meta", *ids, "--set", "published=last week"]) == 2
    assert "not an ISO date" in capsys.readouterr().err
    assert main(["--corpus", str(corpus), "corpus", "edit-meta", ids[0], "no-such-doc", "--set", "outlet=X"]) == 2
    assert main(["--corpus", str(corpus), "corpus", "edit-meta", ids[0], "--set", "title=Same for all"]) == 2
    assert "cannot set 'title'" in capsys.readouterr().err
    assert {p.name: p.read_bytes() for p in corpus.glob("*.md")} == files


def test_undo_puts_every_field_back(twenty: tuple[Path, list[str]]) -> None:
    corpus, ids = twenty
    files = {p.name: p.read_bytes() for p in corpus.glob("*.md")}
    edit = bulk_edit(Corpus(corpus).scan(), ids, {"outlet": "BBC News", "event": "Unrest", "tags": "a"})
    assert Corpus(corpus).scan().meta(ids[3]).event == "Unrest"
    undo_bulk_edit(Corpus(corpus).scan(), edit)
    assert {p.name: p.read_bytes() for p in corpus.glob("*.md")} == files


def test_parse_assignment() -> None:
    assert parse_assignment('outlet=BBC News') == ("outlet", "BBC News")
    assert parse_assignment("date=2022-01-08") == ("published", "2022-01-08")
    with pytest.raises(ReaderError):
        parse_assignment("outlet")
