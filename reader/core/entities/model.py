"""The values the entities capability hands out: entities, aliases, mentions, candidates."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from typing import Any

from reader.core.errors import ReaderError

log = logging.getLogger(__name__)

#: The entity types a gazetteer may use (the GUI gives each a colour and an underline style).
ENTITY_TYPES: tuple[str, ...] = ("person", "organisation", "place", "group", "event", "media")

#: How an alias compares with the text: ``exact`` case, ``title`` (first letter capital, rest any
#: case) or ``ignore`` (any case). See :func:`default_case`.
CASE_MODES: tuple[str, ...] = ("exact", "title", "ignore")

ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._-]{0,79}$")
WIKIDATA_PATTERN = re.compile(r"^Q[1-9][0-9]*$")


class EntityError(ReaderError):
    """A gazetteer or overlay operation cannot be done (unknown entity, bad value...)."""


class GazetteerError(EntityError):
    """The gazetteer file as a whole cannot be read (syntax error, not a mapping)."""


def default_case(alias: str) -> str:
    """Acronyms (no lower-case letter: ``CSTO``, ``MI6``) match exactly; names starting with a
    capital match with a capital first letter only (``Turkey`` but never ``turkey``); aliases
    written in lower case (``the capital city``) match in any case."""
    if alias == alias.upper():  # no lower-case letter: an acronym (or no letters at all)
        return "exact"
    first = next((c for c in alias if c.isalpha()), "")
    return "title" if first.isupper() else "ignore"


@dataclass(frozen=True)
class Alias:
    """One spelling of an entity and how its case is compared."""

    text: str
    case: str

    def to_json(self) -> Any:
        return self.text if self.case == default_case(self.text) else {"text": self.text, "case": self.case}


@dataclass(frozen=True)
class Entity:
    """One actor or place, whatever it is called in the texts."""

    id: str
    name: str
    type: str
    aliases: tuple[str, ...] = ()
    description: str = ""
    wikidata: str | None = None
    hidden: bool = False
    alias_cases: tuple[Alias, ...] = field(default=(), compare=False, repr=False)
    source: str = "corpus"  # "corpus" or "overlay" (added by the user)

    def spellings(self) -> list[Alias]:
        """The name and every alias, each with its case mode (the name first)."""
        seen: dict[str, Alias] = {}
        for item in (Alias(self.name, default_case(self.name)), *self.alias_cases):
            seen.setdefault(item.text, item)
        for text in self.aliases:
            seen.setdefault(text, Alias(text, default_case(text)))
        return list(seen.values())

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id, "name": self.name, "type": self.type, "aliases": list(self.aliases),
            "description": self.description, "wikidata": self.wikidata, "hidden": self.hidden,
        }


@dataclass(frozen=True)
class Mention:
    """One mention: ``text == document.text[start:end]`` and it refers to ``entity_id``."""

    start: int
    end: int
    entity_id: str
    text: str
    type: str

    def to_json(self) -> dict[str, Any]:
        return {"entity": self.entity_id, "type": self.type, "start": self.start, "end": self.end,
                "text": self.text}


@dataclass(frozen=True)
class Suggestion:
    entity_id: str
    name: str
    alias: str
    score: float


@dataclass(frozen=True)
class Candidate:
    """A name the gazetteer does not know: how often and where it occurs, and its closest entity."""

    text: str
    count: int
    docs: tuple[str, ...]
    suggestion: Suggestion | None
    first: tuple[str, int, int] | None = None  # (doc id, start, end) of the first occurrence
    acronym: bool = False

    def to_json(self) -> dict[str, Any]:
        sug = None
        if self.suggestion is not None:
            sug = {"entity": self.suggestion.entity_id, "name": self.suggestion.name,
                   "alias": self.suggestion.alias, "score": round(self.suggestion.score, 1)}
        return {"text": self.text, "count": self.count, "docs": list(self.docs), "suggestion": sug,
                "acronym": self.acronym}


def slugify(name: str) -> str:
    """A stable id from a name: lower case ASCII letters, digits and hyphens."""
    import unicodedata

    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")
    return slug[:60] or "entity"
