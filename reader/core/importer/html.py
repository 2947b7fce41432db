"""Saved web pages: the article (trafilatura), its metadata, and reader comments.

trafilatura is the extractor: it is maintained, benchmarked on news pages and works
offline on a string. We pass it the decoded page, never a URL, so it never fetches.
Comments are taken from the page's own markup (WordPress and schema.org conventions)
so each keeps its author and time; nothing else on a page becomes a comment.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

import lxml.html
from lxml import etree

from reader.core.importer.deps import missing, module_named_in
from reader.core.importer.model import Extracted, ExtractedComment, Skip

log = logging.getLogger(__name__)

logging.getLogger("trafilatura").setLevel(logging.CRITICAL)
logging.getLogger("htmldate").setLevel(logging.CRITICAL)

MIN_ARTICLE_WORDS = 15
#: Below this many words from trafilatura's fast mode, run it again in full (bench/bench_import.py).
FULL_RUN_BELOW_WORDS = 200
_EXTRACT_OPTIONS: dict[str, Any] = {"with_metadata": True, "include_comments": True, "include_tables": True}
_WORD = re.compile(r"\w+")
_CLASS_TOKENS = re.compile(r"[\s]+")
_COMMENT_CLASSES = {"comment", "comment-body", "commentlist-item", "comment-item", "user-comment"}
_CONTENT_CLASSES = ("comment-content", "comment-text", "comment_text", "commentbody", "comment-body-text")
_AUTHOR_CLASSES = ("comment-author", "fn", "author", "username", "user-name", "commenter")


#: A cheap pre-filter (one XPath pass in C) for the elements :func:`_is_comment_el` looks at.
_COMMENT_XPATH = ("//*[contains(translate(@class, 'COMENT', 'coment'), 'comment') or "
                  "starts-with(translate(@id, 'COMENT', 'coment'), 'comment-') or "
                  "contains(translate(@itemtype, 'COMENT', 'coment'), 'comment')]")


def _classes(el: Any) -> set[str]:
    return set(_CLASS_TOKENS.split((el.get("class") or "").strip().lower())) - {""}


def _is_comment_el(el: Any) -> bool:
    if not isinstance(el.tag, str):
        return False
    itemtype = (el.get("itemtype") or "").lower()
    if itemtype.endswith("/comment"):
        return True
    if re.match(r"^comment-\d+$", (el.get("id") or "").lower()):
        return True
    return bool(_classes(el) & _COMMENT_CLASSES) and el.tag in ("li", "article", "div", "section")


def _text_of(el: Any) -> str:
    parts = []
    blocks = el.xpath(".//p|.//blockquote") or [el]
    for block in blocks:
        text = " ".join(block.text_content().split())
        if text:
            parts.append(text)
    return "\n\n".join(parts)


def extract_comments(tree: Any) -> list[ExtractedComment]:
    """Comments the page marks as such, each with author and time when given.

    Each comment's text element (``comment-content``, ``itemprop=text``...) is found
    once; the innermost comment element holding it supplies its author and time, so
    a WordPress ``<li class=comment>`` wrapping ``<article class=comment-body>`` and
    nested replies each count once.
    """
    found = tree.xpath(_COMMENT_XPATH)
    marked = {el for el in found if _is_comment_el(el)}
    if not marked:
        return []
    comments: list[ExtractedComment] = []
    seen: set[Any] = set()
    for el in found:
        if el not in marked:
            continue
        content = _own_content(el)
        if content is None or content in seen:
            continue
        seen.add(content)
        owner = next((a for a in content.iterancestors() if a in marked), el)
        text = _text_of(content)
        if not text:
            continue
        author_el = _author_el(owner, marked)
        author = " ".join(author_el.text_content().split()) if author_el is not None else ""
        author = re.sub(r"\s*(says|said|wrote):?$", "", author, flags=re.IGNORECASE)[:80]
        comments.append(ExtractedComment(author or "anonymous", _time_of(owner, marked), text))
    return comments


def _own_content(el: Any) -> Any | None:
    for sub in el.iterdescendants():
        if not isinstance(sub.tag, str):
            continue
        if _classes(sub) & set(_CONTENT_CLASSES) or (sub.get("itemprop") or "").lower() == "text":
            return sub
    return None


def _own_descendants(el: Any, nested: set[Any]) -> Iterator[Any]:
    """Elements inside comment ``el`` that belong to no comment nested in it (replies)."""
    for sub in el.iterdescendants():
        if isinstance(sub.tag, str) and next((a for a in sub.iterancestors() if a in nested), None) is el:
            yield sub


def _author_el(el: Any, nested: set[Any]) -> Any | None:
    for sub in _own_descendants(el, nested):
        if (sub.get("itemprop") or "").lower() == "author":
            name = sub.xpath(".//*[@itemprop='name']")
            return name[0] if name else sub
        if _classes(sub) & set(_AUTHOR_CLASSES):
            fn = sub.xpath(".//*[contains(concat(' ', normalize-space(@class), ' '), ' fn ')]")
            return fn[0] if fn else sub
        if sub.tag == "cite":
            return sub
    return None


def _time_of(el: Any, nested: set[Any]) -> str | None:
    for sub in _own_descendants(el, nested):
        value = sub.get("datetime") or (sub.get("content") if (sub.get("itemprop") or "").lower()
                                         in ("datecreated", "datepublished") else None)
        if value:
            stamp = comment_time(value)
            if stamp:
                return stamp
    return None


def comment_time(value: str) -> str | None:
    """A page's timestamp as a comment-header time: ``2022-01-10 21:12 UTC`` (or a date)."""
    value = value.strip()
    try:
        stamp = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    if len(value) <= 10:
        return stamp.date().isoformat()
    if stamp.tzinfo is not None:
        return stamp.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
    return stamp.strftime("%Y-%m-%d %H:%M")


