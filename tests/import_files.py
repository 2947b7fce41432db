"""Small source files for the import tests, written by independent libraries from known text.

PDFs with reportlab (text pages with a running head and page numbers, an image-only "scan",
an encrypted one), Word files with python-docx (plus a footnotes part, which python-docx
cannot write), EPUBs with EbookLib, e-mails with the standard library.
"""

from __future__ import annotations

import io
import zipfile
from email.message import EmailMessage
from pathlib import Path

ARTICLE = [
    "Protesters gathered in the central square of Almaty on Wednesday morning, demanding lower fuel prices "
    "and the resignation of the government after a week of rising anger across the country.",
    "By the afternoon the police had closed the main roads into the city centre, and the mobile network "
    "was switched off in several districts while crowds kept growing near the old town hall.",
    "Officials said the price rise would be reversed within days, but the crowds stayed in the square "
    "through the night and the president announced a state of emergency before dawn.",
    "Residents interviewed on Thursday described empty shops, long queues at cash machines and a silence "
    "in the streets that none of them had known since the independence of the country.",
    "The government resigned later that day, and the president promised to take the chair of the security "
    "council himself, a post held until then by his long-serving predecessor.",
]
RUNNING_HEAD = "Central Asia Report 2022"


def _wrap(text: str, width: int) -> list[str]:
    """Greedy line breaking, with one word split by a hyphen when it is long (to test rejoining)."""
    lines: list[str] = []
    current = ""
    for word in text.split():
        if current and len(current) + 1 + len(word) > width:
            room = width - len(current) - 2
            if len(word) >= 9 and room >= 4:
                lines.append(f"{current} {word[:room]}-")
                current = word[room:]
                continue
            lines.append(current)
            current = word
        else:
            current = f"{current} {word}".strip()
    if current:
        lines.append(current)
    return lines


