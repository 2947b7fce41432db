"""The Whoosh implementation of :class:`SearchEngine`: one on-disk index per corpus.

Layout: ``<cache>/index/`` holds the Whoosh files plus ``parallax-index.json`` (schema
version and, per document, its content hash and the file's size and mtime). A full
build writes a fresh folder beside the old one and swaps it in, so a cancelled or
failed build leaves the previous index untouched and a corrupt one is simply replaced.
Updates compare file stats first (cheap) and content hashes second, and touch only
documents that were added, changed or removed.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import threading
import time
import uuid
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

from whoosh import index as whoosh_index
from whoosh import query, sorting
from whoosh.searching import Searcher
from whoosh.writing import CLEAR, IndexWriter

from reader.core.atomic import atomic_write_text
from reader.core.corpus import Corpus
from reader.core.document import ARTICLE, Document
from reader.core.errors import ReaderError
from reader.core.search import highlight, querylang
from reader.core.search.analysis import StemmingAnalyzer, normalise_word
from reader.core.search.engine import (
    Cancelled,
    Filters,
    IndexCancelled,
    IndexUnusable,
    Progress,
    SearchEngine,
    SearchHit,
    SearchResults,
    UpdateReport,
)
from reader.core.search.fields import registered_fields
from reader.core.search.schema import build_schema, facet_fields, schema_version

STATE_FILE = "parallax-index.json"
INDEX_NAME = "MAIN"
#: Below this many documents a single process is faster than starting workers.
PARALLEL_MIN_DOCS = 300
WRITER_LIMIT_MB = 96
PROGRESS_EVERY = 25


class WhooshEngine(SearchEngine):
    """Search one corpus with a Whoosh index in ``index_dir``."""

    def __init__(self, index_dir: Path, corpus: Corpus, *, procs: int | None = None,
                 limitmb: int = WRITER_LIMIT_MB) -> None:
        self.index_dir = Path(index_dir)
        self.corpus = corpus
        self.procs = procs if procs is not None else min(2, os.cpu_count() or 1)
        self.limitmb = limitmb
        self._lock = threading.RLock()
        self._ix: Any = None
        self._searcher: Searcher | None = None
        self._schema = build_schema()
        self._parser = querylang.make_parser(self._schema)
        self._lexicon: tuple[int, list[str]] | None = None
        self._outlets: tuple[int, dict[str, str]] | None = None
        self._cols: tuple[Searcher, tuple[list[str], list[str], list[str]]] | None = None
        self._day_list: tuple[Searcher, list[str]] | None = None
        self.last_rebuild: UpdateReport | None = None

    # -- state --------------------------------------------------------------------
    def _state_path(self, folder: Path | None = None) -> Path:
        return (folder or self.index_dir) / STATE_FILE

    def _read_state(self) -> dict[str, Any] | None:
        try:
            data = json.loads(self._state_path().read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        if not isinstance(data, dict) or not isinstance(data.get("docs"), dict):
            return None
        return data

    def _write_state(self, docs: dict[str, list[Any]], folder: Path | None = None) -> None:
        atomic_write_text(self._state_path(folder),
                          json.dumps({"schema": schema_version(), "docs": docs}, separators=(",", ":")))

    def needs_rebuild(self) -> str | None:
        with self._lock:
            if not any(self.index_dir.glob(f"_{INDEX_NAME}_*.toc")):
                return "no index yet (first use, or the cache folder was deleted)"
            state = self._read_state()
            if state is None:
                return "the index's state file is missing or unreadable"
            if state.get("schema") != schema_version():
                return f"the search schema changed (index {state.get('schema')}, app {schema_version()})"
            try:
                self._open()
                self._check_readable(len(state["docs"]))
            except Exception as exc:  # any failure to read the files means: rebuild
                self._reset()
                return f"the index cannot be read ({_describe(exc)})"
            return None

    def _open(self) -> Any:
        if self._ix is None:
            self._ix = whoosh_index.open_dir(str(self.index_dir), INDEX_NAME)
        return self._ix

    def _check_readable(self, expected_docs: int) -> None:
        """Touch every segment's files (truncated files fail here, not mid-search)."""
        ix = self._open()
        with ix.reader() as reader:
            ids = {fields["id"] for fields in reader.all_stored_fields()} if expected_docs < 5000 else None
            for fieldname in ("body", "title"):
                for _term in zip(range(3), reader.lexicon(fieldname), strict=False):
                    pass
            if ids is not None and len(ids) != expected_docs:
                raise IndexUnusable(f"{len(ids)} documents in the index, {expected_docs} expected")
            for segment in ix._segments():
                for name in segment.file_names() if hasattr(segment, "file_names") else ():
                    ix.storage.file_length(name)

    def _reset(self) -> None:
        with self._lock:
            if self._searcher is not None:
                with contextlib.suppress(Exception):  # a broken index may fail to close; dropped anyway
                    self._searcher.close()
            self._searcher = None
            self._ix = None
            self._lexicon = None
            self._outlets = None
            self._cols = None

    def _search_handle(self) -> Searcher:
        with self._lock:
            if self._searcher is None:
                self._searcher = self._open().searcher()
            elif not self._searcher.up_to_date():
                # A fresh searcher, not refresh(): Whoosh's reader reuse keeps stale deletion sets.
                self._searcher.close()
                self._searcher = self._open().searcher()
                self._lexicon = None
                self._outlets = None
                self._cols = None
            return self._searcher

    def segment_count(self) -> int:
        with self._lock:
            return len(self._open()._segments())

    # -- documents ----------------------------------------------------------------
    def _section_records(self, doc: Document) -> Iterator[dict[str, Any]]:
        meta = doc.meta
        published = _to_datetime(meta.published)
        extras = registered_fields()
        for section in doc.sections:
            body = doc.text[section.start:section.end]
            record: dict[str, Any] = {
                "key": f"{doc.id}#{section.name}",
                "id": doc.id,
                "hash": doc.content_hash,
                "date": meta.published,
                "outlet": meta.outlet,
                "facet_outlet": meta.outlet,
                "author": meta.author,
                "language": meta.language or "en",
                "section": section.name,
                "day": meta.published or "undated",
                "body": body,
            }
            if section.name == ARTICLE:
                record["title"] = meta.title
            else:  # the title is shown for comment hits but only the article matches on it
                record["title"] = ""
                record["_stored_title"] = meta.title
            if published is not None:
                record["published"] = published
            for spec in extras:
                values = spec.values(doc, section.name)
                if values:
                    record[spec.name] = " ".join(v.replace(" ", "_") for v in values) \
                        if _is_keyword(self._schema, spec.name) else values
            yield record

    def _stat(self, path: Path) -> list[Any]:
        try:
            st = path.stat()
        except OSError:
            return [str(path), -1, -1]
        return [str(path), st.st_size, st.st_mtime_ns]

    # -- building -----------------------------------------------------------------
    def build(self, corpus: Corpus | None = None, progress: Progress | None = None,
              cancelled: Cancelled | None = None, *, reason: str = "full rebuild requested") -> UpdateReport:
        corpus = corpus or self.corpus
        started = time.perf_counter()
        metas = corpus.metas()
        total = len(metas)
        parent = self.index_dir.parent
        parent.mkdir(parents=True, exist_ok=True)
        fresh = parent / f"index.new-{uuid.uuid4().hex[:8]}"
        fresh.mkdir()
        docs: dict[str, list[Any]] = {}
        try:
            ix = whoosh_index.create_in(str(fresh), self._schema, INDEX_NAME)
            parallel = self.procs > 1 and total >= PARALLEL_MIN_DOCS
            writer: IndexWriter = ix.writer(procs=self.procs, multisegment=True, limitmb=self.limitmb) \
                if parallel else ix.writer(limitmb=self.limitmb)
            try:
                for n, meta in enumerate(metas, 1):
                    if cancelled is not None and cancelled():
                        raise IndexCancelled("indexing cancelled; the previous index is unchanged")
                    try:
                        doc = corpus.document(meta.id)
                    except ReaderError:
                        continue  # unreadable since the scan; the corpus reports it
                    for record in self._section_records(doc):
                        writer.add_document(**record)
                    docs[doc.id] = [doc.content_hash, *self._stat(meta.path)]
                    if progress is not None and (n % PROGRESS_EVERY == 0 or n == total):
                        progress(n, total)
                writer.commit()
            except BaseException:
                writer.cancel()
                raise
            self._write_state(docs, fresh)
            self._swap_in(fresh)
        finally:
            shutil.rmtree(fresh, ignore_errors=True)
        report = UpdateReport(added=len(docs), seconds=time.perf_counter() - started, rebuilt=True,
                              reason=reason, documents=len(docs))
        self.last_rebuild = report
        return report

    def _swap_in(self, fresh: Path) -> None:
        with self._lock:
            self._reset()
            old = self.index_dir.parent / f"index.old-{uuid.uuid4().hex[:8]}"
            if self.index_dir.exists():
                self.index_dir.rename(old)
            fresh.rename(self.index_dir)
            shutil.rmtree(old, ignore_errors=True)

    def update(self, corpus: Corpus | None = None, progress: Progress | None = None,
               cancelled: Cancelled | None = None) -> UpdateReport:
        corpus = corpus or self.corpus
        reason = self.needs_rebuild()
        if reason is not None:
            return self.build(corpus, progress, cancelled, reason=reason)
        started = time.perf_counter()
        state = self._read_state() or {"docs": {}}
        known: dict[str, list[Any]] = dict(state["docs"])
        metas = corpus.metas()
        total = len(metas)
        added: list[Document] = []
        changed: list[Document] = []
        unchanged = 0
        new_state: dict[str, list[Any]] = {}
        for n, meta in enumerate(metas, 1):
            if cancelled is not None and cancelled():
                raise IndexCancelled("indexing cancelled; the index is unchanged")
            stat = self._stat(meta.path)
            old = known.get(meta.id)
            if old is not None and old[1:] == stat:
                new_state[meta.id] = old
                unchanged += 1
                continue
            try:
                doc = corpus.document(meta.id)
            except ReaderError:
                if old is not None:
                    new_state[meta.id] = old
                continue
            new_state[meta.id] = [doc.content_hash, *stat]
            if old is None:
                added.append(doc)
            elif old[0] != doc.content_hash:
                changed.append(doc)
            else:
                unchanged += 1
            if progress is not None and n % 500 == 0:
                progress(n, total)
        removed = [doc_id for doc_id in known if doc_id not in new_state]
        if added or changed or removed:
            try:
                self._apply(added, changed, removed)
            except ReaderError:
                raise
            except Exception as exc:  # a damaged index found while writing: rebuild, reported
                self._reset()
                return self.build(corpus, progress, cancelled,
                                  reason=f"the index cannot be updated ({_describe(exc)})")
        if new_state != known:
            self._write_state(new_state)
        if progress is not None:
            progress(total, total)
        return UpdateReport(len(added), len(changed), len(removed), unchanged, time.perf_counter() - started,
                            documents=len(new_state))

    def _apply(self, added: list[Document], changed: list[Document], removed: list[str]) -> None:
        with self._lock:
            writer = self._open().writer(limitmb=self.limitmb)
            try:
                for doc_id in removed:
                    writer.delete_by_term("id", doc_id)
                for doc in changed:
                    writer.delete_by_term("id", doc.id)
                for doc in added + changed:
                    for record in self._section_records(doc):
                        writer.add_document(**record)
                writer.commit(merge=False)
            except BaseException:
                writer.cancel()
                raise

    def merge(self, cancelled: Cancelled | None = None) -> bool:
        with self._lock:
            before = self.segment_count()
            if before <= 1 or (cancelled is not None and cancelled()):
                return False
            writer = self._open().writer(limitmb=self.limitmb)
            writer.commit()  # the default policy merges the small segments
            self._reset()
            return self.segment_count() < before

    def clear(self) -> None:
        with self._lock:
            if self.index_dir.exists():
                writer = self._open().writer()
                writer.commit(mergetype=CLEAR)

    # -- searching ----------------------------------------------------------------
    def _guard(self, fn: Any, *args: Any, **kwargs: Any) -> Any:
        """Run a read; Whoosh failures inside a damaged index become :class:`IndexUnusable`."""
        try:
            with self._lock:
                return fn(*args, **kwargs)
        except ReaderError:
            raise
        except Exception as exc:
            self._reset()
            raise IndexUnusable(f"the index cannot be read ({_describe(exc)})") from exc

    def search(self, query_text: str, *, limit: int = 20, filters: Filters | None = None,
               snippets: int = 3) -> SearchResults:
        parsed = querylang.parse(query_text, self._schema, self._parser)
        return self._guard(self._search, parsed, limit, filters or {}, snippets)

    def _filter_query(self, filters: Filters, skip: str | None = None) -> query.Query | None:
        parts: list[query.Query] = []
        for name, values in filters.items():
            if name == skip or not values:
                continue
            fieldname = {"outlet": "facet_outlet", "published": "day"}.get(name, name)
            if fieldname not in self._schema.names():
                continue
            parts.append(query.Or([query.Term(fieldname, v) for v in values]))
        if not parts:
            return None
        return parts[0] if len(parts) == 1 else query.And(parts)

    def _facet_map(self) -> dict[str, sorting.FacetType]:
        facets: dict[str, sorting.FacetType] = {
            "outlet": sorting.FieldFacet("facet_outlet", maptype=sorting.Count),
            "published": sorting.FieldFacet("day", maptype=sorting.Count),
        }
        for spec in registered_fields():
            if spec.facet:
                facets[spec.name] = sorting.FieldFacet(spec.name, allow_overlap=True, maptype=sorting.Count)
        return facets

    def _search(self, parsed: querylang.ParsedQuery, limit: int, filters: Filters,
                snippet_count: int) -> SearchResults:
        started = time.perf_counter()
        searcher = self._search_handle()
        base = q = self._expand_fuzzy(parsed.query, searcher)
        if not parsed.explicit_section and not filters.get("section"):
            q = query.And([q, query.Term("section", ARTICLE)])
        collapse = parsed.explicit_section or bool(filters.get("section"))
        # Top hits without facet grouping, so Whoosh can skip low-scoring blocks; the counts come
        # from one unscored pass below.
        results = searcher.search(q, limit=max(1, limit), filter=self._filter_query(filters), terms=False,
                                  collapse="id" if collapse else None)
        allowed = set(filters.get("section") or ()) or (None if parsed.explicit_section else {ARTICLE})
        facets, total = self._count(searcher, base, q, filters, allowed)
        if collapse:
            total = len(results)  # one document may match in both of its sections
        spec = self._match_spec(q, searcher)
        hits = [self._hit(r, spec, snippet_count) for r in results[:limit]] if limit > 0 else []
        facets = {name: facets.get(name, {}) for name in facet_fields()}
        suggestion = self._suggest(parsed.text, searcher)
        return SearchResults(parsed.text, total, hits, facets, suggestion, time.perf_counter() - started)

    def _count(self, searcher: Searcher, base: query.Query, restricted: query.Query, filters: Filters,
               allowed: set[str] | None) -> tuple[dict[str, dict[str, int]], int]:
        """Facet counts and the total in one unscored pass over every match.

        Sections are counted for the query without its implicit section restriction (the
        panel shows where else the words occur); outlets and days only for allowed sections.
        """
        sections, outlet_col, day_col = self._columns(searcher)
        narrowing = self._filter_query(filters, skip="section")
        matching = query.And([base, narrowing]) if narrowing is not None else base
        by_section: dict[str, int] = {}
        outlets: dict[str, int] = {}
        days: dict[str, int] = {}
        for docnum in searcher.docs_for_query(matching):  # column reads: no scoring, no facet objects
            sec = sections[docnum]
            by_section[sec] = by_section.get(sec, 0) + 1
            if allowed is None or sec in allowed:
                outlet = outlet_col[docnum]
                outlets[outlet] = outlets.get(outlet, 0) + 1
                day = day_col[docnum]
                days[day] = days.get(day, 0) + 1
        facets = {"outlet": _sorted_counts(outlets), "section": _sorted_counts(by_section),
                  "published": dict(sorted((str(k), v) for k, v in days.items()))}
        extra = {name: facet for name, facet in self._facet_map().items() if name not in ("outlet", "published")}
        if extra:
            more = searcher.search(restricted, limit=1, filter=self._filter_query(filters), scored=False,
                                   terms=False, groupedby=extra)
            for name in extra:
                facets[name] = _sorted_counts(more.groups(name))
        total = sum(c for sec, c in by_section.items() if allowed is None or sec in allowed)
        return facets, total

    def _facets_from(self, results: Any) -> dict[str, dict[str, int]]:
        out: dict[str, dict[str, int]] = {}
        for name in self._facet_map():
            groups = results.groups(name)
            if name == "published":
                out[name] = dict(sorted((str(k), v) for k, v in groups.items()))
            else:
                out[name] = _sorted_counts(groups)
        return out

    def _hit(self, result: Any, spec: highlight.MatchSpec, snippet_count: int) -> SearchHit:
        fields = result.fields()
        doc_id = fields["id"]
        section_name = fields.get("section", ARTICLE)
        snippets: list[str] = []
        if snippet_count > 0:
            try:
                doc = self.corpus.document(doc_id)
            except ReaderError:
                doc = None
            if doc is not None:
                section = doc.section(section_name)
                if section is not None:
                    spans = highlight.find_hits(doc.text, section.start, section.end, spec)
                    snippets = highlight.snippets(doc.text, section.start, section.end, spans, snippet_count)
        return SearchHit(doc_id, fields.get("title", ""), fields.get("outlet", ""), fields.get("date"),
                         float(result.score or 0.0), section_name, snippets)

    def _match_spec(self, q: query.Query, searcher: Searcher) -> highlight.MatchSpec:
        spec = highlight.MatchSpec()
        reader = searcher.reader()
        for leaf in querylang.highlight_leaves(q):
            if isinstance(leaf, query.Phrase):
                spec.phrases.append((tuple(str(w) for w in leaf.words), int(leaf.slop)))
            elif isinstance(leaf, query.Term):
                spec.terms.add(_text(leaf.text))
            elif isinstance(leaf, query.MultiTerm):
                for _fieldname, text in leaf.expanded_terms(reader):
                    spec.terms.add(_text(text))
        return spec

    def _expand_fuzzy(self, q: query.Query, searcher: Searcher) -> query.Query:
        """Replace ``word~`` leaves by the corpus words within the edit distance.

        Whoosh walks the whole lexicon with an automaton per fuzzy term and field (seconds on a
        large corpus); matching against the cached vocabulary with rapidfuzz takes milliseconds.
        """
        if isinstance(q, query.Phrase | query.Term) and q.fieldname == "outlet":
            # A whole outlet name: the facet column answers it without walking positions.
            words = [_text(w) for w in q.words] if isinstance(q, query.Phrase) else [_text(q.text)]
            exact = self._outlet_names(searcher).get(" ".join(words))
            return query.Term("facet_outlet", exact, boost=q.boost) if exact else q
        if isinstance(q, query.DateRange) and q.fieldname == "published":
            # Documents carry a day, so a range is the days of the index inside it: a small Or of
            # terms instead of Whoosh's tiered numeric range over 64-bit timestamps.
            low = q.startdate.date().isoformat() if q.startdate else "0000-00-00"
            high = q.enddate.date().isoformat() if q.enddate else "9999-99-99"
            days = [d for d in self._days(searcher) if low <= d <= high]
            return query.Or([query.Term("day", d) for d in days], boost=q.boost) if days else query.NullQuery
        if isinstance(q, query.FuzzyTerm):
            from rapidfuzz import process
            from rapidfuzz.distance import Levenshtein

            text = _text(q.text)
            prefix = text[:q.prefixlength] if q.prefixlength else ""
            found = process.extract(text, self._vocabulary(searcher), scorer=Levenshtein.distance,
                                    score_cutoff=q.maxdist, limit=24)
            words = sorted({cand for cand, _dist, _i in found if cand.startswith(prefix)} | {text})
            return query.Or([query.Term(q.fieldname, w, boost=q.boost) for w in words])
        if q.is_leaf():
            return q
        return q.apply(lambda child: self._expand_fuzzy(child, searcher))

    def facets(self, query_text: str, filters: Filters | None = None) -> dict[str, dict[str, int]]:
        return self.search(query_text, limit=0, filters=filters, snippets=0).facets

    def hit_spans(self, query_text: str, doc: Document) -> list[tuple[int, int]]:
        parsed = querylang.parse(query_text, self._schema, self._parser)
        spec = self._guard(lambda: self._match_spec(
            self._expand_fuzzy(parsed.query, self._search_handle()), self._search_handle()))
        wanted = _sections_of(parsed.query) if parsed.explicit_section else {ARTICLE}
        spans: list[tuple[int, int]] = []
        for section in doc.sections:
            if section.name in wanted:
                spans.extend(highlight.find_hits(doc.text, section.start, section.end, spec))
        return spans

    # -- suggestions ----------------------------------------------------------------
    def suggest(self, query_text: str) -> str | None:
        return self._guard(lambda: self._suggest(query_text, self._search_handle()))

    def _columns(self, searcher: Searcher) -> tuple[list[str], list[str], list[str]]:
        """Section, outlet and day of every indexed document, read once per index version."""
        if self._cols is None or self._cols[0] is not searcher:
            reader = searcher.reader()
            cols = tuple([_text(v) for v in reader.column_reader(name)] for name in ("section", "facet_outlet", "day"))
            self._cols = (searcher, cols)  # type: ignore[assignment]
        return self._cols[1]  # type: ignore[return-value]

    def _days(self, searcher: Searcher) -> list[str]:
        """Publication days present in the index (``undated`` left out)."""
        if self._day_list is None or self._day_list[0] is not searcher:
            days = [_text(t) for t in searcher.reader().lexicon("day")]
            self._day_list = (searcher, [d for d in days if d[:1].isdigit()])
        return self._day_list[1]

    def _outlet_names(self, searcher: Searcher) -> dict[str, str]:
        """Outlet names keyed by their analysed words (``"moon of alabama"``)."""
        generation = searcher.reader().generation() if hasattr(searcher.reader(), "generation") else 0
        if self._outlets is None or self._outlets[0] != generation:
            import re

            names = {_text(t) for t in searcher.reader().lexicon("facet_outlet")}
            keyed = {" ".join(re.findall(r"\w+(?:[.'’]\w+)*", n.lower())): n for n in names}
            self._outlets = (generation, keyed)
        return self._outlets[1]

    def _vocabulary(self, searcher: Searcher) -> list[str]:
        generation = searcher.reader().generation() if hasattr(searcher.reader(), "generation") else 0
        if self._lexicon is None or self._lexicon[0] != generation:
            words = [_text(t) for t in searcher.reader().lexicon("body")]
            self._lexicon = (generation, [w for w in words if w.isalpha() and len(w) > 2])
        return self._lexicon[1]

    def _suggest(self, query_text: str, searcher: Searcher) -> str | None:
        from rapidfuzz import process
        from rapidfuzz.distance import Levenshtein

        reader = searcher.reader()
        replacements: dict[str, str] = {}
        for word in suggestible_words(query_text):
            term = normalise_word(word)
            freq = reader.doc_frequency("body", term)
            if freq > 1 or len(term) < 4:
                continue
            max_dist = 1 if len(term) <= 5 else 2
            found = process.extract(term, self._vocabulary(searcher), scorer=Levenshtein.distance,
                                    score_cutoff=max_dist, limit=12)
            best: tuple[int, int, str] | None = None
            for cand, dist, _ in found:
                if cand == term:
                    continue
                cand_freq = reader.doc_frequency("body", cand)
                if cand_freq <= max(freq, 0) * 3 or cand_freq == 0:
                    continue
                key = (int(dist), -cand_freq, cand)
                if best is None or key < best:
                    best = key
            if best is not None:
                surface = self._surface_form(best[2], searcher)
                if surface:
                    replacements[word] = _match_case(word, surface)
        if not replacements:
            return None
        out = query_text
        for word, repl in replacements.items():
            out = _replace_word(out, word, repl)
        return out if out != query_text else None

    def _surface_form(self, term: str, searcher: Searcher) -> str | None:
        """A word as printed in the corpus for an index term (terms are stemmed)."""
        hit = searcher.search(query.Term("body", term), limit=1, terms=False)
        if not hit:
            return None
        try:
            doc = self.corpus.document(hit[0]["id"])
        except ReaderError:
            return None
        analyzer = StemmingAnalyzer()
        for token in analyzer(doc.text, chars=True):
            if token.text == term:
                return doc.text[token.startchar:token.endchar]
        return None

    # -- more like this ---------------------------------------------------------------
    def more_like_this(self, doc: Document, *, limit: int = 10) -> SearchResults:
        return self._guard(self._more_like, doc, limit)

    def _more_like(self, doc: Document, limit: int) -> SearchResults:
        started = time.perf_counter()
        searcher = self._search_handle()
        article = doc.section_text(ARTICLE) or doc.text
        from whoosh.lang.stopwords import stoplists

        common = {normalise_word(w) for w in stoplists["en"]}
        keys = [(t, w) for t, w in searcher.key_terms_from_text("body", article, numterms=40)
                if t not in common and len(t) > 2][:15]
        if not keys:
            return SearchResults(f"like:{doc.id}", 0, [], {}, None)
        top = max(w for _t, w in keys) or 1.0
        q = query.And([query.Or([query.Term("body", t, boost=w / top) for t, w in keys]),
                       query.Term("section", ARTICLE)])
        results = searcher.search(q, limit=limit, mask=query.Term("id", doc.id), groupedby=self._facet_map(),
                                  terms=False)
        spec = highlight.MatchSpec(terms={t for t, _w in keys})
        hits = [self._hit(r, spec, 1) for r in results[:limit]]
        facets = self._facets_from(results)
        facets["section"] = {ARTICLE: len(results)} if len(results) else {}
        facets = {name: facets.get(name, {}) for name in facet_fields()}
        return SearchResults(f"like:{doc.id}", len(results), hits, facets, None, time.perf_counter() - started)

    def close(self) -> None:
        self._reset()


