"""Mention spans cached per document content hash (and per entity-list fingerprint).

One small JSON file per document version under the corpus cache folder; it is rewritten
when the entity list changes (a new fingerprint), so the cache never grows per edit.
Deleting the folder loses nothing.
"""

from __future__ import annotations

import json
from pathlib import Path

from reader.core.atomic import atomic_write_text

Spans = list[tuple[int, int, str]]


class SpanCache:
    def __init__(self, folder: Path | None) -> None:
        self.folder = folder
        self._memory: dict[str, tuple[str, Spans]] = {}

    def _path(self, content_hash: str) -> Path | None:
        return None if self.folder is None else self.folder / f"{content_hash[:40]}.json"

    def get(self, content_hash: str, fingerprint: str) -> Spans | None:
        hit = self._memory.get(content_hash)
        if hit is not None and hit[0] == fingerprint:
            return hit[1]
        path = self._path(content_hash)
        if path is None or not path.exists():
            return None
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            if data.get("fingerprint") != fingerprint:
                return None
            spans = [(int(s), int(e), str(i)) for s, e, i in data["spans"]]
        except (OSError, ValueError, KeyError, TypeError):
            return None
        self._memory[content_hash] = (fingerprint, spans)
        return spans

    def put(self, content_hash: str, fingerprint: str, spans: Spans) -> None:
        self._memory[content_hash] = (fingerprint, spans)
        path = self._path(content_hash)
        if path is None:
            return
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            atomic_write_text(path, json.dumps({"fingerprint": fingerprint, "spans": spans},
                                               separators=(",", ":")))
        except OSError:
            pass  # a cache that cannot be written is only slower

    def clear_memory(self) -> None:
        self._memory.clear()
