"""Settings, declared once: name, type, default and help; everything else derives from it.

The store is a YAML file in the config dir, written atomically. A file that cannot be
read is moved aside (kept, never deleted) and defaults are used; :attr:`Settings.notice`
says what happened so a face (GUI or CLI) can tell the user.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from reader.core.atomic import atomic_write_text
from reader.core.errors import SettingsError
from reader.core.notes.model import COLORS as NOTE_COLORS
from reader.core.research.citations import STYLES as CITATION_STYLES
from reader.core.sync_modes import DEFAULT as SYNC_DEFAULT
from reader.core.sync_modes import KEYS as SYNC_KEYS
from reader.core.themes import THEME_NAMES
from reader.core.userfile import set_aside

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Setting:
    """One declared setting; ``choices`` restricts strings, ``minimum``/``maximum`` numbers."""

    name: str
    type: type
    default: Any
    help: str
    choices: tuple[str, ...] | None = None
    minimum: float | None = None
    maximum: float | None = None
    user: bool = True  # False: remembered state (window geometry...), not shown as a preference

    def coerce(self, value: Any) -> Any:
        """Validate and convert ``value`` (strings from the CLI are parsed)."""
        if self.type is bool and isinstance(value, str):
            lowered = value.strip().lower()
            if lowered in ("1", "true", "yes", "on"):
                value = True
            elif lowered in ("0", "false", "no", "off"):
                value = False
        elif self.type in (int, float) and isinstance(value, str):
            try:
                value = self.type(value)
            except ValueError:
                raise SettingsError(f"{self.name}: expected {self.type.__name__}, got {value!r}") from None
        elif self.type is list and isinstance(value, tuple):
            value = list(value)
        if self.type is float and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        if not isinstance(value, self.type) or (self.type is int and isinstance(value, bool)):
            raise SettingsError(f"{self.name}: expected {self.type.__name__}, got {value!r}")
        if self.choices is not None and value not in self.choices:
            raise SettingsError(f"{self.name}: must be one of {', '.join(self.choices)}; got {value!r}")
        if self.minimum is not None and isinstance(value, int | float) and value < self.minimum:
            raise SettingsError(f"{self.name}: must be at least {self.minimum}")
        if self.maximum is not None and isinstance(value, int | float) and value > self.maximum:
            raise SettingsError(f"{self.name}: must be at most {self.maximum}")
        return value


SETTINGS: tuple[Setting, ...] = (
    Setting("corpus.path", str, "", "Folder of the corpus to open; empty means the bundled sample corpus."),
    Setting("corpus.recent", list, [], "Recently opened corpus folders, newest first.", user=False),
    Setting("ui.theme", str, "system", "Colour theme.", choices=THEME_NAMES),
    Setting("ui.text_scale", float, 1.0, "Size of all interface text (menus, panels, dialogs) relative to the "
            "system's; the reader has its own size (Ctrl+Alt+= / Ctrl+Alt+-).", minimum=0.75, maximum=2.5),
    Setting("reader.font_size", int, 13, "Reader text size in points (Ctrl+= / Ctrl+- change it).",
            minimum=7, maximum=48),
    Setting("reader.font_family", str, "", "Reader font family; empty picks a serif suited to reading."),
    Setting("reader.line_width", int, 72, "Longest line in the reader, in average characters.",
            minimum=30, maximum=200),
    Setting("library.show", bool, True, "Show the library panel."),
    Setting("ui.welcome", bool, True, "Show the first-run panel (three things to try) in the empty reader."),
    Setting("window.geometry", str, "", "Main window geometry (restored at start).", user=False),
    Setting("window.state", str, "", "Main window toolbars and docks (restored at start).", user=False),
    Setting("window.splitter", str, "", "Library/reader splitter sizes (restored at start).", user=False),
    Setting("session.open_documents", list, [], "Documents open at the last exit.", user=False),
    Setting("library.sort_column", int, 2, "Library sort column.", user=False, minimum=0, maximum=10),
    Setting("library.sort_order", int, 0, "Library sort order (0 ascending, 1 descending).", user=False,
            minimum=0, maximum=1),
    Setting("import.max_size_mb", int, 50, "Largest file 'parallax import' accepts, in MB (larger ones are skipped).",
            minimum=1, maximum=10000),
    Setting("compare.sync", str, SYNC_DEFAULT, "How compare panes scroll together.", choices=SYNC_KEYS),
    Setting("compare.entity", str, "", "Entity followed in entity-lockstep mode (its id).", user=False),
    Setting("compare.sizes", list, [], "Widths of the compare panes at the last exit.", user=False),
    Setting("framing.show", bool, False, "Underline framing techniques in the reader (Ctrl+Shift+H)."),
    Setting("framing.hidden", list, [], "Framing techniques hidden from the reader (their ids).", user=False),
    Setting("entities.show", bool, True, "Highlight people, organisations and places in the reader (Ctrl+Shift+E)."),
    Setting("entities.hidden_types", list, [], "Entity types not highlighted (person, place...).", user=False),
    Setting("research.citation_style", str, "apa", "Reference style for Copy Citation and formatted exports.",
            choices=tuple(CITATION_STYLES)),
    Setting("notes.highlight_color", str, "yellow", "Colour of a quick highlight (Ctrl+Shift+L): a passage marked "
            "without a note.", choices=tuple(NOTE_COLORS)),
    Setting("export.last_folder", str, "", "Folder the last export was written to (the next one starts there).",
            user=False),
)

_BY_NAME: dict[str, Setting] = {s.name: s for s in SETTINGS}


def declared(name: str) -> Setting:
    try:
        return _BY_NAME[name]
    except KeyError:
        raise SettingsError(f"unknown setting {name!r}") from None


class Settings:
    """Values of the declared settings, persisted to one YAML file."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self.notice: str | None = None
        self._values: dict[str, Any] = {}
        self._listeners: list[Callable[[str, Any], None]] = []
        if path is not None:
            self._load()

    def _load(self) -> None:
        assert self.path is not None
        if not self.path.exists():
            return
        try:
            raw = yaml.safe_load(self.path.read_text(encoding="utf-8"))
            if raw is None:
                raw = {}
            if not isinstance(raw, dict):
                raise ValueError("the file is not a mapping of setting names to values")
        except (OSError, UnicodeDecodeError, yaml.YAMLError, ValueError) as exc:
            kept = set_aside(self.path)
            self.notice = (f"The settings file {self.path} could not be read ({_short(exc)}); "
                           f"defaults are in use and the broken copy was kept as {kept or self.path}.")
            return
        skipped = []
        for name, value in raw.items():
            setting = _BY_NAME.get(str(name))
            if setting is None:
                continue  # a setting from a newer or older version: ignore, keep file as is
            try:
                self._values[setting.name] = setting.coerce(value)
            except SettingsError as exc:
                skipped.append(str(exc))
        if skipped:
            self.notice = "Some settings were invalid and reset to defaults: " + "; ".join(skipped)

    def get(self, name: str) -> Any:
        setting = declared(name)
        value = self._values.get(name, setting.default)
        return list(value) if isinstance(value, list) else value

    def set(self, name: str, value: Any, *, save: bool = True) -> None:
        setting = declared(name)
        value = setting.coerce(value)
        if self.get(name) == value and name in self._values:
            return
        self._values[name] = value
        for listener in list(self._listeners):
            listener(name, value)
        if save:
            self.save()

    def reset(self, name: str) -> None:
        declared(name)
        self._values.pop(name, None)
        self.save()

    def on_change(self, listener: Callable[[str, Any], None]) -> None:
        """Call ``listener(name, value)`` after each change (the GUI bridges this to a signal)."""
        self._listeners.append(listener)

    def items(self) -> list[tuple[Setting, Any]]:
        return [(s, self.get(s.name)) for s in SETTINGS]

    def save(self) -> None:
        """Write non-default values atomically; errors propagate as OSError."""
        if self.path is None:
            return
        data = {k: v for k, v in sorted(self._values.items()) if v != _BY_NAME[k].default}
        self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        text = "# Parallax Reader settings; see 'parallax settings' for names and help.\n"
        text += yaml.safe_dump(data, allow_unicode=True, sort_keys=True) if data else "{}\n"
        atomic_write_text(self.path, text)


def _short(exc: BaseException) -> str:
    first = str(exc).strip().splitlines()
    return first[0] if first else type(exc).__name__
