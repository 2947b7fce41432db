"""E-mail sources (.eml, .mbox) with the standard library's ``email`` package.

Subject, sender and date become title, author and ``published`` (``date_note`` says it is
the Date header); the sender's domain is the outlet. The message's own words come first;
quoted replies (``>`` lines and the "On ... wrote:" line before them) are their own part,
opened by a "Quoted reply" heading in the outline. Attachments are listed at the end, and
those the importer can read are handed back to be imported as documents linked to the mail.
"""

from __future__ import annotations

import logging
import re
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import getaddresses, parsedate_to_datetime
from typing import Any

from reader.core.importer.model import Extracted, Skip

log = logging.getLogger(__name__)

QUOTED = "Quoted reply"
ATTACHMENTS = "Attachments"
_MBOX_SPLIT = re.compile(rb"(?:^|\r?\n)From [^\r\n]*\r?\n")
_WROTE = re.compile(r"^(?:On .{5,200} wrote:|Am .{5,200} schrieb .{1,100}:|Le .{5,200} a écrit\s?:|"
                    r"-{2,}\s*Original Message\s*-{2,}|-{2,}\s*Forwarded message\s*-{2,})\s*$", re.IGNORECASE)


def split_mbox(data: bytes) -> list[bytes]:
    """The messages of an mbox file (``From `` separator lines; ``>From`` unescaped)."""
    parts = [p for p in _MBOX_SPLIT.split(data) if p.strip()]
    return [re.sub(rb"(?m)^>(>*From )", rb"\1", p) for p in parts]


def _html_text(html: str) -> str:
    import lxml.html

    try:
        tree = lxml.html.document_fromstring(html)
    except Exception as exc:  # lxml raises several types for bodies it cannot parse; the text part is kept
        log.debug("HTML body of an e-mail not parsed: %s: %s", type(exc).__name__, exc)
        return ""
    for bad in tree.xpath("//script|//style|//head"):
        bad.drop_tree()
    blocks = tree.xpath("//p|//div[not(.//p) and not(.//div)]|//li|//blockquote[not(.//p)]|//h1|//h2|//h3|//td")
    texts = [" ".join(b.text_content().split()) for b in blocks] or [" ".join(tree.text_content().split())]
    return "\n\n".join(t for t in texts if t)


def _body_text(msg: EmailMessage) -> str:
    part = msg.get_body(preferencelist=("plain", "html"))
    if part is None:
        return ""
    try:
        content = part.get_content()
    except (LookupError, UnicodeError, AssertionError):
        payload = part.get_payload(decode=True) or b""
        content = payload.decode("utf-8", "replace") if isinstance(payload, bytes) else str(payload)
    if part.get_content_subtype() == "html":
        return _html_text(str(content))
    return str(content)


def _paragraphs(lines: list[str]) -> list[str]:
    out, buf = [], []
    for line in [*lines, ""]:
        if line.strip():
            buf.append(line.rstrip())
        elif buf:
            out.append("\n".join(buf).strip())
            buf = []
    return [p for p in out if p]


def split_quoted(text: str) -> tuple[list[str], list[str]]:
    """The writer's own paragraphs and the quoted reply's (``>`` removed), in that order."""
    own: list[str] = []
    quoted: list[str] = []
    lines = text.replace("\r\n", "\n").split("\n")
    for i, line in enumerate(lines):
        if line.startswith(">"):
            quoted.append(re.sub(r"^>+ ?", "", line))
        elif _WROTE.match(line.strip()) and any(x.startswith(">") for x in lines[i + 1:i + 4]):
            continue  # the attribution line introduces the quote
        elif quoted and not line.strip():
            quoted.append("")
        else:
            own.append(line)
    return _paragraphs(own), _paragraphs(quoted)


def _size(n: int) -> str:
    return f"{n / 1024:.0f} KB" if n >= 1024 else f"{n} bytes"


def read_message(data: bytes) -> Extracted:
    try:
        msg = BytesParser(policy=policy.default).parsebytes(data)
    except Exception as exc:  # the parser is lenient; anything it raises is a damaged message
        log.debug("the e-mail parser failed", exc_info=True)
        raise Skip(f"broken e-mail: {type(exc).__name__}") from None
    if not isinstance(msg, EmailMessage) or not (msg.get("From") or msg.get("Subject") or msg.get("Date")):
        raise Skip("not an e-mail: no From, Subject or Date header")
    own, quoted = split_quoted(_body_text(msg))
    texts = list(own)
    outline: list[tuple[int, str]] = []
    if quoted:
        outline.append((len(texts), QUOTED))
        texts.append(QUOTED)
        texts.extend(quoted)
    attachments: list[tuple[str, bytes]] = []
    listed: list[str] = []
    for part in msg.iter_attachments():
        name = part.get_filename() or f"attachment.{part.get_content_subtype()}"
        decoded = part.get_payload(decode=True)
        payload = decoded if isinstance(decoded, bytes) else b""
        listed.append(f"{name} ({part.get_content_type()}, {_size(len(payload))})")
        attachments.append((name, payload))
    if listed:
        outline.append((len(texts), ATTACHMENTS))
        texts.append(ATTACHMENTS)
        texts.extend(listed)
    if not own and not quoted:
        if not listed:
            raise Skip("empty e-mail: no text in it")
        texts.insert(0, "(no message text)")
        outline = [(i + 1, t) for i, t in outline]
    senders = getaddresses([str(msg.get("From", ""))])
    name, address = senders[0] if senders else ("", "")
    published = None
    if msg.get("Date"):
        try:
            published = parsedate_to_datetime(str(msg["Date"])).date().isoformat()
        except (TypeError, ValueError, IndexError):
            published = None
    provenance: dict[str, Any] = {}
    for key in ("From", "To", "Cc", "Message-ID", "In-Reply-To"):
        if msg.get(key):
            provenance[key.lower().replace("-", "_")] = " ".join(str(msg[key]).split())
    return Extracted(
        title=" ".join(str(msg.get("Subject", "")).split()),
        text="\n\n".join(texts),
        outlet=address.rpartition("@")[2].lower() if "@" in address else "",
        author=" ".join((name or address).split()),
        published=published,
        date_note="from the e-mail's Date header" if published else None,
        outline=outline,
        attachments=attachments,
        extra={"provenance": {"email": provenance}} if provenance else {},
    )
