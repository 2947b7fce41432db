"""The compare view's entity lockstep: every pane follows one entity from mention to mention.

One of the compare view's four jobs. The mentions come from the session's entity service,
the same one the Entities dock edits, so an alias added there reaches the follow list and the
highlights of every pane at once (:meth:`EntityLockstep.on_entities_edited`).
"""

from __future__ import annotations

import contextlib
import logging
from typing import TYPE_CHECKING, Any

from PySide6.QtGui import QColor

from reader.core.align.mentions import EntityMentions, NameMentions, mentions_of
from reader.core.errors import ReaderError
from reader.core.sync_modes import SCROLL_FOLLOWING
from reader.gui.compare.alignment import pane_outlet
from reader.gui.compare.scrollsync import MODES
from reader.gui.reader.layers import Layer, LayerSpan, background_format
from reader.gui.reader.view import ReaderView

if TYPE_CHECKING:
    from PySide6.QtWidgets import QComboBox

    from reader.gui.compare.panes import PaneFrame
    from reader.gui.compare.scrollsync import ScrollSync

log = logging.getLogger(__name__)


class EntityLockstep:
    """The followed entity (a mixin of :class:`~reader.gui.compare.view.CompareView`)."""

    window_: Any
    frames: list[PaneFrame]
    sync: ScrollSync
    entity_id: str
    entity_combo: QComboBox
    mode_combo: QComboBox
    _entity_pos: dict[int, int]
    _mention_source: EntityMentions | NameMentions | None

    if TYPE_CHECKING:
        def views(self) -> list[ReaderView]: ...
        def active_view(self) -> ReaderView: ...
        def _update_chrome(self) -> None: ...

    def set_mode(self, mode: str, *, save: bool = True) -> None:
        if mode not in MODES:
            mode = "aligned"
        self.sync.mode = mode
        self.mode_combo.setCurrentIndex(MODES.index(mode))
        if save:
            with contextlib.suppress(ReaderError):
                self.window_.settings.set("compare.sync", mode, save=self.window_.persist)
        if mode == "entity":
            self._fill_entities()
            if self.entity_id:
                self._apply_entity_layer()
        else:
            for view in self.views():
                view.remove_layer("lockstep")
        self._update_chrome()
        if mode in SCROLL_FOLLOWING and len(self.frames) > 1:
            self.sync.on_scrolled(self.active_view())

    def mention_source(self) -> EntityMentions | NameMentions | None:
        """The session's entity service: the one the Entities dock edits, so an alias counts at once."""
        if self._mention_source is None and self.window_.corpus is not None:
            try:
                self._mention_source = EntityMentions(self.window_.session.entities)
            except (ReaderError, OSError, ValueError) as exc:
                log.warning("following entities by name only: %s", exc)
                return None
        return self._mention_source

    def on_entities_edited(self, event: Any) -> None:
        """An alias, merge or rename anywhere: the follow list and the highlights follow at once."""
        self._entity_pos = {}
        if self.sync.mode != "entity":
            return
        self._fill_entities()
        if self.entity_id:
            self._apply_entity_layer()

    def _source_for(self, entity_id: str) -> EntityMentions | NameMentions:
        service = self.mention_source()
        if isinstance(service, EntityMentions):
            with contextlib.suppress(ReaderError, KeyError, LookupError, AttributeError):
                if service.service.entity(entity_id) is not None:
                    return service
        return NameMentions(entity_id)

    def _fill_entities(self) -> None:
        combo = self.entity_combo
        combo.clear()
        service = self.mention_source()
        counts: dict[str, int] = {}
        if service is not None:
            for view in self.views():
                if view.doc is not None:
                    with contextlib.suppress(ReaderError):
                        for _s, _e, eid in service.mentions(view.doc):
                            counts[eid] = counts.get(eid, 0) + 1
        for eid in sorted(counts, key=lambda e: -counts[e])[:200]:
            combo.addItem(f"{service.label(eid) if service else eid} ({counts[eid]})", eid)
        if self.entity_id and combo.findData(self.entity_id) < 0:
            combo.insertItem(0, NameMentions(self.entity_id).label(self.entity_id), self.entity_id)
        if self.entity_id:
            combo.setCurrentIndex(combo.findData(self.entity_id))

    def set_entity(self, entity_id: str, *, go_first: bool = True, save: bool = True) -> None:
        """Follow ``entity_id``; every pane goes to its first mention."""
        if not entity_id:
            return
        self.entity_id = entity_id
        with contextlib.suppress(ReaderError):
            self.window_.settings.set("compare.entity", entity_id, save=save and self.window_.persist)
        if self.sync.mode == "entity":
            self._fill_entities()
        self._apply_entity_layer()
        self._entity_pos = {}
        if go_first:
            self.step_entity(+1)

    def entity_mentions(self, view: ReaderView) -> list[tuple[int, int]]:
        if view.doc is None or not self.entity_id:
            return []
        return mentions_of(self._source_for(self.entity_id), view.doc, self.entity_id)

    def _apply_entity_layer(self) -> None:
        fmt = background_format(QColor(255, 196, 61, 150))
        fmt.setFontUnderline(True)
        for view in self.views():
            spans = [LayerSpan(s, e, self.entity_id, f"Followed entity: {self.entity_id}")
                     for s, e in self.entity_mentions(view)]
            view.set_layer(Layer("lockstep", spans, fmt, z=50))

    def step_entity(self, step: int) -> None:
        """Move every pane to its next (+1) or previous (-1) mention of the followed entity."""
        if not self.entity_id:
            self.window_.notify("Choose an entity to follow first.", 4000)
            return
        missing = []
        for view in self.views():
            spans = self.entity_mentions(view)
            if not spans:
                missing.append(pane_outlet(view))
                continue
            current = self._entity_pos.get(id(view), -1)
            k = max(0, min(len(spans) - 1, current + step))
            self._entity_pos[id(view)] = k
            start, end = spans[k]
            view.select_range(start, end)
        if missing:
            self.window_.notify(f"Not mentioned in: {', '.join(missing)}", 6000)
