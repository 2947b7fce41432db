"""Small output helpers shared by the subcommands: JSON on stdout, messages on stderr."""

from __future__ import annotations

import json
import sys
from typing import Any


def emit_json(data: Any) -> None:
    json.dump(data, sys.stdout, ensure_ascii=False, indent=2, default=str)
    sys.stdout.write("\n")


def warn(message: str) -> None:
    print(f"parallax: {message}", file=sys.stderr)
