"""The user's changes to the entity list, applied on top of the corpus gazetteer.

The overlay file (see :mod:`reader.core.overlay`) holds an ordered list of operations:

``add`` (id, name, type, aliases, description), ``alias`` (entity, alias[, case]),
``unalias`` (entity, alias), ``merge`` (from, into), ``rename`` (entity, name),
``type`` (entity, type), ``describe`` (entity, description), ``hide`` / ``unhide`` (entity),
``dismiss`` / ``undismiss`` (text: a discovery candidate never to propose again),
``reject`` / ``unreject`` (text[, doc]: a recognised text that is not a name, anywhere or in one
document), ``split`` / ``unsplit`` (text: a recognised spelling that is its own entity, never
resolved into a longer name), ``unmerge`` (from[, into]: cancels the latest earlier merge of
``from``, so the entity comes back with its own spellings).

Replaying them in order gives the effective list; an operation that no longer applies (its
entity vanished from the gazetteer) is skipped and reported, never fatal.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field, replace
from typing import Any

from reader.core.entities.model import CASE_MODES, ENTITY_TYPES, Alias, Entity, default_case
from reader.core.entities.resolution import Rules, name_key

log = logging.getLogger(__name__)

_RECOGNITION_OPS = frozenset({"reject", "unreject", "split", "unsplit", "unmerge"})


@dataclass
class Applied:
    """The effective entity list after the overlay, and what happened on the way."""

    entities: dict[str, Entity]
    redirects: dict[str, str] = field(default_factory=dict)  # merged-away id -> surviving id
    dismissed: set[str] = field(default_factory=set)  # folded candidate texts
    skipped: list[str] = field(default_factory=list)


def cancelled_merges(ops: list[dict[str, Any]]) -> set[int]:
    """Indexes of merge ops an ``unmerge`` later in the list cancels (the latest matching one each)."""
    out: set[int] = set()
    for n, op in enumerate(ops):
        if not isinstance(op, dict) or op.get("op") != "unmerge":
            continue
        for k in range(n - 1, -1, -1):
            prev = ops[k]
            if (k not in out and isinstance(prev, dict) and prev.get("op") == "merge"
                    and prev.get("from") == op.get("from") and op.get("into") in (None, prev.get("into"))):
                out.add(k)
                break
    return out


def recognition_rules(ops: list[dict[str, Any]]) -> Rules:
    """The user's rejections and splits of recognised names, replayed in order."""
    rules = Rules()
    for op in ops:
        if not isinstance(op, dict) or op.get("op") not in ("reject", "unreject", "split", "unsplit"):
            continue
        key = name_key(str(op.get("text") or ""))
        if not key:
            continue
        doc = op.get("doc")
        if op["op"] == "reject":
            if doc:
                rules.rejected_in.add((str(doc), key))
            else:
                rules.rejected.add(key)
        elif op["op"] == "unreject" and doc:
            rules.rejected_in.discard((str(doc), key))
        elif op["op"] == "unreject":
            rules.rejected.discard(key)
        elif op["op"] == "split":
            rules.split.add(key)
        else:
            rules.split.discard(key)
    return rules


def apply_ops(base: list[Entity], ops: list[dict[str, Any]]) -> Applied:
    state = Applied({e.id: e for e in base})
    cancelled = cancelled_merges(ops)
    for n, op in enumerate(ops, 1):
        if n - 1 in cancelled:
            continue
        if isinstance(op, dict) and op.get("op") in _RECOGNITION_OPS:
            continue  # read by recognition_rules / cancelled_merges
        if not isinstance(op, dict):
            state.skipped.append(f"change {n}: not a mapping; skipped")
            continue
        try:
            _apply(state, op)
        except _Skip as exc:
            state.skipped.append(f"change {n} ({op.get('op')}): {exc}; skipped")
    return state


class _Skip(Exception):
    pass


def resolve(state: Applied, ent_id: Any) -> Entity:
    if not isinstance(ent_id, str):
        raise _Skip("no entity named")
    seen = set()
    while ent_id in state.redirects and ent_id not in seen:
        seen.add(ent_id)
        ent_id = state.redirects[ent_id]
    entity = state.entities.get(ent_id)
    if entity is None:
        raise _Skip(f"no entity {ent_id!r}")
    return entity


