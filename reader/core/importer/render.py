"""An :class:`Extracted` source as corpus-file text: front matter, article, comments.

The rendered file is parsed back with the loader's own functions before it is
written, so an import can never add a file the corpus would refuse to load.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from pathlib import Path
from typing import Any

import yaml

from reader.core.corpus import ID_PATTERN, Corpus
from reader.core.document import build_document, parse_body
from reader.core.frontmatter import ERROR, split_front_matter
from reader.core.importer.model import Extracted, Skip
from reader.core.text import canonical_text, paragraph_spans

log = logging.getLogger(__name__)

_COMMENTS_LINE = re.compile(r"^(##[ \t]+(?:reader[ \t]+)?comments[ \t]*)$", re.IGNORECASE | re.MULTILINE)
_HEADER_UNSAFE = re.compile(r"[·\n\r]")


def slugify(text: str, limit: int = 60) -> str:
    """ASCII slug for ids: ``Obama's gun laws`` -> ``obamas-gun-laws``."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii").lower()
    ascii_text = re.sub(r"['’]", "", ascii_text)
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text).strip("-")
    if len(slug) > limit:
        slug = slug[:limit].rsplit("-", 1)[0] or slug[:limit]
    return slug.strip("-")


def unique_id(wanted: str | None, title: str, taken: set[str]) -> str:
    """A free, valid id: the wanted one if possible, else a slug of the title, suffixed if taken."""
    if wanted and ID_PATTERN.match(wanted) and wanted not in taken:
        return wanted
    base = slugify(title) or "document"
    candidate, n = base, 2
    while candidate in taken:
        candidate = f"{base}-{n}"
        n += 1
    return candidate


def guard_article(text: str) -> str:
    """Keep article text from opening the comments section (a literal ``## Comments`` line)."""
    return _COMMENTS_LINE.sub(lambda m: m.group(1).lstrip("#").lstrip(), text)


def render_body(ex: Extracted) -> str:
    parts = [guard_article(canonical_text(ex.text))]
    if ex.comments:
        parts.append("## Comments")
        for c in ex.comments:
            body = canonical_text(c.text)
            if not body:
                continue
            author = _HEADER_UNSAFE.sub(" ", c.author).strip() or "anonymous"
            head = " · ".join(x for x in (author, c.posted) if x)
            parts.append(f"### {head}")
            parts.append(_guard_comment(body))  # a '### ' line would start a new comment
    return "\n\n".join(p for p in parts if p) + "\n"


def _guard_comment(body: str) -> str:
    """A comment's own ``## ``/``### `` lines get full-width hashes so they stay its text."""
    return re.sub(r"^#{2,3}(?=[ \t])", lambda m: "＃" * len(m.group(0)), body, flags=re.MULTILINE)


def locate(ex: Extracted) -> dict[str, Any]:
    """``pages`` and ``outline`` front-matter maps, as offsets into the text the loader will build.

    Readers give positions as (paragraph index, character) so they need not know the
    canonical text; here the body is parsed back exactly as the loader parses it and the
    paragraph positions become offsets. ``pages`` maps a page number to where it starts,
    ``outline`` an offset to the heading that opens a part (chapter, footnotes, reply).
    """
    if not ex.page_starts and not ex.outline:
        return {}
    text = parse_body(render_body(ex))[0]
    spans = paragraph_spans(text)
    found: dict[str, Any] = {}

    def offset(index: int, char: int) -> int | None:
        if index >= len(spans):
            return None
        start, end = spans[index]
        return min(start + char, end)

    pages = {page: at for page, index, char in ex.page_starts if (at := offset(index, char)) is not None}
    if pages:
        found["pages"] = pages
    outline = {at: title for index, title in ex.outline if (at := offset(index, 0)) is not None}
    if outline:
        found["outline"] = outline
    return found


def front_matter(doc_id: str, ex: Extracted, extra: dict[str, Any]) -> dict[str, Any]:
    header: dict[str, Any] = {"id": doc_id, "title": ex.title, "outlet": ex.outlet, "author": ex.author}
    if ex.published:
        header["published"] = ex.published
    for key, value in (("date_note", ex.date_note), ("language", ex.language), ("url", ex.url),
                       ("event", ex.event)):
        if value:
            header[key] = value
    for key, value in ex.extra.items():
        header.setdefault(key, value)
    header.update(locate(ex))
    header.update(extra)
    return header


def render(header: dict[str, Any], body: str) -> str:
    dumped = yaml.safe_dump(header, allow_unicode=True, sort_keys=False, width=10**6, default_flow_style=False)
    return f"---\n{dumped}---\n\n{body}"


def verify(text: str, path: Path) -> str:
    """Parse the rendered file as the loader will; return its content hash or raise :class:`Skip`."""
    split, problems = split_front_matter(text, str(path))
    if split is None:
        raise Skip("could not be turned into a corpus document: " + "; ".join(p.message for p in problems))
    issues: list[Any] = []
    meta = Corpus._meta_from_header(split, path, str(path), issues)  # the loader's own rules
    errors = [p.message for p in issues if p.severity == ERROR]
    if meta is None or errors:
        raise Skip("could not be turned into a corpus document: " + "; ".join(errors or ["invalid metadata"]))
    doc, _ = build_document(meta, split.body, split.body_line)
    if not doc.text.strip():
        raise Skip("no text left after import")
    return doc.content_hash
