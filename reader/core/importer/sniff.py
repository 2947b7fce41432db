"""Format sniffing: which reader a file needs, and whether its bytes are text at all.

The extension says what the user meant; the first bytes say what the file is. A page
saved as ``.txt`` is still read as HTML, and a PNG renamed ``.txt`` is refused.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path

from reader.core.frontmatter import sniff_binary

log = logging.getLogger(__name__)

TEXT = "text"
MARKDOWN = "markdown"
HTML = "html"
PDF = "pdf"
DOCX = "docx"
EPUB = "epub"
EMAIL = "email"
MBOX = "mbox"

EXTENSIONS: dict[str, str] = {
    ".txt": TEXT, ".text": TEXT,
    ".md": MARKDOWN, ".markdown": MARKDOWN, ".mdown": MARKDOWN,
    ".html": HTML, ".htm": HTML, ".xhtml": HTML, ".shtml": HTML,
    ".pdf": PDF, ".docx": DOCX, ".epub": EPUB, ".eml": EMAIL, ".mbox": MBOX,
}
_MAIL_HEADER = re.compile(rb"^(?:[A-Za-z][A-Za-z0-9-]*:[^\n]*\r?\n(?:[ \t][^\n]*\r?\n)*){3,}", re.MULTILINE)
_MAIL_KEYS = re.compile(rb"^(?:from|date|subject|message-id|to):", re.IGNORECASE | re.MULTILINE)

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


def sniff_container(path: Path, data: bytes) -> str | None:
    """PDF, Word or EPUB by their bytes (a ZIP is looked into), whatever the file is called."""
    if data[:1024].lstrip().startswith(b"%PDF-"):
        return PDF
    if not data.startswith(b"PK\x03\x04"):
        return None
    import io
    import zipfile

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
            if "word/document.xml" in names:
                return DOCX
            if "META-INF/container.xml" in names or (
                    "mimetype" in names and archive.read("mimetype").strip() == b"application/epub+zip"):
                return EPUB
    except (zipfile.BadZipFile, OSError, KeyError, ValueError):
        return None
    return None


def looks_like_email(path: Path, data: bytes) -> str | None:
    """EMAIL or MBOX when the name says so, or the first bytes are mail headers."""
    by_ext = kind_for_extension(path)
    if by_ext in (EMAIL, MBOX):
        return by_ext
    head = data[:4096]
    if head.startswith(b"From ") and _MAIL_KEYS.search(head):
        return MBOX
    if by_ext in (None, TEXT) and _MAIL_HEADER.match(head) and len(_MAIL_KEYS.findall(head)) >= 3:
        return EMAIL
    return None


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
