"""The entities capability for every caller: CLI, GUI, search, side-by-side.

``EntityService.for_context(ctx)`` reads the corpus gazetteer (``<corpus>/entities.yaml``)
and the user's overlay (``<data dir>/overlays/<corpus key>/entities.yaml``), builds one
matcher, and answers ``entities()``, ``entity(id)`` and ``mentions(doc)``. Edits (alias,
merge, rename, ...) are appended to the overlay and take effect at once.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from dataclasses import replace
from pathlib import Path
from typing import Any

from reader.core.document import Document
from reader.core.entities.cache import SpanCache
from reader.core.entities.discovery import discover
from reader.core.entities.gazetteer import GAZETTEER_FILE, Gazetteer, load_gazetteer
from reader.core.entities.matcher import Matcher
from reader.core.entities.model import (
    CASE_MODES,
    ENTITY_TYPES,
    Candidate,
    Entity,
    EntityError,
    Mention,
    slugify,
)
from reader.core.entities.overlay_ops import Applied, apply_ops
from reader.core.frontmatter import Problem
from reader.core.overlay import OverlayFile

Progress = Callable[[int, int], None]
Cancelled = Callable[[], bool]

__all__ = ["Candidate", "Entity", "EntityError", "EntityService", "Mention", "overlay_path_for"]


def overlay_path_for(ctx: Any) -> Path:
    """Where the user's entity changes for the current corpus live (data dir, per corpus)."""
    key = ctx.paths.corpus_cache_dir(ctx.corpus_root).name
    return Path(ctx.paths.data_dir) / "overlays" / key / "entities.yaml"


