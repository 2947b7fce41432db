"""The index records of one document: one per section, with the registered fields' values.

Shared by the serial writer and the build's worker processes, so both index exactly the same
thing. Registered fields travel to workers as :class:`Extra` tuples (name, extractor, ...),
which pickle by reference when the extractor is a module-level function.
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Callable, Iterator, Sequence
from datetime import datetime
from typing import Any, NamedTuple

from reader.core.document import ARTICLE, Document
from reader.core.search.fields import FieldSpec
from reader.core.search.formats import analyse_for_index


class Extra(NamedTuple):
    """What a worker needs of a registered field to compute its values."""

    name: str
    extractor: Callable[..., list[str]]
    per_section: bool
    keyword: bool
    flush: Callable[[], None] | None

    def values(self, doc: Document, section: str) -> list[str]:
        raw = self.extractor(doc, section) if self.per_section else self.extractor(doc)
        return [str(v) for v in raw if str(v)]


def extras_for(specs: Sequence[FieldSpec], schema: Any) -> list[Extra]:
    from whoosh.fields import KEYWORD

    return [Extra(s.name, s.extractor, s.per_section, isinstance(schema[s.name], KEYWORD), s.flush)
            for s in specs if s.name in schema.names()]


_SPAN = struct.Struct("<II")


def pack_text(text_z: bytes, start: int, end: int) -> bytes:
    """A record's ``text`` column: its section's ``[start, end)`` and the document's text (zlib)."""
    return _SPAN.pack(start, end) + text_z


def unpack_text(blob: bytes) -> tuple[str, int, int] | None:
    """``(document text, section start, section end)`` from a ``text`` column value; None if empty."""
    if len(blob) < _SPAN.size:
        return None
    start, end = _SPAN.unpack_from(blob)
    return zlib.decompress(blob[_SPAN.size:]).decode("utf-8"), start, end


def section_records(doc: Document, extras: Sequence[Extra]) -> Iterator[dict[str, Any]]:
    meta = doc.meta
    published = to_datetime(meta.published)
    # The whole canonical text, compressed once per document: snippets are cut from it exactly as
    # from the file's document (the same text, the same section offsets), without reading the file.
    text_z = zlib.compress(doc.text.encode("utf-8"), 1)
    for section in doc.sections:
        body, tokens = analyse_for_index(doc.text[section.start:section.end])
        record: dict[str, Any] = {
            "key": f"{doc.id}#{section.name}",
            "id": doc.id,
            "hash": doc.content_hash,
            "date": meta.published,
            "outlet": meta.outlet,
            "facet_outlet": meta.outlet,
            "author": meta.author,
            "language": meta.language or "en",
            "section": section.name,
            "day": meta.published or "undated",
            "body": body,
            "tokens": tokens,
            "text": pack_text(text_z, section.start, section.end),
        }
        if section.name == ARTICLE:
            record["title"] = meta.title
        else:  # the title is shown for comment hits but only the article matches on it
            record["title"] = ""
            record["_stored_title"] = meta.title
        if published is not None:
            record["published"] = published
        for extra in extras:
            values = extra.values(doc, section.name)
            if values:
                record[extra.name] = " ".join(v.replace(" ", "_") for v in values) if extra.keyword else values
        yield record


def to_datetime(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        return None
