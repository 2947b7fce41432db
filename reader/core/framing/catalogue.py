"""The technique catalogue: the 14 PTC techniques as data (``techniques.yaml``), not code.

Trainers edit the YAML (names, definitions read aloud, examples, colours); the code only
needs each technique's stable ``id``. A catalogue file next to a corpus may add techniques.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from reader.core.errors import ReaderError

log = logging.getLogger(__name__)

CATALOGUE_FILE = Path(__file__).with_name("techniques.yaml")
_COLOUR = re.compile(r"^#[0-9A-Fa-f]{6}$")
_ID = re.compile(r"^[a-z][a-z0-9_]*$")


class FramingDataError(ReaderError):
    """A framing catalogue or word list file cannot be used (message names the file and entry)."""


@dataclass(frozen=True)
class Technique:
    """One technique: what a trainer reads aloud, an example, and its highlight colour."""

    id: str
    name: str
    definition: str
    example: str
    colour: str
    ptc: str = ""

    def to_json(self) -> dict[str, str]:
        return {"id": self.id, "name": self.name, "definition": self.definition,
                "example": self.example, "colour": self.colour, "ptc": self.ptc}


def parse_catalogue(data: Any, source: str) -> dict[str, Technique]:
    """Validate a parsed catalogue mapping; raise FramingDataError naming the bad entry."""
    if not isinstance(data, dict) or not isinstance(data.get("techniques"), list):
        raise FramingDataError(f"{source}: expected a mapping with a 'techniques' list")
    out: dict[str, Technique] = {}
    for n, item in enumerate(data["techniques"], 1):
        if not isinstance(item, dict):
            raise FramingDataError(f"{source}: technique #{n} is not a mapping")
        tid = str(item.get("id") or "")
        if not _ID.match(tid):
            raise FramingDataError(f"{source}: technique #{n} needs an id of lower-case letters, digits and _")
        colour = str(item.get("colour") or item.get("color") or "#777777")
        if not _COLOUR.match(colour):
            raise FramingDataError(f"{source}: technique {tid!r}: colour must look like #RRGGBB, not {colour!r}")
        name = str(item.get("name") or tid.replace("_", " ").title())
        out[tid] = Technique(tid, name, str(item.get("definition") or "").strip(),
                             str(item.get("example") or "").strip(), colour.upper(), str(item.get("ptc") or ""))
    return out


@lru_cache(maxsize=4)
def _load(path: Path, mtime: float) -> dict[str, Technique]:
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise FramingDataError(f"{path}: cannot read the technique catalogue: {exc}") from None
    return parse_catalogue(data, str(path))


def load_catalogue(path: Path | None = None) -> dict[str, Technique]:
    """Techniques by id, in file order (the shipped catalogue unless ``path`` is given)."""
    path = Path(path or CATALOGUE_FILE)
    try:
        mtime = path.stat().st_mtime
    except OSError as exc:
        raise FramingDataError(f"{path}: cannot read the technique catalogue: {exc}") from None
    return dict(_load(path, mtime))
