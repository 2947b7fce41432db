"""Importing the user's sources: formats, encodings, metadata, duplicates, bad files, cancel."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from reader.cli import main
from reader.core.corpus import Corpus
from reader.core.importer import Importer, ImportRefused, import_paths
from reader.core.importer.decode import decode_bytes
from reader.core.importer.html import read_html
from reader.core.importer.plaintext import read_markdown, read_text
from tests.conftest import BUNDLED, ROOT, SHARED

PAGES = SHARED / "testdata" / "readability-pages"
LATIN1 = SHARED / "testdata" / "bbc-news" / "sport" / "199.txt"
needs_shared = pytest.mark.skipif(not (PAGES.is_dir() and LATIN1.is_file()),
                                  reason="../shared/testdata (readability pages, bbc-news) not present")

COMMENTED_PAGE = """<!doctype html><html lang="en"><head><title>Rebellion mysteries | Moon Test</title>
<meta property="og:site_name" content="Moon Test"><meta property="og:title" content="Rebellion mysteries">
<meta name="author" content="b"><meta property="article:published_time" content="2022-01-08T18:26:00+00:00">
<link rel="canonical" href="https://example.org/2022/01/rebellion.html"></head><body>
<nav><ul><li><a href="/">Home</a></li><li><a href="/archives">Archives</a></li></ul></nav>
<article class="post"><h1>Rebellion mysteries</h1>
<p>It is still a mystery what forces exactly are behind the rebellion that shook the country this week.</p>
<p>The protests began over fuel prices in the west and quickly spread to the largest city, where buildings burned.</p>
<p>Within days the president asked allied governments for help and troops arrived to guard key sites.</p>
<div class="share">Share on Facebook Share on Twitter</div></article>
<ol class="commentlist">
<li class="comment" id="comment-201"><article class="comment-body"><footer class="comment-meta">
<div class="comment-author vcard"><b class="fn">Oui</b> says:</div>
<div class="comment-metadata"><time datetime="2022-01-10T21:12:00+00:00">January 10</time></div></footer>
<div class="comment-content"><p>Two hundred dollars is just pocket cash to show up at a demonstration.</p></div>
</article>
<ol class="children"><li class="comment" id="comment-202"><article class="comment-body"><footer>
<div class="comment-author vcard"><b class="fn">Passer by</b></div>
<time datetime="2022-01-10T22:00:00Z">later</time></footer>
<div class="comment-content"><p>A reply that disagrees politely.</p><p>With a second paragraph.</p></div>
</article></li></ol></li></ol>
<footer class="site-footer">Copyright Moon Test. All rights reserved. Privacy policy.</footer>
</body></html>"""


def make_sources(folder: Path) -> Path:
    """The issue's acceptance folder: txt, md with front matter, Latin-1 txt, news page, fake PNG, empty."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "note.txt").write_text("A plain note on the protests\n\nPeople gathered in the square on Tuesday.\n\n"
                                     "They left by evening.\n", encoding="utf-8")
    (folder / "with-fm.md").write_text("---\ntitle: Markdown with front matter\noutlet: My Blog\nauthor: Jane Doe\n"
                                       "published: 2022-01-09\n---\n\nThe first paragraph.\n\nA second one.\n",
                                       encoding="utf-8")
    shutil.copy(LATIN1, folder / "latin1.txt")
    shutil.copy(PAGES / "nytimes-1" / "source.html", folder / "sudan.html")
    shutil.copy(ROOT / "docs" / "images" / "reader.png", folder / "picture.txt")
    (folder / "empty.txt").write_bytes(b"")
    return folder


def snapshot(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def run_cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, dict]:
    code = main(list(argv))
    out = capsys.readouterr().out
    return code, json.loads(out) if out.strip().startswith("{") else {}


