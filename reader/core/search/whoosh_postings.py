"""Each segment's postings also kept as flat arrays, one run per word, for the ranker to slice.

Whoosh stores a word's postings as pickled, zlib-compressed blocks of 128. Reading a word that
is in most of 20,000 records cold (``said``: 163 blocks) cost 20-35 ms, about 60 % of it
decompressing, unpickling and decoding ids in Python; a term or boolean query meeting two such
words spent most of its time there. The same postings as two flat arrays (docnums ``uint32``,
weights ``float32``, exactly the values Whoosh's blocks hold) are two ``memcpy``-s.

:func:`install` hooks Whoosh's field writer, so every segment written in this process (full
builds in the workers, updates, merges, the in-memory fallback) gets a ``.pxp`` file beside its
own, which Whoosh's compound assembly packs into the segment and its file cleanup removes with
it. Layout (native little-endian; any other byte order or a damaged file is ignored, and the
ranker reads Whoosh's blocks as before)::

    b"PXPOST1\\n" | u32 header length | JSON header | sections, each 8-byte aligned

The header names, per scored field, five sections: ``term_ends`` (u32 per term, the end of its
bytes in ``terms``), ``terms`` (the words' bytes in Whoosh's sorted order), ``starts`` (u32 per
term plus one: where its postings begin), ``ids`` (u32 segment docnums) and ``weights`` (f32).
A word is found by binary search over the sorted terms, so nothing per word is held in memory.
"""

from __future__ import annotations

import json
import logging
import struct
import sys
from array import array
from typing import Any

from whoosh.codec import whoosh3

log = logging.getLogger(__name__)

EXT = ".pxp"
MAGIC = b"PXPOST1\n"
_SECTIONS = ("term_ends", "terms", "starts", "ids", "weights")


class _FieldSink:
    """What one field's postings add up to while its segment is written."""

    __slots__ = ("ids", "starts", "term_ends", "terms", "weights")

    def __init__(self) -> None:
        self.terms = bytearray()
        self.term_ends = array("I")
        self.starts = array("I")
        self.ids = array("I")
        self.weights = array("f")

    def start(self, btext: bytes) -> None:
        self.terms += btext
        self.term_ends.append(len(self.terms))
        self.starts.append(len(self.ids))

    def sections(self) -> dict[str, bytes | bytearray | array]:
        starts = array("I", self.starts)
        starts.append(len(self.ids))
        return {"term_ends": self.term_ends, "terms": self.terms, "starts": starts, "ids": self.ids,
                "weights": self.weights}


def _encode(fields: dict[str, _FieldSink]) -> bytes:
    """The file's bytes: magic, header, 8-byte-aligned sections."""
    blobs: list[bytes] = []
    header: dict[str, Any] = {"byteorder": sys.byteorder, "fields": {}}
    offset = 0
    for name, sink in fields.items():
        entry: dict[str, list[int]] = {}
        for section, data in sink.sections().items():
            raw = data.tobytes() if isinstance(data, array) else bytes(data)
            entry[section] = [offset, len(raw)]
            pad = -len(raw) % 8
            blobs.append(raw + b"\0" * pad)
            offset += len(raw) + pad
        header["fields"][name] = entry
    head = json.dumps(header, separators=(",", ":")).encode("ascii")
    head += b" " * (-(len(MAGIC) + 4 + len(head)) % 8)
    return MAGIC + struct.pack("<I", len(head)) + head + b"".join(blobs)


# -- writing: hooks on Whoosh's field and postings writers ---------------------------------------
_start_field = whoosh3.W3FieldWriter.start_field
_start_term = whoosh3.W3FieldWriter.start_term
_close = whoosh3.W3FieldWriter.close
_write_block = whoosh3.W3PostingsWriter._write_block
_finish_postings = whoosh3.W3PostingsWriter.finish_postings


def _hook_start_field(self: Any, fieldname: str, fieldobj: Any) -> None:
    _start_field(self, fieldname, fieldobj)
    sinks = self.__dict__.setdefault("_px_fields", {})
    if fieldobj.scorable and not self._postwriter._byteids:
        self._postwriter._px_sink = sinks.setdefault(fieldname, _FieldSink())


def _hook_start_term(self: Any, btext: bytes) -> None:
    _start_term(self, btext)
    sink = getattr(self._postwriter, "_px_sink", None)
    if sink is not None:
        sink.start(btext)


def _hook_write_block(self: Any, last: bool = False) -> None:
    sink = getattr(self, "_px_sink", None)
    if sink is not None:
        sink.ids.extend(self._ids)
        sink.weights.extend(self._weights)
    _write_block(self, last)


