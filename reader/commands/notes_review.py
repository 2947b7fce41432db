"""``parallax notes review``: every note whose place changed, before and after; accept or re-attach.

Listing re-anchors first (as ``notes list`` does), so "now" is the current text. The
rules live in :mod:`reader.core.notes.review`; this is only its command-line face.
"""

from __future__ import annotations

import argparse
from typing import Any

from reader.commands.output import emit_json, warn


def register(actions: Any, parents: list[argparse.ArgumentParser]) -> None:
    """Add ``review`` (with ``accept`` and ``reattach``) to the ``notes`` actions."""
    review = actions.add_parser(
        "review", parents=parents,
        help="notes whose place changed (moved, fuzzy, needs-review, orphan): before and after")
    review.add_argument("--doc", metavar="ID", help="only this document")
    review.add_argument("--json", action="store_true", help='{"notes": [{"before": ..., "after": ...}]}')
    review.set_defaults(func=run_review)
    steps = review.add_subparsers(dest="review_command", metavar="STEP")

    accept = steps.add_parser("accept", parents=parents, help="keep the new place of these notes (anchored)")
    accept.add_argument("ids", nargs="*", metavar="ID", help="note ids (or their first characters)")
    accept.add_argument("--all", action="store_true",
                        help="every moved or fuzzy note (not needs-review guesses, not orphans)")
    accept.add_argument("--json", action="store_true")
    accept.set_defaults(func=run_accept)

    reattach = steps.add_parser("reattach", parents=parents, help="put a note on the passage [START, END)")
    reattach.add_argument("id", help="note id (or its first characters)")
    reattach.add_argument("--start", type=int, required=True, metavar="S", help="character offset (from 0)")
    reattach.add_argument("--end", type=int, required=True, metavar="E", help="offset one past the last character")
    reattach.add_argument("--doc", metavar="ID", help="another document (default: the note's own)")
    reattach.add_argument("--json", action="store_true")
    reattach.set_defaults(func=run_reattach)


def _session(fn: Any) -> Any:
    from reader.commands.notes import _with_session

    return _with_session(fn)


def _clip(place: Any, width: int = 70) -> str:
    quote = " ".join(place.quote.split())
    return (quote[:width - 1] + "…") if len(quote) > width else quote


def _where(place: Any) -> str:
    return "—" if place is None or place.start is None else f"{place.start}-{place.end}"


def _pending(s: Any, doc: str | None) -> list[Any]:
    from reader.core.notes.review import pending

    s.current(doc)  # re-anchor to the current text first
    return pending(s.store, s.corpus, s.key, doc)


@_session
def run_review(args: argparse.Namespace, s: Any) -> int:
    items = _pending(s, args.doc)
    if args.json:
        emit_json({"notes": [item.to_json() for item in items]})
        return 0
    for item in items:
        note = item.note
        print(f"{note.id[:8]}  {note.doc}  {note.status}" + ("" if item.confident else "  (needs your decision)"))
        print(f"    before {_where(item.before):>13}  \"{_clip(item.before)}\"")
        if item.after is None:
            print(f"    now    {'—':>13}  (not found in the current text)")
        else:
            print(f"    now    {_where(item.after):>13}  \"{_clip(item.after)}\"")
    undecided = sum(not item.confident for item in items)
    if items:
        print(f"{len(items)} notes to review, {undecided} need a decision: `notes review accept ID` keeps the new "
              "place, `notes review reattach ID --start S --end E` chooses another")
    else:
        print("0 notes to review: every note is where you left it")
    return 0


@_session
def run_accept(args: argparse.Namespace, s: Any) -> int:
    from reader.core.notes.anchoring import FUZZY, MOVED
    from reader.core.notes.review import accept

    if args.all:
        targets = [item.note for item in _pending(s, None) if item.note.status in (MOVED, FUZZY)]
    elif args.ids:
        s.current()
        targets = [s.store.resolve(i) for i in args.ids]
    else:
        warn("name the notes to accept (IDs), or give --all for every moved or fuzzy note")
        return 2
    done = [accept(s.store, s.corpus, note) for note in targets]
    if args.json:
        emit_json({"accepted": [n.to_json() for n in done]})
    else:
        for note in done:
            print(f"{note.id}  anchored at {note.start}-{note.end}")
        print(f"accepted {len(done)} notes")
    return 0


@_session
def run_reattach(args: argparse.Namespace, s: Any) -> int:
    from reader.core.notes.review import reattach

    s.current()
    note = reattach(s.store, s.corpus, s.store.resolve(args.id), args.start, args.end, args.doc)
    if args.json:
        emit_json(note.to_json())
    else:
        print(f"{note.id} attached to {note.doc} [{note.start}, {note.end}): \"{' '.join(note.exact.split())[:70]}\"")
    return 0
