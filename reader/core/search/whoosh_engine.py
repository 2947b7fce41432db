"""The Whoosh implementation of :class:`SearchEngine`: one on-disk index per corpus.

Layout: ``<cache>/index/`` holds the Whoosh files plus ``parallax-index.json`` (schema
version and, per document, its content hash and the file's size, mtime, ctime and inode).
A full build writes a fresh folder beside the old one (in worker processes, see
:mod:`reader.core.search.build_workers`) and swaps it in, so a cancelled or failed build
leaves the previous index untouched and a corrupt one is simply replaced; folders a killed
build left behind are removed at the next build. Updates compare file stats first (cheap)
and content hashes second — also when size and mtime match but ctime or inode changed
(``cp -p``, ``rsync -t``) — and touch only documents that were added, changed or removed.

A cache folder that cannot be written (read-only mount, no permission) does not stop search:
the stored index is searched from memory (copied, then updated there), or built in memory
when there is none, and :attr:`UpdateReport.notice` says so.

Searching does as little as it can: top hits without snippets, facet counts from per-value
document sets cached per index generation (set intersections, no per-match Python loop),
snippets only for the hits asked for (:meth:`WhooshEngine.snippets`), located from the body
postings' positions and each record's stored token map instead of re-analysing documents.

The class is put together from one module per job, each building on the one before:

- :mod:`~reader.core.search.whoosh_index`: the index on disk, its state file, the searcher of
  the current generation and the values cached per generation;
- :mod:`~reader.core.search.whoosh_build`: full builds, incremental updates, merges;
- :mod:`~reader.core.search.whoosh_facets`: facet columns, filters and counts;
- :mod:`~reader.core.search.whoosh_plan`: query expansion (fuzzy, outlets, dates) and the
  structured filter split off the text query;
- :mod:`~reader.core.search.whoosh_snippets`: lazy snippets from postings and token maps;
- :mod:`~reader.core.search.whoosh_suggest`: "did you mean" and "more like this";
- :mod:`~reader.core.search.whoosh_search`: running a search (ranking in
  :mod:`~reader.core.search.ranking`, counting in :mod:`~reader.core.search.docsets`).
"""

from __future__ import annotations

from reader.core.search.engine import SearchEngine
from reader.core.search.whoosh_build import Building
from reader.core.search.whoosh_index import INDEX_NAME, STATE_FILE, clean_debris
from reader.core.search.whoosh_search import Searching
from reader.core.search.whoosh_suggest import _match_case, _replace_word, suggestible_words

__all__ = ["INDEX_NAME", "STATE_FILE", "WhooshEngine", "_match_case", "_replace_word", "clean_debris",
           "suggestible_words"]


class WhooshEngine(Building, Searching, SearchEngine):
    """Search one corpus with a Whoosh index in ``index_dir``."""
