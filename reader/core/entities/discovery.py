"""Names the gazetteer does not know yet, each with the entity it most resembles.

A candidate is a run of capitalised words (``Vikram Ruzakhunov``, ``Chatham House``, joined
by ``of``/``the``/...) or an acronym (``KGB``) that no mention covers. Words that also occur
in lower case somewhere in the corpus (``President``) and words seen only at the start of a
sentence are ordinary words, not names. The closest known spelling by rapidfuzz similarity
becomes the suggestion, so a re-spelt name (``Erodgan``) is proposed as an alias of its entity.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from rapidfuzz import fuzz, process

from reader.core.document import Document
from reader.core.entities.matcher import fold
from reader.core.entities.model import Candidate, Entity, Suggestion

log = logging.getLogger(__name__)

_TOKEN = re.compile(r"[^\W\d_][\w]*(?:[-'’][^\W_]\w*)*")
_CONNECTORS = frozenset({"of", "the", "de", "del", "da", "di", "al", "el", "bin", "ibn", "von", "van", "der",
                         "du", "la", "le", "for", "and"})
_FUNCTION_WORDS = frozenset([
    "a", "an", "the", "this", "that", "these", "those", "there", "here", "it", "its", "he", "she", "they",
    "we", "you", "i", "his", "her", "their", "our", "your", "my", "me", "him", "them", "us", "and", "or",
    "but", "nor", "so", "yet", "if", "then", "else", "when", "while", "where", "why", "how", "what", "who",
    "whom", "which", "in", "on", "at", "by", "for", "from", "to", "of", "with", "without", "into", "onto",
    "over", "under", "after", "before", "since", "until", "as", "about", "against", "between", "among",
    "through", "during", "per", "via", "not", "no", "yes", "all", "any", "some", "each", "every", "both",
    "either", "neither", "one", "two", "three", "also", "only", "even", "just", "still", "already", "again",
    "ever", "never", "always", "often", "mr", "mrs", "ms", "dr", "st"
])
_SENTENCE_END = re.compile(r"[.!?…:;\"“”)\]]\s*$")

Progress = Callable[[int, int], None]


@dataclass
class _Tally:
    forms: dict[str, int] = field(default_factory=dict)
    docs: dict[str, int] = field(default_factory=dict)
    first: tuple[str, int, int] | None = None
    midsentence: bool = False


def _is_cap(token: str) -> bool:
    return token[:1].isupper()


def _is_acronym(token: str) -> bool:
    letters = [c for c in token if c.isalpha()]
    return len(letters) >= 2 and all(c.isupper() for c in letters)


def _sentence_start(text: str, start: int) -> bool:
    before = text[max(0, start - 4):start]
    if start == 0 or not before.strip() or "\n" in before:
        return True
    return bool(_SENTENCE_END.search(text[max(0, start - 3):start]))


def discover(
    docs: Iterable[Document],
    mentions: Callable[[Document], list[tuple[int, int]]],
    entities: list[Entity],
    *,
    ignore: Iterable[str] = (),
    dismissed: Iterable[str] = (),
    min_score: float = 75.0,
    progress: Progress | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> list[Candidate]:
    """Candidates over ``docs`` (``mentions(doc)`` gives the spans already recognised)."""
    docs = list(docs)
    skip = {" ".join(w.split()).casefold() for w in ignore} | {w.casefold() for w in dismissed}
    lower_words: set[str] = set()
    doc_tokens: list[list[tuple[int, int]]] = []
    for doc in docs:
        tokens = [(m.start(), m.end()) for m in _TOKEN.finditer(doc.text)]
        lower_words.update(doc.text[s:e].casefold() for s, e in tokens if not _is_cap(doc.text[s:e]))
        doc_tokens.append(tokens)
    tallies: dict[str, _Tally] = {}

    def trimmed(text: str, run: list[tuple[int, int]]) -> list[tuple[int, int]]:
        def weak(tok: tuple[int, int]) -> bool:
            word = text[tok[0]:tok[1]].casefold()
            return word in _CONNECTORS or word in skip or word in _FUNCTION_WORDS
        while run and weak(run[-1]):
            run = run[:-1]
        while run and weak(run[0]):
            run = run[1:]
        return run

    for n, (doc, tokens) in enumerate(zip(docs, doc_tokens, strict=True), 1):
        if cancelled is not None and cancelled():
            break
        text = doc.text
        covered = sorted(mentions(doc))
        ci = 0
        run: list[tuple[int, int]] = []

        def flush(run: list[tuple[int, int]], doc: Document = doc, text: str = text) -> None:
            run = trimmed(text, run)
            if not run:
                return
            start, end = run[0][0], run[-1][1]
            surface = text[start:end]
            if surface.endswith(("'s", "’s")):
                surface, end = surface[:-2], end - 2
            key = " ".join(fold(surface).split())
            tally = tallies.setdefault(key, _Tally())
            tally.forms[surface] = tally.forms.get(surface, 0) + 1
            tally.docs[doc.id] = tally.docs.get(doc.id, 0) + 1
            if tally.first is None:
                tally.first = (doc.id, start, end)
            if not _sentence_start(text, start):
                tally.midsentence = True

        for s, e in tokens:
            while ci < len(covered) and covered[ci][1] <= s:
                ci += 1
            inside = ci < len(covered) and covered[ci][0] < e
            word = text[s:e]
            joined = bool(run) and text[run[-1][1]:s] == " "
            if inside or not joined:
                flush(run)
                run = []
            if inside:
                continue
            if (_is_cap(word) and word.casefold() not in _FUNCTION_WORDS) or (run and word in _CONNECTORS):
                run.append((s, e))
            else:
                flush(run)
                run = []
        flush(run)
        if progress is not None:
            progress(n, len(docs))

    choices: dict[str, tuple[str, str]] = {}
    for entity in entities:
        for alias in entity.spellings():
            choices.setdefault(" ".join(fold(alias.text).split()), (entity.id, alias.text))
    names = {e.id: e.name for e in entities}
    keys = list(choices)
    out: list[Candidate] = []
    for key, tally in tallies.items():
        if key in skip or key in choices:
            continue
        words = key.split(" ")
        acronym = any(_is_acronym(f) for f in tally.forms)
        if len(words) == 1 and not acronym and (key in lower_words or not tally.midsentence or len(key) < 3):
            continue
        if all(w in skip or w in lower_words or w in _FUNCTION_WORDS for w in words) and not acronym:
            continue
        suggestion = None
        if keys:
            best = process.extractOne(key, keys, scorer=fuzz.ratio, score_cutoff=min_score)
            if best is not None:
                ent_id, spelling = choices[best[0]]
                suggestion = Suggestion(ent_id, names[ent_id], spelling, float(best[1]))
        surface = max(tally.forms.items(), key=lambda kv: (kv[1], kv[0]))[0]
        out.append(Candidate(surface, sum(tally.forms.values()), tuple(sorted(tally.docs)), suggestion,
                             tally.first, acronym))
    out.sort(key=lambda c: (c.suggestion is None, -(c.suggestion.score if c.suggestion else 0), -c.count,
                            c.text.casefold()))
    return out
