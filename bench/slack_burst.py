"""slack_burst: parents booking on Slack, ClassBot against a bare slack-bolt floor making the same calls, then
ClassBot with Slack's limits on.

    python -m bench.slack_burst [--parents 100] [--rounds 3] [--mode http|socket] [--book-rate 5]
                                [--limited-parents 24]

A booking on Slack is three interactions (``bench.slack_flow``): ``/classbot class CODE`` (the card, through the
command's response_url), the Book button (the child-name modal by ``views.open``, within the press's 3-second
trigger window), the submitted modal (the "Booked" message, Zoom's registrant call, the link by direct message, the
Home tab, and the teacher's digest). ClassBot runs with only its Slack front end, in HTTP mode (signed requests to
``/slack/events``) unless ``--mode socket``, against the fake Slack and the fake Zoom; the floor
(``bench.slack_floor_bot``) is slack-bolt's AsyncApp on the same stack making the same Web API and Zoom calls.

1. *Limits off*, ``--rounds`` pairs alternating: CPU per booking, the bot's alone and with its PostgreSQL backends',
   per interaction and over the whole flow, against the floor's; the median ratio of the rounds. Both sides'
   calls per booking, by method, are printed and must agree within 1% (the run fails otherwise); a
   ``users.info`` ClassBot stopped waiting for (it logs each) counts as made, as it may never have left a starved
   process. Book presses come ``--book-rate`` a second: pressed all at once, more modals than a busy host opens
   in 3 s would expire on either side (Slack refuses a trigger_id after 3 s), and what would be measured is the
   refusals.
2. *Limits on* (``--limited-parents``, ClassBot only): Slack's per-method limits per workspace (Tier 4 100 a
   minute for ``views.*`` and ``users.info``, Tier 3 50 a minute for ``users.conversations``, one message a second
   per channel for ``chat.postMessage``; see ``bench.slack_stack``) and Zoom's. Each phase's actions are offered at
   the rate Slack allows for the calls that interaction makes (its busiest tiered method's budget over that
   method's calls per parent, as ClassBot made them with limits off), and the rate served, parents answered per
   second from the first action to the last answer, is compared with it: target ≥ 90% for every interaction.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
from collections import Counter
from pathlib import Path
from typing import Any

from bench.machine import reference_loop_ms
from bench.report import Target, command_line, record, table
from bench.slack_flow import run_slack_burst
from bench.slack_stack import LIMITS, Mode, SlackOptions, SlackStack
from bench.stack import scratch_folder

TARGET = 1.5  # ClassBot's CPU per booking, at most this many times the floor's
THROUGHPUT = 0.9  # with limits on, each interaction served at this share of Slack's allowed rate at least
# Each mode's results are a block of bench/RESULTS.md of their own (``make bench`` runs both).
RECORDED_AS: dict[Mode, str] = {"http": "slack_burst", "socket": "slack_burst_socket"}
CALLS_TOLERANCE = 0.01
GAVE_UP_PROFILE = "Slack did not answer users.info in time"  # ClassBot's warning (bot.handlers.slack.base)
INTERACTIONS = {"open": "card (/classbot class)", "book": "Book button (views.open)", "name": "modal submitted"}
FLOOR_CODE = "FloorClass01"

Pair = tuple[dict[str, Any], dict[str, Any]]


async def classbot(parents: int, workdir: Path, mode: Mode, rates: tuple[float, float, float]) -> dict[str, Any]:
    async with SlackStack(workdir, SlackOptions(mode=mode)) as stack:
        code = await stack.set_up_class(seats=min(parents, 1000))
        burst = await run_slack_burst(stack, code, parents, rates=rates)
    return burst.summary()


async def floor(parents: int, workdir: Path, mode: Mode, rates: tuple[float, float, float]) -> dict[str, Any]:
    async def prepare(stack: SlackStack) -> dict[str, str]:
        assert stack.teacher is not None
        tokens = await stack.zoom.call("/tokens", {"user": stack.zoom.value("FAKE_ZOOM_USER_ID")})
        return {"FLOOR_ZOOM_TOKEN": str(tokens["access_token"]), "FLOOR_TEACHER": stack.teacher.id}

    argv = [sys.executable, "-m", "bench.slack_floor_bot"]
    options = SlackOptions(mode=mode, count_database=False)
    async with SlackStack(workdir, options, before_bot=prepare, bot_argv=argv) as stack:
        burst = await run_slack_burst(stack, FLOOR_CODE, parents, rates=rates)
    return burst.summary()


async def limited(parents: int, workdir: Path, mode: Mode, per_parent: dict[str, dict[str, float]]) -> dict[str, Any]:
    allowed = {phase: allowed_rate(calls) for phase, calls in per_parent.items()}
    rates = (allowed["open"], allowed["book"], allowed["name"])
    async with SlackStack(workdir, SlackOptions(mode=mode, limits=True)) as stack:
        code = await stack.set_up_class(seats=min(parents, 1000))
        stack.limits_on()
        burst = await run_slack_burst(stack, code, parents, rates=rates, within=180)
    summary = burst.summary()
    summary["allowed_per_second"] = {phase: round(rate, 3) for phase, rate in allowed.items()}
    summary["binding_method"] = {phase: binding(calls) for phase, calls in per_parent.items()}
    return summary


def tiered(method: str) -> bool:
    """A method limited per workspace (the chat methods are limited per channel: every parent has their own)."""
    return method in LIMITS and not method.startswith("chat.")


def allowed_rate(calls: dict[str, float]) -> float:
    """Parents a second Slack allows for an interaction making ``calls`` (per parent, by method)."""
    rates = [LIMITS[method][0] / count for method, count in calls.items() if tiered(method) and count > 0]
    return min(rates, default=10.0)


def binding(calls: dict[str, float]) -> str:
    found = [(LIMITS[m][0] / c, m) for m, c in calls.items() if tiered(m) and c > 0]
    return min(found)[1] if found else "none"


def calls_per_parent(side: dict[str, Any]) -> dict[str, dict[str, float]]:
    """Each interaction's successful Slack calls per parent answered, by method."""
    found: dict[str, dict[str, float]] = {}
    for phase, calls in side["slack_calls_by_phase"].items():
        answered = max(1, side["answered_by_phase"][phase])
        found[phase] = {key.rsplit(" ", 1)[0]: count / answered for key, count in calls.items() if key.endswith(" ok")}
    return found


