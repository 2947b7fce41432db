"""What one source turns into before it is written: metadata, article text, comments.

Readers of every format (plain text, Markdown, HTML) return an :class:`Extracted`;
the writer renders it as a corpus document. :class:`Skip` carries the reason a source
is refused; the importer reports it and goes on with the next file.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

log = logging.getLogger(__name__)


class Skip(Exception):  # a control-flow signal carrying a reason
    """This source cannot be imported; ``reason`` is fit to show the user."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class ExtractedComment:
    """One reader comment as found in the source."""

    author: str
    posted: str | None
    text: str


@dataclass
class Extracted:
    """A source's article and metadata, in the words of the source."""

    title: str
    text: str
    outlet: str = ""
    author: str = ""
    published: str | None = None
    date_note: str | None = None
    language: str | None = None
    url: str | None = None
    event: str | None = None
    comments: list[ExtractedComment] = field(default_factory=list)
    #: Front-matter keys from a Markdown source beyond the ones above (kept as they were).
    extra: dict[str, Any] = field(default_factory=dict)
    #: A wanted id (from a Markdown front matter); used when free and valid.
    wanted_id: str | None = None
    #: Where pages begin: ``(page, paragraph index in text, character in that paragraph)`` (PDF).
    page_starts: list[tuple[int, int, int]] = field(default_factory=list)
    #: Headings that open parts of the text (chapters, footnotes, quoted replies):
    #: ``(paragraph index in text, title)``; recorded as the ``outline`` front-matter key.
    outline: list[tuple[int, str]] = field(default_factory=list)
    #: Files carried inside the source (e-mail attachments): ``(file name, bytes)``.
    attachments: list[tuple[str, bytes]] = field(default_factory=list)
