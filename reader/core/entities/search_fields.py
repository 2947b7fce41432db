"""Registers the ``entity`` search field: ``entity:ablyazov`` finds a document whatever the spelling.

The search index calls the extractor with a document only, so the entity list is found from
the document's corpus folder (its gazetteer) and the default user folders (its overlay);
services are kept per corpus and rebuilt when either file changes.
"""

from __future__ import annotations

import threading
from pathlib import Path

from whoosh.fields import KEYWORD

from reader.core.document import Document
from reader.core.entities.api import EntityService
from reader.core.entities.gazetteer import GAZETTEER_FILE
from reader.core.paths import AppPaths
from reader.core.search.fields import register_field

_services: dict[Path, tuple[tuple[float, float], EntityService]] = {}
_lock = threading.Lock()


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:
        return 0.0


def service_for(doc: Document) -> EntityService:
    """The entity service of the corpus a document was loaded from."""
    root = Path(doc.meta.path).resolve().parent
    paths = AppPaths.resolve()
    key = paths.corpus_cache_dir(root).name
    overlay = paths.data_dir / "overlays" / key / "entities.yaml"
    stamp = (_mtime(root / GAZETTEER_FILE), _mtime(overlay))
    with _lock:
        hit = _services.get(root)
        if hit is not None and hit[0] == stamp:
            return hit[1]
        svc = EntityService(root / GAZETTEER_FILE, overlay, paths.corpus_cache_dir(root) / "entities")
        _services[root] = (stamp, svc)
        return svc


def entity_ids(doc: Document, section: str | None = None) -> list[str]:
    """One value per mention in the section, so term frequency counts mentions."""
    sec = doc.section(section) if section else None
    lo, hi = (sec.start, sec.end) if sec is not None else (0, len(doc.text))
    return [ent_id for s, _e, ent_id in service_for(doc).spans(doc) if lo <= s < hi]


register_field("entity", lambda: KEYWORD(lowercase=True, scorable=True), entity_ids, facet=True,
               per_section=True, version="2")