def per_booking_calls(side: dict[str, Any], *, by_answer: bool = False) -> dict[str, float]:
    """Every Slack and Zoom call of the whole flow per booking, by method (and by answer, with ``by_answer``: a
    call Slack refused was still made). ``auth.test`` is left out: slack-bolt checks its token at start-up and
    when its cached answer ages, not per booking."""
    booked = max(1, int(side["booked"]))
    calls: Counter[str] = Counter()
    for key, count in side["slack_calls"].items():
        if not key.startswith("auth.test"):
            calls[f"Slack {key if by_answer else key.rsplit(' ', 1)[0]}"] += count
    for key, count in side["zoom_calls"].items():
        calls[f"Zoom {key if by_answer else key.rsplit(' ', 1)[0]}"] += count
    return {method: count / booked for method, count in sorted(calls.items())}


def refused(side: dict[str, Any]) -> dict[str, float]:
    return {
        method: round(count, 3)
        for method, count in per_booking_calls(side, by_answer=True).items()
        if method.startswith("Slack") and not method.endswith(" ok")
    }


def profiles_given_up(side: dict[str, Any]) -> int:
    """``users.info`` calls ClassBot stopped waiting for (its one-second budget for a person's profile, met only when
    it is starved of CPU): each may have been dropped before it reached the fake Slack, so missing from its record.
    This is what made one round's calls differ (3.58 ``users.info`` per booking against the floor's 4)."""
    return sum(count for line, count in side["bot_log_problems"].items() if GAVE_UP_PROFILE in line)


def calls_differ(pair: Pair) -> list[str]:
    """The methods whose calls per booking differ by more than the tolerance; ClassBot's ``users.info`` it gave up
    waiting for (``profiles_given_up``) count as made, up to the floor's number."""
    ours, least = (per_booking_calls(side) for side in pair)
    given_up = profiles_given_up(pair[0]) / max(1, int(pair[0]["booked"]))
    if given_up and "Slack users.info" in least:
        made = ours.get("Slack users.info", 0)
        ours["Slack users.info"] = (
            min(least["Slack users.info"], made + given_up) if made < least["Slack users.info"] else made
        )
    return [
        method
        for method in sorted(ours.keys() | least.keys())
        if abs(ours.get(method, 0) - least.get(method, 0))
        > CALLS_TOLERANCE * max(ours.get(method, 0), least.get(method, 0))
    ]


def cpu(side: dict[str, Any], interaction: str | None = None, *, database: bool = False) -> float:
    if interaction is None:
        used = float(side["bot_cpu_ms_per_booking_whole_flow"])
        return used + float(side["postgres_cpu_ms_per_booking_whole_flow"]) if database else used
    spent = side["cpu_ms_per_interaction"][interaction]
    return float(spent["bot"]) + (float(spent["postgres"]) if database else 0.0)


