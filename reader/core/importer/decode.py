"""Bytes to text: declared or detected encoding, always ending as a Python str.

Order: a byte-order mark, then (for HTML) the page's own ``<meta charset>``, then strict
UTF-8, then charset-normalizer's best guess. The chosen encoding is recorded in the
document's front matter (``encoding``) so the user can see what was assumed.
"""

from __future__ import annotations

import codecs
import logging
import re
from typing import Any

from reader.core.importer.model import Skip

log = logging.getLogger(__name__)


def from_bytes(data: bytes) -> Any:
    """charset-normalizer's detector, imported on first use (it costs the window's start time)."""
    from charset_normalizer import from_bytes as detect

    return detect(data)

_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_META_CHARSET = re.compile(
    rb"""<meta[^>]+?charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")


_FEW_HIGH_BYTES = 24
_PLAUSIBLE_WESTERN = re.compile(r"[\u00a0-\u00ff\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192"
                                r"\u02c6\u02dc\u2013-\u2026\u2030\u2039\u203a\u20ac\u2122]")


def _western(data: bytes) -> tuple[str, str] | None:
    """Latin-1 (or Windows-1252 when its extra punctuation is used) if every non-ASCII character is plausible."""
    name = "iso8859-1" if not any(0x80 <= b <= 0x9F for b in data) else "cp1252"
    try:
        text = data.decode(name)
    except UnicodeDecodeError:
        return None
    if re.search(r"[^\x00-\x7f]{3}", text):
        return None  # runs of accented letters: Cyrillic, Greek... in a single-byte code page
    if all(_PLAUSIBLE_WESTERN.match(ch) for ch in text if ord(ch) >= 0x80):
        return _clean(text), name
    return None


def _clean(text: str) -> str:
    """Drop control characters no reader wants (keeps tab, newline, CR, form feed)."""
    return _CONTROL.sub("", text)


def _normal_name(name: str) -> str | None:
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def decode_bytes(data: bytes, *, html: bool = False) -> tuple[str, str]:
    """Return ``(text, encoding)``; raise :class:`Skip` when no encoding fits."""
    for bom, name in _BOMS:
        if data.startswith(bom):
            try:
                return _clean(data.decode(name)), name.replace("-sig", "")
            except UnicodeDecodeError:
                break
    if html:
        match = _META_CHARSET.search(data[:8192])
        declared = _normal_name(match.group(1).decode("ascii", "replace")) if match else None
        if declared is not None and declared not in ("utf-16", "utf-32", "utf-16-le", "utf-16-be"):
            try:
                return _clean(data.decode(declared)), declared
            except (UnicodeDecodeError, LookupError):
                pass  # the page lies about its encoding: detect instead
    try:
        return _clean(data.decode("utf-8")), "utf-8"
    except UnicodeDecodeError:
        pass
    high = sum(1 for b in data[:2_000_000] if b >= 0x80)
    if high <= _FEW_HIGH_BYTES:
        # a handful of accented letters or a pound sign: too little for statistics (detectors
        # then guess Shift-JIS and the like); Western single-byte text is by far the likeliest
        western = _western(data)
        if western is not None:
            return western
    best = from_bytes(data[:2_000_000]).best()
    if best is None or best.encoding is None:
        raise Skip("undecodable: the bytes fit no known text encoding")
    name = _normal_name(best.encoding) or best.encoding
    try:
        text = data.decode(name)
    except (UnicodeDecodeError, LookupError):
        raise Skip(f"undecodable: the bytes are not valid {name} text") from None
    return _clean(text), name
