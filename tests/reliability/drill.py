"""The backup and restore drill: parents book through the real process, a backup is taken while they do, the
machine is lost (SIGKILL), and a new process starts on the restored copy. What each party was sent is read from
the test servers' records, never from the bot's tables.

The copy is made by a callable (``python -m bot backup`` for SQLite, ``pg_dump`` then ``psql`` for PostgreSQL),
so both drills run the same story.
"""

from __future__ import annotations

import asyncio
import re
import signal
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from classbot_fakes.telegram import FakeTelegram, FakeUser, SentMessage
from classbot_fakes.zoom import FakeZoom
from cryptography.fernet import Fernet

from tests.reliability.stage import bot_environment, said, teacher_with_zoom
from tests.support.bot_process import BotProcess
from tests.support.ports import free_port

SECRET = "drill-webhook-secret"
PARENTS = 16
BACKUP_AFTER = 8  # bookings answered before the backup starts; the others are in flight or after it
LINK = re.compile(r"You're booked: (\S+) in")
REMINDER = re.compile(r"Reminder: “Soon” for (\S+) starts")

# Copies the database at ``source`` into ``target`` (both SQLAlchemy URLs) while the bot keeps writing.
Copier = Callable[[str, str, dict[str, str]], Awaitable[None]]


@dataclass
class DrillReport:
    told_booked_before_backup: int = 0
    links_before_backup: int = 0
    sent_again_after_restore: int = 0  # links or reminders sent before the backup and again by the restored bot
    missing_links: int = 0  # bookings in the backup whose parent never got a link
    links_after_backup_started: int = 0  # links for bookings in the backup, sent by either process after it began
    reminders: int = 0
    missing_reminders: int = 0
    duplicate_reminders: int = 0
    backup_seconds: float = 0.0
    restore_to_healthy_seconds: float = 0.0
    resumed_line: str = ""
    lost_to_the_restore: int = 0  # bookings answered after the backup started: a restore cannot know of them
    notes: list[str] = field(default_factory=list)

    def table(self) -> str:
        rows = [(name, value) for name, value in self.__dict__.items() if name != "notes"]
        return "\n".join(f"| {name.replace('_', ' ')} | {value} |" for name, value in rows)


def _reminder_class_start(now: datetime) -> datetime:
    """A start whose 15-minute reminder falls 25 to 85 s from now: due after the restore, on the minute as
    /newclass takes it."""
    start = (now + timedelta(minutes=15, seconds=25)).replace(second=0, microsecond=0) + timedelta(minutes=1)
    return start


