"""Finding every spelling of every entity in a text: one Aho-Corasick automaton, offsets kept.

The text is *folded* character by character (lower case; curly and straight apostrophes,
hyphens and dashes, quotes and odd spaces each mapped to one form) into a string of the
same length, so a match in the folded text is a span of the original text with no offset
arithmetic. Matches must be whole words (a possessive ``'s`` after a name is outside the
span); overlapping candidates are resolved longest first.
"""

from __future__ import annotations

import hashlib
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

import ahocorasick

from reader.core.entities.model import Entity

_APOSTROPHES = "'’‘ʼ′`´ʹ"
_HYPHENS = "-‐‑‒–—―−﹣－\u00ad"
_QUOTES = "\"“”„‟«»″"
_SPACES = (" \t\n\r\u00a0\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a"
           "\u2028\u2029\u202f\u205f\u3000")
_TABLE = {ord(c): "'" for c in _APOSTROPHES}
_TABLE.update({ord(c): "-" for c in _HYPHENS})
_TABLE.update({ord(c): '"' for c in _QUOTES})
_TABLE.update({ord(c): " " for c in _SPACES})
_SPECIAL = frozenset(_TABLE)


def _lower_char(c: str) -> str:
    low = c.lower()
    return low if len(low) == 1 else c


def fold(text: str) -> str:
    """Same-length folding: case, apostrophes, hyphens, quotes and spaces made uniform."""
    low = text.lower()
    if len(low) != len(text) or "Σ" in text:  # length-changing or context-dependent lower case
        low = "".join(map(_lower_char, text))
    return low.translate(_TABLE)


def fold_punct(text: str) -> str:
    """Like :func:`fold` but keeping case (for aliases compared exactly)."""
    return text.translate(_TABLE)


def alias_key(alias: str) -> str:
    """The automaton key of an alias: folded, runs of spaces made one."""
    return " ".join(fold(alias).split(" ")).strip() if alias else ""


def alias_variants(alias: str) -> list[str]:
    """An alias and its hyphen/space twin (``Nur-Sultan`` also matches ``Nur Sultan``)."""
    base = " ".join(alias.split())
    out = [base]
    folded = fold_punct(base)
    if "-" in folded:
        spaced = folded.replace("-", " ")
        if spaced.strip() and spaced not in out:
            out.append(" ".join(spaced.split()))
    return out


def is_word_char(c: str) -> bool:
    return c.isalnum() or c == "_" or unicodedata.category(c)[0] == "M"


@dataclass(frozen=True)
class _Pattern:
    entity: int  # index into Matcher.entities
    exact: str  # the alias with punctuation folded, case kept (for case checks)
    case: str
    length: int
    word_start: bool  # whether a word boundary is required before / after
    word_end: bool


class Matcher:
    """All spellings of a list of entities, compiled once; :meth:`find` is the hot path."""

    def __init__(self, entities: Iterable[Entity]) -> None:
        self.entities: list[Entity] = list(entities)
        self._auto = ahocorasick.Automaton()
        table: dict[str, list[_Pattern]] = {}
        digest = hashlib.sha256()
        for index, entity in enumerate(self.entities):
            digest.update(f"{entity.id}\x00{int(entity.hidden)}\x00".encode())
            for alias in entity.spellings():
                digest.update(f"{alias.text}\x01{alias.case}\x02".encode())
                for variant in alias_variants(alias.text):
                    key = alias_key(variant)
                    if not key:
                        continue
                    pats = table.setdefault(key, [])
                    if any(p.entity == index for p in pats):
                        continue
                    pats.append(_Pattern(index, fold_punct(variant), alias.case, len(key),
                                         is_word_char(key[0]), is_word_char(key[-1])))
        for key, pats in table.items():
            # most specific first: exact case beats title case beats any case
            order = {"exact": 0, "title": 1, "ignore": 2}
            self._auto.add_word(key, tuple(sorted(pats, key=lambda p: order[p.case])))
        self.size = len(table)
        if self.size:
            self._auto.make_automaton()
        self.fingerprint = digest.hexdigest()[:20]

    def find(self, text: str) -> list[tuple[int, int, str]]:
        """Spans ``(start, end, entity id)`` sorted by start, never overlapping."""
        if not self.size or not text:
            return []
        folded = fold(text)
        n = len(text)
        raw: list[tuple[int, int, int]] = []
        for end_index, pats in self._auto.iter(folded):
            end = end_index + 1
            length = pats[0].length
            start = end - length
            first = pats[0]
            if first.word_start and start > 0 and is_word_char(text[start - 1]):
                continue
            if first.word_end and end < n and is_word_char(text[end]):
                continue
            for pat in pats:
                if pat.case == "exact":
                    if fold_punct(text[start:end]) != pat.exact:
                        continue
                elif pat.case == "title":
                    head = text[start]
                    if head.isalpha() and not head.isupper() and text[start:end] != pat.exact:
                        continue
                raw.append((start, end, pat.entity))
                break
        if not raw:
            return []
        chosen = resolve_overlaps(raw)
        ents = self.entities
        return [(s, e, ents[i].id) for s, e, i in chosen if not ents[i].hidden]


def resolve_overlaps(spans: list[tuple[int, int, int]]) -> list[tuple[int, int, int]]:
    """Keep the longest of overlapping spans (then the earliest); result sorted by start."""
    spans.sort(key=lambda s: (s[0], -s[1]))
    out: list[tuple[int, int, int]] = []
    cluster: list[tuple[int, int, int]] = []
    cluster_end = -1
    for span in spans:
        if cluster and span[0] >= cluster_end:
            out.extend(_resolve_cluster(cluster))
            cluster = []
        if not cluster:
            cluster_end = span[1]
        cluster.append(span)
        cluster_end = max(cluster_end, span[1])
    out.extend(_resolve_cluster(cluster))
    return out


def _resolve_cluster(cluster: list[tuple[int, int, int]]) -> list[tuple[int, int, int]]:
    if len(cluster) == 1:
        return cluster
    taken: list[tuple[int, int, int]] = []
    for span in sorted(cluster, key=lambda s: (s[0] - s[1], s[0])):
        if all(span[1] <= t[0] or span[0] >= t[1] for t in taken):
            taken.append(span)
    taken.sort()
    return taken
