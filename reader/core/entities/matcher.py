"""Finding every spelling of every entity in a text: one Aho-Corasick automaton, offsets kept.

The text is *folded* character by character (lower case; curly and straight apostrophes,
hyphens and dashes, quotes and odd spaces each mapped to one form) into a string of the
same length, so a match in the folded text is a span of the original text with no offset
arithmetic. Matches must be whole words (a possessive ``'s`` after a name is outside the
span); overlapping candidates are resolved longest first.
"""

from __future__ import annotations

import gc
import hashlib
import logging
import re
import unicodedata
from bisect import bisect_right
from collections.abc import Iterable

import ahocorasick

from reader.core.entities.model import Entity

log = logging.getLogger(__name__)

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


_REPLACEMENTS = tuple((chr(k), v) for k, v in _TABLE.items() if chr(k) != v)
_LONG = 4096  # above this, replace() per special character beats translate()


def _lower_char(c: str) -> str:
    low = c.lower()
    return low if len(low) == 1 else c


def _lower(text: str) -> str:
    low = text.lower()
    if len(low) != len(text) or "Σ" in text:  # length-changing or context-dependent lower case
        low = "".join(map(_lower_char, text))
    return low


def fold_punct(text: str) -> str:
    """Apostrophes, hyphens, quotes and spaces made uniform, case kept; same length."""
    if len(text) < _LONG:
        return text.translate(_TABLE)
    for old, new in _REPLACEMENTS:  # each is a fast C scan; most never occur
        if old in text:
            text = text.replace(old, new)
    return text


def fold(text: str) -> str:
    """Same-length folding: case, apostrophes, hyphens, quotes and spaces made uniform."""
    return fold_punct(_lower(text))


def alias_key(alias: str, *, keep_case: bool = False) -> str:
    """The automaton key of an alias: folded (case kept for exact aliases), single spaces."""
    folded = fold_punct(alias) if keep_case else fold(alias)
    return " ".join(folded.split(" ")).strip() if alias else ""


def alias_variants(alias: str) -> list[str]:
    """An alias and its hyphen/space twin (``Nur-Sultan`` also matches ``Nur Sultan``)."""
    base = " ".join(alias.split())
    out = [base]
    folded = fold_punct(base)
    if "-" in folded:
        spaced = " ".join(folded.replace("-", " ").split())
        if spaced and spaced not in out:
            out.append(spaced)
    return out


_NOT_WORD = frozenset(" \t\n\r.,;:!?'\"()[]{}<>/\\|-–—’‘“”«»#@&*+=%$~^`")


def is_word_char(c: str) -> bool:
    if c in _NOT_WORD:
        return False
    return c.isalnum() or c == "_" or unicodedata.category(c)[0] == "M"


_CONNECTORS = r"(?:of|the|de|da|di|du|del|la|le|al|el|bin|ibn|von|van|der|and|for|y)"
_TOKEN_TAIL = "[\\w" + re.escape(_APOSTROPHES + _HYPHENS) + ".]*"
_RUN_CACHE: dict[bool, re.Pattern[str]] = {}


def _upper_class() -> str:
    """A regex character class body of every upper- and title-case letter in the BMP (the shipped
    table when this Python's Unicode database is the one it was written from)."""
    from reader.core.entities import upper_letters

    if unicodedata.unidata_version == upper_letters.UNIDATA_VERSION:
        return upper_letters.UPPER_CLASS
    return compute_upper_class()


def compute_upper_class() -> str:
    """:func:`_upper_class` computed from this Python's Unicode database (about 70 ms)."""
    ranges: list[tuple[int, int]] = []
    for cp in range(0x10000):
        c = chr(cp)
        if c.isupper() or c.istitle():
            if ranges and ranges[-1][1] == cp - 1:
                ranges[-1] = (ranges[-1][0], cp)
            else:
                ranges.append((cp, cp))
    return "".join(re.escape(chr(a)) if a == b else f"{re.escape(chr(a))}-{re.escape(chr(b))}" for a, b in ranges)


def run_pattern(ascii_only: bool) -> re.Pattern[str]:
    """Runs of capitalised words (joined by single spaces and ``of``/``the``/...): where names live."""
    pat = _RUN_CACHE.get(ascii_only)
    if pat is None:
        upper = "A-Z" if ascii_only else _upper_class()
        pat = re.compile(rf"[{upper}]{_TOKEN_TAIL}(?:\s(?:{_CONNECTORS}\s)*[{upper}]{_TOKEN_TAIL})*")
        _RUN_CACHE[ascii_only] = pat
    return pat


#: Part of every cached span's key: bump it when a change here finds other spans in the same text,
#: so caches written by an older version are recomputed instead of trusted.
MATCHER_VERSION = 2

Pattern = tuple[int, int, str, bool, bool, str]  # entity index, length, case, boundary before/after, exact form


