"""``parallax notes review``: every note whose place changed, before and after, accept or re-attach.

Built on issue 13's reproduction: "seems that" occurs twice in kavkazplus-gutted.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from reader.cli import main

DOC = "kavkazplus-gutted"
PHRASE = "seems that"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def _add(capsys: pytest.CaptureFixture[str], corpus: Path, occurrence: int = 1) -> str:
    code, out, _ = run(capsys, "--corpus", str(corpus), "notes", "add", "--doc", DOC, "--quote", PHRASE,
                       "--occurrence", str(occurrence), "--text", "hedging")
    assert code == 0
    return out.strip()


def _review(capsys: pytest.CaptureFixture[str], corpus: Path) -> list[dict]:
    code, out, err = run(capsys, "--corpus", str(corpus), "notes", "review", "--json")
    assert code == 0, err
    return json.loads(out)["notes"]


def _doc_path(corpus: Path) -> Path:
    return corpus / f"{DOC}.md"


def test_typo_at_the_old_place_stays_there_and_is_listed_until_accepted(
        capsys: pytest.CaptureFixture[str], corpus_copy: Path) -> None:
    note_id = _add(capsys, corpus_copy)
    path = _doc_path(corpus_copy)
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace(PHRASE, "seems thet", 1), encoding="utf-8")  # sed '0,/seems that/s//seems thet/'
    [item] = _review(capsys, corpus_copy)
    assert item["id"] == note_id and item["status"] == "fuzzy" and item["confident"] is True
    assert item["before"]["start"] == 11162 and item["before"]["quote"] == PHRASE
    assert item["after"]["start"] == 11162 and item["after"]["quote"] == "seems thet"  # not 12831
    code, out, _ = run(capsys, "--corpus", str(corpus_copy), "notes", "review")
    assert "before" in out and "11162-11172" in out and "1 notes to review, 0 need a decision" in out
    code, out, _ = run(capsys, "--corpus", str(corpus_copy), "notes", "review", "accept", note_id[:8])
    assert code == 0 and "anchored at 11162-11172" in out
    assert _review(capsys, corpus_copy) == []
    code, out, _ = run(capsys, "--corpus", str(corpus_copy), "notes", "list", "--json")
    [note] = json.loads(out)["notes"]
    assert note["status"] == "anchored" and note["quote"] == "seems thet"


def test_deleted_paragraph_is_a_decision_not_a_move(capsys: pytest.CaptureFixture[str], corpus_copy: Path) -> None:
    note_id = _add(capsys, corpus_copy)
    path = _doc_path(corpus_copy)
    text = path.read_text(encoding="utf-8")
    at = text.index(PHRASE)
    para_start = text.rindex("\n\n", 0, at) + 2
    para_end = text.index("\n\n", at) + 2
    assert PHRASE in text[para_end:]  # the other copy survives
    path.write_text(text[:para_start] + text[para_end:], encoding="utf-8")
    [item] = _review(capsys, corpus_copy)
    assert item["status"] in ("needs-review", "orphan") and item["confident"] is False
    assert item["before"]["start"] == 11162
    code, out, _ = run(capsys, "--corpus", str(corpus_copy), "notes", "review")
    assert "needs your decision" in out and "1 need a decision" in out
    # accepting "every moved or fuzzy note" leaves a guess alone
    code, out, _ = run(capsys, "--corpus", str(corpus_copy), "notes", "review", "accept", "--all")
    assert code == 0 and "accepted 0 notes" in out
    assert len(_review(capsys, corpus_copy)) == 1
    # re-attach by offsets
    code, out, err = run(capsys, "--corpus", str(corpus_copy), "notes", "review", "reattach", note_id,
                         "--start", "100", "--end", "120", "--json")
    assert code == 0, err
    assert json.loads(out)["status"] == "anchored" and json.loads(out)["start"] == 100
    assert _review(capsys, corpus_copy) == []


def test_review_keeps_the_place_the_user_last_saw(capsys: pytest.CaptureFixture[str], corpus_copy: Path) -> None:
    """Two edits before anyone looks: "before" is still the original place, not the middle one."""
    note_id = _add(capsys, corpus_copy, occurrence=2)
    path = _doc_path(corpus_copy)
    for n in (1, 2):
        text = path.read_text(encoding="utf-8")
        path.write_text(re.sub(r"(\n---\n\n)", rf"\1Editor's paragraph {n}.\n\n", text, count=1), encoding="utf-8")
        [item] = _review(capsys, corpus_copy)
        assert item["id"] == note_id and item["status"] == "moved"
        assert item["before"]["start"] == 12831
        assert item["after"]["start"] == 12831 + sum(len(f"Editor's paragraph {k}.\n\n") for k in range(1, n + 1))


def test_verdict_errors_are_one_line(capsys: pytest.CaptureFixture[str], corpus_copy: Path) -> None:
    note_id = _add(capsys, corpus_copy)
    code, _out, err = run(capsys, "--corpus", str(corpus_copy), "notes", "review", "accept", note_id)
    assert code != 0 and "nothing to accept" in err and "Traceback" not in err
    code, _out, err = run(capsys, "--corpus", str(corpus_copy), "notes", "review", "reattach", note_id,
                          "--start", "50", "--end", "10")
    assert code != 0 and "outside the document" in err and len(err.strip().splitlines()) == 1
    code, _out, err = run(capsys, "--corpus", str(corpus_copy), "notes", "review", "accept")
    assert code == 2 and "--all" in err
    path = _doc_path(corpus_copy)
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace(PHRASE, "", 2), encoding="utf-8")  # both copies gone: an orphan
    [item] = _review(capsys, corpus_copy)
    assert item["status"] == "orphan" and item["after"] is None
    code, _out, err = run(capsys, "--corpus", str(corpus_copy), "notes", "review", "accept", note_id)
    assert code != 0 and "re-attach" in err


def test_a_database_from_before_the_review_table_is_migrated(tmp_path: Path) -> None:
    import sqlite3

    from reader.core.document import Document, DocumentMeta
    from reader.core.notes.review import record_before
    from reader.core.notes.service import new_note
    from reader.core.notes.store import DB_NAME, SCHEMA_VERSION, NoteStore
    from reader.core.text import content_hash

    text = "One sentence here. Another sentence there, with the quoted words in it."
    doc = Document(DocumentMeta(id="d", title="d", outlet="", author="", published=None, path=Path("d")),
                   text, (), (), content_hash(text))
    with NoteStore.open(tmp_path) as store:
        note = store.add(new_note("k", doc, text.index("quoted"), text.index("quoted") + 12))
    conn = sqlite3.connect(tmp_path / "notes" / DB_NAME)
    conn.execute("DROP TABLE anchor_reviews")
    conn.execute("PRAGMA user_version = 3")
    conn.commit()
    conn.close()
    with NoteStore.open(tmp_path) as store:
        assert store._user_version() == SCHEMA_VERSION and store.get(note.id) == note
        # a note leaving "anchored" replaces a leftover row; one already under review keeps its first
        with store._write("plant a stale row") as c:  # as if a kill had stopped an accept half-way
            c.execute("INSERT INTO anchor_reviews (note_id, start, \"end\", since) VALUES (?, 999, 1000, '')",
                      (note.id,))
        moved = note.with_changes(start=1, end=13, status="moved")
        record_before(store, [(note, moved)])
        record_before(store, [(moved, moved.with_changes(start=2, end=14, status="fuzzy"))])
        row = store._conn.execute('SELECT start, "end", status FROM anchor_reviews').fetchall()
        assert row == [(note.start, note.end, "anchored")]
        record_before(store, [(note, note)])  # nothing changed: nothing recorded
        assert store._conn.execute("SELECT count(*) FROM anchor_reviews").fetchone()[0] == 1
