"""Citation metadata for documents and notes, and the formats reference managers read.

A document's front matter already says who published what when; this module turns it into
one CSL item (the Citation Style Language's JSON, the lingua franca of Zotero, Mendeley and
pandoc) and derives every other form from that one item, so the formats cannot disagree:

- CSL-JSON as is; BibTeX through ``bibtexparser``; RIS through ``rispy`` (well-kept writers
  that know each format's escaping rules, rather than hand-written string templates);
- formatted references through ``citeproc-py`` with the CSL styles shipped in
  ``resources/csl/`` (APA, Chicago author-date, MLA), so formatting works offline.

A note cites its document with a locator: the page for sources with pages (PDF imports),
else the paragraph of the article or the number of the reader comment.
"""

from __future__ import annotations

import json
import logging
import re
import warnings
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Any

from reader.core.document import COMMENTS, Document, DocumentMeta
from reader.core.errors import ReaderError
from reader.core.paths import resource_path

log = logging.getLogger(__name__)

#: The citation styles the app ships: name -> (CSL file, label). Declared once; the CLI's
#: ``--style`` choices and the window's menu read this table.
STYLES: dict[str, tuple[str, str]] = {
    "apa": ("apa.csl", "APA 7th edition"),
    "chicago": ("chicago-author-date.csl", "Chicago Manual of Style (author-date)"),
    "mla": ("modern-language-association.csl", "MLA 9th edition"),
}
#: Export formats of sources and notes beside the notes module's own (md, csv, json, w3c).
CITATION_FORMATS = ("csl-json", "bibtex", "ris")

_PERSONISH = re.compile(r"^[A-Z][\w'’.-]*(?: [A-Z][\w'’.-]*){1,3}$")
_SPLIT_AUTHORS = re.compile(r"\s*(?:;|\band\b|&)\s*")


@dataclass(frozen=True)
class Locator:
    """Where in a source a passage lies: ``label`` is a CSL locator label (page, paragraph...)."""

    label: str
    value: str

    def short(self) -> str:
        abbreviation = {"page": "p.", "paragraph": "para.", "comment": "comment"}.get(self.label, self.label)
        return f"{abbreviation} {self.value}"

    def to_json(self) -> dict[str, str]:
        return {"label": self.label, "value": self.value}


def csl_names(author: str) -> list[dict[str, str]]:
    """Author text to CSL names: "Tony Blair" -> family/given; a handle or an outlet stays literal."""
    text = re.sub(r"^\s*by\s+", "", author or "", flags=re.IGNORECASE).strip()
    if not text:
        return []
    names: list[dict[str, str]] = []
    for part in (p.strip(" ,") for p in _SPLIT_AUTHORS.split(text)):
        if not part:
            continue
        if _PERSONISH.match(part):
            given, _, family = part.rpartition(" ")
            names.append({"family": family, "given": given})
        else:
            names.append({"literal": part})
    return names


def _date_parts(value: str | None) -> dict[str, Any] | None:
    if not value:
        return None
    match = re.match(r"^(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?", str(value))
    if not match:
        return None
    return {"date-parts": [[int(p) for p in match.groups() if p]]}


def csl_item(meta: DocumentMeta, *, accessed: str | None = None) -> dict[str, Any]:
    """The CSL-JSON item of one document (outlet as container, accessed = import date or today)."""
    item: dict[str, Any] = {
        "id": meta.id,
        "type": "article-newspaper",
        "title": meta.title,
    }
    if meta.outlet:
        item["container-title"] = meta.outlet
    names = csl_names(meta.author)
    if names:
        item["author"] = names
    issued = _date_parts(meta.published)
    if issued:
        item["issued"] = issued
    if meta.url:
        item["URL"] = meta.url
    imported = meta.extra.get("imported") if isinstance(meta.extra, dict) else None
    seen = _date_parts(accessed or (str(imported) if imported else None) or date.today().isoformat())
    if seen:
        item["accessed"] = seen
    if meta.language:
        item["language"] = meta.language
    return item


