"""The corpus gazetteer ``entities.yaml``: read, validated entry by entry, problems located by line.

A syntax error makes the file unusable (:class:`GazetteerError`); a bad entry is reported as a
:class:`~reader.core.frontmatter.Problem` and skipped, so one typo never hides the other entities.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from reader.core.entities.model import (
    CASE_MODES,
    ENTITY_TYPES,
    ID_PATTERN,
    WIKIDATA_PATTERN,
    Alias,
    Entity,
    GazetteerError,
    default_case,
)
from reader.core.frontmatter import ERROR, WARNING, Problem

log = logging.getLogger(__name__)

GAZETTEER_FILE = "entities.yaml"
_ENTITY_KEYS = {"id", "name", "type", "aliases", "description", "wikidata"}


class _LineLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """Safe loader that records the line of every mapping under ``__line__`` (libyaml when
    available: the pure-Python parser took half a second over the bundled gazetteer)."""


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode) -> dict[str, Any]:
    mapping = loader.construct_mapping(node, deep=True)
    mapping["__line__"] = node.start_mark.line + 1
    return mapping


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


@dataclass
class Gazetteer:
    """The curated entities of one corpus plus the words discovery never proposes."""

    entities: list[Entity] = field(default_factory=list)
    ignore: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    path: Path | None = None


def load_gazetteer(path: Path) -> Gazetteer:
    """Read ``path``; a missing file is an empty gazetteer (nothing curated yet)."""
    path = Path(path)
    if not path.exists():
        return Gazetteer(path=path)
    try:
        raw = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise GazetteerError(f"{path}: cannot read the entity list: {exc}") from exc
    return parse_gazetteer(raw, str(path), path)


def parse_gazetteer(raw: str, shown: str = GAZETTEER_FILE, path: Path | None = None) -> Gazetteer:
    """Validate a gazetteer given as YAML text (``shown`` names it in messages)."""
    try:
        data = yaml.load(raw, Loader=_LineLoader)
    except yaml.MarkedYAMLError as exc:
        line = exc.problem_mark.line + 1 if exc.problem_mark else None
        where = f"{shown}:{line}" if line else shown
        raise GazetteerError(f"{where}: YAML error in the entity list: {exc.problem or exc}") from exc
    except yaml.YAMLError as exc:
        raise GazetteerError(f"{shown}: YAML error in the entity list: {exc}") from exc
    if data is None:
        return Gazetteer(path=path)
    if not isinstance(data, dict) or not isinstance(data.get("entities", []), list):
        raise GazetteerError(f"{shown}: the entity list must be a mapping with an 'entities:' list "
                             "(see docs/entities.md)")
    problems: list[Problem] = []
    entities: list[Entity] = []
    ids: dict[str, int] = {}
    spelled: dict[str, tuple[str, int]] = {}
    for item in data.get("entities") or []:
        entity = _entity(item, shown, problems)
        if entity is None:
            continue
        line = item.get("__line__") if isinstance(item, dict) else None
        if entity.id in ids:
            problems.append(Problem(shown, line, ERROR,
                                    f"duplicate id {entity.id!r} (first used on line {ids[entity.id]}); skipped"))
            continue
        ids[entity.id] = line or 0
        keep: list[Alias] = []
        for alias in entity.spellings():
            key = alias.text.casefold()
            owner = spelled.get(key)
            if owner is not None and owner[0] != entity.id:
                problems.append(Problem(shown, line, WARNING,
                                        f"{entity.id}: alias {alias.text!r} already belongs to {owner[0]!r} "
                                        f"(line {owner[1]}); kept there only"))
                continue
            spelled.setdefault(key, (entity.id, line or 0))
            keep.append(alias)
        aliases = tuple(a.text for a in keep if a.text != entity.name)
        entities.append(Entity(entity.id, entity.name, entity.type, aliases, entity.description,
                               entity.wikidata, alias_cases=tuple(keep)))
    ignore_raw = data.get("ignore") or []
    ignore: list[str] = []
    if not isinstance(ignore_raw, list):
        problems.append(Problem(shown, None, WARNING, "'ignore' must be a list of words; ignored"))
    else:
        ignore = [str(w) for w in ignore_raw if isinstance(w, str | int) and str(w).strip()]
    unknown = set(data) - {"entities", "ignore", "version", "title", "description", "__line__"}
    for key in sorted(unknown):
        problems.append(Problem(shown, None, WARNING, f"unknown top-level key {key!r}; ignored"))
    return Gazetteer(entities, ignore, problems, path)


def _entity(item: Any, shown: str, problems: list[Problem]) -> Entity | None:
    if not isinstance(item, dict):
        problems.append(Problem(shown, None, ERROR, f"an entity must be a mapping, got {item!r}; skipped"))
        return None
    line = item.get("__line__")

    def bad(message: str, severity: str = ERROR) -> None:
        problems.append(Problem(shown, line, severity, message))

    ent_id = item.get("id")
    if not isinstance(ent_id, str) or not ID_PATTERN.match(ent_id):
        bad(f"entity id {ent_id!r} is missing or not a slug (a-z, 0-9, - _ .); skipped")
        return None
    name = item.get("name")
    if not isinstance(name, str) or not name.strip():
        bad(f"{ent_id}: 'name' is missing; skipped")
        return None
    etype = item.get("type")
    if etype not in ENTITY_TYPES:
        bad(f"{ent_id}: type {etype!r} is not one of {', '.join(ENTITY_TYPES)}; skipped")
        return None
    aliases: list[Alias] = []
    raw_aliases = item.get("aliases") or []
    if not isinstance(raw_aliases, list):
        bad(f"{ent_id}: 'aliases' must be a list; aliases ignored", WARNING)
        raw_aliases = []
    for raw in raw_aliases:
        alias = parse_alias(raw)
        if alias is None:
            bad(f"{ent_id}: alias {raw!r} is not a text or a {{text, case}} mapping; ignored", WARNING)
        else:
            aliases.append(alias)
    description = item.get("description") or ""
    if not isinstance(description, str):
        bad(f"{ent_id}: 'description' must be text; ignored", WARNING)
        description = ""
    wikidata = item.get("wikidata")
    if wikidata is not None and (not isinstance(wikidata, str) or not WIKIDATA_PATTERN.match(wikidata)):
        bad(f"{ent_id}: wikidata {wikidata!r} is not an item id like Q123; ignored", WARNING)
        wikidata = None
    for key in sorted(set(item) - _ENTITY_KEYS - {"__line__"}):
        bad(f"{ent_id}: unknown key {key!r}; ignored", WARNING)
    name = " ".join(name.split())
    return Entity(ent_id, name, etype, tuple(a.text for a in aliases), description.strip(), wikidata,
                  alias_cases=tuple(aliases))


def parse_alias(raw: Any) -> Alias | None:
    """An alias is a text, or ``{text: ..., case: exact|title|ignore}``."""
    if isinstance(raw, int | float) and not isinstance(raw, bool):
        raw = str(raw)
    if isinstance(raw, str):
        text = " ".join(raw.split())
        return Alias(text, default_case(text)) if text else None
    if isinstance(raw, dict):
        given = raw.get("text")
        case = raw.get("case")
        if not isinstance(given, str) or not given.strip():
            return None
        text = " ".join(given.split())
        if case is None:
            case = default_case(text)
        if case not in CASE_MODES:
            return None
        return Alias(text, case)
    return None
