"""Connections to the team server and the numbered SQL migrations that build its schema.

Migrations are the ``migrations/NNNN_name.sql`` files beside this module, applied in order,
each in its own transaction together with its row in ``parallax.schema_migrations`` (an
advisory lock keeps two ``team init`` runs from racing). A failed migration rolls back whole.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from reader.core.errors import ReaderError

if TYPE_CHECKING:
    import psycopg

log = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).with_name("migrations")
_MIGRATION_NAME = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")
_LOCK_KEY = 0x7061726C  # "parl": serialises concurrent migrators
CONNECT_TIMEOUT = 10


class TeamError(ReaderError):
    """A team-server problem the user must be told about in one line (unreachable, refused...)."""


def migrations() -> list[tuple[int, str, str]]:
    """``(number, file name, sql)`` of every migration, in order."""
    found = []
    for path in sorted(MIGRATIONS_DIR.glob("*.sql")):
        match = _MIGRATION_NAME.match(path.name)
        if match:
            found.append((int(match.group(1)), path.name, path.read_text(encoding="utf-8")))
    return found


def _psycopg() -> Any:
    try:
        import psycopg
    except ImportError as exc:
        raise TeamError("the team server needs psycopg: pip install 'parallax-reader[team]'") from exc
    return psycopg


def connect(url: str, *, autocommit: bool = False, application: str = "parallax") -> psycopg.Connection[Any]:
    """A connection with the ``parallax`` schema first on the search path; errors become one line."""
    psycopg = _psycopg()
    try:
        conn = psycopg.connect(url, **connection_kwargs(autocommit=autocommit, application=application))
    except psycopg.Error as exc:
        raise TeamError(f"cannot connect to the team server: {describe(exc)}") from None
    return conn


def connection_kwargs(*, autocommit: bool = False, application: str = "parallax") -> dict[str, Any]:
    """Connection settings shared by single connections and the pool."""
    return {"autocommit": autocommit, "connect_timeout": CONNECT_TIMEOUT, "application_name": application,
            "options": "-c search_path=parallax,public"}


def describe(exc: BaseException) -> str:
    """The first line of a database error, without the password that may sit in a URL."""
    text = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
    return re.sub(r"://([^:@/]+):[^@/]*@", r"://\1:***@", text)[:300]


@contextmanager
def transaction(conn: psycopg.Connection[Any]) -> Iterator[psycopg.Connection[Any]]:
    with conn.transaction():
        yield conn


def applied(conn: psycopg.Connection[Any]) -> set[int]:
    row = conn.execute("SELECT to_regclass('parallax.schema_migrations') IS NOT NULL").fetchone()
    if not row or not row[0]:
        return set()
    return {r[0] for r in conn.execute("SELECT version FROM parallax.schema_migrations")}


def migrate(conn: psycopg.Connection[Any]) -> list[str]:
    """Apply the missing migrations, each in one transaction; returns the names applied."""
    done: list[str] = []
    if schema_current(conn):  # nothing to do, and nothing a plain user may not do
        return done
    with conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(%s)", (_LOCK_KEY,))
        conn.execute("CREATE SCHEMA IF NOT EXISTS parallax")
        conn.execute("""CREATE TABLE IF NOT EXISTS parallax.schema_migrations (
                        version integer PRIMARY KEY, name text NOT NULL,
                        applied timestamptz NOT NULL DEFAULT now())""")
    for number, name, sql in migrations():
        with conn.transaction():
            conn.execute("SELECT pg_advisory_xact_lock(%s)", (_LOCK_KEY,))
            if number in applied(conn):
                continue
            log.info("applying team migration %s", name)
            conn.execute(sql)  # trusted files shipped with the app
            conn.execute("INSERT INTO parallax.schema_migrations (version, name) VALUES (%s, %s)", (number, name))
            done.append(name)
    return done


def schema_current(conn: psycopg.Connection[Any]) -> bool:
    return applied(conn) >= {n for n, _name, _sql in migrations()}


@contextmanager
def reported(action: str, *, resumable: bool = False) -> Iterator[None]:
    """Database failures during ``action`` become one :class:`TeamError` line (no traceback)."""
    psycopg = _psycopg()
    try:
        yield
    except psycopg.errors.InsufficientPrivilege as exc:
        raise TeamError(f"cannot {action}: permission denied on the team server ({describe(exc)})") from None
    except psycopg.OperationalError as exc:
        tail = "; nothing committed is lost, run it again to resume" if resumable else ""
        raise TeamError(f"cannot {action}: the connection to the team server failed ({describe(exc)}){tail}") \
            from None
    except psycopg.Error as exc:
        raise TeamError(f"cannot {action}: {describe(exc)}") from None
