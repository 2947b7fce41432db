"""Text the window shows, formatted one way everywhere: escaped HTML, dates, counts.

Titles, outlets, note bodies and file names are untrusted text; anything put into a rich-text
label, tooltip or delegate goes through :func:`esc`. Dates read "9 Jan 2022" (an ISO date that
does not parse is shown as given, a missing one as "n.d."), counts say "1 note" / "3 notes".
"""

from __future__ import annotations

import functools
import html
import logging
from datetime import date

log = logging.getLogger(__name__)


def esc(text: object) -> str:
    """``text`` safe inside rich text (quotes too: it may land in an attribute)."""
    return html.escape(str(text), quote=True)


@functools.lru_cache(maxsize=4096)
def format_date(iso: str | None) -> str:
    """``2022-01-08`` as ``8 Jan 2022``; memoised: sorting 20,000 library rows by date formatted
    each row's date on every comparison pass, on the GUI thread."""
    if not iso:
        return "n.d."
    try:
        return date.fromisoformat(iso).strftime("%-d %b %Y")
    except ValueError:
        return iso


def count(n: int, noun: str, plural: str | None = None) -> str:
    """``1 note``, ``2 notes``, ``0 documents`` (``plural`` for irregular nouns)."""
    return f"{n:,} {noun if n == 1 else plural or noun + 's'}"
