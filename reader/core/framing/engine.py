"""The framing service one run uses: lists (package, corpus, user overlay), detector, caches, profiles.

The user overlay (``<data dir>/overlays/framing.yaml``) records add/remove/move/mute
operations that are replayed on the curated lists, so they survive list and corpus updates.
Spans are cached per document by content hash and list fingerprint in the corpus's cache dir.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from reader.core.atomic import atomic_write_text
from reader.core.document import ARTICLE, Document
from reader.core.errors import ReaderError
from reader.core.framing.catalogue import FramingDataError, Technique, load_catalogue
from reader.core.framing.detect import PATTERN_RULES, FramingDetector, FramingSpan, list_rule
from reader.core.framing.lexicon import CORPUS_LISTS_NAME, LISTS_FILE, WordLists, fold_term, load_lists
from reader.core.overlay import OverlayFile
from reader.core.text import word_count

log = logging.getLogger(__name__)

Progress = Callable[[int, int], None]
Cancelled = Callable[[], bool]
OVERLAY_NAME = "framing.yaml"


class FramingCancelled(ReaderError):
    """The caller asked to stop."""


@dataclass(frozen=True)
class Profile:
    """Counts per technique and the same per 1,000 words, for one document or one outlet."""

    words: int
    counts: dict[str, int]

    def per_1000(self) -> dict[str, float]:
        if self.words <= 0:
            return {t: 0.0 for t in self.counts}
        return {t: round(n * 1000.0 / self.words, 2) for t, n in self.counts.items()}


class FramingEngine:
    """Detect, explain and profile framing for the documents of one corpus."""

    def __init__(self, data_dir: Path, cache_dir: Path | None = None, corpus_root: Path | None = None,
                 lists_file: Path | None = None) -> None:
        self.catalogue: dict[str, Technique] = load_catalogue()
        self.overlay = OverlayFile(Path(data_dir) / "overlays" / OVERLAY_NAME)
        self.cache_dir = Path(cache_dir) / "framing" if cache_dir else None
        self.corpus_root = Path(corpus_root) if corpus_root else None
        self.lists_file = Path(lists_file or LISTS_FILE)
        self.notices: list[str] = [self.overlay.notice] if self.overlay.notice else []
        self._memo: dict[str, list[FramingSpan]] = {}
        self.reload()

    @classmethod
    def for_context(cls, ctx: Any) -> FramingEngine:
        return cls(ctx.paths.data_dir, ctx.cache_dir, ctx.corpus_root)

    # -- lists --------------------------------------------------------------------
    def curated_lists(self) -> WordLists:
        lists = load_lists(self.lists_file, self.catalogue)
        if self.corpus_root is not None and (self.corpus_root / CORPUS_LISTS_NAME).is_file():
            try:
                lists.merge(load_lists(self.corpus_root / CORPUS_LISTS_NAME, self.catalogue))
            except FramingDataError as exc:
                self.notices.append(f"{exc} (the corpus's own lists are ignored)")
        return lists

    def reload(self) -> None:
        """Rebuild lists and detector from the files and the overlay."""
        self.lists, self.muted = self._apply_overlay(self.curated_lists())
        self.detector = FramingDetector(self.lists, self.muted)
        self.fingerprint = self.lists.fingerprint() + "-" + "_".join(sorted(self.muted))
        self._memo.clear()

    def _apply_overlay(self, lists: WordLists) -> tuple[WordLists, set[str]]:
        muted: set[str] = set()
        for op in self.overlay.ops:
            if not isinstance(op, dict):
                continue
            kind, term, tech, rule = op.get("op"), str(op.get("term") or ""), op.get("technique"), op.get("rule")
            if kind in ("add", "move") and term and tech in self.catalogue:
                lists.add(term, str(tech))
            elif kind == "remove" and term:
                lists.remove(term)
                lists.suppressed.add(fold_term(term.lstrip("=")))
            elif kind == "mute" and rule:
                muted.add(str(rule))
            elif kind == "unmute" and rule:
                muted.discard(str(rule))
        return lists, muted

    def rules(self) -> dict[str, tuple[str, str]]:
        """Every rule id -> (technique, explanation)."""
        out = {list_rule(t): (t, f"a word or phrase from the {self.catalogue[t].name} list")
               for t in self.lists.lists if t in self.catalogue}
        out.update(PATTERN_RULES)
        return out

    # -- overlay actions ------------------------------------------------------------
    def _technique(self, technique: str) -> str:
        key = technique.strip().lower().replace("-", "_").replace(" ", "_")
        if key in self.catalogue:
            return key
        for tid, tech in self.catalogue.items():
            if tech.name.lower() == technique.strip().lower() or tech.ptc.lower() == technique.strip().lower():
                return tid
        raise ReaderError(f"unknown technique {technique!r}; known: {', '.join(self.catalogue)}")

    def add_term(self, term: str, technique: str) -> str:
        if not fold_term(term.lstrip("=")):
            raise ReaderError("the term is empty")
        tech = self._technique(technique)
        before = self.lists.technique_of(term)
        self.overlay.append({"op": "move" if before else "add", "term": term.strip(), "technique": tech})
        self.reload()
        return tech

    def remove_term(self, term: str) -> None:
        if not fold_term(term.lstrip("=")):
            raise ReaderError("the term is empty")
        self.overlay.append({"op": "remove", "term": term.strip()})
        self.reload()

    def move_term(self, term: str, technique: str) -> str:
        tech = self._technique(technique)
        self.overlay.append({"op": "move", "term": term.strip(), "technique": tech})
        self.reload()
        return tech

    def mute(self, rule: str, mute: bool = True) -> None:
        if rule not in self.rules():
            raise ReaderError(f"unknown rule {rule!r}; known: {', '.join(sorted(self.rules()))}")
        self.overlay.append({"op": "mute" if mute else "unmute", "rule": rule})
        self.reload()

    # -- detection ----------------------------------------------------------------
    def spans(self, doc: Document) -> list[FramingSpan]:
        """Framing spans of a document (cached by content hash and list fingerprint)."""
        key = doc.content_hash
        cached = self._memo.get(key)
        if cached is not None:
            return cached
        spans = self._read_cache(key)
        if spans is None:
            spans = self.detector.detect(doc.text)
            self._write_cache(key, spans)
        self._memo[key] = spans
        return spans

    def _cache_file(self, key: str) -> Path | None:
        if self.cache_dir is None:
            return None
        return self.cache_dir / self.fingerprint[:40] / f"{key}.json"

    def _read_cache(self, key: str) -> list[FramingSpan] | None:
        path = self._cache_file(key)
        if path is None or not path.exists():
            return None
        try:
            rows = json.loads(path.read_text(encoding="utf-8"))
            return [FramingSpan(r[0], int(r[1]), int(r[2]), r[3], r[4]) for r in rows]
        except (OSError, ValueError, IndexError, TypeError):
            return None

    def _write_cache(self, key: str, spans: list[FramingSpan]) -> None:
        path = self._cache_file(key)
        if path is None:
            return
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            atomic_write_text(path, json.dumps([[s.technique, s.start, s.end, s.rule, s.term] for s in spans]),
                              durable=False)
        except OSError as exc:  # a cache that cannot be written is only slower
            log.debug("framing span cache not written to %s: %s", path, exc)

    # -- profiles -----------------------------------------------------------------
    def profile(self, doc: Document, section: str | None = ARTICLE) -> Profile:
        """Spans per technique in a section (the article by default) and its word count."""
        sec = doc.section(section) if section else None
        start, end = (sec.start, sec.end) if sec else (0, len(doc.text))
        counts = {t: 0 for t in self.catalogue}
        for span in self.spans(doc):
            if start <= span.start < end:
                counts[span.technique] = counts.get(span.technique, 0) + 1
        return Profile(word_count(doc.text[start:end]), counts)

    def outlet_profiles(self, docs: Iterable[Document], progress: Progress | None = None,
                        cancelled: Cancelled | None = None, total: int = 0) -> dict[str, Profile]:
        """Profiles summed per outlet (articles only: reader comments are not the outlet's words)."""
        words: dict[str, int] = {}
        counts: dict[str, dict[str, int]] = {}
        for n, doc in enumerate(docs, 1):
            if cancelled is not None and cancelled():
                raise FramingCancelled("profile cancelled")
            prof = self.profile(doc)
            outlet = doc.meta.outlet or "Unknown outlet"
            words[outlet] = words.get(outlet, 0) + prof.words
            bucket = counts.setdefault(outlet, {t: 0 for t in self.catalogue})
            for t, c in prof.counts.items():
                bucket[t] = bucket.get(t, 0) + c
            if progress is not None:
                progress(n, total or n)
        return {o: Profile(words[o], counts[o]) for o in sorted(counts)}


def profile_csv_rows(profiles: dict[str, Profile], catalogue: dict[str, Technique]) -> list[list[str]]:
    """Rows for a CSV export: outlet, words, then per technique the rate per 1,000 words."""
    header = ["outlet", "words"] + [f"{catalogue[t].name} per 1000 words" for t in catalogue]
    rows = [header]
    for outlet, prof in profiles.items():
        rates = prof.per_1000()
        rows.append([outlet, str(prof.words)] + [f"{rates.get(t, 0.0):.2f}" for t in catalogue])
    return rows
