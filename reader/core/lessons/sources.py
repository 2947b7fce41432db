"""Highlight sources for handouts, taken from the entity and framing capabilities when present."""

from __future__ import annotations

from typing import Any

from reader.core.context import AppContext
from reader.core.document import Document
from reader.core.lessons.handout import HandoutSources, Mark


def handout_sources(ctx: AppContext) -> HandoutSources:
    sources = HandoutSources()
    try:
        from reader.core.entities.api import EntityService
    except ImportError:
        EntityService = None  # type: ignore[assignment,misc]
    if EntityService is not None:
        service: Any = EntityService.for_context(ctx)

        def entity_marks(doc: Document) -> list[Mark]:
            marks = []
            for m in service.mentions(doc):
                entity = service.entity(m.entity_id)
                marks.append(Mark(m.start, m.end, "entities", m.entity_id, entity.name, str(entity.type)))
            return marks

        sources.entity_marks = entity_marks
    try:
        from reader.core.framing.api import FramingService  # type: ignore[import-not-found]
    except ImportError:
        FramingService = None
    if FramingService is not None:
        framing: Any = FramingService.for_context(ctx)

        def framing_marks(doc: Document) -> list[Mark]:
            return [Mark(s.start, s.end, "framing", s.technique, framing.technique_name(s.technique))
                    for s in framing.spans(doc)]

        sources.framing_marks = framing_marks
        sources.technique_names = {t: framing.technique_name(t) for t in framing.technique_ids()}
    return sources
