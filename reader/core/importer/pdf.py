"""PDF sources: text in reading order with the page of every paragraph (pypdfium2).

pypdfium2 wraps PDFium (Apache-2.0/BSD; Chromium's own PDF engine): fast, wheels for every
platform, and it gives each character's box, font size and the page's link annotations,
which is what the layout rules in :mod:`pdf_layout` need. (pdfminer.six would do too but
is several times slower; the AGPL libraries are ruled out.)

A PDF printed from a browser carries the site's header, navigation and footer as text; for
those (recognised by the creator or a URL in the running footer) the paragraphs are passed
through the same article extraction as saved web pages, and only the paragraphs it keeps
stay, each still knowing its page. Reports and papers keep all their text once running
heads and page numbers are gone. Image-only (scanned) PDFs are refused with that reason:
OCR is out of scope. Encrypted PDFs that need a password are refused with that reason.
"""

from __future__ import annotations

import ctypes
import html
import itertools
import logging
import re
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from reader.core.importer.deps import need
from reader.core.importer.model import Extracted, Skip
from reader.core.importer.pdf_layout import Line, Page, Paragraph, paragraphs, running_lines

log = logging.getLogger(__name__)

_BROWSERS = re.compile(r"chrom|skia|mozilla|firefox|safari|webkit|gecko|\bedge\b", re.IGNORECASE)
_URL = re.compile(r"(?:https?|file)://\S+")
_TITLE_SITE = re.compile(r"^(?P<title>.{10,}?)\s+[|–—-]\s+(?P<site>[^|–—]{2,40})$")
_LINE_HYPHEN = re.compile(r"\x02\s*(?=[^\W\d_A-Z])")
_WORDS = re.compile(r"\w+")
_PDF_DATE = re.compile(r"^D:(\d{4})(\d{2})?(\d{2})?")
#: jusText's lengths are tuned for HTML blocks; a PDF paragraph is shorter (one per line break).
_JUSTEXT = {"length_low": 50, "length_high": 150}
#: Fewer article words than this from the classifier, and the whole text is kept instead.
_MIN_KEPT_WORDS = 40


def _open(data: bytes) -> Any:
    pdfium = need("pypdfium2", "PDF import")
    try:
        return pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        message = str(exc)
        if "password" in message.lower():
            raise Skip("encrypted PDF: it needs a password to open; save an unprotected copy "
                       "(open it and print to PDF) and import that") from None
        raise Skip(f"broken PDF: {message.split('(PDFium:')[-1].strip(' ).') or 'cannot be opened'}") from None


def _link_rects(page: Any) -> list[tuple[float, float, float, float]]:
    raw = need("pypdfium2.raw", "PDF import")
    rects = []
    pos = ctypes.c_int(0)
    link = raw.FPDF_LINK()
    while raw.FPDFLink_Enumerate(page.raw, ctypes.byref(pos), ctypes.byref(link)):
        rect = raw.FS_RECTF()
        if raw.FPDFLink_GetAnnotRect(link, ctypes.byref(rect)):
            rects.append((min(rect.left, rect.right), min(rect.bottom, rect.top),
                          max(rect.left, rect.right), max(rect.bottom, rect.top)))
    return rects


def _page_lines(page: Any) -> list[Line]:
    """The text lines of a page as PDFium orders them (content order, lines detected)."""
    raw = need("pypdfium2.raw", "PDF import")
    textpage = page.get_textpage()
    try:
        n = textpage.count_chars()
        links = _link_rects(page)
        lines: list[Line] = []
        chars: list[str] = []
        box: list[float] = []
        size = 0.0
        inlink = 0
        left, right, bottom, top = (ctypes.c_double() for _ in range(4))

        def flush() -> None:
            nonlocal chars, box, size, inlink
            # PDFium marks a hyphen that ends a line (and joins the lines); a word broken there
            # goes on in lower case, anything else keeps its hyphen
            text = _LINE_HYPHEN.sub("", "".join(chars)).replace("\x02", "-").strip()
            if text and box:
                lines.append(Line(text, box[0], box[1], box[2], box[3], size, inlink / max(len(text), 1)))
            chars, box, size, inlink = [], [], 0.0, 0

        for i in range(n):
            code = raw.FPDFText_GetUnicode(textpage.raw, i)
            if code in (10, 13):
                if code == 10 or not chars:
                    flush()
                continue
            char = chr(code) if code < 0x110000 else ""
            if raw.FPDFText_IsHyphen(textpage.raw, i) == 1:
                char = "\x02"
            chars.append(char)
            if char.isspace() or not raw.FPDFText_GetCharBox(textpage.raw, i, ctypes.byref(left), ctypes.byref(right),
                                                             ctypes.byref(bottom), ctypes.byref(top)):
                continue
            x0, x1, y0, y1 = left.value, right.value, bottom.value, top.value
            if not size:
                size = raw.FPDFText_GetFontSize(textpage.raw, i)
            box = [x0, y0, x1, y1] if not box else [min(box[0], x0), min(box[1], y0), max(box[2], x1),
                                                    max(box[3], y1)]
            cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
            if any(a <= cx <= c and b <= cy <= d for a, b, c, d in links):
                inlink += 1
        flush()
        return lines
    finally:
        textpage.close()


