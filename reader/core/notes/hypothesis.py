"""Annotations exported from Hypothesis (its JSON export or API rows) as Parallax notes.

Hypothesis annotates web pages by URL; a Parallax document knows the URL it was saved from
(``url`` in its front matter), so an annotation lands on the document with that URL. Its
text, tags, quote with prefix and suffix, position, colour-free highlight and dates are all
kept; annotations on pages that are not in the corpus are not silently dropped: the caller
gets their URLs to report.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from typing import Any
from urllib.parse import urldefrag

from reader.core.notes.model import DOCUMENT, PASSAGE, Note

log = logging.getLogger(__name__)

UrlLookup = Callable[[str], str | None]


def is_hypothesis(data: Any) -> bool:
    """True for Hypothesis's export ({"annotations": [...]}), API search rows or a list of them."""
    rows = hypothesis_rows(data)
    return bool(rows) and all(isinstance(r, dict) and "uri" in r and "target" in r for r in rows)


def hypothesis_rows(data: Any) -> list[Any]:
    if isinstance(data, dict):
        for key in ("annotations", "rows"):
            if isinstance(data.get(key), list):
                return list(data[key])
        return []
    return list(data) if isinstance(data, list) else []


def normalise_url(url: str) -> str:
    """Compare URLs without fragment, trailing slash or scheme case."""
    base, _fragment = urldefrag(url.strip())
    return base.rstrip("/").replace("http://", "https://", 1).lower()


def _selectors(row: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    quote: dict[str, Any] = {}
    position: dict[str, Any] = {}
    for target in row.get("target") or []:
        if not isinstance(target, dict):
            continue
        for sel in target.get("selector") or []:
            if isinstance(sel, dict) and sel.get("type") == "TextQuoteSelector":
                quote = sel
            elif isinstance(sel, dict) and sel.get("type") == "TextPositionSelector":
                position = sel
    return quote, position


def note_id_for(row: dict[str, Any]) -> str:
    """A stable id from Hypothesis's own id, so importing the same export twice adds nothing."""
    return hashlib.sha256(f"hypothesis:{row.get('id', '')}".encode()).hexdigest()[:32]


def notes_from_hypothesis(data: Any, corpus: str, lookup: UrlLookup) -> tuple[list[Note], list[str]]:
    """The notes, and the URLs of annotations whose page is not in the corpus."""
    notes: list[Note] = []
    missing: list[str] = []
    for row in hypothesis_rows(data):
        if not isinstance(row, dict):
            continue
        uri = str(row.get("uri") or "")
        doc = lookup(uri)
        if doc is None:
            missing.append(uri)
            continue
        quote, position = _selectors(row)
        record = {
            "id": note_id_for(row), "doc": doc,
            "quote": str(quote.get("exact") or ""), "prefix": str(quote.get("prefix") or ""),
            "suffix": str(quote.get("suffix") or ""),
            "start": position.get("start"), "end": position.get("end"),
            # positions count in the web page's text, not in the canonical text: re-anchor them
            "status": "anchored",
            "kind": PASSAGE if quote else DOCUMENT,
            "text": str(row.get("text") or ""), "tags": [str(t) for t in row.get("tags") or []],
            "color": "yellow", "created": row.get("created"),
            "updated": row.get("updated") or row.get("created"),
        }
        notes.append(Note.from_record(record, corpus))
    return notes, list(dict.fromkeys(missing))
