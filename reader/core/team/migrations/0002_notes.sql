-- 0002: libraries (one per person, one per team), notes with a per-library version counter,
-- row-level security FORCED on notes by library membership.
CREATE TABLE parallax.libraries (
    id      text PRIMARY KEY CHECK (id ~ '^(user|team):[a-z0-9_][a-z0-9_-]{0,60}$'),
    kind    text NOT NULL CHECK (kind IN ('user', 'team')),
    version bigint NOT NULL DEFAULT 0
);

CREATE TABLE parallax.library_members (
    library_id text NOT NULL REFERENCES parallax.libraries(id) ON DELETE CASCADE,
    member     name NOT NULL,
    can_write  boolean NOT NULL DEFAULT true,
    PRIMARY KEY (library_id, member)
);

CREATE TABLE parallax.notes (
    library_id text NOT NULL REFERENCES parallax.libraries(id) ON DELETE CASCADE,
    id         text NOT NULL CHECK (id ~ '^[0-9a-zA-Z_-]{8,64}$'),
    owner      name NOT NULL DEFAULT session_user,
    version    bigint NOT NULL,
    deleted    boolean NOT NULL DEFAULT false,
    fields     jsonb NOT NULL,
    PRIMARY KEY (library_id, id)
);
CREATE INDEX notes_by_version ON parallax.notes (library_id, version);

CREATE FUNCTION parallax.is_member(lib text, writing boolean DEFAULT false) RETURNS boolean
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = parallax, pg_temp AS $$
    SELECT EXISTS (SELECT 1 FROM parallax.library_members m
                   WHERE m.library_id = lib AND m.member = session_user AND (m.can_write OR NOT writing))
$$;

-- Bump a library's version for one write transaction; the row lock serialises writers.
CREATE FUNCTION parallax.bump_version(lib text) RETURNS bigint
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = parallax, pg_temp AS $$
DECLARE v bigint;
BEGIN
    IF NOT parallax.is_member(lib, true) THEN
        RAISE EXCEPTION 'not a writing member of library %', lib USING ERRCODE = '42501';
    END IF;
    UPDATE parallax.libraries SET version = version + 1 WHERE id = lib RETURNING version INTO v;
    RETURN v;
END $$;

CREATE FUNCTION parallax.library_version(lib text) RETURNS bigint
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = parallax, pg_temp AS $$
    SELECT version FROM parallax.libraries WHERE id = lib AND parallax.is_member(lib)
$$;

CREATE FUNCTION parallax.my_libraries() RETURNS TABLE (library_id text, kind text, can_write boolean)
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = parallax, pg_temp AS $$
    SELECT l.id, l.kind, m.can_write FROM parallax.libraries l
    JOIN parallax.library_members m ON m.library_id = l.id WHERE m.member = session_user ORDER BY l.id
$$;

ALTER TABLE parallax.notes ENABLE ROW LEVEL SECURITY;
ALTER TABLE parallax.notes FORCE ROW LEVEL SECURITY;
-- The membership lists are read once per statement (a hashed subplan), not once per row.
CREATE FUNCTION parallax.member_of(writing boolean DEFAULT false) RETURNS SETOF text
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = parallax, pg_temp AS $$
    SELECT library_id FROM parallax.library_members WHERE member = session_user AND (can_write OR NOT writing)
$$;
CREATE POLICY notes_read ON parallax.notes FOR SELECT
    USING (library_id IN (SELECT parallax.member_of(false)));
CREATE POLICY notes_insert ON parallax.notes FOR INSERT
    WITH CHECK (owner = session_user AND library_id IN (SELECT parallax.member_of(true)));
CREATE POLICY notes_update ON parallax.notes FOR UPDATE
    USING (owner = session_user AND library_id IN (SELECT parallax.member_of(true)))
    WITH CHECK (owner = session_user AND library_id IN (SELECT parallax.member_of(true)));
-- No DELETE policy: deletes are tombstones (deleted = true), so other laptops learn of them.

-- Libraries and memberships: users see their own; the schema owner (the administrator who ran
-- `team init`) manages them. Notes alone are FORCED, so not even the owner reads private notes.
ALTER TABLE parallax.libraries ENABLE ROW LEVEL SECURITY;
CREATE POLICY libraries_read ON parallax.libraries FOR SELECT USING (parallax.is_member(id));
ALTER TABLE parallax.library_members ENABLE ROW LEVEL SECURITY;
CREATE POLICY members_read ON parallax.library_members FOR SELECT USING (parallax.is_member(library_id));

-- Corpus rows are readable by the corpus's reader role (editors are members of it).
CREATE FUNCTION parallax.readable_corpora() RETURNS integer[]
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = parallax, pg_temp AS $$
    SELECT coalesce(array_agg(id), '{}') FROM parallax.corpora
    WHERE pg_has_role(session_user, reader_role, 'MEMBER')
$$;
ALTER TABLE parallax.documents ENABLE ROW LEVEL SECURITY;
CREATE POLICY documents_read ON parallax.documents FOR SELECT
    USING (corpus_id IN (SELECT unnest(parallax.readable_corpora())));
ALTER TABLE parallax.sections ENABLE ROW LEVEL SECURITY;
CREATE POLICY sections_read ON parallax.sections FOR SELECT
    USING (corpus_id IN (SELECT unnest(parallax.readable_corpora())));

DO $$ BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'parallax_users') THEN
        CREATE ROLE parallax_users NOLOGIN;
    END IF;
END $$;
GRANT USAGE ON SCHEMA parallax TO parallax_users;
GRANT SELECT ON parallax.corpora, parallax.texts, parallax.vocabulary, parallax.surfaces,
    parallax.corpus_stats, parallax.section_facets, parallax.entity_mentions, parallax.framing_spans,
    parallax.documents, parallax.sections TO parallax_users;
GRANT SELECT, INSERT, UPDATE ON parallax.notes TO parallax_users;
GRANT SELECT ON parallax.libraries, parallax.library_members, parallax.schema_migrations TO parallax_users;
GRANT EXECUTE ON FUNCTION parallax.bump_version(text), parallax.library_version(text),
    parallax.my_libraries(), parallax.is_member(text, boolean), parallax.readable_corpora(),
    parallax.member_of(boolean) TO parallax_users;
REVOKE EXECUTE ON FUNCTION parallax.bump_version(text) FROM PUBLIC;

-- Editors of a corpus write its rows (pushes); texts are content-addressed and insert-only.
CREATE FUNCTION parallax.writable_corpora() RETURNS integer[]
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = parallax, pg_temp AS $$
    SELECT coalesce(array_agg(id), '{}') FROM parallax.corpora
    WHERE pg_has_role(session_user, editor_role, 'MEMBER')
$$;
GRANT EXECUTE ON FUNCTION parallax.writable_corpora() TO parallax_users;
CREATE POLICY documents_write ON parallax.documents FOR ALL
    USING (corpus_id IN (SELECT unnest(parallax.writable_corpora())))
    WITH CHECK (corpus_id IN (SELECT unnest(parallax.writable_corpora())));
CREATE POLICY sections_write ON parallax.sections FOR ALL
    USING (corpus_id IN (SELECT unnest(parallax.writable_corpora())))
    WITH CHECK (corpus_id IN (SELECT unnest(parallax.writable_corpora())));
