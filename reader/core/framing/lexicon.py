"""Word and phrase lists per technique: loading, inflection, and whole-word matching.

Lists are YAML (``lists.yaml`` in the package, optionally ``framing.yaml`` in a corpus
folder, then the user's overlay). Matching runs one Aho-Corasick automaton over a
*folded* copy of the text that has exactly the same length (lower case, one apostrophe,
hyphens and spaces alike), so every match is already a span of the canonical text.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import ahocorasick
import yaml

from reader.core.framing.catalogue import FramingDataError

log = logging.getLogger(__name__)

LISTS_FILE = Path(__file__).with_name("lists.yaml")
CORPUS_LISTS_NAME = "framing.yaml"

_SEPARATORS = {"-", "\u2010", "\u2011", "\u2012", "\u2013", "\u2014", "\u00a0", "\t", "\n", "\u2028"}
_APOSTROPHES = {"\u2019", "\u2018", "\u02bc", "`", "\u00b4"}
_VOWELS = set("aeiou")


def fold(text: str) -> str:
    """Lower case, ’ → ', hyphens/dashes/whitespace → space; always the same length as ``text``."""
    low = text.lower()
    if len(low) != len(text):  # a few characters lower-case to two (e.g. 'İ'); keep those as they are
        low = "".join(c.lower() if len(c.lower()) == 1 else c for c in text)
    if not any(c in _SEPARATORS or c in _APOSTROPHES for c in low):
        return low
    return "".join(" " if c in _SEPARATORS else "'" if c in _APOSTROPHES else c for c in low)


def fold_term(term: str) -> str:
    """A list entry in matching form: folded, inner whitespace runs collapsed to one space."""
    return " ".join(fold(term).split())


def inflect(word: str) -> set[str]:
    """Common English forms of ``word`` (plural, verb, adverb); non-words simply never match."""
    w = word
    forms = {w, w + "s", w + "es", w + "ed", w + "ing", w + "ly"}
    if len(w) < 3:
        return {w, w + "s"}
    last, before = w[-1], w[-2]
    if last == "y" and before not in _VOWELS:
        forms |= {w[:-1] + "ies", w[:-1] + "ied", w[:-1] + "ily"}
    if last == "e":
        forms |= {w + "d", w[:-1] + "ing", w + "ly"}
        if w.endswith("le"):
            forms.add(w[:-1] + "y")  # horrible -> horribly
    if w.endswith("ic"):
        forms.add(w + "ally")
    if w.endswith("al"):
        forms.add(w + "ity")  # brutal -> brutality
    if last not in _VOWELS and last not in "wxy" and before in _VOWELS and len(w) >= 3 \
            and w[-3] not in _VOWELS:
        forms |= {w + last + "ed", w + last + "ing"}  # stab -> stabbed
    return forms


def expand_entry(entry: str) -> set[str]:
    """Matching forms of one entry: ``=x`` exact; else the last word inflected."""
    entry = entry.strip()
    if not entry:
        return set()
    if entry.startswith("="):
        term = fold_term(entry[1:])
        return {term} if term else set()
    term = fold_term(entry)
    if not term:
        return set()
    head, _, last = term.rpartition(" ")
    if not last[-1:].isalpha():
        return {term}
    prefix = head + " " if head else ""
    return {prefix + form for form in inflect(last)}


@dataclass
class WordLists:
    """Technique id -> entries, plus the neutral, intensifier and evaluative word sets."""

    lists: dict[str, list[str]] = field(default_factory=dict)
    neutral: set[str] = field(default_factory=set)
    intensifiers: set[str] = field(default_factory=set)
    evaluative: set[str] = field(default_factory=set)
    suppressed: set[str] = field(default_factory=set)  # folded forms the user removed

    def copy(self) -> WordLists:
        return WordLists({k: list(v) for k, v in self.lists.items()}, set(self.neutral),
                         set(self.intensifiers), set(self.evaluative), set(self.suppressed))

    def merge(self, other: WordLists) -> None:
        for tech, entries in other.lists.items():
            for entry in entries:
                self.add(entry, tech)
        self.neutral |= other.neutral
        self.intensifiers |= other.intensifiers
        self.evaluative |= other.evaluative

    def technique_of(self, entry: str) -> str | None:
        key = fold_term(entry.lstrip("="))
        for tech, entries in self.lists.items():
            if any(fold_term(e.lstrip("=")) == key for e in entries):
                return tech
        return None

    def remove(self, entry: str) -> bool:
        key = fold_term(entry.lstrip("="))
        found = False
        for tech, entries in self.lists.items():
            kept = [e for e in entries if fold_term(e.lstrip("=")) != key]
            found = found or len(kept) != len(entries)
            self.lists[tech] = kept
        return found

    def add(self, entry: str, technique: str) -> None:
        self.remove(entry)
        self.suppressed.discard(fold_term(entry.lstrip("=")))
        self.lists.setdefault(technique, []).append(entry)

    def fingerprint(self) -> str:
        data = json.dumps([self.lists, sorted(self.neutral), sorted(self.intensifiers),
                           sorted(self.evaluative), sorted(self.suppressed)], sort_keys=True)
        return hashlib.sha256(data.encode("utf-8")).hexdigest()[:16]

    def to_json(self) -> dict[str, Any]:
        return {"lists": self.lists, "neutral": sorted(self.neutral), "intensifiers": sorted(self.intensifiers),
                "evaluative": sorted(self.evaluative), "removed": sorted(self.suppressed)}


