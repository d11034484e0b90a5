"""python_calls: how many Python function calls ClassBot makes per booking, a gauge no machine's speed moves.

    python -m bench.python_calls [--parents 40]

CPU time per booking moves by tens of percent with the machine's load (and by far more on a host whose CPU is
stolen by its neighbours), so a change that saves a tenth of the work can hide in the noise. The number of
Python function calls (cProfile's count, builtins included) is the same on every run of the same code: it
tells whether a change made ClassBot do less, not how fast this machine ran it.

In one process, on a scratch PostgreSQL database, against a FakeZoom with a connected, licensed teacher:
``--parents`` parents book one class each through ``BookingService.book`` (what a final tap runs in the core),
then the worker runs what those bookings queued (each parent's Zoom registrant and link, the teacher's
notice). Front ends are not in it: their work is python-telegram-bot's, and the floor of ``overhead_ratio``
does it too.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import pstats
import tempfile
from collections.abc import Awaitable, Callable
from pathlib import Path

from classbot_fakes.zoom import FakeZoom

from bench.postgres import scratch_database
from bench.report import record, table
from tests.support.core_world import core_world, parent


async def counted(work: Callable[[], Awaitable[object]]) -> int:
    """Python function calls made while ``work`` runs (this process's, every task's)."""
    profile = cProfile.Profile()
    profile.enable()
    try:
        await work()
    finally:
        profile.disable()
    return int(pstats.Stats(profile).total_calls)  # type: ignore[attr-defined]


async def measure(parents: int) -> dict[str, float]:
    with FakeZoom() as zoom, tempfile.TemporaryDirectory() as scratch:
        async with (
            scratch_database() as database,
            core_world(database.bot_url(), zoom, Path(scratch), licensed=True) as world,
        ):
            view = await world.new_class(seats=parents + 1)
            bookings = world.components.bookings
            # One booking and its jobs first, so what is done once per process (the meeting) is not counted.
            await bookings.book(parent(0), view.public_id, ["Kid 0"], "warm-up")
            await world.run_jobs()

            async def book_all() -> None:
                for n in range(1, parents + 1):
                    await bookings.book(parent(n), view.public_id, [f"Kid {n}"], f"tap-{n}")

            booking_calls = await counted(book_all)
            job_calls = await counted(world.run_jobs)
    return {"book": booking_calls / parents, "jobs": job_calls / parents}


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.python_calls", description=__doc__)
    parser.add_argument("--parents", type=int, default=40)
    arguments = parser.parse_args()
    calls = asyncio.run(measure(arguments.parents))
    rows = [
        ["the booking (`BookingService.book`)", f"{calls['book']:,.0f}"],
        ["what it queued (Zoom registrant, link, teacher's notice)", f"{calls['jobs']:,.0f}"],
        ["together", f"{calls['book'] + calls['jobs']:,.0f}"],
    ]
    body = "\n\n".join(
        [
            f"{arguments.parents} parents each book one child; Python function calls per booking (cProfile):",
            table(["", "calls per booking"], rows),
        ]
    )
    print(body, flush=True)
    record("python_calls", body, [], {"parents": arguments.parents, **{k: round(v) for k, v in calls.items()}})


if __name__ == "__main__":
    main()
