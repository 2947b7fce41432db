"""Passages about the same thing: TF-IDF cosine over stemmed content words, plus shared entities.

Document frequencies are counted over the passages of the whole corpus, so words every
outlet uses for this story ("Kazakhstan", "protests") weigh little and the specific
ones ("22 months", "High Court") carry the match.
"""

from __future__ import annotations

import hashlib
import math
from bisect import bisect_left
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from reader.core.align.model import SIMILAR, Pair
from reader.core.align.normalise import Token, tokens
from reader.core.align.passages import Passage, split_passages
from reader.core.align.stem import content_stems
from reader.core.document import Document

SIMILAR_MIN = 0.2        # cosine below this is not "about the same thing"
MIN_SHARED_TERMS = 2     # one shared word is a coincidence
ENTITY_WEIGHT = 0.3      # share of the gap to 1.0 that a full entity overlap closes


@dataclass
class CorpusStats:
    """Passage document-frequencies of stems over a corpus (or just the documents aligned)."""

    passages: int = 0
    df: dict[str, int] = field(default_factory=dict)
    fingerprint: str = "local"

    @classmethod
    def from_documents(cls, docs: Iterable[Document]) -> CorpusStats:
        stats = cls.build(docs)
        assert stats is not None  # never cancelled without a cancelled() callback
        return stats

    @classmethod
    def build(cls, docs: Iterable[Document], progress: Callable[[int, int], None] | None = None,
              cancelled: Callable[[], bool] | None = None) -> CorpusStats | None:
        """Count over ``docs`` one at a time (an iterator keeps one document in memory); None if cancelled.

        Only the passage stems are computed (not the whole :class:`PreparedDoc`): the tokens
        and passages of 20,000 documents are never needed together.
        """
        df: Counter[str] = Counter()
        n = 0
        digest = hashlib.sha256()
        for k, doc in enumerate(docs):
            if cancelled is not None and cancelled():
                return None
            digest.update(doc.content_hash.encode())
            for terms in passage_terms(doc):
                df.update(set(terms))
                n += 1
            if progress is not None and k % 200 == 199:
                progress(k + 1, 0)
        return cls(n, dict(df), digest.hexdigest()[:16])

    def idf(self, term: str) -> float:
        return math.log((self.passages + 1) / (self.df.get(term, 0) + 1)) + 1.0

    def to_dict(self) -> dict[str, object]:
        return {"passages": self.passages, "df": self.df, "fingerprint": self.fingerprint}

    @classmethod
    def from_dict(cls, data: dict[str, object]) -> CorpusStats:
        df = data.get("df")
        return cls(int(str(data.get("passages", 0))), dict(df) if isinstance(df, dict) else {},
                   str(data.get("fingerprint", "local")))


@dataclass
class PreparedDoc:
    """A document's tokens, passages and the stems of each passage."""

    doc: Document
    tokens: list[Token]
    passages: list[Passage]
    passage_terms: list[list[str]]

    @classmethod
    def build(cls, doc: Document) -> PreparedDoc:
        toks = tokens(doc.text)
        passages = split_passages(doc)
        return cls(doc, toks, passages, _passage_terms(toks, passages))


def _passage_terms(toks: list[Token], passages: list[Passage]) -> list[list[str]]:
    starts = [t.start for t in toks]
    terms = []
    for p in passages:
        i, k = bisect_left(starts, p.start), bisect_left(starts, p.end)
        terms.append(content_stems([t.word for t in toks[i:k]]))
    return terms


def passage_terms(doc: Document) -> list[list[str]]:
    """The content stems of each passage of ``doc`` (what the corpus frequencies count)."""
    return _passage_terms(tokens(doc.text), split_passages(doc))


def _vectors(prepared: PreparedDoc, stats: CorpusStats) -> list[dict[str, float]]:
    out = []
    for terms in prepared.passage_terms:
        counts = Counter(terms)
        vec = {t: (1.0 + math.log(c)) * stats.idf(t) for t, c in counts.items()}
        norm = math.sqrt(sum(v * v for v in vec.values())) or 1.0
        out.append({t: v / norm for t, v in vec.items()})
    return out


def _entity_sets(passages: list[Passage], mentions: list[tuple[int, int, str]] | None) -> list[frozenset[str]]:
    if not mentions:
        return [frozenset() for _ in passages]
    ordered = sorted(mentions)
    starts = [m[0] for m in ordered]
    out = []
    for p in passages:
        i = bisect_left(starts, p.start)
        ids = set()
        while i < len(ordered) and ordered[i][0] < p.end:
            ids.add(ordered[i][2])
            i += 1
        out.append(frozenset(ids))
    return out


def similar_pairs(a: PreparedDoc, b: PreparedDoc, stats: CorpusStats,
                  mentions_a: list[tuple[int, int, str]] | None = None,
                  mentions_b: list[tuple[int, int, str]] | None = None) -> list[Pair]:
    """Passage pairs whose similarity passes :data:`SIMILAR_MIN`, each the best match of one side."""
    va, vb = _vectors(a, stats), _vectors(b, stats)
    ea, eb = _entity_sets(a.passages, mentions_a), _entity_sets(b.passages, mentions_b)
    postings: dict[str, list[tuple[int, float]]] = defaultdict(list)
    for j, vec in enumerate(vb):
        for term, weight in vec.items():
            postings[term].append((j, weight))
    scores: dict[tuple[int, int], float] = {}
    for i, vec in enumerate(va):
        dots: dict[int, float] = defaultdict(float)
        shared: Counter[int] = Counter()
        for term, weight in vec.items():
            for j, wb in postings.get(term, ()):
                dots[j] += weight * wb
                shared[j] += 1
        for j, dot in dots.items():
            if shared[j] < MIN_SHARED_TERMS:
                continue
            score = dot
            if ea[i] and eb[j]:
                jacc = len(ea[i] & eb[j]) / len(ea[i] | eb[j])
                score = dot + (1.0 - dot) * ENTITY_WEIGHT * jacc
            if score >= SIMILAR_MIN:
                scores[(i, j)] = score
    best_a: dict[int, tuple[float, int]] = {}
    best_b: dict[int, tuple[float, int]] = {}
    for (i, j), s in scores.items():
        if s > best_a.get(i, (-1.0, -1))[0]:
            best_a[i] = (s, j)
        if s > best_b.get(j, (-1.0, -1))[0]:
            best_b[j] = (s, i)
    keep = {(i, j) for i, (_s, j) in best_a.items()} | {(i, j) for j, (_s, i) in best_b.items()}
    pairs = []
    for i, j in sorted(keep):
        pa, pb = a.passages[i], b.passages[j]
        pairs.append(Pair(SIMILAR, round(min(1.0, scores[(i, j)]), 4), pa.start, pa.end, pb.start, pb.end,
                          entities=tuple(sorted(ea[i] & eb[j]))))
    return pairs
