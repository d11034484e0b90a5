"""The long run: one real process in Telegram webhook mode lives through six and a half simulated weeks of a
school's traffic, a day at a time, while the test watches its memory, its tables and its speed.

Each simulated day the teachers create classes (starting two days later, ten minutes past the hour) and the
parents send their day's share of the updates: class links opened (``/start c_…``) and seats booked for their
children, bookings cancelled through /mybookings, /classes, /mybookings and /start. Then the test waits until
the process has nothing due, records its RSS and the sizes of the jobs and processed-events tables, and moves
its clock a day ahead (the test-only ``CLASSBOT_CLOCK_STEP_SECONDS``, ``bot/support/stepped_clock.py``): the
15-minute reminders of the classes created two days before come due, and the finished jobs and remembered
update ids of long ago are purged. Forty-five days, so that the 30 days a finished job is kept
(``FINISHED_JOB_RETENTION``) run out and the jobs table is seen to level off, as the processed events (kept 7
days) do after a week. The Zoom test server lives on the same simulated clock, as Zoom's daily limits would.

The size is the number of updates (``LONG_RUN_UPDATES``, 12,000 by default, what CI runs; 200,000 by hand).
"""

from __future__ import annotations

import asyncio
import contextlib
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

from classbot_fakes.telegram import FakeTelegram, FakeUser, SentMessage
from classbot_fakes.zoom import FakeZoom
from sqlalchemy import ColumnElement, func, select

from bot.storage.database import Database
from bot.storage.models import Job, ProcessedEvent
from tests.reliability.stage import bot_environment, said, teacher_with_zoom
from tests.support.bot_process import BotProcess
from tests.support.ports import free_port

SECRET = "long-run-webhook-secret"
DAY = timedelta(days=1)
LINK_MESSAGE = re.compile(r"You're booked: (\S+) in “([^”]+)”")
REMINDER = re.compile(r"Reminder: “([^”]+)” for (\S+) starts")
TEACHER_REMINDER = re.compile(r"Reminder: your class “([^”]+)” starts")
CHILDREN = ("Mia", "Leo", "Ava", "Noah", "Zoe", "Liam", "Ella", "Omar")
WAIT = 120.0  # seconds for one answer: a bound that only ends a hung run, never a pace
_MOST_PER_ACTION = 3  # updates one parent's action sends at most