class EntityService:
    """Entities of one corpus with the user's changes applied; thread-safe for reading."""

    def __init__(self, gazetteer_path: Path | None, overlay_path: Path | None = None,
                 cache_dir: Path | None = None,
                 documents: Callable[[], Iterable[Document]] | None = None) -> None:
        self.gazetteer_path = Path(gazetteer_path) if gazetteer_path else None
        self.overlay_path = Path(overlay_path) if overlay_path else None
        self._documents = documents
        self._cache = SpanCache(cache_dir)
        self._lock = threading.RLock()
        self.reload()

    @classmethod
    def for_context(cls, ctx: Any) -> EntityService:
        root = Path(ctx.corpus_root)
        return cls(root / GAZETTEER_FILE, overlay_path_for(ctx), Path(ctx.cache_dir) / "entities",
                   documents=lambda: _all_documents(ctx.corpus()))

    # -- loading ------------------------------------------------------------------
    def reload(self) -> None:
        """Read the gazetteer and overlay again and rebuild the matcher."""
        with self._lock:
            self.gazetteer: Gazetteer = (load_gazetteer(self.gazetteer_path) if self.gazetteer_path
                                         else Gazetteer())
            self.overlay = OverlayFile(self.overlay_path) if self.overlay_path else None
            self._rebuild()

    def _rebuild(self) -> None:
        ops = self.overlay.ops if self.overlay is not None else []
        self._applied: Applied = apply_ops(self.gazetteer.entities, ops)
        self.matcher = Matcher(self._applied.entities.values())
        self._cache.clear_memory()

    @property
    def problems(self) -> list[Problem]:
        """Problems in the corpus gazetteer (bad entries are skipped, the rest load)."""
        return list(self.gazetteer.problems)

    @property
    def notices(self) -> list[str]:
        """Things the user should know: a broken overlay set aside, changes that no longer apply."""
        out = [str(p) for p in self.gazetteer.problems]
        if self.overlay is not None and self.overlay.notice:
            out.append(self.overlay.notice)
        out.extend(f"Your entity changes: {s}" for s in self._applied.skipped)
        return out

    @property
    def fingerprint(self) -> str:
        return self.matcher.fingerprint

    # -- reading ------------------------------------------------------------------
    def entities(self, include_hidden: bool = False) -> list[Entity]:
        ents = [e for e in self._applied.entities.values() if include_hidden or not e.hidden]
        return sorted(ents, key=lambda e: (e.name.casefold(), e.id))

    def entity(self, entity_id: str) -> Entity:
        """The entity with this id (a merged-away id leads to the entity it was merged into)."""
        seen: set[str] = set()
        while entity_id in self._applied.redirects and entity_id not in seen:
            seen.add(entity_id)
            entity_id = self._applied.redirects[entity_id]
        entity = self._applied.entities.get(entity_id)
        if entity is None:
            raise EntityError(f"no entity {entity_id!r} (see `parallax entities` for the ids)")
        return entity

    def find(self, query: str) -> Entity:
        """An entity by id, name or any alias (case-insensitive), for commands typed by people."""
        q = " ".join(query.split())
        try:
            return self.entity(q)
        except EntityError:
            pass
        key = q.casefold()
        for entity in self._applied.entities.values():
            if any(a.text.casefold() == key for a in entity.spellings()):
                return entity
        try:
            return self.entity(slugify(q))
        except EntityError:
            raise EntityError(f"no entity called {query!r} (see `parallax entities` for the ids)") from None

    def type_of(self, entity_id: str) -> str:
        return self._applied.entities[entity_id].type

    def spans(self, doc: Document) -> list[tuple[int, int, str]]:
        """Mention spans ``(start, end, entity id)`` of a document, cached by its content hash."""
        with self._lock:
            matcher = self.matcher
        fingerprint = matcher.fingerprint
        cached = self._cache.get(doc.content_hash, fingerprint)
        if cached is not None:
            return cached
        spans = matcher.find(doc.text)
        self._cache.put(doc.content_hash, fingerprint, spans)
        return spans

    def mentions(self, doc: Document) -> list[Mention]:
        ents = self._applied.entities
        return [Mention(s, e, i, doc.text[s:e], ents[i].type) for s, e, i in self.spans(doc) if i in ents]

    def documents(self) -> list[Document]:
        return list(self._documents()) if self._documents is not None else []

    def counts(self, docs: Iterable[Document] | None = None, progress: Progress | None = None,
               cancelled: Cancelled | None = None) -> dict[str, dict[str, int]]:
        """Mentions per entity per document: ``{entity id: {doc id: n}}`` (only non-zero cells)."""
        docs = list(docs) if docs is not None else self.documents()
        out: dict[str, dict[str, int]] = {}
        for n, doc in enumerate(docs, 1):
            if cancelled is not None and cancelled():
                break
            for _s, _e, ent_id in self.spans(doc):
                row = out.setdefault(ent_id, {})
                row[doc.id] = row.get(doc.id, 0) + 1
            if progress is not None:
                progress(n, len(docs))
        return out

    def candidates(self, docs: Iterable[Document] | None = None, progress: Progress | None = None,
                   cancelled: Cancelled | None = None, min_score: float = 75.0) -> list[Candidate]:
        """Capitalised names and acronyms no entity covers, each with its closest entity."""
        docs = list(docs) if docs is not None else self.documents()
        # hidden entities still "cover" their spellings: hiding is not forgetting
        everyone: Matcher | None = None
        if any(e.hidden for e in self._applied.entities.values()):
            everyone = Matcher(replace(e, hidden=False) for e in self._applied.entities.values())

        def covered(doc: Document) -> list[tuple[int, int]]:
            spans = everyone.find(doc.text) if everyone is not None else self.spans(doc)
            return [(s, e) for s, e, _ in spans]

        return discover(docs, covered, self.entities(include_hidden=True), ignore=self.gazetteer.ignore,
                        dismissed=self._applied.dismissed, min_score=min_score, progress=progress,
                        cancelled=cancelled)

    # -- the user's changes (each one op in the overlay, effective at once) -------
    def _record(self, op: dict[str, Any]) -> None:
        if self.overlay is None:
            raise EntityError("no place to keep your changes (no data folder)")
        with self._lock:
            self.overlay.append(op)
            self._rebuild()
            skipped = self._applied.skipped
        if skipped and skipped[-1].startswith(f"change {len(self.overlay.ops)} "):
            message = skipped[-1]
            self.overlay.ops.pop()
            self.overlay.save()
            with self._lock:
                self._rebuild()
            raise EntityError(message)

    def add_entity(self, name: str, type: str = "person", aliases: Iterable[str] = (), description: str = "",
                   entity_id: str | None = None) -> Entity:
        name = " ".join(name.split())
        if not name:
            raise EntityError("an entity needs a name")
        _check_type(type)
        ent_id = entity_id or slugify(name)
        base, n = ent_id, 1
        while ent_id in self._applied.entities or ent_id in self._applied.redirects:
            if entity_id:
                raise EntityError(f"an entity {entity_id!r} exists already")
            n += 1
            ent_id = f"{base}-{n}"
        self._record({"op": "add", "id": ent_id, "name": name, "type": type,
                      "aliases": [" ".join(a.split()) for a in aliases if a.strip()], "description": description})
        return self.entity(ent_id)

    def add_alias(self, entity_id: str, alias: str, case: str | None = None) -> Entity:
        entity = self.entity(entity_id)
        alias = " ".join(alias.split())
        if not alias or not any(c.isalnum() for c in alias):
            raise EntityError("an alias needs at least one letter or digit")
        if case is not None and case not in CASE_MODES:
            raise EntityError(f"case must be one of {', '.join(CASE_MODES)}")
        op: dict[str, Any] = {"op": "alias", "entity": entity.id, "alias": alias}
        if case:
            op["case"] = case
        self._record(op)
        return self.entity(entity.id)

    def remove_alias(self, entity_id: str, alias: str) -> Entity:
        entity = self.entity(entity_id)
        self._record({"op": "unalias", "entity": entity.id, "alias": alias})
        return self.entity(entity.id)

    def merge(self, source_id: str, into_id: str) -> Entity:
        """Fold ``source`` into ``into``: its spellings count for ``into`` from now on."""
        source, target = self.entity(source_id), self.entity(into_id)
        if source.id == target.id:
            raise EntityError("an entity cannot be merged into itself")
        self._record({"op": "merge", "from": source.id, "into": target.id})
        return self.entity(target.id)

    def rename(self, entity_id: str, name: str) -> Entity:
        entity = self.entity(entity_id)
        if not name.strip():
            raise EntityError("the new name is empty")
        self._record({"op": "rename", "entity": entity.id, "name": name})
        return self.entity(entity.id)

    def set_type(self, entity_id: str, etype: str) -> Entity:
        entity = self.entity(entity_id)
        _check_type(etype)
        self._record({"op": "type", "entity": entity.id, "type": etype})
        return self.entity(entity.id)

    def describe(self, entity_id: str, description: str) -> Entity:
        entity = self.entity(entity_id)
        self._record({"op": "describe", "entity": entity.id, "description": description})
        return self.entity(entity.id)

    def hide(self, entity_id: str, hidden: bool = True) -> Entity:
        entity = self.entity(entity_id)
        self._record({"op": "hide" if hidden else "unhide", "entity": entity.id})
        return self.entity(entity.id)

    def dismiss(self, text: str, dismissed: bool = True) -> None:
        """Never propose this candidate again (or again, with ``dismissed=False``)."""
        if not text.strip():
            raise EntityError("nothing to dismiss")
        self._record({"op": "dismiss" if dismissed else "undismiss", "text": text})

    @property
    def dismissed(self) -> set[str]:
        return set(self._applied.dismissed)


def _check_type(etype: str) -> None:
    if etype not in ENTITY_TYPES:
        raise EntityError(f"type {etype!r} is not one of {', '.join(ENTITY_TYPES)}")


def _all_documents(corpus: Any) -> list[Document]:
    docs = []
    for meta in corpus.metas():
        docs.append(corpus.document(meta.id))
    return docs
