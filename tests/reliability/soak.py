"""The soak: many parents booking through the real process(es) in Telegram webhook mode while Zoom and Telegram
misbehave (and, on demand, while processes are SIGKILLed and restarted), then every invariant checked.

Sizes come from ``SoakPlan``; ``SOAK_SCALE=full`` runs the product's own numbers (1,000 bookings over 50 classes
by 500 parents, 300 ms Zoom latency); CI runs a smaller plan that still hits every fault many times.
"""

from __future__ import annotations

import asyncio
import itertools
import os
import random
import re
import signal
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from classbot_fakes.telegram import DROPPED, FakeTelegram, FakeUser, SentMessage, TelegramCall
from classbot_fakes.zoom import FakeZoom
from sqlalchemy import func, select

from bot.storage.database import Database
from bot.storage.models import Booking, Class, Job
from tests.reliability.round_robin import RoundRobinProxy
from tests.reliability.stage import bot_environment, said, teacher_with_zoom
from tests.support.bot_process import BotProcess
from tests.support.ports import free_port

ZOOM_LINK = re.compile(r"/(j|s|w)/(\d+)")
LINK_MESSAGE = re.compile(r"You're booked: (\S+) in “([^”]+)”")
SEATS = re.compile(r"(\d+) of \d+ seats? left|full: join the waitlist")
SECRET = "soak-webhook-secret"
ZOOM_TIMEOUT = 11.0  # longer than ClassBot's 10 s read timeout for Zoom (bot/app.py)
TELEGRAM_TIMEOUT = 6.0  # longer than ClassBot's 5 s read timeout for Telegram
# Telegram's 5xx and lost answers strike the messages ClassBot sends from its durable jobs (links, reminders).
# A reply to a tap that meets a 5xx is not retried: ClassBot answers "Sorry, something went wrong" and the
# person must try again (a gap in bot/handlers, reported with this soak); 429s strike every message.
DURABLE_MESSAGES = r"You're booked: |Reminder: "


@dataclass(frozen=True)
class SoakPlan:
    teachers: int = 2
    classes_per_teacher: int = 4
    parents: int = 40
    bookings: int = 80
    zoom_latency: float = 0.05
    zoom_server_errors: float = 0.10
    zoom_rate_limited: float = 0.05
    # Changing Zoom calls (create, registrant, delete) that run and then answer 502 or drop the connection.
    zoom_after_effect: float = 0.05
    telegram_rate_limited: float = 0.05
    telegram_server_errors: float = 0.03  # 500/502 before the message is sent
    telegram_lost_after: float = 0.03  # the message is delivered, then the answer is a 502 or never comes
    processes: int = 1
    kills: int = 0
    seed: int = 7
    # Each teacher also creates a class starting in about 16 minutes: its 15-minute reminder goes out mid-soak.
    reminders: bool = True
    # Each teacher also creates a class nobody books and cancels it mid-soak: its Zoom meeting is deleted.
    cancellations: bool = True
    # Zoom expires every access token when half the bookings are done: each teacher's is refreshed once.
    expire_tokens_midway: bool = False

    @classmethod
    def chosen(cls, **overrides: int | bool) -> SoakPlan:
        if os.environ.get("SOAK_SCALE") == "full":
            base = cls(teachers=5, classes_per_teacher=10, parents=500, bookings=1000, zoom_latency=0.3)
            return SoakPlan(**{**base.__dict__, **overrides})
        return cls(**overrides)  # type: ignore[arg-type]


