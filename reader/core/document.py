"""The document model: metadata from the front matter, canonical text, sections, comments.

Sections and comments are half-open ranges ``[start, end)`` into ``Document.text``;
the markup that delimits them in the file (``## Comments``, ``### author · time``)
is not part of the text, so offsets never count markup.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from reader.core.text import canonical_text, content_hash, word_count

#: Front-matter keys the loader understands; others are kept but warned about.
KNOWN_KEYS: frozenset[str] = frozenset(
    {
        "id", "title", "subtitle", "outlet", "author", "published", "date_note",
        "language", "url", "event", "category", "source", "provenance", "tags",
        "encoding", "original", "original_sha256", "imported",
        "pages", "outline",
    }
)

ARTICLE = "article"
COMMENTS = "comments"

_COMMENTS_HEADING = re.compile(r"^##[ \t]+(?:reader[ \t]+)?comments[ \t]*$", re.IGNORECASE)
_COMMENT_HEADER = re.compile(r"^###[ \t]+(?P<head>\S.*?)[ \t]*$")
_COMMENT_NUMBER = re.compile(r"^#(?P<n>\d+)$")


@dataclass(frozen=True)
class Section:
    """A named range of the text: ``article`` or ``comments``."""

    name: str
    start: int
    end: int


@dataclass(frozen=True)
class Comment:
    """One reader comment: who posted it, when, and where its text lies."""

    author: str
    posted: str | None
    number: int | None
    start: int
    end: int


@dataclass(frozen=True)
class DocumentMeta:
    """What the library needs to list a document, read from its front matter alone."""

    id: str
    title: str
    outlet: str
    author: str
    published: str | None
    path: Path
    language: str = "en"
    date_note: str | None = None
    url: str | None = None
    event: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def page_at(self, offset: int) -> int | None:
        """The source page holding text ``offset`` (imported PDFs record ``pages``), else None."""
        return page_at(self.extra.get("pages"), offset)

    def citation(self) -> str:
        """A short human citation: outlet, title, author, date."""
        parts = [self.outlet or "Unknown outlet", f"“{self.title}”"]
        if self.author:
            parts.append(self.author)
        parts.append(self.published or "n.d.")
        return ", ".join(parts)

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "path": str(self.path),
            "title": self.title,
            "outlet": self.outlet,
            "author": self.author,
            "published": self.published,
            "date_note": self.date_note,
            "language": self.language,
            "url": self.url,
            "event": self.event,
        }


@dataclass(frozen=True)
class BodyIssue:
    """A problem found while splitting the body; ``line`` counts from the file's top."""

    line: int
    severity: str
    message: str


@dataclass(frozen=True)
class Document:
    """A loaded document: its text is the one every offset in the app counts in."""

    meta: DocumentMeta
    text: str
    sections: tuple[Section, ...]
    comments: tuple[Comment, ...]
    content_hash: str

    @property
    def id(self) -> str:
        return self.meta.id

    def section(self, name: str) -> Section | None:
        return next((s for s in self.sections if s.name == name), None)

    def section_at(self, offset: int) -> str:
        """Name of the section holding ``offset`` (``article`` when outside all)."""
        for sec in self.sections:
            if sec.start <= offset < sec.end:
                return sec.name
        return ARTICLE

    def page_at(self, offset: int) -> int | None:
        """The page of the source (a PDF) that ``offset`` lies on, so a note can cite "p. 3"."""
        return self.meta.page_at(offset)

    def section_text(self, name: str) -> str:
        sec = self.section(name)
        return "" if sec is None else self.text[sec.start : sec.end]

    def section_words(self) -> list[tuple[str, int]]:
        return [(s.name, word_count(self.text[s.start : s.end])) for s in self.sections]

    def to_json(self) -> dict[str, Any]:
        data = self.meta.to_json()
        data["content_hash"] = self.content_hash
        data["sections"] = [{"name": s.name, "start": s.start, "end": s.end} for s in self.sections]
        data["comments"] = [
            {"author": c.author, "posted": c.posted, "number": c.number, "start": c.start, "end": c.end}
            for c in self.comments
        ]
        data["text"] = self.text
        return data


def page_at(pages: object, offset: int) -> int | None:
    """Look ``offset`` up in a ``pages`` front-matter map ``{page number: offset where it starts}``.

    Kept in the front matter (not derived) because the PDF is the only witness of where its
    pages break; a malformed value gives None rather than a wrong page.
    """
    if not isinstance(pages, dict) or not pages:
        return None
    try:
        starts = sorted((int(start), int(page)) for page, start in pages.items())
    except (TypeError, ValueError):
        return None
    found = None
    for start, page in starts:
        if start > offset:
            break
        found = page
    return found if found is not None else starts[0][1]


