"""What an alignment is: pairs of spans with a kind and a score, and coverage per side."""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from typing import Any

from reader.core.document import Document

QUOTE = "quote"
VERBATIM = "verbatim"
SIMILAR = "similar"
KINDS = (QUOTE, VERBATIM, SIMILAR)
#: similar passages scoring below this are weak (a few shared words): kept for scrolling, not drawn
#: unless the reader asks (Compare ▸ Show Weak Pairs); quotations and verbatim runs always count
WEAK_SCORE = 0.25


def is_weak(pair: Pair) -> bool:
    return pair.kind == SIMILAR and pair.score < WEAK_SCORE


@dataclass(frozen=True)
class Pair:
    """Two corresponding spans: ``[a_start, a_end)`` of document A, ``[b_start, b_end)`` of B.

    ``in_chain`` marks the pairs of the monotone chain that drives scrolling; the others
    (a passage told earlier in one text than in the other) are kept for display.
    """

    kind: str
    score: float
    a_start: int
    a_end: int
    b_start: int
    b_end: int
    in_chain: bool = False
    entities: tuple[str, ...] = ()

    def swapped(self) -> Pair:
        return replace(self, a_start=self.b_start, a_end=self.b_end, b_start=self.a_start, b_end=self.a_end)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["entities"] = list(self.entities)
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Pair:
        return cls(str(data["kind"]), float(data["score"]), int(data["a_start"]), int(data["a_end"]),
                   int(data["b_start"]), int(data["b_end"]), bool(data.get("in_chain", False)),
                   tuple(data.get("entities") or ()))


@dataclass(frozen=True)
class Alignment:
    """All pairs between two documents, sorted by position in A, and each side's coverage."""

    a_id: str
    b_id: str
    a_hash: str
    b_hash: str
    pairs: tuple[Pair, ...]
    coverage_a: float
    coverage_b: float
    used_entities: bool = False

    @property
    def chain(self) -> list[Pair]:
        return [p for p in self.pairs if p.in_chain]

    def swapped(self) -> Alignment:
        """The same alignment seen from B (pairs re-sorted by position in B)."""
        pairs = tuple(sorted((p.swapped() for p in self.pairs), key=lambda p: (p.a_start, p.b_start)))
        return Alignment(self.b_id, self.a_id, self.b_hash, self.a_hash, pairs, self.coverage_b,
                         self.coverage_a, self.used_entities)

    def to_cache(self) -> dict[str, Any]:
        return {"a_id": self.a_id, "b_id": self.b_id, "a_hash": self.a_hash, "b_hash": self.b_hash,
                "pairs": [p.to_dict() for p in self.pairs], "coverage_a": self.coverage_a,
                "coverage_b": self.coverage_b, "used_entities": self.used_entities}

    @classmethod
    def from_cache(cls, data: dict[str, Any]) -> Alignment:
        return cls(str(data["a_id"]), str(data["b_id"]), str(data["a_hash"]), str(data["b_hash"]),
                   tuple(Pair.from_dict(p) for p in data["pairs"]), float(data["coverage_a"]),
                   float(data["coverage_b"]), bool(data.get("used_entities", False)))

    def to_json(self, doc_a: Document, doc_b: Document) -> dict[str, Any]:
        """The ``parallax align --json`` shape; offsets count in each document's canonical text."""
        return {
            "a": self.a_id,
            "b": self.b_id,
            "pairs": [
                {"kind": p.kind, "score": round(p.score, 4), "a_start": p.a_start, "a_end": p.a_end,
                 "b_start": p.b_start, "b_end": p.b_end, "a_text": doc_a.text[p.a_start:p.a_end],
                 "b_text": doc_b.text[p.b_start:p.b_end], "in_chain": p.in_chain,
                 "entities": list(p.entities)}
                for p in self.pairs
            ],
            "coverage": {"a": round(self.coverage_a, 4), "b": round(self.coverage_b, 4)},
            "entities_used": self.used_entities,
        }


def coverage(spans: list[tuple[int, int]], length: int) -> float:
    """Share of ``[0, length)`` covered by the union of ``spans``."""
    if length <= 0:
        return 0.0
    total = 0
    last = 0
    for start, end in sorted(spans):
        start = max(start, last)
        if end > start:
            total += end - start
            last = end
    return min(1.0, total / length)
