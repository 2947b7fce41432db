"""Corpora on the team server: creation with their reader/editor roles, lookup, access grants."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from typing import Any

from psycopg import sql

from reader.core.team.db import TeamError

log = logging.getLogger(__name__)

_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,40}$")


@dataclass(frozen=True)
class TeamCorpus:
    id: int
    name: str
    reader_role: str
    editor_role: str


def check_name(name: str) -> str:
    low = name.strip().lower()
    if not _NAME.match(low):
        raise TeamError(f"bad corpus name {name!r}: use lower-case letters, digits, '-' and '_' (at most 41)")
    return low


def role_names(name: str) -> tuple[str, str]:
    safe = name.replace("-", "_")
    return f"pxc_{safe}_reader", f"pxc_{safe}_editor"


def find(conn: Any, name: str) -> TeamCorpus | None:
    row = conn.execute("SELECT id, name, reader_role, editor_role FROM parallax.corpora WHERE name = %s",
                       (check_name(name),)).fetchone()
    return TeamCorpus(*row) if row else None


def get(conn: Any, name: str) -> TeamCorpus:
    found = find(conn, name)
    if found is None:
        raise TeamError(f"no corpus {name!r} on the team server (push one with: parallax team push NAME)")
    return found


def names(conn: Any) -> list[str]:
    return [r[0] for r in conn.execute("SELECT name FROM parallax.corpora ORDER BY name")]


def create(conn: Any, name: str) -> TeamCorpus:
    """The corpus row and its two group roles (editor is a member of reader); needs CREATEROLE."""
    name = check_name(name)
    reader, editor = role_names(name)
    with conn.transaction():
        for role in (reader, editor):
            exists = conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (role,)).fetchone()
            if not exists:
                conn.execute(sql.SQL("CREATE ROLE {} NOLOGIN").format(sql.Identifier(role)))
        conn.execute(sql.SQL("GRANT {} TO {}").format(sql.Identifier(reader), sql.Identifier(editor)))
        conn.execute(sql.SQL("GRANT parallax_users TO {}").format(sql.Identifier(reader)))
        tables = ("documents", "sections", "section_facets", "texts", "entity_mentions", "framing_spans",
                  "vocabulary", "surfaces", "corpus_stats", "jobs")
        for table in tables:
            conn.execute(sql.SQL("GRANT SELECT, INSERT, UPDATE, DELETE ON {} TO {}").format(
                sql.Identifier("parallax", table), sql.Identifier(editor)))
        conn.execute(sql.SQL("GRANT USAGE ON ALL SEQUENCES IN SCHEMA parallax TO {}").format(sql.Identifier(editor)))
        row = conn.execute(
            "INSERT INTO parallax.corpora (name, reader_role, editor_role) VALUES (%s, %s, %s) "
            "ON CONFLICT (name) DO UPDATE SET name = EXCLUDED.name RETURNING id, name, reader_role, editor_role",
            (name, reader, editor)).fetchone()
        conn.execute("INSERT INTO parallax.corpus_stats (corpus_id) VALUES (%s) ON CONFLICT DO NOTHING", (row[0],))
    log.info("team corpus %s ready (roles %s, %s)", name, reader, editor)
    return TeamCorpus(*row)


def grant(conn: Any, corpus: TeamCorpus, user: str, *, editor: bool) -> None:
    role = corpus.editor_role if editor else corpus.reader_role
    with conn.transaction():
        conn.execute(sql.SQL("GRANT {} TO {}").format(sql.Identifier(role), sql.Identifier(user)))