def paragraph_number(doc: Document, offset: int) -> int:
    """1-based number of the paragraph (blank-line separated) of its section holding ``offset``."""
    start = 0
    for sec in doc.sections:
        if sec.start <= offset < sec.end:
            start = sec.start
            break
    return doc.text.count("\n\n", start, max(start, offset)) + 1


def locator_for(doc: Document, start: int) -> Locator:
    """The page when the source has pages, else the comment number or the article paragraph."""
    page_at = getattr(doc, "page_at", None)
    if callable(page_at):
        page = page_at(start)
        if page:
            return Locator("page", str(page))
    if doc.section_at(start) == COMMENTS:
        for number, comment in enumerate(doc.comments, 1):
            if comment.start <= start < comment.end:
                return Locator("comment", str(comment.number or number))
    return Locator("paragraph", str(paragraph_number(doc, start)))


# -- formats ------------------------------------------------------------------------------------

def to_csl_json(items: Sequence[dict[str, Any]]) -> str:
    return json.dumps(list(items), ensure_ascii=False, indent=2) + "\n"


def _bib_names(item: dict[str, Any]) -> str:
    out = []
    for name in item.get("author", []):
        if "literal" in name:
            out.append("{" + name["literal"] + "}")
        else:
            out.append(f"{name['family']}, {name['given']}")
    return " and ".join(out)


def _iso(parts: dict[str, Any] | None) -> str:
    if not parts:
        return ""
    values = parts["date-parts"][0]
    return "-".join(f"{v:02d}" if i else str(v) for i, v in enumerate(values))


def _bibtex_key(item: dict[str, Any]) -> str:
    return re.sub(r"[^A-Za-z0-9_:-]", "_", str(item["id"]))


def to_bibtex(items: Sequence[dict[str, Any]], notes: dict[str, list[str]] | None = None) -> str:
    """BibTeX (biblatex-style ``date``/``urldate`` plus classic ``year``/``month``) via bibtexparser.

    ``notes`` maps a source id to note texts, joined into the entry's one ``annote`` field.
    """
    import bibtexparser
    from bibtexparser.middlewares import LatexEncodingMiddleware
    from bibtexparser.model import Entry, Field

    library = bibtexparser.Library()
    for item in items:
        fields = [Field("title", item["title"])]
        if item.get("author"):
            fields.append(Field("author", _bib_names(item)))
        if item.get("container-title"):
            fields.append(Field("journal", item["container-title"]))
        issued = _iso(item.get("issued"))
        if issued:
            fields.append(Field("date", issued))
            fields.append(Field("year", issued[:4]))
            if len(issued) >= 7:
                fields.append(Field("month", str(int(issued[5:7]))))
        if item.get("URL"):
            fields.append(Field("url", item["URL"]))
        if item.get("accessed"):
            fields.append(Field("urldate", _iso(item["accessed"])))
        if item.get("language"):
            fields.append(Field("language", item["language"]))
        if notes and notes.get(item["id"]):
            fields.append(Field("annote", "\n\n".join(notes[item["id"]])))  # one annote per entry
        library.add(Entry("article", _bibtex_key(item), fields))
    # The library's LaTeX encoder escapes braces, %, & and non-ASCII, so any note text survives.
    return str(bibtexparser.write_string(library, prepend_middleware=[LatexEncodingMiddleware()]))


def _plain_ris_writer() -> Any:
    """rispy's writer without its numbered header line ("1."), which the RIS spec does not have."""
    import rispy

    class PlainRisWriter(rispy.RisWriter):
        def set_header(self, count: int) -> str:
            return ""

    return PlainRisWriter


def to_ris(items: Sequence[dict[str, Any]], notes: dict[str, list[str]] | None = None) -> str:
    """RIS (type NEWS) via rispy: one record per source, each note an ``N1`` line."""
    import rispy

    records = []
    for item in items:
        record: dict[str, Any] = {"type_of_reference": "NEWS", "title": item["title"], "id": item["id"]}
        authors = [n.get("literal") or f"{n['family']}, {n['given']}" for n in item.get("author", [])]
        if authors:
            record["authors"] = authors
        if item.get("container-title"):
            record["secondary_title"] = item["container-title"]
        issued = _iso(item.get("issued"))
        if issued:
            record["year"] = issued[:4]
            record["date"] = issued.replace("-", "/")
        if item.get("URL"):
            record["urls"] = [item["URL"]]
        if item.get("accessed"):
            record["access_date"] = _iso(item["accessed"]).replace("-", "/")
        if item.get("language"):
            record["language"] = item["language"]
        if notes and notes.get(item["id"]):
            # an RIS value is one line: a note's line breaks become " / "
            record["notes"] = [" / ".join(n.splitlines()) for n in notes[item["id"]]]
        records.append(record)
    return str(rispy.dumps(records, implementation=_plain_ris_writer()))


