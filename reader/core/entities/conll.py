"""CoNLL-2003 files read into documents, and the entity-level score the recogniser is judged by.

Shared by ``tools/train_ner.py`` (training, the figure written into the model's metadata) and
``bench entities`` (the figure reported), so both measure the same thing: exact span and type,
micro-averaged, per type and over PER/ORG/LOC.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger(__name__)

Sentence = list[tuple[str, str]]  # (word, IOB2 tag)
Span = tuple[int, int, str]  # (first token, end token exclusive, type)

SCORED_TYPES: tuple[str, ...] = ("PER", "ORG", "LOC")


def read_conll(path: Path) -> list[list[Sentence]]:
    """Documents of sentences of ``(word, tag)``; IOB1 tags (as shipped) become IOB2."""
    docs: list[list[Sentence]] = []
    doc: list[Sentence] = []
    sent: Sentence = []
    for raw in Path(path).read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if line.startswith("-DOCSTART-"):
            if sent:
                doc.append(sent)
                sent = []
            if doc:
                docs.append(doc)
            doc = []
            continue
        if not line:
            if sent:
                doc.append(sent)
                sent = []
            continue
        parts = line.split()
        sent.append((parts[0], parts[-1]))
    if sent:
        doc.append(sent)
    if doc:
        docs.append(doc)
    return [[_iob2(s) for s in d] for d in docs]


def _iob2(sent: Sentence) -> Sentence:
    out: Sentence = []
    prev = "O"
    for word, tag in sent:
        if tag.startswith("I-") and (prev == "O" or prev[2:] != tag[2:]):
            tag = "B-" + tag[2:]
        out.append((word, tag))
        prev = tag
    return out


def spans_of(tags: Sequence[str]) -> list[Span]:
    """Entity spans of an IOB2 tag sequence (a stray ``I-`` starts a span, as conlleval does)."""
    out: list[Span] = []
    start, kind = -1, ""
    for i, tag in enumerate([*tags, "O"]):
        inside = tag.startswith("I-") and kind == tag[2:]
        if start >= 0 and not inside:
            out.append((start, i, kind))
            start, kind = -1, ""
        if tag.startswith("B-") or (tag.startswith("I-") and not inside):
            start, kind = i, tag[2:]
    return out


@dataclass
class Score:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


def score(gold: Iterable[Sequence[str]], predicted: Iterable[Sequence[str]],
          types: Sequence[str] = SCORED_TYPES) -> dict[str, Score]:
    """Exact span-and-type scores per type and ``"all"`` (micro-average over ``types``)."""
    out = {t: Score() for t in (*types, "all")}
    for g_tags, p_tags in zip(gold, predicted, strict=True):
        g = {s for s in spans_of(g_tags) if s[2] in types}
        p = {s for s in spans_of(p_tags) if s[2] in types}
        for t in types:
            gt = {s for s in g if s[2] == t}
            pt = {s for s in p if s[2] == t}
            out[t].tp += len(gt & pt)
            out[t].fp += len(pt - gt)
            out[t].fn += len(gt - pt)
    for t in types:
        out["all"].tp += out[t].tp
        out["all"].fp += out[t].fp
        out["all"].fn += out[t].fn
    return out
