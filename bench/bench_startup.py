"""Cold start: ``parallax --screenshot`` with one document open, as a new process each run."""

from __future__ import annotations

import compileall
import logging
import os
import subprocess
import sys
import tempfile
import time

from bench.common import ROOT, Row, median

log = logging.getLogger(__name__)


def run(repeat: int = 7) -> list[Row]:
    times = []
    # An installed app has its bytecode compiled; a shell with PYTHONDONTWRITEBYTECODE set would
    # otherwise make every run recompile the whole package and measure the compiler.
    compileall.compile_dir(str(ROOT / "reader"), quiet=1)
    with tempfile.TemporaryDirectory() as tmp:
        env = dict(os.environ, QT_QPA_PLATFORM="offscreen", PARALLAX_CONFIG_DIR=f"{tmp}/c",
                   PARALLAX_DATA_DIR=f"{tmp}/d", PARALLAX_CACHE_DIR=f"{tmp}/k")
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        cmd = [sys.executable, "-m", "reader", "--screenshot", f"{tmp}/shot.png", "--open", "moa-failed-rebellion"]
        subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, check=True)  # warm the OS file cache
        for _ in range(repeat):
            start = time.perf_counter()
            subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, check=True)
            times.append(time.perf_counter() - start)
    med = median(times)
    return [Row(f"cold start: --screenshot, 1 document (median of {repeat})", med, "s", "<= 1.0 s", med <= 1.0,
                f"min {min(times):.3f} s, max {max(times):.3f} s")]
