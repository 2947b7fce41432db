"""The team tests' PostgreSQL: one throwaway cluster per test process, or a skip with the reason.

Loaded as a plugin from tests/conftest.py. The cluster starts on first use (so a run without
team tests never starts it), is stopped at exit, and the summary prints how many team tests
were skipped and why, so a CI without PostgreSQL says so instead of passing quietly.
"""

from __future__ import annotations

import atexit
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

_state: dict[str, Any] = {}
SKIP_PREFIX = "team server unavailable"


def cluster() -> Any:
    """The running cluster, started once; skips the calling test when it cannot run here."""
    if "error" in _state:
        pytest.skip(f"{SKIP_PREFIX}: {_state['error']}")
    if "cluster" not in _state:
        try:
            import psycopg  # noqa: F401

            from tests.pgcluster import ClusterUnavailable, LocalCluster
        except ImportError as exc:
            _state["error"] = f"psycopg is not installed ({exc})"
            pytest.skip(f"{SKIP_PREFIX}: {_state['error']}")
        try:
            _state["cluster"] = LocalCluster.start()
        except ClusterUnavailable as exc:
            _state["error"] = str(exc)
            pytest.skip(f"{SKIP_PREFIX}: {_state['error']}")
        atexit.register(_state["cluster"].stop)
    return _state["cluster"]


@pytest.fixture(scope="session")
def pg_cluster() -> Any:
    return cluster()


@pytest.fixture
def team_db(pg_cluster: Any) -> Iterator[str]:
    """A fresh database with the migrations applied; yields its superuser URL."""
    import psycopg

    from reader.core.team import db

    name = f"t_{uuid.uuid4().hex[:10]}"
    admin = pg_cluster.db_url("postgres")
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    url = pg_cluster.db_url(name)
    with db.connect(url, autocommit=True) as conn:
        db.migrate(conn)
    yield url
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def pytest_terminal_summary(terminalreporter: Any) -> None:
    skipped = [r for r in terminalreporter.stats.get("skipped", [])
               if SKIP_PREFIX in str(getattr(r, "longrepr", ""))]
    if skipped:
        reason = str(skipped[0].longrepr[2]) if isinstance(skipped[0].longrepr, tuple) else str(skipped[0].longrepr)
        terminalreporter.write_line(f"team tests skipped: {len(skipped)} ({reason})", yellow=True)
