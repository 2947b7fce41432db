"""Highlight sources for handouts: the session's entity service and framing engine."""

from __future__ import annotations

from typing import TYPE_CHECKING

from reader.core.document import Document
from reader.core.lessons.handout import HandoutSources, Mark

if TYPE_CHECKING:
    from reader.core.session import Session


def handout_sources(session: Session) -> HandoutSources:
    """Marks for a handout from ``session``'s services: the ones the window shows, with the
    user's entity edits (the handout never builds services of its own)."""
    sources = HandoutSources()
    service = session.entities
    framing = session.framing

    def entity_marks(doc: Document) -> list[Mark]:
        marks = []
        for m in service.mentions(doc):
            entity = service.entity(m.entity_id)
            marks.append(Mark(m.start, m.end, "entities", m.entity_id, entity.name, str(entity.type)))
        return marks

    def framing_marks(doc: Document) -> list[Mark]:
        return [Mark(s.start, s.end, "framing", s.technique, framing.technique_name(s.technique))
                for s in framing.spans(doc)]

    sources.entity_marks = entity_marks
    sources.framing_marks = framing_marks
    sources.technique_names = {t: framing.technique_name(t) for t in framing.technique_ids()}
    return sources
