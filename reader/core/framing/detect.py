"""Framing detectors: word lists plus a few explainable patterns; every span names its rule.

Rules (ids users can mute): ``list:<technique>`` (a list term), ``scare_quotes`` (a short
quoted phrase that is nobody's speech), ``so_called`` ("so-called X"), ``alleged``
("the alleged/supposed X"), ``intensifier`` (an intensifier on an evaluative word) and
``rhetorical_question`` (a question the text asks its reader). Spans are half-open
``[start, end)`` offsets of the text given; nothing here normalises the text.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass

from reader.core.framing.lexicon import TermMatcher, WordLists, expand_entry, fold

log = logging.getLogger(__name__)

LOADED = "loaded_language"
NAME_CALLING = "name_calling"
DOUBT = "doubt"

#: Pattern rules: id -> (technique, one-line explanation shown on hover and in the docs).
PATTERN_RULES: dict[str, tuple[str, str]] = {
    "scare_quotes": (DOUBT, "a short phrase put in quotation marks that nobody is quoted as saying"),
    "so_called": (DOUBT, "“so-called” in front of a name casts doubt on it"),
    "alleged": (DOUBT, "“alleged”, “supposed” or “self-proclaimed” in front of a noun"),
    "intensifier": (LOADED, "an intensifier (very, utterly, truly…) on an evaluative word"),
    "rhetorical_question": (DOUBT, "a question the text asks its reader, not one it reports"),
    "exclamation": (LOADED, "a short exclamation: the text raises its voice"),
}


def list_rule(technique: str) -> str:
    return f"list:{technique}"


@dataclass(frozen=True)
class FramingSpan:
    """One highlight: ``[start, end)`` in the document text, its technique, and why."""

    technique: str
    start: int
    end: int
    rule: str
    term: str = ""

    def to_json(self, text: str) -> dict[str, object]:
        data: dict[str, object] = {"technique": self.technique, "start": self.start, "end": self.end,
                                   "text": text[self.start:self.end], "rule": self.rule}
        if self.term:
            data["term"] = self.term
        return data


_OPEN_CLOSE = (("\u201c", "\u201d"), ("\u00ab", "\u00bb"), ("\u201e", "\u201c"), ("\u2018", "\u2019"))
_QUOTED_CURLY = re.compile(r"(?P<o>[\u201c\u00ab\u201e\u2018])(?P<body>[^\u201c\u201d\u00ab\u00bb\u2018\n\"]{1,60}?)"
                           r"(?P<c>[\u201d\u00bb\u201c\u2019])(?!\w)")
_QUOTED_STRAIGHT = re.compile(r"(?<![\w\"])\"(?P<body>[^\"\n]{1,60}?)\"(?!\w)")
_SPEECH = re.compile(
    r"\b(?:said|says|say|told|tells|tell|wrote|writes|write|stated|states|declared|declares|announced|"
    r"added|adds|asked|asks|tweeted|tweets|posted|according to|quoted|quotes|headlined?|titled|entitled|"
    r"called|calls|calling|word|words|term|terms|phrase|label|labell?ed|known as|marked|named|nicknamed|"
    r"dubbed|termed|reads?|chanted|chanting|shouted|shouting|slogan|motto|insisted|"
    r"claimed|claims|argued|argues|warned|warns|noted|notes|explained|replied|responded|headline)\b[^.!?]{0,40}$",
    re.IGNORECASE)
_SPEECH_AFTER = re.compile(r"^[,\s]*(?:\u2014\s*)?(?:he|she|they|it|we|i|the \w+|[A-Z]\w+(?: [A-Z]\w+)?)?\s*"
                           r"(?:said|says|told|wrote|added|asked|tweeted|declared|stated)\b", re.IGNORECASE)
_SO_CALLED = re.compile(r"\bso[\s\-\u2010\u2011]called\s+(?:[\u201c\u00ab\"\u2018][^\u201d\u00bb\"\u2019\n]{1,60}"
                        r"[\u201d\u00bb\"\u2019]|[\w'\u2019\-]+(?:\s+(?!and\b|or\b|of\b|in\b)[A-Za-z][\w'\u2019\-]*)?)",
                        re.IGNORECASE)
_ALLEGED = re.compile(r"\b(?:the|an?|this|these|those|their|his|her|its|our)\s+"
                      r"(?P<cue>alleged|supposed|purported|self[\s\-]styled|self[\s\-]proclaimed|"
                      r"ostensible|presumed|would[\s\-]be)\s+(?P<noun>[\w\-]+(?:\s+[\w\-]+)?)",
                      re.IGNORECASE)
_SENTENCE = re.compile(r"[^.!?\n]*[^\s.!?\n][^.!?\n]*(?:[.!?]+[\"\u201d\u2019)]*|$)")
_WORD = re.compile(r"[\w'\u2019-]+")
_QUOTE_CHARS = set("\"\u201c\u201d\u00ab\u00bb\u201e")


class FramingDetector:
    """Built once per set of word lists; ``detect(text)`` is pure and fast (no caching here)."""

    def __init__(self, lists: WordLists, muted: set[str] | frozenset[str] = frozenset()) -> None:
        self.lists = lists
        self.muted = set(muted)
        self.matcher = TermMatcher(lists)
        evaluative = set(lists.evaluative)
        for tech in (LOADED, NAME_CALLING):
            for entry in lists.lists.get(tech, []):
                evaluative |= {f for f in expand_entry(entry) if " " not in f}
        self.evaluative = evaluative - lists.neutral - lists.suppressed
        self.intensifiers = {w for w in lists.intensifiers if " " not in w}
        self._intens = self._intensifier_pattern()

    def _intensifier_pattern(self) -> re.Pattern[str] | None:
        if not self.intensifiers:
            return None
        words = "|".join(sorted((re.escape(w) for w in self.intensifiers), key=len, reverse=True))
        return re.compile(rf"\b(?P<int>{words})(?:\s+(?:{words}))*\s+(?P<word>[a-z][a-z'\-]*)\b")

    def detect(self, text: str) -> list[FramingSpan]:
        """Every framing span in ``text``, sorted by start; each slices ``text`` and names its rule."""
        folded = fold(text)
        spans: list[FramingSpan] = []
        if not all(list_rule(t) in self.muted for t in self.lists.lists):
            for tm in self.matcher.find(folded):
                rule = list_rule(tm.technique)
                if rule not in self.muted:
                    spans.append(FramingSpan(tm.technique, tm.start, tm.end, rule, tm.entry))
        if "scare_quotes" not in self.muted:
            spans.extend(self._scare_quotes(text))
        if "so_called" not in self.muted:
            for m in _SO_CALLED.finditer(text):
                spans.append(FramingSpan(DOUBT, m.start(), _trim_end(text, m.start(), m.end()), "so_called",
                                         "so-called"))
        if "alleged" not in self.muted:
            for m in _ALLEGED.finditer(text):
                spans.append(FramingSpan(DOUBT, m.start("cue"), m.end("noun"), "alleged", m.group("cue").lower()))
        if "intensifier" not in self.muted and self._intens is not None:
            for m in self._intens.finditer(folded):
                word = m.group("word").strip("'-")
                if word in self.evaluative:
                    end = m.start("word") + len(word)
                    spans.append(FramingSpan(LOADED, m.start("int"), end, "intensifier", m.group("int")))
        if "rhetorical_question" not in self.muted:
            spans.extend(self._questions(text))
        if "exclamation" not in self.muted:
            spans.extend(self._exclamations(text))
        return _resolve(spans, len(text))

    def _scare_quotes(self, text: str) -> list[FramingSpan]:
        out: list[FramingSpan] = []
        for pattern in (_QUOTED_CURLY, _QUOTED_STRAIGHT):
            for m in pattern.finditer(text):
                body = m.group("body")
                if "o" in m.groupdict() and not _pair_ok(m.group("o"), m.group("c")):
                    continue
                if not _is_scare_quote(text, m.start(), m.end(), body):
                    continue
                out.append(FramingSpan(DOUBT, m.start(), m.end(), "scare_quotes", body.strip()))
        return out

    def _exclamations(self, text: str) -> list[FramingSpan]:
        return _exclamation_spans(text)

    def _questions(self, text: str) -> list[FramingSpan]:
        out: list[FramingSpan] = []
        pos = text.find("?")
        while pos != -1:
            start = _sentence_start(text, pos)
            sentence = text[start:pos + 1]
            words = _WORD.findall(sentence)
            if 6 <= len(words) <= 45 and not _inside_quotes(text, start, pos):
                out.append(FramingSpan(DOUBT, start, pos + 1, "rhetorical_question", ""))
            pos = text.find("?", pos + 1)
        return out


def _exclamation_spans(text: str) -> list[FramingSpan]:
    out: list[FramingSpan] = []
    pos = text.find("!")
    while pos != -1:
        end = pos + 1
        while end < len(text) and text[end] == "!":
            end += 1
        start = _sentence_start(text, pos)
        if start < pos and 1 <= len(_WORD.findall(text[start:pos])) <= 12 and not _inside_quotes(text, start, pos):
            out.append(FramingSpan(LOADED, start, end, "exclamation", ""))
        pos = text.find("!", end)
    return out


def _trim_end(text: str, start: int, end: int) -> int:
    while end > start + 1 and not text[end - 1].isalnum() and text[end - 1] not in "\u201d\u00bb\"\u2019":
        end -= 1
    return end


def _pair_ok(opening: str, closing: str) -> bool:
    return (opening, closing) in _OPEN_CLOSE or (opening == "\u201c" and closing == "\u201d")


def _is_scare_quote(text: str, start: int, end: int, body: str) -> bool:
    stripped = body.strip()
    words = _WORD.findall(stripped)
    if not words or len(words) > 4 or len(stripped) > 40:
        return False
    if stripped[-1] in ".!?,;:" or not any(c.isalpha() for c in stripped):
        return False
    if len(words) >= 2 and all(w[:1].isupper() for w in words):
        return False  # a title or a proper name
    if len(words) == 1 and len(words[0]) <= 2:
        return False
    before = text[max(0, start - 60):start]
    cut = max(before.rfind("."), before.rfind("!"), before.rfind("?"), before.rfind("\n"))
    before = before[cut + 1:]
    if before.rstrip().endswith((":", ",")):
        return False
    if _SPEECH.search(before):
        return False  # a fragment of reported speech, not the writer's own distancing
    return not _SPEECH_AFTER.match(text[end:end + 40])


def _sentence_start(text: str, pos: int) -> int:
    i = pos - 1
    while i >= 0:
        c = text[i]
        if c == "\n" or (c in ".!?" and i + 1 < len(text) and text[i + 1] in " \u00a0\"\u201d\u2019\n"):
            break
        if c in ".!?" and i + 1 < len(text) and text[i + 1] == "?":
            break
        i -= 1
    start = i + 1
    while start < pos and (text[start].isspace() or text[start] in "\"\u201d\u2019)"):
        start += 1
    return start


def _inside_quotes(text: str, start: int, pos: int) -> bool:
    """True when the question is (part of) a quotation: an odd number of quote marks before it."""
    para_start = text.rfind("\n", 0, start) + 1
    segment = text[para_start:pos + 1]
    opened = segment.count("\u201c") + segment.count("\u00ab")
    closed = segment.count("\u201d") + segment.count("\u00bb")
    straight = segment.count('"')
    if opened > closed or straight % 2 == 1:
        return True
    after = text[pos + 1:pos + 3]
    return (bool(after) and after[0] in "\"\u201d\u00bb\u2019") or bool(_SPEECH_AFTER.match(text[pos + 1:pos + 40]))


#: Rules that mark a whole sentence: the words inside keep their own, more specific spans.
_SENTENCE_RULES = frozenset({"rhetorical_question", "exclamation"})
_PRIORITY = {"scare_quotes": 0, "so_called": 1, "alleged": 1, "intensifier": 2}


def _resolve(spans: list[FramingSpan], length: int) -> list[FramingSpan]:
    """Sort, clip and drop duplicates: a span inside a same-technique span from a pattern rule goes."""
    clean = [s for s in spans if 0 <= s.start < s.end <= length]
    clean.sort(key=lambda s: (s.start, -(s.end - s.start), _PRIORITY.get(s.rule, 5)))
    kept: list[FramingSpan] = []
    for span in clean:
        if any(k.technique == span.technique and k.start <= span.start and span.end <= k.end
               and k.rule not in _SENTENCE_RULES for k in kept[-8:]):
            continue
        if any(k.start == span.start and k.end == span.end for k in kept[-8:]):
            continue
        kept.append(span)
    return kept


__all__ = ["DOUBT", "LOADED", "NAME_CALLING", "PATTERN_RULES", "FramingDetector", "FramingSpan", "list_rule"]
