"""A booking survives the process dying at each point of its path: one booking, one Zoom registrant, one link.

The real process (``python -m bot run``, Telegram webhook mode, a licensed teacher connected to the Zoom test
server) is armed with ``CLASSBOT_CRASH_AT`` and SIGKILLs itself the first time a parent's booking reaches that
point; it is restarted without the setting and the test waits until its queue has nothing left to do. Then the
test servers' records, not ClassBot's, must show one Zoom registrant for the child and one link message for the
parent (the link Zoom gave for that child), the teacher's notice once, and the database one booking.

The one exception is a crash after Telegram took the link and before ClassBot noted it: Telegram offers no
idempotency key, so the restarted process cannot know the message went, and sends it again (delivery is at least
once, README "Reliability"). That point must give exactly two identical copies, never more, never a different link.
"""

from __future__ import annotations

import asyncio
import re
import signal
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from classbot_fakes.telegram import FakeTelegram, FakeUser, SentMessage
from classbot_fakes.zoom import FakeZoom
from sqlalchemy import func, select

from bot.storage.database import Database
from bot.storage.models import Booking, Job
from bot.support.crash_points import BOOKING_PATH, CrashPoint
from tests.reliability.stage import bot_environment, said, teacher_with_zoom
from tests.support.bot_process import BotProcess
from tests.support.ports import free_port

pytestmark = pytest.mark.slow

SECRET = "crash-webhook-secret"
TITLE = "Chess"
CHILD = "Mia"
LINK_MESSAGE = f"You're booked: {CHILD} in “{TITLE}”"
TEACHER_NOTICE = f"New booking: {CHILD} for “{TITLE}”"
# A job abandoned by the killed process is claimed again once its lease ends (``JOB_LEASE_SECONDS``).
LEASE_SECONDS = 5
SETTLE_SECONDS = 120
# The registrant calls Zoom receives for the child: two only when the process died between Zoom's answer and
# ClassBot's record of it, and then Zoom answers the second with the same registrant (same email, same link).
REGISTRANT_CALLS = {point: 2 if point is CrashPoint.AFTER_REGISTRANT else 1 for point in BOOKING_PATH}
# The parent's answer, word for word, however many times the booking's update is delivered.
BOOKED = f"Booked: {CHILD} in “{TITLE}”. Your Zoom link follows here."


class CrashRun:
    """One teacher, one class, one parent booking one child through the real process armed at ``point``."""

    def __init__(self, tmp_path: Path, database_url: str, point: CrashPoint) -> None:
        self.point = point
        self.tmp_path = tmp_path
        self.database_url = database_url
        self.telegram = FakeTelegram(webhook_attempts=60)
        self.zoom = FakeZoom()
        self.parent: FakeUser | None = None
        self.teacher: FakeUser | None = None
        self.settled_in = 0.0  # seconds from the restart until the queue had nothing left to do

    def _process(self) -> BotProcess:
        """The process, armed at the point (the test servers are running: their addresses are known)."""
        port = free_port()
        environment = bot_environment(
            self.telegram,
            self.zoom,
            database_url=self.database_url,
            public_url=f"http://127.0.0.1:{port}",
            webhook_secret=SECRET,
            zoom_webhook_secret="crash-zoom-secret",
            HTTP_PORT=str(port),
            CLASSBOT_CRASH_AT=self.point.value,
            # The killed process's jobs are taken over once their lease ends: a short one keeps the test short.
            JOB_LEASE_SECONDS=str(LEASE_SECONDS),
        )
        return BotProcess(self.tmp_path, environment)

    async def said(self, user: FakeUser, pattern: str, timeout: float = 60) -> SentMessage:
        return await said(self.telegram, user, pattern, timeout)

    async def run(self) -> None:
        self.bot = self._process()
        self.bot.start()
        try:
            await asyncio.to_thread(self.bot.wait_healthy, 60)
            class_id = await self._teacher_creates_a_class()
            await self._parent_books(class_id)
            await self._dies_at_the_point()
            del self.bot.environment["CLASSBOT_CRASH_AT"]  # the restarted process runs as in production
            restarted = time.monotonic()
            self.bot.start()
            await asyncio.to_thread(self.bot.wait_healthy, 60)
            assert self.parent is not None
            assert self.teacher is not None
            # Told once its update is delivered again, if the process died before telling.
            await self.said(self.parent, re.escape(BOOKED), timeout=SETTLE_SECONDS)
            await self.said(self.parent, re.escape(LINK_MESSAGE), timeout=SETTLE_SECONDS)
            await self.said(self.teacher, re.escape(TEACHER_NOTICE), timeout=SETTLE_SECONDS)
            await self._settle()
            self.settled_in = time.monotonic() - restarted
        finally:
            self.bot.kill()

    async def _teacher_creates_a_class(self) -> str:
        teacher = await teacher_with_zoom(self.telegram, self.zoom, "Teacher", "teacher@example.org", licensed=True)
        self.teacher = teacher
        when = (datetime.now(UTC) + timedelta(days=3)).strftime("%Y-%m-%d 16:30")
        teacher.send(f"/newclass {TITLE} | {when} | 45 | 5")
        created = await self.said(teacher, f"Created:\n“{TITLE}”")
        [share] = [url for url in created.urls if "start=c_" in url]
        return share.rsplit("c_", 1)[1]

    async def _parent_books(self, class_id: str) -> None:
        parent = self.parent = self.telegram.add_user("Parent")
        parent.open_deep_link(f"https://t.me/{self.telegram.bot_username}?start=c_{class_id}")
        card = await self.said(parent, re.escape(f"“{TITLE}”"))
        parent.press(card, card.button_texts[0])
        await self.said(parent, "who is the seat for")
        parent.send(CHILD)

    async def _dies_at_the_point(self) -> None:
        status = await asyncio.to_thread(self.bot.process.wait, 90)
        assert status == -signal.SIGKILL, self.bot.output()
        assert f"crash point {self.point.value} reached" in self.bot.output()

    async def _settle(self) -> None:
        """Until no job is running or due within the next seconds (the digest's window, the link's hold)."""
        database = Database.connect(self.database_url)
        try:
            deadline = time.monotonic() + SETTLE_SECONDS
            while time.monotonic() < deadline:
                soon = datetime.now(UTC) + timedelta(seconds=15)
                async with database.read() as session:
                    busy = (Job.status == "running") | ((Job.status == "pending") & (Job.run_at <= soon))
                    if (await session.execute(select(func.count()).where(busy))).scalar_one() == 0:
                        return
                await asyncio.sleep(0.2)
            raise AssertionError(f"jobs still running or due after {SETTLE_SECONDS}s")
        finally:
            await database.dispose()

    async def bookings(self) -> list[tuple[str, str]]:
        database = Database.connect(self.database_url)
        try:
            async with database.read() as session:
                rows = (await session.execute(select(Booking.child_name, Booking.status))).all()
        finally:
            await database.dispose()
        return [(str(child), str(status)) for child, status in rows]


