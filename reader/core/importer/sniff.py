"""Format sniffing: which reader a file needs, and whether its bytes are text at all.

The extension says what the user meant; the first bytes say what the file is. A page
saved as ``.txt`` is still read as HTML, and a PNG renamed ``.txt`` is refused.
"""

from __future__ import annotations

import re
from pathlib import Path

from reader.core.frontmatter import sniff_binary

TEXT = "text"
MARKDOWN = "markdown"
HTML = "html"

EXTENSIONS: dict[str, str] = {
    ".txt": TEXT, ".text": TEXT,
    ".md": MARKDOWN, ".markdown": MARKDOWN, ".mdown": MARKDOWN,
    ".html": HTML, ".htm": HTML, ".xhtml": HTML, ".shtml": HTML,
}

_HTML_START = re.compile(rb"^\s*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html|head|body)\b",
                         re.IGNORECASE | re.DOTALL)
_BINARY_MAGIC_EXTRA: tuple[tuple[bytes, str], ...] = (
    (b"RIFF", "a RIFF media file"),
    (b"OggS", "an Ogg media file"),
    (b"ID3", "an MP3 audio file"),
    (b"\x00\x00\x01\x00", "an icon image"),
    (b"BM", ""),  # too weak alone; checked with control characters below
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"),
    (b"Rar!", "a RAR archive"),
    (b"\xd0\xcf\x11\xe0", "an old Microsoft Office document"),
    (b"SQLite format 3", "an SQLite database"),
    (b"wOFF", "a web font"),
    (b"wOF2", "a web font"),
)
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")


def kind_for_extension(path: Path) -> str | None:
    return EXTENSIONS.get(path.suffix.lower())


def describe_binary(data: bytes) -> str | None:
    """What ``data`` looks like if it is not text, else None.

    UTF-16/32 text (with a byte-order mark) contains NUL bytes but is text.
    """
    head = data[:8192]
    if head.startswith(_UTF16_BOMS) or head.startswith(b"\x00\x00\xfe\xff"):
        return None
    what = sniff_binary(data)
    if what:
        return what
    for magic, name in _BINARY_MAGIC_EXTRA:
        if name and head.startswith(magic):
            return name
    controls = sum(1 for b in head if b < 32 and b not in (9, 10, 12, 13, 27))
    if head and controls / len(head) > 0.02:
        return "binary data (many control bytes)"
    return None


def looks_like_html(data: bytes) -> bool:
    """True when the first bytes open an HTML document (after an optional BOM)."""
    head = data[:4096]
    for bom in (b"\xef\xbb\xbf",):
        if head.startswith(bom):
            head = head[len(bom):]
    return bool(_HTML_START.match(head))


def sniff_kind(path: Path, data: bytes) -> str:
    """The reader for this file: content wins over a ``.txt`` name, the extension otherwise."""
    by_ext = kind_for_extension(path)
    if by_ext == HTML:
        return HTML
    if looks_like_html(data):
        return HTML
    if by_ext is not None:
        return by_ext
    return MARKDOWN if data.lstrip(b"\xef\xbb\xbf").startswith(b"---") else TEXT
