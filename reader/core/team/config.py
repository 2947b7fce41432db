"""Which team server this laptop uses, and its credentials, kept out of the plain settings.

``<config>/team.json`` (0600) holds the server URL *without* its password, the user and the
team corpus in use; the password sits alone in ``<config>/team-credentials`` (0600), never in
settings.yaml, logs or error messages. Nothing here connects: :func:`load` only reads files,
and a laptop without ``team.json`` never imports psycopg nor opens a socket.
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote, urlsplit, urlunsplit

from reader.core.atomic import atomic_write_text
from reader.core.team.db import TeamError

log = logging.getLogger(__name__)

CONFIG_NAME = "team.json"
CREDENTIALS_NAME = "team-credentials"
PASSWORD_ENV = "PARALLAX_TEAM_PASSWORD"


@dataclass
class TeamConfig:
    url: str  # postgresql://user@host:port/db?sslmode=... (no password)
    user: str
    corpus: str | None = None

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def split_password(url: str) -> tuple[str, str, str | None]:
    """``(url without password, user, password or None)``; rejects what is not a PostgreSQL URL."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("postgresql", "postgres") or not parts.hostname:
        raise TeamError("the team server URL must look like postgresql://USER@HOST[:PORT]/DATABASE")
    if not parts.username:
        raise TeamError("the team server URL needs a user: postgresql://USER@HOST/DATABASE")
    user = unquote(parts.username)
    host = parts.hostname if ":" not in parts.hostname else f"[{parts.hostname}]"
    netloc = f"{quote(user, safe='')}@{host}" + (f":{parts.port}" if parts.port else "")
    clean = urlunsplit((parts.scheme, netloc, parts.path or "/parallax", parts.query, ""))
    return clean, user, unquote(parts.password) if parts.password is not None else None


def _paths(config_dir: Path) -> tuple[Path, Path]:
    return Path(config_dir) / CONFIG_NAME, Path(config_dir) / CREDENTIALS_NAME


def load(config_dir: Path) -> TeamConfig | None:
    """The configured team server, or None (the offline default); a broken file is reported, not fatal."""
    path, _cred = _paths(config_dir)
    if not path.exists():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return TeamConfig(str(data["url"]), str(data["user"]), data.get("corpus"))
    except (OSError, ValueError, KeyError, TypeError) as exc:
        log.warning("ignoring unreadable %s: %s", path, exc)
        return None


def save(config_dir: Path, config: TeamConfig, password: str | None = None) -> None:
    path, cred = _paths(config_dir)
    Path(config_dir).mkdir(parents=True, exist_ok=True, mode=0o700)
    atomic_write_text(path, json.dumps(config.to_json(), indent=2) + "\n", mode=0o600)
    if password is not None:
        atomic_write_text(cred, password + "\n", mode=0o600)


def forget(config_dir: Path) -> None:
    for path in _paths(config_dir):
        path.unlink(missing_ok=True)


def password(config_dir: Path) -> str | None:
    """The password: ``PARALLAX_TEAM_PASSWORD`` wins, then the 0600 credentials file."""
    if os.environ.get(PASSWORD_ENV):
        return os.environ[PASSWORD_ENV]
    _path, cred = _paths(config_dir)
    try:
        if cred.stat().st_mode & 0o077:
            cred.chmod(0o600)
        return cred.read_text(encoding="utf-8").rstrip("\n")
    except OSError:
        return None


def connect_url(config_dir: Path, config: TeamConfig) -> str:
    secret = password(config_dir)
    if secret is None:
        return config.url
    parts = urlsplit(config.url)
    netloc = parts.netloc.replace("@", f":{quote(secret, safe='')}@", 1)
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, ""))


def connector(config_dir: Path, config: TeamConfig) -> Any:
    """A function opening a fresh autocommit connection to the configured server."""
    from reader.core.team import db

    url = connect_url(config_dir, config)
    return lambda: db.connect(url, autocommit=True)


def team_engine(config_dir: Path) -> Any:
    """The engine of the team corpus in use (``team use NAME``), or None: the laptop's own index.

    Opening it does not connect; the first search does.
    """
    cfg = load(config_dir)
    if cfg is None or not cfg.corpus:
        return None
    try:
        from psycopg_pool import ConnectionPool
    except ImportError:
        raise TeamError("the team corpus needs psycopg: pip install 'parallax-reader[team]' "
                        "(or run: parallax team use --local)") from None

    from reader.core.search.postgres_engine import PostgresEngine
    from reader.core.team.db import CONNECT_TIMEOUT, connection_kwargs

    pool = ConnectionPool(connect_url(config_dir, cfg), min_size=1, max_size=4, open=False, timeout=CONNECT_TIMEOUT,
                          kwargs=connection_kwargs(autocommit=True), name="parallax-team")
    return PostgresEngine(None, cfg.corpus, pool=pool)
