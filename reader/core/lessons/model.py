"""The lesson model: steps that each describe one compare view and what to say about it."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from reader.core.sync_modes import KEYS as SYNC_KEYS

log = logging.getLogger(__name__)

SYNC_MODES = SYNC_KEYS  # declared once, in reader.core.sync_modes
LAYERS = ("entities", "framing", "notes")
#: which lesson layer a reader-view layer belongs to, by name prefix: the one rule deciding
#: what a presented step may draw (the live window and ``--screenshot --present`` both ask it)
LAYER_PREFIXES = (("lesson-notes", "notes"), ("entities:", "entities"), ("entity-selected", "entities"),
                  ("framing:", "framing"))
#: drawn layers that come from the analyst's own work, never from the step: hidden while presenting.
#: ``notes-*`` are all the analyst's notes: a step's ``notes`` layer is ``lesson-notes``, which
#: holds only the notes tagged :data:`LESSON_NOTE_TAG`, so a private note never reaches the room.
PRIVATE_LAYERS = ("search-hits", "notes-")
#: the tag that marks a note as meant for the room: the only notes a presented step can show
LESSON_NOTE_TAG = "lesson"


def is_lesson_note(tags: tuple[str, ...] | list[str]) -> bool:
    """Is a note with ``tags`` one the lesson may show (tagged ``#lesson``, any case)?"""
    return any(t.casefold() == LESSON_NOTE_TAG for t in tags)


@dataclass
class Step:
    """One view: documents in panes, sync, focus entity, layers, scroll anchors, prompt."""

    title: str
    documents: list[str]
    sync: str = "aligned"
    focus: str | None = None
    layers: dict[str, bool] = field(default_factory=lambda: {"entities": True, "framing": False, "notes": False})
    techniques: list[str] = field(default_factory=list)  # empty: all framing techniques
    scroll: dict[str, str] = field(default_factory=dict)  # doc id -> quoted passage at the top of the pane
    prompt: str = ""
    notes: str = ""
    reveal: list[str] = field(default_factory=list)  # layers hidden until the trainer reveals them
    comments: int = 0  # reader comments the step asks students to read: shown, and carried into the handout
    line: int = 0

    def to_yaml(self) -> dict[str, Any]:
        data: dict[str, Any] = {"title": self.title, "documents": list(self.documents), "sync": self.sync}
        if self.focus:
            data["focus"] = self.focus
        data["layers"] = dict(self.layers)
        if self.techniques:
            data["techniques"] = list(self.techniques)
        if self.scroll:
            data["scroll"] = dict(self.scroll)
        if self.prompt:
            data["prompt"] = self.prompt
        if self.notes:
            data["notes"] = self.notes
        if self.reveal:
            data["reveal"] = list(self.reveal)
        if self.comments:
            data["comments"] = self.comments
        return data

    def visible_layers(self, revealed: bool) -> dict[str, bool]:
        """Layers as shown: those listed in ``reveal`` stay off until revealed."""
        return {name: on and (revealed or name not in self.reveal) for name, on in self.layers.items()}

    def allows_layer(self, layer_name: str, revealed: bool) -> bool:
        """May a presented step draw the reader-view layer ``layer_name``?

        The analyst's notes never show; with the step's ``notes`` layer on, the notes tagged
        ``#lesson`` do (the ``lesson-notes`` layer). Entity tints and framing follow the step's
        layers (and ``reveal``); framing is limited to the step's ``techniques``.
        Layers that are no lesson layer (alignment bands, the followed entity, find) are allowed,
        except the analyst's own search hits."""
        if layer_name.startswith(PRIVATE_LAYERS):
            return False
        for prefix, layer in LAYER_PREFIXES:
            if layer_name.startswith(prefix):
                if not self.visible_layers(revealed).get(layer, False):
                    return False
                if layer == "framing" and self.techniques:
                    return layer_name[len(prefix):] in self.techniques
                return True
        return True


@dataclass
class Lesson:
    title: str
    steps: list[Step]
    audience: str = ""
    duration: str = ""
    description: str = ""
    path: Path | None = None

    def to_yaml(self) -> dict[str, Any]:
        data: dict[str, Any] = {"title": self.title}
        if self.audience:
            data["audience"] = self.audience
        if self.duration:
            data["duration"] = self.duration
        if self.description:
            data["description"] = self.description
        data["steps"] = [s.to_yaml() for s in self.steps]
        return data
