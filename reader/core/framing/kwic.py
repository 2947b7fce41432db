"""Keyword in context: every occurrence of a word, phrase or entity across the corpus.

The concordance keeps each document's canonical text and one *folded* copy of all texts
joined together (same length per document, see :func:`~reader.core.framing.lexicon.fold`),
so a query is one regular-expression scan and every hit is already a canonical
``[start, end)`` span. The texts are cached per corpus (keyed by file sizes and times) in
the cache dir, so opening the concordance does not re-read a large corpus.

Query language: words and phrases match whole words, case-insensitively, with any run of
spaces or hyphens between words; ``|`` separates alternatives (an entity's aliases);
``*`` at the end of a word matches any ending. British and American spellings match each
other (colour/color, -ise/-ize) and common endings (-s, -es, -ed, -ing) are included,
unless ``exact`` is asked for.
"""

from __future__ import annotations

import bisect
import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from reader.core.atomic import atomic_write_text
from reader.core.errors import ReaderError
from reader.core.framing.lexicon import fold

Progress = Callable[[int, int], None]
Cancelled = Callable[[], bool]
CACHE_VERSION = 1
SEPARATOR = "\x00"
SORT_KEYS = ("outlet", "date", "left", "right", "doc")


class KwicCancelled(ReaderError):
    """The caller asked to stop building the concordance."""


class KwicQueryError(ReaderError):
    """The query has nothing to look for."""


@dataclass(frozen=True)
class KwicRecord:
    """What the concordance keeps of one document."""

    doc: str
    outlet: str
    date: str | None
    text: str


@dataclass(frozen=True)
class KwicLine:
    """One occurrence: ``[start, end)`` in the document text, with its left and right context."""

    doc: str
    outlet: str
    date: str | None
    start: int
    end: int
    left: str
    match: str
    right: str
    position: float  # start / length of the text: where in the document the hit falls (0..1)

    def to_json(self) -> dict[str, Any]:
        return {"doc": self.doc, "outlet": self.outlet, "date": self.date, "start": self.start, "end": self.end,
                "left": self.left, "match": self.match, "right": self.right, "position": round(self.position, 4)}


_SPELLING = (("our", "ou?r"), ("ise", "i[sz]e"), ("ize", "i[sz]e"), ("yse", "y[sz]e"), ("yze", "y[sz]e"))


def _token_pattern(token: str, exact: bool) -> tuple[str, str]:
    """(regex, a literal every match contains) for one folded query word."""
    wildcard = token.endswith("*")
    token = token.rstrip("*")
    if not token:
        return "", ""
    body, literal = re.escape(token), token
    if not exact and token.isalpha() and len(token) >= 4:
        for brit, both in _SPELLING:
            if token.endswith(brit) and len(token) > len(brit) + 1:
                stem = token[: -len(brit)]
                body, literal = re.escape(stem) + both, stem + brit[0]
                break
        if token.endswith("or") and len(token) > 3 and not token.endswith(("door", "floor", "poor")):
            body, literal = re.escape(token[:-2]) + "ou?r", token[:-1]  # color -> colour as well
        if token.endswith("e"):
            body += "(?:s|d|r|rs)?"
            literal = literal if literal != token else token[:-1] if len(token) > 3 else token
        else:
            body += "(?:s|es|ed|ing)?"
    if wildcard:
        body += r"\w*"
    return body, literal


@dataclass(frozen=True)
class _Alternative:
    pattern: re.Pattern[str]
    literal: str
    reach: int


def _alternatives(query: str, exact: bool) -> list[_Alternative]:
    out = []
    for alt in query.split("|"):
        tokens = fold(alt).replace('"', " ").split()
        parts = [p for p in (_token_pattern(t, exact) for t in tokens) if p[0]]
        if parts:
            regex = r"(?<![\w])" + r"[\s]+".join(p for p, _ in parts) + r"(?![\w])"
            literal = max((lit for _, lit in parts), key=len)
            out.append(_Alternative(re.compile(regex), literal, 3 * len(alt) + 40))
    if not out:
        raise KwicQueryError("type a word or phrase to look for")
    return out


def query_pattern(query: str, exact: bool = False) -> re.Pattern[str]:
    """One regex for a query over folded text (see the module docstring for the language)."""
    alts = _alternatives(query, exact)
    return re.compile("|".join(f"(?:{a.pattern.pattern})" for a in alts))


def _left(text: str, start: int, width: int) -> str:
    return text[max(0, start - width):start].replace("\n", " ")


def _right(text: str, end: int, width: int) -> str:
    return text[end:end + width].replace("\n", " ")


