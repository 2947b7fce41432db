"""Plain text and Markdown sources: a title, the paragraphs, and any front matter.

A ``.txt`` file's first line is its title when it looks like one (short, one line,
not a sentence that runs on); otherwise the title comes from the file name.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path
from typing import Any

from reader.core.document import KNOWN_KEYS, coerce_date
from reader.core.frontmatter import split_front_matter
from reader.core.importer.model import Extracted, Skip
from reader.core.text import canonical_text

log = logging.getLogger(__name__)

_MAX_TITLE = 200
_MD_HEADING = re.compile(r"^#{1,2}[ \t]+(?P<title>\S.*?)[ \t#]*$")
_SETEXT = re.compile(r"^(=+|-+)[ \t]*$")


def title_from_filename(path: Path) -> str:
    stem = re.sub(r"[_\s]+", " ", path.stem.replace("-", " ")).strip()
    if not stem:
        return "Untitled"
    return stem[0].upper() + stem[1:]


def looks_like_title(line: str, rest: str) -> bool:
    """A first line is a title when it is short and the text goes on after it."""
    line = line.strip()
    if not line or not rest.strip() or len(line) > 150:
        return False
    if len(line.split()) > 25:
        return False
    return not line.endswith((",", ";", ":", "-")) and not (line.endswith(".") and len(line.split()) > 12)


def _split_first_line(text: str) -> tuple[str, str]:
    first, _, rest = text.partition("\n")
    return first, rest


def read_text(text: str, path: Path) -> Extracted:
    body = canonical_text(text)
    if not body:
        raise Skip("empty file: no text in it")
    first, rest = _split_first_line(body)
    if looks_like_title(first, rest):
        return Extracted(title=first.strip()[:_MAX_TITLE], text=canonical_text(rest))
    return Extracted(title=title_from_filename(path), text=body)


def read_markdown(text: str, path: Path) -> Extracted:
    """Markdown with or without YAML front matter; a leading ``# Heading`` is the title."""
    stripped = text.lstrip("\ufeff")
    header: dict[str, Any] = {}
    body = stripped
    if stripped.startswith("---"):
        split, problems = split_front_matter(stripped, str(path))
        if split is None:
            reason = problems[0].message if problems else "unreadable front matter"
            line = f" (line {problems[0].line})" if problems and problems[0].line else ""
            raise Skip(f"broken front matter{line}: {reason}")
        header, body = split.header, split.body
    body = canonical_text(body)
    title = _text_value(header.get("title"))
    if not title:
        title, body = _heading_title(body, path)
    if not body:
        raise Skip("empty file: no text in it" if not header else "empty file: the front matter has no text after it")
    published = coerce_date(header["published"]) if header.get("published") not in (None, "") else None
    for key in ("date", "pubdate"):
        if published is None and header.get(key) not in (None, ""):
            published = coerce_date(header[key])
    used = {"id", "title", "outlet", "author", "published", "date_note", "language", "url", "event",
            "encoding", "original", "original_sha256", "imported"}
    extra = {k: v for k, v in header.items() if k not in used and k in KNOWN_KEYS}
    unknown = {k: v for k, v in header.items() if k not in used and k not in KNOWN_KEYS}
    if unknown:  # kept where the loader expects free-form data, so it warns about nothing
        provenance = extra.get("provenance")
        if provenance is None or isinstance(provenance, dict):
            extra["provenance"] = {**(provenance or {}), "front_matter": unknown}
    return Extracted(
        title=title[:_MAX_TITLE],
        text=body,
        outlet=_text_value(header.get("outlet") or header.get("site") or header.get("publication")),
        author=_text_value(header.get("author") or header.get("byline")),
        published=published,
        date_note=_text_value(header.get("date_note")) or None,
        language=_text_value(header.get("language") or header.get("lang")) or None,
        url=_text_value(header.get("url") or header.get("link")) or None,
        event=_text_value(header.get("event")) or None,
        extra=extra,
        wanted_id=_text_value(header.get("id")) or None,
    )


def _text_value(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return ", ".join(str(v) for v in value if v is not None).strip()
    return " ".join(str(value).split())


def _heading_title(body: str, path: Path) -> tuple[str, str]:
    lines = body.split("\n")
    if lines:
        match = _MD_HEADING.match(lines[0])
        if match:
            return match.group("title").strip(), canonical_text("\n".join(lines[1:]))
        if len(lines) > 1 and lines[0].strip() and _SETEXT.match(lines[1]):
            return lines[0].strip(), canonical_text("\n".join(lines[2:]))
    first, rest = _split_first_line(body)
    if looks_like_title(first, rest):
        return first.strip(), canonical_text(rest)
    return title_from_filename(path), body
