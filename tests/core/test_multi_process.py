"""Several processes on one PostgreSQL database, and a process killed mid-way: still exact, still one meeting."""

from __future__ import annotations

import subprocess
import sys
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from pathlib import Path

import asyncpg
import pytest
from classbot_fakes.zoom import FakeZoom
from sqlalchemy.engine import make_url

from tests.support.bot_process import BotProcess
from tests.support.clock import MovableClock
from tests.support.core_world import TEACHER, core_world, parent
from tests.support.processes import process_environment
from tests.support.waiting import wait_until

pytestmark = pytest.mark.slow


async def test_two_processes_racing_for_10_seats_book_10_with_one_meeting(
    postgres_url: str, fake_zoom: FakeZoom, tmp_path: Path
) -> None:
    async with core_world(postgres_url, fake_zoom, tmp_path, licensed=True) as world:
        cls = await world.new_class(seats=10)
        environment = process_environment(world.components.settings, fake_zoom)
        go = tmp_path / "go"
        workers = [
            subprocess.Popen(
                [sys.executable, "-m", "tests.support.booking_burst", str(go), cls.public_id, str(first), "100"],
                env=environment,
                cwd=tmp_path,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
            )
            for first in (0, 100)
        ]
        go.touch()
        results = [worker.communicate(timeout=600) for worker in workers]  # generous: a starved machine is slow
        view = await world.components.classes.view(TEACHER, cls.public_id)

    lines = []
    for worker, (out, err) in zip(workers, results, strict=True):
        assert worker.returncode == 0, err.decode()[-3000:]
        lines += out.decode().split("\n")
    kinds = Counter(line.split()[0] for line in lines if line)
    assert kinds["booked"] == kinds["link"] == 10
    assert kinds["waitlisted"] == 190
    assert sum(int(line.split()[1]) for line in lines if line.startswith("told")) == 10  # each told once
    booked = {line.split()[1] for line in lines if line.startswith("booked")}
    linked = {line.split()[1] for line in lines if line.startswith("link")}
    assert booked == linked
    assert view.seats_left == 0
    assert len(fake_zoom.meetings) == 1


@asynccontextmanager
async def _holding_class_row(database_url: str, class_id: int) -> AsyncIterator[None]:
    """Keep other writers off the class row (SQLite: the whole database) until the block ends."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        import sqlite3

        connection = sqlite3.connect(url.database or "", isolation_level=None, timeout=30)
        connection.execute("BEGIN IMMEDIATE")
        try:
            yield
        finally:
            connection.execute("ROLLBACK")
            connection.close()
    else:
        connection = await asyncpg.connect(url.set(drivername="postgresql").render_as_string(hide_password=False))
        transaction = connection.transaction()
        await transaction.start()
        await connection.execute("SELECT id FROM classes WHERE id = $1 FOR UPDATE", class_id)
        try:
            yield
        finally:
            await transaction.rollback()
            await connection.close()


async def test_a_process_killed_between_zoom_create_and_commit_leaves_one_meeting(
    database_url: str, fake_zoom: FakeZoom, tmp_path: Path
) -> None:
    clock = MovableClock()
    async with core_world(database_url, fake_zoom, tmp_path, clock=clock) as world:
        cls = await world.new_class()
        await world.components.bookings.book(parent(1), cls.public_id, ["Ada"], "t1")  # its link job waits
        class_id = (await world.class_row(cls.public_id)).id
        fake_zoom.latency = 1.0  # time for this test to step in between Zoom's answer and the bot's commit
        bot = BotProcess(tmp_path, process_environment(world.components.settings, fake_zoom))
        bot.start()
        try:

            async def creation_claimed() -> bool:
                return (await world.class_row(cls.public_id)).meeting_claimed_until is not None

            await wait_until(creation_claimed, timeout=120, what="the bot to claim the meeting's creation")
            async with _holding_class_row(database_url, class_id):

                async def created_at_zoom() -> bool:
                    return len(fake_zoom.meetings) == 1

                await wait_until(created_at_zoom, timeout=120, what="Zoom to create the meeting")
                bot.kill()  # SIGKILL: Zoom has the meeting, our database does not
        finally:
            bot.kill()
        assert (await world.class_row(cls.public_id)).meeting_id is None
        fake_zoom.latency = 0.0

        clock.advance(timedelta(minutes=3))  # the dead process's job lease and creation claim run out
        await world.run_jobs()
        stored = (await world.class_row(cls.public_id)).meeting_id

    [meeting_id] = fake_zoom.meetings
    assert stored == str(meeting_id)
    assert fake_zoom.count("POST", r"/users/me/meetings$") == 1
    [link] = world.links_to(parent(1))
    assert f"/j/{meeting_id}" in link