def _has_images(page: Any) -> bool:
    raw = need("pypdfium2.raw", "PDF import")
    return any(True for _ in page.get_objects(filter=[raw.FPDF_PAGEOBJ_IMAGE], max_depth=2))


def _pdf_date(value: str) -> str | None:
    match = _PDF_DATE.match(value.strip())
    if not match:
        return None
    try:
        return datetime(int(match.group(1)), int(match.group(2) or 1), int(match.group(3) or 1)).date().isoformat()
    except ValueError:
        return None


def read_pages(data: bytes) -> tuple[list[Page], dict[str, str], list[int]]:
    """Every page's lines, the document information, and the numbers of image-only pages."""
    doc = _open(data)
    try:
        meta = {k: str(v) for k, v in doc.get_metadata_dict(skip_empty=True).items()}
        pages: list[Page] = []
        image_only: list[int] = []
        for index in range(len(doc)):
            page = doc[index]
            try:
                width, height = page.get_size()
                lines = _page_lines(page)
                if not lines and _has_images(page):
                    image_only.append(index + 1)
                pages.append(Page(index + 1, width, height, lines))
            finally:
                page.close()
        return pages, meta, image_only
    finally:
        doc.close()


def _furniture_url(pages: list[Page], drop: set[tuple[int, int]]) -> str | None:
    """The address a browser prints in a page's header or footer (the page it printed)."""
    for pi, li in sorted(drop):
        found = _URL.search(pages[pi].lines[li].text)
        if found:
            return found.group(0)
    return None


def _stoplist(texts: list[str]) -> frozenset[str]:
    """jusText's stop words of the language the text is in (the list that covers most words)."""
    justext = need("justext", "PDF article extraction")
    words = [w.casefold() for t in texts for w in _WORDS.findall(t)][:5000]
    best: frozenset[str] = frozenset()
    best_hits = -1
    for name in justext.get_stoplists():
        stops = justext.get_stoplist(name)
        hits = sum(1 for w in words if w in stops)
        if hits > best_hits:
            best, best_hits = frozenset(stops), hits
    return best


#: Boilerplate words between two good paragraphs that still leave them in one block (chosen on the
#: bench pages: 60-100 words separate teaser lists from articles; see docs/import.md).
BLOCK_GAP_WORDS = 100


def _main_block(kept: list[int], paras: list[Paragraph]) -> list[int]:
    """The good paragraphs of the biggest block: teasers for other stories after the article are prose
    too, but a run of headlines, times and bylines separates them from it."""
    if not kept or BLOCK_GAP_WORDS <= 0:
        return kept
    blocks: list[list[int]] = [[kept[0]]]
    for prev, i in itertools.pairwise(kept):
        gap = sum(len(_WORDS.findall(paras[j].text)) for j in range(prev + 1, i))
        if gap > BLOCK_GAP_WORDS:
            blocks.append([])
        blocks[-1].append(i)
    words = [sum(len(_WORDS.findall(paras[i].text)) for i in b) for b in blocks]
    return blocks[words.index(max(words))]