async def _crash_and_check(tmp_path: Path, database_url: str, point: CrashPoint) -> None:
    run = CrashRun(tmp_path, database_url, point)
    with run.telegram, run.zoom:
        await run.run()
        assert run.parent is not None
        assert run.teacher is not None
        assert await run.bookings() == [(CHILD, "confirmed")]
        [meeting] = [m for m in run.zoom.meetings.values() if m.topic == TITLE]
        registrants = [r for r in run.zoom.registrants(meeting.id) if r.status == "approved"]
        assert [r.first_name for r in registrants] == [CHILD]
        links = [m for m in run.telegram.messages(run.parent) if LINK_MESSAGE in (m.text or "")]
        copies = 2 if point is CrashPoint.AFTER_LINK_SENT else 1  # see the module docstring
        assert len(links) == copies, [m.text for m in links]
        assert all(registrants[0].join_url in m.urls for m in links)
        assert len({m.text for m in links}) == 1
        notices = [m for m in run.telegram.messages(run.teacher) if TEACHER_NOTICE in (m.text or "")]
        assert len(notices) == 1
        calls = [c for c in run.zoom.calls if c.method == "POST" and c.path.endswith("/registrants")]
        assert len(calls) == REGISTRANT_CALLS[point]  # the process died where the point says, not before or after
        told = [m for m in run.telegram.messages(run.parent) if f"Booked: {CHILD}" in (m.text or "")]
        # A redelivered update (the process died before Telegram had its answer) answers as its first delivery.
        assert told, "the parent was never told"
        assert {m.text for m in told} == {BOOKED}, [m.text for m in told]
        # The figures the README's table quotes.
        print(
            f"\n| {point.value} | bookings 1 | registrants 1 ({len(calls)} calls) | link messages {len(links)} "
            f"| teacher notices 1 | 'Booked' {len(told)} | settled {run.settled_in:.1f} s after the restart |"
        )


@pytest.mark.parametrize("point", BOOKING_PATH, ids=[point.value for point in BOOKING_PATH])
async def test_a_booking_survives_a_crash_at_each_point(tmp_path: Path, sqlite_url: str, point: CrashPoint) -> None:
    await _crash_and_check(tmp_path, sqlite_url, point)


async def test_a_crash_after_zoom_made_the_registrant_on_postgres(tmp_path: Path, postgres_url: str) -> None:
    await _crash_and_check(tmp_path, postgres_url, CrashPoint.AFTER_REGISTRANT)


async def test_a_cancel_redelivered_after_a_crash_answers_as_its_first_delivery(
    tmp_path: Path, sqlite_url: str
) -> None:
    """The process dies after the teacher's "Yes, cancel the class" is committed and before the teacher is
    answered; Telegram delivers the tap again to the restarted process, which answers "is cancelled", as the first
    delivery would have, never "was already cancelled" (which tells of a tap that came after the cancel)."""
    run = CrashRun(tmp_path, sqlite_url, CrashPoint.CLASS_CANCELLED)
    with run.telegram, run.zoom:
        run.bot = run._process()
        run.bot.start()
        try:
            await asyncio.to_thread(run.bot.wait_healthy, 60)
            await run._teacher_creates_a_class()
            teacher = run.teacher
            assert teacher is not None
            teacher.send("/myclasses")
            card = await run.telegram.wait_for_message(teacher, lambda m: "Cancel the class" in m.button_texts)
            teacher.press(card, "Cancel the class")
            question = await run.telegram.wait_for_message(teacher, lambda m: "Yes, cancel the class" in m.button_texts)
            teacher.press(question, "Yes, cancel the class")
            await run._dies_at_the_point()
            del run.bot.environment["CLASSBOT_CRASH_AT"]
            run.bot.start()
            await asyncio.to_thread(run.bot.wait_healthy, 60)
            await run.said(teacher, re.escape(f"“{TITLE}” is cancelled; the parents were told."), timeout=60)
            await run._settle()
        finally:
            run.bot.kill()
        said = [m.text or "" for m in run.telegram.messages(teacher)]
        assert not [text for text in said if "already cancelled" in text], said
        assert sum(f"“{TITLE}” is cancelled" in text for text in said) == 1, said
