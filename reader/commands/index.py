"""``parallax index``: build or update the corpus's search index, progress on stderr."""

from __future__ import annotations

import argparse
from typing import Any

from reader.commands.output import emit_json, warn
from reader.commands.progress import StderrProgress
from reader.core.session import Session


def register(sub: Any, parents: list[argparse.ArgumentParser]) -> None:
    cmd = sub.add_parser("index", parents=parents,
                         help="build or update the search index (only changed documents are re-indexed)")
    cmd.add_argument("--rebuild", action="store_true", help="rebuild the whole index from scratch")
    cmd.add_argument("--json", action="store_true",
                     help="print {added, updated, removed, unchanged, seconds, rebuilt} as JSON")
    cmd.set_defaults(func=run)


def run(args: argparse.Namespace, session: Session) -> int:
    corpus = session.corpus()
    engine = session.search
    progress = StderrProgress("parallax: indexing")
    try:
        if args.rebuild:
            report = engine.build(corpus, progress, reason="--rebuild requested")
        else:
            report = engine.update(corpus, progress)
            if report.changed and not report.rebuilt:
                engine.merge()
    finally:
        progress.finish()
        engine.close()
    if report.rebuilt:
        warn(f"index rebuilt: {report.reason}")
    if report.notice:
        warn(report.notice)
    if args.json:
        emit_json(report.to_json())
    else:
        print(f"{report.added} added, {report.updated} updated, {report.removed} removed, "
              f"{report.unchanged} unchanged in {report.seconds:.2f} s ({report.documents} documents indexed)")
    return 0
