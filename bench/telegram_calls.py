"""telegram_calls: Python function calls per Telegram interaction, ClassBot against the floor, whole process.

    python -m bench.telegram_calls [--parents 40] [--side classbot|floor|both] [--top 25]

``overhead_ratio`` compares CPU times, which this shared machine moves by tens of percent from one minute to the
next. A count of Python function calls (cProfile's, builtins included) does not move with the machine: it says
whether a change made the process do less. ``python_calls`` counts the core's booking alone; this counts the
whole process (python-telegram-bot, the web server, the transport, the database driver, the worker and its
jobs) over each of ``bench.burst``'s three interactions, for ClassBot and for ``bench.floor_bot`` on the same
stack, so the two can be set side by side per interaction.

The bot runs under this module (``--serve``), which starts cProfile on SIGUSR1 and, on SIGUSR2, stops it and
writes the count and the busiest functions to a file the driver reads. For ClassBot the PostgreSQL round trips
of each interaction come from the wire counter (``bench.pg_wire``). The last interaction ends when every parent
has the join link and the teacher the digest.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import json
import os
import pstats
import runpy
import signal
import sys
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from bench.burst import CARD, FAILURE, LINK, NOTICE, QUESTION
from bench.stack import Options, Stack, scratch_folder

_STATS = "PROFILE_STATS_FILE"


def _serve(module: str, argv: list[str]) -> None:
    """Run ``module`` as the bot, with cProfile switched by SIGUSR1 (start) and SIGUSR2 (stop and write)."""
    profile = cProfile.Profile()
    target = Path(os.environ[_STATS])

    def start(*_: object) -> None:
        profile.enable()

    def stop(*_: object) -> None:
        profile.disable()
        stats = pstats.Stats(profile)
        rows = sorted(
            ((n, t, f"{Path(f).name}:{line}:{name}") for (f, line, name), (_, n, t, _, _) in stats.stats.items()),  # type: ignore[attr-defined]
            reverse=True,
        )
        by_time = sorted(
            ((t, n, f"{Path(f).name}:{line}:{name}") for (f, line, name), (_, n, t, _, _) in stats.stats.items()),  # type: ignore[attr-defined]
            reverse=True,
        )
        own = sorted(
            (
                (n, f"{Path(f).name}:{line}:{name}")
                for (f, line, name), (_, n, _, _, _) in stats.stats.items()  # type: ignore[attr-defined]
                if "/bot/" in f and "site-packages" not in f
            ),
            reverse=True,
        )
        answer = {
            "calls": int(stats.total_calls),  # type: ignore[attr-defined]
            "by_calls": rows[:60],
            "by_time": by_time[:60],
            "own": own[:60],
        }
        target.with_suffix(".tmp").write_text(json.dumps(answer))
        target.with_suffix(".tmp").rename(target)
        profile.clear()

    signal.signal(signal.SIGUSR1, start)
    signal.signal(signal.SIGUSR2, stop)
    sys.argv = [module, *argv]
    runpy.run_module(module, run_name="__main__", alter_sys=True)


async def _phase(stack: Stack, stats: Path, work: Callable[[], Awaitable[Any]]) -> dict[str, Any]:
    await asyncio.to_thread(stats.unlink, missing_ok=True)
    trips, statements = stack.wire.counts.snapshot() if stack.wire else (0, Counter[str]())
    os.kill(stack.bot.pid, signal.SIGUSR1)
    await asyncio.sleep(0.2)  # the handler runs between the bot's bytecodes
    await work()
    os.kill(stack.bot.pid, signal.SIGUSR2)
    deadline = time.monotonic() + 60
    while not await asyncio.to_thread(stats.exists):
        if time.monotonic() > deadline:
            raise RuntimeError("the bot wrote no profile")
        await asyncio.sleep(0.1)
    found: dict[str, Any] = json.loads(await asyncio.to_thread(stats.read_text))
    if stack.wire:
        after, said = stack.wire.counts.snapshot()
        found["round_trips"], found["statements"] = after - trips, (said - statements).most_common(30)
    else:
        found["round_trips"], found["statements"] = 0, []
    return found


async def _side(side: str, parents: int, workdir: Path) -> dict[str, dict[str, Any]]:
    stats = workdir / f"{side}-profile.json"
    teacher_chat: dict[str, int] = {}

    async def prepare(stack: Stack) -> dict[str, str]:
        answer = {_STATS: str(stats)}
        if side == "floor":
            [teacher] = await stack.users(1, "Teacher")
            await stack.act([teacher], {"kind": "start"}, {"count": 0})
            teacher_chat["id"] = teacher
            tokens = await stack.zoom.call("/tokens", {"user": stack.zoom.value("FAKE_ZOOM_USER_ID")})
            answer |= {"FLOOR_ZOOM_TOKEN": str(tokens["access_token"]), "FLOOR_TEACHER_CHAT": str(teacher)}
        return answer

    module, argv = ("bench.floor_bot", []) if side == "floor" else ("bot", ["run"])
    bot_argv = [sys.executable, "-m", "bench.telegram_calls", "--serve", module, *argv]
    options = Options(count_database=side != "floor")
    async with Stack(workdir / side, options, before_bot=prepare, bot_argv=bot_argv) as stack:
        if side == "floor":
            teacher, class_id = teacher_chat["id"], "floor"
        else:
            teacher = await stack.connect_teacher()
            class_id = await stack.create_class(teacher, seats=2 * parents + 10)
        # As many parents first, so what is done once per process (the Zoom meeting, first imports, the pools'
        # connections) is not counted.
        warm = await stack.users(parents, "Warm")
        link = stack.share_link(class_id)
        await stack.act(warm, {"kind": "deeplink", "url": link}, {"pattern": CARD})
        await stack.act(warm, {"kind": "press", "button": CARD}, {"pattern": QUESTION})
        await stack.act(warm, {"kind": "send", "text": "Kid {n}"}, {"pattern": LINK})
        await stack.telegram.call("/count", {"chat": teacher, "pattern": NOTICE, "count": 1, "timeout": 30})
        await asyncio.sleep(6)  # the warm parents' digest is sent before counting starts
        users = await stack.users(parents, "Parent")
        found: dict[str, dict[str, Any]] = {}
        found["open"] = await _phase(
            stack,
            stats,
            lambda: stack.act(users, {"kind": "deeplink", "url": link}, {"pattern": CARD, "fail": FAILURE}),
        )
        found["book"] = await _phase(
            stack,
            stats,
            lambda: stack.act(users, {"kind": "press", "button": CARD}, {"pattern": QUESTION, "fail": FAILURE}),
        )
        before = (await stack.telegram.call("/count", {"chat": teacher, "pattern": NOTICE, "tally": True}))["matched"]

        async def name() -> None:
            await stack.act(users, {"kind": "send", "text": "Kid {n}"}, {"pattern": LINK, "fail": FAILURE})
            wanted = {"chat": teacher, "pattern": NOTICE, "tally": True, "count": before + parents, "timeout": 60}
            await stack.telegram.call("/count", wanted)

        found["name"] = await _phase(stack, stats, name)
    return found


def main() -> None:
    if len(sys.argv) > 2 and sys.argv[1] == "--serve":
        _serve(sys.argv[2], sys.argv[3:])
        return
    parser = argparse.ArgumentParser(prog="python -m bench.telegram_calls", description=__doc__)
    parser.add_argument("--parents", type=int, default=40)
    parser.add_argument("--side", choices=["classbot", "floor", "both"], default="both")
    parser.add_argument("--top", type=int, default=25, help="busiest functions shown per interaction")
    parser.add_argument("--keep", action="store_true", help="keep the logs and the profiles' JSON")
    arguments = parser.parse_args()
    sides = ["classbot", "floor"] if arguments.side == "both" else [arguments.side]
    with scratch_folder(arguments.keep) as workdir:
        results = {side: asyncio.run(_side(side, arguments.parents, workdir)) for side in sides}
        (workdir / "telegram_calls.json").write_text(json.dumps(results))
    per = arguments.parents
    print(f"{per} parents; Python calls per parent (cProfile, whole bot process), PostgreSQL round trips per parent")
    print(f"{'interaction':<12}" + "".join(f"{side:>22}" for side in sides))
    for phase in ("open", "book", "name"):
        cells = "".join(
            f"{results[s][phase]['calls'] / per:>12,.0f} ({results[s][phase]['round_trips'] / per:4.1f} rt)"
            for s in sides
        )
        print(f"{phase:<12}{cells}")
    total = "".join(f"{sum(results[s][p]['calls'] for p in results[s]) / per:>12,.0f}{'':10}" for s in sides)
    print(f"{'whole flow':<12}{total}")
    for side in sides:
        for phase, found in results[side].items():
            print(f"\n{side}, {phase}: busiest functions by own time (s, calls per parent)")
            for seconds, calls, name in found["by_time"][: arguments.top]:
                print(f"  {seconds:8.3f}  {calls / per:8.1f}  {name}")
            print(f"{side}, {phase}: ClassBot's own functions by calls per parent")
            for calls, name in found["own"][: arguments.top]:
                print(f"  {calls / per:8.1f}  {name}")
            if found["statements"]:
                print(f"{side}, {phase}: PostgreSQL statements per parent")
                for text, count in found["statements"]:
                    print(f"  {count / per:5.2f}  {text[:150]}")


if __name__ == "__main__":
    main()
