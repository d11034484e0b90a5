"""The backup and restore drill (docs/production.md, Backups): a copy taken while parents book, the machine lost,
a new process on the restored copy. It resumes the links and reminders the copy still owed, sends nothing again
that went out before the copy was taken, and says in its log what it resumed."""

from __future__ import annotations

import asyncio
import shutil
import sys
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from tests.reliability.drill import Drill, DrillReport
from tests.support.bot_process import REPOSITORY
from tests.support.databases import fresh_postgres_database

pytestmark = pytest.mark.slow


def _assert_resumed(report: DrillReport) -> None:
    print("\n" + report.table())  # the figures the README's reliability table quotes
    assert report.told_booked_before_backup >= 8
    assert report.missing_links == 0
    assert report.sent_again_after_restore == 0
    assert report.missing_reminders == 0
    assert report.duplicate_reminders == 0
    assert "reminder" in report.resumed_line, report.resumed_line


async def _run(*command: str, environment: dict[str, str] | None = None) -> None:
    process = await asyncio.create_subprocess_exec(
        *command,
        cwd=REPOSITORY,
        env=environment,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    output, _ = await process.communicate()
    assert process.returncode == 0, f"{command[0]} failed:\n{output.decode(errors='replace')}"


async def test_a_sqlite_backup_taken_while_parents_book_restores_and_resumes(tmp_path: Path) -> None:
    live, restored = tmp_path / "classbot.db", tmp_path / "restored" / "classbot.db"

    async def back_up_then_restore(source: str, target: str, environment: dict[str, str]) -> None:
        await _run(sys.executable, "-m", "bot", "backup", str(tmp_path / "backups"), environment=environment)
        restored.parent.mkdir(exist_ok=True)
        shutil.copyfile(tmp_path / "backups" / live.name, restored)  # the restore: the copy, in a fresh place

    drill = Drill(tmp_path, f"sqlite+aiosqlite:///{live}", f"sqlite+aiosqlite:///{restored}", back_up_then_restore)
    _assert_resumed(await drill.run())


def _libpq(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


async def test_a_pg_dump_taken_while_parents_book_restores_with_psql_and_resumes(
    tmp_path: Path, postgres_url: str
) -> None:
    dump = tmp_path / "classbot.sql"

    async def dump_then_restore(source: str, target: str, environment: dict[str, str]) -> None:
        await _run("pg_dump", "--no-owner", "--file", str(dump), _libpq(source))
        await _run("psql", "--quiet", "--set", "ON_ERROR_STOP=1", "--file", str(dump), _libpq(target))

    async with fresh_postgres_database() as restored_url:
        drill = Drill(tmp_path, postgres_url, restored_url, dump_then_restore)
        _assert_resumed(await drill.run())