def ratio(pair: Pair, interaction: str | None = None, *, database: bool = False) -> float:
    ours, least = pair
    return cpu(ours, interaction, database=database) / max(1e-9, cpu(least, interaction, database=database))


def served(side: dict[str, Any], phase: str) -> float:
    span = float(side["phase_span_seconds"][phase])
    return side["answered_by_phase"][phase] / span if span else 0.0


def complete(pair: Pair) -> bool:
    """Both sides booked every parent: a parent lost on the way (a modal whose trigger_id expired) makes other
    calls (the apology) and leaves fewer bookings to share the CPU, so such a round compares nothing."""
    return all(side["booked"] == side["parents"] for side in pair)


def report(every: list[Pair], on: dict[str, Any] | None, loop_ms: float, mode: Mode, book_rate: float) -> bool:
    rounds = [pair for pair in every if complete(pair)] or every
    lost = [n for n, pair in enumerate(every, 1) if not complete(pair)]
    whole = statistics.median(ratio(pair) for pair in rounds)
    whole_db = statistics.median(ratio(pair, database=True) for pair in rounds)
    ours, least = min(rounds, key=lambda pair: abs(ratio(pair) - whole))
    mismatched = {n: calls_differ(pair) for n, pair in enumerate(every, 1) if calls_differ(pair) and n not in lost}
    if len(lost) == len(every):
        mismatched = {n: ["parents lost: no complete round"] for n in lost}
    rows = [
        ["parents (booked)", f"{ours['parents']} ({ours['booked']})", f"{least['parents']} ({least['booked']})"],
        ["bot CPU per booking, whole flow", f"{cpu(ours):.2f} ms", f"{cpu(least):.2f} ms"],
        [
            "bot + PostgreSQL CPU per booking, whole flow",
            f"{cpu(ours, database=True):.2f} ms",
            f"{cpu(least):.2f} ms (no database)",
        ],
    ]
    rows += [
        [
            f"{label}: bot (+ PostgreSQL) CPU per parent",
            f"{cpu(ours, key):.2f} ({cpu(ours, key, database=True):.2f}) ms",
            f"{cpu(least, key):.2f} ms",
        ]
        for key, label in INTERACTIONS.items()
    ]
    trips = ours["db_round_trips_per_interaction"]
    rows.append(
        [
            "PostgreSQL round trips per parent: card, Book, submit",
            " / ".join(str(trips[k]) for k in INTERACTIONS),
            "none",
        ]
    )
    rows.append(
        [
            "tap → link p50 / p99 / max (submit to the link's chat.postMessage)",
            " / ".join(f"{ours['tap_to_link_ms'][k]:,.0f} ms" for k in ("p50", "p99", "max")),
            " / ".join(f"{least['tap_to_link_ms'][k]:,.0f} ms" for k in ("p50", "p99", "max")),
        ]
    )
    mine, theirs = per_booking_calls(ours), per_booking_calls(least)
    rows += [
        [f"{method} per booking", f"{mine.get(method, 0):.3f}", f"{theirs.get(method, 0):.3f}"]
        for method in sorted(mine.keys() | theirs.keys())
    ]
    rows.append(["Slack's refusals per booking", str(refused(ours) or "none"), str(refused(least) or "none")])
    if given_up := profiles_given_up(ours):
        rows.append(
            ["`users.info` answers not waited for (counted as made)", f"{given_up / ours['booked']:.3f}", "none"]
        )
    rows.append(
        [
            "parents who got no modal (Book) / no link",
            f"{ours['parents'] - ours['answered_by_phase']['book']} / {ours['parents'] - ours['booked']}",
            f"{least['parents'] - least['answered_by_phase']['book']} / {least['parents'] - least['booked']}",
        ]
    )
    rows.append(
        ["deliveries not acknowledged within 3 s (card / Book / submit)"]
        + [" / ".join(str(side["late_acks_by_phase"][k]) for k in INTERACTIONS) for side in (ours, least)]
    )
    rows.append(
        ["machine CPU busy (card / Book / submit)"]
        + [" / ".join(f"{side['machine_cpu_busy_percent'][k]}%" for k in INTERACTIONS) for side in (ours, least)]
    )
    shown = []
    for n, pair in enumerate(every, 1):
        a, b = pair
        parts = [f"whole flow {cpu(a):.2f} / {cpu(b):.2f} ms = {ratio(pair):.2f}x"]
        parts.append(f"with PostgreSQL {cpu(a, database=True):.2f} ms = {ratio(pair, database=True):.2f}x")
        parts += [f"{key} {ratio(pair, key):.2f}x ({ratio(pair, key, database=True):.2f}x)" for key in INTERACTIONS]
        if n in lost:
            parts.append(
                "**left out**: booked "
                + " / ".join(f"{side['booked']} of {side['parents']}" for side in pair)
                + f" (modals not opened: {pair[0]['failed_by_phase']['book']} / {pair[1]['failed_by_phase']['book']})"
            )
        shown.append(f"{n}. " + "; ".join(parts) + (f"; calls differ: {mismatched[n]}" if n in mismatched else ""))
    each = [
        [
            label,
            f"{statistics.median(ratio(pair, key) for pair in rounds):.2f}x",
            f"{statistics.median(ratio(pair, key, database=True) for pair in rounds):.2f}x",
        ]
        for key, label in INTERACTIONS.items()
    ]
    each.append(["whole flow", f"**{whole:.2f}x**", f"**{whole_db:.2f}x**"])
    parts = [
        f"Slack in {'HTTP mode (signed requests to /slack/events)' if mode == 'http' else 'Socket Mode'}. The floor "
        "(`bench/slack_floor_bot.py`) is slack-bolt's AsyncApp on ClassBot's stack (Starlette, uvicorn, uvloop, "
        "slack-sdk's AsyncWebClient with the same retry handlers, httpx for Zoom) making the same calls for the same "
        "three interactions, with no database. Card requests and submissions come all at once; Book presses "
        f"{book_rate:g} a second (a trigger_id works for 3 s). CPU is each process's own, from /proc, over each "
        "phase; ClassBot's PostgreSQL CPU is that of the backends serving its connections, sampled every 50 ms.",
        f"Reference loop at the start of this run: {loop_ms:.0f} ms. This host was busy with other work during the "
        "run (see the machine-busy row): absolute milliseconds say little, ratios within the run more.",
        "Median of the rounds' ratios, ClassBot / floor:",
        table(["interaction", "bot", "bot + PostgreSQL"], each),
        f"The round closest to the median whole-flow ratio, of {len(rounds)}"
        + (
            f" where both sides booked every parent ({len(every)} run; the others are left out):"
            if 0 < len(lost) < len(every)
            else (" (every round lost parents: none compares like with like):" if lost else ":")
        ),
        table(["", "ClassBot", "floor"], rows),
        "Every round, ClassBot / floor (bot + PostgreSQL in brackets):\n\n" + "\n".join(shown),
    ]
    slack = "Slack" if mode == "http" else "Slack in Socket Mode"
    targets = [
        Target(
            f"{slack}: the floor makes ClassBot's calls: per booking, by method, within 1%",
            "same calls" if not mismatched else f"differ in rounds {sorted(mismatched)}: {mismatched}",
            not mismatched,
            command_line(),
        ),
        Target(
            f"{slack}, limits off: whole-flow bot CPU per booking ≤ {TARGET}x the floor",
            f"{whole:.2f}x",
            whole <= TARGET,
            command_line(),
        ),
        Target(
            f"{slack}, limits off: whole-flow bot + PostgreSQL CPU per booking ≤ {TARGET}x the floor",
            f"{whole_db:.2f}x",
            whole_db <= TARGET,
            command_line(),
        ),
    ]
    if on is not None:
        limit_rows = []
        shares = []
        for key, label in INTERACTIONS.items():
            allowed = on["allowed_per_second"][key]
            got = served(on, key)
            shares.append(got / allowed if allowed else 0.0)
            limit_rows.append(
                [
                    label,
                    f"`{on['binding_method'][key]}`",
                    f"{allowed:.2f}/s",
                    f"{got:.2f}/s ({got / allowed:.0%})" if allowed else "n/a",
                    f"{on['answered_by_phase'][key]} of {on['parents']}",
                ]
            )
        lowest = min(shares)
        parts += [
            f"Limits on, {on['parents']} parents, ClassBot alone: each interaction offered at the rate Slack allows "
            "for its calls (the binding method's budget over its calls per parent with limits off), served rate "
            "= parents answered per second from the first action to the last answer.",
            table(["interaction", "binding method", "allowed", "served", "answered"], limit_rows),
            f"Slack's refusals per booking with limits on: {refused(on) or 'none'}; tap → link p99 "
            f"{on['tap_to_link_ms']['p99']:,.0f} ms; the bot's warnings: {on['bot_log_problems'] or 'none'}.",
        ]
        targets.append(
            Target(
                f"{slack}, limits on: ≥ {THROUGHPUT:.0%} of the rate Slack allows for each interaction's calls",
                f"lowest {lowest:.0%} ("
                + ", ".join(f"{k} {s:.0%}" for k, s in zip(INTERACTIONS, shares, strict=True))
                + ")",
                lowest >= THROUGHPUT,
                command_line(),
            )
        )
    parts.append(
        "The bot's ERROR and WARNING lines, ClassBot limits off: " + (str(ours["bot_log_problems"]) or "none") + "."
    )
    data = {
        "classbot": ours,
        "floor": least,
        "limits_on": on,
        "reference_loop_ms": loop_ms,
        "ratio_whole_flow": round(whole, 2),
        "ratio_whole_flow_with_postgres": round(whole_db, 2),
        "rounds": [
            {"whole": round(ratio(p), 3), "whole_with_postgres": round(ratio(p, database=True), 3)} for p in rounds
        ],
    }
    record(RECORDED_AS[mode], "\n\n".join(parts), targets, data)
    return not mismatched


