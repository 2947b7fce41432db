"""Run the benchmarks and print a table: ``python -m bench [NAME ...]``."""

from __future__ import annotations

import importlib
import logging
import pkgutil
import sys
from pathlib import Path

from bench.common import Row

log = logging.getLogger(__name__)


def main(argv: list[str]) -> int:
    names = sorted(m.name[len("bench_"):] for m in pkgutil.iter_modules([str(Path(__file__).parent)])
                   if m.name.startswith("bench_"))
    chosen = argv or names
    unknown = set(chosen) - set(names)
    if unknown:
        print(f"unknown benchmark(s): {', '.join(sorted(unknown))}; available: {', '.join(names)}", file=sys.stderr)
        return 2
    rows: list[Row] = []
    for name in chosen:
        print(f"running {name} …", file=sys.stderr, flush=True)
        rows.extend(importlib.import_module(f"bench.bench_{name}").run())
    width = max(len(r.name) for r in rows) if rows else 10
    print(f"{'measurement':<{width}}  {'value':>12}  {'unit':<6}  {'target':<14}  {'met':<7}  note")
    print("-" * (width + 50))
    for r in rows:
        met = "" if r.ok is None else ("met" if r.ok else "NOT met")
        print(f"{r.name:<{width}}  {r.value:>12.4g}  {r.unit:<6}  {r.target:<14}  {met:<7}  {r.note}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
