"""``python -m bench.slack_burst`` at a tiny size: it runs ClassBot and its slack-bolt floor through the three
Slack interactions, then ClassBot with Slack's limits on, and records what it measured (here, in a scratch folder
instead of bench/RESULTS.md)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.bench.running import run_bench

pytestmark = pytest.mark.slow


def test_the_slack_burst_books_every_parent_on_both_sides_with_the_same_calls(tmp_path: Path) -> None:
    arguments = ["--parents", "3", "--rounds", "1", "--limited-parents", "2", "--book-rate", "0"]
    run_bench("slack_burst", arguments, results=tmp_path)

    recorded = json.loads((tmp_path / "results.json").read_text())["slack_burst"]
    data, targets = recorded["data"], {t["target"]: t for t in recorded["targets"]}
    assert (data["classbot"]["booked"], data["floor"]["booked"], data["limits_on"]["booked"]) == (3, 3, 2)
    assert data["classbot"]["slack_calls"]["views.open ok"] == 3
    assert data["classbot"]["zoom_calls"]["POST /v2/meetings/{id}/registrants 201"] == 3
    assert targets["Slack: the floor makes ClassBot's calls: per booking, by method, within 1%"]["met"] is True
    assert "## slack_burst" in (tmp_path / "RESULTS.md").read_text()