def parse_body(body: str, first_line: int = 1) -> tuple[str, tuple[Section, ...], tuple[Comment, ...], list[BodyIssue]]:
    """Split a body into canonical text, sections and comments.

    The article is everything before a ``## Comments`` heading. After it, each comment
    starts with a header line ``### Author · 2022-01-10 21:12 UTC · #201`` (time and
    number optional) followed by its paragraphs.
    """
    lines = body.split("\n")
    issues: list[BodyIssue] = []
    split_at = next((i for i, line in enumerate(lines) if _COMMENTS_HEADING.match(line)), None)
    article_raw = "\n".join(lines if split_at is None else lines[:split_at])
    text = canonical_text(article_raw)
    sections: list[Section] = []
    if text:
        sections.append(Section(ARTICLE, 0, len(text)))
    comments: list[Comment] = []
    if split_at is not None:
        blocks = _comment_blocks(lines, split_at + 1, first_line, issues)
        for head, raw, line_no in blocks:
            body_text = canonical_text(raw)
            if not body_text:
                issues.append(BodyIssue(line_no, "warning", "comment has no text; ignored"))
                continue
            author, posted, number = _parse_comment_head(head, line_no, issues)
            if text:
                text += "\n\n"
            start = len(text)
            text += body_text
            comments.append(Comment(author, posted, number, start, len(text)))
        if comments:
            sections.append(Section(COMMENTS, comments[0].start, comments[-1].end))
        else:
            issues.append(BodyIssue(first_line + split_at, "warning", "comments heading with no comments"))
    return text, tuple(sections), tuple(comments), issues


def _comment_blocks(
    lines: list[str], begin: int, first_line: int, issues: list[BodyIssue]
) -> list[tuple[str, str, int]]:
    blocks: list[tuple[str, str, int]] = []
    head: str | None = None
    head_line = 0
    buf: list[str] = []
    for i in range(begin, len(lines)):
        match = _COMMENT_HEADER.match(lines[i])
        if match:
            if head is not None or canonical_text("\n".join(buf)):
                if head is None:
                    issues.append(BodyIssue(first_line + begin, "warning",
                                            "text before the first comment header; kept as an anonymous comment"))
                blocks.append((head or "", "\n".join(buf), head_line or first_line + begin))
            head, head_line, buf = match.group("head"), first_line + i, []
        else:
            buf.append(lines[i])
    if head is not None or canonical_text("\n".join(buf)):
        blocks.append((head or "", "\n".join(buf), head_line or first_line + begin))
    return blocks


def _parse_comment_head(head: str, line_no: int, issues: list[BodyIssue]) -> tuple[str, str | None, int | None]:
    parts = [p.strip() for p in head.split("·")] if head else []
    author = parts[0] if parts else ""
    posted: str | None = None
    number: int | None = None
    for part in parts[1:]:
        num = _COMMENT_NUMBER.match(part)
        if num:
            number = int(num.group("n"))
            continue
        parsed = parse_timestamp(part)
        if parsed is None:
            issues.append(BodyIssue(line_no, "warning", f"comment header: cannot read {part!r} as a date/time"))
        else:
            posted = parsed
    return author or "anonymous", posted, number


def parse_timestamp(value: str) -> str | None:
    """ISO 8601 date or date-time (``UTC`` suffix allowed) to a normalised ISO string."""
    cleaned = value.strip()
    utc = cleaned.upper().endswith("UTC")
    if utc:
        cleaned = cleaned[:-3].strip()
    try:
        stamp = datetime.fromisoformat(cleaned)
    except ValueError:
        return None
    if utc and stamp.tzinfo is None:
        stamp = stamp.replace(tzinfo=UTC)
    if len(cleaned) == 10:
        return stamp.date().isoformat()
    return stamp.isoformat().replace("+00:00", "Z")


def coerce_date(value: object) -> str | None:
    """A YAML ``published`` value (date, datetime or string) as ``YYYY-MM-DD``; None if unreadable."""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str):
        parsed = parse_timestamp(value)
        return parsed[:10] if parsed else None
    return None


def build_document(meta: DocumentMeta, body: str, first_line: int = 1) -> tuple[Document, list[BodyIssue]]:
    """Turn metadata and the raw body into a :class:`Document`."""
    text, sections, comments, issues = parse_body(body, first_line)
    return Document(meta, text, sections, comments, content_hash(text)), issues
