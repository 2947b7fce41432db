"""``parallax cite``, ``parallax timeline`` and ``parallax searches``: the research workflow's CLI.

Thin over :mod:`reader.core.research`: references in the shipped CSL styles and the
reference-manager formats, coverage of a query over time per outlet, and named saved
searches (with batch runs of many queries at once).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from reader.commands.output import emit_json, warn
from reader.commands.progress import StderrProgress
from reader.core.errors import ReaderError
from reader.core.session import Session


def register(sub: Any, parents: list[argparse.ArgumentParser]) -> None:
    from reader.core.research.citations import CITATION_FORMATS, STYLES

    cite = sub.add_parser("cite", parents=parents, help="references for documents (APA, Chicago, MLA; CSL-JSON, "
                                                         "BibTeX, RIS)")
    cite.add_argument("ids", nargs="*", metavar="ID", help="documents to cite (default: every document)")
    cite.add_argument("--style", choices=tuple(STYLES), default="apa", help="reference style (default apa)")
    cite.add_argument("--format", choices=("text", *CITATION_FORMATS), default="text",
                      help="formatted text (default) or a reference-manager format")
    cite.add_argument("--json", action="store_true", help="JSON: each document's CSL item and reference")
    cite.set_defaults(func=run_cite)

    tl = sub.add_parser("timeline", parents=parents, help="coverage over time: matching documents per outlet "
                                                           "and day")
    tl.add_argument("query", help="a search query (entity:ID for an entity)")
    out = tl.add_mutually_exclusive_group()
    out.add_argument("--json", action="store_true", help="machine-readable output")
    out.add_argument("--csv", action="store_true", help="CSV: one row per outlet, one column per day")
    tl.set_defaults(func=run_timeline)

    ss = sub.add_parser("searches", parents=parents, help="saved searches and batch search")
    ss_sub = ss.add_subparsers(dest="searches_command", metavar="ACTION")
    ls = ss_sub.add_parser("list", parents=parents, help="the saved searches, with their document counts")
    ls.add_argument("--json", action="store_true")
    ls.set_defaults(func=run_searches_list)
    sv = ss_sub.add_parser("save", parents=parents, help="save (or replace) a named search")
    sv.add_argument("name")
    sv.add_argument("query")
    sv.add_argument("--json", action="store_true")
    sv.set_defaults(func=run_searches_save)
    rm = ss_sub.add_parser("delete", parents=parents, help="forget a saved search")
    rm.add_argument("name")
    rm.add_argument("--json", action="store_true")
    rm.set_defaults(func=run_searches_delete)
    bt = ss_sub.add_parser("batch", parents=parents, help="run many queries at once (one a line; - for stdin)")
    bt.add_argument("file", help="a file of queries, one a line ('#' comments), or - for standard input")
    fmt = bt.add_mutually_exclusive_group()
    fmt.add_argument("--json", action="store_true")
    fmt.add_argument("--csv", action="store_true", help="CSV: one row per query and outlet")
    bt.set_defaults(func=run_batch)
    ss.set_defaults(func=lambda args, session: run_searches_list(args, session), json=False)


def _engine(session: Session) -> Any:
    from reader.core.search import ensure_index

    corpus = session.corpus()
    engine = session.search
    report = ensure_index(engine, corpus, progress=StderrProgress("indexing"))
    if report.rebuilt:
        warn(f"index rebuilt: {report.reason}")
    return engine


def run_cite(args: argparse.Namespace, session: Session) -> int:
    from reader.core.research import citations

    corpus = session.corpus()
    ids = args.ids or list(corpus.ids)
    metas = [corpus.meta(i) for i in ids]  # an unknown id raises a ReaderError naming it
    items = [citations.csl_item(m) for m in metas]
    if args.format == "csl-json":
        sys.stdout.write(citations.to_csl_json(items))
    elif args.format == "bibtex":
        sys.stdout.write(citations.to_bibtex(items))
    elif args.format == "ris":
        sys.stdout.write(citations.to_ris(items))
    else:
        refs = citations.format_references(items, args.style)
        if args.json:
            emit_json({"style": args.style, "references": [{"id": i["id"], "reference": r, "csl": i}
                                                            for i, r in zip(items, refs, strict=True)]})
        else:
            for ref in refs:
                print(ref)
    return 0


def run_timeline(args: argparse.Namespace, session: Session) -> int:
    from reader.core.research.timeline import timeline, timeline_csv
    from reader.core.search.engine import QuerySyntaxError

    engine = _engine(session)
    try:
        line = timeline(engine, args.query, sorted({m.outlet for m in session.corpus().metas() if m.outlet}))
    except QuerySyntaxError as exc:
        raise ReaderError(f"bad query: {exc}") from None
    finally:
        engine.close()
    if args.json:
        emit_json(line.to_json())
    elif args.csv:
        sys.stdout.write(timeline_csv(line))
    else:
        width = max((len(o) for o in line.counts), default=6)
        for outlet, per in line.counts.items():
            days = ", ".join(f"{d} ({n})" for d, n in sorted(per.items())) or "never"
            print(f"{outlet:<{width}}  {days}")
        print(f"{line.total} document(s) match {args.query!r}", file=sys.stderr)
    return 0


def _saved(session: Session) -> Any:
    from reader.core.research.saved_searches import SavedSearches

    saved = SavedSearches(session.paths.data_dir)
    if saved.notice:
        warn(saved.notice)
    return saved


def run_searches_list(args: argparse.Namespace, session: Session) -> int:
    saved = _saved(session).list()
    rows = []
    if saved:
        from reader.core.search.engine import QuerySyntaxError

        engine = _engine(session)
        try:
            for item in saved:
                try:
                    total: int | None = engine.search(item.query, limit=0).total
                except QuerySyntaxError:
                    total = None
                rows.append({**item.to_json(), "documents": total})
        finally:
            engine.close()
    if getattr(args, "json", False):
        emit_json({"searches": rows})
    else:
        for row in rows:
            count = "bad query" if row["documents"] is None else f"{row['documents']} document(s)"
            print(f"{row['name']}: {row['query']}  ({count})")
        if not rows:
            print("no saved searches (parallax searches save NAME QUERY)", file=sys.stderr)
    return 0


def run_searches_save(args: argparse.Namespace, session: Session) -> int:
    from reader.core.search.engine import QuerySyntaxError

    engine = _engine(session)
    try:
        total = engine.search(args.query, limit=0).total  # refuse a malformed query before saving it
    except QuerySyntaxError as exc:
        raise ReaderError(f"bad query: {exc}") from None
    finally:
        engine.close()
    item = _saved(session).save(args.name, args.query)
    if args.json:
        emit_json({**item.to_json(), "documents": total})
    else:
        print(f"saved {item.name!r}: {item.query} ({total} document(s))")
    return 0


def run_searches_delete(args: argparse.Namespace, session: Session) -> int:
    item = _saved(session).delete(args.name)
    if args.json:
        emit_json({"deleted": item.to_json()})
    else:
        print(f"deleted {item.name!r}")
    return 0


def run_batch(args: argparse.Namespace, session: Session) -> int:
    from reader.core.research.batch import batch_csv, read_queries
    from reader.core.research.batch import run_batch as batch

    try:
        text = sys.stdin.read() if args.file == "-" else Path(args.file).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ReaderError(f"cannot read queries from {args.file}: {exc}") from None
    queries = read_queries(text)
    if not queries:
        raise ReaderError(f"no queries in {args.file}")
    engine = _engine(session)
    try:
        rows = batch(engine, queries, progress=StderrProgress("queries"))
    finally:
        engine.close()
    if args.json:
        emit_json({"queries": [r.to_json() for r in rows]})
    elif args.csv:
        sys.stdout.write(batch_csv(rows))
    else:
        for row in rows:
            shown = row.error or f"{row.total} document(s)"
            print(f"{row.query}: {shown}")
    return 1 if any(r.error for r in rows) else 0
