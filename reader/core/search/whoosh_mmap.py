"""Segment files read in place from the index's mmap, never copied into memory first.

Whoosh keeps each segment in one compound file that it maps into memory, and hands out its
parts as ``BufferFile(memoryview)``, whose ``BytesIO`` copies the whole part. Reading postings
for the first time so copied every segment's postings file: 111 MB of a 20,000-document index
in the window's process (tracemalloc, after ``warm()``), on top of the mapped pages themselves.
:func:`install` makes the compound storage hand out :class:`MemoryFile`-backed files instead: the
same bytes, read by slicing the map.
"""

from __future__ import annotations

import logging
from typing import Any

from whoosh.filedb import compound
from whoosh.filedb.structfile import BufferFile

log = logging.getLogger(__name__)


class MemoryFile:
    """The file methods Whoosh's ``StructFile`` calls, over a memoryview (no copy)."""

    def __init__(self, buf: memoryview) -> None:
        self._buf = buf
        self._pos = 0

    def read(self, size: int = -1) -> bytes:
        if self._pos >= len(self._buf):
            return b""  # past the end (a seek may go there): nothing, and the position stays
        end = len(self._buf) if size is None or size < 0 else min(len(self._buf), self._pos + size)
        data = bytes(self._buf[self._pos:end])
        self._pos = end
        return data

    def readline(self, size: int = -1) -> bytes:
        if self._pos >= len(self._buf):
            return b""
        end = len(self._buf) if size is None or size < 0 else min(len(self._buf), self._pos + size)
        data = bytes(self._buf[self._pos:end])
        cut = data.find(b"\n")
        if cut >= 0:
            data = data[:cut + 1]
        self._pos += len(data)
        return data

    def seek(self, offset: int, whence: int = 0) -> int:
        base = (0, self._pos, len(self._buf))[whence]
        self._pos = max(0, base + offset)
        return self._pos

    def tell(self) -> int:
        return self._pos

    def close(self) -> None:
        """The map belongs to the compound storage, which closes it."""

    def __iter__(self) -> Any:
        while True:
            line = self.readline()
            if not line:
                return
            yield line


class MappedFile(BufferFile):
    """Whoosh's ``BufferFile`` (``get``, ``subset``) over a :class:`MemoryFile`."""

    def __init__(self, buf: memoryview, name: str | None = None, onclose: Any = None) -> None:
        self._buf = buf
        self._name = name
        self.file = MemoryFile(buf)
        self.onclose = onclose
        self.is_real = False
        self.is_closed = False

    def subset(self, position: int, length: int, name: str | None = None) -> MappedFile:
        return MappedFile(self._buf[position:position + length], name=name or self._name)


def _open_file(self: Any, name: str, *args: Any, **kwargs: Any) -> Any:
    if self._source and not self.is_closed:
        offset, length = self.range(name)
        return MappedFile(memoryview(self._source)[offset:offset + length], name=name)
    return _ORIGINAL(self, name, *args, **kwargs)


_ORIGINAL = compound.CompoundStorage.open_file


def install() -> None:
    """Once per process, before an index opens (idempotent)."""
    if compound.CompoundStorage.open_file is not _open_file:
        compound.CompoundStorage.open_file = _open_file
