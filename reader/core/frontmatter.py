"""Reading a corpus file: bytes to (front matter, body), with problems located by line.

Every failure becomes a :class:`Problem` naming the file and, where it can, the line;
nothing here raises on bad input, because one bad file must never stop a corpus.
"""

from __future__ import annotations

import codecs
import errno
import os
import stat
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

#: The largest corpus document read (20 MB, some 3 million words: far beyond any article).
#: A bigger file costs every command seconds and gigabytes, so it is skipped with a reason.
MAX_FILE_BYTES = 20 * 1024 * 1024

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


def sniff_utf16(data: bytes) -> str | None:
    """``"utf-16-le"``/``"utf-16-be"`` (or ``"utf-16"`` with a BOM) if ``data`` looks like UTF-16 text.

    Without a byte-order mark, UTF-16 text in a Latin script has a NUL in every other byte:
    almost all odd bytes NUL (little-endian) or almost all even ones (big-endian).
    """
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) and not data.startswith(codecs.BOM_UTF32_LE):
        return "utf-16"
    sample = data[:8192]
    if len(sample) < 4:
        return None
    sample = sample[: len(sample) - len(sample) % 2]
    even, odd = sample[0::2], sample[1::2]
    half = len(sample) // 2
    if odd.count(0) >= 0.9 * half and even.count(0) <= 0.02 * half:
        return "utf-16-le"
    if even.count(0) >= 0.9 * half and odd.count(0) <= 0.02 * half:
        return "utf-16-be"
    return None


def decode_text(data: bytes, path: str) -> tuple[str | None, list[Problem]]:
    """UTF-8 (strict), or UTF-16 when the bytes say so (decoded, with a warning to convert)."""
    encoding = sniff_utf16(data)
    if encoding is None:
        what = sniff_binary(data)
        if what:
            return None, [Problem(path, None, ERROR, f"not a text document: looks like {what}")]
        text, problem = decode_utf8(data, path)
        return text, [problem] if problem else []
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as exc:
        return None, [Problem(path, None, ERROR, f"UTF-16 text that cannot be decoded (at byte {exc.start}); "
                                                 "save it as UTF-8")]
    return text.lstrip("\ufeff"), [Problem(path, None, WARNING,
                                            f"UTF-16 text ({encoding.upper()}), read as such; "
                                            "saving it as UTF-8 is recommended")]


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


_KINDS = ((stat.S_ISDIR, "a folder"), (stat.S_ISFIFO, "a named pipe (FIFO)"), (stat.S_ISSOCK, "a socket"),
          (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"))


def file_kind(mode: int) -> str | None:
    """What a non-regular file is, in words (None for a regular file)."""
    if stat.S_ISREG(mode):
        return None
    return next((what for test, what in _KINDS if test(mode)), "not a regular file")


def too_large(size: int) -> str:
    return (f"too large: {size / 1024 / 1024:.1f} MB, over the {MAX_FILE_BYTES // 1024 // 1024} MB limit "
            "for a corpus document; skipped (split it into several documents)")


def read_limited(path: Path) -> tuple[bytes | None, str | None]:
    """The bytes of a regular file of at most :data:`MAX_FILE_BYTES`, or why not.

    The file is opened non-blocking and checked with ``fstat`` before any read, so a named
    pipe, a device or a folder named ``*.md`` is reported and never blocks or hangs the scan.
    """
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return None, "a symbolic link loop; skipped"
        if exc.errno == errno.ENOENT and Path(path).is_symlink():
            return None, "a broken symbolic link (its target is missing); skipped"
        return None, f"cannot read file: {exc.strerror or exc}"
    try:
        info = os.fstat(fd)
        kind = file_kind(info.st_mode)
        if kind is not None:
            return None, f"{kind}, not a document file; skipped"
        if info.st_size > MAX_FILE_BYTES:
            return None, too_large(info.st_size)
        with os.fdopen(fd, "rb", closefd=False) as handle:
            data = handle.read(MAX_FILE_BYTES + 1)
        if len(data) > MAX_FILE_BYTES:  # grew while we looked
            return None, too_large(len(data))
        return data, None
    except OSError as exc:
        return None, f"cannot read file: {exc.strerror or exc}"
    finally:
        os.close(fd)


def read_corpus_file(path: Path, display: str | None = None) -> tuple[SplitFile | None, list[Problem]]:
    """Read, sniff, decode and split one file; never raises for bad content."""
    shown = display or str(path)
    data, why = read_limited(path)
    if data is None:
        return None, [Problem(shown, None, ERROR, why or "cannot read file")]
    if not data.strip():
        return None, [Problem(shown, None, ERROR, "empty file")]
    text, problems = decode_text(data, shown)
    if text is None:
        return None, problems
    split, split_problems = split_front_matter(text, shown)
    return split, problems + split_problems
