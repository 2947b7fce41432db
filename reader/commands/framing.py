"""``parallax framing``: framing highlights of a document, outlet profiles, and list edits.

Offsets count in the text ``parallax show ID --json`` prints. List edits go to the user
overlay (``<data dir>/overlays/framing.yaml``), never to the shipped lists.
"""

from __future__ import annotations

import argparse
from typing import Any

from reader.commands.output import emit_json
from reader.core.session import Session

ACTIONS = ("add-term", "remove-term", "move-term", "mute", "unmute", "techniques", "rules")


def register(sub: Any, parents: list[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "framing", parents=parents, help="framing highlights, outlet profiles, word-list edits",
        description="Show framing spans of a document (--doc), profiles per outlet (--profile), or change the "
                    "word lists: add-term TERM TECHNIQUE, remove-term TERM, move-term TERM TECHNIQUE, "
                    "mute RULE, unmute RULE; list techniques or rules.")
    p.add_argument("action", nargs="?", choices=ACTIONS, help="an edit or a listing (optional)")
    p.add_argument("values", nargs="*", help="the term, technique or rule for the action")
    p.add_argument("--doc", metavar="ID", help="framing spans and profile of one document")
    p.add_argument("--profile", action="store_true", help="per-outlet profiles (spans per 1,000 words)")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(func=run)


def run(args: argparse.Namespace, session: Session) -> int:
    engine = session.framing
    for notice in engine.notices:
        print(f"parallax: {notice}", file=__import__("sys").stderr)
    if args.action:
        return _action(args, engine)
    if args.doc:
        return _doc(args, session, engine)
    if args.profile:
        return _profile(args, session, engine)
    print("parallax framing: give --doc ID, --profile, or an action (see --help)", file=__import__("sys").stderr)
    return 2


def _action(args: argparse.Namespace, engine: Any) -> int:
    from reader.core.errors import ReaderError

    vals = args.values
    need = {"add-term": 2, "move-term": 2, "remove-term": 1, "mute": 1, "unmute": 1, "techniques": 0, "rules": 0}
    if len(vals) != need[args.action]:
        raise ReaderError(f"framing {args.action} takes {need[args.action]} value(s), got {len(vals)}")
    result: dict[str, Any]
    if args.action == "techniques":
        techs = [t.to_json() for t in engine.catalogue.values()]
        if args.json:
            emit_json({"techniques": techs})
        else:
            for t in techs:
                print(f"{t['id']:<28} {t['colour']}  {t['name']}\n    {t['definition']}\n    e.g. {t['example']}")
        return 0
    if args.action == "rules":
        rules = [{"rule": r, "technique": t, "explanation": why, "muted": r in engine.muted}
                 for r, (t, why) in sorted(engine.rules().items())]
        if args.json:
            emit_json({"rules": rules})
        else:
            for r in rules:
                print(f"{r['rule']:<28} {r['technique']:<22} {'(muted) ' if r['muted'] else ''}{r['explanation']}")
        return 0
    if args.action == "add-term":
        result = {"added": vals[0], "technique": engine.add_term(vals[0], vals[1])}
    elif args.action == "move-term":
        result = {"moved": vals[0], "technique": engine.move_term(vals[0], vals[1])}
    elif args.action == "remove-term":
        engine.remove_term(vals[0])
        result = {"removed": vals[0]}
    else:
        engine.mute(vals[0], args.action == "mute")
        result = {args.action + "d": vals[0]}
    result["overlay"] = str(engine.overlay.path)
    if args.json:
        emit_json(result)
    else:
        print(", ".join(f"{k}: {v}" for k, v in result.items()))
    return 0


def _doc(args: argparse.Namespace, session: Session, engine: Any) -> int:
    doc = session.corpus().document(args.doc)
    spans = engine.spans(doc)
    prof = engine.profile(doc)
    if args.json:
        emit_json({"doc": doc.id, "content_hash": doc.content_hash,
                   "spans": [s.to_json(doc.text) for s in spans],
                   "profile": prof.per_1000(), "counts": prof.counts, "words": prof.words})
        return 0
    print(f"{doc.meta.title}  ({doc.meta.outlet}, {prof.words} words)")
    for s in spans:
        text = doc.text[s.start:s.end].replace("\n", " ")
        print(f"{s.start:>6}-{s.end:<6} {engine.catalogue[s.technique].name:<26} {s.rule:<22} {text}")
    print("\nper 1,000 words: " + ", ".join(f"{engine.catalogue[t].name} {v:.1f}"
                                             for t, v in prof.per_1000().items() if v))
    return 0


def _profile(args: argparse.Namespace, session: Session, engine: Any) -> int:
    corpus = session.corpus()
    profiles = engine.outlet_profiles(corpus.documents())
    if args.json:
        emit_json({"techniques": {t.id: t.name for t in engine.catalogue.values()},
                   "outlets": {o: {"words": p.words, "counts": p.counts, "per_1000_words": p.per_1000()}
                               for o, p in profiles.items()}})
        return 0
    shown = [t for t in engine.catalogue if any(p.counts.get(t) for p in profiles.values())]
    width = max((len(o) for o in profiles), default=6)
    print(f"{'outlet':<{width}}  {'words':>6}  " + "  ".join(f"{t[:10]:>10}" for t in shown))
    for outlet, p in profiles.items():
        rates = p.per_1000()
        print(f"{outlet:<{width}}  {p.words:>6}  " + "  ".join(f"{rates[t]:>10.1f}" for t in shown))
    print("\n(spans per 1,000 words of article text; reader comments are not counted)")
    return 0
