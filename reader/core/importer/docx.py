"""Word (.docx) sources with python-docx: headings, paragraphs and tables in order, footnotes last.

python-docx (MIT) reads the document body and its core properties; it has no footnote
API, so ``word/footnotes.xml`` is read from the same package with lxml. Headings (the
``Title`` and ``Heading N`` styles) stay paragraphs of the text and are recorded in the
outline, so the reader can show the structure without markup in the text.
"""

from __future__ import annotations

import io
import logging
from typing import Any

from reader.core.importer.deps import need
from reader.core.importer.model import Extracted, Skip

log = logging.getLogger(__name__)

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
FOOTNOTES = "Notes"


def _paragraph_text(p: Any) -> str:
    return " ".join(p.text.replace("\n", " ").split())


def _footnotes(document: Any) -> list[str]:
    for rel in document.part.rels.values():
        if rel.reltype.endswith("/footnotes") and not rel.is_external:
            from lxml import etree

            root = etree.fromstring(rel.target_part.blob)
            notes = []
            for note in root.iter(f"{_W}footnote"):
                if note.get(f"{_W}type") in ("separator", "continuationSeparator", "continuationNotice"):
                    continue
                paras = [" ".join("".join(t.text or "" for t in p.iter(f"{_W}t")).split())
                         for p in note.iter(f"{_W}p")]
                text = " ".join(p for p in paras if p)
                if text:
                    notes.append(text)
            return notes
    return []


def read_docx(data: bytes) -> Extracted:
    docx = need("docx", "Word import")
    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as exc:  # a damaged package: a reason, not a crash
        log.debug("python-docx refused the file", exc_info=True)
        raise Skip(f"broken Word file: {type(exc).__name__}: {exc}") from None
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    texts: list[str] = []
    outline: list[tuple[int, str]] = []
    title = ""
    for block in document.iter_inner_content():
        if isinstance(block, Paragraph):
            text = _paragraph_text(block)
            if not text:
                continue
            style = (block.style.name if block.style is not None else "") or ""
            if style == "Title" and not title:
                title = text
                continue
            if style.startswith("Heading") or style == "Title":
                outline.append((len(texts), text))
            texts.append(text)
        elif isinstance(block, Table):
            for row in block.rows:
                cells = [" ".join(c.text.split()) for c in row.cells]
                line = " | ".join(c for c in dict.fromkeys(cells) if c)
                if line:
                    texts.append(line)
    notes = _footnotes(document)
    if notes:
        outline.append((len(texts), FOOTNOTES))
        texts.append(FOOTNOTES)
        texts.extend(f"{n}. {text}" for n, text in enumerate(notes, 1))
    if not texts:
        raise Skip("empty file: the Word document has no text")
    props = document.core_properties
    title = " ".join((props.title or "").split()) or title
    if not title and outline and outline[0][0] == 0:
        title = texts.pop(0)
        outline = [(i - 1, t) for i, t in outline[1:]]
    published = None
    date_note = None
    if props.created is not None:
        published = props.created.date().isoformat()
        date_note = "from the Word file's properties (when it was created, which may differ from publication)"
    return Extracted(
        title=title,
        text="\n\n".join(texts),
        author=" ".join((props.author or "").split()),
        published=published,
        date_note=date_note,
        language=(props.language or "")[:2].lower() or None,
        outline=outline,
        extra={"provenance": {k: v for k, v in (("subject", props.subject), ("keywords", props.keywords),
                                                ("category", props.category)) if v}},
    )
