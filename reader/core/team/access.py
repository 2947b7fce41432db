"""People and libraries on the team server: access control lives in the database, not the client.

Each person is one LOGIN role with a SCRAM password (PostgreSQL 15 stores SCRAM verifiers by
default), member of ``parallax_users``; each gets a personal library ``user:<name>``. A team
library ``team:<name>`` has members; corpora have reader/editor roles (:mod:`corpora`).
Row-level security on notes is FORCED (migration 0002): a private note is invisible to
everyone else, a team note to non-members, and nobody can change a note they do not own.
Role names are checked and quoted with :class:`psycopg.sql.Identifier`; passwords travel as
literals quoted by psycopg, never pasted into SQL.
"""

from __future__ import annotations

import re
from typing import Any

from psycopg import sql

from reader.core.team.db import TeamError

_USER = re.compile(r"^[a-z_][a-z0-9_]{0,40}$")
_TEAM = re.compile(r"^[a-z0-9_][a-z0-9_-]{0,40}$")


def check_user(name: str) -> str:
    if not _USER.match(name) or name.startswith(("pg_", "pxc_", "parallax")):
        raise TeamError(f"bad user name {name!r}: lower-case letters, digits and '_' (not pg_/pxc_/parallax...)")
    return name


def personal_library(user: str) -> str:
    return f"user:{check_user(user)}"


def team_library(team: str) -> str:
    if not _TEAM.match(team):
        raise TeamError(f"bad team name {team!r}: lower-case letters, digits, '-' and '_'")
    return f"team:{team}"


def add_user(conn: Any, name: str, password: str) -> str:
    """Create a login role (SCRAM) with its personal library; returns the library id."""
    check_user(name)
    if len(password) < 8:
        raise TeamError("a password needs at least 8 characters")
    with conn.transaction():
        conn.execute("SET LOCAL password_encryption = 'scram-sha-256'")
        exists = conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (name,)).fetchone()
        verb = "ALTER" if exists else "CREATE"
        conn.execute(sql.SQL(verb + " ROLE {} LOGIN PASSWORD {}").format(sql.Identifier(name), sql.Literal(password)))
        conn.execute(sql.SQL("GRANT parallax_users TO {}").format(sql.Identifier(name)))
        lib = personal_library(name)
        conn.execute("INSERT INTO parallax.libraries (id, kind) VALUES (%s, 'user') ON CONFLICT DO NOTHING", (lib,))
        conn.execute("INSERT INTO parallax.library_members (library_id, member) VALUES (%s, %s) "
                     "ON CONFLICT DO NOTHING", (lib, name))
    return lib


def add_team(conn: Any, team: str, members: list[str], *, readers: list[str] | None = None) -> str:
    """Create (or extend) a team library; ``readers`` may read its notes but not write."""
    lib = team_library(team)
    with conn.transaction():
        conn.execute("INSERT INTO parallax.libraries (id, kind) VALUES (%s, 'team') ON CONFLICT DO NOTHING", (lib,))
        for member, write in [(m, True) for m in members] + [(r, False) for r in readers or []]:
            conn.execute("INSERT INTO parallax.library_members (library_id, member, can_write) VALUES (%s, %s, %s) "
                         "ON CONFLICT (library_id, member) DO UPDATE SET can_write = EXCLUDED.can_write",
                         (lib, check_user(member), write))
    return lib


def my_libraries(conn: Any) -> list[tuple[str, str, bool]]:
    return [tuple(r) for r in conn.execute("SELECT library_id, kind, can_write FROM parallax.my_libraries()")]
