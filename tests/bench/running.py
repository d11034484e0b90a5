"""A benchmark run as people run it, ``python -m bench.NAME`` from the repository, at a tiny size: against the
local PostgreSQL server the tests use, its results recorded in a scratch folder when one is given (never in
bench/RESULTS.md)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy import make_url

from tests.support.databases import postgres_admin_url

REPOSITORY = Path(__file__).resolve().parents[2]


def run_bench(module: str, arguments: list[str], *, results: Path | None = None, timeout: float = 600) -> str:
    """Run ``bench.<module>`` with ``arguments`` and return what it printed; fails the test unless it exits 0."""
    server = make_url(postgres_admin_url()).set(drivername="postgresql", database="postgres")
    environment = os.environ | {
        "BENCH_POSTGRES_URL": server.render_as_string(hide_password=False),
        "PYTHONPATH": str(REPOSITORY),
    }
    if results is not None:
        environment["BENCH_RESULTS_FOLDER"] = str(results)
    run = subprocess.run(
        [sys.executable, "-m", f"bench.{module}", *arguments],
        cwd=REPOSITORY,
        env=environment,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    return run.stdout
