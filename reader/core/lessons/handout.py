"""Lesson handouts as standalone HTML: one page per step, readable printed in black and white.

Each step shows its documents as columns (an excerpt from the step's scroll passage), the
highlights of the layers the step turns on, a legend, the prompt, a coverage table of
entities per document, a technique profile, and full citations. Highlights never rely on
colour alone: entity types differ by weight and style, framing by underline, and every mark
carries a small superscript code the legend explains. The HTML uses only the CSS subset Qt's
rich text understands, so the same file becomes the PDF.
"""

from __future__ import annotations

import html
import logging
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from reader.core.corpus import Corpus
from reader.core.document import Document
from reader.core.lessons.model import Lesson, Step
from reader.core.lessons.validate import find_passage

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Mark:
    """One highlight: ``layer`` is "entities" or "framing"; ``key`` the entity id or technique."""

    start: int
    end: int
    layer: str
    key: str
    label: str  # human name of the entity / technique
    kind: str = ""  # entity type, or "" for framing


@dataclass
class HandoutSources:
    """Where highlights come from; each callable may be None when the capability is absent."""

    entity_marks: Callable[[Document], list[Mark]] | None = None
    framing_marks: Callable[[Document], list[Mark]] | None = None
    technique_names: dict[str, str] = field(default_factory=dict)


ENTITY_STYLE = {  # weight/style differ so types stay apart in greyscale
    "person": ("P", "font-weight:bold; background-color:#e8e8e8;"),
    "organisation": ("O", "font-weight:bold; font-style:italic; background-color:#e8e8e8;"),
    "place": ("L", "font-style:italic; background-color:#f0f0f0;"),
    "group": ("G", "font-weight:bold; background-color:#f4f4f4;"),
    "media": ("M", "font-variant:small-caps; background-color:#eeeeee;"),
    "event": ("E", "text-decoration:overline; background-color:#f4f4f4;"),
}
FRAMING_STYLE = "text-decoration:underline;"
EXCERPT_CHARS = {1: 2400, 2: 1500, 3: 1000, 4: 750}  # by number of columns: one page per step


def default_excerpt(columns: int) -> int:
    return EXCERPT_CHARS.get(columns, 750)


def excerpt_range(doc: Document, quote: str | None, size: int = 1500) -> tuple[int, int]:
    """A paragraph-aligned stretch of the article starting at the step's passage (or the top)."""
    article = doc.section("article")
    end_limit = article.end if article else len(doc.text)
    start = 0
    if quote:
        found = find_passage(doc.text, quote)
        if found is not None:
            para = doc.text.rfind("\n\n", 0, found)
            start = 0 if para < 0 else para + 2
    end = min(end_limit, start + size)
    if end < end_limit:
        cut = doc.text.rfind(" ", start, end)
        end = cut if cut > start else end
    return start, end


def _render_text(doc: Document, start: int, end: int, marks: list[Mark]) -> str:
    """HTML of ``doc.text[start:end]`` with non-overlapping marks (entities win over framing)."""
    chosen: list[Mark] = []
    taken_until = start
    for mark in sorted((m for m in marks if m.start >= start and m.end <= end),
                       key=lambda m: (m.start, m.layer != "entities", -(m.end - m.start))):
        if mark.start >= taken_until:
            chosen.append(mark)
            taken_until = mark.end
    out: list[str] = []
    pos = start
    for mark in chosen:
        out.append(html.escape(doc.text[pos:mark.start]))
        piece = html.escape(doc.text[mark.start:mark.end])
        if mark.layer == "entities":
            code, style = ENTITY_STYLE.get(mark.kind, ("?", "font-weight:bold;"))
        else:
            code, style = "F", FRAMING_STYLE
        out.append(f'<span style="{style}" title="{html.escape(mark.label)}">{piece}</span>'
                   f'<sup style="font-size:6pt;">{code}</sup>')
        pos = mark.end
    out.append(html.escape(doc.text[pos:end]))
    body = "".join(out)
    paragraphs = [p for p in body.split("\n\n") if p.strip()]
    lead = "…" if start > 0 else ""
    tail = " …" if end < len(doc.text) else ""
    inner = "".join(f"<p>{lead if i == 0 else ''}{p.replace(chr(10), '<br>')}"
                    f"{tail if i == len(paragraphs) - 1 else ''}</p>" for i, p in enumerate(paragraphs))
    return inner


