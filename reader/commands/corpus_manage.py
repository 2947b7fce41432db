"""``parallax corpus new|list|use|copy-sample|edit-meta``: the user's own corpora.

Registered from ``reader.commands.corpus`` so every corpus action lives under one command.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from reader.commands.output import emit_json
from reader.core.session import Session


def register_actions(actions: Any, parents: list[argparse.ArgumentParser]) -> None:
    new = actions.add_parser("new", parents=parents,
                             help="create an empty corpus (in the data dir, or --path DIR) and make it current")
    new.add_argument("name", help="corpus name (folder name in the data dir)")
    new.add_argument("--path", metavar="DIR", help="create it in this folder instead")
    new.add_argument("--title", help="title shown in the window (default: the name)")
    new.add_argument("--event", default="", help="the event the corpus is about")
    new.add_argument("--no-switch", action="store_true", help="do not make it the current corpus")
    new.add_argument("--json", action="store_true", help="print the new corpus as JSON")
    new.set_defaults(func=run_new)

    lst = actions.add_parser("list", parents=parents, help="the sample, your corpora and recent folders")
    lst.add_argument("--json", action="store_true", help="print a JSON list")
    lst.set_defaults(func=run_list)

    use = actions.add_parser("use", parents=parents, help="make a corpus (name or folder) the current one")
    use.add_argument("corpus", help="a corpus name from 'corpus list', a folder, or 'sample'")
    use.set_defaults(func=run_use)

    copy = actions.add_parser("copy-sample", parents=parents,
                              help="an editable copy of the bundled sample in the data dir; makes it current")
    copy.add_argument("--name", default="sample", help="folder name (default: sample, sample-2...)")
    copy.add_argument("--no-switch", action="store_true", help="do not make it the current corpus")
    copy.set_defaults(func=run_copy)

    edit = actions.add_parser("edit-meta", parents=parents,
                              help="change a document's metadata (front matter); its text stays as it is")
    edit.add_argument("ids", nargs="+", metavar="ID", help="document id (several with --set)")
    edit.add_argument("--set", action="append", default=[], metavar="KEY=VALUE", dest="assign",
                      help='set a field on every ID at once, e.g. --set outlet="BBC News" (repeatable; keys: '
                           'outlet, author, published, event, language, tags, date_note, url)')
    for key in ("title", "outlet", "author", "published", "event", "date-note", "language", "url", "subtitle"):
        edit.add_argument(f"--{key}", metavar="TEXT", help=f"new {key.replace('-', ' ')} (empty removes it)")
    edit.add_argument("--json", action="store_true", help="print the updated metadata as JSON")
    edit.set_defaults(func=run_edit)


def run_new(args: argparse.Namespace, session: Session) -> int:
    from reader.core.corpora import create_corpus, remember

    root = create_corpus(session.paths, args.name, Path(args.path) if args.path else None,
                         title=args.title, event=args.event)
    if not args.no_switch:
        remember(session.settings, root)
    if args.json:
        emit_json({"name": args.name, "path": str(root), "current": not args.no_switch})
    else:
        print(f"Created {root}" + ("" if args.no_switch else " (now the current corpus)"))
    return 0


def run_list(args: argparse.Namespace, session: Session) -> int:
    from reader.core.corpora import list_corpora

    entries = list_corpora(session.paths, session.settings, session.corpus_root)
    if args.json:
        emit_json([e.to_json() for e in entries])
        return 0
    for e in entries:
        mark = "*" if e.current else " "
        ro = "  (read-only)" if e.bundled else ""
        print(f"{mark} {e.name:24} {e.documents:5} docs  {e.title}{ro}\n    {e.path}")
    return 0


def run_use(args: argparse.Namespace, session: Session) -> int:
    from reader.core.corpora import remember, resolve_corpus
    from reader.core.paths import bundled_corpus_path

    root = bundled_corpus_path() if args.corpus in ("sample", "bundled") else resolve_corpus(session.paths, args.corpus)
    remember(session.settings, root)
    print(f"Current corpus: {root}")
    return 0


def run_copy(args: argparse.Namespace, session: Session) -> int:
    from reader.core.corpora import copy_sample, remember

    root = copy_sample(session.paths, args.name)
    if not args.no_switch:
        remember(session.settings, root)
    print(f"Copied the sample corpus to {root}" + ("" if args.no_switch else " (now the current corpus)"))
    return 0


def run_edit(args: argparse.Namespace, session: Session) -> int:
    from reader.core.corpora import edit_document_meta

    if args.assign:
        return _run_bulk_edit(args, session)
    if len(args.ids) > 1:
        raise SystemExit("parallax: corpus edit-meta: several IDs take --set KEY=VALUE")
    args.id = args.ids[0]
    changes = {key: getattr(args, key) for key in ("title", "outlet", "author", "published", "event",
                                                   "date_note", "language", "url", "subtitle")
               if getattr(args, key) is not None}
    if not changes:
        raise SystemExit("parallax: corpus edit-meta: give at least one of --title, --outlet, --author, "
                         "--published, --event, ...")
    corpus = session.corpus()
    edit_document_meta(corpus, args.id, changes)
    meta = corpus.scan().meta(args.id)
    if args.json:
        emit_json(meta.to_json())
    else:
        print(f"Updated {meta.path}")
    return 0


def _run_bulk_edit(args: argparse.Namespace, session: Session) -> int:
    """``edit-meta ID... --set outlet="BBC News" --set event=...``: one change for many documents."""
    from reader.core.bulk_meta import bulk_edit, parse_assignment

    direct = [key for key in ("title", "outlet", "author", "published", "event", "date_note", "language", "url",
                              "subtitle") if getattr(args, key) is not None]
    if direct:
        raise SystemExit(f"parallax: corpus edit-meta: use --set for every field with --set (not --{direct[0]})")
    changes = dict(parse_assignment(item) for item in args.assign)
    corpus = session.corpus()
    edit = bulk_edit(corpus, args.ids, changes)
    scanned = corpus.scan()
    if args.json:
        emit_json({"changed": [scanned.meta(i).to_json() for i in edit.ids], "set": edit.changes})
    else:
        shown = ", ".join(f"{k}={v!r}" for k, v in edit.changes.items())
        print(f"Set {shown} on {len(edit.ids)} document(s)")
    return 0
