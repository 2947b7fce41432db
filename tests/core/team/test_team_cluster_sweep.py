"""The tests' throwaway PostgreSQL clusters: one left by a dead test process is cleaned up."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.pgcluster import ClusterUnavailable, LocalCluster, sweep_orphans


def _running(pid: int) -> bool:
    """Whether ``pid`` is a live process (a zombie waiting for its parent counts as gone)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def test_a_dead_processes_cluster_is_stopped_and_removed() -> None:
    try:
        cluster = LocalCluster.start(shared_buffers="16MB")
    except ClusterUnavailable as exc:
        pytest.skip(f"no PostgreSQL to start: {exc}")
    try:
        dead = subprocess.Popen([sys.executable, "-c", "pass"])
        dead.wait()  # reaped: its pid belongs to nobody (barring reuse within this test)
        pid_file = cluster.folder / "data" / "postmaster.pid"
        postmaster = int(pid_file.read_text().split()[0])
        (cluster.folder / "owner").write_text(f"{dead.pid}\n", encoding="utf-8")
        assert cluster.folder in sweep_orphans(cluster.bindir, cluster.as_postgres)
        assert not cluster.folder.exists()
        deadline = time.monotonic() + 10
        while _running(postmaster) and time.monotonic() < deadline:
            time.sleep(0.05)  # `pg_ctl stop -w` returns when the pid file is gone, a moment early
        assert not _running(postmaster)
    finally:
        if cluster.folder.exists():
            cluster.stop()


def test_a_live_processes_cluster_is_left_alone() -> None:
    try:
        cluster = LocalCluster.start(shared_buffers="16MB")
    except ClusterUnavailable as exc:
        pytest.skip(f"no PostgreSQL to start: {exc}")
    try:
        assert cluster.folder not in sweep_orphans(cluster.bindir, cluster.as_postgres)
        assert (cluster.folder / "data" / "postmaster.pid").exists()
    finally:
        cluster.stop()
