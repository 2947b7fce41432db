"""The CLI: corpus check, show, settings, version; exit codes and JSON shapes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from reader import __version__
from reader.cli import main
from tests.conftest import ROOT


def run_json(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, dict]:
    code = main(list(argv))
    return code, json.loads(capsys.readouterr().out)


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["--version"])
    assert exc.value.code == 0
    assert __version__ in capsys.readouterr().out


def test_corpus_check_bundled(capsys: pytest.CaptureFixture[str]) -> None:
    code, data = run_json(capsys, "corpus", "check", "--json")
    assert code == 0
    assert data["errors"] == []
    assert len(data["documents"]) == 5
    moa = next(d for d in data["documents"] if d["outlet"] == "Moon of Alabama")
    assert [s["name"] for s in moa["sections"]] == ["article", "comments"]
    assert all(s["words"] > 100 for s in moa["sections"])
    assert all(d["title"] and d["published"] for d in data["documents"])


def test_corpus_check_bad_folder(capsys: pytest.CaptureFixture[str], bad_corpus: Path) -> None:
    code, data = run_json(capsys, "--corpus", str(bad_corpus), "corpus", "check", "--json")
    assert code == 1
    assert sorted(d["id"] for d in data["documents"]) == ["dup", "good-one", "good-two"]
    by_file = {Path(e["path"]).name: e for e in data["errors"]}
    assert set(by_file) >= {"broken-yaml.md", "empty.md", "latin1.md", "image.md", "zz-dup-copy.md"}
    assert by_file["broken-yaml.md"]["line"] == 4
    assert all(e["severity"] == "error" for e in by_file.values())


def test_corpus_option_after_subcommand(capsys: pytest.CaptureFixture[str], bad_corpus: Path) -> None:
    code = main(["corpus", "check", "--corpus", str(bad_corpus)])
    out = capsys.readouterr().out
    assert code == 1 and "3 documents" in out and "broken-yaml.md:4: error" in out


def test_show_json_offsets(capsys: pytest.CaptureFixture[str]) -> None:
    code, data = run_json(capsys, "show", "moa-failed-rebellion", "--json")
    assert code == 0
    text = data["text"]
    secs = {s["name"]: (s["start"], s["end"]) for s in data["sections"]}
    assert secs["article"][0] == 0 and secs["comments"][1] == len(text)
    first = data["comments"][0]
    assert text[first["start"]:first["end"]].startswith("$200 is just pocket cash")
    assert data["outlet"] == "Moon of Alabama" and data["content_hash"]


def test_show_text_and_unknown_id(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["show", "kavkazplus-gutted"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("How Kazakhstan is being") and "Kavkazplus" in out
    assert main(["show", "no-such-doc"]) == 2
    assert "no document with id 'no-such-doc'" in capsys.readouterr().err


def test_settings_roundtrip(capsys: pytest.CaptureFixture[str], isolated_dirs: dict[str, Path]) -> None:
    assert main(["settings", "set", "reader.font_size", "17"]) == 0
    assert main(["settings", "get", "reader.font_size"]) == 0
    assert capsys.readouterr().out.strip() == "17"
    assert (isolated_dirs["config"] / "settings.yaml").exists()
    _code, data = run_json(capsys, "settings", "--json")
    names = {s["name"]: s for s in data["settings"]}
    assert names["reader.font_size"]["value"] == 17 and names["reader.font_size"]["help"]
    assert "window.geometry" not in names


def test_settings_rejects_bad_values(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["settings", "set", "ui.theme", "purple"]) == 2
    assert "must be one of" in capsys.readouterr().err
    assert main(["settings", "set", "no.such", "1"]) == 2


def test_entry_point_runs_as_module() -> None:
    result = subprocess.run([sys.executable, "-m", "reader", "corpus", "check"], cwd=ROOT,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert "5 documents, 0 errors" in result.stdout


def test_explicit_folders_become_the_process_default(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from reader.core.paths import AppPaths

    assert main(["--data-dir", str(tmp_path / "d"), "--cache-dir", str(tmp_path / "c"), "settings"]) == 0
    capsys.readouterr()
    paths = AppPaths.resolve()
    assert paths.data_dir == (tmp_path / "d").resolve() and paths.cache_dir == (tmp_path / "c").resolve()
