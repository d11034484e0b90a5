"""``python -m bench.scale_curve`` at a tiny size: it prefills a database with COPY, runs the burst on an empty
and on the full database, and times /classes, /mybookings, the App Home view, the roster and the reminder sweep
on both (printed, not recorded: bench/RESULTS.md is left alone)."""

from __future__ import annotations

import json

import pytest

from tests.bench.running import run_bench

pytestmark = pytest.mark.slow


def test_the_scale_curve_measures_every_probe_on_an_empty_and_a_prefilled_database() -> None:
    arguments = ["--classes", "500", "--bookings", "2000", "--parents", "3", "--probes", "3", "--no-record"]
    printed = run_bench("scale_curve", arguments)

    measured = json.loads(printed.strip().splitlines()[-1])
    empty, full = measured["sizes"]["empty"], measured["sizes"]["full"]
    assert full["prefill"]["rows"]["classes"] == 500
    assert full["prefill"]["rows"]["bookings"] == 2000
    assert full["prefill"]["database_mb"] > 0
    assert (empty["burst"]["booked"], full["burst"]["booked"]) == (3, 3)
    for probe in ("app_home", "roster", "reminder_sweep"):
        assert full[probe]["count"] == 3, probe
    assert (empty["app_home"]["prefilled_people"], full["app_home"]["prefilled_people"]) == (0, 3)
    assert full["reminder_sweep"]["jobs_claimed"] > 0  # prefilled reminders came due at the moments swept
    assert full["mybookings"]["bookings_listed"] > 0
    assert len(measured["targets"]) == 6