def parse_lists(data: Any, source: str, known: Iterable[str] | None = None) -> WordLists:
    """Validate parsed list YAML; unknown technique ids are an error naming the file."""
    if data is None:
        return WordLists()
    if not isinstance(data, dict):
        raise FramingDataError(f"{source}: expected a mapping with 'lists'")
    raw = data.get("lists") or {}
    if not isinstance(raw, dict):
        raise FramingDataError(f"{source}: 'lists' must map technique ids to lists of words")
    known_set = set(known) if known is not None else None
    out = WordLists()
    seen: set[str] = set()
    for tech, entries in raw.items():
        if known_set is not None and tech not in known_set:
            raise FramingDataError(f"{source}: unknown technique {tech!r} (known: {', '.join(sorted(known_set))})")
        if not isinstance(entries, list):
            raise FramingDataError(f"{source}: the list for {tech!r} must be a YAML list")
        kept = out.lists.setdefault(str(tech), [])
        for entry in entries:
            text = str(entry).strip()
            key = fold_term(text.lstrip("="))
            if key and key not in seen:  # first technique wins
                seen.add(key)
                kept.append(text)

    def words(name: str) -> set[str]:
        value = data.get(name) or []
        if not isinstance(value, list):
            raise FramingDataError(f"{source}: {name!r} must be a YAML list")
        return {fold_term(str(v)) for v in value if str(v).strip()}

    out.neutral, out.intensifiers, out.evaluative = words("neutral"), words("intensifiers"), words("evaluative")
    return out


def load_lists(path: Path, known: Iterable[str] | None = None) -> WordLists:
    try:
        data = yaml.load(Path(path).read_text(encoding="utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise FramingDataError(f"{path}: cannot read the framing word lists: {exc}") from None
    return parse_lists(data, str(path), known)


@dataclass(frozen=True)
class TermMatch:
    start: int
    end: int
    technique: str
    entry: str


class TermMatcher:
    """All list terms in one automaton; ``find`` returns whole-word, longest, non-nested matches."""

    def __init__(self, lists: WordLists) -> None:
        self.automaton = ahocorasick.Automaton()
        blocked = lists.neutral | lists.suppressed
        self.size = 0
        for tech, entries in lists.lists.items():
            for entry in entries:
                for form in expand_entry(entry):
                    if form in blocked or form in self.automaton:
                        continue
                    self.automaton.add_word(form, (form, tech, entry.lstrip("=")))
                    self.size += 1
        if self.size:
            self.automaton.make_automaton()

    def find(self, folded: str) -> list[TermMatch]:
        if not self.size:
            return []
        found: list[TermMatch] = []
        n = len(folded)
        for end_index, (form, tech, entry) in self.automaton.iter(folded):
            start = end_index - len(form) + 1
            end = end_index + 1
            if start > 0 and (folded[start - 1].isalnum() or folded[start - 1] == "_"):
                continue
            if end < n and (folded[end].isalnum() or folded[end] == "_"):
                continue
            if start > 0 and folded[start - 1] == "'" and start > 1 and folded[start - 2].isalnum():
                continue  # the tail of a contraction
            found.append(TermMatch(start, end, tech, entry))
        return drop_nested(found)


def drop_nested(matches: list[TermMatch]) -> list[TermMatch]:
    """Keep the longest of overlapping matches (earliest first)."""
    matches.sort(key=lambda m: (m.start, -(m.end - m.start)))
    kept: list[TermMatch] = []
    for m in matches:
        if kept and m.start < kept[-1].end:
            continue
        kept.append(m)
    return kept
