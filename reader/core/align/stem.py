"""A small English stemmer and stop list: enough to make "sentenced" meet "sentence".

Not Porter: a handful of suffix rules applied the same way to every document, which is
all similarity needs (both sides are stemmed alike).
"""

from __future__ import annotations

from functools import lru_cache

_STOP_TEXT = """
a about above after again against all also am an and any are as at be because been before being below
between both but by can could did do does doing down during each few for from further had has have having
he her here hers herself him himself his how i if in into is it its itself just me more most my myself no
nor not now of off on once only or other our ours ourselves out over own same she should so some such than
that the their theirs them themselves then there these they this those through to too under until up very
was we were what when where which while who whom why will with would you your yours yourself yourselves
said says say one two also however yet still even though although since upon via per would could may might
must shall us its it's that's there's he's she's they're we're i'm don't didn't doesn't isn't wasn't
"""
STOPWORDS: frozenset[str] = frozenset(_STOP_TEXT.split())

_SUFFIXES = ("ational", "ization", "fulness", "ousness", "iveness", "ations", "ation", "ments", "ment",
             "ness", "ings", "ing", "edly", "ed", "ies", "ly", "es", "s")


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """Strip a possessive and one common suffix; keep at least three letters of stem."""
    if word.endswith("'s"):
        word = word[:-2]
    word = word.replace("'", "")
    if len(word) <= 3 or not word.isalpha():
        return word
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            if suffix == "s" and word.endswith(("ss", "us", "is")):
                continue
            if suffix == "ies":
                return word[:-3] + "i"
            word = word[: -len(suffix)]
            break
    if word.endswith("e") and len(word) > 4:
        word = word[:-1]
    if len(word) > 3 and word[-1] == word[-2] and word[-1] not in "lsz":
        word = word[:-1]
    return word


def content_stems(words: list[str]) -> list[str]:
    """Stems of the words that carry content (no stop words, no one-letter words)."""
    return [stem(w) for w in words if w not in STOPWORDS and len(w) > 1]
