"""scale_curve: the booking burst on an empty database and on a full one; /classes, /mybookings, Slack's App Home,
the roster and the reminder sweep at both.

    python -m bench.scale_curve [--parents 300] [--classes 100000] [--bookings 1000000] [--probes 100]

"Full" is a database migrated with ``python -m bot migrate`` and filled by ``bench.prefill`` (COPY) before the
bot starts; ``--classes`` and ``--bookings`` size it (a smoke test passes tiny ones). At each size: the
limits-off burst of ``bench.burst`` (CPU and round trips per booking, the bot's and PostgreSQL's), then
``--probes`` parents each send /classes and then /mybookings, one at a time, each timed from the command's
update being queued to the bot's first message and to its last (each answers in one message: /classes lists up
to 10 classes, /mybookings up to 20 bookings; on the full database the probing parents are prefilled ones with
their bookings, counted beforehand). Each probe waits until ClassBot's pacing of Telegram sends (30/s) has room
for the answer. Then ``bench.core_probes``, beside the running bot, times the core calls of the App Home view,
the roster and the worker's claim of due jobs (the reminder sweep), ``--probes`` of each.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
from dataclasses import asdict
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


async def core_probes(stack: Stack, count: int) -> dict[str, Any]:
    """``bench.core_probes`` in its own process, on the bot's database (not through the wire counter)."""
    environment = {
        "PATH": os.environ.get("PATH", ""),
        "PYTHONPATH": str(REPOSITORY),
        "DATABASE_URL": stack.database.bot_url(),
        "DATA_DIR": str(stack.workdir / "probe-data"),
        "ENCRYPTION_KEY": stack.bot_environment["ENCRYPTION_KEY"],
        "PUBLIC_URL": "http://127.0.0.1:9",
        "LOG_LEVEL": "WARNING",
        **{key: value for key, value in stack.bot_environment.items() if key.startswith("ZOOM_")},
    }
    run = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bench.core_probes", str(count), cwd=stack.workdir, env=environment,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    out, err = await run.communicate()
    if run.returncode != 0:
        raise RuntimeError(f"bench.core_probes failed:\n{err.decode()[-3000:]}")
    answer: dict[str, Any] = json.loads(out.decode().strip().splitlines()[-1])
    return answer


async def one_size(name: str, full: bool, arguments: argparse.Namespace, workdir: Path) -> dict[str, Any]:
    prefill: dict[str, Any] = {}

    async def prepare(stack: Stack) -> dict[str, str] | None:
        if full:
            migrate(stack)
            prefill.update(await fill(stack.database.dsn(), classes=arguments.classes, bookings=arguments.bookings))
            print(f"prefilled: {json.dumps(prefill)}", flush=True)
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
        core = await core_probes(stack, arguments.probes)
    return {"prefill": prefill, "burst": burst, "classes": classes, "mybookings": bookings, **core}


def _ms(probe: dict[str, Any]) -> str:
    return f"{probe['p50']} / {probe['p99']} ms" if probe.get("count") else "none"


def _cpu(burst: dict[str, Any]) -> float:
    """Bot and PostgreSQL CPU per booking, booking phase."""
    return float(burst["bot_cpu_ms_per_booking"]) + float(burst["postgres_cpu_ms_per_booking"])


