"""Where a query matches inside a document's text, and the snippets shown in results.

Hits are found by re-running the index analyzer over the canonical text with character
offsets, so the offsets are exact canonical offsets whatever the stemmer or the
spelling map did. Phrases are located token by token within their slop, so
``"peaceful protesters"`` marks the phrase, not every lone "peaceful".
"""

from __future__ import annotations

import html
from collections.abc import Iterable
from dataclasses import dataclass, field

from reader.core.search.analysis import analyse

CONTEXT = 80  # characters of context either side of a hit
MAX_FRAGMENT = 260


@dataclass
class MatchSpec:
    """What to look for: single index terms and phrases (term lists with slop)."""

    terms: set[str] = field(default_factory=set)
    phrases: list[tuple[tuple[str, ...], int]] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.terms or self.phrases)


def find_hits(text: str, start: int, end: int, spec: MatchSpec) -> list[tuple[int, int]]:
    """Half-open canonical ranges in ``text[start:end]`` where the spec matches, sorted, merged."""
    if not spec or end <= start:
        return []
    tokens = analyse(text[start:end])
    spans: list[tuple[int, int]] = [(s + start, e + start) for term, s, e in tokens if term in spec.terms]
    for words, slop in spec.phrases:
        if not words:
            continue
        slop = max(1, slop)
        first = words[0]
        for i, (term, s, _e) in enumerate(tokens):
            if term != first:
                continue
            last = i
            for word in words[1:]:
                nxt = next((j for j in range(last + 1, min(len(tokens), last + slop + 1))
                            if tokens[j][0] == word), None)
                if nxt is None:
                    break
                last = nxt
            else:
                spans.append((s + start, tokens[last][2] + start))
    return _merge(spans)


def _merge(spans: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for s, e in sorted(spans):
        if merged and s <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], e))
        else:
            merged.append((s, e))
    return merged


def snippets(text: str, start: int, end: int, hits: list[tuple[int, int]], count: int = 3) -> list[str]:
    """Up to ``count`` HTML fragments of ``text[start:end]`` with hits wrapped in ``<mark>``.

    Fragments stay inside one paragraph, are cut at word boundaries, prefer passages with
    more distinct matched words, and are returned in text order.
    """
    if count <= 0:
        return []
    if not hits:
        lead = text[start:min(end, start + 2 * CONTEXT)]
        cut = lead.rfind(" ") if len(lead) == 2 * CONTEXT else len(lead)
        return [_esc(lead[:cut].replace("\n", " ")) + ("…" if cut < end - start else "")] if lead else []
    candidates: list[tuple[int, int, list[tuple[int, int]]]] = []
    i = 0
    prev_end = start
    while i < len(hits):
        s0, e0 = hits[i]
        before = text.rfind("\n\n", start, s0)
        para_start = start if before < 0 else before + 2
        para_end_at = text.find("\n\n", e0, end)
        para_end = end if para_end_at < 0 else para_end_at
        frag_start = max(para_start, s0 - CONTEXT, prev_end)
        group = [hits[i]]
        j = i + 1
        while j < len(hits) and hits[j][1] <= min(para_end, frag_start + MAX_FRAGMENT):
            group.append(hits[j])
            j += 1
        frag_end = min(para_end, max(group[-1][1] + CONTEXT, frag_start + 2 * CONTEXT))
        frag_start = _word_start(text, frag_start, para_start)
        frag_end = _word_end(text, frag_end, para_end)
        candidates.append((frag_start, frag_end, group))
        prev_end = frag_end
        i = j
    ranked = sorted(candidates, key=lambda c: (-len({text[s:e].lower() for s, e in c[2]}), -len(c[2]), c[0]))
    chosen = sorted(ranked[:count], key=lambda c: c[0])
    return [_render(text, s, e, group, s > start and text[s - 1] != "\n", e < end and text[e] != "\n")
            for s, e, group in chosen]


def _esc(text: str) -> str:
    return html.escape(text, quote=False)


def _word_start(text: str, pos: int, floor: int) -> int:
    if pos <= floor:
        return floor
    space = text.find(" ", pos)
    return space + 1 if 0 <= space < pos + 20 else pos


def _word_end(text: str, pos: int, ceiling: int) -> int:
    if pos >= ceiling:
        return ceiling
    space = text.rfind(" ", pos - 20, pos)
    return space if space > 0 else pos


def _render(text: str, start: int, end: int, hits: list[tuple[int, int]], lead: bool, tail: bool) -> str:
    parts = ["…"] if lead else []
    pos = start
    for s, e in hits:
        s, e = max(s, start), min(e, end)
        if e <= s:
            continue
        parts.append(_esc(text[pos:s]))
        parts.append(f"<mark>{_esc(text[s:e])}</mark>")
        pos = e
    parts.append(_esc(text[pos:end]))
    if tail:
        parts.append("…")
    return "".join(parts).replace("\n", " ")


def merge_spans(spans: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """Sorted, overlapping ranges joined (the public name of the merge :func:`find_hits` uses)."""
    return _merge(spans)


def phrase_spans(words: tuple[str, ...], slop: int,
                 occurrences: dict[str, list[tuple[int, int, int]]]) -> list[tuple[int, int]]:
    """Where a phrase matches, from each word's ``(position, start, end)`` occurrences.

    The same rule as :func:`find_hits` applies to the token list: from each occurrence of the
    first word, the next word must follow within ``slop`` positions of the previous one (the
    first occurrence in that window is taken).
    """
    if not words or any(w not in occurrences for w in words):
        return []
    by_pos = {w: {p: (s, e) for p, s, e in occurrences[w]} for w in words}
    spans: list[tuple[int, int]] = []
    for pos, start, end in occurrences[words[0]]:
        last, last_end = pos, end
        for word in words[1:]:
            table = by_pos[word]
            nxt = next((p for p in range(last + 1, last + slop + 1) if p in table), None)
            if nxt is None:
                break
            last, last_end = nxt, table[nxt][1]
        else:
            spans.append((start, last_end))
    return spans
