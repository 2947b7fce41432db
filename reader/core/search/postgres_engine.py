"""The team-server implementation of :class:`SearchEngine`: PostgreSQL 15 with RUM and pg_trgm.

The window and the CLI do not change: the same query language (parsed by
:mod:`reader.core.search.querylang`, compiled to one tsquery by :mod:`reader.core.team.tsquery`),
the same hits, snippets, facets, suggestions and more-like-this as the local Whoosh index.

* **Ranking.** The RUM index returns the best ``CANDIDATES`` sections by its own distance
  (``tsv <=> query``), which are then reranked with BM25F exactly like the local index (title
  three times the body, per-field length normalisation, IDF from the vocabulary table);
  PostgreSQL's ``ts_rank`` has no IDF.
* **Counts** stop at :data:`COUNT_CAP` (``10,000+``): an exact count of a million matches costs
  more than the whole page. Facets are counted over the same capped set.
* **Snippets** come from the project's own highlighter over the canonical text fetched for the
  page's hits, so marks are identical to the local ones.
* **Fuzzy** words and spelling suggestions use pg_trgm over the vocabulary, weighted by
  document frequency. Every value travels as a bound parameter.
"""

from __future__ import annotations

import logging
import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from reader.core.corpus import Corpus
from reader.core.document import ARTICLE, Document, DocumentMeta, Section
from reader.core.errors import ReaderError
from reader.core.search import highlight, querylang
from reader.core.search.analysis import STOP_WORDS, StemmingAnalyzer, normalise_word
from reader.core.search.engine import (
    Cancelled,
    Filters,
    IndexUnusable,
    Progress,
    QuerySyntaxError,
    SearchEngine,
    SearchHit,
    SearchResults,
    UpdateReport,
)
from reader.core.search.fields import registered_fields
from reader.core.search.schema import TITLE_BOOST, build_schema, facet_fields

log = logging.getLogger(__name__)

COUNT_CAP = 10_000
CANDIDATES = 200
K1 = 1.2
B = 0.75
FUZZY_LIMIT = 24
EXPAND_LIMIT = 200
DF_CACHE_MAX = 100_000
STATS_TTL = 60.0  # seconds a window keeps the corpus statistics before reading them again


@dataclass(frozen=True)
class TeamSearchResults(SearchResults):
    """Results whose ``total`` may be capped: ``capped`` means "at least ``total``" (``10,000+``)."""

    capped: bool = False

    @property
    def total_label(self) -> str:
        return f"{self.total:,}+" if self.capped else f"{self.total:,}"

    def to_json(self) -> dict[str, Any]:
        data = super().to_json()
        data["capped"] = self.capped
        return data