def print_side(n: int, side: str, summary: dict[str, Any]) -> None:
    by = ", ".join(
        f"{k} {cpu(summary, k):.2f} (+{summary['cpu_ms_per_interaction'][k]['postgres']:.2f})" for k in INTERACTIONS
    )
    print(
        f"round {n}: {side}: {summary['booked']} of {summary['parents']} booked; whole flow {cpu(summary):.2f} ms bot "
        f"CPU per booking (+{summary['postgres_cpu_ms_per_booking_whole_flow']:.2f} PostgreSQL); per parent: {by}; "
        f"tap→link p99 {summary['tap_to_link_ms']['p99']} ms",
        flush=True,
    )
    calls = per_booking_calls(summary)
    print(f"round {n}: {side}: calls per booking: " + ", ".join(f"{k} {v:.3f}" for k, v in calls.items()), flush=True)
    if errors := refused(summary):
        print(f"round {n}: {side}: refused by Slack, per booking: {errors}", flush=True)
    if summary["bot_log_problems"]:
        print(f"round {n}: {side}: log problems: {summary['bot_log_problems']}", flush=True)


async def main_async(arguments: argparse.Namespace) -> int:
    loop_ms = reference_loop_ms()
    print(f"reference loop: {loop_ms:.0f} ms", flush=True)
    rates = (0.0, float(arguments.book_rate), 0.0)
    rounds: list[Pair] = []
    on: dict[str, Any] | None = None
    with scratch_folder(arguments.keep) as scratch:
        for n in range(1, arguments.rounds + 1):
            ours = await classbot(arguments.parents, scratch / f"classbot-{n}", arguments.mode, rates)
            print_side(n, "ClassBot", ours)
            least = await floor(arguments.parents, scratch / f"floor-{n}", arguments.mode, rates)
            print_side(n, "floor", least)
            pair = (ours, least)
            print(f"round {n}: ratio whole flow {ratio(pair):.2f}x, with PostgreSQL {ratio(pair, database=True):.2f}x")
            if differ := calls_differ(pair):
                print(f"round {n}: the two sides' calls per booking differ: {differ}", flush=True)
            rounds.append(pair)
        if arguments.limited_parents:
            per_parent = calls_per_parent(rounds[-1][0])
            on = await limited(arguments.limited_parents, scratch / "limited", arguments.mode, per_parent)
            print(
                f"limits on: allowed {on['allowed_per_second']} per second, served "
                + ", ".join(f"{k} {served(on, k):.2f}/s" for k in INTERACTIONS)
                + f"; {on['booked']} of {on['parents']} booked; refused {refused(on) or 'none'}",
                flush=True,
            )
    if not report(rounds, on, loop_ms, arguments.mode, arguments.book_rate):
        print("FAILED: the floor did not make ClassBot's calls (see the calls per booking above)", flush=True)
        return 1
    return 0


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.slack_burst", description=__doc__)
    parser.add_argument("--parents", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=3, help="ClassBot/floor pairs measured, alternating")
    parser.add_argument("--mode", choices=["http", "socket"], default="http")
    parser.add_argument("--book-rate", type=float, default=5.0, help="Book presses a second (0: all at once)")
    parser.add_argument("--limited-parents", type=int, default=24, help="parents of the limits-on run (0: none)")
    parser.add_argument("--keep", action="store_true", help="keep the runs' logs (printed at the end)")
    sys.exit(asyncio.run(main_async(parser.parse_args())))


if __name__ == "__main__":
    main()
