"""``parallax corpus check``: validate every document and report each problem."""

from __future__ import annotations

import argparse
from typing import Any

from reader.commands.output import emit_json
from reader.core.corpus import has_errors
from reader.core.session import Session


def register(sub: Any, parents: list[argparse.ArgumentParser]) -> None:
    corpus = sub.add_parser("corpus", help="inspect the corpus", parents=parents)
    actions = corpus.add_subparsers(dest="corpus_command", metavar="ACTION", required=True)
    check = actions.add_parser("check", parents=parents,
                               help="validate every document; exit 1 if any file was skipped")
    check.add_argument("--json", action="store_true", help="print a JSON report")
    check.set_defaults(func=run_check)
    from reader.commands.corpus_manage import register_actions  # new, list, use, copy-sample, edit-meta

    register_actions(actions, parents)


def run_check(args: argparse.Namespace, session: Session) -> int:
    corpus = session.corpus(scan=False)
    docs, problems = corpus.check()
    if args.json:
        emit_json({
            "corpus": {"path": str(corpus.root), **corpus.info.to_json()},
            "documents": [
                {
                    "id": d.id, "path": str(d.meta.path), "title": d.meta.title, "outlet": d.meta.outlet,
                    "author": d.meta.author, "published": d.meta.published,
                    "sections": [{"name": n, "words": w} for n, w in d.section_words()],
                }
                for d in docs
            ],
            "errors": [p.to_json() for p in problems],
        })
    else:
        print(f"{corpus.info.title} ({corpus.root})")
        for d in docs:
            words = ", ".join(f"{n} {w} words" for n, w in d.section_words())
            print(f"  {d.id:32} {d.meta.published or 'n.d.':10}  {d.meta.outlet}: {d.meta.title} ({words})")
        for p in problems:
            print(f"  {p}")
        n_err = sum(p.severity == "error" for p in problems)
        print(f"{len(docs)} documents, {n_err} errors, {len(problems) - n_err} warnings")
    return 1 if has_errors(problems) else 0