class Matcher:
    """All spellings of a list of entities, compiled once; :meth:`find` is the hot path.

    Most aliases are *anchored*: capitalised names and acronyms, which can only occur inside a
    run of capitalised words. A C-speed regex cuts those runs out of the text and one automaton
    scans only them. The few other aliases (written in lower case, or with commas or lower-case
    words inside) are *free*: small automata scan the whole text for them.
    """

    def __init__(self, entities: Iterable[Entity]) -> None:
        self.entities: list[Entity] = list(entities)
        anchored: dict[str, list[Pattern]] = {}
        free_exact: dict[str, list[Pattern]] = {}
        free_folded: dict[str, list[Pattern]] = {}
        parts: list[str] = [f"matcher {MATCHER_VERSION}"]
        run = run_pattern(False)
        for index, entity in enumerate(self.entities):
            parts.append(f"{entity.id}\x00{int(entity.hidden)}")
            for alias in entity.spellings():
                parts.append(f"{alias.text}\x01{alias.case}")
                keep = alias.case == "exact"
                for variant in alias_variants(alias.text):
                    key = alias_key(variant)
                    if not key:
                        continue
                    exact_form = fold_punct(" ".join(variant.split()))
                    if alias.case != "ignore" and run.fullmatch(exact_form):
                        table = anchored
                    else:
                        table = free_exact if keep else free_folded
                        key = alias_key(variant, keep_case=keep)
                    pats = table.setdefault(key, [])
                    if any(p[0] == index for p in pats):
                        continue
                    pats.append((index, len(key), alias.case, is_word_char(key[0]), is_word_char(key[-1]),
                                 exact_form))
        self._anchored = self._compile(anchored)
        self._free_exact = self._compile(free_exact)
        self._free_folded = self._compile(free_folded)
        self.size = len(anchored) + len(free_exact) + len(free_folded)
        self.fingerprint = hashlib.sha256("\x02".join(parts).encode("utf-8")).hexdigest()[:20]

    @staticmethod
    def _compile(table: dict[str, list[Pattern]]) -> ahocorasick.Automaton | None:
        if not table:
            return None
        order = {"exact": 0, "title": 1, "ignore": 2}
        auto = ahocorasick.Automaton()
        for key, pats in table.items():
            auto.add_word(key, tuple(sorted(pats, key=lambda p: order[p[2]])))
        auto.make_automaton()
        return auto

    def find(self, text: str) -> list[tuple[int, int, str]]:
        """Spans ``(start, end, entity id)`` sorted by start, never overlapping."""
        if not self.size or not text:
            return []
        # hundreds of thousands of small tuples: the cyclic GC would rescan them again and again
        enabled = gc.isenabled()
        gc.disable()
        try:
            return self._find(text)
        finally:
            if enabled:
                gc.enable()

    def _find(self, text: str) -> list[tuple[int, int, str]]:
        raw: list[tuple[int, int, int]] = []
        if self._anchored is not None:
            starts: list[int] = []
            pieces: list[str] = []
            hay_starts: list[int] = []
            pos = 0
            for m in run_pattern(text.isascii()).finditer(text):
                piece = m.group()
                starts.append(m.start())
                hay_starts.append(pos)
                pieces.append(piece)
                pos += len(piece) + 1
            if pieces:
                haystack = fold("\x00".join(pieces))
                for end_index, pats in self._anchored.iter(haystack):
                    hay_end = end_index + 1
                    i = bisect_right(hay_starts, hay_end - pats[0][1]) - 1
                    self._accept(text, hay_end + starts[i] - hay_starts[i], pats, raw)
        if self._free_exact is not None:
            for end_index, pats in self._free_exact.iter(fold_punct(text)):
                self._accept(text, end_index + 1, pats, raw)
        if self._free_folded is not None:
            for end_index, pats in self._free_folded.iter(fold(text)):
                self._accept(text, end_index + 1, pats, raw)
        if not raw:
            return []
        chosen = resolve_overlaps(raw)
        ents = self.entities
        return [(s, e, ents[i].id) for s, e, i in chosen if not ents[i].hidden]

    @staticmethod
    def _accept(text: str, end: int, pats: tuple[Pattern, ...], raw: list[tuple[int, int, int]]) -> None:
        """Check word boundaries and case for a candidate ending at ``end``; keep the first that fits."""
        first = pats[0]
        start = end - first[1]
        if first[3] and start > 0 and is_word_char(text[start - 1]):
            return
        if first[4] and end < len(text) and is_word_char(text[end]):
            return
        for pat in pats:
            case = pat[2]
            if case == "exact":
                if fold_punct(text[start:end]) != pat[5]:
                    continue
            elif case == "title":
                head = text[start]
                if not head.isupper() and head.isalpha():
                    continue
            raw.append((start, end, pat[0]))
            return


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
