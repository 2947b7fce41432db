"""Align two documents: shared wording, similar passages, the monotone chain; cached per pair.

``align_documents`` is pure (documents in, :class:`Alignment` out). ``Aligner`` adds what a
run has: corpus-wide word weights, entity mentions when the entities capability exists,
and a cache in ``ctx.cache_dir/align`` keyed by both content hashes, the corpus weights'
fingerprint and whether entities took part.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable, Iterable
from dataclasses import replace
from pathlib import Path
from typing import Any

from reader.core.align.chain import monotone_chain
from reader.core.align.mentions import EntityMentions, MentionSpan, entity_service
from reader.core.align.model import Alignment, Pair, coverage
from reader.core.align.similarity import CorpusStats, PreparedDoc, similar_pairs
from reader.core.align.verbatim import verbatim_pairs
from reader.core.atomic import atomic_write_text
from reader.core.document import Document

#: bump when the algorithm changes so old cache entries are ignored
ALGORITHM_VERSION = 3

log = logging.getLogger(__name__)


def align_documents(doc_a: Document, doc_b: Document, stats: CorpusStats | None = None,
                    mentions_a: list[MentionSpan] | None = None,
                    mentions_b: list[MentionSpan] | None = None,
                    prepared: dict[str, PreparedDoc] | None = None) -> Alignment:
    """Every pair between ``doc_a`` and ``doc_b``, sorted by position in A, chain marked."""
    cache = prepared if prepared is not None else {}
    pa = cache.get(doc_a.content_hash) or PreparedDoc.build(doc_a)
    pb = cache.get(doc_b.content_hash) or PreparedDoc.build(doc_b)
    cache[doc_a.content_hash], cache[doc_b.content_hash] = pa, pb
    if stats is None:
        stats = CorpusStats.from_documents([doc_a, doc_b])
    pairs = verbatim_pairs(doc_a.text, pa.tokens, doc_b.text, pb.tokens)
    pairs += similar_pairs(pa, pb, stats, mentions_a, mentions_b)
    pairs.sort(key=lambda p: (p.a_start, p.b_start, p.a_end))
    chain = set(monotone_chain(pairs))
    marked = tuple(replace(p, in_chain=k in chain) for k, p in enumerate(pairs))
    cov_a = coverage([(p.a_start, p.a_end) for p in marked], len(doc_a.text))
    cov_b = coverage([(p.b_start, p.b_end) for p in marked], len(doc_b.text))
    used = mentions_a is not None and mentions_b is not None
    return Alignment(doc_a.id, doc_b.id, doc_a.content_hash, doc_b.content_hash, marked, cov_a, cov_b, used)


class Aligner:
    """Alignments for one corpus: word weights, entities and a disk cache.

    ``corpus_docs`` supplies the corpus's documents for the word weights (called once,
    lazily; an iterator is best: the weights need one document at a time, and holding a
    20,000-document corpus in a list costs hundreds of MB); ``cache_dir`` None disables the
    disk cache. The window builds the weights with :meth:`prepare_stats` in a background job
    (walking the corpus takes seconds at 20,000 documents) and aligns once they are ready.
    """

    def __init__(self, cache_dir: Path | None, corpus_docs: Callable[[], Iterable[Document]] | None = None,
                 entities: EntityMentions | None = None, corpus_key: str = "") -> None:
        self.cache_dir = Path(cache_dir) / "align" if cache_dir is not None else None
        self._corpus_docs = corpus_docs
        self._corpus_key = corpus_key
        self.entities = entities
        self._stats: CorpusStats | None = None
        self._memory: dict[tuple[str, str], Alignment] = {}
        self._mentions: dict[str, list[MentionSpan]] = {}
        self.prepared: dict[str, PreparedDoc] = {}

    @classmethod
    def for_context(cls, ctx: Any, *, use_entities: bool = True, service: Any = None) -> Aligner:
        """An aligner for the context's corpus; ``service``: the session's entity service (else
        one is built here, for callers without a session)."""
        corpus = ctx.corpus()
        key = hashlib.sha256()
        # The scan's sizes and times: stat-ing 20,000 files here took 0.2 s beside the window.
        for doc_id, (size, mtime_ns) in sorted(corpus.file_stamps().items()):
            key.update(f"{doc_id}:{size}:{mtime_ns};".encode() if size >= 0 else f"{doc_id}:?;".encode())
        return cls(ctx.cache_dir, corpus.documents,
                   (EntityMentions(service) if service is not None else entity_service(ctx)) if use_entities
                   else None, key.hexdigest()[:16])

    # -- corpus weights -------------------------------------------------------------
    @property
    def stats(self) -> CorpusStats:
        if self._stats is None:
            self._stats = self._load_stats() or self._build_stats() or CorpusStats()
        return self._stats

    @property
    def stats_ready(self) -> bool:
        """Whether the corpus word weights are in memory (aligning will not walk the corpus)."""
        return self._stats is not None

    def prepare_stats(self, progress: Callable[[int, int], None] | None = None,
                      cancelled: Callable[[], bool] | None = None) -> bool:
        """Load or build the corpus word weights (for a background job); False if cancelled.

        Streams the corpus one document at a time, so memory stays at one document plus the
        frequency table whatever the corpus size.
        """
        if self._stats is not None:
            return True
        stats = self._load_stats()
        if stats is None:
            stats = self._build_stats(progress, cancelled)
            if stats is None:
                return False
        self._stats = stats
        return True

    def _stats_path(self) -> Path | None:
        if self.cache_dir is None or not self._corpus_key:
            return None
        return self.cache_dir / f"stats-v{ALGORITHM_VERSION}-{self._corpus_key}.json"

    def _load_stats(self) -> CorpusStats | None:
        path = self._stats_path()
        if path is None or not path.exists():
            return None
        try:
            return CorpusStats.from_dict(json.loads(path.read_text(encoding="utf-8")))
        except (OSError, ValueError):
            return None

    def _build_stats(self, progress: Callable[[int, int], None] | None = None,
                     cancelled: Callable[[], bool] | None = None) -> CorpusStats | None:
        if self._corpus_docs is None:
            return CorpusStats()
        stats = CorpusStats.build(self._corpus_docs(), progress, cancelled)
        if stats is None:
            return None
        path = self._stats_path()
        if path is not None:
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
                atomic_write_text(path, json.dumps(stats.to_dict()), durable=False)
            except OSError as exc:
                log.warning("alignment word weights not cached (%s); they are rebuilt next time", exc)
        return stats

    # -- alignment ------------------------------------------------------------------
    def mentions(self, doc: Document) -> list[MentionSpan] | None:
        if self.entities is None:
            return None
        if doc.content_hash not in self._mentions:
            self._mentions[doc.content_hash] = self.entities.mentions(doc)
        return self._mentions[doc.content_hash]

    def _cache_path(self, doc_a: Document, doc_b: Document) -> Path | None:
        if self.cache_dir is None:
            return None
        ents = "e1" if self.entities is not None else "e0"
        name = (f"v{ALGORITHM_VERSION}-{doc_a.content_hash[:20]}-{doc_b.content_hash[:20]}"
                f"-{self.stats.fingerprint}-{ents}.json")
        return self.cache_dir / name

    def cached(self, doc_a: Document, doc_b: Document) -> Alignment | None:
        """The alignment of A with B if it is in memory or the disk cache (cheap), else None.

        Needs the word weights (:attr:`stats_ready`), which name the cache entry.
        """
        key = (doc_a.content_hash, doc_b.content_hash)
        if key in self._memory:
            return self.relabel(self._memory[key], doc_a, doc_b)
        reverse = (doc_b.content_hash, doc_a.content_hash)
        if reverse in self._memory:
            return self.relabel(self._memory[reverse].swapped(), doc_a, doc_b)
        path = self._cache_path(doc_a, doc_b)
        if path is not None and path.exists():
            try:
                result = Alignment.from_cache(json.loads(path.read_text(encoding="utf-8")))
            except (OSError, ValueError, KeyError, TypeError) as exc:
                log.info("alignment cache entry %s unreadable (%s); aligning again", path.name, exc)
                return None
            self._memory[key] = result
            return self.relabel(result, doc_a, doc_b)
        return None

    def align(self, doc_a: Document, doc_b: Document) -> Alignment:
        """The alignment of A with B (from memory, the disk cache, or computed and stored)."""
        key = (doc_a.content_hash, doc_b.content_hash)
        hit = self.cached(doc_a, doc_b)
        if hit is not None:
            return hit
        path = self._cache_path(doc_a, doc_b)
        result = align_documents(doc_a, doc_b, self.stats, self.mentions(doc_a), self.mentions(doc_b),
                                 self.prepared)
        if path is not None:
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
                atomic_write_text(path, json.dumps(result.to_cache()), durable=False)
            except OSError as exc:
                log.warning("alignment not cached (%s); it is computed again next time", exc)
        self._memory[key] = result
        return self.relabel(result, doc_a, doc_b)

    @staticmethod
    def relabel(result: Alignment, doc_a: Document, doc_b: Document) -> Alignment:
        """The same alignment named for these documents (a cached one may come from a copy)."""
        if result.a_id == doc_a.id and result.b_id == doc_b.id:
            return result
        return replace(result, a_id=doc_a.id, b_id=doc_b.id)


__all__ = ["Aligner", "Alignment", "Pair", "align_documents"]