class PostgresEngine(SearchEngine):
    """Search the team corpus ``name`` through ``connect()`` (a psycopg connection factory).

    ``corpus`` is the local copy, used only by :meth:`build`/:meth:`update` (which push it);
    searching needs nothing local: texts and metadata come from the server.
    """

    def __init__(self, connect: Callable[[], Any] | None, name: str, corpus: Corpus | None = None, *,
                 pool: Any = None) -> None:
        self._connect = connect
        self._pool = pool  # a psycopg_pool.ConnectionPool (opened on first use): concurrent searches
        self._pool_open = False
        self.name = name
        self.corpus = corpus
        self._conn: Any = None
        self._lock = threading.RLock()
        self._schema = build_schema()
        self._parser = querylang.make_parser(self._schema)
        self._corpus_id: int | None = None
        self._stats: tuple[float, float, float, str | None, str | None] | None = None
        self._stats_at = 0.0
        self._df: dict[str, int] = {}  # term -> document frequency, cached as long as the statistics

    # -- connection ----------------------------------------------------------------
    def _db(self) -> Any:
        if self._conn is None or self._conn.closed:
            if self._connect is None:
                raise ReaderError("no team server connection is configured for this corpus")
            self._conn = self._connect()
            self._corpus_id = None
            self._stats = None
        return self._conn

    def _run(self, fn: Callable[..., Any], *args: Any) -> Any:
        """Run a read; a dropped connection is retried once on a fresh one, then reported."""
        import psycopg

        if self._pool is not None:
            return self._run_pooled(fn, *args)
        with self._lock:
            for attempt in (1, 2):
                try:
                    return fn(self._db(), *args)
                except (psycopg.DataError, psycopg.ProgrammingError) as exc:
                    # A value the server cannot take (a malformed tsquery, a NUL): the query's fault.
                    raise QuerySyntaxError(f"the team server cannot read this query ({_line(exc)})") from None
                except psycopg.OperationalError as exc:
                    self.close()
                    if attempt == 2:
                        raise IndexUnusable(f"the team server cannot be reached ({_line(exc)})") from None
        raise AssertionError("unreachable")

    def _run_pooled(self, fn: Callable[..., Any], *args: Any) -> Any:
        """Each call borrows a pooled connection, so the window's searches do not queue behind each other."""
        import psycopg
        from psycopg_pool import PoolTimeout

        with self._lock:
            if not self._pool_open:
                # One direct attempt first: an unreachable server is reported at once, in one line,
                # instead of after the pool's retries.
                try:
                    self._pool.connection_class.connect(self._pool.conninfo, **self._pool.kwargs).close()
                except psycopg.OperationalError as exc:
                    raise IndexUnusable(f"the team server cannot be reached ({_line(exc)}); "
                                        "parallax team use --local searches this laptop's index") from None
                logging.getLogger("psycopg.pool").setLevel(logging.ERROR)  # failures are reported here
                self._pool.open(wait=False)
                self._pool_open = True
        try:
            with self._pool.connection() as conn:
                return fn(conn, *args)
        except (psycopg.DataError, psycopg.ProgrammingError) as exc:
            raise QuerySyntaxError(f"the team server cannot read this query ({_line(exc)})") from None
        except (psycopg.OperationalError, PoolTimeout) as exc:
            raise IndexUnusable(f"the team server cannot be reached ({_line(exc)})") from None

    def _cid(self, conn: Any) -> int:
        if self._corpus_id is None:
            from reader.core.team import corpora

            self._corpus_id = corpora.get(conn, self.name).id
        return self._corpus_id

    def _corpus_stats(self, conn: Any) -> tuple[float, float, float, str | None, str | None]:
        """Section count, average lengths and date bounds; re-read after ``STATS_TTL`` (others push too)."""
        if self._stats is not None and time.monotonic() - self._stats_at > STATS_TTL:
            self._stats = None
        if self._stats is None:
            self._stats_at = time.monotonic()
            self._df = {}
            row = conn.execute("SELECT sections, avg_body, avg_title, first_day, last_day FROM parallax.corpus_stats "
                               "WHERE corpus_id = %s", (self._cid(conn),)).fetchone()
            self._stats = (float(row[0]), float(row[1]), float(row[2]), row[3], row[4]) if row else \
                (0.0, 1.0, 1.0, None, None)
        return self._stats

    def close(self) -> None:
        with self._lock:
            if self._pool is not None and self._pool_open:
                self._pool.close()
                self._pool_open = False
            if self._conn is not None:
                try:
                    self._conn.close()
                except Exception as exc:  # closing a broken connection: nothing left to release
                    log.debug("closing team connection: %s", exc)
            self._conn = None

    # -- index lifecycle -------------------------------------------------------------
    def needs_rebuild(self) -> str | None:
        from reader.core.team import corpora, db

        def check(conn: Any) -> str | None:
            if not db.schema_current(conn):
                return "the team server's schema is older than this app (run: parallax team init URL)"
            if corpora.find(conn, self.name) is None:
                return f"the team corpus {self.name!r} has not been pushed yet"
            return None

        return self._run(check)

    def build(self, corpus: Corpus | None = None, progress: Progress | None = None,
              cancelled: Cancelled | None = None, *, reason: str = "") -> UpdateReport:
        report = self.update(corpus, progress, cancelled)
        return UpdateReport(report.added, report.updated, report.removed, report.unchanged, report.seconds,
                            rebuilt=True, reason=reason or "pushed to the team server", documents=report.documents)

    def update(self, corpus: Corpus | None = None, progress: Progress | None = None,
               cancelled: Cancelled | None = None) -> UpdateReport:
        """Push the local corpus when the engine was given one (editors); otherwise the server's is used as is.

        The faces call ``update(local_corpus)`` before searching; an engine opened on a team corpus
        without a local copy must not upload whatever corpus happens to be open on this laptop.
        """
        if self.corpus is None:
            return UpdateReport(documents=0)
        corpus = corpus or self.corpus
        from reader.core.team.push import push

        if self._pool is not None:
            pushed = self._run_pooled(lambda conn: push(conn, corpus, self.name, progress=progress,
                                                        cancelled=cancelled))
        else:
            with self._lock:
                pushed = push(self._db(), corpus, self.name, progress=progress, cancelled=cancelled)
        with self._lock:
            self._stats = None
            self._corpus_id = None
        return UpdateReport(pushed.added, pushed.updated, pushed.removed, pushed.unchanged, pushed.seconds,
                            documents=pushed.added + pushed.updated + pushed.unchanged)

    def merge(self, cancelled: Cancelled | None = None) -> bool:
        from reader.core.team import jobs

        return bool(self._run(lambda conn: jobs.run_jobs(conn, self._cid(conn))))

    # -- compiling -------------------------------------------------------------------
    def _compile(self, conn: Any, q: Any) -> Any:
        from reader.core.team.tsquery import Compiler

        stats = self._corpus_stats(conn)
        registered = {s.name for s in registered_fields()}
        return Compiler(lambda *a: self._expand(conn, *a), (stats[3], stats[4]), registered).compile(q)

    def _expand(self, conn: Any, kind: str, _field: str, text: str, maxdist: int, prefixlength: int) -> list[str]:
        cid = self._cid(conn)
        if kind == "prefix":
            like = _like_escape(text) + "%"
            rows = conn.execute("SELECT term FROM parallax.vocabulary WHERE corpus_id = %s AND term LIKE %s "
                                "ORDER BY df DESC LIMIT %s", (cid, like, EXPAND_LIMIT)).fetchall()
            return [r[0] for r in rows]
        if kind == "wildcard":
            like = _like_escape(text).replace("*", "%").replace("?", "_")
            rows = conn.execute("SELECT term FROM parallax.vocabulary WHERE corpus_id = %s AND term LIKE %s "
                                "ORDER BY df DESC LIMIT %s", (cid, like, EXPAND_LIMIT)).fetchall()
            return [r[0] for r in rows]
        prefix = text[:prefixlength] if prefixlength else ""
        return [cand for cand, _dist, _df in self._near(conn, text, maxdist, FUZZY_LIMIT)
                if cand.startswith(prefix)]

    def _near(self, conn: Any, term: str, maxdist: int, limit: int) -> list[tuple[str, int, int]]:
        """Vocabulary words within ``maxdist`` edits of ``term``: trigram candidates, then Levenshtein.

        Short words share too few trigrams, so below six letters the length-bounded scan is used.
        """
        cid = self._cid(conn)
        if len(term) >= 6:
            with conn.transaction():
                conn.execute("SET LOCAL pg_trgm.similarity_threshold = 0.25")
                rows = conn.execute(
                    "SELECT term, levenshtein_less_equal(term, %s, %s) AS d, df FROM parallax.vocabulary "
                    "WHERE corpus_id = %s AND term %% %s AND levenshtein_less_equal(term, %s, %s) <= %s "
                    "ORDER BY d, df DESC, term LIMIT %s",
                    (term, maxdist, cid, term, term, maxdist, maxdist, limit)).fetchall()
        else:
            rows = conn.execute(
                "SELECT term, levenshtein_less_equal(term, %s, %s) AS d, df FROM parallax.vocabulary "
                "WHERE corpus_id = %s AND length(term) BETWEEN %s AND %s "
                "AND levenshtein_less_equal(term, %s, %s) <= %s ORDER BY d, df DESC, term LIMIT %s",
                (term, maxdist, cid, len(term) - maxdist, len(term) + maxdist, term, maxdist, maxdist,
                 limit)).fetchall()
        return [(r[0], int(r[1]), int(r[2])) for r in rows]

    @staticmethod
    def _filter_tokens(filters: Filters, skip: str | None = None) -> list[str]:
        from reader.core.team.tokens import keyword, quote_lexeme

        parts: list[str] = []
        registered = {s.name for s in registered_fields()}
        for name, values in filters.items():
            if name == skip or not values:
                continue
            if name == "outlet":
                lex = [quote_lexeme(f"fo={v}") for v in values]
            elif name == "published":
                lex = [quote_lexeme(f"day={v}") for v in values]
            elif name in ("section", "language"):
                lex = [quote_lexeme(f"{name}={v.lower()}") for v in values]
            elif name in registered:
                lex = [quote_lexeme(f"{name}={keyword(v)}") for v in values]
            else:
                continue
            parts.append("(" + " | ".join(lex) + ")")
        return parts

    # -- searching -------------------------------------------------------------------
    def search(self, query: str, *, limit: int = 20, filters: Filters | None = None,
               snippets: int = 3) -> TeamSearchResults:
        parsed = querylang.parse(_clean(query), self._schema, self._parser)
        clean = {name: [_clean(v) for v in values] for name, values in (filters or {}).items()}
        return self._run(self._search, parsed, limit, clean, snippets)

    def _search(self, conn: Any, parsed: querylang.ParsedQuery, limit: int, filters: Filters,
                snippet_count: int) -> TeamSearchResults:
        started = time.perf_counter()
        cid = self._cid(conn)
        compiled = self._compile(conn, parsed.query)
        collapse = parsed.explicit_section or bool(filters.get("section"))
        allowed = set(filters.get("section") or ()) or (None if parsed.explicit_section else {ARTICLE})
        base_parts = [p for p in (compiled.tsquery,) if p] + self._filter_tokens(filters, skip="section")
        restrict = [] if parsed.explicit_section or filters.get("section") else ["'section=article'"]
        full_parts = base_parts + restrict + self._filter_tokens({"section": filters.get("section", [])})
        if not compiled.positive:
            base_parts.append("('section=article' | 'section=comments')")
            full_parts.append("('section=article' | 'section=comments')")
        base = " & ".join(base_parts)
        full = " & ".join(full_parts)
        hits: list[SearchHit] = []
        if limit > 0 and not compiled.empty:
            if restrict and compiled.positive:
                # The default article-only search filters the section column instead of adding
                # 'section=article' (in every vector) to what RUM must intersect and rank by.
                hits = self._top(conn, cid, " & ".join(base_parts), compiled, limit, collapse, snippet_count,
                                 section=ARTICLE)
            else:
                hits = self._top(conn, cid, full, compiled, limit, collapse, snippet_count)
        facets, total, capped = self._facets(conn, cid, base, full, allowed, compiled.empty)
        suggestion = self._suggest(conn, parsed.text)
        return TeamSearchResults(parsed.text, total, hits, facets, suggestion, time.perf_counter() - started,
                                 capped=capped)

    def _top(self, conn: Any, cid: int, tsq: str, compiled: Any, limit: int, collapse: bool,
             snippet_count: int, boosts: dict[str, float] | None = None,
             spec: highlight.MatchSpec | None = None, section: str | None = None) -> list[SearchHit]:
        """The page of hits: RUM's best ``CANDIDATES`` by ``<=>`` (an ordered index scan that stops
        at the LIMIT), reranked by BM25F; ``section`` keeps only that section's rows."""
        rows = conn.execute(
            "SELECT id, doc_id, section, body_len, title_len FROM parallax.sections "
            "WHERE corpus_id = %s AND tsv @@ %s::tsquery AND (%s::text IS NULL OR section = %s) "
            "ORDER BY tsv <=> %s::tsquery LIMIT %s",
            (cid, tsq, section, section, tsq, max(CANDIDATES, limit * 3))).fetchall()
        if not rows:
            return []
        scores = self._bm25f(conn, cid, rows, compiled.terms, boosts)
        ranked = sorted(rows, key=lambda r: (-scores.get(r[0], 0.0), r[1], r[2]))
        if collapse:
            seen: set[str] = set()
            unique = []
            for r in ranked:
                if r[1] not in seen:
                    seen.add(r[1])
                    unique.append(r)
            ranked = unique
        page = ranked[:limit]
        docs = self._documents(conn, cid, [r[1] for r in page], with_text=snippet_count > 0)
        match = spec if spec is not None else compiled.spec
        out: list[SearchHit] = []
        for r in page:
            doc = docs.get(r[1])
            if doc is None:
                continue
            snips: list[str] = []
            if snippet_count > 0:
                sec = doc.section(r[2])
                if sec is not None:
                    spans = highlight.find_hits(doc.text, sec.start, sec.end, match)
                    snips = highlight.snippets(doc.text, sec.start, sec.end, spans, snippet_count)
            out.append(SearchHit(doc.id, doc.meta.title, doc.meta.outlet, doc.meta.published,
                                 scores.get(r[0], 0.0), r[2], snips))
        return out

    def _bm25f(self, conn: Any, cid: int, rows: list[tuple[Any, ...]], terms: set[str],
               boosts: dict[str, float] | None) -> dict[int, float]:
        """BM25F over the candidates: per-field BM25 (title boosted) with IDF from the vocabulary."""
        if not terms:
            return {r[0]: 0.0 for r in rows}
        n_sections, avg_body, avg_title, _f, _l = self._corpus_stats(conn)
        wanted = sorted(terms)
        df = self._frequencies(conn, cid, wanted)
        tf_rows = conn.execute(
            "SELECT s.id, u.lexeme, u.weights FROM parallax.sections s, unnest(s.tsv) u "
            "WHERE s.id = ANY(%s) AND u.lexeme = ANY(%s)", ([r[0] for r in rows], wanted)).fetchall()
        lengths = {r[0]: (r[3], r[4]) for r in rows}
        n = max(n_sections, 1.0)
        scores: dict[int, float] = {r[0]: 0.0 for r in rows}
        for sid, lexeme, weights in tf_rows:
            idf = math.log(n / (df.get(lexeme, 0) + 1)) + 1.0
            boost = (boosts or {}).get(lexeme, 1.0)
            body_len, title_len = lengths[sid]
            tf_title = sum(1 for w in weights if w == "A")
            tf_body = sum(1 for w in weights if w == "D")
            score = 0.0
            if tf_body:
                score += _bm25(idf, tf_body, body_len, avg_body)
            if tf_title:
                score += TITLE_BOOST * _bm25(idf, tf_title, title_len, avg_title)
            scores[sid] += boost * score
        return scores

    def _frequencies(self, conn: Any, cid: int, terms: list[str]) -> dict[str, int]:
        """Document frequencies, cached with the corpus statistics (same lifetime: a push resets both)."""
        self._corpus_stats(conn)  # drops the cache when the statistics are re-read
        cache = self._df
        missing = [t for t in terms if t not in cache]
        if missing:
            found = dict(conn.execute("SELECT term, df FROM parallax.vocabulary WHERE corpus_id = %s "
                                      "AND term = ANY(%s)", (cid, missing)).fetchall())
            if len(cache) > DF_CACHE_MAX:
                cache.clear()
            for t in missing:
                cache[t] = int(found.get(t, 0))
        return {t: cache[t] for t in terms if cache[t]}

    def _documents(self, conn: Any, cid: int, doc_ids: list[str], *, with_text: bool = True) -> dict[str, Document]:
        if not doc_ids:
            return {}
        rows = conn.execute(
            "SELECT d.doc_id, d.title, d.outlet, d.author, d.meta->>'published', d.language, d.sections, "
            "d.content_hash, " + ("t.text" if with_text else "''") + " FROM parallax.documents d "
            "JOIN parallax.texts t ON t.content_hash = d.content_hash WHERE d.corpus_id = %s AND d.doc_id = ANY(%s)",
            (cid, doc_ids)).fetchall()
        out: dict[str, Document] = {}
        from pathlib import Path

        for doc_id, title, outlet, author, published, language, sections, chash, text in rows:
            meta = DocumentMeta(doc_id, title, outlet, author, published, Path(f"team:{self.name}/{doc_id}"),
                                language)
            secs = tuple(Section(s[0], int(s[1]), int(s[2])) for s in sections)
            out[doc_id] = Document(meta, text, secs, (), chash)
        return out

    def document(self, doc_id: str) -> Document | None:
        """One team document with its canonical text (for opening a hit without a local copy)."""
        return self._run(lambda conn: self._documents(conn, self._cid(conn), [doc_id]).get(doc_id))

    def _facets(self, conn: Any, cid: int, base: str, full: str, allowed: set[str] | None,
                empty: bool) -> tuple[dict[str, dict[str, int]], int, bool]:
        names = facet_fields()
        if empty:
            return {name: {} for name in names}, 0, False
        rows = conn.execute(
            "SELECT section, outlet, day, count(*) FROM (SELECT section, outlet, day FROM parallax.sections "
            "WHERE corpus_id = %s AND tsv @@ %s::tsquery LIMIT %s) m GROUP BY 1, 2, 3",
            (cid, base, COUNT_CAP + 1)).fetchall()
        by_section: dict[str, int] = {}
        outlets: dict[str, int] = {}
        days: dict[str, int] = {}
        seen = 0
        for section, outlet, day, count in rows:
            seen += count
            by_section[section] = by_section.get(section, 0) + count
            if allowed is None or section in allowed:
                outlets[outlet] = outlets.get(outlet, 0) + count
                days[day] = days.get(day, 0) + count
        capped = seen > COUNT_CAP
        facets: dict[str, dict[str, int]] = {"outlet": _sorted_counts(outlets), "section": _sorted_counts(by_section),
                                             "published": dict(sorted(days.items()))}
        extra = [s.name for s in registered_fields() if s.facet]
        if extra:
            frows = conn.execute(
                "SELECT f.name, f.value, count(*) FROM (SELECT doc_id, section FROM parallax.sections "
                "WHERE corpus_id = %s AND tsv @@ %s::tsquery LIMIT %s) m JOIN parallax.section_facets f "
                "ON f.corpus_id = %s AND f.doc_id = m.doc_id AND f.section = m.section "
                "WHERE f.name = ANY(%s) GROUP BY 1, 2", (cid, full, COUNT_CAP, cid, extra)).fetchall()
            for name in extra:
                facets[name] = _sorted_counts({v: c for n, v, c in frows if n == name})
        # Like the local engine, a document matching in two allowed sections counts twice.
        total = sum(c for sec, c in by_section.items() if allowed is None or sec in allowed)
        if total > COUNT_CAP:
            total, capped = COUNT_CAP, True
        return {name: facets.get(name, {}) for name in names}, total, capped

    def facets(self, query: str, filters: Filters | None = None) -> dict[str, dict[str, int]]:
        return self.search(query, limit=0, filters=filters, snippets=0).facets

    def hit_spans(self, query: str, doc: Document) -> list[tuple[int, int]]:
        parsed = querylang.parse(_clean(query), self._schema, self._parser)
        compiled = self._run(self._compile, parsed.query)
        wanted = _sections_of(parsed.query) if parsed.explicit_section else {ARTICLE}
        spans: list[tuple[int, int]] = []
        for section in doc.sections:
            if section.name in wanted:
                spans.extend(highlight.find_hits(doc.text, section.start, section.end, compiled.spec))
        return spans

    # -- suggestions -------------------------------------------------------------------
    def suggest(self, query: str) -> str | None:
        return self._run(self._suggest, query)

    def _suggest(self, conn: Any, query_text: str) -> str | None:
        from reader.core.search.whoosh_engine import _match_case, _replace_word, suggestible_words

        cid = self._cid(conn)
        replacements: dict[str, str] = {}
        for word in suggestible_words(query_text):
            term = normalise_word(word)
            if len(term) < 4:
                continue
            row = conn.execute("SELECT body_df FROM parallax.vocabulary WHERE corpus_id = %s AND term = %s",
                               (cid, term)).fetchone()
            freq = int(row[0]) if row else 0
            if freq > 1:
                continue
            max_dist = 1 if len(term) <= 5 else 2
            best: tuple[int, int, str] | None = None
            for cand, dist, _df in self._near(conn, term, max_dist, 12):
                if cand == term or not cand.isalpha() or len(cand) <= 2:
                    continue
                body = conn.execute("SELECT body_df FROM parallax.vocabulary WHERE corpus_id = %s AND term = %s",
                                    (cid, cand)).fetchone()
                cand_freq = int(body[0]) if body else 0
                if cand_freq <= freq * 3 or cand_freq == 0:
                    continue
                key = (dist, -cand_freq, cand)
                if best is None or key < best:
                    best = key
            if best is not None:
                surface = conn.execute("SELECT surface FROM parallax.surfaces WHERE corpus_id = %s AND term = %s",
                                       (cid, best[2])).fetchone()
                if surface:
                    replacements[word] = _match_case(word, surface[0])
        if not replacements:
            return None
        out = query_text
        for word, repl in replacements.items():
            out = _replace_word(out, word, repl)
        return out if out != query_text else None

    # -- more like this ---------------------------------------------------------------
    def more_like_this(self, doc: Document, *, limit: int = 10) -> TeamSearchResults:
        return self._run(self._more_like, doc, limit)

    def _more_like(self, conn: Any, doc: Document, limit: int) -> TeamSearchResults:
        from reader.core.team.tokens import quote_lexeme
        from reader.core.team.tsquery import Compiled

        started = time.perf_counter()
        cid = self._cid(conn)
        article = doc.section_text(ARTICLE) or doc.text
        tf: dict[str, int] = {}
        for token in StemmingAnalyzer()(article):
            if token.text not in STOP_WORDS and len(token.text) > 2 and token.text.isalpha():
                tf[token.text] = tf.get(token.text, 0) + 1
        if not tf:
            return TeamSearchResults(f"like:{doc.id}", 0, [], {}, None)
        n = max(self._corpus_stats(conn)[0], 1.0)
        df = dict(conn.execute("SELECT term, df FROM parallax.vocabulary WHERE corpus_id = %s AND term = ANY(%s)",
                               (cid, list(tf))).fetchall())
        weights = {t: c * (math.log(n / (df.get(t, 0) + 1)) + 1.0) for t, c in tf.items() if df.get(t, 0) > 0}
        keys = sorted(weights.items(), key=lambda kv: (-kv[1], kv[0]))[:15]
        if not keys:
            return TeamSearchResults(f"like:{doc.id}", 0, [], {}, None)
        top = keys[0][1] or 1.0
        boosts = {t: w / top for t, w in keys}
        tsq = ("(" + " | ".join(f"{quote_lexeme(t)}:D" for t, _w in keys) + ") & 'section=article' & !"
               + quote_lexeme(f"id={doc.id}"))
        compiled = Compiled(tsq, True, highlight.MatchSpec(terms=set(boosts)), set(boosts))
        hits = self._top(conn, cid, tsq, compiled, limit, False, 1, boosts=boosts)
        facets, total, capped = self._facets(conn, cid, tsq, tsq, {ARTICLE}, False)
        return TeamSearchResults(f"like:{doc.id}", total, hits, facets, None, time.perf_counter() - started,
                                 capped=capped)


def _bm25(idf: float, tf: float, length: float, avg: float) -> float:
    return idf * (tf * (K1 + 1)) / (tf + K1 * ((1 - B) + B * length / max(avg, 1.0)))


def _sorted_counts(groups: dict[Any, int]) -> dict[str, int]:
    return dict(sorted(((str(k), int(v)) for k, v in groups.items() if k not in (None, "")),
                       key=lambda kv: (-kv[1], kv[0])))


def _sections_of(q: Any) -> set[str]:
    from whoosh import query

    found = {str(leaf.text) for leaf in q.leaves() if isinstance(leaf, query.Term) and leaf.fieldname == "section"}
    return found or {ARTICLE}


def _clean(text: str) -> str:
    """PostgreSQL text cannot hold NUL characters; a query never needs them."""
    return text.replace("\x00", "")


def _like_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _line(exc: BaseException) -> str:
    from reader.core.team.db import describe

    return describe(exc)
