"""Reading a corpus file: bytes to (front matter, body), with problems located by line.

Every failure becomes a :class:`Problem` naming the file and, where it can, the line;
nothing here raises on bad input, because one bad file must never stop a corpus.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

try:  # libyaml is ~10x faster; PyYAML wheels ship it, but stay correct without it
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - depends on the PyYAML build
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

ERROR = "error"
WARNING = "warning"

_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF87a", "a GIF image"),
    (b"GIF89a", "a GIF image"),
    (b"%PDF-", "a PDF document"),
    (b"PK\x03\x04", "a ZIP archive (or an office document)"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"\x7fELF", "a program (ELF binary)"),
)


@dataclass(frozen=True)
class Problem:
    """One thing wrong with one file, fit to print: ``path:line: severity: message``."""

    path: str
    line: int | None
    severity: str
    message: str

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        return f"{where}: {self.severity}: {self.message}"

    def to_json(self) -> dict[str, Any]:
        return {"path": self.path, "line": self.line, "severity": self.severity, "message": self.message}


@dataclass(frozen=True)
class SplitFile:
    """A decoded file cut at its front matter; ``body_line`` is the body's first line number."""

    header: dict[str, Any]
    body: str
    body_line: int


def sniff_binary(data: bytes) -> str | None:
    """Describe ``data`` if it is clearly not text (magic number or NUL bytes)."""
    for magic, what in _MAGIC:
        if data.startswith(magic):
            return what
    if b"\x00" in data[:8192]:
        return "binary data (contains NUL bytes)"
    return None


def decode_utf8(data: bytes, path: str) -> tuple[str | None, Problem | None]:
    """Strict UTF-8 decode; on failure a problem that names line, column and byte."""
    try:
        return data.decode("utf-8"), None
    except UnicodeDecodeError as exc:
        before = data[: exc.start]
        line = before.count(b"\n") + 1
        column = exc.start - (before.rfind(b"\n") + 1) + 1
        byte = data[exc.start]
        return None, Problem(
            path, line, ERROR,
            f"not valid UTF-8: byte 0x{byte:02X} at line {line}, column {column} "
            "(save it as UTF-8, or bring it in with 'parallax import', which converts encodings)",
        )


def split_front_matter(text: str, path: str) -> tuple[SplitFile | None, list[Problem]]:
    """Separate a ``---`` delimited YAML header from the body and parse it."""
    if text.startswith("\ufeff"):
        text = text[1:]
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    lines = text.split("\n")
    if not lines or lines[0].strip() != "---":
        return None, [Problem(path, 1, ERROR, "no YAML front matter: the file must start with a '---' line")]
    close = next((i for i in range(1, len(lines)) if lines[i].rstrip() in ("---", "...")), None)
    if close is None:
        return None, [Problem(path, 1, ERROR, "front matter opened with '---' on line 1 is never closed")]
    header_text = "\n".join(lines[1:close])
    try:
        header = yaml.load(header_text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 2 if mark is not None else 1
        what = exc.problem or exc.context or "invalid YAML"
        col = f", column {mark.column + 1}" if mark is not None else ""
        return None, [Problem(path, line, ERROR, f"YAML error in front matter{col}: {what}")]
    except yaml.YAMLError as exc:
        return None, [Problem(path, 1, ERROR, f"YAML error in front matter: {exc}")]
    if header is None:
        header = {}
    if not isinstance(header, dict):
        return None, [Problem(path, 2, ERROR, "front matter must be a mapping of keys to values")]
    body = "\n".join(lines[close + 1 :])
    return SplitFile({str(k): v for k, v in header.items()}, body, close + 2), []


def read_corpus_file(path: Path, display: str | None = None) -> tuple[SplitFile | None, list[Problem]]:
    """Read, sniff, decode and split one file; never raises for bad content."""
    shown = display or str(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        return None, [Problem(shown, None, ERROR, f"cannot read file: {exc.strerror or exc}")]
    if not data.strip():
        return None, [Problem(shown, None, ERROR, "empty file")]
    what = sniff_binary(data)
    if what:
        return None, [Problem(shown, None, ERROR, f"not a text document: looks like {what}")]
    text, problem = decode_utf8(data, shown)
    if problem or text is None:
        return None, [problem] if problem else []
    return split_front_matter(text, shown)