# -- formatted references ---------------------------------------------------------------------

def _patch_citeproc() -> None:
    """Two CSL 1.0.1 rules citeproc-py 0.x does not follow, patched once, narrowly.

    - ``<label variable=…>`` is rendered only with its variable; without this, Chicago prints
      a stray "Edition." after every newspaper article.
    - ``<name initialize="false">`` keeps given names whole; without this, MLA and Chicago
      abbreviate "Vladimir" to "V." as APA does.
    """
    from citeproc.model import Label, Name, VariableError

    if getattr(Label, "_parallax_patched", False):
        return
    label_process = Label.process
    name_initialize = Name.initialize

    def process(self: Any, item: Any, variable: str | None = None, *args: Any, **kwargs: Any) -> Any:
        name = variable or self.get("variable")
        if name and name != "locator":
            try:
                value = item.reference[name.replace("-", "_")]
            except (VariableError, KeyError, AttributeError):
                value = None
            if value in (None, ""):
                return None
        return label_process(self, item, variable, *args, **kwargs)

    def initialize(self: Any, given: Any, mark: Any, context: Any) -> Any:
        if self.get("initialize") == "false":
            return given
        return name_initialize(self, given, mark, context)

    Label.process = process
    Name.initialize = initialize
    Label._parallax_patched = True


@lru_cache(maxsize=8)
def _style(name: str) -> Any:
    from citeproc import CitationStylesStyle

    if name not in STYLES:
        raise ReaderError(f"unknown citation style {name!r}; choose one of {', '.join(STYLES)}")
    path = resource_path("csl", STYLES[name][0])
    if not path.is_file():
        raise ReaderError(f"citation style file missing: {path}")
    _patch_citeproc()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # citeproc-py warns about CSL 1.0.2 terms it ignores
        return CitationStylesStyle(str(path), validate=False)


#: Up to this many entries are formatted as one bibliography (a style's disambiguation, e.g. APA's
#: 2022a/2022b, applies across them); citeproc-py's cost grows faster than linearly beyond it, so
#: larger sets are formatted entry by entry (about 20 ms each).
JOINT_LIMIT = 100


def format_references(items: Iterable[dict[str, Any]], style: str = "apa", *, html: bool = False) -> list[str]:
    """One formatted bibliography entry per item, in the items' order."""
    items = list(items)
    if len(items) > JOINT_LIMIT:
        return [_bibliography([item], style, html)[0] for item in items]
    return _bibliography(items, style, html)


def _bibliography(items: list[dict[str, Any]], style: str, html: bool) -> list[str]:
    from citeproc import Citation, CitationItem, CitationStylesBibliography, formatter
    from citeproc.source.json import CiteProcJSON

    if not items:
        return []
    keys = [str(item["id"]).lower() for item in items]
    unique = list(dict.fromkeys(keys))
    by_key = {key: dict(item, id=key) for key, item in zip(keys, items, strict=True)}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        source = CiteProcJSON([by_key[k] for k in unique])
        bib = CitationStylesBibliography(_style(style), source, formatter.html if html else formatter.plain)
        for key in unique:
            bib.register(Citation([CitationItem(key)]))
        bib.sort()  # bib.items now follows the rendered order: map entries back by key
        rendered = {ci.key: str(entry) for ci, entry in zip(bib.items, bib.bibliography(), strict=True)}
    return [rendered.get(key, "") for key in keys]


def format_reference(meta: DocumentMeta, style: str = "apa") -> str:
    return format_references([csl_item(meta)], style)[0]