@dataclass
class SoakReport:
    bookings: int = 0
    confirmed_to_parents: int = 0
    lost: int = 0
    overbooked: int = 0
    duplicate_meetings: int = 0
    duplicate_links: int = 0
    unexplained_duplicates: int = 0  # repeats with neither a kill nor a lost answer between the two copies
    unexplained: list[str] = field(default_factory=list)  # each such repeat: chat, words, when, the kills' times
    wrong_links: int = 0
    missing_links: int = 0
    registrants_without_seat: int = 0
    registrants_missing: int = 0
    links_to_waitlisted: int = 0
    wrong_seat_counts: int = 0
    undeleted_meetings: int = 0
    faults: Counter[str] = field(default_factory=Counter)  # injected faults that struck, by server and kind
    leaks: list[str] = field(default_factory=list)
    stuck_jobs: int = 0
    kills: int = 0
    reminders: int = 0
    missing_reminders: int = 0
    duplicate_reminders: int = 0
    token_refreshes: int | None = None  # counted when tokens were expired mid-soak
    failed_refreshes: int = 0
    tap_to_link: list[float] = field(default_factory=list)
    webhook_at_once: int = 0  # the most webhook requests Telegram had open at once (parallel delivery)
    flood_limited: int = 0  # sends answered 429 by Telegram's flood limits (not an injected fault)

    @property
    def p99(self) -> float:
        ordered = sorted(self.tap_to_link)
        return ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] if ordered else float("nan")

    def table(self) -> str:
        rows = [
            ("bookings", self.bookings),
            ("confirmed to parents", self.confirmed_to_parents),
            ("lost", self.lost),
            ("overbooked", self.overbooked),
            ("duplicate meetings", self.duplicate_meetings),
            ("duplicate link messages (unexplained)", f"{self.duplicate_links} ({self.unexplained_duplicates})"),
            ("wrong links", self.wrong_links),
            ("missing link messages", self.missing_links),
            (
                "Zoom registrants without a seat / missing",
                f"{self.registrants_without_seat} / {self.registrants_missing}",
            ),
            ("links sent for waitlisted children", self.links_to_waitlisted),
            ("seat counts unlike what parents were told", self.wrong_seat_counts),
            ("cancelled classes' meetings left at Zoom", self.undeleted_meetings),
            ("leaks", len(self.leaks)),
            ("stuck jobs", self.stuck_jobs),
            ("reminders (missing, twice)", f"{self.reminders} ({self.missing_reminders}, {self.duplicate_reminders})"),
            ("token refreshes (failed)", f"{self.token_refreshes} ({self.failed_refreshes})"),
            ("processes killed", self.kills),
            ("p99 tap to link (s)", f"{self.p99:.2f}"),
            ("webhook deliveries at once (most)", self.webhook_at_once),
            ("flood-limit 429s", self.flood_limited),
            ("faults injected", ", ".join(f"{kind}: {n}" for kind, n in sorted(self.faults.items()))),
        ]
        return "\n".join(f"| {name} | {value} |" for name, value in rows)


class Progress:
    """How many bookings are done, for the killer to wait on."""

    def __init__(self) -> None:
        self.done = 0
        self._changed = asyncio.Condition()

    async def advance(self) -> None:
        async with self._changed:
            self.done += 1
            self._changed.notify_all()

    async def reached(self, count: int) -> None:
        async with self._changed:
            await self._changed.wait_for(lambda: self.done >= count)


