"""``parallax align A B``: the passages two documents share, with kinds, scores and spans."""

from __future__ import annotations

import argparse
from typing import Any

from reader.commands.output import emit_json
from reader.core.session import Session


def register(sub: Any, parents: list[argparse.ArgumentParser]) -> None:
    cmd = sub.add_parser("align", parents=parents, help="align the passages of two documents",
                         description="Pair the passages of two documents: shared quotations (quote), "
                                     "verbatim runs of 6+ words (verbatim) and passages about the same "
                                     "thing (similar). Offsets count in the text 'parallax show' prints.")
    cmd.add_argument("a", help="first document id")
    cmd.add_argument("b", help="second document id")
    cmd.add_argument("--json", action="store_true", help="pairs and coverage as JSON")
    cmd.add_argument("--no-entities", action="store_true", help="ignore the entities capability")
    cmd.set_defaults(func=run)


def run(args: argparse.Namespace, session: Session) -> int:
    corpus = session.corpus()
    doc_a, doc_b = corpus.document(args.a), corpus.document(args.b)
    aligner = session.aligner(use_entities=not args.no_entities)
    result = aligner.align(doc_a, doc_b)
    if args.json:
        emit_json(result.to_json(doc_a, doc_b))
        return 0
    print(f"{doc_a.meta.citation()}\n  ↔ {doc_b.meta.citation()}")
    print(f"{len(result.pairs)} pairs ({len(result.chain)} in order); "
          f"{result.coverage_a:.0%} of A and {result.coverage_b:.0%} of B have a counterpart")
    for p in result.pairs:
        mark = "=" if p.in_chain else "~"
        print(f"\n{mark} {p.kind} {p.score:.2f}  A[{p.a_start}:{p.a_end}]  B[{p.b_start}:{p.b_end}]")
        print(f"  A: {_clip(doc_a.text[p.a_start:p.a_end])}")
        print(f"  B: {_clip(doc_b.text[p.b_start:p.b_end])}")
    return 0


def _clip(text: str, width: int = 160) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= width else flat[: width - 1] + "…"
