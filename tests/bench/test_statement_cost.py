"""``python -m bench.statement_cost`` at a tiny size: each of the five ways finds the person it looks up, and what
it measured is recorded (here, in a scratch folder instead of bench/RESULTS.md)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy import make_url

from tests.support.databases import postgres_admin_url

REPOSITORY = Path(__file__).resolve().parents[2]


def test_every_way_of_the_lookup_is_measured_and_recorded(tmp_path: Path) -> None:
    server = make_url(postgres_admin_url()).set(drivername="postgresql", database="postgres")
    environment = os.environ | {
        "BENCH_POSTGRES_URL": server.render_as_string(hide_password=False),
        "BENCH_RESULTS_FOLDER": str(tmp_path),
        "PYTHONPATH": str(REPOSITORY),
    }
    run = subprocess.run(
        [sys.executable, "-m", "bench.statement_cost", "--repeats", "5", "--rounds", "2"],
        cwd=REPOSITORY,
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
    )

    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    data = json.loads((tmp_path / "results.json").read_text())["statement_cost"]["data"]
    assert len(data) == 5
    assert all(way["per_call_us"] > 0 for way in data.values())
    assert "## statement_cost" in (tmp_path / "RESULTS.md").read_text()
