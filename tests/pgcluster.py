"""A throwaway PostgreSQL 15 cluster for tests and benchmarks, never for real data (kept out of the
app package: it is the only code here that opens a socket, to find a free loopback port).

PostgreSQL refuses to run as root, and CI runs as root: the cluster lives in a temporary
folder owned by ``postgres`` and its programs run through ``runuser -u postgres``. It
listens on 127.0.0.1 only, on a free port, with ``fsync=off`` (its data is disposable), and
the superuser logs in with a SCRAM password like every real user does.
"""

from __future__ import annotations

import logging
import os
import secrets
import shutil
import socket  # noqa: TID251 - only to find a free local port for a throwaway test cluster
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from reader.core.search.build_workers import pid_alive

log = logging.getLogger(__name__)

PG_BIN_DIRS = (Path("/usr/lib/postgresql/15/bin"),)
SUPERUSER = "parallax_admin"


class ClusterUnavailable(RuntimeError):
    """The PostgreSQL 15 binaries (or the RUM extension) are not installed here."""


def find_bin() -> Path:
    """The folder holding ``initdb`` and ``pg_ctl`` of PostgreSQL 15, or raise saying what is missing.

    ``PARALLAX_PG_BINDIR`` points elsewhere (another distribution's layout).
    """
    override = os.environ.get("PARALLAX_PG_BINDIR")
    for folder in [Path(override)] if override else PG_BIN_DIRS:
        if (folder / "initdb").exists() and (folder / "pg_ctl").exists():
            share = Path("/usr/share/postgresql/15/extension")
            if not (share / "rum.control").exists():
                raise ClusterUnavailable("the RUM extension is missing (apt-get install postgresql-15-rum)")
            if not (share / "pg_trgm.control").exists():
                raise ClusterUnavailable("pg_trgm is missing (apt-get install postgresql-contrib)")
            return folder
    raise ClusterUnavailable(f"PostgreSQL 15 is not installed in {override or PG_BIN_DIRS[0]} "
                             "(apt-get install postgresql-15 postgresql-15-rum)")


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


PREFIX = "parallax-pg-"


def sweep_orphans(bindir: Path, as_postgres: bool) -> list[Path]:
    """Stop and remove the clusters of test processes that died without stopping theirs (a
    crashed xdist worker, a kill -9): each would keep a postmaster and its memory for good."""
    swept = []
    for folder in Path(tempfile.gettempdir()).glob(PREFIX + "*"):
        try:
            owner = int((folder / "owner").read_text(encoding="utf-8").strip())
        except (OSError, ValueError):
            continue  # not one of ours, or still being made
        if pid_alive(owner):
            continue
        orphan = LocalCluster(folder, 0, "", bindir, as_postgres)
        if (folder / "data" / "postmaster.pid").exists():
            orphan._run("pg_ctl", "-D", str(folder / "data"), "-m", "immediate", "-w", "stop")
        shutil.rmtree(folder, ignore_errors=True)
        log.info("removed the throwaway cluster of a dead test process (pid %s): %s", owner, folder)
        swept.append(folder)
    return swept


@dataclass
class LocalCluster:
    """One running cluster: ``url`` connects as its superuser over TCP with SCRAM."""

    folder: Path
    port: int
    password: str
    bindir: Path
    as_postgres: bool

    @property
    def url(self) -> str:
        return self.db_url("parallax")

    def db_url(self, database: str) -> str:
        """The superuser's URL for another database of this cluster."""
        return f"postgresql://{SUPERUSER}:{self.password}@127.0.0.1:{self.port}/{database}"

    def url_for(self, user: str, password: str, database: str = "parallax") -> str:
        return f"postgresql://{user}:{password}@127.0.0.1:{self.port}/{database}"

    def _run(self, *args: str) -> subprocess.CompletedProcess[str]:
        cmd = [str(self.bindir / args[0]), *args[1:]]
        if self.as_postgres:
            cmd = ["runuser", "-u", "postgres", "--", *cmd]
        return subprocess.run(cmd, capture_output=True, text=True, timeout=120, check=False)

    @classmethod
    def start(cls, *, shared_buffers: str = "128MB") -> LocalCluster:
        bindir = find_bin()
        as_postgres = os.geteuid() == 0
        if as_postgres and shutil.which("runuser") is None:
            raise ClusterUnavailable("running as root without runuser: cannot start PostgreSQL")
        sweep_orphans(bindir, as_postgres)
        folder = Path(tempfile.mkdtemp(prefix=PREFIX))
        (folder / "owner").write_text(f"{os.getpid()}\n", encoding="utf-8")
        password = secrets.token_hex(16)
        pwfile = folder / "pw"
        pwfile.write_text(password + "\n", encoding="utf-8")
        if as_postgres:
            shutil.chown(folder, "postgres", "postgres")
            shutil.chown(pwfile, "postgres", "postgres")
        folder.chmod(0o700)
        cluster = cls(folder, _free_port(), password, bindir, as_postgres)
        data = folder / "data"
        done = cluster._run("initdb", "-D", str(data), "-U", SUPERUSER, "--pwfile", str(pwfile),
                            "--auth-local=scram-sha-256", "--auth-host=scram-sha-256", "-E", "UTF8",
                            "--locale=C.UTF-8", "--no-sync")
        pwfile.unlink()
        if done.returncode != 0:
            shutil.rmtree(folder, ignore_errors=True)
            raise ClusterUnavailable(f"initdb failed: {done.stderr.strip().splitlines()[-1:]}")
        options = (f"-p {cluster.port} -c listen_addresses=127.0.0.1 -c unix_socket_directories={folder} "
                   f"-c fsync=off -c synchronous_commit=off -c full_page_writes=off "
                   f"-c shared_buffers={shared_buffers} -c max_connections=60")
        done = cluster._run("pg_ctl", "-D", str(data), "-o", options, "-l", str(folder / "log"), "-w", "start")
        if done.returncode != 0:
            log_text = (folder / "log").read_text(errors="replace") if (folder / "log").exists() else ""
            shutil.rmtree(folder, ignore_errors=True)
            raise ClusterUnavailable(f"pg_ctl start failed: {(done.stderr or log_text).strip()[-300:]}")
        import psycopg

        with psycopg.connect(cluster.db_url("postgres"), autocommit=True) as conn:
            conn.execute("CREATE DATABASE parallax")
        log.info("throwaway PostgreSQL cluster on 127.0.0.1:%s in %s", cluster.port, folder)
        return cluster

    def stop(self) -> None:
        self._run("pg_ctl", "-D", str(self.folder / "data"), "-m", "immediate", "-w", "stop")
        shutil.rmtree(self.folder, ignore_errors=True)
