"""The entities capability for every caller: CLI, GUI, search, side-by-side.

The session (:mod:`reader.core.session`) builds the one service of an open corpus with
``EntityService.for_context(ctx)``, which reads the corpus gazetteer (``<corpus>/entities.yaml``)
and the user's overlay (``<data dir>/overlays/<corpus key>/entities.yaml``), builds one
matcher, and answers ``entities()``, ``entity(id)`` and ``mentions(doc)``. Edits (alias,
merge, rename, ...) are appended to the overlay and take effect at once; ``undo()`` takes the
last one back.

Recognition fills in what the curated list does not know: :meth:`EntityService.recognise`
runs the shipped model over the corpus (cached per content hash in the derived store, kind
``ner-mentions``) and builds the corpus resolution table (kind ``ner-table``); from then on
``spans(doc)`` gives the curated list's spans plus the recognised mentions that do not overlap
them, each resolved to its entity. The curated list and the overlay win where they speak.
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time
from collections.abc import Callable, Iterable, Sized
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from rapidfuzz import fuzz, process

from reader.core.derived import DerivedStore
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
from reader.core.entities.overlay_ops import Applied, apply_ops, recognition_rules
from reader.core.entities.recogniser import NEVER_NAMES
from reader.core.entities.recognition import NER_KIND, TABLE_KIND, recognise_missing
from reader.core.entities.resolution import TITLE_WORDS, Rules, Table, build_table, name_key, resolve_document
from reader.core.frontmatter import Problem
from reader.core.overlay import OverlayFile

Progress = Callable[[int, int], None]
Cancelled = Callable[[], bool]

__all__ = ["Candidate", "Entity", "EntityError", "EntityService", "Mention", "RecognitionReport",
           "overlay_path_for", "register_service", "registered_service", "unregister_service"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RecognitionReport:
    """What one recognition run did (``parallax entities recognise`` prints it)."""

    documents: int
    recognised: int  # documents the model had to read (the rest came from the cache)
    mentions: int
    entities: int
    seconds: float

    def to_json(self) -> dict[str, Any]:
        return {"documents": self.documents, "recognised": self.recognised, "mentions": self.mentions,
                "entities": self.entities, "seconds": round(self.seconds, 2)}


def overlay_path_for(ctx: Any) -> Path:
    """Where the user's entity changes for the current corpus live (data dir, per corpus)."""
    return overlay_path_at(Path(ctx.paths.data_dir), ctx.paths.corpus_cache_dir(ctx.corpus_root).name,
                           str(ctx.corpus_key))


def overlay_path_at(data_dir: Path, cache_name: str, identity: str) -> Path:
    """The entity overlay of the corpus with ``identity`` (its cache folder's name finds an older one).

    Keyed by the corpus identity, like notes, so a moved or renamed folder keeps its entity
    edits; an overlay from before identities (keyed by the cache folder's name) is moved over once.
    """
    overlays = Path(data_dir) / "overlays"
    safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in identity)[:60]
    if safe != identity:  # a path used as the key where no identity could be written
        safe = f"{safe[:40]}-{hashlib.sha256(identity.encode('utf-8')).hexdigest()[:12]}"
    path = overlays / f"corpus-{safe}" / "entities.yaml"
    legacy = overlays / cache_name / "entities.yaml"
    if not path.exists() and legacy.is_file():
        try:
            path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            legacy.replace(path)
            log.info("entity overlay %s now keyed by corpus identity: %s", legacy, path)
        except OSError as exc:
            log.warning("could not move the entity overlay %s (%s); reading it where it is", legacy, exc)
            return legacy
    return path


#: corpus root (resolved) -> the open session's service: code that has a document but no session
#: (the search index's entity field, an index worker forked from this process) uses the same
#: service, with the same overlay, instead of building one from the environment.
_REGISTRY: dict[Path, EntityService] = {}
_REGISTRY_LOCK = threading.Lock()


def _key(root: Path) -> Path:
    try:
        return Path(root).resolve()
    except OSError:
        return Path(root)


def register_service(root: Path, service: EntityService) -> None:
    """The session's service for the corpus at ``root`` (replaces an older one)."""
    with _REGISTRY_LOCK:
        _REGISTRY[_key(root)] = service


def unregister_service(service: EntityService) -> None:
    with _REGISTRY_LOCK:
        for root in [r for r, s in _REGISTRY.items() if s is service]:
            del _REGISTRY[root]


