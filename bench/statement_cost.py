"""statement_cost: what one PostgreSQL round trip costs the bot's own CPU, through ClassBot's database layer and
through the driver alone.

    python -m bench.statement_cost [--repeats 400] [--rounds 5]

``overhead_ratio`` finds ClassBot's whole booking flow at about twice the CPU of a floor that makes the same
Telegram and Zoom calls with no database. A booking takes about 27 PostgreSQL round trips (its statements, and
the BEGIN and COMMIT of its transactions), so what each one costs the bot's process, not the server, says how
much of that gap the durable work itself is and how much the way it is issued: SQLAlchemy's session, its
compiled-statement cache, the greenlet bridge to asyncpg, the pool's checkout and checkin.

One process on uvloop (as the bot runs), a scratch database migrated to ClassBot's schema with one person, and
the same one-row lookup of that person issued five ways, one at a time, ``--repeats`` times each, in
``--rounds`` alternating rounds (each figure is the median of the rounds):

- ClassBot's lightest read: ``Readers.settings`` on ``Database.query()`` (a Core select, an autocommit pool);
- ClassBot's ORM read: ``People.find`` in ``Database.read()`` (a session, a ``Person`` object);
- ClassBot's write transaction around that ORM read: ``Database.write()`` (BEGIN, the select, COMMIT);
- asyncpg alone: ``fetchrow`` of the same SQL on a connection taken from an asyncpg pool;
- asyncpg alone in a transaction: BEGIN, ``fetchrow``, COMMIT.

CPU is this process's (``time.process_time``), so PostgreSQL's share, the same SQL either way, is left out.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
from collections.abc import Awaitable, Callable

import asyncpg  # type: ignore[import-untyped]

from bench.machine import reference_loop_ms
from bench.postgres import scratch_database
from bench.report import record, table
from bot.storage.database import Database
from bot.storage.identity import PersonRef
from bot.storage.migrate import upgrade_to_head
from bot.storage.people import People, Readers

WHO = PersonRef("telegram", "4242", display_name="Parent")
# The SQL ``Readers.settings`` sends, written out for the driver-only ways.
SETTINGS_SQL = (
    "SELECT language, language_chosen, timezone FROM people"
    " WHERE platform = $1 AND workspace_id = $2 AND platform_user_id = $3"
)
Work = Callable[[], Awaitable[object]]


async def cpu_per_call(work: Work, repeats: int) -> float:
    """Microseconds of this process's CPU per call of ``work``, awaited one after another."""
    started = time.process_time()
    for _ in range(repeats):
        await work()
    return (time.process_time() - started) / repeats * 1e6


async def measure(repeats: int, rounds: int) -> dict[str, dict[str, float]]:
    async with scratch_database("classbot_statement_cost") as scratch:
        database = Database.connect(scratch.bot_url())
        pool = await asyncpg.create_pool(scratch.dsn(), min_size=1, max_size=1)
        try:
            await upgrade_to_head(database)
            async with database.write() as session:
                await People(session).ensure(WHO)
            identity = (WHO.platform, WHO.workspace_id, WHO.user_id)

            async def light_read() -> object:
                async with database.query() as connection:
                    return await Readers(connection).settings(WHO)

            async def orm_read() -> object:
                async with database.read() as session:
                    return await People(session).find(WHO)

            async def orm_write() -> object:
                async with database.write() as session:
                    return await People(session).find(WHO)

            async def driver_read() -> object:
                async with pool.acquire() as connection:
                    return await connection.fetchrow(SETTINGS_SQL, *identity)

            async def driver_write() -> object:
                async with pool.acquire() as connection, connection.transaction():
                    return await connection.fetchrow(SETTINGS_SQL, *identity)

            ways: dict[str, tuple[Work, int]] = {
                "ClassBot, Readers on Database.query()": (light_read, 1),
                "ClassBot, People.find in Database.read()": (orm_read, 1),
                "ClassBot, People.find in Database.write()": (orm_write, 3),
                "asyncpg, fetchrow on a pooled connection": (driver_read, 1),
                "asyncpg, BEGIN + fetchrow + COMMIT": (driver_write, 3),
            }
            for name, (work, _) in ways.items():  # connections opened, statements prepared and cached
                for _ in range(50):
                    found = await work()
                if found is None:
                    raise SystemExit(f"{name}: the lookup found no one, so it measured the wrong thing")
            samples: dict[str, list[float]] = {name: [] for name in ways}
            for _ in range(rounds):
                for name, (work, _) in ways.items():
                    samples[name].append(await cpu_per_call(work, repeats))
        finally:
            await pool.close()
            await database.dispose()
    return {
        name: {"per_call_us": statistics.median(samples[name]), "round_trips": trips, "rounds": samples[name]}
        for name, (_, trips) in ways.items()
    }


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.statement_cost", description=__doc__)
    parser.add_argument("--repeats", type=int, default=400, help="calls of each way per round")
    parser.add_argument("--rounds", type=int, default=5)
    arguments = parser.parse_args()
    loop_ms = reference_loop_ms()
    try:
        import uvloop

        runner = asyncio.Runner(loop_factory=uvloop.new_event_loop)
    except ImportError:  # the bot runs on plain asyncio then too
        runner = asyncio.Runner()
    with runner:
        costs = runner.run(measure(arguments.repeats, arguments.rounds))
    driver = costs["asyncpg, fetchrow on a pooled connection"]["per_call_us"]
    rows = [
        [
            name,
            trips := int(cost["round_trips"]),
            f"{cost['per_call_us']:,.0f}",
            f"{cost['per_call_us'] / trips:,.0f}",
            f"{cost['per_call_us'] / trips / driver:.1f}x",
            ", ".join(f"{each:,.0f}" for each in cost["rounds"]),
        ]
        for name, cost in costs.items()
    ]
    body = "\n\n".join(
        [
            f"The same one-row lookup, {arguments.repeats} times each way in each of {arguments.rounds} alternating"
            f" rounds (median shown, every round's figure after it); this process's CPU, on uvloop. Reference loop"
            f" at the start: {loop_ms:.0f} ms.",
            table(
                [
                    "way",
                    "round trips",
                    "bot CPU per call (µs)",
                    "per round trip (µs)",
                    "against asyncpg alone",
                    "rounds (µs per call)",
                ],
                rows,
            ),
        ]
    )
    print(body, flush=True)
    record(
        "statement_cost",
        body,
        [],
        {name: {"per_call_us": round(cost["per_call_us"], 1)} for name, cost in costs.items()},
    )


if __name__ == "__main__":
    main()
