"""``parallax import PATH...``: bring files and folders into the current corpus.

Progress goes to stderr; the report (``--json``: imported, skipped with reasons,
duplicates) to stdout. Exit 1 when any source was skipped, 0 otherwise.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from reader.commands.output import emit_json
from reader.commands.progress import StderrProgress
from reader.core.session import Session


def register(sub: Any, parents: list[argparse.ArgumentParser]) -> None:
    cmd = sub.add_parser("import", parents=parents,
                         help="import .txt, .md, saved .html pages, .pdf, .docx, .epub, .eml and .mbox "
                              "(files or folders) into the current corpus")
    cmd.add_argument("paths", nargs="+", metavar="PATH", help="files or folders (folders are searched recursively)")
    cmd.add_argument("--json", action="store_true",
                     help='print {"imported": [...], "skipped": [...], "duplicates": [...]}')
    cmd.add_argument("--quiet", "-q", action="store_true", help="no progress on stderr")
    cmd.add_argument("--outlet", metavar="NAME",
                     help="outlet for the documents whose source names none (asked once for the batch)")
    cmd.add_argument("--event", metavar="TEXT",
                     help="event for the documents whose source names none (the corpus's event is only offered)")
    cmd.set_defaults(func=run)


def run(args: argparse.Namespace, session: Session) -> int:
    from reader.core.importer import import_paths

    progress = StderrProgress("importing", quiet=args.quiet, every=25)

    report = import_paths(session.corpus_root, [Path(p) for p in args.paths],
                          max_mb=session.settings.get("import.max_size_mb"), progress=progress,
                          outlet=args.outlet, event=args.event)
    if not args.json and not args.quiet and sys.stdin.isatty() and report.without("outlet"):
        _ask_outlet(report)
    if args.json:
        emit_json(report.to_json())
    else:
        print(f"Into {report.corpus}:")
        for item in report.imported:
            print(f"  imported   {item.id:40} {item.title}")
        for dup in report.duplicates:
            print(f"  duplicate  {dup.path} (already in the corpus as {dup.id})")
        for skip in report.skipped:
            print(f"  skipped    {skip.path}: {skip.reason}")
        print(f"{len(report.imported)} imported, {len(report.duplicates)} duplicates, "
              f"{len(report.skipped)} skipped")
        _hints(report)
    return 1 if report.skipped else 0


def _ask_outlet(report: Any) -> None:
    """At a terminal, the outlet is asked once for every imported document that names none."""
    from reader.core.bulk_meta import bulk_edit
    from reader.core.corpus import Corpus

    missing = report.without("outlet")
    try:
        answer = input(f"{len(missing)} imported document(s) name no outlet. Outlet for them "
                       "(Enter leaves it empty): ").strip()
    except EOFError:
        return
    if answer:
        bulk_edit(Corpus(report.corpus).scan(), [i.id for i in missing], {"outlet": answer})
        for item in missing:
            item.header["outlet"] = answer


def _hints(report: Any) -> None:
    """One line each for what the whole batch still lacks, with the command that fills it."""
    no_outlet = [i.id for i in report.without("outlet")]
    if no_outlet:
        print(f"{len(no_outlet)} document(s) name no outlet: parallax corpus edit-meta "
              f"{' '.join(no_outlet[:5])}{' ...' if len(no_outlet) > 5 else ''} --set outlet=NAME "
              "(or import again with --outlet NAME)")
    no_event = [i.id for i in report.without("event")]
    if no_event and report.suggested_event:
        print(f"The corpus is about {report.suggested_event!r}; to say so for the {len(no_event)} new document(s): "
              f"parallax corpus edit-meta {' '.join(no_event[:5])}{' ...' if len(no_event) > 5 else ''} "
              f"--set event={report.suggested_event!r}")