def _with_aliases(entity: Entity, aliases: list[Alias]) -> Entity:
    uniq: dict[str, Alias] = {}
    for a in aliases:
        uniq.setdefault(a.text, a)
    cases = tuple(uniq.values())
    return replace(entity, aliases=tuple(a.text for a in cases if a.text != entity.name), alias_cases=cases)


def _strip_alias_elsewhere(state: Applied, text: str, keep: str) -> None:
    key = text.casefold()
    for ent in list(state.entities.values()):
        if ent.id == keep:
            continue
        spellings = ent.spellings()
        if any(a.text.casefold() == key for a in spellings):
            rest = [a for a in spellings if a.text.casefold() != key]
            if ent.name.casefold() == key:  # it was the name: the entity keeps its name, loses the spelling
                rest = [a for a in rest if a.text != ent.name]
            state.entities[ent.id] = _with_aliases(ent, rest)


def _apply(state: Applied, op: dict[str, Any]) -> None:
    kind = op.get("op")
    if kind == "add":
        ent_id, name, etype = op.get("id"), op.get("name"), op.get("type", "person")
        if not isinstance(ent_id, str) or not isinstance(name, str) or not name.strip():
            raise _Skip("needs an id and a name")
        if ent_id in state.entities:
            raise _Skip(f"an entity {ent_id!r} exists already")
        if etype not in ENTITY_TYPES:
            raise _Skip(f"unknown type {etype!r}")
        aliases = [Alias(str(a), default_case(str(a))) for a in op.get("aliases") or [] if str(a).strip()]
        for a in [name, *(a.text for a in aliases)]:
            _strip_alias_elsewhere(state, a, ent_id)
        state.redirects.pop(ent_id, None)
        entity = Entity(ent_id, name.strip(), etype, (), str(op.get("description") or ""), None,
                        source="overlay")
        state.entities[ent_id] = _with_aliases(entity, [Alias(name.strip(), default_case(name.strip())), *aliases])
    elif kind in ("alias", "unalias"):
        entity = resolve(state, op.get("entity"))
        text = " ".join(str(op.get("alias") or "").split())
        if not text:
            raise _Skip("empty alias")
        if kind == "alias":
            case = op.get("case") or default_case(text)
            if case not in CASE_MODES:
                raise _Skip(f"unknown case mode {case!r}")
            _strip_alias_elsewhere(state, text, entity.id)
            state.entities[entity.id] = _with_aliases(entity, [*entity.spellings(), Alias(text, case)])
        else:
            rest = [a for a in entity.spellings() if a.text.casefold() != text.casefold() or a.text == entity.name]
            state.entities[entity.id] = _with_aliases(entity, rest)
    elif kind == "merge":
        source = resolve(state, op.get("from"))
        target = resolve(state, op.get("into"))
        if source.id == target.id:
            raise _Skip("an entity cannot be merged into itself")
        merged = _with_aliases(target, [*target.spellings(), *source.spellings()])
        if merged.source == "recogniser" and source.source != "recogniser":
            merged = replace(merged, source="overlay")  # curated spellings keep being matched
        if not merged.description and source.description:
            merged = replace(merged, description=source.description)
        state.entities[target.id] = merged
        del state.entities[source.id]
        state.redirects[source.id] = target.id
    elif kind == "rename":
        entity = resolve(state, op.get("entity"))
        name = " ".join(str(op.get("name") or "").split())
        if not name:
            raise _Skip("empty name")
        _strip_alias_elsewhere(state, name, entity.id)
        renamed = replace(entity, name=name)
        state.entities[entity.id] = _with_aliases(renamed, [Alias(name, default_case(name)), *entity.spellings()])
    elif kind == "type":
        entity = resolve(state, op.get("entity"))
        if op.get("type") not in ENTITY_TYPES:
            raise _Skip(f"unknown type {op.get('type')!r}")
        state.entities[entity.id] = replace(entity, type=op["type"])
    elif kind == "describe":
        entity = resolve(state, op.get("entity"))
        state.entities[entity.id] = replace(entity, description=str(op.get("description") or ""))
    elif kind in ("hide", "unhide"):
        entity = resolve(state, op.get("entity"))
        state.entities[entity.id] = replace(entity, hidden=kind == "hide")
    elif kind in ("dismiss", "undismiss"):
        text = " ".join(str(op.get("text") or "").split()).casefold()
        if not text:
            raise _Skip("nothing to dismiss")
        if kind == "dismiss":
            state.dismissed.add(text)
        else:
            state.dismissed.discard(text)
    else:
        raise _Skip(f"unknown operation {kind!r}")