def _citation(doc: Document) -> str:
    m = doc.meta
    parts = [f"<b>{html.escape(m.outlet or 'Unknown outlet')}</b>", f"“{html.escape(m.title)}”"]
    if m.author:
        parts.append(html.escape(m.author))
    date = m.published or "n.d."
    if m.date_note and m.date_note.startswith("inferred"):
        date += " (date inferred)"
    parts.append(html.escape(date))
    if m.url:
        parts.append(html.escape(m.url))
    return ", ".join(parts)


def render_step(lesson: Lesson, number: int, step: Step, corpus: Corpus, sources: HandoutSources,
                *, first: bool, excerpt: int | None = None) -> str:
    docs = [corpus.document(d) for d in step.documents if d in corpus]
    size = excerpt or default_excerpt(len(docs))
    layers = step.visible_layers(revealed=True)
    page_break = "" if first else "page-break-before: always;"
    out = [f'<div style="{page_break}">',
           f'<h2 style="margin-bottom:2px;">Step {number} of {len(lesson.steps)}: {html.escape(step.title)}</h2>',
           f'<p style="color:#333;"><i>{html.escape(lesson.title)}</i></p>']
    if step.prompt:
        out.append(f'<table width="100%" cellpadding="6" style="border:1px solid #000;"><tr><td>'
                   f'<b>Question:</b> {html.escape(step.prompt)}</td></tr></table>')
    all_marks: dict[str, list[Mark]] = {}
    for doc in docs:
        marks: list[Mark] = []
        if layers.get("entities") and sources.entity_marks is not None:
            marks += sources.entity_marks(doc)
        if layers.get("framing") and sources.framing_marks is not None:
            framing = sources.framing_marks(doc)
            if step.techniques:
                framing = [m for m in framing if m.key in step.techniques]
            marks += framing
        all_marks[doc.id] = marks
    width = max(1, 100 // max(1, len(docs)))
    out.append('<table width="100%" cellspacing="0" cellpadding="6" style="margin-top:8px;"><tr>')
    for doc in docs:
        start, end = excerpt_range(doc, step.scroll.get(doc.id), size)
        out.append(f'<td width="{width}%" valign="top" style="border:1px solid #999;">'
                   f'<p style="font-size:9pt;">{_citation(doc)}</p>'
                   f'<div style="font-size:9pt;">{_render_text(doc, start, end, all_marks[doc.id])}</div></td>')
    out.append("</tr></table>")
    out.append(_comments(docs, step))
    out.append(_legend(all_marks))
    out.append(_coverage(docs, all_marks))
    out.append(_profile(docs, all_marks, sources.technique_names))
    out.append("</div>")
    return "\n".join(out)


COMMENT_CHARS = 420  # per comment: three fit beside the excerpt on the step's page


def step_comments(doc: Document, step: Step) -> list[tuple[str, str]]:
    """The reader comments a step asks students to read: ``(heading, text)``, at most ``step.comments``.

    They start at the comment holding the step's scroll passage when it lies among the comments,
    else at the first one."""
    if step.comments <= 0 or not doc.comments:
        return []
    first = 0
    quote = step.scroll.get(doc.id)
    found = find_passage(doc.text, quote) if quote else None
    if found is not None:
        first = next((i for i, c in enumerate(doc.comments) if c.start <= found < c.end), 0)
    out = []
    for comment in doc.comments[first:first + step.comments]:
        text = " ".join(doc.text[comment.start:comment.end].split())
        if len(text) > COMMENT_CHARS:
            cut = text.rfind(" ", 0, COMMENT_CHARS)
            text = text[: cut if cut > 0 else COMMENT_CHARS] + " …"
        number = f" #{comment.number}" if comment.number is not None else ""
        out.append((f"{comment.author}{number}, {comment.posted or 'undated'}", text))
    return out


def _comments(docs: list[Document], step: Step) -> str:
    parts = []
    for doc in docs:
        chosen = step_comments(doc, step)
        if not chosen:
            continue
        items = "".join(f'<p style="font-size:8.5pt; margin:2px 0 4px 0;"><b>{html.escape(head)}</b>: '
                        f"{html.escape(text)}</p>" for head, text in chosen)
        parts.append(f'<p style="font-size:9pt; margin-bottom:0;"><b>Reader comments under '
                     f'{html.escape(doc.meta.outlet or doc.id)}</b> (posted by readers; not the outlet’s '
                     f'text)</p>{items}')
    return "".join(parts)


def _legend(all_marks: dict[str, list[Mark]]) -> str:
    kinds = sorted({m.kind for ms in all_marks.values() for m in ms if m.layer == "entities"})
    has_framing = any(m.layer == "framing" for ms in all_marks.values() for m in ms)
    if not kinds and not has_framing:
        return ""
    items = []
    for kind in kinds:
        code, style = ENTITY_STYLE.get(kind, ("?", "font-weight:bold;"))
        items.append(f'<span style="{style}">{kind}</span><sup>{code}</sup>')
    if has_framing:
        items.append(f'<span style="{FRAMING_STYLE}">framing technique</span><sup>F</sup>')
    return '<p style="font-size:8pt;"><b>Legend:</b> ' + " &nbsp; ".join(items) + "</p>"


def _coverage(docs: list[Document], all_marks: dict[str, list[Mark]]) -> str:
    counts: dict[str, Counter[str]] = {}
    labels: dict[str, str] = {}
    for doc in docs:
        for m in all_marks[doc.id]:
            if m.layer == "entities":
                counts.setdefault(m.key, Counter())[doc.id] += 1
                labels[m.key] = m.label
    if not counts or len(docs) < 2:
        return ""
    ranked = sorted(counts, key=lambda k: (-sum(counts[k].values()), labels[k]))[:8]
    head = "".join(f'<th style="font-size:8pt;">{html.escape(d.meta.outlet)}</th>' for d in docs)
    rows = []
    for key in ranked:
        cells = "".join(f'<td align="center">{counts[key][d.id] or "–"}</td>' for d in docs)
        rows.append(f"<tr><td>{html.escape(labels[key])}</td>{cells}</tr>")
    return ('<p style="font-size:8pt; margin-bottom:0;"><b>Who is named where</b> '
            "(mentions in each whole text; the 8 most named)</p>"
            '<table cellspacing="0" cellpadding="2" style="font-size:8pt; border:1px solid #999;">'
            f"<tr><th></th>{head}</tr>{''.join(rows)}</table>")


def _profile(docs: list[Document], all_marks: dict[str, list[Mark]], names: dict[str, str]) -> str:
    counts: dict[str, Counter[str]] = {}
    for doc in docs:
        for m in all_marks[doc.id]:
            if m.layer == "framing":
                counts.setdefault(m.key, Counter())[doc.id] += 1
    if not counts:
        return ""
    head = "".join(f'<th style="font-size:8pt;">{html.escape(d.meta.outlet)}</th>' for d in docs)
    rows = []
    for key in sorted(counts):
        cells = "".join(f'<td align="center">{counts[key][d.id] or "–"}</td>' for d in docs)
        rows.append(f"<tr><td>{html.escape(names.get(key, key))}</td>{cells}</tr>")
    return ('<p style="font-size:8pt; margin-bottom:0;"><b>Framing techniques</b> (highlights in each whole text)</p>'
            '<table cellspacing="0" cellpadding="2" style="font-size:8pt; border:1px solid #999;">'
            f"<tr><th></th>{head}</tr>{''.join(rows)}</table>")


def handout_html(lesson: Lesson, corpus: Corpus, sources: HandoutSources, step: int | None = None,
                 excerpts: dict[int, int] | None = None, *, heading: bool = True) -> str:
    """The whole handout (or one 1-based ``step``) as one standalone HTML page, no external assets.

    ``excerpts`` overrides the excerpt length per step (the PDF writer shrinks a step until it
    fits one page)."""
    numbers = [step] if step else list(range(1, len(lesson.steps) + 1))
    sizes = excerpts or {}
    parts = [render_step(lesson, n, lesson.steps[n - 1], corpus, sources, first=(i == 0), excerpt=sizes.get(n))
             for i, n in enumerate(numbers)]
    meta = " · ".join(x for x in (lesson.audience, lesson.duration) if x)
    return ("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\">"
            f"<title>{html.escape(lesson.title)}</title>"
            "<style>body { font-family: 'DejaVu Serif', Georgia, serif; color: #000; }"
            " th { text-align: left; } td, th { border: 1px solid #bbb; }</style></head><body>"
            + (f"<h1>{html.escape(lesson.title)}</h1>" if heading else "")
            + (f"<p>{html.escape(meta)}</p>" if meta and heading else "")
            + "\n".join(parts) + "</body></html>\n")
