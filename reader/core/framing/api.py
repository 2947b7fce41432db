"""The framing capability as other capabilities (lessons, handouts) use it: one small service."""

from __future__ import annotations

import logging

from reader.core.framing.engine import FramingEngine

log = logging.getLogger(__name__)


class FramingService(FramingEngine):
    """:class:`FramingEngine` plus name look-ups; build it with ``FramingService.for_context(ctx)``."""

    def technique_ids(self) -> list[str]:
        return list(self.catalogue)

    def technique_name(self, technique: str) -> str:
        tech = self.catalogue.get(technique)
        return tech.name if tech else technique

    def technique_colour(self, technique: str) -> str:
        tech = self.catalogue.get(technique)
        return tech.colour if tech else "#777777"


__all__ = ["FramingService"]
