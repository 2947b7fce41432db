"""Settings: declared once, validated, saved atomically, a broken file set aside."""

from __future__ import annotations

from pathlib import Path

import pytest

from reader.core.errors import SettingsError
from reader.core.settings import SETTINGS, Settings


def test_defaults_and_declarations() -> None:
    settings = Settings(None)
    for setting in SETTINGS:
        assert setting.help, setting.name
        assert settings.get(setting.name) == setting.default
        setting.coerce(setting.default)  # every default passes its own validation


def test_save_and_reload(tmp_path: Path) -> None:
    path = tmp_path / "cfg" / "settings.yaml"
    settings = Settings(path)
    seen: list[tuple[str, object]] = []
    settings.on_change(lambda n, v: seen.append((n, v)))
    settings.set("reader.font_size", 18)
    settings.set("ui.theme", "dark")
    assert seen == [("reader.font_size", 18), ("ui.theme", "dark")]
    again = Settings(path)
    assert again.get("reader.font_size") == 18 and again.get("ui.theme") == "dark"
    assert again.notice is None
    assert not list(path.parent.glob(".*.tmp"))  # no temp files left behind


@pytest.mark.parametrize("content", [b"reader.font_size: [unclosed\n", b"- just\n- a list\n", b"\xff\xfe\x00bad"])
def test_broken_file_set_aside(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "settings.yaml"
    path.write_bytes(content)
    settings = Settings(path)
    assert settings.get("reader.font_size") == 13
    assert settings.notice and "could not be read" in settings.notice
    kept = list(tmp_path.glob("settings.yaml.broken-*"))
    assert len(kept) == 1 and kept[0].read_bytes() == content
    settings.set("reader.font_size", 20)
    assert Settings(path).get("reader.font_size") == 20


def test_invalid_values_reset_with_notice(tmp_path: Path) -> None:
    path = tmp_path / "settings.yaml"
    path.write_text("reader.font_size: 500\nui.theme: light\nfuture.setting: 1\n", encoding="utf-8")
    settings = Settings(path)
    assert settings.get("reader.font_size") == 13 and settings.get("ui.theme") == "light"
    assert settings.notice and "reader.font_size" in settings.notice


def test_coercion_errors() -> None:
    settings = Settings(None)
    with pytest.raises(SettingsError):
        settings.set("reader.font_size", "big")
    with pytest.raises(SettingsError):
        settings.set("library.show", 3)
    settings.set("library.show", "off")
    assert settings.get("library.show") is False
    with pytest.raises(SettingsError, match="unknown setting"):
        settings.get("nope")


def test_save_failure_propagates(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    settings = Settings(tmp_path / "settings.yaml")
    settings.set("reader.font_size", 15)

    def refuse(*_a: object, **_k: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("reader.core.settings.atomic_write_text", refuse)
    with pytest.raises(OSError, match="No space"):
        settings.set("reader.font_size", 16)
    assert Settings(tmp_path / "settings.yaml").get("reader.font_size") == 15