def text_pdf(paragraphs: list[str], *, per_page: int = 2, title: str = "Unrest in Kazakhstan",
             author: str = "A. Reporter", encrypt: str | None = None) -> bytes:
    """A report: a running head and "Page n of N" on every page, ``per_page`` paragraphs a page.

    The last paragraph of each page but the final one runs over onto the next page.
    """
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    pdf = canvas.Canvas(buf, pagesize=A4, encrypt=encrypt, invariant=1)
    pdf.setTitle(title)
    pdf.setAuthor(author)
    width, height = A4
    lines_per_para = [_wrap(p, 80) for p in paragraphs]
    flow: list[str | None] = []  # None: paragraph gap
    for lines in lines_per_para:
        flow.extend(lines)
        flow.append(None)
    per_page_lines = max(4, (len(flow) + 1) // max(1, (len(paragraphs) + per_page - 1) // per_page))
    chunks = [flow[i:i + per_page_lines] for i in range(0, len(flow), per_page_lines)]
    for number, chunk in enumerate(chunks, 1):
        pdf.setFont("Helvetica", 9)
        pdf.drawString(72, height - 40, RUNNING_HEAD)
        pdf.drawString(width - 150, 30, f"Page {number} of {len(chunks)}")
        pdf.setFont("Helvetica", 11)
        y = height - 90
        for line in chunk:
            if line is None:
                y -= 12
                continue
            pdf.drawString(72, y, line)
            y -= 14
        pdf.showPage()
    pdf.save()
    return buf.getvalue()


def scanned_pdf(pages: int = 2) -> bytes:
    """Pages that are only a picture (what a scanner makes), no text layer."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    png = _png(40, 20)
    buf = io.BytesIO()
    pdf = canvas.Canvas(buf, pagesize=A4, invariant=1)
    for _ in range(pages):
        pdf.drawImage(ImageReader(io.BytesIO(png)), 50, 50, width=480, height=700)
        pdf.showPage()
    pdf.save()
    return buf.getvalue()


def _png(width: int, height: int) -> bytes:
    import struct
    import zlib

    raw = b"".join(b"\x00" + bytes((x * 5 + y * 3) % 256 for x in range(width)) for y in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")


FOOTNOTES_XML = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<w:footnotes xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
    '<w:footnote w:type="separator" w:id="-1"><w:p><w:r><w:separator/></w:r></w:p></w:footnote>'
    '<w:footnote w:id="1"><w:p><w:r><w:t>{note}</w:t></w:r></w:p></w:footnote>'
    '</w:footnotes>')


def word_file(path: Path, title: str, sections: list[tuple[str, list[str]]], footnote: str | None = None) -> Path:
    import docx

    document = docx.Document()
    document.core_properties.title = title
    document.core_properties.author = "Jane Clerk"
    for heading, paragraphs in sections:
        document.add_heading(heading, level=1)
        for text in paragraphs:
            document.add_paragraph(text)
    document.save(path)
    if footnote is not None:
        _add_footnotes(path, FOOTNOTES_XML.format(note=footnote))
    return path


def _add_footnotes(path: Path, xml: str) -> None:
    """python-docx writes no footnotes: add the part, its relationship and content type by hand."""
    with zipfile.ZipFile(path) as source:
        parts = {name: source.read(name) for name in source.namelist()}
    rels = parts["word/_rels/document.xml.rels"].decode()
    rels = rels.replace("</Relationships>", '<Relationship Id="rIdFoot1" Type="http://schemas.openxmlformats.org/'
                        'officeDocument/2006/relationships/footnotes" Target="footnotes.xml"/></Relationships>')
    types = parts["[Content_Types].xml"].decode().replace(
        "</Types>", '<Override PartName="/word/footnotes.xml" ContentType="application/vnd.openxmlformats-'
        'officedocument.wordprocessingml.footnotes+xml"/></Types>')
    parts["word/_rels/document.xml.rels"] = rels.encode()
    parts["[Content_Types].xml"] = types.encode()
    parts["word/footnotes.xml"] = xml.encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for name, data in parts.items():
            target.writestr(name, data)


def epub_file(path: Path, title: str, chapters: list[tuple[str, list[str]]]) -> Path:
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from ebooklib import epub

    book = epub.EpubBook()
    book.set_identifier("urn:uuid:1b7e0a52-7f3e-4c1e-9d51-5b1a2c3d4e5f")
    book.set_title(title)
    book.set_language("en")
    book.add_author("Aida Writer")
    book.add_metadata("DC", "publisher", "Steppe Press")
    book.add_metadata("DC", "date", "2021-05-04")
    items = []
    for n, (heading, paragraphs) in enumerate(chapters):
        chapter = epub.EpubHtml(title=heading, file_name=f"chapter{n}.xhtml", lang="en")
        chapter.content = f"<h1>{heading}</h1>" + "".join(f"<p>{p}</p>" for p in paragraphs)
        book.add_item(chapter)
        items.append(chapter)
    book.toc = items
    book.add_item(epub.EpubNcx())
    book.add_item(epub.EpubNav())
    book.spine = ["nav", *items]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        epub.write_epub(str(path), book)
    return path


def email_message(subject: str, body: str, *, sender: str = "Ann Reporter <ann@steppe-news.example>",
                  date: str = "Mon, 10 Jan 2022 21:12:00 +0000",
                  attachments: list[tuple[str, bytes, str]] = ()) -> bytes:  # type: ignore[assignment]
    message = EmailMessage()
    message["From"] = sender
    message["To"] = "desk@example.org"
    message["Subject"] = subject
    message["Date"] = date
    message["Message-ID"] = f"<{abs(hash(subject))}@steppe-news.example>"
    message.set_content(body)
    for name, data, mime in attachments:
        maintype, subtype = mime.split("/")
        message.add_attachment(data, maintype=maintype, subtype=subtype, filename=name)
    return bytes(message)


NAVIGATION = ["Home", "World", "Business", "Sport", "Culture", "Travel", "Sign in", "Subscribe"]


def browser_print_pdf(paragraphs: list[str], *, title: str = "Unrest in Kazakhstan | Steppe News") -> bytes:
    """What a browser's Print to PDF makes of a news page: a creator naming the browser, the
    site's navigation as linked lines above the article, a footer with links below it."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    pdf = canvas.Canvas(buf, pagesize=A4, invariant=1)
    pdf.setTitle(title)
    pdf.setCreator("Mozilla/5.0 (X11; Linux x86_64) HeadlessChrome/156.0.0.0 Safari/537.36")
    pdf.setProducer("Skia/PDF m156")
    _width, height = A4
    y = height - 60
    pdf.setFont("Helvetica", 10)
    for item in NAVIGATION:
        pdf.drawString(72, y, item)
        pdf.linkURL(f"https://steppe-news.example/{item.lower()}", (70, y - 2, 72 + 6 * len(item), y + 10))
        y -= 13
    y -= 20
    pdf.setFont("Helvetica", 11)
    for text in paragraphs:
        for line in _wrap(text, 85):
            if y < 80:
                pdf.showPage()
                pdf.setFont("Helvetica", 11)
                y = height - 60
            pdf.drawString(72, y, line)
            y -= 14
        y -= 10
    pdf.setFont("Helvetica", 9)
    for item in ("Privacy policy", "Terms of use", "Contact us", "Advertise with us"):
        pdf.drawString(72, y, item)
        pdf.linkURL("https://steppe-news.example/legal", (70, y - 2, 300, y + 10))
        y -= 12
    pdf.showPage()
    pdf.save()
    return buf.getvalue()
