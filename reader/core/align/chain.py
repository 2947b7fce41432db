"""The monotone chain: the best-scoring set of pairs that keeps both texts in order.

Like a diff's alignment, scrolling needs anchors that never cross; the pairs that tell
something earlier in one text than the other stay for display but drive nothing. The
chain is a weighted longest increasing subsequence over non-overlapping pairs, solved in
O(n log n) with a Fenwick tree of best totals keyed by where a chain ends in B.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence

from reader.core.align.model import Pair


class _MaxTree:
    """Prefix maximum of (total, index) over positions 1..n."""

    def __init__(self, n: int) -> None:
        self.n = n
        self.tree: list[tuple[float, int]] = [(0.0, -1)] * (n + 1)

    def update(self, pos: int, value: tuple[float, int]) -> None:
        while pos <= self.n:
            if value[0] > self.tree[pos][0]:
                self.tree[pos] = value
            pos += pos & -pos

    def query(self, pos: int) -> tuple[float, int]:
        best = (0.0, -1)
        while pos > 0:
            if self.tree[pos][0] > best[0]:
                best = self.tree[pos]
            pos -= pos & -pos
        return best


def monotone_chain(pairs: Sequence[Pair]) -> list[int]:
    """Indices (into ``pairs``) of the chain with the highest total score.

    In the chain each pair starts, in both texts, at or after the end of the previous one.
    """
    n = len(pairs)
    if n == 0:
        return []
    by_a_start = sorted(range(n), key=lambda k: (pairs[k].a_start, pairs[k].a_end))
    by_a_end = sorted(range(n), key=lambda k: pairs[k].a_end)
    b_ends = sorted({p.b_end for p in pairs})
    tree = _MaxTree(len(b_ends))
    total = [0.0] * n
    back = [-1] * n
    released = 0
    for k in by_a_start:
        p = pairs[k]
        while released < n and pairs[by_a_end[released]].a_end <= p.a_start:
            r = by_a_end[released]
            tree.update(_rank(b_ends, pairs[r].b_end), (total[r], r))
            released += 1
        best, prev = tree.query(bisect_right(b_ends, p.b_start))
        total[k] = best + p.score
        back[k] = prev
    end = max(range(n), key=lambda k: total[k])
    chain = []
    while end != -1:
        chain.append(end)
        end = back[end]
    return chain[::-1]


def _rank(sorted_values: list[int], value: int) -> int:
    return bisect_right(sorted_values, value)


def anchor_points(chain: Sequence[Pair], len_a: float, len_b: float) -> list[tuple[float, float]]:
    """Corresponding positions ``(a, b)`` from the chain, both ends of each pair, plus the ends."""
    points = [(0.0, 0.0)]
    for p in chain:
        for a, b in ((p.a_start, p.b_start), (p.a_end, p.b_end)):
            if a >= points[-1][0] and b >= points[-1][1]:
                points.append((float(a), float(b)))
    if len_a >= points[-1][0] and len_b >= points[-1][1]:
        points.append((float(len_a), float(len_b)))
    return points


def interpolate(points: Sequence[tuple[float, float]], x: float) -> float:
    """Map a position in A to B, linearly between the surrounding anchors (monotone)."""
    if not points:
        return x
    xs = [p[0] for p in points]
    k = bisect_right(xs, x) - 1
    if k < 0:
        return points[0][1]
    if k >= len(points) - 1:
        return points[-1][1]
    (x0, y0), (x1, y1) = points[k], points[k + 1]
    if x1 <= x0:
        return y1
    return y0 + (x - x0) / (x1 - x0) * (y1 - y0)