@dataclass(frozen=True)
class LongRunPlan:
    updates: int = 12_000
    days: int = 45
    warm_up_days: int = 5  # RSS and the first p99 window are taken after these
    window_days: int = 15  # the p99 windows: the first days after the warm-up, and the last days
    teachers: int = 4
    at_once: int = 16  # parents acting at the same moment
    seed: int = 11

    @classmethod
    def chosen(cls) -> LongRunPlan:
        return cls(updates=int(os.environ.get("LONG_RUN_UPDATES", "12000")))

    @property
    def parents(self) -> int:
        return max(120, self.updates // 50)  # each chat stays short: the test server's waits scan it

    @property
    def updates_per_day(self) -> int:
        return self.updates // self.days

    @property
    def classes_per_day(self) -> int:
        return max(2, self.updates_per_day // 160)  # about 30 bookings a class


@dataclass
class DayRecord:
    day: int
    rss_kb: int
    jobs: int
    events: int
    oldest_done_job_days: float  # age on the process's clock of the oldest finished job still kept
    updates: int  # sent so far


@dataclass
class LongRunReport:
    plan: LongRunPlan
    days: list[DayRecord] = field(default_factory=list)
    updates: int = 0
    seconds: float = 0.0
    bookings: int = 0
    cancelled: int = 0
    missing_links: int = 0
    repeated_links: int = 0
    stray_links: int = 0  # link messages for no booking the test made
    reminders: int = 0
    missing_reminders: int = 0
    repeated_reminders: int = 0
    stray_reminders: int = 0  # for a cancelled booking, or one the test made none for
    teacher_reminders: int = 0
    missing_teacher_reminders: int = 0
    dead_jobs: int = 0
    tap_to_link: dict[int, list[float]] = field(default_factory=dict)  # day -> seconds, each booking's

    def rss_mb(self, day: int) -> float:
        return self.days[day].rss_kb / 1024

    def p99(self, first_day: int, last_day: int) -> float:
        return self.quantile(first_day, last_day, 0.99)

    def quantile(self, first_day: int, last_day: int, q: float) -> float:
        samples = sorted(s for day in range(first_day, last_day + 1) for s in self.tap_to_link.get(day, []))
        return samples[min(len(samples) - 1, int(len(samples) * q))] if samples else float("nan")

    def samples(self, first_day: int, last_day: int) -> int:
        return sum(len(self.tap_to_link.get(day, [])) for day in range(first_day, last_day + 1))

    @property
    def start_window(self) -> tuple[int, int]:
        first = self.plan.warm_up_days
        return first, first + self.plan.window_days - 1

    @property
    def end_window(self) -> tuple[int, int]:
        last = self.plan.days - 1
        return last - self.plan.window_days + 1, last

    def table(self) -> str:
        warm, end = self.days[self.plan.warm_up_days - 1], self.days[-1]
        purge_starts = self.days[min(len(self.days) - 1, 31)]
        week = self.days[min(len(self.days) - 1, 8)]
        start, finish = self.start_window, self.end_window
        rows = [
            ("updates (per second)", f"{self.updates} ({self.updates / self.seconds:.0f}/s over {self.seconds:.0f} s)"),
            ("simulated days, parents, teachers", f"{self.plan.days}, {self.plan.parents}, {self.plan.teachers}"),
            ("bookings (cancelled)", f"{self.bookings} ({self.cancelled})"),
            ("links missing / twice / stray", f"{self.missing_links} / {self.repeated_links} / {self.stray_links}"),
            (
                "reminders to parents (missing / twice / stray), to teachers (missing)",
                f"{self.reminders} ({self.missing_reminders} / {self.repeated_reminders} / {self.stray_reminders}), "
                f"{self.teacher_reminders} ({self.missing_teacher_reminders})",
            ),
            (
                f"RSS after warm-up (day {warm.day + 1}) → end",
                f"{warm.rss_kb / 1024:.1f} → {end.rss_kb / 1024:.1f} MB",
            ),
            (
                "jobs rows: day 9 / day 32 / end (oldest finished, days)",
                f"{week.jobs} / {purge_starts.jobs} / {end.jobs} ({end.oldest_done_job_days:.1f})",
            ),
            (
                "processed events rows: day 9 / day 32 / end",
                f"{week.events} / {purge_starts.events} / {end.events}",
            ),
            (
                f"p99 tap to link: days {start[0] + 1}-{start[1] + 1} → days {finish[0] + 1}-{finish[1] + 1}",
                f"{self.p99(*start) * 1000:.0f} ms ({self.samples(*start)} bookings; median "
                f"{self.quantile(*start, 0.5) * 1000:.0f} ms) → {self.p99(*finish) * 1000:.0f} ms "
                f"({self.samples(*finish)}; median {self.quantile(*finish, 0.5) * 1000:.0f} ms)",
            ),
            ("jobs given up on", self.dead_jobs),
        ]
        return "\n".join(f"| {name} | {value} |" for name, value in rows)


@dataclass
class Opened:
    """A class parents may book: created on ``day``, starting two days later."""

    public_id: str
    title: str
    day: int
    teacher: FakeUser


@dataclass
class Seat:
    parent: FakeUser
    child: str
    cls: Opened
    day: int  # the day it was booked
    tapped: float  # time.monotonic() when the child's name was sent
    cancelled: bool = False


class LongRun:
    def __init__(self, tmp_path: Path, database_url: str, plan: LongRunPlan) -> None:
        self.plan = plan
        self.tmp_path = tmp_path
        self.database_url = database_url
        self.random = random.Random(plan.seed)
        self.report = LongRunReport(plan)
        self.ahead = timedelta(0)  # how far the process's clock is ahead of the real time
        self.telegram = FakeTelegram(webhook_attempts=60)
        self.zoom = FakeZoom(now=self.now, registrant_daily_cap=None)
        self.bot: BotProcess | None = None
        self.log_offset = 0
        self.day = 0
        self.teachers: list[FakeUser] = []
        self.parents: list[FakeUser] = []
        self.busy: set[int] = set()
        self.classes: list[Opened] = []
        self.seats: list[Seat] = []
        # (parent, child, class id) ever booked: a child is not booked into a class twice, so each booking's link
        # message is told apart by its parent, child and class.
        self.booked: set[tuple[int, str, str]] = set()

    def now(self) -> datetime:
        """The time on the process's clock."""
        return datetime.now(UTC) + self.ahead

    async def run(self) -> LongRunReport:
        with self.telegram, self.zoom:
            self._start_process()
            assert self.bot is not None
            try:
                await self._cast()
                started = time.monotonic()
                for day in range(self.plan.days):
                    self.day = day
                    began = time.monotonic()
                    await self._live_one_day()
                    lived = time.monotonic()
                    await self._settle()
                    settled = time.monotonic()
                    await self._read_up()
                    self.report.days.append(await self._record(day))
                    await self._step()
                    print(
                        f"day {day + 1}: {self.report.updates} updates; {lived - began:.1f} s of traffic, "
                        f"{settled - lived:.1f} s to settle, {time.monotonic() - settled:.1f} s to step",
                        flush=True,
                    )
                self.report.seconds = time.monotonic() - started
                await self._settle()
                self._check_messages()
                self.report.dead_jobs = await self._count(Job.status == "dead")
            except TimeoutError as waited_in_vain:
                tail = "\n".join(self.bot.output().splitlines()[-40:])
                raise TimeoutError(f"{waited_in_vain}\n--- the bot's log\n{tail}") from waited_in_vain
            finally:
                self.bot.kill()
        return self.report

    # --- set-up ------------------------------------------------------------------------------------------

    def _start_process(self) -> None:
        port = free_port()
        environment = bot_environment(
            self.telegram,
            self.zoom,
            database_url=self.database_url,
            public_url=f"http://127.0.0.1:{port}",
            webhook_secret=SECRET,
            zoom_webhook_secret="long-run-zoom-secret",
            HTTP_PORT=str(port),
            CLASSBOT_CLOCK_STEP_SECONDS=str(int(DAY.total_seconds())),
            # The process's own speed is measured, not Telegram's and Zoom's limits (the soak covers those).
            TELEGRAM_MESSAGES_PER_SECOND="0",
            ZOOM_PACED="false",
        )
        self.bot = BotProcess(self.tmp_path, environment)
        self.bot.start()
        self.bot.wait_healthy(60)

    async def _cast(self) -> None:
        for t in range(self.plan.teachers):
            email = f"teacher{t}@example.org"
            self.teachers.append(
                await teacher_with_zoom(self.telegram, self.zoom, f"Teacher{t}", email, licensed=t % 2 == 0)
            )
        self.parents = [self.telegram.add_user(f"Parent{p}") for p in range(self.plan.parents)]

    # --- a day -------------------------------------------------------------------------------------------

    async def _live_one_day(self) -> None:
        budget = self.plan.updates_per_day
        for k in range(self.plan.classes_per_day):
            await self._create_class(self.teachers[k % len(self.teachers)], f"D{self.day}-{k}")
            budget -= 1
        if self.day == 0:  # every parent opens the bot in the first days: the warm-up meets them all
            budget -= len(self.parents)
        left = [budget]
        starts = list(self.parents) if self.day == 0 else []

        async def act() -> None:
            while starts:
                parent = starts.pop()
                await self._hello(parent)
            while left[0] > 0:
                left[0] -= _MOST_PER_ACTION  # taken before the action, so parents acting at once share the day
                sent = await self._one_action()
                left[0] += _MOST_PER_ACTION - sent

        await asyncio.gather(*(act() for _ in range(self.plan.at_once)))

    async def _one_action(self) -> int:
        """One parent's action, chosen at random; the updates it sent."""
        parent = self._free_parent()
        self.busy.add(parent.id)
        try:
            roll = self.random.random()
            if roll < 0.55:
                return await self._book(parent)
            if roll < 0.65:
                return await self._cancel(parent)
            if roll < 0.8:
                return await self._list_classes(parent)
            if roll < 0.95:
                return await self._list_bookings(parent)
            return await self._hello(parent)
        finally:
            self.busy.discard(parent.id)

    def _free_parent(self) -> FakeUser:
        while True:
            parent = self.random.choice(self.parents)
            if parent.id not in self.busy:
                return parent

    async def _create_class(self, teacher: FakeUser, title: str) -> None:
        start = (self.now() + 2 * DAY).replace(second=0, microsecond=0) + timedelta(minutes=11)
        teacher.send(f"/newclass {title} | {start:%Y-%m-%d %H:%M} | 45 | 500")
        created = await said(self.telegram, teacher, f"Created:\n“{title}”", WAIT)
        [share] = [url for url in created.urls if "start=c_" in url]
        self.classes.append(Opened(share.rsplit("c_", 1)[1], title, self.day, teacher))
        self.report.updates += 1

    async def _hello(self, parent: FakeUser) -> int:
        parent.send("/start")
        await said(self.telegram, parent, "books kids", WAIT)
        self.report.updates += 1
        return 1

    async def _list_classes(self, parent: FakeUser) -> int:
        parent.send("/classes")
        await said(self.telegram, parent, r"^(1\. |No upcoming classes)", WAIT)
        self.report.updates += 1
        return 1

    async def _list_bookings(self, parent: FakeUser) -> int:
        parent.send("/mybookings")
        await said(self.telegram, parent, r"^(1\. |You have no upcoming bookings)", WAIT)
        self.report.updates += 1
        return 1

    async def _book(self, parent: FakeUser) -> int:
        """Open a class's link, press Book a seat, name a child: "Booked", then the link."""
        bookable = [c for c in self.classes if c.day >= self.day - 1]  # no reminder has come due for these yet
        cls = self.random.choice(bookable)
        children = [child for child in CHILDREN[:3] if (parent.id, child, cls.public_id) not in self.booked]
        if not children:
            return await self._list_bookings(parent)
        child = self.random.choice(children)
        parent.open_deep_link(f"https://t.me/{self.telegram.bot_username}?start=c_{cls.public_id}")
        card = await self.telegram.wait_for_message(parent, _card_of(cls.title), timeout=WAIT)
        parent.press(card, "Book a seat")
        await said(self.telegram, parent, "who is the seat for", WAIT)
        tapped = time.monotonic()
        parent.send(child)
        self.booked.add((parent.id, child, cls.public_id))
        seat = Seat(parent, child, cls, self.day, tapped)
        self.seats.append(seat)
        await said(self.telegram, parent, f"^Booked: {child} ", WAIT)
        await said(self.telegram, parent, re.escape(f"You're booked: {child} in “{cls.title}”"), WAIT)
        self.report.updates += 3
        return 3

    async def _cancel(self, parent: FakeUser) -> int:
        """Cancel one of the parent's bookings whose reminder has not come due, through /mybookings."""
        held = [s for s in self.seats if s.parent == parent and not s.cancelled and s.cls.day >= self.day - 1]
        if not held:
            return await self._list_classes(parent)
        seat = self.random.choice(held)
        parent.send("/mybookings")
        listed = await said(self.telegram, parent, r"^(1\. |You have no upcoming bookings)", WAIT)
        line = f"{seat.child} in “{seat.cls.title}”"
        numbers = [n for n, text in _numbered_lines(listed.text or "") if text.startswith(line)]
        if not numbers:  # more bookings than one answer lists: this one is further down
            self.report.updates += 1
            return 1
        parent.press(listed, f"{numbers[0]}. Cancel this booking")
        question = await said(self.telegram, parent, re.escape(f"Cancel {seat.child}'s seat in “{seat.cls.title}”?"))
        parent.press(question, "Yes, cancel the booking")
        await said(self.telegram, parent, re.escape(f"Cancelled: {line}"), WAIT)
        seat.cancelled = True
        self.report.updates += 3
        return 3

    # --- between days ------------------------------------------------------------------------------------

    async def _settle(self) -> None:
        """Until every update was delivered and the process has no job running or due (a teacher's digest due
        in a few seconds goes after the step)."""
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline:
            busy = (Job.status == "running") | ((Job.status == "pending") & (Job.run_at <= self.now()))
            if not self.telegram.pending_updates and await self._count(busy) == 0:
                return
            await asyncio.sleep(0.05)
        raise TimeoutError("the process still had work due after 300 s")

    async def _read_up(self) -> None:
        """Everyone reads what is left in their chat (reminders, teachers' notices): the test server's waits look
        through a chat's unread messages each time anything changes, and a test that never read them would slow
        itself down as the days pass, not the process it measures."""
        for person in [*self.teachers, *self.parents]:
            with contextlib.suppress(TimeoutError):
                while True:
                    await self.telegram.wait_for_message(person, timeout=0)

    async def _step(self) -> None:
        """SIGUSR1: the process's clock moves a day ahead; done once its log says so."""
        assert self.bot is not None
        self.bot.process.send_signal(signal.SIGUSR1)
        self.ahead += DAY
        said_so = f"clock step {self.day + 1}: now"
        deadline = time.monotonic() + 60
        while said_so not in self._new_log():
            if time.monotonic() > deadline:
                raise TimeoutError(f"the process did not say {said_so!r} within 60 s")
            await asyncio.sleep(0.02)

    def _new_log(self) -> str:
        assert self.bot is not None
        with self.bot.log_path.open("rb") as log:
            log.seek(self.log_offset)
            text = log.read().decode(errors="replace")
        # Only whole lines are taken: a line being written is read again next time.
        whole = text[: text.rfind("\n") + 1]
        self.log_offset += len(whole.encode())
        return whole

    async def _record(self, day: int) -> DayRecord:
        assert self.bot is not None
        status = Path(f"/proc/{self.bot.process.pid}/status").read_text()
        [rss] = [int(line.split()[1]) for line in status.splitlines() if line.startswith("VmRSS:")]
        database = Database.connect(self.database_url)
        try:
            async with database.read() as session:
                jobs = (await session.execute(select(func.count()).select_from(Job))).scalar_one()
                events = (await session.execute(select(func.count()).select_from(ProcessedEvent))).scalar_one()
                oldest_done = (
                    await session.execute(select(func.min(Job.updated_at)).where(Job.status == "done"))
                ).scalar_one()
        finally:
            await database.dispose()
        return DayRecord(day, rss, int(jobs), int(events), self._age_days(oldest_done), self.report.updates)

    def _age_days(self, moment: datetime | None) -> float:
        if moment is None:
            return 0.0
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        return (self.now() - moment) / DAY

    async def _count(self, where: ColumnElement[bool]) -> int:
        """How many jobs match ``where``."""
        database = Database.connect(self.database_url)
        try:
            async with database.read() as session:
                return int((await session.execute(select(func.count()).select_from(Job).where(where))).scalar_one())
        finally:
            await database.dispose()

    # --- the end -----------------------------------------------------------------------------------------

    def _check_messages(self) -> None:
        """From the Telegram test server's records: each booking's parent got its link once, and each booking
        still held when its class's reminder came due got that reminder once; nothing else."""
        report = self.report
        report.bookings = len(self.seats)
        report.cancelled = sum(1 for seat in self.seats if seat.cancelled)
        links: Counter[tuple[int, str, str]] = Counter()
        reminded: Counter[tuple[int, str, str]] = Counter()
        teachers_reminded: Counter[tuple[int, str]] = Counter()
        first_link_at: dict[tuple[int, str, str], float] = {}
        for call in self.telegram.calls:
            if call.method.lower() != "sendmessage" or not call.took_effect:
                continue
            chat, text = int(call.params["chat_id"]), str(call.params.get("text", ""))
            if found := LINK_MESSAGE.search(text):
                key = (chat, found.group(1), found.group(2))
                links[key] += 1
                first_link_at.setdefault(key, call.at)
            elif found := REMINDER.search(text):
                reminded[(chat, found.group(2), found.group(1))] += 1
            elif found := TEACHER_REMINDER.search(text):
                teachers_reminded[(chat, found.group(1))] += 1
        made = {(seat.parent.id, seat.child, seat.cls.title): seat for seat in self.seats}
        report.missing_links = sum(1 for key in made if links[key] == 0)
        report.repeated_links = sum(count - 1 for count in links.values() if count > 1)
        report.stray_links = sum(1 for key in links if key not in made)
        reminders_due = self.plan.days - 1  # classes of day d are reminded at the step after day d + 1
        owed = {key for key, seat in made.items() if not seat.cancelled and seat.cls.day < reminders_due}
        report.reminders = sum(reminded.values())
        report.missing_reminders = sum(1 for key in owed if reminded[key] == 0)
        report.repeated_reminders = sum(count - 1 for count in reminded.values() if count > 1)
        report.stray_reminders = sum(1 for key in reminded if key not in owed)
        report.teacher_reminders = sum(teachers_reminded.values())
        report.missing_teacher_reminders = sum(
            1 for c in self.classes if c.day < reminders_due and teachers_reminded[(c.teacher.id, c.title)] != 1
        )
        for key, seat in made.items():
            if key in first_link_at:  # the link's arrival at Telegram, not when the test's wait woke
                report.tap_to_link.setdefault(seat.day, []).append(first_link_at[key] - seat.tapped)


def _card_of(title: str) -> Callable[[SentMessage], bool]:
    """The class's card, with its Book a seat button (not a link message naming the class)."""

    def matches(message: SentMessage) -> bool:
        return f"“{title}”" in (message.text or "") and "Book a seat" in message.button_texts

    return matches


def _numbered_lines(text: str) -> list[tuple[int, str]]:
    """(number, rest) of each "N. …" line of a numbered answer."""
    return [(int(m.group(1)), m.group(2)) for m in re.finditer(r"^(\d+)\. (.*)$", text, re.MULTILINE)]