# -- helpers ------------------------------------------------------------------------
def _describe(exc: BaseException) -> str:
    text = str(exc).splitlines()[0] if str(exc) else ""
    return f"{type(exc).__name__}: {text}"[:200] if text else type(exc).__name__


def _to_datetime(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        return None


def _text(value: Any) -> str:
    return value.decode("utf-8") if isinstance(value, bytes) else str(value)


def _is_keyword(schema: Any, name: str) -> bool:
    from whoosh.fields import KEYWORD

    return isinstance(schema[name], KEYWORD)


def _sorted_counts(groups: dict[Any, int]) -> dict[str, int]:
    return dict(sorted(((str(k), int(v)) for k, v in groups.items() if k not in (None, "")),
                       key=lambda kv: (-kv[1], kv[0])))


def _sections_of(q: query.Query) -> set[str]:
    found = {str(leaf.text) for leaf in q.leaves() if isinstance(leaf, query.Term) and leaf.fieldname == "section"}
    return found or {ARTICLE}


def suggestible_words(query_text: str) -> list[str]:
    """Plain words of a query a spelling suggestion may replace (no fields, operators, wildcards)."""
    import re

    words: list[str] = []
    # Values of non-text fields (outlet:"Moon of Alabama", published:[...]) are not spelling candidates.
    masked = re.sub(r'\b(?!title:|body:)[A-Za-z_]\w*:(?:"[^"]*"|\[[^\]]*\]|\{[^}]*\}|\S+)', " ", query_text)
    for match in re.finditer(r'(?<![\w:*?~-])(?:(title|body):)?([^\W\d_][\w\'’]*)(?![\w:*?~])', masked):
        word = match.group(2)
        if word in ("AND", "OR", "NOT", "TO"):
            continue
        words.append(word)
    return words


def _match_case(original: str, surface: str) -> str:
    if original.isupper() and len(original) > 1:
        return surface.upper()
    if original[:1].isupper():
        return surface[:1].upper() + surface[1:]
    return surface.lower()


def _replace_word(text: str, word: str, replacement: str) -> str:
    import re

    return re.sub(rf"(?<![\w]){re.escape(word)}(?![\w])", replacement, text, count=1)
