"""``python -m bot status``, as an operator runs it before an upgrade: the queue by kind, and whether a link job is
still to run (exit status 1 while one is, 0 once none is), on SQLite and PostgreSQL."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.app import build_components
from bot.config import Settings, load_settings
from bot.core import job_kinds
from bot.storage.jobs import enqueue
from tests.support.bot_process import REPOSITORY


def _status(settings: Settings, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    environment = {
        **{key: value for key, value in os.environ.items() if not key.startswith(("DATABASE_", "DATA_"))},
        "DATABASE_URL": settings.database_url,
        "DATA_DIR": str(tmp_path / "data"),
        "PYTHONPATH": str(REPOSITORY),
    }
    return subprocess.run(
        [sys.executable, "-m", "bot", "status"],
        cwd=tmp_path,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def _row(output: str, kind: str) -> list[str]:
    [line] = [line for line in output.splitlines() if line.split()[:1] == [kind]]
    return line.split()[1:]


async def test_status_shows_the_queue_by_kind_and_whether_a_link_job_is_left(
    settings: Settings, tmp_path: Path
) -> None:
    now = datetime.now(UTC)
    async with build_components(settings, start_worker=False) as components:
        async with components.database.write() as session:
            await job_kinds.send_link(session, "B0000000001", "booked", now)
            await enqueue(session, job_kinds.MEETING_UPDATE, {"class_id": 1}, run_at=now)
            await enqueue(session, job_kinds.REMINDER, {"session_id": 1}, run_at=now + timedelta(days=1))

        waiting = _status(settings, tmp_path)
        assert waiting.returncode == 1, waiting.stderr
        assert "Jobs not done, by kind:" in waiting.stdout
        assert _row(waiting.stdout, "link.send") == ["1", "0", "0", "0"]  # due now, later, running, given up
        assert _row(waiting.stdout, "meeting.update") == ["1", "0", "0", "0"]
        assert _row(waiting.stdout, "reminder") == ["0", "1", "0", "0"]
        assert "1 link job is not done (link.send)" in waiting.stdout

        claimed = {job.kind: job.id for job in await components.jobs.claim(10, timedelta(minutes=1), now)}
        running = _status(settings, tmp_path)
        assert running.returncode == 1
        assert _row(running.stdout, "link.send") == ["0", "0", "1", "0"]

        await components.jobs.complete(claimed[job_kinds.SEND_LINK], now)
        await components.jobs.bury(claimed[job_kinds.MEETING_UPDATE], "Zoom refused", now)
        done = _status(settings, tmp_path)
        assert done.returncode == 0, done.stdout
        assert not [line for line in done.stdout.splitlines() if line.split()[:1] == ["link.send"]]  # done: gone
        assert _row(done.stdout, "meeting.update") == ["0", "0", "0", "1"]
        assert "No link job is waiting or running (link.send): safe to stop" in done.stdout
        assert "1 job was given up on" in done.stdout


def test_status_on_a_database_never_migrated_says_what_to_do(tmp_path: Path) -> None:
    settings = load_settings(database_url=f"sqlite+aiosqlite:///{tmp_path / 'empty.db'}", data_dir=tmp_path / "data")
    result = _status(settings, tmp_path)
    assert result.returncode == 2
    assert "Could not read the job queue" in result.stderr
    assert "python -m bot migrate" in result.stderr
