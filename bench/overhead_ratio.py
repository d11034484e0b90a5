"""overhead_ratio: ClassBot's CPU per booking against a floor measured in the same run.

    python -m bench.overhead_ratio [--parents 300] [--rounds 5]

First ClassBot books ``--parents`` parents (the limits-off burst of ``bench.booking_burst``); then
``bench.floor_bot``, a minimal python-telegram-bot program on the same stack, gets the same final taps from the
same number of parents and makes the same external calls per tap (the reply, the parent's link message, the
teacher's notice, Zoom's registrant call) and nothing else. Both against the same fakes, with limits off and no
added latency, one after the other on the same machine. The ratio compares the CPU of the final tap (the
booking phase); ClassBot's whole flow (card and question too) is shown beside it.

This machine's CPU time per request varies by tens of percent from one minute to the next (both processes
share two CPUs with PostgreSQL and the fakes), so the pair is measured ``--rounds`` times, alternating, and the
ratio reported is the median of the rounds' ratios, with every round shown.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from pathlib import Path
from typing import Any

from bench import burst_report
from bench.burst import FAILURE, LINK, NOTICE, measured, run_burst
from bench.report import Target, command_line, record, table
from bench.stack import Options, Stack, scratch_folder


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
        users = await stack.users(parents, "Parent")
        await stack.act(users, {"kind": "start"}, {"count": 0})
        await _drained(stack)

        async def book() -> dict[str, Any]:
            answer = await stack.act(users, {"kind": "send", "text": "Kid {n}"}, {"pattern": LINK, "fail": FAILURE})
            await stack.telegram.call(
                "/count", {"chat": teacher_chat["id"], "pattern": NOTICE, "count": parents, "timeout": 60}
            )
            return answer

        phase = await measured(stack, "name", book)
    linked = [r for r in phase.answer["results"] if r["first"] is not None]
    return {
        "parents": parents,
        "booked": len(linked),
        "bot_cpu_ms_per_booking": round(phase.cpu["bot"] / max(1, len(linked)) * 1000, 2),
        "seconds": round(phase.wall, 2),
        "telegram_calls": phase.telegram,
        "zoom_calls": phase.zoom,
    }


async def _drained(stack: Stack, within: float = 60.0) -> None:
    """Wait until the fake has delivered every queued update (the /start of each parent) to the bot."""
    deadline = time.monotonic() + within
    for _ in range(int(within / 0.05)):
        if not (await stack.telegram.call("/webhook"))["pending"] or time.monotonic() > deadline:
            break
        await asyncio.sleep(0.05)
    await asyncio.sleep(0.5)  # the last ones may still be in the bot's own queue


def _ratio(pair: tuple[dict[str, Any], dict[str, Any]]) -> float:
    ours, least = pair
    return float(ours["bot_cpu_ms_per_booking"]) / float(least["bot_cpu_ms_per_booking"])


def report(rounds: list[tuple[dict[str, Any], dict[str, Any]]]) -> None:
    ratios = [_ratio(pair) for pair in rounds]
    ratio = statistics.median(ratios)
    ours, least = min(rounds, key=lambda pair: abs(_ratio(pair) - ratio))  # the round closest to the median
    whole = ours["bot_cpu_ms_per_booking_whole_flow"] / least["bot_cpu_ms_per_booking"]
    each = ", ".join(
        f"{a['bot_cpu_ms_per_booking']} / {b['bot_cpu_ms_per_booking']} ms ({_ratio((a, b)):.2f}x)" for a, b in rounds
    )
    rows = [
        ["parents (booked)", f"{ours['parents']} ({ours['booked']})", f"{least['parents']} ({least['booked']})"],
        ["CPU per booking, final tap", f"{ours['bot_cpu_ms_per_booking']} ms", f"{least['bot_cpu_ms_per_booking']} ms"],
        ["CPU per booking, whole flow (card, question, tap)", f"{ours['bot_cpu_ms_per_booking_whole_flow']} ms", "n/a"],
        [
            "Telegram calls, booking phase",
            _calls(ours["booking_phase_telegram_calls"]),
            _calls(least["telegram_calls"]),
        ],
        ["Zoom calls, booking phase", _calls(ours["booking_phase_zoom_calls"]), _calls(least["zoom_calls"])],
    ]
    body = "\n\n".join(
        [
            "The floor (`bench/floor_bot.py`) is python-telegram-bot in a Starlette app under uvicorn, in webhook "
            "mode like ClassBot and over ClassBot's Bot API transport (aiohttp), making per final tap only the "
            "calls ClassBot makes: the reply, the parent's "
            "link message, the teacher's notice and Zoom's registrant call. No database, no jobs, no rate "
            "limiter. CPU is each process's own, from /proc, over the booking phase (from the first final tap to "
            "the last teacher notice). The floor tells the teacher of each booking in a message of its own; "
            "ClassBot gathers a class's new bookings into one notice every few seconds, so it sends fewer messages "
            "(the Telegram calls below).",
            f"The round closest to the median ratio, of {len(rounds)}:",
            table(["", "ClassBot", "floor"], rows),
            f"Rounds, ClassBot / floor CPU per final tap: {each}.",
            f"Ratio, final tap (median of the rounds): **{ratio:.2f}x**; ClassBot's whole flow against the floor's "
            f"tap: {whole:.1f}x.",
            burst_report.problems({"ClassBot": ours}),
        ]
    )
    target = Target("limits off: CPU per booking ≤ 2x the floor", f"{ratio:.2f}x the floor", ratio <= 2, command_line())
    record(
        "overhead_ratio",
        body,
        [target],
        {"classbot": ours, "floor": least, "ratio": round(ratio, 2), "ratios": [round(r, 2) for r in ratios]},
    )


def _calls(counted: dict[str, int]) -> str:
    return ", ".join(f"{kind}: {count}" for kind, count in sorted(counted.items()))


async def main_async(arguments: argparse.Namespace) -> None:
    rounds = []
    with scratch_folder(arguments.keep) as scratch:
        for n in range(1, arguments.rounds + 1):
            ours = await classbot(arguments.parents, scratch / f"classbot-{n}")
            print(f"round {n}: ClassBot {ours['bot_cpu_ms_per_booking']} ms CPU per booking", flush=True)
            least = await floor(arguments.parents, scratch / f"floor-{n}")
            print(f"round {n}: floor {least['bot_cpu_ms_per_booking']} ms CPU per booking", flush=True)
            rounds.append((ours, least))
    report(rounds)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.overhead_ratio", description=__doc__)
    parser.add_argument("--parents", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=5, help="ClassBot/floor pairs measured, alternating")
    parser.add_argument("--keep", action="store_true", help="keep the runs' logs (printed at the end)")
    asyncio.run(main_async(parser.parse_args()))


if __name__ == "__main__":
    main()
