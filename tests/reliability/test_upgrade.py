"""Upgrade with work queued: a database recorded by v0.1.0 (tests/reliability/fixtures/README.md), migrated and
served by this code. The links v0.1.0 could not send go out once, to the right parents; the ones it sent are not
sent again; the digests and the reminder go out; the parent halfway through a booking finishes it."""

from __future__ import annotations

import asyncio
import json
import re
import shutil
import subprocess
import sys
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from classbot_fakes.telegram import FakeTelegram
from classbot_fakes.zoom import FakeZoom
from sqlalchemy import DateTime, create_engine, select, update

from bot.storage.models import Base, Job
from tests.support.bot_process import REPOSITORY, BotProcess

pytestmark = pytest.mark.slow

FIXTURES = Path(__file__).parent / "fixtures"
LINK = re.compile(r"You're booked: (\S+) in")


def _move_forward(database: Path, reminder_due_in: timedelta) -> None:
    """Move every time in the database by one amount, so the earliest waiting reminder falls due in
    ``reminder_due_in``: the recording's queue, as if v0.1.0 had been stopped a moment ago."""
    engine = create_engine(f"sqlite:///{database}")
    with engine.begin() as connection:
        due = (Job.kind == "reminder") & (Job.status == "pending")
        first = connection.execute(select(Job.run_at).where(due).order_by(Job.run_at).limit(1)).scalar_one()
        shift = timedelta(seconds=round((datetime.now(UTC) + reminder_due_in - first).total_seconds()))  # whole
        # seconds: a reminder's payload names its session's start in seconds, and must still match it
        for table in Base.metadata.sorted_tables:
            times = [column for column in table.columns if isinstance(column.type.__dict__.get("impl"), DateTime)]
            times += [column for column in table.columns if isinstance(column.type, DateTime)]
            if not times:
                continue
            keys = list(table.primary_key.columns)
            for row in connection.execute(select(*keys, *times)).all():
                values = {c.name: row[len(keys) + i] + shift for i, c in enumerate(times) if row[len(keys) + i]}
                if values:
                    where = [key == row[i] for i, key in enumerate(keys)]
                    connection.execute(update(table).where(*where).values(**values))
        seconds = int(shift.total_seconds())
        for job_id, payload in connection.execute(select(Job.id, Job.payload).where(Job.kind == "reminder")).all():
            moved = {**payload, "starts_at": int(payload["starts_at"]) + seconds}
            connection.execute(update(Job).where(Job.id == job_id).values(payload=moved))
    engine.dispose()


async def test_a_database_left_by_v0_1_0_with_work_queued_is_migrated_and_every_job_completes(tmp_path: Path) -> None:
    recorded = json.loads((FIXTURES / "v0_1_0.json").read_text())
    database = tmp_path / "classbot.db"
    shutil.copyfile(FIXTURES / "v0_1_0.sqlite", database)
    url = f"sqlite+aiosqlite:///{database}"
    with FakeTelegram(webhook_attempts=60) as telegram, FakeZoom() as zoom:
        users = {name: telegram.carry_over_user(name) for name in recorded["telegram_users"]}  # the recorded ids
        telegram.continue_update_ids(recorded["telegram_next_update_id"])
        carried = recorded["zoom_user"]
        zoom.carry_over_user(carried["id"], carried["email"], carried["refresh_token"])
        environment = {
            "DATABASE_URL": url,
            "ENCRYPTION_KEY": recorded["encryption_key"],
            "TELEGRAM_BOT_TOKEN": telegram.token,
            "TELEGRAM_BASE_URL": telegram.base_url,
            "TELEGRAM_WEBHOOK": "1",
            "TELEGRAM_WEBHOOK_SECRET": "upgrade-secret",
            "ZOOM_CLIENT_ID": zoom.client_id,
            "ZOOM_CLIENT_SECRET": zoom.client_secret,
            "ZOOM_OAUTH_URL": zoom.oauth_url,
            "ZOOM_API_URL": zoom.api_url,
            "ZOOM_WEBHOOK_SECRET_TOKEN": "upgrade-zoom-secret",
            "LOG_LEVEL": "INFO",
        }
        bot = BotProcess(tmp_path, environment)
        bot.environment["PUBLIC_URL"] = bot.url
        started = time.monotonic()
        migrated = subprocess.run(
            [sys.executable, "-m", "bot", "migrate"], cwd=REPOSITORY, env=bot.environment, capture_output=True
        )
        assert migrated.returncode == 0, migrated.stderr.decode(errors="replace")
        migrate_seconds = time.monotonic() - started
        _move_forward(database, timedelta(seconds=15))
        bot.start()
        try:
            await asyncio.to_thread(bot.wait_healthy, 60)
            parents = {name: user for name, user in users.items() if name.startswith("Parent")}
            for child in recorded["links_pending"]:
                parent = parents[f"Parent{child.removeprefix('Kid')}"]
                await telegram.wait_for_message(
                    parent, lambda m, c=child: f"You're booked: {c} in" in (m.text or ""), timeout=60
                )
            halfway = parents[recorded["halfway"]]
            halfway.send("Kid4")
            await telegram.wait_for_message(halfway, lambda m: "Booked: Kid4 " in (m.text or ""), timeout=30)
            await telegram.wait_for_message(halfway, lambda m: "You're booked: Kid4 in" in (m.text or ""), timeout=60)
            teacher = users["Teacher"]
            await telegram.wait_for_message(
                teacher, lambda m: "Reminder: your class “Soon”" in (m.text or ""), timeout=60
            )
            await telegram.wait_for_message(
                parents["Parent3"], lambda m: "Reminder: “Soon” for Kid3" in (m.text or ""), timeout=30
            )
            await telegram.wait_for_message(
                parents["Parent1"], lambda m: "Reminder: “Soon” for Kid1" in (m.text or ""), timeout=30
            )
            digest = await telegram.wait_for_message(teacher, lambda m: "Kid2" in (m.text or ""), timeout=30)
        finally:
            bot.stop()
        links: Counter[tuple[int, str]] = Counter()
        for message in telegram.all_messages():
            if found := LINK.search(message.text or ""):
                links[(message.chat_id, found.group(1))] += 1
        # Kid2 and Kid3's links were queued by v0.1.0, Kid4 booked after the upgrade: each once. Kid0 and Kid1 had
        # theirs from v0.1.0: not again. (The test's Zoom does not keep v0.1.0's meetings, so the bot replaces them
        # and tells the parents of the new meeting in a message of its own, which this does not count.)
        expected = {(parents[f"Parent{k}"].id, f"Kid{k}") for k in (2, 3, 4)}
        assert set(links) == expected
        assert all(count == 1 for count in links.values())
        resumed = [line for line in bot.output().splitlines() if "resuming queued work" in line]
        print(f"\nmigrate 0007 -> head: {migrate_seconds:.2f} s; links after the upgrade: {dict(links)}")
        print(f"teacher's digest: {digest.text}\n{resumed[0] if resumed else 'no resuming line'}")
        assert resumed
        assert "link.send 2" in resumed[0]
        assert "reminder 3" in resumed[0]