class Soak:
    def __init__(self, tmp_path: Path, database_url: str, plan: SoakPlan) -> None:
        self.plan = plan
        self.tmp_path = tmp_path
        self.database_url = database_url
        self.random = random.Random(plan.seed)
        self.report = SoakReport()
        # As Telegram does: webhook updates of different chats delivered at once (up to max_connections, 40 by
        # default), each chat's in order; its flood limits enforced (429 with retry_after beyond them).
        self.telegram = FakeTelegram(webhook_attempts=60, enforce_limits=True)
        self.zoom = FakeZoom()
        self.bots: list[BotProcess] = []
        self.proxy: RoundRobinProxy | None = None
        self.answered: dict[tuple[int, str], str] = {}  # (parent id, child) -> "booked" | "waitlisted"
        self.class_of: dict[str, str] = {}  # child -> the title of the class booked for them
        self.killed_at: list[float] = []  # time.monotonic() of each SIGKILL (the fakes record calls on this clock)
        self.restarted_at: list[float] = []  # and of the restart that followed it
        self.dropped: dict[FakeUser, str] = {}  # teacher -> title of the class they cancel mid-soak
        self.dropped_ids: dict[str, str] = {}  # title of a class cancelled mid-soak -> its public id
        self.seats: dict[str, int] = {}  # class title -> its seats, as the teacher typed them
        self.booked_at: dict[tuple[int, str], tuple[str, datetime]] = {}  # class title, when "Booked" was read
        self.reminder_due: dict[str, datetime] = {}  # title of a class starting soon -> its reminder's time
        self.refresh_calls_from: int | None = None  # Zoom's call log index when tokens were expired

    async def run(self) -> SoakReport:
        with self.telegram, self.zoom:
            self._start_processes()
            try:
                classes = await self._teachers_create_classes()  # turns the faults on once Zoom is connected
                await self._parents_book(classes)
                self._faults(on=False)
                await self._settle()
                await self._check(classes)
                await self._check_seat_counts(classes)
            except TimeoutError as waited_in_vain:
                raise TimeoutError(f"{waited_in_vain}\n{await self._diagnosis()}") from waited_in_vain
            finally:
                for bot in self.bots:
                    bot.kill()
                if self.proxy is not None:
                    self.proxy.stop()
        return self.report

    async def _diagnosis(self) -> str:
        """What a failed wait needs beside the chat: the work still queued, and each process's last log lines."""
        database = Database.connect(self.database_url)
        try:
            async with database.read() as session:
                unfinished = (await session.execute(select(Job).where(Job.status != "done"))).scalars().all()
        finally:
            await database.dispose()
        jobs = [f"{j.kind} {j.status} attempts={j.attempts} run_at={j.run_at} {j.last_error}" for j in unfinished]
        logs = [f"--- {bot.log_path.name}\n" + "\n".join(bot.output().splitlines()[-40:]) for bot in self.bots]
        return "\n".join(["unfinished jobs:", *jobs[:40], *logs])

    # --- set-up ------------------------------------------------------------------------------------------

    def _start_processes(self) -> None:
        ports = [free_port() for _ in range(self.plan.processes)]
        self.proxy = RoundRobinProxy([f"http://127.0.0.1:{port}" for port in ports])
        self.proxy.start()
        environment = bot_environment(
            self.telegram,
            self.zoom,
            database_url=self.database_url,
            public_url=self.proxy.url,
            webhook_secret=SECRET,
            zoom_webhook_secret="soak-zoom-secret",
        )
        for index, port in enumerate(ports):
            workdir = self.tmp_path / f"process-{index}"
            workdir.mkdir()
            self.bots.append(BotProcess(workdir, {**environment, "HTTP_PORT": str(port)}))
        for bot in self.bots:
            bot.start()
        for bot in self.bots:
            bot.wait_healthy(60)

    async def _said(self, user: FakeUser, pattern: str, timeout: float = 60) -> SentMessage:
        return await said(self.telegram, user, pattern, timeout)

    async def _teachers_create_classes(self) -> list[tuple[str, str, FakeUser]]:
        """(public id, title, teacher) for every class, each created through /newclass."""
        classes = []
        when = (datetime.now(UTC) + timedelta(days=3)).strftime("%Y-%m-%d 16:30")
        teachers = []
        for t in range(self.plan.teachers):
            email = f"teacher{t}@example.org"
            teachers.append(
                await teacher_with_zoom(self.telegram, self.zoom, f"Teacher{t}", email, licensed=t % 2 == 0)
            )
        self._faults(on=True)  # from here every meeting is created, filled and deleted under faults
        for t, teacher in enumerate(teachers):
            if self.plan.cancellations:
                self.dropped[teacher] = f"Dropped {t}"
                teacher.send(f"/newclass Dropped {t} | {when} | 45 | 5")
                created = await self._said(teacher, f"Created:\n“Dropped {t}”")
                [share] = [url for url in created.urls if "start=c_" in url]
                self.dropped_ids[f"Dropped {t}"] = share.rsplit("c_", 1)[1]
            for c in range(self.plan.classes_per_teacher):
                title = f"Class {t}-{c}"
                self.seats[title] = self.random.randint(2, 12)
                teacher.send(f"/newclass {title} | {when} | 45 | {self.seats[title]}")
                created = await self._said(teacher, f"Created:\n“{title}”")
                [share] = [url for url in created.urls if "start=c_" in url]
                classes.append((share.rsplit("c_", 1)[1], title, teacher))
            if self.plan.reminders:
                classes.append(await self._create_class_starting_soon(teacher, f"Soon {t}"))
        return classes

    async def _create_class_starting_soon(self, teacher: FakeUser, title: str) -> tuple[str, str, FakeUser]:
        now = datetime.now(UTC)
        start = now.replace(second=0, microsecond=0) + timedelta(minutes=17)  # the reminder: in 1 to 2 minutes
        self.seats[title] = 12
        teacher.send(f"/newclass {title} | {start:%Y-%m-%d %H:%M} | 45 | 12")
        created = await self._said(teacher, f"Created:\n“{title}”")
        [share] = [url for url in created.urls if "start=c_" in url]
        self.reminder_due[title] = start - timedelta(minutes=15)
        return share.rsplit("c_", 1)[1], title, teacher

    def _faults(self, *, on: bool) -> None:
        """Random faults before and after the effect, plus one real timeout of each changing kind (the answer
        comes after the client gave up, the effect already made)."""
        plan = self.plan
        self.zoom.latency = plan.zoom_latency if on else 0.0
        if not on:
            self.zoom.clear_faults()
            self.telegram.clear_faults()
            return
        for method, path in (
            ("POST", r"/users/[^/]+/meetings$"),
            ("POST", r"/registrants$"),
            ("DELETE", r"/meetings/\d+$"),
        ):
            self.zoom.fail_next(DROPPED, method=method, path=path, after=True, delay=ZOOM_TIMEOUT)
        self.zoom.set_fault_rates(
            server_error=plan.zoom_server_errors,
            rate_limited=plan.zoom_rate_limited,
            after_effect=plan.zoom_after_effect,
            seed=plan.seed,
        )
        self.telegram.fail_next("sendMessage", DROPPED, after=True, delay=TELEGRAM_TIMEOUT, text=DURABLE_MESSAGES)
        self.telegram.fail_next("sendMessage", 502, after=True, text=DURABLE_MESSAGES)
        self.telegram.fail_next("sendMessage", 502, text=DURABLE_MESSAGES)
        self.telegram.set_fault_rates(
            rate_limited=plan.telegram_rate_limited,
            server_error=plan.telegram_server_errors,
            lost_after=plan.telegram_lost_after,
            seed=plan.seed,
            text=DURABLE_MESSAGES,
        )

    # --- the booking rush --------------------------------------------------------------------------------

    async def _parents_book(self, classes: list[tuple[str, str, FakeUser]]) -> None:
        parents = [self.telegram.add_user(f"Parent{p}") for p in range(self.plan.parents)]
        pairs = {(self.random.randrange(len(parents)), self.random.randrange(len(classes))) for _ in range(10**6)}
        chosen = sorted(pairs)[: self.plan.bookings] if len(pairs) >= self.plan.bookings else sorted(pairs)
        self.random.shuffle(chosen)
        self.report.bookings = len(chosen)
        plans: dict[int, list[int]] = {}
        for p, c in chosen:
            plans.setdefault(p, []).append(c)
        progress = Progress()
        gate = asyncio.Semaphore(20)

        async def parent_books(p: int, class_indexes: list[int]) -> None:
            async with gate:
                parent = parents[p]
                for c in class_indexes:
                    await self._book(parent, classes[c], f"Kid{p}x{c}")
                    await progress.advance()

        killer = asyncio.create_task(self._kill_now_and_then(progress))
        expirer = asyncio.create_task(self._expire_tokens_midway(progress))
        canceller = asyncio.create_task(self._cancel_midway(progress))
        await asyncio.gather(*(parent_books(p, c) for p, c in plans.items()))
        await killer
        await expirer
        await canceller

    async def _book(self, parent: FakeUser, cls: tuple[str, str, FakeUser], child: str) -> None:
        public_id, title, _ = cls
        parent.open_deep_link(f"https://t.me/{self.telegram.bot_username}?start=c_{public_id}")
        card = await self._said(parent, re.escape(f"“{title}”"), timeout=120)
        parent.press(card, card.button_texts[0])
        await self._said(parent, "who is the seat for|who should go on the waitlist", timeout=120)
        tapped = time.monotonic()
        parent.send(child)
        answer = await self._said(parent, f"Booked: {child} |{child} is on the waitlist", timeout=120)
        booked = "Booked" in (answer.text or "")
        self.answered[(parent.id, child)] = "booked" if booked else "waitlisted"
        self.class_of[child] = title
        if booked:
            self.booked_at[(parent.id, child)] = (title, datetime.now(UTC))
        if booked:
            try:
                await self._said(parent, rf"You're booked: {child} in", timeout=120)
                self.report.tap_to_link.append(time.monotonic() - tapped)
            except TimeoutError:
                pass  # counted by the final check as a missing link

    async def _kill_now_and_then(self, progress: Progress) -> None:
        for kill in range(self.plan.kills):
            await progress.reached((kill + 1) * self.report.bookings // (self.plan.kills + 1))
            await asyncio.sleep(self.random.random() * 0.5)  # a random moment: some updates are mid-way
            bot = self.random.choice(self.bots)
            self.killed_at.append(time.monotonic())
            bot.process.send_signal(signal.SIGKILL)
            bot.process.wait(10)
            self.restarted_at.append(time.monotonic())
            bot.start()
            await asyncio.to_thread(bot.wait_healthy, 60)
            self.report.kills += 1

    async def _cancel_midway(self, progress: Progress) -> None:
        """A third of the way in, a parent books each teacher's spare class (so Zoom has its meeting, made when
        first needed) and the teacher cancels it: ClassBot deletes the meeting."""
        await progress.reached(self.report.bookings // 3)
        for t, (teacher, title) in enumerate(self.dropped.items()):
            parent, child = self.telegram.add_user(f"Dropper{t}"), f"Drop{t}"
            self.class_of[child] = title
            parent.open_deep_link(f"https://t.me/{self.telegram.bot_username}?start=c_{self.dropped_ids[title]}")
            card = await self._said(parent, re.escape(f"“{title}”"), timeout=120)
            parent.press(card, card.button_texts[0])
            await self._said(parent, "who is the seat for", timeout=120)
            parent.send(child)
            # Under the rush's faults a link may wait out several back-offs before it goes.
            await self._said(parent, rf"You're booked: {child} in", timeout=300)
            teacher.send("/myclasses")
            card = await self.telegram.wait_for_message(teacher, _card_of(title, "Cancel the class"), timeout=120)
            teacher.press(card, "Cancel the class")
            question = await self.telegram.wait_for_message(
                teacher, lambda m: "Yes, cancel the class" in m.button_texts, timeout=120
            )
            teacher.press(question, "Yes, cancel the class")
            # A kill between the cancellation and its answer makes Telegram deliver the tap again: that delivery
            # answers as the first would have (never "was already cancelled", which would tell of another tap).
            await self._said(teacher, rf"“{re.escape(title)}” is cancelled; the parents were told", timeout=120)

    async def _expire_tokens_midway(self, progress: Progress) -> None:
        if not self.plan.expire_tokens_midway:
            return
        await progress.reached(self.report.bookings // 2)
        self.refresh_calls_from = len(self.zoom.calls)
        self.zoom.expire_access_tokens()

    # --- the end -----------------------------------------------------------------------------------------

    async def _settle(self) -> None:
        database = Database.connect(self.database_url)
        try:
            deadline = time.monotonic() + 240
            while self.reminder_due and time.monotonic() < deadline:  # until the soon classes' reminders ran
                soon = max(self.reminder_due.values()) + timedelta(seconds=1)
                async with database.read() as session:
                    waiting = (Job.kind == "reminder") & (Job.status != "done") & (Job.run_at <= soon)
                    if (await session.execute(select(func.count()).where(waiting))).scalar_one() == 0 and (
                        datetime.now(UTC) > soon
                    ):
                        break
                await asyncio.sleep(0.2)
            deadline = time.monotonic() + 180
            while time.monotonic() < deadline:
                soon = datetime.now(UTC) + timedelta(seconds=5)
                async with database.read() as session:
                    busy = (Job.status == "running") | ((Job.status == "pending") & (Job.run_at <= soon))
                    left = (await session.execute(select(func.count()).where(busy))).scalar_one()
                if left == 0:
                    return
                await asyncio.sleep(0.2)
        finally:
            await database.dispose()

    async def _check(self, classes: list[tuple[str, str, FakeUser]]) -> None:
        report = self.report
        database = Database.connect(self.database_url)
        try:
            async with database.read() as session:
                rows = (await session.execute(select(Class))).scalars().all()
                holding = dict(
                    (
                        await session.execute(
                            select(Booking.class_id, func.count())
                            .where(Booking.status.in_(("confirmed", "pending_approval")))
                            .group_by(Booking.class_id)
                        )
                    ).all()
                )
                confirmed = {
                    (b.child_name, b.class_id)
                    for b in (await session.execute(select(Booking).where(Booking.status == "confirmed"))).scalars()
                }
                stuck = (
                    await session.execute(select(func.count()).where(Job.status.in_(("running", "dead"))))
                ).scalar_one()
        finally:
            await database.dispose()
        report.stuck_jobs = int(stuck)
        report.overbooked = sum(
            1 for c in rows if holding.get(c.id, 0) > c.seats or c.seats_taken != holding.get(c.id, 0)
        )
        by_title = {c.title: c for c in rows}
        booked_children = {child for (_, child), outcome in self.answered.items() if outcome == "booked"}
        report.confirmed_to_parents = len(booked_children)
        stored_children = {child for child, _ in confirmed}
        report.lost = len(booked_children - stored_children)
        self._check_links(classes, by_title)

    def _check_links(self, classes: list[tuple[str, str, FakeUser]], by_title: dict[str, Class]) -> None:
        """From the test servers' records: no leak, no wrong link, none missing, a repeat only where a kill or a
        lost answer came between the two copies; Zoom's meetings and registrants match what parents were told."""
        report = self.report
        teachers = {teacher.id for _, _, teacher in classes}
        waitlisted = {child for (_, child), outcome in self.answered.items() if outcome == "waitlisted"}
        link_counts: Counter[tuple[int, str]] = Counter()
        for message in self.telegram.all_messages():
            found = [m for url in message.urls if (m := ZOOM_LINK.search(url))]
            if not found:
                continue
            text = message.text or ""
            kinds = {m.group(1) for m in found}
            if message.chat_id < 0:
                report.leaks.append(f"a Zoom link in group {message.chat_id}")
            elif "s" in kinds and message.chat_id not in teachers:
                report.leaks.append(f"a start link in the chat of {message.chat_id}, who teaches nothing")
            if any(child in text for child in waitlisted):
                report.links_to_waitlisted += 1
            if booked := LINK_MESSAGE.search(text):
                child, title = booked.groups()
                link_counts[(message.chat_id, child)] += 1
                if title in self.dropped_ids:  # its meeting is gone by design
                    continue
                if not self._is_the_right_link(child, title, message.urls):
                    report.wrong_links += 1
        for (parent_id, child), outcome in self.answered.items():
            if outcome == "booked" and link_counts[(parent_id, child)] == 0:
                report.missing_links += 1
        report.duplicate_links = sum(count - 1 for count in link_counts.values() if count > 1)
        report.unexplained_duplicates = self._unexplained_repeats()
        self._check_zoom()
        del by_title
        self._check_reminders(teachers)
        self._check_refreshes()
        self._count_faults()

    def _is_the_right_link(self, child: str, title: str, urls: list[str]) -> bool:
        """The class booked for ``child``, and the link Zoom gave for them: their own registrant link on a
        licensed host's meeting, the meeting's join link on a basic host's."""
        if self.class_of.get(child) != title:
            return False
        meetings = [m for m in self.zoom.meetings.values() if m.topic == title]
        if len(meetings) != 1:
            return False
        [meeting] = meetings
        if self.zoom.user(meeting.host_id).licensed:
            own = {r.join_url for r in self.zoom.registrants(meeting.id) if r.first_name == child}
            return bool(own) and any(url in own for url in urls)
        joins = [m for url in urls if (m := ZOOM_LINK.search(url)) and m.group(1) == "j"]
        return bool(joins) and all(m.group(2) == str(meeting.id) for m in joins)

    def _unexplained_repeats(self) -> int:
        """Copies of a link message or a reminder (the same text in the same chat) with no reason between them.
        At least once means: a copy is repeated only
        when the process died after Telegram delivered it and before ClassBot noted it (a kill falls between the
        two sends), or when Telegram's answer to the first was lost; each kill repeats a message at most once.
        A request the killed process had already sent may reach Telegram just after the signal (the kernel still
        delivers what was written to the socket), so a first copy that arrived before the restart counts as the
        killed process's."""
        sends: dict[tuple[int, str], list[TelegramCall]] = {}
        durable = re.compile(DURABLE_MESSAGES)
        for call in self.telegram.calls:
            text = str(call.params.get("text", ""))
            if call.method.lower() == "sendmessage" and call.took_effect and durable.search(text):
                sends.setdefault((int(call.params["chat_id"]), text), []).append(call)
        unexplained = 0
        for copies in sends.values():
            copies.sort(key=lambda call: call.at)
            for first, again in itertools.pairwise(copies):
                lost = (first.fault or "").startswith("after")
                kills = zip(self.killed_at, self.restarted_at, strict=True)
                if not lost and not any(first.at <= restarted and killed <= again.at for killed, restarted in kills):
                    unexplained += 1
                    self.report.unexplained.append(
                        f"chat {first.params.get('chat_id')} {str(first.params.get('text', ''))[:60]!r}: "
                        f"at {first.at:.2f} ({first.status}) and {again.at:.2f} ({again.status}); "
                        f"kills at {[round(killed, 2) for killed in self.killed_at]}"
                    )
        return unexplained

    def _check_zoom(self) -> None:
        """Zoom holds one meeting per class, none for a cancelled class, and on each licensed host's meeting
        exactly one approved registrant per child whose parent read "Booked" (no registrant without a seat)."""
        report = self.report
        meetings = self.zoom.meetings.values()
        topics = Counter(m.topic for m in meetings)
        report.duplicate_meetings = sum(count - 1 for count in topics.values() if count > 1)
        report.undeleted_meetings = sum(topics[title] for title in self.dropped.values())
        told: dict[str, Counter[str]] = {}
        for (_, child), outcome in self.answered.items():
            if outcome == "booked":
                told.setdefault(self.class_of[child], Counter())[child] += 1
        for meeting in meetings:
            expected = told.get(meeting.topic, Counter()) if self.zoom.user(meeting.host_id).licensed else Counter()
            held = Counter(r.first_name for r in self.zoom.registrants(meeting.id) if r.status == "approved")
            report.registrants_without_seat += sum((held - expected).values())
            report.registrants_missing += sum((expected - held).values())
        for title in set(told) - set(topics):
            report.registrants_missing += sum(told[title].values())  # booked into a class Zoom has no meeting for

    def _count_faults(self) -> None:
        for zoom_call in self.zoom.calls:
            if zoom_call.fault:
                self.report.faults[f"Zoom {_zoom_operation(zoom_call.method, zoom_call.path)} {zoom_call.fault}"] += 1
        for telegram_call in self.telegram.calls:
            if telegram_call.fault:
                self.report.faults[f"Telegram {telegram_call.fault}"] += 1
            elif telegram_call.status == 429:
                self.report.flood_limited += 1
        self.report.webhook_at_once = self.telegram.webhook_most_in_flight

    async def _check_seat_counts(self, classes: list[tuple[str, str, FakeUser]]) -> None:
        """Each class's card shows as many seats taken as parents were told "Booked" (read in the teacher's
        chat, as the teacher sees it)."""
        told = Counter(self.class_of[child] for (_, child), outcome in self.answered.items() if outcome == "booked")
        by_teacher: dict[FakeUser, list[str]] = {}
        for _, title, teacher in classes:
            by_teacher.setdefault(teacher, []).append(title)
        for teacher, titles in by_teacher.items():
            seen = max((m.message_id for m in self.telegram.messages(teacher)), default=0)
            teacher.send("/myclasses")
            for title in titles:
                card = await self.telegram.wait_for_message(teacher, _card_of(title, after=seen), timeout=60)
                seats = SEATS.search(card.text or "")
                assert seats is not None
                left = int(seats.group(1)) if seats.group(1) else 0  # "full: join the waitlist"
                if self.seats[title] - left != told[title]:
                    self.report.wrong_seat_counts += 1

    def _check_reminders(self, teachers: set[int]) -> None:
        """Every child booked (a moment) before a class's reminder got it once; no one got one twice."""
        report = self.report
        reminded: Counter[tuple[int, str, str]] = Counter()
        for message in self.telegram.all_messages():
            text = message.text or ""
            if found := re.search(r"Reminder: “(Soon \d+)” for (\S+) starts", text):
                reminded[(message.chat_id, found.group(1), found.group(2))] += 1
            elif (found := re.search(r"Reminder: your class “(Soon \d+)”", text)) and message.chat_id in teachers:
                reminded[(message.chat_id, found.group(1), "(teacher)")] += 1
        report.reminders = sum(reminded.values())
        report.duplicate_reminders = sum(count - 1 for count in reminded.values() if count > 1)
        for (parent_id, child), (title, at) in self.booked_at.items():
            due = self.reminder_due.get(title)
            if due is not None and at < due - timedelta(seconds=2) and not reminded[(parent_id, title, child)]:
                report.missing_reminders += 1
        teacher_reminders = sum(1 for (_, title, who) in reminded if who == "(teacher)" and title in self.reminder_due)
        report.missing_reminders += len(self.reminder_due) - teacher_reminders

    def _check_refreshes(self) -> None:
        if self.refresh_calls_from is None:
            return
        grants = [
            call
            for call in self.zoom.calls[self.refresh_calls_from :]
            if call.path.endswith("/oauth/token") and (call.form or {}).get("grant_type") == "refresh_token"
        ]
        self.report.token_refreshes = sum(1 for call in grants if call.status == 200)
        # A refusal (400 invalid_grant) is what breaks a teacher's connection. A 429 is the fault injected in front
        # of the endpoint, answered before the grant is looked at: the refresh token lives on and is tried again.
        self.report.failed_refreshes = sum(1 for call in grants if 400 <= call.status < 500 and call.status != 429)


def _card_of(title: str, button: str | None = None, *, after: int = 0) -> Callable[[SentMessage], bool]:
    """A class's card in the teacher's chat (newer than message ``after``), with ``button`` if given."""

    def matches(message: SentMessage) -> bool:
        text = message.text or ""
        return (
            message.message_id > after
            and f"“{title}”" in text
            and SEATS.search(text) is not None
            and (button is None or button in message.button_texts)
        )

    return matches


def _zoom_operation(method: str, path: str) -> str:
    """The changing Zoom calls by name ("create", "registrant", "delete"), others by their HTTP method."""
    if method == "POST" and path.endswith("/registrants"):
        return "registrant"
    if method == "POST" and path.endswith("/meetings"):
        return "create"
    if method == "DELETE" and "/meetings/" in path:
        return "delete"
    return method
