"""User overlays survive restarts; a broken overlay is set aside and reported."""

from __future__ import annotations

from pathlib import Path

from reader.core.overlay import OverlayFile


def test_append_persists(tmp_path: Path) -> None:
    path = tmp_path / "overlays" / "entities.yaml"
    overlay = OverlayFile(path)
    overlay.append({"op": "alias", "entity": "tokayev", "alias": "Tokaev"})
    again = OverlayFile(path)
    assert again.notice is None
    assert [o["alias"] for o in again.ops] == ["Tokaev"]


def test_broken_overlay_set_aside(tmp_path: Path) -> None:
    path = tmp_path / "entities.yaml"
    path.write_text("ops: [unclosed\n", encoding="utf-8")
    overlay = OverlayFile(path)
    assert overlay.ops == []
    assert overlay.notice and "could not be read" in overlay.notice
    kept = list(tmp_path.glob("entities.yaml.broken-*"))
    assert len(kept) == 1 and kept[0].read_text(encoding="utf-8") == "ops: [unclosed\n"
