"""Entity mentions for alignment and lockstep: the entity service when present, else names.

Alignment and entity lockstep use the entities service (``reader.core.entities.api.EntityService``)
and degrade to words alone when its gazetteer cannot be loaded. Entity lockstep falls back to
:class:`NameMentions`, which finds an entity by the words of its id ("mukhtar-ablyazov" ->
"Mukhtar Ablyazov", then "Ablyazov"), and says so.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from reader.core.document import Document
from reader.core.errors import ReaderError

log = logging.getLogger(__name__)

#: (start, end, entity_id) spans of the canonical text
MentionSpan = tuple[int, int, str]


@dataclass
class EntityMentions:
    """Adapter over the entity service: mention spans and display names."""

    service: Any
    source: str = "entities"

    def mentions(self, doc: Document) -> list[MentionSpan]:
        return sorted((int(m.start), int(m.end), str(m.entity_id)) for m in self.service.mentions(doc))

    def label(self, entity_id: str) -> str:
        try:
            entity = self.service.entity(entity_id)
        except (ReaderError, KeyError, LookupError):
            return entity_id
        for attr in ("name", "label", "canonical", "title"):
            value = getattr(entity, attr, None)
            if isinstance(value, str) and value:
                return value
        return entity_id


def entity_service(ctx: Any) -> EntityMentions | None:
    """The entity service for this context, or None when its gazetteer cannot be loaded (the
    compare view then finds mentions by name)."""
    from reader.core.entities.api import EntityService

    try:
        return EntityMentions(EntityService.for_context(ctx))
    except (ReaderError, OSError, ValueError, TypeError, AttributeError, KeyError):
        log.warning("no entity service for lockstep; mentions are found by name", exc_info=True)
        return None


class NameMentions:
    """Mentions of one entity found by name: the id's words, or its last word, whole words only."""

    source = "names"

    def __init__(self, entity_id: str, names: list[str] | None = None) -> None:
        self.entity_id = entity_id
        words = [w for w in re.split(r"[-_\s]+", entity_id) if w]
        candidates = [*(names or []), " ".join(words)]
        if len(words) > 1:
            candidates.append(words[-1])
        alternatives = sorted({c for c in candidates if c}, key=len, reverse=True)
        body = "|".join(r"\s+".join(re.escape(p) for p in c.split()) for c in alternatives)
        self._pattern = re.compile(rf"(?<!\w)(?:{body})(?!\w)", re.IGNORECASE) if body else None

    def mentions(self, doc: Document) -> list[MentionSpan]:
        if self._pattern is None:
            return []
        return [(m.start(), m.end(), self.entity_id) for m in self._pattern.finditer(doc.text)]

    def label(self, entity_id: str) -> str:
        return " ".join(w.capitalize() for w in re.split(r"[-_\s]+", entity_id) if w)


MentionProvider = Callable[[Document], list[MentionSpan]]


def mentions_of(provider: EntityMentions | NameMentions, doc: Document, entity_id: str) -> list[tuple[int, int]]:
    """Sorted spans where ``entity_id`` is mentioned in ``doc``."""
    return sorted((s, e) for s, e, eid in provider.mentions(doc) if eid == entity_id)