def _article_paragraphs(paras: list[Paragraph], title: str) -> list[Paragraph]:
    """The paragraphs jusText, the boilerplate classifier behind the web-page extractor, calls good.

    The PDF's link annotations stand in for the page's ``<a>`` elements, so navigation
    reads as link-dense, as it does in HTML; prose is recognised by its stop-word density.
    """
    justext = need("justext", "PDF article extraction")
    need("lxml_html_clean", "PDF article extraction")
    parts = [f"<html><head><title>{html.escape(title)}</title></head><body>"]
    for i, p in enumerate(paras):
        tag = "h2" if p.heading else "p"
        text = html.escape(p.text)
        if p.linked > 0.5:
            text = f'<a href="#l{i}">{text}</a>'
        parts.append(f"<{tag}>{text}</{tag}>")
    parts.append("</body></html>")
    try:
        found = justext.justext("\n".join(parts).encode("utf-8"), _stoplist([p.text for p in paras]),
                                encoding="utf-8", **_JUSTEXT)
    except Exception as exc:  # third-party classifier: fall back to every paragraph
        log.info("article classification failed (%s); keeping every paragraph", exc, exc_info=True)
        return paras
    norm = [" ".join(p.text.split()) for p in paras]
    classes: dict[int, tuple[str, str]] = {}
    pos = 0
    for block in found:
        text = " ".join(block.text.split())
        for i in range(pos, len(paras)):
            if norm[i] == text:
                classes[i] = (block.class_type, block.cf_class)
                pos = i + 1
                break
    kept = [i for i, (final, _) in sorted(classes.items()) if final == "good"]
    kept = _main_block(kept, paras)
    if sum(len(_WORDS.findall(norm[i])) for i in kept) < _MIN_KEPT_WORDS:
        return paras  # no article prose found: keep the whole text rather than nothing
    return [paras[i] for i in kept]


def split_site(title: str) -> tuple[str, str]:
    """``Headline | Ars Technica`` -> ``("Headline", "Ars Technica")``; else ``(title, "")``."""
    match = _TITLE_SITE.match(title)
    if match and len(match.group("site").split()) <= 4 and not match.group("site")[:1].islower():
        return match.group("title").strip(), match.group("site").strip()
    return title, ""


def read_pdf(data: bytes) -> Extracted:
    """A PDF's article text with ``page_starts`` for every page; :class:`Skip` with a reason."""
    pages, meta, image_only = read_pages(data)
    if not pages:
        raise Skip("empty PDF: it has no pages")
    if not any(p.lines for p in pages):
        if image_only:
            raise Skip(f"scanned PDF: its {len(pages)} page(s) are images without a text layer "
                       "(OCR is not part of Parallax Reader; run OCR first, e.g. ocrmypdf, then import)")
        raise Skip("no text in this PDF")
    drop = running_lines(pages)
    paras = paragraphs(pages, drop)
    title = " ".join(meta.get("Title", "").split())
    url = _furniture_url(pages, drop)
    browser = bool(_BROWSERS.search(meta.get("Creator", "") + " " + meta.get("Producer", ""))) or bool(url)
    site = ""
    if browser:  # a browser's PDF title is the page's <title>: "Headline | Site" names the outlet
        title, site = split_site(title)
        paras = _article_paragraphs(paras, title)
    if not title:
        heading = next((p for p in paras[:5] if p.heading), None)
        if heading is not None:
            title = heading.text
    if paras and " ".join(paras[0].text.split()) == title:
        paras = paras[1:]
    texts: list[str] = []
    page_starts: list[tuple[int, int, int]] = []
    last_page = 0
    for index, p in enumerate(paras):
        texts.append(p.text)
        if p.page != last_page:
            page_starts.append((p.page, index, 0))
            last_page = p.page
        for offset, page in p.breaks:
            if page != last_page:
                page_starts.append((page, index, offset))
                last_page = page
    body = "\n\n".join(texts)
    if not body.strip():
        raise Skip("no extractable article: nothing but page furniture in this PDF")
    real_url = url if url and url.startswith(("http://", "https://")) else None
    outlet = site or ((urlsplit(real_url).hostname or "").removeprefix("www.") if real_url else "")
    published = None
    date_note = None
    created = _pdf_date(meta.get("CreationDate", ""))
    if created and not browser:
        published = created
        date_note = "from the PDF's creation date (when the file was made, which may be after publication)"
    provenance: dict[str, Any] = {"pdf_pages": len(pages)}
    if browser:
        provenance["printed_from_browser"] = True
        if created:
            provenance["printed"] = created
    if image_only:
        provenance["pages_without_text"] = image_only
    for key, name in (("Producer", "pdf_producer"), ("Creator", "pdf_creator")):
        if meta.get(key):
            provenance[name] = meta[key]
    return Extracted(
        title=title,
        text=body,
        outlet=outlet,
        author=" ".join(meta.get("Author", "").split()),
        published=published,
        date_note=date_note,
        url=real_url,
        extra={"provenance": provenance},
        page_starts=page_starts,
    )
