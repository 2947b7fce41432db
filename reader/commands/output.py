"""Small output helpers shared by the subcommands: JSON on stdout, messages on stderr.

Titles, quotes, file names and notes come from documents anyone can write, so a crafted
title could carry terminal escape sequences (retitle the window, hide text, fake a
prompt). Everything the CLI prints goes through :class:`SafeText` (installed around each
command by ``reader.cli``), which drops control characters except tab and newline; JSON
output escapes them instead, so the data stays exact.
"""

from __future__ import annotations

import contextlib
import json
import re
import sys
from collections.abc import Iterator
from typing import Any, TextIO

#: CSI and OSC sequences whole (so no stray "[31m" is left), then any other C0/C1 control.
_ESCAPES = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|\x9b[0-?]*[ -/]*[@-~]")
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_CONTROLS_BUT_CR = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
#: Characters json.dumps(ensure_ascii=False) leaves raw that a terminal would act on.
_RAW_IN_JSON = re.compile(r"[\x7f-\x9f]")


def strip_controls(text: str, *, keep_cr: bool = False) -> str:
    """``text`` without escape sequences or control characters (tab and newline kept;
    carriage return too with ``keep_cr``, for progress lines on stderr)."""
    return (_CONTROLS_BUT_CR if keep_cr else _CONTROLS).sub("", _ESCAPES.sub("", text))


class SafeText:
    """A text stream that strips control characters from everything written to it."""

    def __init__(self, stream: TextIO, *, keep_cr: bool = False) -> None:
        self._stream = stream
        self._keep_cr = keep_cr

    def write(self, text: str) -> int:
        self._stream.write(strip_controls(text, keep_cr=self._keep_cr))
        return len(text)

    def writelines(self, lines: Any) -> None:
        for line in lines:
            self.write(line)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


@contextlib.contextmanager
def safe_terminal() -> Iterator[None]:
    """Within the block, stdout and stderr print no control characters."""
    out, err = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = SafeText(out), SafeText(err, keep_cr=True)
    try:
        yield
    finally:
        if isinstance(sys.stdout, SafeText):
            sys.stdout = out
        if isinstance(sys.stderr, SafeText):
            sys.stderr = err


def emit_json(data: Any) -> None:
    text = json.dumps(data, ensure_ascii=False, indent=2, default=str)
    sys.stdout.write(_RAW_IN_JSON.sub(lambda m: f"\\u{ord(m.group(0)):04x}", text))
    sys.stdout.write("\n")


def warn(message: str) -> None:
    print(f"parallax: {message}", file=sys.stderr)
