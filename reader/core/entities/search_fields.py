"""Registers the ``entity`` search field: ``entity:ablyazov`` finds a document whatever the spelling.

The search index calls the extractor with a document only, so the entity list is found from
the document's corpus folder (its gazetteer) and the default user folders (its overlay);
services are kept per corpus and rebuilt when either file changes. The spans themselves come
from :meth:`EntityService.spans` (whatever it recognises), cached in the corpus's derived store;
the index build runs this extractor in its worker processes.
"""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

from whoosh.fields import KEYWORD

from reader.core.context import run_paths
from reader.core.corpus import corpus_key_at
from reader.core.document import Document
from reader.core.entities.api import EntityService, overlay_path_at
from reader.core.entities.cache import flush_all
from reader.core.entities.gazetteer import GAZETTEER_FILE
from reader.core.search.fields import register_field

#: How often (seconds) the gazetteer and overlay stamps are looked at again while indexing.
RECHECK_SECONDS = 1.0

_services: dict[Path, tuple[tuple[float, float], float, EntityService]] = {}
_places: dict[Path, tuple[Path, Path, Path]] = {}
_lock = threading.Lock()


def _after_fork_in_child() -> None:
    """A forked index worker builds its own services (no lock or connection shared with the app)."""
    global _lock
    _lock = threading.Lock()
    _services.clear()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:
        return 0.0


def _where(root: Path) -> tuple[Path, Path, Path]:
    """Gazetteer, overlay and entities cache folder of a corpus (resolved once per root:
    resolving paths per document cost 0.65 s per 2,000 documents)."""
    hit = _places.get(root)
    if hit is None:
        paths = run_paths()  # the folders this run was given (--data-dir...), not only the environment's
        cache = paths.corpus_cache_dir(root)
        overlay = overlay_path_at(paths.data_dir, cache.name, corpus_key_at(root))  # the file the faces edit
        hit = (root / GAZETTEER_FILE, overlay, cache / "entities")
        _places[root] = hit
    return hit


def service_for(doc: Document) -> EntityService:
    """The entity service of the corpus a document was loaded from."""
    root = Path(doc.meta.path).parent
    now = time.monotonic()
    with _lock:
        hit = _services.get(root)
        if hit is not None and now - hit[1] < RECHECK_SECONDS:
            return hit[2]
        gazetteer, overlay, cache = _where(root)
        stamp = (_mtime(gazetteer), _mtime(overlay))
        if hit is not None and hit[0] == stamp:
            _services[root] = (stamp, now, hit[2])
            return hit[2]
        svc = EntityService(gazetteer, overlay, cache)
        _services[root] = (stamp, now, svc)
        return svc


def entity_ids(doc: Document, section: str | None = None) -> list[str]:
    """One value per mention in the section, so term frequency counts mentions."""
    sec = doc.section(section) if section else None
    lo, hi = (sec.start, sec.end) if sec is not None else (0, len(doc.text))
    return [ent_id for s, _e, ent_id in service_for(doc).spans(doc) if lo <= s < hi]


register_field("entity", lambda: KEYWORD(lowercase=True, scorable=True), entity_ids, facet=True,
               per_section=True, version="2", flush=flush_all)
