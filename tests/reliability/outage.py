"""A database outage in the middle of a booking rush: the soak's parents and teacher (``Soak``), without Zoom's and
Telegram's faults, while the database goes away for a while and comes back, and the processes keep running.

What goes away is given by an ``Outage``: PostgreSQL behind a proxy that is taken down (``ProxiedPostgres``), or
a SQLite file that another connection holds locked (``LockedSqlite``). Meanwhile every process's /healthz is
asked, twice a second; afterwards the test servers' records say whether anything was lost or doubled.
"""

from __future__ import annotations

import asyncio
import sqlite3
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

import httpx
from classbot_fakes.telegram import FakeUser
from sqlalchemy.engine import make_url

from tests.reliability.database_proxy import DatabaseProxy
from tests.reliability.soak import Progress, Soak, SoakPlan, SoakReport


class Outage(Protocol):
    url: str  # what the processes' DATABASE_URL names

    def begin(self) -> None: ...

    def end(self) -> None: ...


class ProxiedPostgres:
    """PostgreSQL reached through a ``DatabaseProxy``: down refuses and cuts connections, the server untouched."""

    def __init__(self, database_url: str) -> None:
        self.proxy = DatabaseProxy(database_url)
        self.proxy.start()
        self.url = self.proxy.url

    def begin(self) -> None:
        self.proxy.take_down()

    def end(self) -> None:
        self.proxy.bring_back()


class LockedSqlite:
    """A SQLite file another connection (in a thread of the test) holds with ``BEGIN EXCLUSIVE`` until ``end``."""

    def __init__(self, database_url: str) -> None:
        self.url = database_url
        self._path = str(make_url(database_url).database)
        self._release = threading.Event()
        self._held = threading.Event()
        self._holder: threading.Thread | None = None

    def begin(self) -> None:
        self._holder = threading.Thread(target=self._hold, name="sqlite-lock", daemon=True)
        self._holder.start()
        assert self._held.wait(30), "the test could not lock the SQLite file"

    def end(self) -> None:
        self._release.set()
        assert self._holder is not None
        self._holder.join(10)

    def _hold(self) -> None:
        connection = sqlite3.connect(self._path, timeout=30, isolation_level=None)
        try:
            connection.execute("BEGIN EXCLUSIVE")
            self._held.set()
            self._release.wait()
            connection.execute("COMMIT")
        finally:
            connection.close()


@dataclass
class OutageReport:
    soak: SoakReport
    outage_seconds: float = 0.0
    health_during: Counter[int] = field(default_factory=Counter)  # /healthz statuses while it was down
    health_after: list[int] = field(default_factory=list)  # each process's /healthz once it was back
    webhook_answers: Counter[int] = field(default_factory=Counter)  # ClassBot's answers to Telegram, by status
    dropped_updates: int = 0  # updates Telegram gave up on
    booked_replies: Counter[str] = field(default_factory=Counter)  # "Booked: <child>" messages, by child
    restarted: int = 0  # processes that are not the ones started (died, or another PID)
    recovery_seconds: float = 0.0  # from the end of the outage to the last link of the rush


class DatabaseOutageRun(Soak):
    def __init__(self, tmp_path: Path, outage: Outage, plan: SoakPlan, *, seconds: float) -> None:
        super().__init__(tmp_path, outage.url, plan)
        self.outage = outage
        self.seconds = seconds
        self.outcome = OutageReport(self.report)
        self._ended_at = 0.0
        self._last_link_at = 0.0

    async def run_outage(self) -> OutageReport:
        with self.telegram, self.zoom:
            self._start_processes()
            pids = [bot.process.pid for bot in self.bots]
            try:
                classes = await self._teachers_create_classes()
                await self._parents_book(classes)
                self.outcome.recovery_seconds = max(0.0, self._last_link_at - self._ended_at)
                self.report.confirmed_to_parents = sum(1 for outcome in self.answered.values() if outcome == "booked")
                await self._check_seat_counts(classes)
                self._check_links(classes, {})
                async with httpx.AsyncClient(timeout=5) as client:
                    for bot in self.bots:
                        self.outcome.health_after.append((await client.get(f"{bot.url}/healthz")).status_code)
                self.outcome.restarted = sum(
                    1
                    for bot, pid in zip(self.bots, pids, strict=True)
                    if bot.process.poll() is not None or bot.process.pid != pid
                )
                self.outcome.dropped_updates = len(self.telegram.dropped_webhook_updates)
                assert self.proxy is not None
                self.outcome.webhook_answers = Counter(self.proxy.statuses)
                for message in self.telegram.all_messages():
                    text = message.text or ""
                    if text.startswith("Booked: "):
                        self.outcome.booked_replies[text.split()[1]] += 1
            finally:
                for bot in self.bots:
                    bot.kill()
                if self.proxy is not None:
                    self.proxy.stop()
        return self.outcome

    def _faults(self, *, on: bool) -> None:
        """No Zoom or Telegram faults here: the database is the one thing that fails."""

    async def _book(self, parent: FakeUser, cls: tuple[str, str, FakeUser], child: str) -> None:
        await super()._book(parent, cls, child)
        self._last_link_at = max(self._last_link_at, time.monotonic())

    async def _kill_now_and_then(self, progress: Progress) -> None:
        """A third of the way into the rush, the database goes away for ``seconds``; /healthz is asked meanwhile."""
        await progress.reached(self.report.bookings // 3)
        self.outage.begin()
        started = time.monotonic()
        async with httpx.AsyncClient(timeout=3) as client:
            while time.monotonic() - started < self.seconds:
                for bot in self.bots:
                    try:
                        self.outcome.health_during[(await client.get(f"{bot.url}/healthz")).status_code] += 1
                    except httpx.TransportError:
                        self.outcome.health_during[0] += 1
                await asyncio.sleep(0.5)
        self.outage.end()
        self._ended_at = time.monotonic()
        self.outcome.outage_seconds = self._ended_at - started
