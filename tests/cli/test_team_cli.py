"""``parallax team``: init, push, use, search, sync from the command line, against a real server."""

from __future__ import annotations

import io
import json
import stat
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest

from reader.cli import main


def _json(capsys: pytest.CaptureFixture[str], argv: list[str]) -> Any:
    capsys.readouterr()
    assert main(argv) == 0
    return json.loads(capsys.readouterr().out)


def test_init_push_use_search_like_local(team_db: str, isolated_dirs: dict[str, Path],
                                        capsys: pytest.CaptureFixture[str]) -> None:
    local = _json(capsys, ["search", "Ablyazov", "--json"])
    assert local["total"] == 4
    init = _json(capsys, ["team", "init", team_db, "--json"])
    assert init["applied"] == []  # the fixture migrated already; init is idempotent
    config_dir = isolated_dirs["config"]
    saved = (config_dir / "team.json").read_text(encoding="utf-8")
    password = urlparse(team_db).password
    assert password and password not in saved
    cred = config_dir / "team-credentials"
    assert stat.S_IMODE(cred.stat().st_mode) == 0o600
    assert stat.S_IMODE((config_dir / "team.json").stat().st_mode) == 0o600
    pushed = _json(capsys, ["team", "push", "sample", "--json"])
    assert pushed["added"] == 5 and pushed["corpus"] == "sample"
    again = _json(capsys, ["team", "push", "sample", "--json"])
    assert (again["added"], again["unchanged"]) == (0, 5)
    assert _json(capsys, ["team", "use", "sample", "--json"])["corpus"] == "sample"
    team = _json(capsys, ["search", "Ablyazov", "--json"])  # the ordinary search command, now on the server
    assert {h["id"] for h in team["hits"]} == {h["id"] for h in local["hits"]}
    assert team["total"] == local["total"] and team["facets"] == local["facets"]
    assert {h["id"]: h["snippets"] for h in team["hits"]} == {h["id"]: h["snippets"] for h in local["hits"]}
    direct = _json(capsys, ["team", "search", "Ablyazof", "--json"])
    assert direct["total"] == 0 and direct["suggestion"] == "Ablyazov" and direct["capped"] is False
    like = _json(capsys, ["team", "search", "--like", "moa-failed-rebellion", "--json"])
    assert like["hits"] and "moa-failed-rebellion" not in {h["id"] for h in like["hits"]}
    shown = _json(capsys, ["team", "show", "moa-failed-rebellion", "--json"])
    from reader.core.corpus import Corpus
    from tests.conftest import BUNDLED

    assert shown["text"] == Corpus(BUNDLED).scan().document("moa-failed-rebellion").text
    status = _json(capsys, ["team", "status", "--json"])
    assert status["corpora"] == ["sample"] and status["schema_current"]
    assert _json(capsys, ["team", "use", "--local", "--json"])["corpus"] is None
    assert _json(capsys, ["search", "Ablyazov", "--json"])["total"] == 4


def test_users_notes_sync_and_conflicts_from_the_cli(team_db: str, pg_cluster: Any, monkeypatch: pytest.MonkeyPatch,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["team", "init", team_db]) == 0
    monkeypatch.setattr("sys.stdin", io.StringIO("carol-password\n"))
    assert _json(capsys, ["team", "add-user", "carol", "--json"])["library"] == "user:carol"
    carol = pg_cluster.url_for("carol", "carol-password", urlparse(team_db).path.lstrip("/"))
    assert main(["team", "init", carol]) == 0
    assert main(["notes", "add", "--doc", "moa-failed-rebellion", "--quote", "Ablyazov", "--text", "who is he"]) == 0
    synced = _json(capsys, ["team", "sync", "--json"])
    assert synced["pushed"] == 1 and synced["conflicts"] == []
    assert _json(capsys, ["team", "sync", "--json"])["pushed"] == 0
    assert _json(capsys, ["team", "conflicts", "--json"]) == {"conflicts": []}


def test_team_commands_explain_mistakes_in_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["team", "sync"]) == 2
    assert "no team server configured" in capsys.readouterr().err
    assert main(["team", "init", "http://example.org"]) == 2
    err = capsys.readouterr().err
    assert "postgresql://" in err and err[-1] == "\n" and err.count("\n") == 1


def test_unreachable_server_is_one_line_and_offline_sync_loses_nothing(capsys: pytest.CaptureFixture[str]) -> None:
    # Port 1 on localhost refuses at once; nothing else is contacted.
    assert main(["team", "init", "postgresql://nobody:pw@127.0.0.1:1/parallax"]) == 2
    err = capsys.readouterr().err
    assert "cannot connect to the team server" in err and "pw@" not in err and err.count("\n") == 1
    assert main(["team", "sync"]) == 2
    assert "offline" in capsys.readouterr().err


def test_search_on_an_unreachable_team_corpus_says_so_in_one_line(isolated_dirs: dict[str, Path],
                                                                  capsys: pytest.CaptureFixture[str]) -> None:
    pytest.importorskip("psycopg_pool", reason="team server unavailable: psycopg-pool is not installed")
    config_dir = isolated_dirs["config"]
    config_dir.mkdir(parents=True, exist_ok=True)
    (config_dir / "team.json").write_text(json.dumps(
        {"url": "postgresql://nobody@127.0.0.1:1/parallax", "user": "nobody", "corpus": "sample"}), encoding="utf-8")
    assert main(["search", "Ablyazov"]) == 2
    err = capsys.readouterr().err
    assert "team server cannot be reached" in err and "team use --local" in err and err.count("\n") == 1
