"""``parallax kwic QUERY``: every occurrence across the corpus as keyword-in-context lines."""

from __future__ import annotations

import argparse
import csv
import sys
from typing import Any

from reader.commands.output import emit_json
from reader.core.session import Session


def register(sub: Any, parents: list[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("kwic", parents=parents, help="concordance: a word or phrase in context across the corpus",
                       description="Words and phrases match whole words, any case; '|' separates alternatives; "
                                   "'*' ends a word with anything; colour/color and -s/-ed/-ing forms match "
                                   "unless --exact.")
    p.add_argument("query", help='word, phrase or alternatives, e.g. "colour revolution" or "Tokayev|Tokaev"')
    p.add_argument("--width", type=int, default=40, metavar="N", help="characters of context each side (40)")
    p.add_argument("--sort", choices=("doc", "outlet", "date", "left", "right"), default="doc",
                   help="order of the lines (default: corpus order)")
    p.add_argument("--exact", action="store_true", help="no spelling variants or word endings")
    p.add_argument("--entity", action="store_true",
                   help="QUERY names an entity (id, name or alias): every spelling of it, exactly")
    p.add_argument("--limit", type=int, default=None, metavar="N", help="at most N lines")
    p.add_argument("--csv", action="store_true", help="CSV on stdout")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(func=run)


def run(args: argparse.Namespace, session: Session) -> int:
    from reader.core.errors import ReaderError
    from reader.core.framing.kwic import KwicIndex, entity_query, kwic_csv_rows, sort_lines

    if args.width < 0 or args.width > 2000:
        raise ReaderError("--width must be between 0 and 2000")
    index = KwicIndex.for_corpus(session.corpus(), session.cache_dir)
    query = entity_query(session.entities, args.query) if args.entity else args.query
    exact = args.exact or args.entity
    lines = sort_lines(index.search(query, width=args.width, limit=args.limit, exact=exact), args.sort)
    if args.json:
        data: dict[str, Any] = {"query": args.query, "count": len(lines), "lines": [ln.to_json() for ln in lines]}
        if args.entity:
            data["spellings"] = query.split("|")
        emit_json(data)
    elif args.csv:
        csv.writer(sys.stdout).writerows(kwic_csv_rows(lines))
    else:
        outlet_w = max((len(ln.outlet) for ln in lines), default=6)
        for ln in lines:
            print(f"{ln.outlet:<{outlet_w}}  {ln.left:>{args.width}} [{ln.match}] {ln.right}")
        print(f"{len(lines)} line(s)", file=sys.stderr)
    return 0 if lines else 1
