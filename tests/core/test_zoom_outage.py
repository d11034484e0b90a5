"""Zoom away for an hour on a busy class day: the links wait it out, then arrive once each, soon after Zoom answers.

Every API call to Zoom fails (503) for an hour of a movable clock while parents book; Zoom's token endpoint still
answers, so the hour's token refresh goes through. A transient Zoom failure is retried without an attempt limit
(``zoom_answers``), at most 30 s apart (the test runs the worker every two minutes): no booking is given up on,
and when Zoom answers again every parent gets their link, registered once with Zoom, within the next retry.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from classbot_fakes.zoom import FakeZoom

from bot.core.worker import backoff_seconds
from tests.support.clock import MovableClock
from tests.support.core_world import core_world, parent

PARENTS = 4
LONGEST_RETRY = timedelta(seconds=backoff_seconds(100))  # the backoff's cap for a transient Zoom failure
STEP = timedelta(minutes=2)  # the worker runs every two minutes of the hour: 30 rounds, more than any attempt limit


def _registered(zoom: FakeZoom) -> int:
    """Registrants Zoom added and answered for (a call lost to the outage added no one)."""
    added = [call for call in zoom.calls if call.method == "POST" and call.path.endswith("/registrants")]
    return sum(1 for call in added if call.status == 201)


async def test_an_hour_without_zoom_delays_every_link_and_loses_none(
    sqlite_url: str, fake_zoom: FakeZoom, tmp_path: Path
) -> None:
    clock = MovableClock()
    async with core_world(sqlite_url, fake_zoom, tmp_path, clock=clock, licensed=True) as world:
        cls = await world.new_class(days_ahead=0.5, seats=PARENTS)
        world.zoom.fail_next(503, times=1_000_000, path=r"^/v2/")
        for n in range(PARENTS):
            await world.components.bookings.book(parent(n), cls.public_id, [f"Kid{n}"], f"t{n}")
            await world.run_jobs()
        outage_end = clock() + timedelta(hours=1)
        while clock() < outage_end:
            clock.advance(STEP)
            await world.run_jobs()
        links_during = [len(world.links_to(parent(n))) for n in range(PARENTS)]
        states_during = {status for _, status in await world.job_states()}
        world.zoom.clear_faults()
        clock.advance(LONGEST_RETRY)
        await world.run_jobs()
        links_after = [len(world.links_to(parent(n))) for n in range(PARENTS)]
        clock.advance(timedelta(hours=2))
        await world.run_jobs()
        links_later = [len(world.links_to(parent(n))) for n in range(PARENTS)]
        registered = _registered(world.zoom)

    assert links_during == [0] * PARENTS
    assert "dead" not in states_during  # nothing given up on during the hour
    assert links_after == [1] * PARENTS  # within one retry of Zoom's return
    assert links_later == [1] * PARENTS  # and never again
    assert registered == PARENTS
