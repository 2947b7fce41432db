"""Importing PDF, Word, EPUB and e-mail: text word for word, metadata, pages, skip reasons."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from reader.cli import main
from reader.core.corpora import create_corpus
from reader.core.corpus import Corpus
from reader.core.document import page_at
from reader.core.importer import import_paths
from reader.core.importer.batch import read_source
from reader.core.importer.html import read_html
from reader.core.importer.mail import split_quoted
from reader.core.importer.pdf import read_pdf, split_site
from reader.core.importer.pdf_layout import Line, Page, paragraphs, running_lines
from reader.core.notes.exchange import export_markdown
from reader.core.notes.model import Note
from reader.core.paths import AppPaths
from tests.import_files import (
    ARTICLE,
    RUNNING_HEAD,
    browser_print_pdf,
    email_message,
    epub_file,
    scanned_pdf,
    text_pdf,
    word_file,
)

reportlab = pytest.importorskip("reportlab", reason="reportlab (a test dependency) makes the test PDFs")


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    return create_corpus(AppPaths.resolve(), "mine", tmp_path / "mine", event="January 2022 unrest in Kazakhstan")


# -- PDF ----------------------------------------------------------------------------------
def test_pdf_text_word_for_word_without_running_heads_and_page_numbers() -> None:
    ex = read_pdf(text_pdf(ARTICLE))
    assert ex.text.split("\n\n") == ARTICLE  # hyphenated breaks and page-spanning paragraphs rejoined
    assert RUNNING_HEAD not in ex.text and "Page 1" not in ex.text
    assert (ex.title, ex.author) == ("Unrest in Kazakhstan", "A. Reporter")
    assert ex.date_note and "creation date" in ex.date_note
    pages = [p for p, _, _ in ex.page_starts]
    assert pages == sorted(pages) and pages[0] == 1 and len(pages) >= 3


def test_pdf_pages_in_front_matter_and_page_at(corpus: Path, tmp_path: Path) -> None:
    src = tmp_path / "report.pdf"
    src.write_bytes(text_pdf(ARTICLE))
    report = import_paths(corpus, [src])
    assert [i.path for i in report.imported] == [str(src)] and not report.skipped
    doc = Corpus(corpus).scan().document(report.imported[0].id)
    assert not [p for p in Corpus(corpus).scan().problems if p.severity in ("warning", "error")]
    pages = doc.meta.extra["pages"]
    assert pages[1] == 0 and len(pages) >= 3
    assert doc.page_at(0) == 1
    last = ARTICLE[-1]
    assert doc.page_at(doc.text.index(last)) == max(pages)
    # the paragraph that runs over from page 2 to page 3: its end is on page 3
    over = doc.text.index(ARTICLE[3])
    assert doc.page_at(over) == 2 and doc.page_at(over + len(ARTICLE[3]) - 1) == 3


def test_note_on_a_pdf_paragraph_exports_with_its_page(corpus: Path, tmp_path: Path) -> None:
    src = tmp_path / "report.pdf"
    src.write_bytes(text_pdf(ARTICLE))
    doc_id = import_paths(corpus, [src]).imported[0].id
    doc = Corpus(corpus).scan().document(doc_id)
    start = doc.text.index("The government resigned")
    note = Note(id="n1", corpus=str(corpus), doc=doc_id, start=start, end=start + len("The government resigned"),
                exact="The government resigned", body="check the date")
    out = export_markdown([note], lambda _id: doc.meta)
    assert f"(p. {doc.page_at(start)})" in out
    spanning = doc.text.index(ARTICLE[3])
    note2 = Note(id="n2", corpus=str(corpus), doc=doc_id, start=spanning, end=spanning + len(ARTICLE[3]),
                 exact=ARTICLE[3])
    assert "(pp. 2–3)" in export_markdown([note2], lambda _id: doc.meta)


def test_scanned_and_encrypted_pdfs_are_skipped_with_reasons(corpus: Path, tmp_path: Path) -> None:
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "scan.pdf").write_bytes(scanned_pdf())
    (tmp_path / "in" / "locked.pdf").write_bytes(text_pdf(ARTICLE, encrypt="secret"))
    (tmp_path / "in" / "broken.pdf").write_bytes(b"%PDF-1.4\n1 0 obj garbage")
    report = import_paths(corpus, [tmp_path / "in"])
    reasons = {Path(s.path).name: s.reason for s in report.skipped}
    assert reasons["scan.pdf"].startswith("scanned PDF") and "OCR" in reasons["scan.pdf"]
    assert reasons["locked.pdf"].startswith("encrypted PDF") and "password" in reasons["locked.pdf"]
    assert reasons["broken.pdf"].startswith("broken PDF")
    assert not report.imported and not list(corpus.glob("*.md"))


def test_browser_print_keeps_the_article_not_the_site_furniture() -> None:
    ex = read_pdf(browser_print_pdf(ARTICLE))
    assert ex.text.split("\n\n") == ARTICLE  # navigation and the legal footer are gone
    assert (ex.title, ex.outlet) == ("Unrest in Kazakhstan", "Steppe News")
    assert ex.published is None  # a browser print's date is when it was printed, not published
    assert ex.extra["provenance"]["printed_from_browser"] is True
    assert next(p for p, _, _ in ex.page_starts) == 1


def test_browser_title_names_the_outlet() -> None:
    assert split_site("Chelsea sack Mutu | BBC Sport") == ("Chelsea sack Mutu", "BBC Sport")
    assert split_site("Self-driving cars - a review") == ("Self-driving cars - a review", "")


def _line(text: str, y: float, size: float = 11.0) -> Line:
    return Line(text, 72, y, 72 + 5 * len(text), y + size, size)


@given(st.lists(st.lists(st.from_regex(r"[a-z]{1,8}", fullmatch=True), min_size=1, max_size=8),
                min_size=1, max_size=12),
       st.integers(min_value=1, max_value=4))
def test_layout_keeps_every_word_and_drops_only_furniture(lines: list[list[str]], n_pages: int) -> None:
    """Whatever the lines, no body word is lost or invented; heads and page numbers go."""
    pages = []
    for number in range(1, n_pages + 1):
        body = [_line(" ".join(words), 700 - 14 * i) for i, words in enumerate(lines)]
        pages.append(Page(number, 595, 842, [_line("Quarterly Review", 800, 9), *body, _line(str(number), 30, 9)]))
    words = [w for p in paragraphs(pages) for w in p.text.split()]
    head = ["Quarterly", "Review"] if n_pages == 1 else []  # one page: nothing repeats, so it may be a title
    assert words == head + [w for _ in range(n_pages) for ln in lines for w in ln]
    if n_pages >= 2:
        dropped = running_lines(pages)
        assert {(pi, 0) for pi in range(n_pages)} <= dropped


def test_page_at_tolerates_bad_values() -> None:
    assert page_at({1: 0, 2: 100, 3: 250}, 99) == 1 and page_at({1: 0, 2: 100}, 100) == 2
    assert page_at(None, 5) is None and page_at({"x": "y"}, 5) is None and page_at([], 3) is None


# -- Word, EPUB, e-mail --------------------------------------------------------------------
def test_docx_round_trip_headings_paragraphs_footnotes(tmp_path: Path) -> None:
    path = word_file(tmp_path / "r.docx", "Council budget", [("Summary", ARTICLE[:2]), ("Details", ARTICLE[2:])],
                     footnote="Figures from the city treasury, January 2022.")
    [(ex, _, kind)] = read_source(path, path.read_bytes())
    assert kind == "docx" and ex.title == "Council budget" and ex.author == "Jane Clerk"
    assert ex.text.split("\n\n") == ["Summary", *ARTICLE[:2], "Details", *ARTICLE[2:], "Notes",
                                     "1. Figures from the city treasury, January 2022."]
    assert [t for _, t in ex.outline] == ["Summary", "Details", "Notes"]
    assert ex.date_note and "Word file" in ex.date_note


def test_epub_round_trip_chapters_and_opf_metadata(tmp_path: Path) -> None:
    pytest.importorskip("ebooklib", reason="EbookLib (a test dependency) writes the test EPUB")
    path = epub_file(tmp_path / "b.epub", "Steppe Stories", [("The Wind", ARTICLE[:2]), ("The River", ARTICLE[2:])])
    [(ex, _, kind)] = read_source(path, path.read_bytes())
    assert kind == "epub"
    assert ex.text.split("\n\n") == ["The Wind", *ARTICLE[:2], "The River", *ARTICLE[2:]]
    assert (ex.title, ex.author, ex.outlet, ex.published, ex.language) == (
        "Steppe Stories", "Aida Writer", "Steppe Press", "2021-05-04", "en")
    assert "EPUB" in (ex.date_note or "") and [t for _, t in ex.outline] == ["The Wind", "The River"]


def test_email_round_trip_quoted_reply_and_linked_attachment(corpus: Path, tmp_path: Path) -> None:
    body = "\n\n".join(ARTICLE[:2]) + "\n\nOn Sun, 9 Jan 2022 at 10:00, Bob Desk wrote:\n> Any news from the square?\n"
    attachment = ("Notes from the square\n\n" + ARTICLE[4]).encode()
    data = email_message("Protest in Almaty", body, attachments=[
        ("notes.txt", attachment, "text/plain"), ("photo.jpg", b"\xff\xd8\xff\xe0 not really", "image/jpeg")])
    src = tmp_path / "mail.eml"
    src.write_bytes(data)
    report = import_paths(corpus, [src])
    assert len(report.imported) == 2 and not report.skipped
    scanned = Corpus(corpus).scan()
    mail = scanned.document(report.imported[0].id)
    assert (mail.meta.title, mail.meta.author, mail.meta.published) == ("Protest in Almaty", "Ann Reporter",
                                                                        "2022-01-10")
    assert mail.meta.date_note == "from the e-mail's Date header" and mail.meta.outlet == "steppe-news.example"
    paras = mail.text.split("\n\n")
    assert paras[:2] == ARTICLE[:2]
    assert paras[2:4] == ["Quoted reply", "Any news from the square?"]
    assert paras[4] == "Attachments" and paras[5].startswith("notes.txt") and paras[6].startswith("photo.jpg")
    linked = scanned.document(report.imported[1].id)
    assert linked.meta.extra["provenance"]["attached_to"] == mail.id
    assert mail.meta.extra["provenance"]["attachments_imported_as"] == [linked.id]
    assert linked.text == ARTICLE[4] and linked.meta.outlet == "steppe-news.example"


def test_mbox_gives_one_document_per_message(corpus: Path, tmp_path: Path) -> None:
    one = email_message("First report", ARTICLE[0])
    two = email_message("Second report", ARTICLE[1], date="Tue, 11 Jan 2022 08:00:00 +0100")
    box = b"From ann@x Mon Jan 10 21:12:00 2022\n" + one + b"\nFrom ann@x Tue Jan 11 08:00:00 2022\n" + two
    (tmp_path / "box.mbox").write_bytes(box)
    report = import_paths(corpus, [tmp_path / "box.mbox"])
    assert sorted(i.title for i in report.imported) == ["First report", "Second report"]
    docs = Corpus(corpus).scan()
    assert {docs.document(i.id).text for i in report.imported} == {ARTICLE[0], ARTICLE[1]}


def test_split_quoted_keeps_the_writers_words_first() -> None:
    own, quoted = split_quoted("Yes, tonight.\n\nOn Mon, Bob wrote:\n> When?\n>\n> And where?\n")
    assert own == ["Yes, tonight."] and quoted == ["When?", "And where?"]


# -- acceptance: a folder of every kind ----------------------------------------------------
def test_folder_of_every_format_imports_with_metadata(corpus: Path, tmp_path: Path,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    src = tmp_path / "folder"
    src.mkdir()
    (src / "report.pdf").write_bytes(text_pdf(ARTICLE))
    word_file(src / "minutes.docx", "Council minutes", [("Agenda", ARTICLE[:1])])
    if _has("ebooklib"):
        epub_file(src / "stories.epub", "Steppe Stories", [("One", ARTICLE[1:2])])
    (src / "tip.eml").write_bytes(email_message("A tip", ARTICLE[2]))
    (src / "scan.pdf").write_bytes(scanned_pdf())
    (src / "locked.pdf").write_bytes(text_pdf(ARTICLE[:1], encrypt="pw"))
    code = main(["--corpus", str(corpus), "import", str(src), "--json"])
    out = json.loads(capsys.readouterr().out)
    assert code == 1  # two skipped
    assert {Path(s["path"]).name for s in out["skipped"]} == {"scan.pdf", "locked.pdf"}
    assert len(out["imported"]) == (4 if _has("ebooklib") else 3)
    assert out["suggested_event"] == "January 2022 unrest in Kazakhstan"
    scanned = Corpus(corpus).scan()
    assert not [p for p in scanned.problems if p.severity in ("warning", "error")]  # no outlet warnings
    for item in out["imported"]:
        meta = scanned.meta(item["id"])
        assert meta.title and meta.event is None
        assert meta.extra["provenance"]["format"] in ("pdf", "docx", "epub", "email")


def _has(module: str) -> bool:
    try:
        __import__(module)
    except ImportError:
        return False
    return True


# -- saved pages: missing pieces, comments, outlet, event ----------------------------------
PAGE = """<!doctype html><html><head><title>Fuel prices</title></head><body>
<nav><a href="/">Home</a></nav><article><h1>Fuel prices</h1>{paras}</article>
<div id="comments" class="comments-area"><p class="must-log-in">You must be <a href="/login">logged in</a>
to post a comment.</p><div class="comment-respond"><h3>Leave a Reply</h3><form><textarea></textarea></form></div>
</div></body></html>"""


def test_login_prompt_is_not_a_comment() -> None:
    ex = read_html(PAGE.format(paras="".join(f"<p>{p}</p>" for p in ARTICLE)))
    assert ex.comments == []
    assert "logged in" not in ex.text


def test_missing_html_cleaner_is_one_actionable_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "lxml_html_clean", None)  # as if pip had not installed it
    page = tmp_path / "p.html"
    page.write_text(PAGE.format(paras="".join(f"<p>{p}</p>" for p in ARTICLE)), encoding="utf-8")
    corpus = create_corpus(AppPaths.resolve(), "c", tmp_path / "c")
    report = import_paths(corpus, [page])
    assert [s.reason for s in report.skipped] == ["HTML import needs lxml_html_clean: pip install lxml_html_clean"]


def test_outlet_for_the_batch_and_event_only_when_asked(corpus: Path, tmp_path: Path,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    src = tmp_path / "notes"
    src.mkdir()
    for n, text in enumerate(ARTICLE[:3]):
        (src / f"n{n}.txt").write_text(f"Note {n}\n\n{text}\n", encoding="utf-8")
    assert main(["--corpus", str(corpus), "import", str(src)]) == 0
    printed = capsys.readouterr().out
    assert "3 document(s) name no outlet" in printed and "--set outlet=NAME" in printed
    assert "--set event='January 2022 unrest in Kazakhstan'" in printed
    scanned = Corpus(corpus).scan()
    assert not [p for p in scanned.problems if p.severity == "warning"]
    assert all(m.event is None for m in scanned.metas())
    other = tmp_path / "more"
    other.mkdir()
    (other / "m.txt").write_text("More\n\n" + ARTICLE[4] + "\n", encoding="utf-8")
    assert main(["--corpus", str(corpus), "import", str(other), "--outlet", "Field notes", "--event", "Unrest",
                 "--json"]) == 0
    item = json.loads(capsys.readouterr().out)["imported"][0]
    meta = Corpus(corpus).scan().meta(item["id"])
    assert (meta.outlet, meta.event) == ("Field notes", "Unrest")


# -- links and special files in the source ----------------------------------------------------
def test_symlinks_leaving_the_source_are_refused_and_fifos_reported(corpus: Path, tmp_path: Path) -> None:
    outside = tmp_path / "secret.txt"
    outside.write_text("Secret\n\nThe private diary of someone else entirely, not for import.\n", encoding="utf-8")
    src = tmp_path / "src"
    (src / "inner").mkdir(parents=True)
    (src / "inner" / "ok.txt").write_text("Fine\n\n" + ARTICLE[0] + "\n", encoding="utf-8")
    (src / "leak.txt").symlink_to(outside)
    (src / "passwd.txt").symlink_to("/etc/passwd")
    (src / "inside.txt").symlink_to(src / "inner" / "ok.txt")  # stays in the source: same file, once
    os.mkfifo(src / "pipe.txt")
    (src / "folder.md").mkdir()
    (src / "folder.md" / "x.txt").write_text("X\n\n" + ARTICLE[1] + "\n", encoding="utf-8")
    report = import_paths(corpus, [src])  # must not block on the FIFO
    reasons = {Path(s.path).name: s.reason for s in report.skipped}
    assert "outside the folder being imported" in reasons["leak.txt"]
    assert "outside the folder being imported" in reasons["passwd.txt"]
    assert "named pipe" in reasons["pipe.txt"]
    assert sorted(i.title for i in report.imported) == ["Fine", "X"]
    assert not any("diary" in p.read_text(encoding="utf-8") for p in corpus.glob("*.md"))
    # naming the link itself is the user's explicit choice
    assert [i.title for i in import_paths(corpus, [src / "leak.txt"]).imported] == ["Secret"]


@given(st.dictionaries(st.integers(min_value=1, max_value=500), st.integers(min_value=0, max_value=10_000),
                       min_size=1, max_size=30),
       st.integers(min_value=0, max_value=12_000))
def test_page_at_is_the_last_page_started_at_or_before(pages: dict[int, int], offset: int) -> None:
    got = page_at(pages, offset)
    started = [(start, page) for page, start in pages.items() if start <= offset]
    if started:
        assert (pages[got], got) == max(started)
    else:
        assert got == min(pages.items(), key=lambda kv: (kv[1], kv[0]))[0]


def test_saved_page_outlet_from_the_browsers_saved_from_comment() -> None:
    page = ("<!-- saved from url=(0041)https://www.steppe-news.example/a/b.html -->\n"
            + PAGE.format(paras="".join(f"<p>{p}</p>" for p in ARTICLE)))
    ex = read_html(page)
    assert ex.url == "https://www.steppe-news.example/a/b.html" and ex.outlet == "steppe-news.example"


def test_at_a_terminal_the_outlet_is_asked_once_for_the_batch(corpus: Path, tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch,
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    src = tmp_path / "notes"
    src.mkdir()
    for n, text in enumerate(ARTICLE[:3]):
        (src / f"n{n}.txt").write_text(f"Note {n}\n\n{text}\n", encoding="utf-8")
    asked: list[str] = []
    monkeypatch.setattr(sys.stdin, "isatty", lambda: True)
    monkeypatch.setattr("builtins.input", lambda prompt: asked.append(prompt) or "Field notes")
    assert main(["--corpus", str(corpus), "import", str(src)]) == 0
    assert len(asked) == 1 and "3 imported document(s) name no outlet" in asked[0]
    assert {m.outlet for m in Corpus(corpus).scan().metas()} == {"Field notes"}
    assert "name no outlet" not in capsys.readouterr().out
