"""``parallax lesson``: check a lesson file against the corpus (export comes with the handout module)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from reader.commands.output import emit_json
from reader.core.atomic import atomic_write_text
from reader.core.context import AppContext
from reader.core.lessons.validate import LessonError, check_lesson, load_lesson


def register(sub: Any, parents: list[argparse.ArgumentParser]) -> None:
    lesson = sub.add_parser("lesson", parents=parents, help="check, export and present lessons")
    actions = lesson.add_subparsers(dest="lesson_command", metavar="ACTION", required=True)
    check = actions.add_parser("check", parents=parents, help="validate a lesson; exit 1 on any error")
    check.add_argument("file", help="lesson YAML file")
    check.add_argument("--json", action="store_true", help="print a JSON report")
    check.set_defaults(func=run_check)
    export = actions.add_parser("export", parents=parents, help="write a handout as PDF or standalone HTML")
    export.add_argument("file", help="lesson YAML file")
    export.add_argument("--format", choices=("pdf", "html"), required=True)
    export.add_argument("--step", type=int, default=None, help="export only this step (1-based)")
    export.add_argument("-o", "--output", required=True, help="output file")
    export.set_defaults(func=run_export)


def known_names(ctx: AppContext) -> tuple[set[str] | None, set[str] | None]:
    """Entity ids and framing technique ids, when those capabilities are installed."""
    entities: set[str] | None = None
    techniques: set[str] | None = None
    try:
        from reader.core.entities.api import EntityService

        entities = {e.id for e in EntityService.for_context(ctx).entities()}
    except ImportError:
        pass
    try:
        from reader.core.framing.catalogue import load_catalogue

        techniques = set(load_catalogue())
    except ImportError:
        pass
    return entities, techniques


def run_check(args: argparse.Namespace, ctx: AppContext) -> int:
    path = Path(args.file)
    try:
        lesson, problems = load_lesson(path)
    except LessonError as exc:
        problems = exc.problems
        lesson = None
    if lesson is not None:
        entities, techniques = known_names(ctx)
        problems = problems + check_lesson(lesson, ctx.corpus(), entities, techniques)
    errors = [p for p in problems if p.severity == "error"]
    if args.json:
        emit_json({"lesson": str(path), "title": lesson.title if lesson else None,
                   "steps": len(lesson.steps) if lesson else 0, "problems": [p.to_json() for p in problems]})
    else:
        for p in problems:
            print(p)
        steps = len(lesson.steps) if lesson else 0
        print(f"{path}: {steps} steps, {len(errors)} errors, {len(problems) - len(errors)} warnings")
    return 1 if errors else 0


def run_export(args: argparse.Namespace, ctx: AppContext) -> int:
    from reader.core.lessons.handout import handout_html
    from reader.core.lessons.sources import handout_sources

    lesson, problems = load_lesson(Path(args.file))
    corpus = ctx.corpus()
    problems += check_lesson(lesson, corpus)
    for p in problems:
        print(f"parallax: {p}", file=sys.stderr)
    if args.step is not None and not 1 <= args.step <= len(lesson.steps):
        print(f"parallax: --step must be between 1 and {len(lesson.steps)}", file=sys.stderr)
        return 2
    html = handout_html(lesson, corpus, handout_sources(ctx), step=args.step)
    out = Path(args.output)
    out.parent.mkdir(parents=True, exist_ok=True)
    if args.format == "html":
        atomic_write_text(out, html)
        print(f"wrote {out}", file=sys.stderr)
    else:
        from reader.gui.lessons.handout_pdf import lesson_to_pdf

        pages = lesson_to_pdf(lesson, corpus, handout_sources(ctx), out, step=args.step)
        print(f"wrote {out} ({pages} pages)", file=sys.stderr)
    return 1 if any(p.severity == "error" for p in problems) else 0
