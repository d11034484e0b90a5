"""A Slack booking burst, shared by ``bench.slack_burst``: N parents book one class in three measured phases.

1. open: each parent types ``/classbot class CODE`` in the class's channel and gets the class card (ephemeral,
   through the command's ``response_url``);
2. book: each presses "Book a seat" on it and gets the child-name modal (``views.open`` with the press's
   trigger_id, which Slack honours for 3 s);
3. name: each submits the modal with a name (the final tap) and waits for the direct message with the Zoom link;
   the phase ends when every parent has it and the teacher has been told of every booking (or at the deadline).

Each phase offers its actions all at once, or ``rate`` a second. CPU is the bot process's own and its PostgreSQL
backends' (``bench.burst.DatabaseCpu``), round trips come from ``bench.pg_wire``, Web API calls from the fake
Slack's record, Zoom calls from the fake Zoom's.

The fake Slack runs in this process: the driver reads its state directly (under its lock, by position, without
copying), every 20 ms, so a card's or a modal's arrival is known to within that; a link's time is the fake's own
record of the call that sent it.
"""

from __future__ import annotations

import asyncio
import re
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from classbot_fakes.slack import Delivery, FakeSlackUser, SlackMessage

from bench.burst import DatabaseCpu
from bench.machine import CpuWindow, memory_mb, percentile
from bench.slack_stack import SlackStack

LINK = "Here is your Zoom link"
NOTICE = re.compile(r"New booking: |(?P<n>\d+) new bookings")
FAILURE = "Sorry, something went wrong"
POLL = 0.02


@dataclass
class SlackPhase:
    name: str
    wall: float = 0.0
    cpu: dict[str, float] = field(default_factory=dict)
    machine_busy: float = 0.0
    round_trips: int = 0
    slack: Counter[str] = field(default_factory=Counter)  # "method ok", or "method error" (Slack's refusal)
    zoom: dict[str, int] = field(default_factory=dict)
    acted: dict[str, float] = field(default_factory=dict)  # user -> when they acted
    answered: dict[str, float] = field(default_factory=dict)  # user -> when their answer came
    failed: set[str] = field(default_factory=set)
    late_acks: int = 0  # deliveries the bot did not acknowledge within 3 s
    first_call: float = 0.0
    last_call: float = 0.0
    backends: int = 0
    backends_ended: int = 0

    @property
    def span(self) -> float:
        """From the first action to the last answer."""
        if not self.acted or not self.answered:
            return 0.0
        return max(self.answered.values()) - min(self.acted.values())


class Watch:
    """Reads the fake Slack's record as it grows: the Web API calls, and the messages of one channel."""

    def __init__(self, stack: SlackStack) -> None:
        self._world = stack.slack._world  # read in place, not copied
        self.calls_seen = 0

    def new_calls(self) -> list[Any]:
        with self._world.lock:
            found = self._world.calls[self.calls_seen :]
        self.calls_seen += len(found)
        return found

    def mark(self) -> None:
        with self._world.lock:
            self.calls_seen = len(self._world.calls)

    def cards(self, channel: str, start: int) -> tuple[list[tuple[str, SlackMessage]], int]:
        """Ephemeral messages with a Book button in ``channel`` from position ``start``: (user, message)."""
        with self._world.lock:
            stored = self._world.messages.get(channel, [])
            found = [
                (m.ephemeral_to, m.snapshot())
                for m in stored[start:]
                if m.ephemeral_to is not None and "Book a seat" in str(m.blocks)
            ]
            return [(str(user), message) for user, message in found], len(stored)

    def modal_open(self, user: str) -> str | None:
        with self._world.lock:
            stack = self._world.modal_stacks.get(user) or []
            view = self._world.views.get(stack[-1]) if stack else None
            return view.id if view is not None and view.json.get("callback_id") == "book_seat" else None

    def failures(self, users: set[str], start: int) -> tuple[set[str], int]:
        """Users the bot told it failed (ephemeral or direct), from message position ``start`` of any channel."""
        with self._world.lock:
            everything = [m for stored in self._world.messages.values() for m in stored]
        found = {
            str(m.ephemeral_to or m.channel)
            for m in everything[start:]
            if FAILURE in (m.text or "") and (m.ephemeral_to or "") in users
        }
        return found, len(everything)


async def until(done: Callable[[], bool], within: float) -> bool:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if done():
            return True
        await asyncio.sleep(POLL)
    return done()


