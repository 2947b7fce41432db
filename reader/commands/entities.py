"""``parallax entities``: who is named where; the entity list and the user's changes to it.

``parallax entities [--json]`` lists entities with mentions per document, ``--doc ID`` lists one
document's mentions (offsets into the text ``parallax show ID --json`` prints), ``--candidates``
lists names the list does not know yet. Actions (``alias``, ``merge``, ``unmerge``, ``split``,
``reject``, ``add``, ``rename``, ``type``, ``hide``, ``unhide``, ``dismiss``, ``accept``) are stored
in the user's overlay; ``undo`` takes the last one back. ``recognise`` runs the shipped model over
the corpus (progress on stderr); listing does it first when the corpus changed.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from reader.commands.output import emit_json, warn
from reader.commands.progress import StderrProgress
from reader.core.session import Session

TYPES = ("person", "organisation", "place", "group", "event", "media")


def register(sub: Any, parents: list[argparse.ArgumentParser]) -> None:
    ent = sub.add_parser("entities", parents=parents,
                         help="people, organisations and places named in the corpus, and where",
                         description="List entities with their mentions per document, one document's "
                                     "mentions, or names not yet in the list; edit the list.")
    ent.add_argument("--json", action="store_true", help="print JSON")
    ent.add_argument("--doc", metavar="ID", help="the mentions in one document (offsets into its text)")
    ent.add_argument("--candidates", action="store_true",
                     help="names and acronyms not in the list, each with its closest entity")
    ent.add_argument("--all", action="store_true", help="include hidden entities")
    ent.set_defaults(func=run_list, entities_action=None)
    actions = ent.add_subparsers(dest="entities_action", metavar="ACTION")

    def action(name: str, help_text: str) -> argparse.ArgumentParser:
        p = actions.add_parser(name, parents=parents, help=help_text, description=help_text)
        p.add_argument("--json", action="store_true", help="print the changed entity as JSON")
        return p

    p = action("alias", "add a spelling to an entity (e.g. alias tokayev \"Tokaev\")")
    p.add_argument("entity", help="entity id, name or alias")
    p.add_argument("spelling", help="the new spelling")
    p.add_argument("--case", choices=("exact", "title", "ignore"), help="how case is compared")
    p.set_defaults(func=run_alias)
    p = action("unalias", "remove a spelling from an entity")
    p.add_argument("entity")
    p.add_argument("spelling")
    p.set_defaults(func=run_unalias)
    p = action("merge", "merge entity A into entity B: A's spellings count for B")
    p.add_argument("source", metavar="A")
    p.add_argument("target", metavar="B")
    p.set_defaults(func=run_merge)
    p = action("add", "add a new entity")
    p.add_argument("name")
    p.add_argument("--type", choices=TYPES, default="person")
    p.add_argument("--alias", action="append", default=[], metavar="SPELLING", help="repeatable")
    p.add_argument("--description", default="")
    p.add_argument("--id", dest="entity_id", help="the id (default: made from the name)")
    p.set_defaults(func=run_add)
    p = action("rename", "change an entity's canonical name")
    p.add_argument("entity")
    p.add_argument("name")
    p.set_defaults(func=run_rename)
    p = action("type", "change an entity's type")
    p.add_argument("entity")
    p.add_argument("type", choices=TYPES)
    p.set_defaults(func=run_type)
    p = action("describe", "set an entity's description")
    p.add_argument("entity")
    p.add_argument("description")
    p.set_defaults(func=run_describe)
    for name, hidden in (("hide", True), ("unhide", False)):
        p = action(name, f"{name} an entity (its mentions are {'no longer' if hidden else 'again'} shown)")
        p.add_argument("entity")
        p.set_defaults(func=run_hide, hidden=hidden)
    p = action("dismiss", "never propose this candidate name again")
    p.add_argument("text")
    p.add_argument("--undo", action="store_true", help="propose it again")
    p.set_defaults(func=run_dismiss)
    p = action("recognise", "recognise people, organisations and places in every document "
                            "(cached; progress on stderr)")
    p.add_argument("--workers", type=int, default=2, help="worker processes (default 2)")
    p.set_defaults(func=run_recognise)
    p = action("unmerge", "undo a merge of A (into B): A is its own entity again")
    p.add_argument("source", metavar="A")
    p.add_argument("target", metavar="B", nargs="?")
    p.set_defaults(func=run_unmerge)
    p = action("split", "take a spelling out of an entity (it becomes its own entity)")
    p.add_argument("entity")
    p.add_argument("spelling")
    p.set_defaults(func=run_split)
    p = action("reject", "a recognised text is not a name: drop its mentions (anywhere, or --doc ID)")
    p.add_argument("text")
    p.add_argument("--doc", dest="reject_doc", metavar="ID", help="only in this document")
    p.add_argument("--undo", action="store_true", help="recognise it again")
    p.set_defaults(func=run_reject)
    p = action("undo", "take back your last change to the entity list")
    p.set_defaults(func=run_undo)
    p = action("accept", "accept a candidate: as an alias of its suggested entity (or --as ENTITY), "
                         "or as a new entity (--new --type T)")
    p.add_argument("text")
    p.add_argument("--as", dest="as_entity", metavar="ENTITY")
    p.add_argument("--new", action="store_true", help="make it a new entity")
    p.add_argument("--type", choices=TYPES, default="person")
    p.set_defaults(func=run_accept)


def _service(session: Session) -> Any:
    svc = session.entities
    for notice in svc.notices:
        warn(notice)
    return svc


def _ensure_recognised(svc: Any, docs: list[Any]) -> None:
    if svc.needs_recognition(docs):
        svc.recognise(docs, progress=StderrProgress("recognising entities"))


def run_recognise(args: argparse.Namespace, session: Session) -> int:
    svc = _service(session)
    corpus = session.corpus()
    docs = [corpus.document(m.id) for m in corpus.metas()]
    report = svc.recognise(docs, progress=StderrProgress("recognising entities"), workers=max(1, args.workers))
    if args.json:
        emit_json(report.to_json())
    else:
        print(f"{report.documents} documents ({report.recognised} read by the model), {report.mentions} "
              f"recognised mentions of {report.entities} entities in {report.seconds:.1f} s")
    return 0


def run_list(args: argparse.Namespace, session: Session) -> int:
    svc = _service(session)
    status = 1 if any(p.severity == "error" for p in svc.problems) else 0
    corpus = session.corpus()
    docs = [corpus.document(m.id) for m in corpus.metas()]
    _ensure_recognised(svc, docs)
    if args.doc:
        doc = corpus.document(args.doc)
        pairs = svc.mention_origins(doc)
        mentions = [m for m, _o in pairs]
        if args.json:
            emit_json({"doc": doc.id, "content_hash": doc.content_hash,
                       "mentions": [dict(m.to_json(), origin=o) for m, o in pairs]})
        else:
            for m, origin in pairs:
                print(f"{m.start:>7} {m.end:>7}  {m.type:12} {origin:10} {m.entity_id:28} {m.text}")
            print(f"{len(mentions)} mentions of {len({m.entity_id for m in mentions})} entities in {doc.id}")
        return status
    if args.candidates:
        cands = svc.candidates()
        if args.json:
            emit_json({"candidates": [c.to_json() for c in cands]})
        else:
            for c in cands:
                sug = (f"  -> {c.suggestion.name} ({c.suggestion.entity_id}, {c.suggestion.score:.0f})"
                       if c.suggestion else "")
                print(f"{c.count:>4}  {c.text}  [{', '.join(c.docs)}]{sug}")
            print(f"{len(cands)} candidates; accept with `parallax entities accept TEXT`, "
                  "dismiss with `parallax entities dismiss TEXT`")
        return status
    counts = svc.counts(docs)
    ents = svc.entities(include_hidden=args.all)
    if args.json:
        emit_json({
            "documents": [d.id for d in docs],
            "entities": [dict(e.to_json(), origin=svc.origin(e.id), mentions=counts.get(e.id, {}),
                              total=sum(counts.get(e.id, {}).values())) for e in ents],
        })
    else:
        ents = sorted(ents, key=lambda e: (-sum(counts.get(e.id, {}).values()), e.name.casefold()))
        for e in ents:
            row = counts.get(e.id, {})
            print(f"{sum(row.values()):>5}  {len(row)}/{len(docs)} docs  {e.type:12} {e.id:28} {e.name}")
        print(f"{len(ents)} entities in {len(docs)} documents")
    return status


def _emit_entity(args: argparse.Namespace, entity: Any, message: str) -> int:
    if args.json:
        emit_json({"entity": entity.to_json()})
    else:
        print(message)
    return 0


def run_alias(args: argparse.Namespace, session: Session) -> int:
    svc = _service(session)
    entity = svc.add_alias(svc.find(args.entity).id, args.spelling, args.case)
    return _emit_entity(args, entity, f"{args.spelling!r} is now a spelling of {entity.name} ({entity.id})")


def run_unalias(args: argparse.Namespace, session: Session) -> int:
    svc = _service(session)
    entity = svc.remove_alias(svc.find(args.entity).id, args.spelling)
    return _emit_entity(args, entity, f"{args.spelling!r} is no longer a spelling of {entity.name}")


def run_merge(args: argparse.Namespace, session: Session) -> int:
    svc = _service(session)
    source = svc.find(args.source)
    entity = svc.merge(source.id, svc.find(args.target).id)
    return _emit_entity(args, entity, f"merged {source.name} ({source.id}) into {entity.name} ({entity.id})")


def run_add(args: argparse.Namespace, session: Session) -> int:
    svc = _service(session)
    entity = svc.add_entity(args.name, args.type, args.alias, args.description, args.entity_id)
    return _emit_entity(args, entity, f"added {entity.name} ({entity.id}, {entity.type})")


def run_rename(args: argparse.Namespace, session: Session) -> int:
    svc = _service(session)
    entity = svc.rename(svc.find(args.entity).id, args.name)
    return _emit_entity(args, entity, f"{entity.id} is now called {entity.name}")


def run_type(args: argparse.Namespace, session: Session) -> int:
    svc = _service(session)
    entity = svc.set_type(svc.find(args.entity).id, args.type)
    return _emit_entity(args, entity, f"{entity.name} is now a {entity.type}")


def run_describe(args: argparse.Namespace, session: Session) -> int:
    svc = _service(session)
    entity = svc.describe(svc.find(args.entity).id, args.description)
    return _emit_entity(args, entity, f"description of {entity.name} set")


def run_hide(args: argparse.Namespace, session: Session) -> int:
    svc = _service(session)
    entity = svc.hide(svc.find(args.entity).id, args.hidden)
    return _emit_entity(args, entity, f"{entity.name} is {'hidden' if entity.hidden else 'shown'}")


def run_dismiss(args: argparse.Namespace, session: Session) -> int:
    svc = _service(session)
    svc.dismiss(args.text, not args.undo)
    if args.json:
        emit_json({"dismissed": sorted(svc.dismissed)})
    else:
        print(f"{args.text!r} will {'be proposed again' if args.undo else 'no longer be proposed'}")
    return 0


def run_unmerge(args: argparse.Namespace, session: Session) -> int:
    svc = _service(session)
    source = args.source
    ops = svc.overlay.ops if svc.overlay is not None else []
    if not any(op.get("op") == "merge" and op.get("from") == source for op in ops):
        source = svc.find(args.source).id  # a name or alias typed instead of the merged id
    target = svc.find(args.target).id if args.target else None
    entity = svc.unmerge(source, target)
    return _emit_entity(args, entity, f"{entity.name} ({entity.id}) is its own entity again")


def run_split(args: argparse.Namespace, session: Session) -> int:
    svc = _service(session)
    entity = svc.find(args.entity)
    back = svc.split(entity.id, args.spelling)
    if args.json:
        emit_json({"entity": svc.entity(entity.id).to_json(), "split": back.to_json() if back else None})
    else:
        print(f"{args.spelling!r} is no longer counted as {entity.name}")
    return 0


def run_reject(args: argparse.Namespace, session: Session) -> int:
    svc = _service(session)
    svc.reject(args.text, args.reject_doc, rejected=not args.undo)
    where = f" in {args.reject_doc}" if args.reject_doc else ""
    if args.json:
        emit_json({"text": args.text, "doc": args.reject_doc, "rejected": not args.undo})
    else:
        print(f"{args.text!r}{where} is {'recognised again' if args.undo else 'no longer an entity'}")
    return 0


def run_undo(args: argparse.Namespace, session: Session) -> int:
    svc = _service(session)
    op = svc.undo()
    if args.json:
        emit_json({"undone": {k: v for k, v in op.items() if k != "at"}})
    else:
        what = ", ".join(f"{k}={v}" for k, v in op.items() if k not in ("op", "at"))
        print(f"undone: {op.get('op')} {what}")
    return 0


def run_accept(args: argparse.Namespace, session: Session) -> int:
    svc = _service(session)
    if args.new:
        entity = svc.add_entity(args.text, args.type)
        return _emit_entity(args, entity, f"added {entity.name} ({entity.id}, {entity.type})")
    if args.as_entity:
        target = svc.find(args.as_entity)
    else:
        match = next((c for c in svc.candidates() if c.text.casefold() == args.text.casefold()), None)
        if match is None or match.suggestion is None:
            print(f"parallax: no suggestion for {args.text!r}; use --as ENTITY or --new", file=sys.stderr)
            return 2
        target = svc.entity(match.suggestion.entity_id)
    entity = svc.add_alias(target.id, args.text)
    return _emit_entity(args, entity, f"{args.text!r} is now a spelling of {entity.name} ({entity.id})")