@needs_shared
def test_acceptance_folder_import_then_duplicates(tmp_path: Path, corpus_copy: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    src = make_sources(tmp_path / "src")
    before = snapshot(corpus_copy)
    code, report = run_cli(capsys, "--corpus", str(corpus_copy), "import", str(src), "--json")
    assert code == 1
    assert sorted(Path(i["path"]).name for i in report["imported"]) == [
        "latin1.txt", "note.txt", "sudan.html", "with-fm.md"]
    reasons = {Path(s["path"]).name: s["reason"] for s in report["skipped"]}
    assert set(reasons) == {"picture.txt", "empty.txt"}
    assert "PNG" in reasons["picture.txt"] and "empty" in reasons["empty.txt"]
    after = snapshot(corpus_copy)
    assert {k: v for k, v in after.items() if k in before} == before  # nothing else changed
    new = set(after) - set(before)
    ids = {i["id"] for i in report["imported"]}
    assert new == {f"{i}.md" for i in ids} | {k for k in new if k.startswith("originals/")}
    assert len([k for k in new if k.startswith("originals/")]) == 4
    corpus = Corpus(corpus_copy).scan()
    assert not [p for p in corpus.problems if p.severity == "error"]
    assert ids <= set(corpus.ids) and len(corpus) == 9

    by_name = {Path(i["path"]).name: i["id"] for i in report["imported"]}
    latin = corpus.document(by_name["latin1.txt"])
    assert latin.meta.title == "Chelsea sack Mutu" and "£15.8m" in latin.text
    assert latin.meta.extra["encoding"] == "iso8859-1"
    md = corpus.document(by_name["with-fm.md"])
    assert (md.meta.outlet, md.meta.author, md.meta.published) == ("My Blog", "Jane Doe", "2022-01-09")
    assert md.meta.event is None  # the corpus's event is offered, not stamped on every import
    assert report["suggested_event"] == "January 2022 unrest in Kazakhstan"
    news = corpus.document(by_name["sudan.html"])
    assert news.meta.title == "United States to Lift Sudan Sanctions"
    assert news.meta.published == "2017-01-13"
    assert news.meta.author == "Jeffrey Gettleman"
    assert news.text.startswith("LONDON — After nearly 20 years")
    for furniture in ("Skip to content", "Site Index", "Advertisement", "Go to Home Page", "Skip to navigation"):
        assert furniture not in news.text
    original = corpus_copy / news.meta.extra["original"]
    assert original.read_bytes() == (src / "sudan.html").read_bytes()
    import hashlib

    assert news.meta.extra["original_sha256"] == hashlib.sha256(original.read_bytes()).hexdigest()

    again_before = snapshot(corpus_copy)
    code, report = run_cli(capsys, "--corpus", str(corpus_copy), "import", str(src), "--json")
    assert code == 1 and report["imported"] == []
    assert sorted(d["id"] for d in report["duplicates"]) == sorted(ids)
    assert snapshot(corpus_copy) == again_before


def test_bundled_sample_is_never_modified(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "a.txt").write_text("Title\n\nSome text for the sample that must not arrive.\n", encoding="utf-8")
    before = snapshot(BUNDLED)
    assert main(["import", str(tmp_path / "a.txt"), "--json"]) == 2
    err = capsys.readouterr().err
    assert "read-only" in err and "parallax corpus new" in err and "copy-sample" in err
    assert snapshot(BUNDLED) == before
    with pytest.raises(ImportRefused):
        import_paths(BUNDLED, [tmp_path / "a.txt"])


def test_import_into_new_corpus_made_current(tmp_path: Path, isolated_dirs: dict[str, Path],
                                             capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["corpus", "new", "mine"]) == 0
    assert "now the current corpus" in capsys.readouterr().out
    (tmp_path / "a.txt").write_text("First words\n\nSome text worth keeping here.\n", encoding="utf-8")
    code, report = run_cli(capsys, "import", str(tmp_path / "a.txt"), "--json")
    assert code == 0 and report["imported"][0]["id"] == "first-words"
    assert (isolated_dirs["data"] / "corpora" / "mine" / "first-words.md").is_file()
    assert main(["corpus", "list", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    mine = next(e for e in listed if e["name"] == "mine")
    assert mine["current"] and mine["documents"] == 1
    assert any(e["bundled"] and not e["current"] for e in listed)


def test_text_title_heuristics(tmp_path: Path) -> None:
    assert read_text("Short headline\n\nBody text here.", tmp_path / "x.txt").title == "Short headline"
    long_first = "This first line is a whole sentence that goes on and on, as body text does in a note."
    ex = read_text(long_first + "\nand more.", tmp_path / "my_notes-2022.txt")
    assert ex.title == "My notes 2022" and ex.text.startswith("This first line")
    md = read_markdown("# Heading title\n\nParagraph one.\n", tmp_path / "a.md")
    assert (md.title, md.text) == ("Heading title", "Paragraph one.")
    md = read_markdown("---\nid: kept-id\ntitle: T\ncustom: 1\n---\nBody.\n", tmp_path / "b.md")
    assert md.wanted_id == "kept-id" and md.extra["provenance"]["front_matter"] == {"custom": 1}


def test_encodings() -> None:
    assert decode_bytes("Café crème".encode("latin-1")) == ("Café crème", "iso8859-1")
    assert decode_bytes("“Quoted” – dash".encode("cp1252"))[1] == "cp1252"
    assert decode_bytes("\ufeffBOM text".encode("utf-8")) == ("BOM text", "utf-8")
    assert decode_bytes("wide text".encode("utf-16")) == ("wide text", "utf-16")
    text = "Съешь же ещё этих мягких французских булок, да выпей чаю. " * 5
    assert decode_bytes(text.encode("cp1251")) == (text, "cp1251")
    page = '<html><head><meta charset="windows-1252"></head><body>caf\xe9</body></html>'.encode("cp1252")
    assert decode_bytes(page, html=True) == (page.decode("cp1252"), "cp1252")


def test_html_comments_and_metadata() -> None:
    ex = read_html(COMMENTED_PAGE)
    assert ex.title == "Rebellion mysteries" and ex.outlet == "Moon Test"
    assert ex.published == "2022-01-08" and ex.language == "en"
    assert ex.url == "https://example.org/2022/01/rebellion.html"
    assert [(c.author, c.posted) for c in ex.comments] == [
        ("Oui", "2022-01-10 21:12 UTC"), ("Passer by", "2022-01-10 22:00 UTC")]
    assert "pocket cash" not in ex.text and "Archives" not in ex.text and "Copyright" not in ex.text


def test_html_page_with_comments_imports_as_comments_section(tmp_path: Path) -> None:
    corpus_dir = tmp_path / "c"
    corpus_dir.mkdir()
    (tmp_path / "page.htm").write_text(COMMENTED_PAGE, encoding="utf-8")
    report = import_paths(corpus_dir, [tmp_path / "page.htm"])
    assert not report.skipped
    doc = Corpus(corpus_dir).scan().document(report.imported[0].id)
    assert [c.author for c in doc.comments] == ["Oui", "Passer by"]
    assert doc.section_text("comments").startswith("Two hundred dollars")
    reply = doc.comments[1]
    assert doc.text[reply.start:reply.end] == "A reply that disagrees politely.\n\nWith a second paragraph."


def test_bad_inputs_each_get_a_reason(tmp_path: Path) -> None:
    corpus_dir = tmp_path / "corpus"
    corpus_dir.mkdir()
    src = tmp_path / "src"
    src.mkdir()
    (src / "big.txt").write_text("Big\n\n" + "word " * 400, encoding="utf-8")
    (src / "blank.md").write_text("  \n\n \t\n", encoding="utf-8")
    (src / "zip.html").write_bytes(b"PK\x03\x04" + bytes(range(256)))
    (src / "nothing.html").write_text("<html><body><div></div></body></html>", encoding="utf-8")
    (src / "nav-only.html").write_text("<html><body><nav><a href=/>Home</a> <a href=/a>About</a></nav></body></html>",
                                       encoding="utf-8")
    (src / "garbage.htm").write_text("this is not html at all", encoding="utf-8")
    (src / "controls.txt").write_bytes(bytes(range(1, 32)) * 30)
    (src / "broken-fm.md").write_text("---\ntitle: [unclosed\n---\nText\n", encoding="utf-8")
    (src / "loop").symlink_to(src / "loop")
    (src / "dead").symlink_to(src / "missing.txt")
    (src / "sub").mkdir()
    (src / "sub" / "up").symlink_to(src, target_is_directory=True)
    (src / "style.css").write_text("body{}", encoding="utf-8")
    (src / "ok.txt").write_text("Good one\n\nThe only good document in this folder.\n", encoding="utf-8")
    report = Importer(corpus_dir, max_mb=1000 / 1048576).run([src])
    reasons = {Path(s.path).name: s.reason for s in report.skipped}
    assert [i.id for i in report.imported] == ["good-one"]
    assert "too large" in reasons["big.txt"]
    assert "empty" in reasons["blank.md"]
    assert "ZIP" in reasons["zip.html"]
    assert "no extractable article" in reasons["nothing.html"]
    assert "no extractable article" in reasons["nav-only.html"]
    assert "broken HTML" in reasons["garbage.htm"]
    assert "binary" in reasons["controls.txt"]
    assert "front matter" in reasons["broken-fm.md"]
    assert "loop" in reasons["loop"]
    assert "broken symbolic link" in reasons["dead"]
    assert "loop" in reasons["up"]
    assert "unsupported" in reasons["style.css"]
    assert sorted(p.name for p in corpus_dir.iterdir()) == ["good-one.md", "originals"]


def test_undecodable_and_unreadable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from reader.core.importer import decode as decode_mod

    class NoGuess:
        def best(self) -> None:
            return None

    corpus_dir = tmp_path / "c"
    corpus_dir.mkdir()
    odd = tmp_path / "odd.txt"
    odd.write_bytes(bytes(range(0x80, 0x100)) * 4)
    monkeypatch.setattr(decode_mod, "from_bytes", lambda data: NoGuess())
    locked = tmp_path / "locked.txt"
    locked.write_text("Locked\n\nYou cannot read me.\n", encoding="utf-8")
    real_read = Path.read_bytes

    def read_bytes(self: Path) -> bytes:
        if self.name == "locked.txt":
            raise PermissionError(13, "Permission denied")
        return real_read(self)

    monkeypatch.setattr(Path, "read_bytes", read_bytes)
    report = import_paths(corpus_dir, [odd, locked])
    reasons = {Path(s.path).name: s.reason for s in report.skipped}
    assert reasons["odd.txt"].startswith("undecodable")
    assert reasons["locked.txt"] == "cannot read: Permission denied"


def test_cancel_between_files_leaves_only_whole_files(tmp_path: Path) -> None:
    corpus_dir = tmp_path / "c"
    corpus_dir.mkdir()
    src = tmp_path / "src"
    src.mkdir()
    for n in range(6):
        (src / f"doc{n}.txt").write_text(f"Document {n}\n\nText number {n} of the batch.\n", encoding="utf-8")
    seen: list[tuple[int, int]] = []
    report = import_paths(corpus_dir, [src], progress=lambda d, t: seen.append((d, t)),
                          cancelled=lambda: len(seen) > 2)
    assert report.cancelled and len(report.imported) == 2
    assert seen[0] == (0, 6)
    names = sorted(p.name for p in corpus_dir.rglob("*"))
    assert not [n for n in names if n.endswith(".tmp") or n.startswith(".")]
    assert len(list(corpus_dir.glob("*.md"))) == 2 and len(list((corpus_dir / "originals").iterdir())) == 2
    assert len(Corpus(corpus_dir).scan()) == 2


def test_same_text_in_one_batch_and_unique_ids(tmp_path: Path) -> None:
    corpus_dir = tmp_path / "c"
    corpus_dir.mkdir()
    (tmp_path / "a.txt").write_text("Same title\n\nSame text.\n", encoding="utf-8")
    (tmp_path / "b.txt").write_text("Same title\n\nSame text.\n\n\n", encoding="utf-8")  # other bytes, same text
    (tmp_path / "c.txt").write_text("Same title\n\nDifferent text.\n", encoding="utf-8")
    report = import_paths(corpus_dir, [tmp_path / "a.txt", tmp_path / "b.txt", tmp_path / "c.txt"])
    assert [i.id for i in report.imported] == ["same-title", "same-title-2"]
    assert [(Path(d.path).name, d.id) for d in report.duplicates] == [("b.txt", "same-title")]


@pytest.mark.skipif(os.name != "posix", reason="permissions")
def test_unwritable_corpus_refused(tmp_path: Path) -> None:
    with pytest.raises(ImportRefused):
        import_paths(tmp_path / "missing", [])


@needs_shared
def test_imported_documents_are_searchable(tmp_path: Path, corpus_copy: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    from reader.commands import MODULES

    if "reader.commands.search" not in MODULES:
        pytest.skip("the search capability is not part of this build")
    src = make_sources(tmp_path / "src")
    assert main(["--corpus", str(corpus_copy), "import", str(src), "--json", "-q"]) == 1
    capsys.readouterr()
    for query, doc_id in (("Mutu cocaine", "chelsea-sack-mutu"),
                          ("Sudan sanctions", "united-states-to-lift-sudan-sanctions")):
        assert main(["--corpus", str(corpus_copy), "search", query, "--json"]) == 0
        hits = json.loads(capsys.readouterr().out)["hits"]
        assert hits and hits[0]["id"] == doc_id


def test_copy_sample_and_read_only_edits(isolated_dirs: dict[str, Path]) -> None:
    from reader.core.corpora import ReadOnlyCorpus, copy_sample, create_corpus, edit_document_meta
    from reader.core.errors import CorpusError
    from reader.core.paths import AppPaths

    paths = AppPaths.resolve()
    before = snapshot(BUNDLED)
    with pytest.raises(ReadOnlyCorpus):
        edit_document_meta(Corpus(BUNDLED, read_only=True).scan(), "neo-outside-forces", {"title": "X"})
    first, second = copy_sample(paths), copy_sample(paths)
    assert (first.name, second.name) == ("sample", "sample-2")
    copy = Corpus(first).scan()
    assert len(copy) == 5
    text_before = copy.document("neo-outside-forces").text
    edit_document_meta(copy, "neo-outside-forces", {"title": "Edited", "event": ""})
    edited = Corpus(first).scan()
    assert edited.meta("neo-outside-forces").title == "Edited"
    assert edited.meta("neo-outside-forces").event is None
    assert edited.document("neo-outside-forces").text == text_before
    assert snapshot(BUNDLED) == before
    with pytest.raises(CorpusError):
        create_corpus(paths, "sample")  # exists and is not empty
