"""Extra index fields other capabilities register (entities, notes, ...), without editing search.

A capability calls :func:`register_field` from a module named
``reader/core/<package>/search_fields.py`` (discovered and imported automatically, so the
CLI and the GUI always see the same schema) or from any module imported before the
index opens. Each registered name and version feeds :func:`fields_signature`, which is
part of the index's schema version: adding or changing a field triggers a reported
rebuild, never a stale index.

Example (entities)::

    from whoosh.fields import KEYWORD
    from reader.core.search.fields import register_field

    register_field("entity", lambda: KEYWORD(lowercase=True, commas=True, scorable=True),
                   lambda doc: [e.key for e in mentions(doc)], facet=True)

after which ``entity:tokayev`` works in queries and ``facets["entity"]`` counts hits by entity.
"""

from __future__ import annotations

import importlib
import importlib.util
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from reader.core.document import Document

FieldFactory = Callable[[], Any]
Extractor = Callable[..., list[str]]

#: Names the core schema uses; registered fields may not take them.
RESERVED: frozenset[str] = frozenset({
    "key", "id", "title", "outlet", "author", "published", "language", "section", "body",
    "facet_outlet", "day", "hash", "date", "tokens", "text",
})


@dataclass(frozen=True)
class FieldSpec:
    """One registered field.

    ``extractor(doc)`` returns the values for the whole document (indexed on each of its
    sections); with ``per_section=True`` it is called as ``extractor(doc, section_name)``.
    ``facet=True`` adds the field to the facet counts of every search and lets the GUI
    filter on it. Bump ``version`` when the extractor's output changes meaningfully.
    """

    name: str
    factory: FieldFactory
    extractor: Extractor
    facet: bool = False
    per_section: bool = False
    version: str = "1"
    #: Called when a batch of documents is done (end of a build or of a worker's share), so a
    #: provider that buffers derived data (entity spans) writes it in one go.
    flush: Callable[[], None] | None = None

    def values(self, doc: Document, section: str) -> list[str]:
        raw = self.extractor(doc, section) if self.per_section else self.extractor(doc)
        return [str(v) for v in raw if str(v)]


_REGISTRY: dict[str, FieldSpec] = {}
_discovered = False


def register_field(name: str, factory: FieldFactory, extractor: Extractor, *, facet: bool = False,
                   per_section: bool = False, version: str = "1",
                   flush: Callable[[], None] | None = None) -> FieldSpec:
    """Add (or replace) an index field; see the module docstring."""
    if name in RESERVED or not name.isidentifier() or name.startswith("_"):
        raise ValueError(f"cannot register search field {name!r}: reserved or not an identifier")
    spec = FieldSpec(name, factory, extractor, facet, per_section, version, flush)
    _REGISTRY[name] = spec
    return spec


def unregister_field(name: str) -> None:
    _REGISTRY.pop(name, None)


def discover_providers() -> None:
    """Import every ``reader.core.<package>.search_fields`` module once."""
    global _discovered
    if _discovered:
        return
    _discovered = True
    import reader.core as core

    for info in pkgutil.iter_modules(core.__path__):
        if not info.ispkg:
            continue
        name = f"reader.core.{info.name}.search_fields"
        try:
            found = importlib.util.find_spec(name) is not None
        except (ImportError, ValueError):
            found = False
        if found:
            importlib.import_module(name)


def registered_fields() -> list[FieldSpec]:
    """Registered fields in name order (after discovering providers)."""
    discover_providers()
    return [_REGISTRY[name] for name in sorted(_REGISTRY)]


def flush_fields() -> None:
    """Tell every provider a batch of documents is done (see :attr:`FieldSpec.flush`)."""
    for spec in registered_fields():
        if spec.flush is not None:
            spec.flush()


def fields_signature() -> str:
    """A stable description of the registered fields, stored with the index."""
    return ",".join(f"{s.name}:{s.version}:{int(s.facet)}:{int(s.per_section)}" for s in registered_fields())
