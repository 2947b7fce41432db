"""``parallax search QUERY``: ranked hits with marked snippets, facets and a suggestion."""

from __future__ import annotations

import argparse
import re
from typing import Any

from reader.commands.output import emit_json, warn
from reader.core.errors import ReaderError
from reader.core.session import Session


def register(sub: Any, parents: list[argparse.ArgumentParser]) -> None:
    cmd = sub.add_parser("search", parents=parents,
                         help="search the corpus (see docs/search.md for the query language)",
                         description="Words are ANDed; use OR, NOT or -word, \"phrases\", \"phrase\"~N, "
                                     "prefix*, word~, field:value (title, outlet, author, section, "
                                     "language, published) and published:[2022-01-01 TO 2022-01-09].")
    cmd.add_argument("query", nargs="?", metavar="QUERY", help="the query (quote it in the shell)")
    cmd.add_argument("--limit", type=int, default=20, metavar="N", help="at most N hits (default 20)")
    cmd.add_argument("--like", metavar="ID", help="documents like this one (more like this)")
    cmd.add_argument("--json", action="store_true", help="print the results as JSON")
    cmd.set_defaults(func=run)


def run(args: argparse.Namespace, session: Session) -> int:
    from reader.core.search import search_with_index
    from reader.core.search.engine import QuerySyntaxError

    if not args.query and not args.like:
        raise ReaderError("search needs a QUERY or --like ID")
    if args.limit < 0:
        raise ReaderError("--limit must be 0 or more")
    if args.query and args.query.lstrip().lower().startswith("note:"):
        return _run_notes(args, session)
    corpus = session.corpus()
    engine = session.search
    try:
        if args.like:
            doc = corpus.document(args.like)
            report = engine.update(corpus)
            results = engine.more_like_this(doc, limit=args.limit)
        else:
            try:
                results, report = search_with_index(engine, corpus, args.query, limit=args.limit)
            except QuerySyntaxError as exc:
                raise ReaderError(f"bad query: {exc}") from None
    finally:
        engine.close()
    if report.rebuilt:
        warn(f"index rebuilt: {report.reason}")
    if report.notice:
        warn(report.notice)
    if args.json:
        data = results.to_json()
        for hit in data["hits"]:
            hit.pop("section", None)
        if report.rebuilt:
            data["rebuilt"] = True
            data["reason"] = report.reason
        if report.notice:
            data["notice"] = report.notice
        emit_json(data)
        return 0
    print(f"{results.total} document(s) match {results.query!r}")
    if results.suggestion:
        print(f"did you mean: {results.suggestion}")
    for n, hit in enumerate(results.hits, 1):
        where = " (comments)" if hit.section != "article" else ""
        print(f"{n:3}. {hit.id}  {hit.published or 'n.d.'}  {hit.outlet}: {hit.title}{where}  [{hit.score:.2f}]")
        for snippet in hit.snippets:
            print(f"       {_plain(snippet)}")
    return 0


def _run_notes(args: argparse.Namespace, session: Session) -> int:
    """``note:`` queries search your notes (bodies, tags, quotes) instead of the documents."""
    from reader.commands.notes import search_json

    data = search_json(session, args.query, limit=args.limit)
    if args.json:
        emit_json(data)
        return 0
    print(f"{data['total']} note(s) match {args.query!r}")
    for n, hit in enumerate(data["hits"], 1):
        where = f"[{hit['start']}, {hit['end']})" if hit["start"] is not None else f"({hit['status']})"
        print(f"{n:3}. note {hit['id'][:8]}  {hit['doc']} {where}  {hit['outlet'] or ''}: {hit['title'] or ''}")
        print(f"       {_plain(hit['snippets'][0])}")
    return 0


def _plain(snippet: str) -> str:
    """Snippet HTML for a terminal: marks as [brackets], entities unescaped."""
    import html

    return html.unescape(re.sub(r"</?mark>", lambda m: "]" if m.group(0) == "</mark>" else "[", snippet))
