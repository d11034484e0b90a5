"""scale_curve: the booking burst on an empty database and on a full one, and /classes and /mybookings at both.

    python -m bench.scale_curve [--parents 300] [--classes 10000] [--bookings 100000] [--probes 100]

"Full" is a database migrated with ``python -m bot migrate`` and filled by ``bench.prefill`` before the bot
starts. At each size: the limits-off burst of ``bench.burst`` (CPU and round trips per booking), then
``--probes`` parents each send /classes and then /mybookings, one at a time, each timed from the command's
update being queued to the bot's first message and to its last (each answers in one message: /classes lists up
to 10 classes, /mybookings up to 20 bookings; on the full database the probing parents are prefilled ones with
their bookings, counted beforehand). Each probe waits until ClassBot's pacing of Telegram sends (30/s) has room
for the answer.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import asyncpg  # type: ignore[import-untyped]

from bench import burst_report
from bench.burst import run_burst
from bench.machine import REPOSITORY, percentile
from bench.prefill import fill
from bench.report import Target, command_line, record, table
from bench.stack import Options, Stack, scratch_folder

_UPCOMING = """EXISTS (SELECT 1 FROM class_sessions s WHERE s.class_id = c.id AND s.status = 'scheduled'
               AND s.starts_at > now())"""
_BOOKED = f"""SELECT count(*) FROM bookings b JOIN classes c ON c.id = b.class_id JOIN people u ON u.id = b.parent_id
    WHERE u.platform = 'telegram' AND u.platform_user_id = $1 AND b.status IN ('confirmed', 'pending_approval')
    AND c.status = 'scheduled' AND {_UPCOMING}"""  # noqa: S608 - constant SQL


def migrate(stack: Stack) -> None:
    environment = {**os.environ, "DATABASE_URL": stack.database.bot_url(), "PYTHONPATH": str(REPOSITORY)}
    with (stack.workdir / "migrate.log").open("wb") as log:
        subprocess.run(
            [sys.executable, "-m", "bot", "migrate"],
            cwd=stack.workdir,
            env=environment,
            stdout=log,
            stderr=log,
            check=True,
        )


# ClassBot paces its sends to Telegram's 30 messages/s (python-telegram-bot's AIORateLimiter: a bucket of 30,
# refilled at 30/s). Back-to-back probes would empty it and time the pacing, not the command: wait for it to
# refill after each answer.
_TELEGRAM_MESSAGES_PER_SECOND = 30


async def probe(stack: Stack, users: list[int], command: str, expected: list[int]) -> dict[str, Any]:
    """Each user sends ``command`` in turn; seconds to the first and to the last message of each answer."""
    first, last = [], []
    for user, count in zip(users, expected, strict=True):
        await asyncio.sleep(count / _TELEGRAM_MESSAGES_PER_SECOND + 0.1)
        answer = await stack.act([user], {"kind": "send", "text": command}, {"count": count, "quiet": 1.0}, within=30)
        [result] = answer["results"]
        if result["first"] is None:
            raise RuntimeError(f"no answer to {command} within 30 s")
        first.append(result["first"] - result["acted"])
        last.append(result["last"] - result["acted"])
    return {
        "messages": round(sum(expected) / len(expected), 1),
        "first_ms": {k: round(percentile(first, q) * 1000, 1) for k, q in (("p50", 0.5), ("p99", 0.99))},
        "complete_ms": {k: round(percentile(last, q) * 1000, 1) for k, q in (("p50", 0.5), ("p99", 0.99))},
    }


async def one_size(name: str, full: bool, arguments: argparse.Namespace, workdir: Path) -> dict[str, Any]:
    rows: dict[str, int] = {}

    async def prepare(stack: Stack) -> dict[str, str] | None:
        if full:
            migrate(stack)
            rows.update(await fill(stack.database.dsn(), classes=arguments.classes, bookings=arguments.bookings))
        return None

    print(f"{name} database", flush=True)
    async with Stack(workdir / name, Options(), before_bot=prepare) as stack:
        teacher = await stack.connect_teacher()
        class_id = await stack.create_class(teacher, seats=min(arguments.parents, 1000))
        burst = (await run_burst(stack, teacher, class_id, arguments.parents)).summary()
        probers = await stack.users(arguments.probes, "Prober")
        await stack.act(probers, {"kind": "start"}, {"count": 1})
        database = await asyncpg.connect(stack.database.dsn())
        try:
            if full:  # the probing parents take over prefilled parents, with their bookings
                for n, user in enumerate(probers):
                    await database.execute(
                        "UPDATE people SET platform_user_id = $1 WHERE platform_user_id = $2",
                        str(user),
                        f"fill-p-{n + 1}",
                    )
            booked = [min(20, int(await database.fetchval(_BOOKED, str(user)))) for user in probers]
        finally:
            await database.close()
        # Each answers in one message: /classes lists up to 10 classes, /mybookings up to 20 bookings.
        classes = await probe(stack, probers, "/classes", [1] * len(probers))
        bookings = await probe(stack, probers, "/mybookings", [1] * len(probers))
        bookings["bookings_listed"] = round(sum(booked) / len(booked), 1)
    return {"rows": rows, "burst": burst, "classes": classes, "mybookings": bookings}


def report(sizes: dict[str, dict[str, Any]], arguments: argparse.Namespace) -> None:
    empty, full = sizes["empty"], sizes["full"]
    ratio = full["burst"]["bot_cpu_ms_per_booking"] / empty["burst"]["bot_cpu_ms_per_booking"]
    rows: list[list[Any]] = [
        ["rows", "the burst's own", ", ".join(f"{t} {n:,}" for t, n in full["rows"].items())],
        *[
            [label, *(f(sizes[s]["burst"]) for s in ("empty", "full"))]
            for label, f in (
                ("parents booked", lambda b: f"{b['booked']} of {b['parents']}"),
                ("bot CPU per booking, booking phase", lambda b: f"{b['bot_cpu_ms_per_booking']} ms"),
                ("bot CPU per booking, whole flow", lambda b: f"{b['bot_cpu_ms_per_booking_whole_flow']} ms"),
                ("DB round trips per booking", lambda b: b["db_round_trips_per_booking"]),
                ("bookings/s", lambda b: b["bookings_per_second"]),
                ("tap → join link p99", lambda b: f"{b['tap_to_link_ms']['p99']:,.0f} ms"),
                ("bot ERROR/WARNING log lines during the burst", lambda b: sum(b["bot_log_problems"].values())),
            )
        ],
    ]
    for command in ("classes", "mybookings"):
        for part, label in (("first_ms", "first message"), ("complete_ms", "whole answer")):
            rows.append(
                [
                    f"/{command}: {label} p50 / p99",
                    *(f"{sizes[s][command][part]['p50']} / {sizes[s][command][part]['p99']} ms" for s in sizes),
                ]
            )
        rows.append([f"/{command}: messages per answer", *(sizes[s][command]["messages"] for s in sizes)])
    rows.append(
        ["/mybookings: bookings listed per answer", *(sizes[s]["mybookings"]["bookings_listed"] for s in sizes)]
    )
    body = "\n\n".join(
        [
            f"The limits-off burst ({arguments.parents} parents) on an empty database and on one filled by "
            "`bench/prefill.py`, then /classes and /mybookings from "
            f"{arguments.probes} parents one at a time, timed on the fake Telegram's clock from the command's "
            "update being queued to the bot's first and last message of the answer (each command answers in one "
            "message: up to 10 classes, up to 20 bookings). Probes are spaced so that ClassBot's own pacing of "
            "Telegram sends (30 messages/s) has refilled before each one.",
            table(["", "empty", "full"], rows),
            f"CPU per booking, full against empty: **{ratio:.2f}x**.",
            burst_report.problems({name: sizes[name]["burst"] for name in sizes}),
        ]
    )
    cmd = command_line()
    targets = [
        Target("scale: CPU per booking on the full database ≤ 1.2x the empty one", f"{ratio:.2f}x", ratio <= 1.2, cmd)
    ]
    for command in ("classes", "mybookings"):
        whole, first = full[command]["complete_ms"]["p99"], full[command]["first_ms"]["p99"]
        measured = f"p99 {whole:,.0f} ms whole answer ({full[command]['messages']} messages), {first:,.0f} ms first"
        targets.append(Target(f"scale: /{command} p99 ≤ 50 ms on the full database", measured, whole <= 50, cmd))
    record("scale_curve", body, targets, {"sizes": sizes})


async def main_async(arguments: argparse.Namespace) -> None:
    sizes: dict[str, dict[str, Any]] = {}
    with scratch_folder(arguments.keep) as scratch:
        for name, full in (("empty", False), ("full", True)):
            sizes[name] = await one_size(name, full, arguments, scratch)
    report(sizes, arguments)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.scale_curve", description=__doc__)
    parser.add_argument("--parents", type=int, default=300)
    parser.add_argument("--classes", type=int, default=10_000)
    parser.add_argument("--bookings", type=int, default=100_000)
    parser.add_argument("--probes", type=int, default=100)
    parser.add_argument("--keep", action="store_true", help="keep the runs' logs (printed at the end)")
    asyncio.run(main_async(parser.parse_args()))


if __name__ == "__main__":
    main()
