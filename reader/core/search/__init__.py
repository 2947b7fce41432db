"""Full-text search over a corpus: an engine interface and its Whoosh implementation.

Faces use :func:`open_engine` and the types in :mod:`reader.core.search.engine`;
:func:`search_with_index` keeps the index fresh and rebuilds a damaged one (reported).
"""

from __future__ import annotations

from reader.core.search.service import ensure_index, index_dir, open_engine, search_with_index

__all__ = ["ensure_index", "index_dir", "open_engine", "search_with_index"]
