"""``parallax index`` and ``parallax search``: the issue's acceptance commands, JSON shapes, exit codes."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from reader.cli import main
from tests.conftest import ROOT


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, dict, str]:
    code = main(list(argv))
    out = capsys.readouterr()
    return code, (json.loads(out.out) if out.out.strip().startswith("{") else {}), out.err


def test_search_json_shape_and_rebuild_report(capsys: pytest.CaptureFixture[str]) -> None:
    code, data, err = run(capsys, "search", "Ablyazov", "--json")
    assert code == 0
    assert data["rebuilt"] is True and "no index" in data["reason"] and "index rebuilt" in err
    assert {"query", "total", "hits", "facets", "suggestion"} <= set(data)
    assert data["total"] == 4 and "kavkazplus-gutted" not in {h["id"] for h in data["hits"]}
    for hit in data["hits"]:
        assert set(hit) == {"id", "title", "outlet", "published", "score", "snippets"}
        assert any("<mark>Ablyazov</mark>" in s for s in hit["snippets"])
    assert set(data["facets"]) >= {"outlet", "section", "published"}
    code, again, err = run(capsys, "search", "Ablyazov", "--json")
    assert "rebuilt" not in again and err == ""  # the second search reuses the index
    assert set(again) >= {"query", "total", "hits", "facets", "suggestion"}


def test_acceptance_queries(capsys: pytest.CaptureFixture[str]) -> None:
    def hits(query: str) -> list[dict]:
        code, data, _ = run(capsys, "search", query, "--json")
        assert code == 0
        return data["hits"]

    colour = {h["id"] for h in hits("color revolution")}
    assert {"eadaily-ukrainian-trace", "neo-outside-forces", "moa-failed-rebellion"} <= colour
    assert [h["id"] for h in hits('outlet:"Moon of Alabama" Masimov')] == ["moa-failed-rebellion"]
    assert {h["id"] for h in hits("published:[2022-01-09 TO 2022-01-31] Tokayev")} == {
        "kavkazplus-gutted", "eadaily-ukrainian-trace"}
    assert any("<mark>peaceful protesters</mark>" in s for h in hits('"peaceful protesters"~2')
               for s in h["snippets"])
    _code, data, _ = run(capsys, "search", "Ablyazof", "--json")
    assert data["suggestion"] == "Ablyazov"
    _code, data, _ = run(capsys, "search", "--like", "moa-failed-rebellion", "--limit", "2", "--json")
    assert len(data["hits"]) == 2 and "moa-failed-rebellion" not in {h["id"] for h in data["hits"]}


def test_bad_query_exits_2_with_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["search", '"peaceful protesters', "--json"])
    out = capsys.readouterr()
    assert code == 2 and out.out == ""
    assert "unclosed quote" in out.err and out.err.count("\n") == 1


def test_index_counts_and_one_changed_file(capsys: pytest.CaptureFixture[str], corpus_copy: Path) -> None:
    base = ("--corpus", str(corpus_copy))
    code, data, err = run(capsys, "index", "--json", *base)
    assert code == 0 and data["added"] == 5 and data["rebuilt"] is True
    assert set(data) >= {"added", "updated", "removed", "unchanged", "seconds"}
    path = corpus_copy / "eadaily-ukrainian-trace.md"
    path.write_text(path.read_text(encoding="utf-8") + "\nA quixotic postscript.\n", encoding="utf-8")
    code, data, err = run(capsys, "index", "--json", *base)
    assert (data["added"], data["updated"], data["removed"], data["unchanged"]) == (0, 1, 0, 4)
    assert data["rebuilt"] is False and err == ""
    code, data, _ = run(capsys, "search", "quixotic", "--json", *base)
    assert [h["id"] for h in data["hits"]] == ["eadaily-ukrainian-trace"]
    code, data, err = run(capsys, "index", "--rebuild", "--json", *base)
    assert data["rebuilt"] is True and data["added"] == 5 and "--rebuild" in err


def test_deleted_cache_and_truncated_segment(capsys: pytest.CaptureFixture[str],
                                             isolated_dirs: dict[str, Path]) -> None:
    run(capsys, "index", "--json")
    cache = isolated_dirs["cache"]
    segment = max(cache.rglob("*.seg"), key=lambda p: p.stat().st_size)
    segment.write_bytes(segment.read_bytes()[:500])
    code, data, err = run(capsys, "search", "Ablyazov", "--json")
    assert code == 0 and data["total"] == 4 and data["rebuilt"] is True and "index rebuilt" in err
    shutil.rmtree(cache)
    code, data, err = run(capsys, "search", "Ablyazov", "--json")
    assert code == 0 and data["total"] == 4 and data["rebuilt"] is True


def test_plain_output_and_subprocess(tmp_path: Path) -> None:
    env_dirs = ["--data-dir", str(tmp_path / "d"), "--cache-dir", str(tmp_path / "c"),
                "--config-dir", str(tmp_path / "k")]
    proc = subprocess.run([sys.executable, "-m", "reader", "search", "section:comments Erdogan", *env_dirs],
                          cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0
    assert "(comments)" in proc.stdout and "[Erdogan]" in proc.stdout
    assert "index rebuilt" in proc.stderr
    bad = subprocess.run([sys.executable, "-m", "reader", "search", "nosuchfield:x", *env_dirs],
                         cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert bad.returncode == 2 and "unknown field" in bad.stderr and "Traceback" not in bad.stderr
