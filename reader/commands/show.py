"""``parallax show ID``: one document, whose text is the one all CLI offsets count in."""

from __future__ import annotations

import argparse
from typing import Any

from reader.commands.output import emit_json
from reader.core.session import Session


def register(sub: Any, parents: list[argparse.ArgumentParser]) -> None:
    show = sub.add_parser("show", parents=parents, help="print one document")
    show.add_argument("id", help="document id")
    show.add_argument("--json", action="store_true", help="metadata, sections and text as JSON")
    show.set_defaults(func=run)


def run(args: argparse.Namespace, session: Session) -> int:
    doc = session.corpus().document(args.id)
    if args.json:
        emit_json(doc.to_json())
        return 0
    meta = doc.meta
    print(meta.title)
    print(" · ".join(x for x in (meta.outlet, meta.author, meta.published or "n.d.") if x))
    print()
    article = doc.section("article")
    if article is not None:
        print(doc.text[article.start : article.end])
    if doc.comments:
        print(f"\n── Reader comments ({len(doc.comments)}) ──")
        for c in doc.comments:
            number = f" · #{c.number}" if c.number is not None else ""
            print(f"\n[{c.author} · {c.posted or 'undated'}{number}]")
            print(doc.text[c.start : c.end])
    return 0
