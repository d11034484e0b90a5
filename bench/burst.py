"""The booking burst itself, shared by the benchmarks: N parents book one class, in three measured phases.

1. open: each parent opens the class's share link (``/start c_<id>``) and gets the class card;
2. book: each presses "Book a seat" and is asked for the child's name;
3. name: each types a name (the final tap) and waits for the join link; the phase ends when every parent has a
   link and the teacher has every "New booking" notice (or at the deadline).

Each phase is a burst (everyone at once) unless ``rate`` paces the final taps. Phases are measured apart, so
the cost of the booking itself (phase 3) is not mixed with showing cards; CPU is the bot process's own
(/proc), round trips and statements come from ``bench.pg_wire``, calls from the fakes' transcripts.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from bench.machine import CpuWindow, memory_mb, percentile
from bench.stack import Stack

CARD = "Book a seat"
QUESTION = "who is the seat for"
LINK = "Join the class on Zoom"
NOTICE = r"New booking: |(?P<n>\d+) new bookings"  # one notice, or a digest of n
FAILURE = "Sorry, something went wrong"  # the bot's answer when a handler failed


class PhaseHook(Protocol):
    """Something to run alongside the booking phase only (a profiler)."""

    def start(self) -> None: ...

    def stop(self) -> None: ...


@dataclass
class Phase:
    name: str
    wall: float = 0.0
    cpu: dict[str, float] = field(default_factory=dict)
    machine_busy: float = 0.0
    round_trips: int = 0
    statements: Counter[str] = field(default_factory=Counter)
    telegram: dict[str, int] = field(default_factory=dict)
    zoom: dict[str, int] = field(default_factory=dict)
    answer: dict[str, Any] = field(default_factory=dict)
    sent_at: list[float] = field(default_factory=list)  # when Telegram accepted each message the bot sent
    backends: int = 0  # PostgreSQL backends serving the bot during the phase
    backends_ended: int = 0  # of those, gone before the phase's end (counted up to their last sample)


class DatabaseCpu:
    """The CPU of the PostgreSQL backends serving the bot over a phase (``Stack.database_cpu``), read every
    ``SAMPLE_SECONDS``: the bot's pools close the connections they opened beyond their size when these come
    back, so backends end during a burst, and one read only at the end would lose all their work. A backend
    that ends counts up to its last sample; one that starts counts from zero."""

    SAMPLE_SECONDS = 0.05

    def __init__(self, stack: Stack) -> None:
        self._stack = stack
        self._first: dict[int, float] = {}
        self._last: dict[int, float] = {}
        self._follower: asyncio.Task[None] | None = None
        self.used = 0.0
        self.backends = 0
        self.ended = 0

    async def start(self) -> None:
        self._first = await self._stack.database_cpu()
        self._last = dict(self._first)
        if self._first or self._stack.wire is not None:
            self._follower = asyncio.create_task(self._follow())

    async def _follow(self) -> None:
        while True:
            await asyncio.sleep(self.SAMPLE_SECONDS)
            self._last.update(await self._stack.database_cpu())

    async def stop(self) -> None:
        if self._follower is not None:
            self._follower.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._follower
        final = await self._stack.database_cpu()
        self._last.update(final)
        self.used = sum(used - self._first.get(pid, 0.0) for pid, used in self._last.items())
        self.backends = len(self._last)
        self.ended = len(self._last.keys() - final.keys())


async def measured(stack: Stack, name: str, work: Callable[[], Awaitable[dict[str, Any]]]) -> Phase:
    """Run ``work`` and record what it cost every process, the database and the platforms."""
    phase = Phase(name)
    telegram_mark = (await stack.telegram_calls(10**9))["total"]
    zoom_mark = (await stack.zoom_calls(10**9))["total"]
    wire_before = stack.wire.counts.snapshot() if stack.wire else (0, Counter[str]())
    window = CpuWindow(stack.pids)
    database = DatabaseCpu(stack)
    await database.start()
    window.start()
    try:
        phase.answer = await work()
    finally:
        window.stop()
        await database.stop()
    phase.wall, phase.cpu, phase.machine_busy = window.wall, window.used, window.machine_busy
    phase.cpu["postgres"], phase.backends, phase.backends_ended = database.used, database.backends, database.ended
    if stack.wire:
        trips, statements = stack.wire.counts.snapshot()
        phase.round_trips = trips - wire_before[0]
        phase.statements = statements - wire_before[1]
    telegram = await stack.telegram_calls(telegram_mark)
    phase.telegram, phase.sent_at = telegram["by_method"], telegram.get("sent_at", [])
    phase.zoom = (await stack.zoom_calls(zoom_mark))["by_endpoint"]
    return phase


@dataclass
class Burst:
    parents: int
    rate: float
    phases: list[Phase]
    latencies: list[float]  # final tap to join link, seconds, for the parents who got one
    booked: int  # parents who got their link
    notices: int  # bookings the teacher was told of (a digest of n counts n)
    name_span: float  # first final tap to last join link
    total_span: float  # first share link opened to last join link
    peak_rss_mb: float
    rss_mb: float
    problems: dict[str, int] = field(default_factory=dict)  # the bot's ERROR/WARNING log lines by kind

    @property
    def name(self) -> Phase:
        return self.phases[-1]

    def total(self, part: str) -> Counter[str]:
        found: Counter[str] = Counter()
        for phase in self.phases:
            found.update(getattr(phase, part))
        return found

    def cpu(self, process: str = "bot", *, whole: bool = False) -> float:
        return sum(p.cpu[process] for p in self.phases) if whole else self.name.cpu[process]

    def summary(self) -> dict[str, Any]:
        """The numbers, for results.json and the tables."""
        per = max(1, self.booked)
        whole_trips = sum(p.round_trips for p in self.phases)
        return {
            "parents": self.parents,
            "rate": self.rate,
            "booked": self.booked,
            "teacher_notices": self.notices,
            "total_seconds": round(self.total_span, 2),
            "booking_phase_seconds": round(self.name_span, 2),
            "bookings_per_second": round(self.booked / self.name_span, 2) if self.name_span else None,
            "tap_to_link_ms": {
                name: round(percentile(self.latencies, share) * 1000, 1)
                for name, share in (("p50", 0.5), ("p95", 0.95), ("p99", 0.99), ("max", 1.0))
            },
            "bot_cpu_ms_per_booking": round(self.cpu() / per * 1000, 2),
            "bot_cpu_ms_per_booking_whole_flow": round(self.cpu(whole=True) / per * 1000, 2),
            "postgres_cpu_ms_per_booking": round(self.cpu("postgres") / per * 1000, 2),
            "postgres_cpu_ms_per_booking_whole_flow": round(self.cpu("postgres", whole=True) / per * 1000, 2),
            # Each interaction's CPU per parent who got its answer (the card, the question, the join link).
            "cpu_ms_per_interaction": {
                p.name: {
                    process: round(p.cpu[process] / max(1, _answer_span(p)["answered"]) * 1000, 2)
                    for process in ("bot", "postgres")
                }
                for p in self.phases
            },
            "db_round_trips_per_interaction": {
                p.name: round(p.round_trips / max(1, _answer_span(p)["answered"]), 1) for p in self.phases
            },
            "postgres_backends": max(p.backends for p in self.phases),
            "postgres_backends_ended": sum(p.backends_ended for p in self.phases),
            "cpu_seconds_by_process_whole_flow": {
                name: round(sum(p.cpu[name] for p in self.phases), 2) for name in self.name.cpu
            },
            "db_round_trips_per_booking": round(self.name.round_trips / per, 1),
            "db_round_trips_per_booking_whole_flow": round(whole_trips / per, 1),
            "db_statements_per_booking": round(sum(self.name.statements.values()) / per, 1),
            "top_statements_per_booking": [
                [round(count / per, 2), text] for text, count in self.name.statements.most_common(40)
            ],
            "telegram_calls": dict(self.total("telegram")),
            "zoom_calls": dict(self.total("zoom")),
            "booking_phase_telegram_calls": dict(self.name.telegram),
            "booking_phase_messages_per_second": round(self.name.telegram.get("sendMessage 200", 0) / self.name_span, 1)
            if self.name_span
            else None,
            "booking_phase_zoom_calls": dict(self.name.zoom),
            "phase_seconds": {p.name: round(p.wall, 2) for p in self.phases},
            "answer_spans": {p.name: _answer_span(p) for p in self.phases},
            "machine_cpu_busy_percent": {p.name: round(p.machine_busy * 100) for p in self.phases},
            "bot_peak_rss_mb": round(self.peak_rss_mb, 1),
            "bot_rss_mb_after": round(self.rss_mb, 1),
            "bot_log_problems": self.problems,
        }


async def run_burst(
    stack: Stack,
    teacher: int,
    class_id: str,
    parents: int,
    *,
    rate: float = 0.0,
    phase_timeout: float = 120.0,
    notice_timeout: float | None = None,
    on_booking_phase: PhaseHook | None = None,
) -> Burst:
    """The three phases for ``parents`` new parents; ``notice_timeout`` caps the wait, after the last join link,
    for the teacher's notices (by default they share the phase's deadline)."""
    users = await stack.users(parents, "Parent")
    link = stack.share_link(class_id)
    opened = await measured(
        stack,
        "open",
        lambda: stack.act(
            users, {"kind": "deeplink", "url": link}, {"pattern": CARD, "fail": FAILURE}, within=phase_timeout
        ),
    )
    users = _answered(opened, "the class card")
    asked = await measured(
        stack,
        "book",
        lambda: stack.act(
            users, {"kind": "press", "button": CARD}, {"pattern": QUESTION, "fail": FAILURE}, within=phase_timeout
        ),
    )
    users = _answered(asked, "the child question")
    notices_before = (await stack.telegram.call("/count", {"chat": teacher, "pattern": NOTICE, "tally": True}))[
        "matched"
    ]
    notices: dict[str, Any] = {}

    async def book() -> dict[str, Any]:
        deadline = time.monotonic() + phase_timeout + (parents / rate if rate else 0)
        answer = await stack.act(
            users, {"kind": "send", "text": "Kid {n}"}, {"pattern": LINK}, rate=rate, within=deadline - time.monotonic()
        )
        wanted = notices_before + len(users)
        left = notice_timeout if notice_timeout is not None else max(1.0, deadline - time.monotonic())
        notices.update(
            await stack.telegram.call(
                "/count", {"chat": teacher, "pattern": NOTICE, "tally": True, "count": wanted, "timeout": left}
            )
        )
        return answer

    if on_booking_phase is not None:
        on_booking_phase.start()
    try:
        named = await measured(stack, "name", book)
    finally:
        if on_booking_phase is not None:
            on_booking_phase.stop()
    results = named.answer["results"]
    _answered(named, "the join link")
    linked = [r for r in results if r["first"] is not None]
    first_tap = min(r["acted"] for r in results)
    last_link = max((r["first"] for r in linked), default=first_tap)
    first_open = min(r["acted"] for r in opened.answer["results"])
    rss, peak = memory_mb(stack.bot.pid)
    return Burst(
        parents=parents,
        rate=rate,
        phases=[opened, asked, named],
        latencies=[r["first"] - r["acted"] for r in linked],
        booked=len(linked),
        notices=int(notices.get("matched", 0)) - notices_before,
        name_span=last_link - first_tap,
        total_span=last_link - first_open,
        peak_rss_mb=peak,
        rss_mb=rss,
        problems=stack.bot.problems(),
    )


def _answer_span(phase: Phase) -> dict[str, Any]:
    """Who acted in a phase, who got the answer or the bot's error, and the seconds from its first action to
    its last answer; and the messages Telegram accepted from the bot (to anyone) up to that last answer, with
    the seconds before the first of them (the round trips of one answer, before messages flow)."""
    results = phase.answer["results"]
    answered = [r["first"] for r in results if r["first"] is not None]
    began = min((r["acted"] for r in results), default=0.0)
    last = max(answered, default=began)
    sent = [at for at in phase.sent_at if at <= last]
    return {
        "acted": len(results),
        "answered": len(answered),
        "errors": sum(1 for r in results if r["failed"]),
        "seconds": round(last - began, 3),
        "messages_sent": len(sent),
        "first_message_seconds": round(sent[0] - began, 3) if sent else 0.0,
    }


def _answered(phase: Phase, what: str) -> list[int]:
    """The parents who got their answer (the others got an error, or nothing in time, and stop here)."""
    results = phase.answer["results"]
    done = [int(r["user"]) for r in results if r["first"] is not None]
    if len(done) < len(results):
        failed = sum(1 for r in results if r["failed"])
        print(
            f"warning: {len(results) - len(done)} of {len(results)} parents did not get {what} "
            f"({failed} got the bot's error message, the rest nothing in time)",
            flush=True,
        )
    return done