class Drill:
    def __init__(self, tmp_path: Path, database_url: str, restored_url: str, copy: Copier) -> None:
        self.tmp_path = tmp_path
        self.database_url = database_url
        self.restored_url = restored_url
        self.copy = copy
        self.telegram = FakeTelegram(webhook_attempts=60)
        self.zoom = FakeZoom()
        self.port = free_port()
        self.key = Fernet.generate_key().decode()
        self.report = DrillReport()
        self.booked: dict[tuple[int, str], str] = {}  # (parent chat, child) -> class title, as told
        self.told_at: dict[tuple[int, str], float] = {}

    def _environment(self, database_url: str) -> dict[str, str]:
        return bot_environment(
            self.telegram,
            self.zoom,
            database_url=database_url,
            public_url=f"http://127.0.0.1:{self.port}",
            webhook_secret=SECRET,
            zoom_webhook_secret="drill-zoom-secret",
            encryption_key=self.key,  # the restored process reads what the lost one encrypted
            log_level="INFO",
            HTTP_PORT=str(self.port),
        )

    async def _said(self, user: FakeUser, pattern: str, timeout: float = 60) -> SentMessage:
        return await said(self.telegram, user, pattern, timeout)

    async def run(self) -> DrillReport:
        with self.telegram, self.zoom:
            first_dir, second_dir = self.tmp_path / "lost-machine", self.tmp_path / "restored"
            first_dir.mkdir()
            second_dir.mkdir()
            first = BotProcess(first_dir, self._environment(self.database_url))
            second = BotProcess(second_dir, self._environment(self.restored_url))
            try:
                first.start()
                await asyncio.to_thread(first.wait_healthy, 60)
                teacher, classes = await self._teacher_creates_classes()
                self.zoom.latency = 0.2  # links take a while: some are still queued when the backup is taken
                before = await self._book_and_back_up(first, classes)
                first.process.send_signal(signal.SIGKILL)  # the machine is lost right after its backup
                first.process.wait(10)
                self.zoom.latency = 0.0
                started = time.monotonic()
                second.start()
                await asyncio.to_thread(second.wait_healthy, 60)
                self.report.restore_to_healthy_seconds = round(time.monotonic() - started, 2)
                await self._settle(teacher)
                self._check(before, teacher, second.output())
            finally:
                first.kill()
                second.kill()
        return self.report

    async def _teacher_creates_classes(self) -> tuple[FakeUser, list[tuple[str, str]]]:
        teacher = await teacher_with_zoom(self.telegram, self.zoom, "Teacher", "teacher@example.org", licensed=True)
        later = (datetime.now(UTC) + timedelta(days=3)).strftime("%Y-%m-%d 16:30")
        soon = _reminder_class_start(datetime.now(UTC))
        classes = []
        for title, when in (("Later", later), ("Soon", f"{soon:%Y-%m-%d %H:%M}")):
            teacher.send(f"/newclass {title} | {when} | 45 | {PARENTS}")
            created = await self._said(teacher, f"Created:\n“{title}”")
            [share] = [url for url in created.urls if "start=c_" in url]
            classes.append((share.rsplit("c_", 1)[1], title))
        return teacher, classes

    async def _book(self, parent: FakeUser, public_id: str, title: str, child: str) -> None:
        parent.open_deep_link(f"https://t.me/{self.telegram.bot_username}?start=c_{public_id}")
        card = await self._said(parent, re.escape(f"“{title}”"))
        parent.press(card, card.button_texts[0])
        await self._said(parent, "who is the seat for")
        parent.send(child)
        await self._said(parent, f"Booked: {child} ")
        self.booked[(parent.id, child)] = title
        self.told_at[(parent.id, child)] = time.monotonic()

    async def _book_and_back_up(self, first: BotProcess, classes: list[tuple[str, str]]) -> set[tuple[int, int]]:
        """Books, takes the backup once ``BACKUP_AFTER`` parents were told, and returns the messages sent before
        the backup started (chat, message id)."""
        parents = [self.telegram.add_user(f"Parent{p}") for p in range(PARENTS)]
        answered = asyncio.Semaphore(0)

        async def books(p: int) -> None:
            public_id, title = classes[p % 2]
            await self._book(parents[p], public_id, title, f"Kid{p}")
            answered.release()

        tasks = [asyncio.create_task(books(p)) for p in range(PARENTS)]
        for _ in range(BACKUP_AFTER):
            await answered.acquire()
        await self.telegram.wait_for_message(  # and some links are out: the copy must not send them again
            parents[0], lambda m: bool(LINK.search(m.text or "")), timeout=60
        )
        backup_started = time.monotonic()
        before = {(m.chat_id, m.message_id) for m in self.telegram.all_messages()}
        await self.copy(self.database_url, self.restored_url, first.environment)
        self.report.backup_seconds = round(time.monotonic() - backup_started, 2)
        for task in tasks:
            task.cancel()  # parents still waiting are on the lost machine
        await asyncio.gather(*tasks, return_exceptions=True)
        self.report.told_booked_before_backup = sum(1 for at in self.told_at.values() if at < backup_started)
        self.report.lost_to_the_restore = len(self.told_at) - self.report.told_booked_before_backup
        self._backup_started = backup_started
        return before

    async def _settle(self, teacher: FakeUser) -> None:
        """Until every link owed is out and the reminder went (it falls due within 85 s of the drill's start)."""
        owed = {key for key, at in self.told_at.items() if at < self._backup_started}
        deadline = time.monotonic() + 150
        while time.monotonic() < deadline:
            messages = self.telegram.all_messages()
            linked = {(m.chat_id, found.group(1)) for m in messages if (found := LINK.search(m.text or ""))}
            reminded = any("Reminder: your class “Soon”" in (m.text or "") for m in messages)
            if owed <= linked and reminded:
                break
            await asyncio.sleep(0.2)
        await asyncio.sleep(0)  # the last check reads the records as they are now
        del teacher

    def _check(self, before: set[tuple[int, int]], teacher: FakeUser, restored_log: str) -> None:
        report = self.report
        messages = self.telegram.all_messages()
        links: Counter[tuple[int, str]] = Counter()
        links_before: Counter[tuple[int, str]] = Counter()
        reminders: Counter[tuple[int, str]] = Counter()
        reminded_before: set[tuple[int, str]] = set()
        for message in messages:
            text = message.text or ""
            sent_before = (message.chat_id, message.message_id) in before
            if found := LINK.search(text):
                links[(message.chat_id, found.group(1))] += 1
                if sent_before:
                    links_before[(message.chat_id, found.group(1))] += 1
            elif (found := REMINDER.search(text)) or (
                "Reminder: your class “Soon”" in text and message.chat_id == teacher.id
            ):
                who = (message.chat_id, found.group(1) if found else "(teacher)")
                reminders[who] += 1
                if sent_before:
                    reminded_before.add(who)
        report.links_before_backup = sum(links_before.values())
        report.sent_again_after_restore = sum(links[key] - 1 for key in links_before if links[key] > 1) + sum(
            reminders[key] - 1 for key in reminded_before if reminders[key] > 1
        )
        in_backup = {key for key, at in self.told_at.items() if at < self._backup_started}
        report.missing_links = sum(1 for key in in_backup if not links[key])
        report.links_after_backup_started = sum(1 for key in in_backup if links[key] and not links_before[key])
        soon_children = {key for key in in_backup if self.booked[key] == "Soon"}
        report.reminders = sum(reminders.values())
        report.missing_reminders = sum(1 for key in soon_children if not reminders[key]) + (
            0 if reminders[(teacher.id, "(teacher)")] else 1
        )
        report.duplicate_reminders = sum(count - 1 for count in reminders.values() if count > 1)
        resumed = [line for line in restored_log.splitlines() if "resuming queued work" in line]
        report.resumed_line = resumed[0].split(": ", 1)[1] if resumed else ""