def _hook_finish_postings(self: Any) -> Any:
    sink = getattr(self, "_px_sink", None)
    if sink is not None and not self.written() and len(self) < self._inlinelimit:
        # Inlined into the term info: Whoosh writes no block for it.
        sink.ids.extend(self._ids)
        sink.weights.extend(self._weights)
    return _finish_postings(self)


def _hook_close(self: Any) -> None:
    fields = self.__dict__.pop("_px_fields", None)
    if fields:  # a full or read-only disk fails the segment, as Whoosh's own files would
        out = self._segment.create_file(self._storage, EXT)
        try:
            out.write(_encode(fields))
        finally:
            out.close()
    _close(self)


def install() -> None:
    """Once per process, before a segment is written (idempotent; forked workers inherit it)."""
    if whoosh3.W3FieldWriter.start_field is not _hook_start_field:
        whoosh3.W3FieldWriter.start_field = _hook_start_field
        whoosh3.W3FieldWriter.start_term = _hook_start_term
        whoosh3.W3FieldWriter.close = _hook_close
        whoosh3.W3PostingsWriter._write_block = _hook_write_block
        whoosh3.W3PostingsWriter.finish_postings = _hook_finish_postings


# -- reading ----------------------------------------------------------------------------------
class _Field:
    """One field's sections as typed views of the file's bytes."""

    __slots__ = ("ids", "starts", "term_ends", "terms", "weights")

    def __init__(self, buf: memoryview, base: int, entry: dict[str, list[int]]) -> None:
        views: dict[str, memoryview] = {}
        for section in _SECTIONS:
            offset, length = entry[section]
            start = base + offset
            if offset < 0 or length < 0 or start + length > len(buf):
                raise ValueError(f"section {section} runs past the file")
            views[section] = buf[start:start + length]
        self.terms = views["terms"]
        self.term_ends: memoryview[int] = views["term_ends"].cast("I")
        self.starts: memoryview[int] = views["starts"].cast("I")
        self.ids: memoryview[int] = views["ids"].cast("I")
        self.weights: memoryview[float] = views["weights"].cast("f")
        if len(self.starts) != len(self.term_ends) + 1 or len(self.ids) != len(self.weights):
            raise ValueError("section sizes disagree")

    def find(self, btext: bytes) -> int:
        """The word's index in the sorted terms, or -1."""
        ends, terms = self.term_ends, self.terms
        lo, hi = 0, len(ends)
        while lo < hi:
            mid = (lo + hi) // 2
            begin = ends[mid - 1] if mid else 0
            word = bytes(terms[begin:ends[mid]])
            if word < btext:
                lo = mid + 1
            else:
                hi = mid
        if lo < len(ends):
            begin = ends[lo - 1] if lo else 0
            if bytes(terms[begin:ends[lo]]) == btext:
                return lo
        return -1


class SegmentPostings:
    """One segment's flat postings (see the module); :meth:`of` gives None where there are none."""

    def __init__(self, buf: memoryview, keep: Any = None) -> None:
        if bytes(buf[:len(MAGIC)]) != MAGIC:
            raise ValueError("not a postings file")
        (head_len,) = struct.unpack_from("<I", buf, len(MAGIC))
        base = len(MAGIC) + 4 + head_len
        header = json.loads(bytes(buf[len(MAGIC) + 4:base]))
        if header.get("byteorder") != sys.byteorder:
            raise ValueError(f"written on a {header.get('byteorder')}-endian machine")
        self._keep = keep  # the file object whose map the views read
        self.fields = {name: _Field(buf, base, entry) for name, entry in header["fields"].items()}

    @classmethod
    def of(cls, reader: Any) -> SegmentPostings | None:
        """The postings file of a Whoosh segment reader, or None (absent, unreadable, damaged)."""
        try:
            segment = reader.segment()
            storage = reader.storage()
            name = segment.make_filename(EXT)
            if not storage.file_exists(name):
                return None
            handle = storage.open_file(name)
            buf = getattr(handle, "_buf", None)
            if not isinstance(buf, memoryview):
                buf = memoryview(handle.read())
            return cls(buf, keep=handle)
        except (OSError, ValueError, KeyError, TypeError, struct.error) as exc:
            log.warning("flat postings of a segment unreadable, using Whoosh's (%s)", exc)
            return None

    def postings(self, fieldname: str, btext: bytes) -> tuple[memoryview[int], memoryview[float]] | None:
        """``(docnums, weights)`` of a word in this segment (empty if absent); None if the field
        is not kept here."""
        field = self.fields.get(fieldname)
        if field is None:
            return None
        k = field.find(btext)
        if k < 0:
            return field.ids[0:0], field.weights[0:0]
        a, b = field.starts[k], field.starts[k + 1]
        return field.ids[a:b], field.weights[a:b]
