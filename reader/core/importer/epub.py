"""EPUB sources read with zipfile and lxml: metadata from the OPF, chapters in spine order.

No EPUB library: the format is a ZIP with an XML package file, and the one maintained
Python library (EbookLib) is AGPL, which this GPL desktop app does not take on for reading.
Each spine item is an XHTML chapter; its first heading (or the table of contents' label)
opens a part in the outline, and its paragraphs follow.
"""

from __future__ import annotations

import io
import logging
import posixpath
import zipfile
from typing import Any
from urllib.parse import unquote

from lxml import etree

from reader.core.document import coerce_date
from reader.core.importer.model import Extracted, Skip

log = logging.getLogger(__name__)

_OPF = "{http://www.idpf.org/2007/opf}"
_DC = "{http://purl.org/dc/elements/1.1/}"
_CONTAINER = "{urn:oasis:names:tc:opendocument:xmlns:container}"
_BLOCKS = {"p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "blockquote", "pre", "dt", "dd", "figcaption", "td"}
_HEADINGS = {"h1", "h2", "h3"}
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, recover=True, huge_tree=False)


def _local(tag: Any) -> str:
    return tag.rsplit("}", 1)[-1].lower() if isinstance(tag, str) else ""


def _xml(archive: zipfile.ZipFile, name: str) -> Any:
    try:
        root = etree.fromstring(archive.read(name), _PARSER)
    except KeyError:
        raise Skip(f"broken EPUB: {name} is missing") from None
    if root is None:
        raise Skip(f"broken EPUB: {name} cannot be read")
    return root


def _chapter_blocks(root: Any) -> list[tuple[str, bool]]:
    """``(text, is_heading)`` for the block elements of a chapter, innermost blocks only."""
    body = next((el for el in root.iter() if _local(el.tag) == "body"), root)
    out: list[tuple[str, bool]] = []
    for el in body.iter():
        name = _local(el.tag)
        if name not in _BLOCKS:
            continue
        if any(_local(sub.tag) in _BLOCKS for sub in el.iterdescendants()):
            continue  # its inner blocks are read on their own
        text = " ".join("".join(el.itertext()).split())
        if text:
            out.append((text, name in _HEADINGS))
    return out


def read_epub(data: bytes) -> Extracted:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise Skip("broken EPUB: not a readable ZIP archive") from None
    with archive:
        container = _xml(archive, "META-INF/container.xml")
        rootfile = next((el.get("full-path") for el in container.iter(f"{_CONTAINER}rootfile")), None)
        if not rootfile:
            raise Skip("broken EPUB: the container names no package file")
        opf = _xml(archive, rootfile)
        base = posixpath.dirname(rootfile)
        if any(True for _ in archive.infolist() if _.filename == "META-INF/encryption.xml"):
            raise Skip("protected EPUB: its chapters are encrypted (DRM); export an unprotected copy")
        meta = opf.find(f"{_OPF}metadata")

        def dc(name: str) -> list[str]:
            if meta is None:
                return []
            return [" ".join("".join(el.itertext()).split()) for el in meta.iter(f"{_DC}{name}")
                    if "".join(el.itertext()).strip()]

        manifest = {item.get("id"): item for item in opf.iter(f"{_OPF}item")}
        texts: list[str] = []
        outline: list[tuple[int, str]] = []
        for ref in opf.iter(f"{_OPF}itemref"):
            item = manifest.get(ref.get("idref"))
            if item is None or "html" not in (item.get("media-type") or ""):
                continue
            if "nav" in (item.get("properties") or "").split():
                continue  # the table of contents is not a chapter
            name = posixpath.normpath(posixpath.join(base, unquote(item.get("href") or "")))
            blocks = _chapter_blocks(_xml(archive, name))
            if not blocks:
                continue
            heading = next((t for t, is_heading in blocks if is_heading), None)
            if heading is not None:
                outline.append((len(texts) + [t for t, _ in blocks].index(heading), heading))
            texts.extend(t for t, _ in blocks)
    if not texts:
        raise Skip("empty file: the EPUB has no text")
    title = (dc("title") or [""])[0]
    dates = dc("date")
    published = coerce_date(dates[0][:10]) if dates else None
    language = (dc("language") or [""])[0][:2].lower() or None
    provenance: dict[str, Any] = {}
    if dc("identifier"):
        provenance["identifier"] = dc("identifier")[0]
    if dc("publisher"):
        provenance["publisher"] = dc("publisher")[0]
    return Extracted(
        title=title,
        text="\n\n".join(texts),
        outlet=(dc("publisher") or [""])[0],
        author="; ".join(dc("creator")),
        published=published,
        date_note="from the EPUB's package metadata (dc:date)" if published else None,
        language=language,
        outline=outline,
        extra={"provenance": provenance} if provenance else {},
    )