async def offer(
    users: list[FakeSlackUser], act: Callable[[FakeSlackUser], Awaitable[Delivery]], rate: float
) -> tuple[dict[str, float], int]:
    """Everyone acts at once, or ``rate`` a second; when each one acted, and how many deliveries the bot did not
    acknowledge within Slack's 3 seconds (Slack then shows the person an error)."""
    acted: dict[str, float] = {}
    late = 0
    started = time.monotonic()

    async def one(n: int, user: FakeSlackUser) -> None:
        nonlocal late
        if rate:
            await asyncio.sleep(max(0.0, started + n / rate - time.monotonic()))
        acted[user.id] = time.monotonic()
        delivery = await act(user)
        late += not delivery.in_time

    await asyncio.gather(*(one(n, user) for n, user in enumerate(users)), return_exceptions=True)
    return acted, late


async def quiet(watch: Watch, seconds: float = 1.0, most: float = 15.0) -> None:
    """Until the bot has made no Web API call for ``seconds`` (at most ``most``): what an interaction set off after
    its answer (a Home tab published after a link) is counted in its phase."""
    deadline = time.monotonic() + most
    last, since = watch.calls_seen, time.monotonic()
    while time.monotonic() < deadline:
        await asyncio.sleep(POLL * 5)
        watch.new_calls()
        if watch.calls_seen != last:
            last, since = watch.calls_seen, time.monotonic()
        elif time.monotonic() - since >= seconds:
            return


async def measured(stack: SlackStack, phase: SlackPhase, work: Callable[[], Awaitable[None]]) -> SlackPhase:
    watch = Watch(stack)
    watch.mark()
    zoom_mark = (await stack.zoom.call("/calls?since=1000000000"))["total"]
    wire_before = stack.wire.counts.snapshot() if stack.wire else (0, Counter[str]())
    window = CpuWindow(stack.pids)
    database = DatabaseCpu(stack)  # type: ignore[arg-type]  # SlackStack has what it reads
    await database.start()
    window.start()
    try:
        await work()
    finally:
        window.stop()
        await database.stop()
    phase.wall, phase.cpu, phase.machine_busy = window.wall, window.used, window.machine_busy
    phase.cpu["postgres"], phase.backends, phase.backends_ended = database.used, database.backends, database.ended
    if stack.wire:
        phase.round_trips = stack.wire.counts.snapshot()[0] - wire_before[0]
    calls = watch.new_calls()
    phase.slack = Counter(f"{call.method} {'ok' if call.ok else call.error or call.status}" for call in calls)
    if calls:
        phase.first_call, phase.last_call = calls[0].at, calls[-1].at
    phase.zoom = (await stack.zoom.call(f"/calls?since={zoom_mark}"))["by_endpoint"]
    return phase


@dataclass
class SlackBurst:
    parents: int
    phases: list[SlackPhase]
    latencies: list[float]
    booked: int
    notices: int
    peak_rss_mb: float
    problems: dict[str, int]

    def summary(self) -> dict[str, Any]:
        per = max(1, self.booked)
        name = self.phases[-1]
        return {
            "parents": self.parents,
            "booked": self.booked,
            "teacher_notices": self.notices,
            "tap_to_link_ms": {
                key: round(percentile(self.latencies, share) * 1000, 1)
                for key, share in (("p50", 0.5), ("p95", 0.95), ("p99", 0.99), ("max", 1.0))
            },
            "bot_cpu_ms_per_booking_whole_flow": round(sum(p.cpu["bot"] for p in self.phases) / per * 1000, 2),
            "postgres_cpu_ms_per_booking_whole_flow": round(
                sum(p.cpu["postgres"] for p in self.phases) / per * 1000, 2
            ),
            "cpu_ms_per_interaction": {
                p.name: {
                    process: round(p.cpu[process] / max(1, len(p.answered)) * 1000, 2)
                    for process in ("bot", "postgres")
                }
                for p in self.phases
            },
            "db_round_trips_per_interaction": {
                p.name: round(p.round_trips / max(1, len(p.answered)), 1) for p in self.phases
            },
            "postgres_backends": max(p.backends for p in self.phases),
            "postgres_backends_ended": sum(p.backends_ended for p in self.phases),
            "slack_calls": dict(sum((p.slack for p in self.phases), Counter[str]())),
            "slack_calls_by_phase": {p.name: dict(p.slack) for p in self.phases},
            "zoom_calls": dict(sum((Counter(p.zoom) for p in self.phases), Counter[str]())),
            "answered_by_phase": {p.name: len(p.answered) for p in self.phases},
            "failed_by_phase": {p.name: len(p.failed) for p in self.phases},
            "late_acks_by_phase": {p.name: p.late_acks for p in self.phases},
            "phase_span_seconds": {p.name: round(p.span, 3) for p in self.phases},
            "phase_calls_seconds": {p.name: round(p.last_call - p.first_call, 3) for p in self.phases},
            "machine_cpu_busy_percent": {p.name: round(p.machine_busy * 100) for p in self.phases},
            "cpu_seconds_by_process_whole_flow": {
                key: round(sum(p.cpu[key] for p in self.phases), 2) for key in name.cpu
            },
            "bot_peak_rss_mb": round(self.peak_rss_mb, 1),
            "bot_log_problems": self.problems,
        }