def registered_service(root: Path) -> EntityService | None:
    """The open session's service for the corpus at ``root``, or None (build one yourself)."""
    with _REGISTRY_LOCK:
        return _REGISTRY.get(_key(root))


#: the op fields that name an entity (what an ``EntitiesEdited`` event carries)
_ID_FIELDS = ("id", "entity", "into", "source", "target", "from", "to")


def _op_ids(op: dict[str, Any]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(str(op[k]) for k in _ID_FIELDS if isinstance(op.get(k), str)))


class EntityService:
    """Entities of one corpus with the user's changes applied; thread-safe for reading."""

    def __init__(self, gazetteer_path: Path | None, overlay_path: Path | None = None,
                 cache_dir: Path | None = None,
                 documents: Callable[[], Iterable[Document]] | None = None, *, recognise: bool = True) -> None:
        self.gazetteer_path = Path(gazetteer_path) if gazetteer_path else None
        self.overlay_path = Path(overlay_path) if overlay_path else None
        self._documents = documents
        self._cache = SpanCache(cache_dir)
        #: derived data of the corpus (recognised mentions, resolution table): the cache folder's store
        self.store = DerivedStore(Path(cache_dir).parent if cache_dir else None)
        #: False: never recognise; the curated list and overlay only (tests of the matcher, old callers)
        self.recognition = recognise
        #: False: ``spans()`` uses recognised mentions only when cached (the window sets this and
        #: runs :meth:`recognise` in the background, so opening a document never waits for the model)
        self.recognise_on_demand = True
        self._table = Table()
        self._lock = threading.RLock()
        #: ``fn(entity_ids)`` after each edit or undo (the session turns it into EntitiesEdited)
        self.listeners: list[Callable[[tuple[str, ...]], None]] = []
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
        self.rules: Rules = recognition_rules(ops)
        curated = apply_ops(self.gazetteer.entities, ops)  # what the list and overlay alone say
        self._known = {name_key(a.text): e.id for e in curated.entities.values() for a in e.spellings()}
        for old, new in curated.redirects.items():
            self._known.setdefault(name_key(old), new)
        if self.recognition:
            self._table = self._stored_table()
        base = [*self.gazetteer.entities, *self._recognised_entities()]
        self._applied: Applied = apply_ops(base, ops)
        self.matcher = Matcher(e for e in self._applied.entities.values() if e.source != "recogniser")
        self._combined: dict[str, tuple[str, list[tuple[int, int, str]]]] = {}
        self._cache.clear_memory()

    # -- recognition ----------------------------------------------------------------
    def _table_fingerprint(self) -> str:
        """The table's row key: the model and the curated ids (stable across the user's edits)."""
        from reader.core.entities.recogniser import model_fingerprint

        ids = "\x00".join(sorted(e.id for e in self.gazetteer.entities))
        return hashlib.sha256(f"{model_fingerprint()}\x01{ids}".encode()).hexdigest()[:24]

    def _inputs_fingerprint(self) -> str:
        """What else the table was built from: the user's rejections and splits, the curated spellings."""
        raw = repr((self.rules.fingerprint(), sorted(self._known.items())))
        return hashlib.sha256(raw.encode("utf-8")).hexdigest()[:24]

    def _stored_table(self) -> Table:
        value = self.store.get(TABLE_KIND, "corpus", self._table_fingerprint())
        if not isinstance(value, dict) or not isinstance(value.get("table"), dict):
            self._table_docs = ""
            return Table()
        self._table_docs = str(value.get("docs", ""))
        if value.get("inputs") != self._inputs_fingerprint() and self._documents is not None:
            # the user rejected, split or curated something since: resolve again from cached mentions
            from reader.core.entities.recogniser import model_fingerprint

            docs = self.documents()
            raw = self.store.get_many(NER_KIND, [d.content_hash for d in docs], model_fingerprint())
            return self._build_table(docs, raw, self._table_docs)
        return Table.from_json(value["table"])

    def _build_table(self, docs: list[Document], raw: dict[str, Any], stamp: str) -> Table:
        table = build_table(((d.id, d.text, raw.get(d.content_hash, [])) for d in docs), self.rules,
                            taken_ids=(e.id for e in self.gazetteer.entities), known=self._known)
        self.store.put(TABLE_KIND, "corpus", self._table_fingerprint(),
                       {"docs": stamp, "inputs": self._inputs_fingerprint(), "table": table.to_json()})
        self._table_docs = stamp
        return table

    def _recognised_entities(self) -> list[Entity]:
        taken = {e.id for e in self.gazetteer.entities}
        out = []
        for ent_id, name in self._table.names.items():
            if ent_id in taken:
                continue
            forms = tuple(f for f in self._table.forms.get(ent_id, []) if f != name)
            out.append(Entity(ent_id, name, self._table.types.get(ent_id, "person"), forms, source="recogniser"))
        return out

    @staticmethod
    def _docs_stamp(docs: Iterable[Document]) -> str:
        parts = sorted(f"{d.id}\x00{d.content_hash}" for d in docs)
        return hashlib.sha256("\x01".join(parts).encode("utf-8")).hexdigest()[:24]

    @property
    def recognised_ready(self) -> bool:
        """True once the corpus has been recognised (a resolution table is stored)."""
        return bool(self._table.ids)

    def needs_recognition(self, docs: Iterable[Document] | None = None) -> bool:
        """True when some document is not recognised yet or the table predates the corpus."""
        if not self.recognition:
            return False
        # the stamp needs each document's id and hash once: an iterator is walked, never kept
        return self._docs_stamp(docs if docs is not None else self.documents()) != self._table_docs

    def recognise(self, docs: Iterable[Document] | None = None, progress: Progress | None = None,
                  cancelled: Cancelled | None = None, workers: int = 2) -> RecognitionReport:
        """Recognise every document not cached yet (on ``workers`` processes) and rebuild the table."""
        t0 = time.perf_counter()
        docs = list(docs) if docs is not None else self.documents()
        raw, fresh = recognise_missing(self.store, docs, progress=progress, cancelled=cancelled, workers=workers)
        if cancelled is not None and cancelled():
            return RecognitionReport(len(docs), fresh, 0, 0, time.perf_counter() - t0)
        with self._lock:
            self._build_table(docs, raw, self._docs_stamp(docs))
            self._rebuild()
        mentions = 0
        ids: set[str] = set()
        for d in docs:
            for _s, _e, ent_id in self.spans(d):
                if self._applied.entities.get(ent_id, None) is not None and \
                        self._applied.entities[ent_id].source == "recogniser":
                    mentions += 1
                    ids.add(ent_id)
        return RecognitionReport(len(docs), fresh, mentions, len(ids), time.perf_counter() - t0)

    def reload_recognised(self) -> None:
        """Read the stored resolution table again: another process (the window's background
        child, :mod:`reader.core.background_tasks`) recognised the corpus and stored it."""
        if not self.recognition:
            return
        with self._lock:
            self._rebuild()

    def warm(self) -> None:
        """Build what the first document's spans need now (in a job): the automaton over the
        corpus's attested spellings took ~45 ms of the GUI thread when the first pane opened."""
        with self._lock:
            self._table.matcher()

    def _recognised_spans(self, doc: Document) -> list[tuple[int, int, str]]:
        if not self.recognition or not self._table.ids:
            return []
        from reader.core.entities.recogniser import model_fingerprint

        raw = self.store.get(NER_KIND, doc.content_hash, model_fingerprint())
        if raw is None:
            if not self.recognise_on_demand:
                return []
            got, _n = recognise_missing(self.store, [doc], workers=1)
            raw = got.get(doc.content_hash, [])
        ents = self._applied.entities
        out = []
        for s, e, ent_id, _t in resolve_document(doc.id, doc.text, raw, self.rules, self._table, self._known):
            target = self._redirect(ent_id) if ent_id else ""
            entity = ents.get(target)
            if entity is None or entity.hidden:
                continue
            out.append((s, e, target))
        return out

    def _redirect(self, entity_id: str) -> str:
        seen: set[str] = set()
        while entity_id in self._applied.redirects and entity_id not in seen:
            seen.add(entity_id)
            entity_id = self._applied.redirects[entity_id]
        return entity_id

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
        """Changes whenever any document's spans may change (list, overlay, recognition table)."""
        if not self._table.ids:
            return self.matcher.fingerprint
        return f"{self.matcher.fingerprint}-{self._table_fingerprint()[:12]}-{self._table_docs[:12]}"

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
        """Mention spans ``(start, end, entity id)`` of a document: the curated list's (cached by
        content hash), then every recognised mention that does not overlap one of them."""
        with self._lock:
            matcher = self.matcher
            combined = self._combined
        hit = combined.get(doc.content_hash)
        if hit is not None and hit[0] == doc.id:
            return hit[1]
        fingerprint = matcher.fingerprint
        curated = self._cache.get(doc.content_hash, fingerprint)
        if curated is None:
            curated = matcher.find(doc.text)
            self._cache.put(doc.content_hash, fingerprint, curated)
        recognised = self._recognised_spans(doc)
        if not recognised:
            spans = curated
        else:
            spans = list(curated)
            taken = sorted((s, e) for s, e, _ in curated)
            j = 0
            for s, e, ent_id in recognised:
                while j < len(taken) and taken[j][1] <= s:
                    j += 1
                if j < len(taken) and taken[j][0] < e:
                    continue
                spans.append((s, e, ent_id))
            spans.sort()
        combined[doc.content_hash] = (doc.id, spans)
        return spans

    def origin(self, entity_id: str) -> str:
        """Where an entity comes from: ``gazetteer``, ``overlay`` (added or touched by the user) or
        ``recogniser``."""
        entity = self._applied.entities.get(self._redirect(entity_id))
        if entity is None:
            return "recogniser"
        return {"corpus": "gazetteer"}.get(entity.source, entity.source)

    def mentions(self, doc: Document) -> list[Mention]:
        ents = self._applied.entities
        return [Mention(s, e, i, doc.text[s:e], ents[i].type) for s, e, i in self.spans(doc) if i in ents]

    def mention_origins(self, doc: Document) -> list[tuple[Mention, str]]:
        """Each mention with where it came from: ``gazetteer`` or ``overlay`` (the curated list and
        your changes matched the spelling) or ``recogniser`` (the model found it)."""
        with self._lock:
            matcher = self.matcher
        curated = {(s, e) for s, e, _ in self._cache.get(doc.content_hash, matcher.fingerprint) or
                   matcher.find(doc.text)}
        out = []
        for m in self.mentions(doc):
            if (m.start, m.end) in curated:
                source = self._applied.entities[m.entity_id].source
                out.append((m, "overlay" if source == "overlay" else "gazetteer"))
            else:
                out.append((m, "recogniser"))
        return out

    def documents(self) -> list[Document]:
        return list(self._documents()) if self._documents is not None else []

    def counts(self, docs: Iterable[Document] | None = None, progress: Progress | None = None,
               cancelled: Cancelled | None = None) -> dict[str, dict[str, int]]:
        """Mentions per entity per document: ``{entity id: {doc id: n}}`` (only non-zero cells).

        ``docs`` may be an iterator: each document is counted and dropped, so a 20,000-document
        corpus is never held in memory at once (``progress`` then reports a total of 0: unknown).
        """
        source: Iterable[Document] = docs if docs is not None else self.documents()
        total = len(source) if isinstance(source, Sized) else 0
        out: dict[str, dict[str, int]] = {}
        for n, doc in enumerate(source, 1):
            if cancelled is not None and cancelled():
                break
            for _s, _e, ent_id in self.spans(doc):
                row = out.setdefault(ent_id, {})
                row[doc.id] = row.get(doc.id, 0) + 1
            if progress is not None:
                progress(n, total)
        return out

    def candidates(self, docs: Iterable[Document] | None = None, progress: Progress | None = None,
                   cancelled: Cancelled | None = None, min_score: float = 75.0) -> list[Candidate]:
        """Capitalised names and acronyms no entity covers, each with its closest entity."""
        docs = list(docs) if docs is not None else self.documents()
        # hidden entities still "cover" their spellings: hiding is not forgetting
        everyone: Matcher | None = None
        if any(e.hidden for e in self._applied.entities.values()):
            everyone = Matcher(replace(e, hidden=False) for e in self._applied.entities.values())

        curated_keys = [name_key(a.text) for e in self._applied.entities.values() if e.source != "recogniser"
                        for a in e.spellings()]

        def covered(doc: Document) -> list[tuple[int, int]]:
            # recognised names count as covered, unless one looks like a re-spelling of a curated
            # name ("Erodgan"): that is still offered, with its entity, to be accepted as an alias
            spans = everyone.find(doc.text) if everyone is not None else self.spans(doc)
            out = []
            for s, e, ent_id in spans:
                entity = self._applied.entities.get(ent_id)
                if entity is not None and entity.source == "recogniser" and curated_keys and process.extractOne(
                        name_key(doc.text[s:e]), curated_keys, scorer=fuzz.ratio, score_cutoff=min_score):
                    continue
                out.append((s, e))
            return out

        curated = [e for e in self.entities(include_hidden=True) if e.source != "recogniser"]
        # day names, months, "I'm" and bare titles are never names: never proposed either
        never = [*self.gazetteer.ignore, *NEVER_NAMES, *TITLE_WORDS]
        return discover(docs, covered, curated, ignore=never,
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
        self._announce(op)

    def _announce(self, op: dict[str, Any]) -> None:
        ids = _op_ids(op)
        for listener in list(self.listeners):
            try:
                listener(ids)
            except Exception:  # a listener's fault is not the edit's: it is kept
                log.exception("entity listener %r failed", listener)

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

    def reject(self, text: str, doc_id: str | None = None, rejected: bool = True) -> None:
        """A recognised text is not a name (in one document, or anywhere): its mentions go."""
        text = " ".join(text.split())
        if not name_key(text):
            raise EntityError("nothing to reject")
        op: dict[str, Any] = {"op": "reject" if rejected else "unreject", "text": text}
        if doc_id:
            op["doc"] = doc_id
        self._record(op)

    def split(self, entity_id: str, spelling: str) -> Entity | None:
        """Take a spelling out of an entity: a user merge of it is cancelled (``unmerge``), a
        recognised short form stops resolving into the longer name and becomes its own entity."""
        entity = self.entity(entity_id)
        key = name_key(spelling)
        if not key:
            raise EntityError("which spelling? (give the text to split off)")
        ops = self.overlay.ops if self.overlay is not None else []
        for op in reversed(ops):
            if op.get("op") == "merge" and self._redirect(str(op.get("into"))) == entity.id:
                gone = str(op.get("from"))
                if name_key(gone) == key or key in {name_key(a.text) for a in self._merged_spellings(gone)}:
                    return self.unmerge(gone, entity.id)
        if entity.source != "recogniser" and key in {name_key(a.text) for a in entity.spellings()}:
            self.remove_alias(entity.id, spelling)
        else:
            self._record({"op": "split", "text": spelling})
        return None

    def _merged_spellings(self, entity_id: str) -> list[Any]:
        base = {e.id: e for e in [*self.gazetteer.entities, *self._recognised_entities()]}
        entity = base.get(entity_id)
        return entity.spellings() if entity is not None else []

    def unmerge(self, source_id: str, into_id: str | None = None) -> Entity:
        """Cancel the latest merge of ``source`` (into ``into``): it is its own entity again."""
        ops = self.overlay.ops if self.overlay is not None else []
        merges = [op for op in ops if op.get("op") == "merge" and op.get("from") == source_id
                  and (into_id is None or self._redirect(str(op.get("into"))) == into_id)]
        if not merges:
            raise EntityError(f"{source_id!r} was not merged into {into_id or 'anything'} by you; to take "
                              "a spelling out of an entity use `parallax entities split ENTITY SPELLING`")
        op: dict[str, Any] = {"op": "unmerge", "from": source_id}
        if merges[-1].get("into"):
            op["into"] = merges[-1]["into"]
        self._record(op)
        return self.entity(source_id)

    def redo(self, op: dict[str, Any]) -> None:
        """Record a change taken back by :meth:`undo` again (the window's Redo)."""
        self._record({k: v for k, v in op.items() if k != "at"})

    def last_change(self) -> dict[str, Any] | None:
        """The change ``undo()`` would take back (None when there is none)."""
        ops = self.overlay.ops if self.overlay is not None else []
        return dict(ops[-1]) if ops else None

    def undo(self) -> dict[str, Any]:
        """Take back the last change (it is removed from the overlay); returns it."""
        if self.overlay is None or not self.overlay.ops:
            raise EntityError("nothing to undo")
        with self._lock:
            op = self.overlay.ops.pop()
            self.overlay.save()
            self._rebuild()
        self._announce(op)
        return op


def _check_type(etype: str) -> None:
    if etype not in ENTITY_TYPES:
        raise EntityError(f"type {etype!r} is not one of {', '.join(ENTITY_TYPES)}")


def _all_documents(corpus: Any) -> list[Document]:
    docs = []
    for meta in corpus.metas():
        docs.append(corpus.document(meta.id))
    return docs