class KwicIndex:
    """Texts of a corpus held for concordance queries."""

    def __init__(self, records: list[KwicRecord]) -> None:
        self.records = records
        self.starts: list[int] = []
        chunks = []
        pos = 0
        for rec in records:
            self.starts.append(pos)
            chunks.append(fold(rec.text).replace(SEPARATOR, " "))
            pos += len(rec.text) + 1
        self.blob = SEPARATOR.join(chunks)

    @classmethod
    def from_records(cls, records: Iterable[KwicRecord]) -> KwicIndex:
        return cls(list(records))

    @classmethod
    def for_corpus(cls, corpus: Any, cache_dir: Path | None = None, progress: Progress | None = None,
                   cancelled: Cancelled | None = None) -> KwicIndex:
        """Build from a scanned corpus, reusing the cached texts when no file changed."""
        metas = corpus.metas()
        stamp = []
        for meta in metas:
            try:
                st = Path(meta.path).stat()
                stamp.append([meta.id, st.st_size, st.st_mtime_ns])
            except OSError:
                stamp.append([meta.id, -1, -1])
        cache = Path(cache_dir) / "kwic" / "texts.json" if cache_dir else None
        if cache is not None and cache.exists():
            try:
                data = json.loads(cache.read_text(encoding="utf-8"))
                if data.get("version") == CACHE_VERSION and data.get("stamp") == stamp:
                    return cls([KwicRecord(*r) for r in data["records"]])
            except (OSError, ValueError, TypeError):
                pass
        records = []
        for n, meta in enumerate(metas, 1):
            if cancelled is not None and cancelled():
                raise KwicCancelled("concordance cancelled")
            try:
                doc = corpus.document(meta.id)
            except ReaderError:
                continue
            records.append(KwicRecord(meta.id, meta.outlet, meta.published, doc.text))
            if progress is not None:
                progress(n, len(metas))
        if cache is not None:
            try:
                cache.parent.mkdir(parents=True, exist_ok=True)
                atomic_write_text(cache, json.dumps({"version": CACHE_VERSION, "stamp": stamp,
                                                     "records": [[r.doc, r.outlet, r.date, r.text] for r in records]},
                                                    ensure_ascii=False), durable=False)
            except OSError:
                pass  # an unwritable cache only costs time
        return cls(records)

    def search(self, query: str, width: int = 40, limit: int | None = None, exact: bool = False,
               docs: set[str] | None = None) -> list[KwicLine]:
        """Every occurrence of ``query`` in corpus order (``limit`` stops early; ``docs`` restricts)."""
        width = max(0, int(width))
        spans: set[tuple[int, int]] = set()
        blob = self.blob
        for alt in _alternatives(query, exact):
            found = 0
            pos = blob.find(alt.literal)
            while pos != -1:  # str.find jumps between candidates far faster than a regex scan
                lo, hi = max(0, pos - alt.reach), min(len(blob), pos + len(alt.literal) + alt.reach)
                for m in alt.pattern.finditer(blob, lo, hi):
                    if m.start() <= pos < m.end() and (m.end() < hi or hi == len(blob)):
                        if (m.start(), m.end()) not in spans:
                            spans.add((m.start(), m.end()))
                            found += 1
                        break
                if limit is not None and found >= limit and docs is None:
                    break
                pos = blob.find(alt.literal, pos + 1)
        lines: list[KwicLine] = []
        for mstart, mend in _leftmost_longest(spans):
            i = bisect.bisect_right(self.starts, mstart) - 1
            rec = self.records[i]
            if docs is not None and rec.doc not in docs:
                continue
            base = self.starts[i]
            start, end = mstart - base, mend - base
            text = rec.text
            lines.append(KwicLine(rec.doc, rec.outlet, rec.date, start, end, _left(text, start, width),
                                  text[start:end], _right(text, end, width), start / max(1, len(text))))
            if limit is not None and len(lines) >= limit:
                break
        return lines

    def lengths(self) -> dict[str, int]:
        return {r.doc: len(r.text) for r in self.records}


def _leftmost_longest(spans: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """One line per place in the text: where alternatives overlap ("Kassym-Jomart Tokayev",
    "Kassym-Jomart" and "Tokayev" all spell one entity) the earliest, then longest, wins, as in
    the entity matcher; three lines for one mention would inflate every count built on them."""
    kept: list[tuple[int, int]] = []
    for start, end in sorted(spans, key=lambda span: (span[0], -span[1])):
        if not kept or start >= kept[-1][1]:
            kept.append((start, end))
    return kept


def entity_query(service: Any, name: str) -> str:
    """A query for every spelling of an entity (by id, name or alias) of ``service`` (the
    session's :class:`~reader.core.entities.api.EntityService`, so the user's aliases count)."""
    entity = service.find(name)
    spellings = [a.text for a in entity.spellings() if a.text.strip() and "|" not in a.text]
    return "|".join(dict.fromkeys(spellings))


def sort_lines(lines: list[KwicLine], key: str = "doc", reverse: bool = False) -> list[KwicLine]:
    """Sort by outlet, date, left context (nearest word first), right context, or corpus order."""
    if key not in SORT_KEYS:
        raise ReaderError(f"cannot sort by {key!r}; choose one of {', '.join(SORT_KEYS)}")

    def words(text: str) -> list[str]:
        return re.findall(r"\w+", text.lower())

    keys: dict[str, Callable[[KwicLine], Any]] = {
        "outlet": lambda ln: (ln.outlet.lower(), ln.date or "", ln.doc, ln.start),
        "date": lambda ln: (ln.date or "9999", ln.outlet.lower(), ln.doc, ln.start),
        "left": lambda ln: (list(reversed(words(ln.left))), ln.doc, ln.start),
        "right": lambda ln: (words(ln.right), ln.doc, ln.start),
        "doc": lambda ln: (0,),
    }
    if key == "doc":
        return list(reversed(lines)) if reverse else list(lines)
    return sorted(lines, key=keys[key], reverse=reverse)


def dispersion(lines: Iterable[KwicLine]) -> dict[str, list[float]]:
    """Per document, the relative positions (0..1) of its hits, for a dispersion strip."""
    out: dict[str, list[float]] = {}
    for line in lines:
        out.setdefault(line.doc, []).append(line.position)
    return out


def kwic_csv_rows(lines: Iterable[KwicLine]) -> list[list[str]]:
    rows = [["doc", "outlet", "date", "start", "end", "left", "match", "right"]]
    rows.extend([ln.doc, ln.outlet, ln.date or "", str(ln.start), str(ln.end), ln.left, ln.match, ln.right]
                for ln in lines)
    return rows
