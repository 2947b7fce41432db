"""Entity matching at scale: 5,000 entities / 15,000 aliases over 50 MB of generated text.

Targets (issue 3): matching >= 20 MB/s; highlighting an open 25 KB article <= 30 ms
(matching plus building the Qt layers, cache cold); building the matcher <= 200 ms.

Recognition (issue 16, rows from :mod:`bench.entities_recognition`): words/s on 2 cores over the
BBC articles, model load time, CoNLL-2003 development P/R/F1 per type, resolution on
hand-checked pairs.
"""

from __future__ import annotations

import logging
import random
import string
import time

from bench import entities_recognition
from bench.common import Row, median, timed
from reader.core.entities.matcher import Matcher
from reader.core.entities.model import ENTITY_TYPES, Entity

log = logging.getLogger(__name__)

N_ENTITIES = 5000
TEXT_MB = 50


def _word(rng: random.Random, lo: int = 4, hi: int = 10) -> str:
    return "".join(rng.choice(string.ascii_lowercase) for _ in range(rng.randint(lo, hi)))


def make_entities(rng: random.Random) -> list[Entity]:
    """5,000 entities with two aliases each (15,000 spellings): names, variants and acronyms."""
    out = []
    for i in range(N_ENTITIES):
        first, last = _word(rng).capitalize(), _word(rng).capitalize()
        name = f"{first} {last}"
        variant = f"{first}-{last[:-1]}y" if i % 2 else f"{last}"
        acronym = "".join(rng.choice(string.ascii_uppercase) for _ in range(rng.randint(3, 5)))
        out.append(Entity(f"e{i}", name, ENTITY_TYPES[i % len(ENTITY_TYPES)], (variant, acronym)))
    return out


def make_text(rng: random.Random, entities: list[Entity], size: int) -> str:
    """News-like prose: sentences of ~20 words starting with a capital, a name every ~15 words
    (with possessives and punctuation), a capitalised non-name now and then, paragraphs of 5 sentences."""
    common = [_word(rng, 2, 9) for _ in range(3000)]
    capitals = [_word(rng, 4, 9).capitalize() for _ in range(300)]  # names no entity knows
    spellings = [a.text for e in entities for a in e.spellings()]
    chunks: list[str] = []
    total = 0
    while total < size:
        sentences = []
        for _ in range(5):
            words = rng.choices(common, k=20)
            for _ in range(rng.randint(1, 2)):
                words.insert(rng.randrange(20), rng.choice(spellings) + rng.choice(["", "’s", ","]))
            if rng.random() < 0.3:
                words.insert(rng.randrange(20), rng.choice(capitals))
            words[0] = words[0][:1].upper() + words[0][1:]
            sentences.append(" ".join(words) + ".")
        para = " ".join(sentences) + "\n\n"
        chunks.append(para)
        total += len(para)
    return "".join(chunks)[:size]


def run() -> list[Row]:
    rng = random.Random(20220107)
    entities = make_entities(rng)
    n_aliases = sum(len(e.spellings()) for e in entities)
    build = median(timed(lambda: Matcher(entities), repeat=5))
    matcher = Matcher(entities)
    text = make_text(rng, entities, TEXT_MB * 1_000_000)
    start = time.perf_counter()
    spans = matcher.find(text)
    seconds = time.perf_counter() - start
    mbps = len(text.encode("utf-8")) / 1_000_000 / seconds
    article = text[:25_000]
    highlight = median(timed(lambda: _highlight(matcher, entities, article), repeat=20)) * 1000
    return [
        Row(f"build matcher ({N_ENTITIES:,} entities, {n_aliases:,} spellings)", build * 1000, "ms",
            "<= 200 ms", build * 1000 <= 200),
        Row(f"match {TEXT_MB} MB of text ({len(spans):,} mentions)", mbps, "MB/s", ">= 20 MB/s", mbps >= 20,
            f"{seconds:.2f} s"),
        Row("highlight a 25 KB article (match + layer spans)", highlight, "ms", "<= 30 ms", highlight <= 30),
        *entities_recognition.rows(),
    ]


def _highlight(matcher: Matcher, entities: list[Entity], article: str) -> None:
    """What the reader does on open: match, then one span list per type with tooltips."""
    by_id = {e.id: e for e in entities}
    layers: dict[str, list[tuple[int, int, str, str]]] = {t: [] for t in ENTITY_TYPES}
    for start, end, ent_id in matcher.find(article):
        ent = by_id[ent_id]
        layers[ent.type].append((start, end, ent_id, f"{ent.name} — {ent.type}"))