async def run_slack_burst(
    stack: SlackStack, code: str, parents: int, *, rates: tuple[float, float, float] = (0, 0, 0), within: float = 120
) -> SlackBurst:
    """The three phases for ``parents`` new parents; ``rates`` paces each phase's actions (0: all at once)."""
    slack, room, teacher = stack.slack, stack.room, stack.teacher
    assert room is not None
    assert teacher is not None
    users = stack.parents(parents)
    watch = Watch(stack)
    await quiet(watch)  # the set-up's last calls (the teacher's Home tab) stay out of the first phase
    ids = {user.id for user in users}
    cards: dict[str, SlackMessage] = {}

    # 1. the card
    opened = SlackPhase("open")
    _, seen = watch.cards(room.id, 0)
    _, failures_seen = watch.failures(ids, 0)

    async def open_cards() -> None:
        nonlocal seen
        acting = asyncio.ensure_future(
            offer(users, lambda user: slack.slash(user, f"class {code}", channel=room, timeout=30), rates[0])
        )

        def done() -> bool:
            nonlocal seen
            found, seen = watch.cards(room.id, seen)
            now = time.monotonic()
            for user, message in found:
                if user in ids and user not in cards:
                    cards[user] = message
                    opened.answered[user] = now
            return len(cards) >= len(users)

        await until(done, within + (parents / rates[0] if rates[0] else 0))
        opened.acted, opened.late_acks = await acting
        await quiet(Watch(stack))

    await measured(stack, opened, open_cards)
    users = [user for user in users if user.id in cards]

    # 2. Book: the modal
    asked = SlackPhase("book")
    forms: dict[str, str] = {}

    async def open_modals() -> None:
        acting = asyncio.ensure_future(
            offer(users, lambda user: slack.press(user, cards[user.id], "Book a seat", timeout=30), rates[1])
        )
        waiting = {user.id for user in users}

        def done() -> bool:
            now = time.monotonic()
            for user in list(waiting):
                view = watch.modal_open(user)
                if view is not None:
                    forms[user], asked.answered[user] = view, now
                    waiting.discard(user)
            failed, _ = watch.failures(waiting, failures_seen)
            asked.failed |= failed
            return not waiting - asked.failed

        await until(done, within + (parents / rates[1] if rates[1] else 0))
        asked.acted, asked.late_acks = await acting
        await quiet(Watch(stack))

    await measured(stack, asked, open_modals)
    users = [user for user in users if user.id in forms]

    # 3. the name: the link, and the teacher's notices
    named = SlackPhase("name")
    links: dict[str, float] = {}
    told = 0

    async def submit() -> None:
        nonlocal told
        acting = asyncio.ensure_future(
            offer(
                users,
                lambda user: slack.submit_view(user, forms[user.id], {"child": {"value": "Kid"}}, timeout=30),
                rates[2],
            )
        )
        calls = Watch(stack)
        calls.mark()
        wanted = {user.id for user in users}

        def done() -> bool:
            nonlocal told
            for call in calls.new_calls():
                if call.method != "chat.postMessage" or not call.ok:
                    continue
                channel, text = str(call.params.get("channel")), str(call.params.get("text") or "")
                if LINK in text and channel in wanted:
                    links.setdefault(channel, call.at)
                elif channel == teacher.id and (found := NOTICE.search(text)):
                    told += int(found.group("n") or 1)
            return len(links) >= len(wanted) and told >= len(wanted)

        await until(done, within + (parents / rates[2] if rates[2] else 0))
        named.acted, named.late_acks = await acting
        await quiet(Watch(stack))
        named.answered = dict(links)

    await measured(stack, named, submit)
    latencies = [links[user] - named.acted[user] for user in links if user in named.acted]
    _, peak = memory_mb(stack.bot.pid)
    return SlackBurst(
        parents=parents,
        phases=[opened, asked, named],
        latencies=latencies,
        booked=len(links),
        notices=told,
        peak_rss_mb=peak,
        problems=stack.bot.problems(),
    )
