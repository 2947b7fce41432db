-- 0001: shared corpora, documents stored once by content hash, searchable sections.
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE EXTENSION IF NOT EXISTS fuzzystrmatch;
CREATE EXTENSION IF NOT EXISTS rum;
CREATE EXTENSION IF NOT EXISTS unaccent;

CREATE SCHEMA IF NOT EXISTS parallax;

CREATE TABLE parallax.corpora (
    id          serial PRIMARY KEY,
    name        text NOT NULL UNIQUE CHECK (name ~ '^[a-z0-9][a-z0-9_-]{0,40}$'),
    reader_role text NOT NULL,
    editor_role text NOT NULL,
    schema      text NOT NULL DEFAULT '',
    created     timestamptz NOT NULL DEFAULT now()
);

-- Canonical texts, keyed by content hash: the same article in two corpora is stored once.
CREATE TABLE parallax.texts (
    content_hash text PRIMARY KEY,
    text         text NOT NULL
);

CREATE TABLE parallax.documents (
    corpus_id    integer NOT NULL REFERENCES parallax.corpora(id) ON DELETE CASCADE,
    doc_id       text NOT NULL,
    content_hash text NOT NULL REFERENCES parallax.texts(content_hash),
    title        text NOT NULL DEFAULT '',
    outlet       text NOT NULL DEFAULT '',
    author       text NOT NULL DEFAULT '',
    published    date,
    language     text NOT NULL DEFAULT 'en',
    meta         jsonb NOT NULL DEFAULT '{}',
    sections     jsonb NOT NULL DEFAULT '[]',
    updated      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (corpus_id, doc_id)
);
CREATE INDEX documents_by_hash ON parallax.documents (content_hash);

-- One searchable row per section (article, comments), like the local index. The tsvector holds
-- the project's own analyzer terms: title at weight A, body at D, metadata tokens
-- (section=, outlet=, day=, month=, year=, entity=...) at C.
CREATE TABLE parallax.sections (
    id        bigserial PRIMARY KEY,
    corpus_id integer NOT NULL,
    doc_id    text NOT NULL,
    section   text NOT NULL,
    outlet    text NOT NULL DEFAULT '',
    day       text NOT NULL DEFAULT 'undated',
    body_len  integer NOT NULL DEFAULT 0,
    title_len integer NOT NULL DEFAULT 0,
    tsv       tsvector NOT NULL,
    FOREIGN KEY (corpus_id, doc_id) REFERENCES parallax.documents(corpus_id, doc_id) ON DELETE CASCADE,
    UNIQUE (corpus_id, doc_id, section)
);

-- Registered facet values per section (entity ids...), for facet counts.
CREATE TABLE parallax.section_facets (
    corpus_id integer NOT NULL,
    doc_id    text NOT NULL,
    section   text NOT NULL,
    name      text NOT NULL,
    value     text NOT NULL,
    PRIMARY KEY (corpus_id, doc_id, section, name, value),
    FOREIGN KEY (corpus_id, doc_id, section) REFERENCES parallax.sections(corpus_id, doc_id, section)
        ON DELETE CASCADE
);

-- Derived spans per document version (content hash): entity mentions and framing highlights.
CREATE TABLE parallax.entity_mentions (
    content_hash text NOT NULL REFERENCES parallax.texts(content_hash) ON DELETE CASCADE,
    entity       text NOT NULL,
    start_at     integer NOT NULL,
    end_at       integer NOT NULL,
    PRIMARY KEY (content_hash, start_at, entity)
);
CREATE INDEX entity_mentions_by_entity ON parallax.entity_mentions (entity);

CREATE TABLE parallax.framing_spans (
    content_hash text NOT NULL REFERENCES parallax.texts(content_hash) ON DELETE CASCADE,
    technique    text NOT NULL,
    start_at     integer NOT NULL,
    end_at       integer NOT NULL,
    rule         text NOT NULL DEFAULT '',
    term         text NOT NULL DEFAULT '',
    PRIMARY KEY (content_hash, start_at, technique, rule)
);
CREATE INDEX framing_spans_by_technique ON parallax.framing_spans (technique);

-- Terms of each corpus with their document frequency (rebuilt from the tsvectors by a job, in
-- PostgreSQL) and a surface form as printed (sent by the client at push), for fuzzy matching
-- with pg_trgm and spelling suggestions weighted by frequency.
CREATE TABLE parallax.vocabulary (
    corpus_id integer NOT NULL REFERENCES parallax.corpora(id) ON DELETE CASCADE,
    term      text NOT NULL,
    df        integer NOT NULL DEFAULT 0,
    body_df   integer NOT NULL DEFAULT 0,
    PRIMARY KEY (corpus_id, term)
);
CREATE INDEX vocabulary_trgm ON parallax.vocabulary USING gin (term gin_trgm_ops);

CREATE TABLE parallax.surfaces (
    corpus_id integer NOT NULL REFERENCES parallax.corpora(id) ON DELETE CASCADE,
    term      text NOT NULL,
    surface   text NOT NULL,
    PRIMARY KEY (corpus_id, term)
);

-- Corpus-wide numbers BM25F needs (section count, average field lengths), kept by the stats job.
CREATE TABLE parallax.corpus_stats (
    corpus_id  integer PRIMARY KEY REFERENCES parallax.corpora(id) ON DELETE CASCADE,
    sections   bigint NOT NULL DEFAULT 0,
    avg_body   double precision NOT NULL DEFAULT 1,
    avg_title  double precision NOT NULL DEFAULT 1,
    first_day  text,
    last_day   text,
    refreshed  timestamptz NOT NULL DEFAULT now()
);

-- Derived data is rebuilt inside PostgreSQL from the store of record: a queue, not a second system.
CREATE TABLE parallax.jobs (
    id        bigserial PRIMARY KEY,
    corpus_id integer NOT NULL REFERENCES parallax.corpora(id) ON DELETE CASCADE,
    kind      text NOT NULL CHECK (kind IN ('vocabulary', 'stats', 'rum-index')),
    state     text NOT NULL DEFAULT 'queued' CHECK (state IN ('queued', 'running', 'done', 'failed')),
    error     text NOT NULL DEFAULT '',
    created   timestamptz NOT NULL DEFAULT now(),
    finished  timestamptz
);
CREATE INDEX jobs_queued ON parallax.jobs (state, id) WHERE state = 'queued';