def summarize(sizes: dict[str, dict[str, Any]], arguments: argparse.Namespace) -> tuple[str, list[Target]]:
    """The block's text and the targets, from both sizes' numbers."""
    empty, full = sizes["empty"], sizes["full"]
    ratio = _cpu(full["burst"]) / _cpu(empty["burst"])
    bot_ratio = full["burst"]["bot_cpu_ms_per_booking"] / empty["burst"]["bot_cpu_ms_per_booking"]
    filled = full["prefill"]
    seconds = filled["seconds"]
    rows: list[list[Any]] = [
        ["rows", "the burst's own", ", ".join(f"{t} {n:,}" for t, n in filled["rows"].items())],
        [
            "prefill (plan in Python, COPY, VACUUM ANALYZE + CHECKPOINT)",
            "",
            f"{seconds['total']} s ({seconds['plan']} + {seconds['copy']} + {seconds['vacuum_analyze_checkpoint']}), "
            f"database {filled['database_mb']:,} MB",
        ],
        *[
            [label, *(f(sizes[s]["burst"]) for s in ("empty", "full"))]
            for label, f in (
                ("parents booked", lambda b: f"{b['booked']} of {b['parents']}"),
                ("bot CPU per booking, booking phase", lambda b: f"{b['bot_cpu_ms_per_booking']} ms"),
                ("PostgreSQL CPU per booking, booking phase", lambda b: f"{b['postgres_cpu_ms_per_booking']} ms"),
                ("bot + PostgreSQL CPU per booking, booking phase", lambda b: f"{_cpu(b):.2f} ms"),
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
    rows += [
        ["App Home view build p50 / p99", *(_ms(sizes[s]["app_home"]) for s in sizes)],
        ["App Home: blocks per view", *(sizes[s]["app_home"].get("blocks", 0) for s in sizes)],
        ["roster p50 / p99", *(_ms(sizes[s]["roster"]) for s in sizes)],
        ["roster: seats taken per class probed", *(sizes[s]["roster"].get("bookings", 0) for s in sizes)],
        ["reminder sweep (claim of due jobs) p50 / p99", *(_ms(sizes[s]["reminder_sweep"]) for s in sizes)],
        ["reminder sweep: jobs claimed per sweep", *(sizes[s]["reminder_sweep"]["jobs_claimed"] for s in sizes)],
    ]
    body = "\n\n".join(
        [
            f"The limits-off burst ({arguments.parents} parents) on an empty database and on one filled by "
            "`bench/prefill.py` (COPY; people on Telegram and on ten Slack workspaces, uneven classes per teacher "
            "and bookings per parent and class, weekly series, waitlists, past and future sessions, the jobs and "
            "redelivery keys they leave), then /classes and /mybookings from "
            f"{arguments.probes} parents one at a time, timed on the fake Telegram's clock from the command's "
            "update being queued to the bot's first and last message of the answer (each command answers in one "
            "message: up to 10 classes, up to 20 bookings). Probes are spaced so that ClassBot's own pacing of "
            "Telegram sends (30 messages/s) has refilled before each one. Then, beside the running bot, "
            "`bench/core_probes.py` times one at a time the core calls of Slack's App Home tab (the Slack front "
            "end's `HomeTab.view_for`, all it reads and the blocks; for the Slack teachers with the most classes "
            "and Slack parents with bookings, each in every channel of their workspace; `views.publish` not timed), "
            "the roster (`ClassService.roster`, classes with bookings, by their teachers) and the worker's "
            "sweep for due reminders (`JobQueue.claim` of up to 16 due jobs, at moments spread over the next two "
            "days). CPU is counted as in the other benchmarks: the bot process and the PostgreSQL backends "
            "serving it.",
            table(["", "empty", "full"], rows),
            f"Bot + PostgreSQL CPU per booking, full against empty: **{ratio:.2f}x** (the bot's alone "
            f"{bot_ratio:.2f}x).",
            burst_report.problems({name: sizes[name]["burst"] for name in sizes}),
        ]
    )
    cmd = command_line()
    targets = [
        Target(
            "scale x10: bot + PostgreSQL CPU per booking on the full database ≤ 1.1x the empty one",
            f"{ratio:.2f}x",
            ratio <= 1.1,
            cmd,
        )
    ]
    for command in ("classes", "mybookings"):
        whole, first = full[command]["complete_ms"]["p99"], full[command]["first_ms"]["p99"]
        measured = f"p99 {whole:,.0f} ms whole answer ({full[command]['messages']} messages), {first:,.0f} ms first"
        targets.append(Target(f"scale x10: /{command} p99 ≤ 30 ms on the full database", measured, whole <= 30, cmd))
    for key, label in (("app_home", "App Home view"), ("roster", "roster"), ("reminder_sweep", "reminder sweep")):
        p99 = full[key].get("p99")
        measured = f"p99 {p99:,.0f} ms" if p99 is not None else "not measured (nothing to probe)"
        targets.append(
            Target(
                f"scale x10: {label} p99 ≤ 30 ms on the full database",
                measured,
                None if p99 is None else p99 <= 30,
                cmd,
            )
        )
    return body, targets


async def main_async(arguments: argparse.Namespace) -> None:
    sizes: dict[str, dict[str, Any]] = {}
    with scratch_folder(arguments.keep) as scratch:
        for name, full in (("empty", False), ("full", True)):
            sizes[name] = await one_size(name, full, arguments, scratch)
    body, targets = summarize(sizes, arguments)
    if arguments.no_record:
        print(json.dumps({"targets": [asdict(t) for t in targets], "sizes": sizes}), flush=True)
        return
    record("scale_curve", body, targets, {"sizes": sizes})


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.scale_curve", description=__doc__)
    parser.add_argument("--parents", type=int, default=300)
    parser.add_argument("--classes", type=int, default=100_000)
    parser.add_argument("--bookings", type=int, default=1_000_000)
    parser.add_argument("--probes", type=int, default=100)
    parser.add_argument("--keep", action="store_true", help="keep the runs' logs (printed at the end)")
    parser.add_argument(
        "--no-record", action="store_true", help="print the numbers as JSON instead of recording them in RESULTS.md"
    )
    asyncio.run(main_async(parser.parse_args()))


if __name__ == "__main__":
    main()
