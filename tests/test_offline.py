"""Parallax Reader never opens a network connection: any attempt fails the test."""

from __future__ import annotations

import socket  # noqa: TID251 - the test blocks it
from pathlib import Path

import pytest

from reader.cli import main


class NetworkAttempt(AssertionError):
    pass


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    attempts: list[str] = []

    def refuse(*args: object, **_kwargs: object) -> None:
        attempts.append(repr(args[1:] if args else args))
        raise NetworkAttempt(f"network connection attempted: {args!r}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    return attempts


def test_cli_makes_no_connection(no_network: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["corpus", "check", "--json"]) == 0
    for doc_id in ("moa-failed-rebellion", "neo-outside-forces"):
        assert main(["show", doc_id, "--json"]) == 0
    capsys.readouterr()
    assert no_network == []


@pytest.mark.gui
def test_window_makes_no_connection(no_network: list[str], qtbot: object, tmp_path: Path) -> None:
    from reader.core.context import AppContext
    from reader.gui.window.mainwindow import MainWindow

    window = MainWindow(AppContext.create())
    qtbot.addWidget(window)  # type: ignore[attr-defined]
    window.show()
    window.start()
    window.wait_for_corpus()
    assert window.corpus is not None and len(window.corpus) == 5
    for doc_id in window.corpus.ids:
        assert window.open_document(doc_id)
    window.reader.open_find()
    window.reader.findbar.edit.setText("Tokayev")
    window.close()
    assert no_network == []
