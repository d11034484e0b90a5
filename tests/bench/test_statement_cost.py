"""``python -m bench.statement_cost`` at a tiny size: each of the five ways finds the person it looks up, and what
it measured is recorded (here, in a scratch folder instead of bench/RESULTS.md)."""

from __future__ import annotations

import json
from pathlib import Path

from tests.bench.running import run_bench


def test_every_way_of_the_lookup_is_measured_and_recorded(tmp_path: Path) -> None:
    run_bench("statement_cost", ["--repeats", "5", "--rounds", "2"], results=tmp_path, timeout=300)

    data = json.loads((tmp_path / "results.json").read_text())["statement_cost"]["data"]
    assert len(data) == 5
    assert all(way["per_call_us"] > 0 for way in data.values())
    assert "## statement_cost" in (tmp_path / "RESULTS.md").read_text()
