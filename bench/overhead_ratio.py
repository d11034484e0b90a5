"""overhead_ratio: ClassBot's CPU per booking, whole flow, against a floor making the same calls in the same run.

    python -m bench.overhead_ratio [--parents 300] [--rounds 5]

A parent's booking is three interactions: open the class's share link (the card), press Book (the callback's
answer and the question), type the child's name (the reply, Zoom's registrant call, the join link, and the
teacher's digest). ``bench.burst`` drives all three for ``--parents`` parents at once, first against ClassBot,
then against ``bench.floor_bot``, a minimal python-telegram-bot program on the same stack that makes the same
Telegram and Zoom calls (gathering the teacher's notices the same way) and nothing else. Both against the same
fakes, with limits off and no added latency, one after the other on the same machine.

The calls are checked, not assumed: both sides' Telegram and Zoom calls per booking, by method, as the test
servers recorded them, are printed, and the run fails if any method differs by more than 1%.

CPU is the bot process's own (/proc) and, for ClassBot, also that of the PostgreSQL backends serving its
connections (the floor has no database): the ratio is given for the bot alone and for the bot with PostgreSQL,
for the whole flow and for each interaction. This machine's CPU time per request varies by tens of percent from
one minute to the next (both processes share two CPUs with PostgreSQL and the fakes), so the pair is measured
``--rounds`` times, alternating, and each ratio reported is the median of the rounds' ratios, every round shown.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
from collections import Counter
from pathlib import Path
from typing import Any

from bench import burst_report
from bench.burst import run_burst
from bench.machine import reference_loop_ms
from bench.report import Target, command_line, record, table
from bench.stack import Options, Stack, scratch_folder

TARGET = 1.5  # ClassBot's CPU per booking, at most this many times the floor's
CALLS_TOLERANCE = 0.01  # the two sides' calls per booking, by method, may differ by this share at most
INTERACTIONS = {"open": "card (/start)", "book": "Book button", "name": "child's name"}

Pair = tuple[dict[str, Any], dict[str, Any]]


async def classbot(parents: int, workdir: Path) -> dict[str, Any]:
    async with Stack(workdir, Options()) as stack:
        teacher = await stack.connect_teacher()
        class_id = await stack.create_class(teacher, seats=min(parents, 1000))
        burst = await run_burst(stack, teacher, class_id, parents)
    return burst.summary()


async def floor(parents: int, workdir: Path) -> dict[str, Any]:
    teacher_chat: dict[str, int] = {}

    async def prepare(stack: Stack) -> dict[str, str]:
        [teacher] = await stack.users(1, "Teacher")
        await stack.act([teacher], {"kind": "start"}, {"count": 0})  # so the bot may message the teacher
        teacher_chat["id"] = teacher
        tokens = await stack.zoom.call("/tokens", {"user": stack.zoom.value("FAKE_ZOOM_USER_ID")})
        return {"FLOOR_ZOOM_TOKEN": str(tokens["access_token"]), "FLOOR_TEACHER_CHAT": str(teacher)}

    argv = [sys.executable, "-m", "bench.floor_bot"]
    async with Stack(workdir, Options(count_database=False), before_bot=prepare, bot_argv=argv) as stack:
        burst = await run_burst(stack, teacher_chat["id"], "floor", parents)
    return burst.summary()


def per_booking_calls(side: dict[str, Any], *, by_status: bool = False) -> dict[str, float]:
    """Every Telegram and Zoom call of the whole flow (all three interactions) per booking, by method (and by
    the platform's answer, with ``by_status``: a call the platform refused was still made)."""
    booked = max(1, int(side["booked"]))
    calls: Counter[str] = Counter()
    for platform in ("telegram", "zoom"):
        for key, count in side[f"{platform}_calls"].items():
            calls[f"{platform.title()} {key if by_status else key.rsplit(' ', 1)[0]}"] += count
    return {method: count / booked for method, count in sorted(calls.items())}


def refused(side: dict[str, Any]) -> dict[str, float]:
    """The calls per booking a platform answered with an error (Telegram refuses a callback answered late)."""
    return {
        method: count
        for method, count in per_booking_calls(side, by_status=True).items()
        if not method.rsplit(" ", 1)[1].startswith("2")
    }


def calls_differ(pair: Pair) -> list[str]:
    """The methods whose calls per booking differ between the two sides by more than ``CALLS_TOLERANCE``."""
    ours, least = (per_booking_calls(side) for side in pair)
    return [
        method
        for method in sorted(ours.keys() | least.keys())
        if abs(ours.get(method, 0) - least.get(method, 0))
        > CALLS_TOLERANCE * max(ours.get(method, 0), least.get(method, 0))
    ]


def cpu(side: dict[str, Any], interaction: str | None = None, *, database: bool = False) -> float:
    """CPU ms per booking (whole flow) or per answered parent (one interaction), the bot's or the bot's and
    its PostgreSQL backends'."""
    if interaction is None:
        used = float(side["bot_cpu_ms_per_booking_whole_flow"])
        return used + float(side["postgres_cpu_ms_per_booking_whole_flow"]) if database else used
    spent = side["cpu_ms_per_interaction"][interaction]
    return float(spent["bot"]) + (float(spent["postgres"]) if database else 0.0)


def ratio(pair: Pair, interaction: str | None = None, *, database: bool = False) -> float:
    ours, least = pair
    return cpu(ours, interaction, database=database) / max(1e-9, cpu(least, interaction, database=database))


def report(rounds: list[Pair], loop_ms: float) -> bool:
    """Record the results; whether the two sides made the same calls in every round."""
    whole = statistics.median(ratio(pair) for pair in rounds)
    whole_db = statistics.median(ratio(pair, database=True) for pair in rounds)
    ours, least = min(rounds, key=lambda pair: abs(ratio(pair) - whole))  # the round closest to the median
    mismatched = {n: calls_differ(pair) for n, pair in enumerate(rounds, 1) if calls_differ(pair)}
    rows = [
        ["parents (booked)", f"{ours['parents']} ({ours['booked']})", f"{least['parents']} ({least['booked']})"],
        ["bot CPU per booking, whole flow", f"{cpu(ours):.2f} ms", f"{cpu(least):.2f} ms"],
        [
            "bot + PostgreSQL CPU per booking, whole flow",
            f"{cpu(ours, database=True):.2f} ms",
            f"{cpu(least, database=True):.2f} ms (no database)",
        ],
    ]
    for key, label in INTERACTIONS.items():
        rows.append(
            [
                f"{label}: bot (+ PostgreSQL) CPU per parent",
                f"{cpu(ours, key):.2f} ({cpu(ours, key, database=True):.2f}) ms",
                f"{cpu(least, key):.2f} ms",
            ]
        )
    trips = ours.get("db_round_trips_per_interaction", {})
    rows.append(
        [
            "PostgreSQL round trips per parent: " + ", ".join(INTERACTIONS.values()),
            " / ".join(str(trips.get(key, "?")) for key in INTERACTIONS),
            "none",
        ]
    )
    mine, theirs = per_booking_calls(ours), per_booking_calls(least)
    rows += [
        [f"{method} per booking", f"{mine.get(method, 0):.3f}", f"{theirs.get(method, 0):.3f}"]
        for method in sorted(mine.keys() | theirs.keys())
    ]
    rows.append(
        ["calls refused by the platform, per booking", str(refused(ours) or "none"), str(refused(least) or "none")]
    )
    rows.append(
        [
            "PostgreSQL backends serving the bot (ended during a phase: counted up to their last sample)",
            f"{ours['postgres_backends']} ({ours['postgres_backends_ended']})",
            "n/a",
        ]
    )
    shown = []
    for n, pair in enumerate(rounds, 1):
        a, b = pair
        parts = [f"whole flow {cpu(a):.2f} / {cpu(b):.2f} ms = {ratio(pair):.2f}x"]
        parts.append(
            f"with PostgreSQL {cpu(a, database=True):.2f} / {cpu(b):.2f} ms = {ratio(pair, database=True):.2f}x"
        )
        parts += [f"{key} {ratio(pair, key):.2f}x ({ratio(pair, key, database=True):.2f}x)" for key in INTERACTIONS]
        shown.append(f"{n}. " + "; ".join(parts) + ("" if n not in mismatched else f"; calls differ: {mismatched[n]}"))
    each = [
        [
            label,
            f"{statistics.median(ratio(pair, key) for pair in rounds):.2f}x",
            f"{statistics.median(ratio(pair, key, database=True) for pair in rounds):.2f}x",
        ]
        for key, label in INTERACTIONS.items()
    ]
    each.append(["whole flow", f"**{whole:.2f}x**", f"**{whole_db:.2f}x**"])
    body = "\n\n".join(
        [
            "The floor (`bench/floor_bot.py`) is python-telegram-bot in a Starlette app under uvicorn, in webhook "
            "mode like ClassBot and over ClassBot's Bot API transport (aiohttp), serving the same three "
            "interactions with the same calls: the card for `/start c_ID` with its Book button; the callback's "
            "answer and the name question; the reply, the timezone question (a parent's first booking), Zoom's "
            "registrant call, the parent's link message and the teacher's digest (one per class per window, as "
            "ClassBot's). No database, no jobs, no rate limiter. "
            "Both sides' calls per booking, by method, are read from the test servers' records and must agree "
            "within 1%. CPU is each process's own, from /proc, over each interaction's phase (the last one ends "
            "with the teacher's digest); ClassBot's PostgreSQL CPU is that of the backends serving its "
            "connections, read the same way.",
            f"Reference loop at the start of this run: {loop_ms:.0f} ms (the machine line above has it at the end; "
            "a gap between the two says the host's speed moved during the run).",
            "Median of the rounds' ratios, ClassBot / floor:",
            table(["interaction", "bot", "bot + PostgreSQL"], each),
            f"The round closest to the median whole-flow ratio, of {len(rounds)}:",
            table(["", "ClassBot", "floor"], rows),
            "Every round, ClassBot / floor (bot + PostgreSQL in brackets):\n\n" + "\n".join(shown),
            burst_report.problems({"ClassBot": ours}),
        ]
    )
    like = Target(
        "the floor makes ClassBot's calls: per booking, by method, within 1%",
        "same calls" if not mismatched else f"differ in rounds {sorted(mismatched)}: {mismatched}",
        not mismatched,
        command_line(),
    )
    targets = [
        like,
        Target(
            f"limits off: whole-flow bot CPU per booking ≤ {TARGET}x the floor",
            f"{whole:.2f}x",
            whole <= TARGET,
            command_line(),
        ),
        Target(
            f"limits off: whole-flow bot + PostgreSQL CPU per booking ≤ {TARGET}x the floor",
            f"{whole_db:.2f}x",
            whole_db <= TARGET,
            command_line(),
        ),
    ]
    data = {
        "classbot": ours,
        "floor": least,
        "reference_loop_ms": loop_ms,
        "ratio_whole_flow": round(whole, 2),
        "ratio_whole_flow_with_postgres": round(whole_db, 2),
        "rounds": [
            {
                "whole": round(ratio(pair), 3),
                "whole_with_postgres": round(ratio(pair, database=True), 3),
                "by_interaction": {key: round(ratio(pair, key), 3) for key in INTERACTIONS},
                "by_interaction_with_postgres": {
                    key: round(ratio(pair, key, database=True), 3) for key in INTERACTIONS
                },
                "classbot_ms": {"bot": cpu(pair[0]), "bot_and_postgres": round(cpu(pair[0], database=True), 2)},
                "floor_ms": cpu(pair[1]),
            }
            for pair in rounds
        ],
    }
    record("overhead_ratio", body, targets, data)
    return not mismatched


def print_round(n: int, side: str, summary: dict[str, Any]) -> None:
    by_interaction = ", ".join(
        f"{key} {cpu(summary, key):.2f} (+{summary['cpu_ms_per_interaction'][key]['postgres']:.2f} PostgreSQL)"
        for key in INTERACTIONS
    )
    print(
        f"round {n}: {side}: {summary['booked']} of {summary['parents']} booked; whole flow {cpu(summary):.2f} ms "
        f"bot CPU per booking (+{summary['postgres_cpu_ms_per_booking_whole_flow']:.2f} PostgreSQL); "
        f"per parent: {by_interaction}",
        flush=True,
    )
    calls = per_booking_calls(summary)
    print(f"round {n}: {side}: calls per booking: " + ", ".join(f"{k} {v:.3f}" for k, v in calls.items()), flush=True)
    if errors := refused(summary):
        print(f"round {n}: {side}: refused by the platform, per booking: {errors}", flush=True)


async def main_async(arguments: argparse.Namespace) -> int:
    loop_ms = reference_loop_ms()
    print(f"reference loop: {loop_ms:.0f} ms", flush=True)
    rounds: list[Pair] = []
    with scratch_folder(arguments.keep) as scratch:
        for n in range(1, arguments.rounds + 1):
            ours = await classbot(arguments.parents, scratch / f"classbot-{n}")
            print_round(n, "ClassBot", ours)
            least = await floor(arguments.parents, scratch / f"floor-{n}")
            print_round(n, "floor", least)
            pair = (ours, least)
            print(
                f"round {n}: ratio whole flow {ratio(pair):.2f}x, with PostgreSQL {ratio(pair, database=True):.2f}x; "
                + ", ".join(f"{key} {ratio(pair, key):.2f}x" for key in INTERACTIONS),
                flush=True,
            )
            if differ := calls_differ(pair):
                print(f"round {n}: the two sides' calls per booking differ: {differ}", flush=True)
            rounds.append(pair)
    if not report(rounds, loop_ms):
        print("FAILED: the floor did not make ClassBot's calls (see the calls per booking above)", flush=True)
        return 1
    return 0


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.overhead_ratio", description=__doc__)
    parser.add_argument("--parents", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=5, help="ClassBot/floor pairs measured, alternating")
    parser.add_argument("--keep", action="store_true", help="keep the runs' logs (printed at the end)")
    sys.exit(asyncio.run(main_async(parser.parse_args())))


if __name__ == "__main__":
    main()
