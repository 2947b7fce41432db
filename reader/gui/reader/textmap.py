"""Map offsets in a document's canonical text to positions in a QTextDocument and back.

The reader inserts text it does not own (comment headers, block separators replace
``"\\n\\n"``), and Qt counts UTF-16 code units, so positions differ from Python
offsets; every layer goes through this map instead of assuming they match.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass, field


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


@dataclass
class TextMap:
    """Sorted segments ``(py_start, py_end, qt_start)`` of canonical text placed in Qt."""

    text: str = ""
    _py_starts: list[int] = field(default_factory=list)
    _qt_starts: list[int] = field(default_factory=list)
    _ends: list[int] = field(default_factory=list)
    _astral: list[bool] = field(default_factory=list)

    def add(self, py_start: int, py_end: int, qt_start: int) -> None:
        self._py_starts.append(py_start)
        self._ends.append(py_end)
        self._qt_starts.append(qt_start)
        self._astral.append(any(ord(ch) > 0xFFFF for ch in self.text[py_start:py_end]))

    def to_qt(self, offset: int) -> int:
        """Qt position of a canonical offset (offsets between segments snap to the next)."""
        i = bisect_right(self._py_starts, offset) - 1
        if i < 0:
            return self._qt_starts[0] if self._qt_starts else 0
        start, end, qstart = self._py_starts[i], self._ends[i], self._qt_starts[i]
        if offset > end:
            if i + 1 < len(self._qt_starts):
                return self._qt_starts[i + 1]
            offset = end
        if self._astral[i]:
            return qstart + utf16_len(self.text[start:offset])
        return qstart + (offset - start)

    def to_py(self, position: int) -> int | None:
        """Canonical offset at a Qt position; None where Qt shows text of its own."""
        i = bisect_right(self._qt_starts, position) - 1
        if i < 0:
            return None
        start, end, qstart = self._py_starts[i], self._ends[i], self._qt_starts[i]
        if not self._astral[i]:
            offset = start + (position - qstart)
            return offset if offset <= end else None
        units = 0
        for k in range(start, end):
            if units >= position - qstart:
                return k
            units += 2 if ord(self.text[k]) > 0xFFFF else 1
        return end if units == position - qstart else None
