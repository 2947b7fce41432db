"""Progress of long CLI work on stderr: one rewritten line on a terminal, sparse lines in a log.

Every command that takes a while (index, import, recognise, research batches, team push and
sync) reports through this one printer, so they all read alike: ``label: 1,200/20,000 (850/s,
about 20 s left)``. On a terminal the line is rewritten at most ten times a second (printing
every document of a 20,000-document build cost more than some of the work). Piped into a log,
where ``\\r`` makes a mess, it is silent unless asked for a line every ``every`` items (and the last).
stdout is never touched: it carries the command's result (``--json``).
"""

from __future__ import annotations

import sys
import time
from typing import Any, TextIO

#: Seconds between two rewrites of the terminal line.
REFRESH_S = 0.1


def _eta(seconds: float) -> str:
    if seconds < 60:
        return f"{seconds:.0f} s"
    minutes, secs = divmod(int(seconds), 60)
    return f"{minutes} min {secs:02d} s" if minutes < 60 else f"{minutes // 60} h {minutes % 60:02d} min"


class StderrProgress:
    """A ``progress(done, total)`` callback (extra leading arguments are ignored)."""

    def __init__(self, label: str, *, quiet: bool = False, every: int | None = None,
                 stream: TextIO | None = None) -> None:
        self.label = label
        self.stream = stream or sys.stderr
        self.quiet = quiet
        self.every = every
        self.tty = self.stream.isatty()
        self.shown = False  # a terminal line is open (needs its newline)
        self._started = time.monotonic()
        self._last = 0.0
        self._final: tuple[int, int] | None = None  # the completed figure last printed

    def line(self, done: int, total: int) -> str:
        text = f"{self.label}: {done:,}/{total:,}"
        elapsed = time.monotonic() - self._started
        if 0 < done < total and elapsed >= 1.0:
            rate = done / elapsed
            text += f" ({rate:,.0f}/s, about {_eta((total - done) / rate)} left)"
        return text

    def __call__(self, *args: Any) -> None:
        done, total = int(args[-2]), int(args[-1])
        if self.quiet or total <= 0 or (done, total) == self._final:
            return
        final = done >= total
        if final:
            self._final = (done, total)
        elif self._final is not None:  # a next phase (push: documents, then notes) starts anew
            self._final, self._started, self._last = None, time.monotonic(), 0.0
        if self.tty:
            now = time.monotonic()
            if not final and now - self._last < REFRESH_S:
                return
            self._last = now
            print(f"\r{self.line(done, total)}\x1b[K", end="\n" if final else "", file=self.stream, flush=True)
            self.shown = not final
        elif self.every and (final or done % self.every == 0):
            print(self.line(done, total), file=self.stream, flush=True)

    def finish(self) -> None:
        """End an open terminal line (work that stopped short of its total)."""
        if self.shown:
            print(file=self.stream, flush=True)
            self.shown = False