def _page_language(tree: Any) -> str | None:
    lang = tree.get("lang") or tree.get("{http://www.w3.org/XML/1998/namespace}lang")
    if not lang:
        meta = tree.xpath("//meta[translate(@http-equiv,'CONTENTLANGUAGE','contentlanguage')"
                          "='content-language']/@content")
        lang = meta[0] if meta else None
    if not lang:
        return None
    lang = lang.strip().split(",")[0].strip()
    return lang[:2].lower() if re.match(r"^[A-Za-z]{2}(?:[-_][A-Za-z0-9]+)*$", lang) else None


def _canonical_url(tree: Any) -> str | None:
    for xp in ("//link[@rel='canonical']/@href", "//meta[@property='og:url']/@content"):
        found = tree.xpath(xp)
        if found and str(found[0]).startswith(("http://", "https://")):
            return str(found[0]).strip()
    return None


_NOT_NAMES = frozenset({"username", "user name", "author", "authors", "admin", "administrator", "by", "staff",
                        "作者", "anonymous", "unknown", "none", "null"})


def _dedupe_names(value: str) -> str:
    """``Jeffrey Gettleman; JEFFREY GETTLEMAN`` -> ``Jeffrey Gettleman``; placeholders dropped."""
    names: list[str] = []
    for part in re.split(r"\s*;\s*", " ".join(value.split())):
        if part.casefold() in _NOT_NAMES:
            continue  # a form label or placeholder the metadata picked up, not a byline
        if part and part.lower() not in {n.lower() for n in names}:
            names.append(part)
    return "; ".join(names)


def parse_tree(text: str) -> Any:
    try:
        tree = lxml.html.document_fromstring(text)
    except (etree.ParserError, ValueError) as exc:
        raise Skip(f"broken HTML: {exc or 'nothing could be parsed'}") from None
    if tree is None or not len(tree):
        raise Skip("broken HTML: nothing could be parsed")
    return tree


def _bare_extraction() -> Any:
    """trafilatura's extractor, or :class:`MissingPiece` naming what a plain install lacks."""
    try:
        import lxml_html_clean  # noqa: F401  (jusText needs it; a pip < 23.3 skips lxml's extra)
        from trafilatura import bare_extraction  # heavy: load only when a page is imported
    except ImportError as exc:
        raise missing("HTML import", module_named_in(exc)) from None
    return bare_extraction


def _extract(tree: Any, text: str) -> dict[str, Any]:
    bare_extraction = _bare_extraction()
    try:
        # The tree we parsed is handed over (trafilatura prunes it; our own reads are done).
        # Its fast mode is right for most pages; when it finds little text, the full run
        # (with readability and jusText fallbacks) on a fresh tree rescues the rest.
        result = bare_extraction(tree, fast=True, **_EXTRACT_OPTIONS)
        if result is None or len(str(result.text or "").split()) < FULL_RUN_BELOW_WORDS:
            result = bare_extraction(parse_tree(text), **_EXTRACT_OPTIONS)
    except Skip:
        raise
    except ImportError as exc:
        raise missing("HTML import", module_named_in(exc)) from None
    except Exception as exc:  # third-party parser: any failure is a reason, not a crash
        log.debug("the article extractor failed", exc_info=True)
        raise Skip(f"broken HTML: the extractor failed ({type(exc).__name__})") from None
    if result is None:
        raise Skip("no extractable article: the page has no main text")
    return result if isinstance(result, dict) else result.as_dict()


_SAVED_FROM = re.compile(r"<!--\s*saved from url=\(\d+\)(https?://[^\s>]+)\s*-->", re.IGNORECASE)


def read_html(text: str) -> Extracted:
    """The article of a saved page; :class:`Skip` when there is none."""
    if "<" not in text:
        raise Skip("broken HTML: the file has no markup at all")
    # lxml refuses str input that declares an encoding; the text is decoded already
    text = re.sub(r"^\s*<\?xml[^>]*\?>", "", text, count=1)
    saved_from = _SAVED_FROM.search(text[:4096])
    tree = parse_tree(text)
    comments = extract_comments(tree)
    url = _canonical_url(tree) or (saved_from.group(1) if saved_from else None)
    language = _page_language(tree)
    data = _extract(tree, text)
    title = " ".join(str(data.get("title") or "").split())
    lines = [" ".join(line.split()) for line in str(data.get("text") or "").split("\n")]
    lines = [line for line in lines if line]
    if lines and title and lines[0].strip("# ") == title:
        lines = lines[1:]
    if comments:
        comment_paras = {p for c in comments for p in c.text.split("\n\n")}
        lines = [line for line in lines if line not in comment_paras]
    # trafilatura's own "comments" are not used: on pages without comment markup they are
    # whatever sits below the article (a login prompt, a newsletter box), not readers' words.
    body = "\n\n".join(lines)
    if len(_WORD.findall(body)) < MIN_ARTICLE_WORDS:
        raise Skip("no extractable article: the page has too little main text")
    url = url or (str(data["url"]) if data.get("url") else None)
    outlet = str(data.get("sitename") or "").strip()
    if not outlet and url:
        outlet = (urlsplit(url).hostname or "").removeprefix("www.")
    author = _dedupe_names(str(data.get("author") or ""))
    published = str(data["date"])[:10] if data.get("date") else None
    return Extracted(
        title=title,
        text=body,
        outlet=outlet,
        author=author,
        published=published,
        date_note="from the saved page's metadata" if published else None,
        language=language or (str(data["language"]) if data.get("language") else None),
        url=url,
        comments=comments,
    )
