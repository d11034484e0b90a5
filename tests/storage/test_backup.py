"""``python -m bot backup``: a consistent copy of the SQLite database, taken while the bot writes."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

from classbot_fakes.zoom import FakeZoom

from tests.support.core_world import core_world, parent


async def test_a_backup_taken_while_the_bot_runs_holds_its_bookings(
    sqlite_url: str, fake_zoom: FakeZoom, tmp_path: Path
) -> None:
    async with core_world(sqlite_url, fake_zoom, tmp_path) as world:
        cls = await world.new_class()
        await world.components.bookings.book(parent(1), cls.public_id, ["Ada"], "t1")
        finished = subprocess.run(
            [sys.executable, "-m", "bot", "backup", str(tmp_path / "copies")],
            env={"DATABASE_URL": sqlite_url, "PATH": "/usr/bin:/bin"},
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
            cwd=Path(__file__).resolve().parents[2],
        )
    assert finished.returncode == 0, finished.stderr
    copy = sqlite3.connect(tmp_path / "copies" / "classbot.db")
    assert copy.execute("SELECT child_name, status FROM bookings").fetchall() == [("Ada", "confirmed")]
    assert copy.execute("PRAGMA integrity_check").fetchone() == ("ok",)


def test_backup_refuses_postgresql_with_what_to_use_instead(tmp_path: Path) -> None:
    finished = subprocess.run(
        [sys.executable, "-m", "bot", "backup"],
        env={"DATABASE_URL": "postgresql+asyncpg://u@127.0.0.1/db", "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        cwd=Path(__file__).resolve().parents[2],
    )
    assert finished.returncode == 2
    assert "pg_dump" in finished.stderr
