"""Migrations build exactly the schema the models describe, on SQLite and PostgreSQL, and run safely twice."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection

from bot.storage.database import Database
from bot.storage.migrate import HEAD_REVISION, alembic_config, upgrade_to_head
from bot.storage.models import Base
from bot.storage.slack_installations import store_tables
from tests.support.databases import fresh_database


def _differences(connection: Connection) -> list[Any]:
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    # slack-sdk's installation and state stores own their tables; migration 0003 creates them too.
    return list(compare_metadata(context, [Base.metadata, store_tables()]))


async def test_the_migrations_build_exactly_the_models(database_url: str) -> None:
    database = Database.connect(database_url)
    try:
        async with database.engine.begin() as connection:
            await connection.run_sync(lambda sync: _upgrade_to(sync, "head"))
        async with database.engine.connect() as connection:
            assert await connection.run_sync(_differences) == []
            tables = await connection.run_sync(lambda sync: set(inspect(sync).get_table_names()))
            version = (await connection.execute(text("SELECT version_num FROM alembic_version"))).scalar_one()
    finally:
        await database.dispose()
    assert set(Base.metadata.tables) <= tables
    assert version == HEAD_REVISION


async def test_a_new_database_is_built_as_the_migrations_build_it_and_stamped_at_the_newest(
    database_url: str, tmp_path: Path
) -> None:
    """A first start creates the models' tables rather than running every migration: every table, column, default,
    index, key and constraint is the one the migrations make, so the next migration applies to it as to any."""
    database = Database.connect(database_url)
    try:
        await upgrade_to_head(database)
        async with database.engine.connect() as connection:
            built = await connection.run_sync(_schema)
            version = (await connection.execute(text("SELECT version_num FROM alembic_version"))).scalar_one()
    finally:
        await database.dispose()
    kind = "sqlite" if database_url.startswith("sqlite") else "postgres"
    async with fresh_database(kind, tmp_path / "migrated") as url:
        migrated = Database.connect(url)
        try:
            async with migrated.engine.begin() as connection:
                await connection.run_sync(lambda sync: _upgrade_to(sync, "head"))
                assert await connection.run_sync(_schema) == built
        finally:
            await migrated.dispose()
    assert version == HEAD_REVISION
    assert {"classes", "bookings", "slack_installations"} <= built.keys()


def _schema(connection: Connection) -> dict[str, Any]:
    """Everything the database says about each table but the order of its columns, Alembic's own table included."""
    found = inspect(connection)

    def options(index: Any) -> dict[str, str]:
        return {key: str(value) for key, value in (index.get("dialect_options") or {}).items()}

    def default(column: Any) -> str:
        # The models say now(), the migrations CURRENT_TIMESTAMP: PostgreSQL's two names for one function.
        return str(column.get("default")).replace("CURRENT_TIMESTAMP", "now()")

    return {
        table: {
            "columns": sorted((c["name"], str(c["type"]), c["nullable"], default(c)) for c in found.get_columns(table)),
            "primary key": sorted(found.get_pk_constraint(table).items()),
            "indexes": sorted(
                (i["name"], tuple(i["column_names"]), i["unique"], sorted(options(i).items()))
                for i in found.get_indexes(table)
            ),
            "foreign keys": sorted(
                (k["name"], tuple(k["constrained_columns"]), k["referred_table"], sorted(k["options"].items()))
                for k in found.get_foreign_keys(table)
            ),
            "unique": sorted((u["name"], tuple(u["column_names"])) for u in found.get_unique_constraints(table)),
            "checks": sorted((c["name"], c["sqltext"]) for c in found.get_check_constraints(table)),
        }
        for table in found.get_table_names()
    }


def test_the_head_revision_a_start_checks_for_is_the_newest_migration() -> None:
    assert ScriptDirectory.from_config(alembic_config()).get_current_head() == HEAD_REVISION


async def test_only_a_start_with_a_migration_to_apply_loads_alembic(tmp_path: Path) -> None:
    """A new database is built from the models and an up-to-date one only checked: neither pays for Alembic."""
    older = Database.connect(f"sqlite+aiosqlite:///{tmp_path / 'older.db'}")
    try:
        async with older.engine.begin() as connection:
            await connection.run_sync(lambda sync: _upgrade_to(sync, "0019"))
    finally:
        await older.dispose()

    def start(name: str) -> str:
        url = f"sqlite+aiosqlite:///{tmp_path / name}"
        program = (
            "import asyncio, sys\n"
            "from bot.storage.database import Database\n"
            "from bot.storage.migrate import upgrade_to_head\n"
            "async def main():\n"
            f"    database = Database.connect({url!r})\n"
            "    await upgrade_to_head(database)\n"
            "    await database.dispose()\n"
            "asyncio.run(main())\n"
            "print('alembic' in sys.modules)\n"
        )
        done = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, check=True, timeout=60)
        return done.stdout.strip()

    assert start("new.db") == "False"
    assert start("new.db") == "False"
    assert start("older.db") == "True"  # the check can fail: migration 0020 was applied
    assert start("older.db") == "False"


async def test_processes_starting_together_migrate_once_without_error(database_url: str) -> None:
    databases = [Database.connect(database_url) for _ in range(3)]
    try:
        await asyncio.gather(*(upgrade_to_head(database) for database in databases))
        async with databases[0].engine.connect() as connection:
            assert await connection.run_sync(_differences) == []
            versions = (await connection.execute(text("SELECT count(*) FROM alembic_version"))).scalar_one()
    finally:
        for database in databases:
            await database.dispose()
    assert versions == 1


async def test_a_sqlite_database_folder_is_created(tmp_path: Any) -> None:
    database = Database.connect(f"sqlite+aiosqlite:///{tmp_path / 'deep' / 'er' / 'classbot.db'}")
    try:
        await upgrade_to_head(database)
    finally:
        await database.dispose()
    assert (tmp_path / "deep" / "er" / "classbot.db").exists()


async def test_a_digest_waiting_at_upgrade_still_tells_its_bookings(database_url: str) -> None:
    marked, [job] = await _upgraded_from(
        database_url,
        "0006",
        _BEFORE_0007,
        "SELECT id FROM bookings WHERE awaits_digest",
        "SELECT dedupe_key, payload FROM jobs",
    )
    assert [row[0] for row in marked] == [1]  # the one the waiting digest named; not the one it did not
    assert job[0] is None
    assert (json.loads(job[1]) if isinstance(job[1], str) else job[1]) == {"class_id": 1}


async def test_classes_from_before_0009_keep_their_audience(database_url: str) -> None:
    """A class never published was shared by its link, and still opens to anyone with it; a published class is for
    its communities' members."""
    [rows] = await _upgraded_from(database_url, "0008", _BEFORE_0009, "SELECT public_id, anyone_with_link FROM classes")
    assert sorted((public_id, bool(open_to_link)) for public_id, open_to_link in rows) == [
        ("by_link", True),
        ("in_group", False),
    ]


async def test_classes_from_before_0020_keep_their_next_session_start(database_url: str) -> None:
    """A scheduled class keeps its first session still to come; a class whose sessions are all past, or a cancelled
    one, keeps none."""
    [rows] = await _upgraded_from(database_url, "0019", _BEFORE_0020, "SELECT public_id, next_starts_at FROM classes")
    # The year is enough to tell the sessions apart (SQLite answers a string here, PostgreSQL a datetime).
    assert sorted((public_id, None if kept is None else str(kept)[:4]) for public_id, kept in rows) == [
        ("cancelled", None),
        ("over", None),
        ("weekly", "2998"),
    ]


async def _upgraded_from(
    database_url: str, revision: str, statements: list[str], *queries: str
) -> list[list[tuple[Any, ...]]]:
    """What an older install's data becomes: a database migrated only up to ``revision`` gets ``statements``
    (rows as that version wrote them), is upgraded to the newest migration, then answers each of ``queries``."""
    database = Database.connect(database_url)
    try:
        async with database.engine.begin() as connection:
            await connection.run_sync(lambda sync: _upgrade_to(sync, revision))
            for statement in statements:
                await connection.execute(text(statement))
        await upgrade_to_head(database)
        async with database.engine.connect() as connection:
            return [[tuple(row) for row in await connection.execute(text(query))] for query in queries]
    finally:
        await database.dispose()


def _upgrade_to(connection: Connection, revision: str) -> None:
    config = alembic_config()
    config.attributes["connection"] = connection
    command.upgrade(config, revision)


_BEFORE_0020 = [
    "INSERT INTO people (id, platform, workspace_id, platform_user_id, display_name) "
    "VALUES (1, 'telegram', '', '1', 'Ann')",
    "INSERT INTO classes (id, public_id, teacher_id, title, description, timezone, duration_minutes, seats, "
    "seats_taken, sessions_count, requires_approval, zoom_enabled, status) "
    "VALUES (1, 'weekly', 1, 'Chess', '', 'UTC', 45, 10, 0, 3, false, true, 'scheduled'), "
    "(2, 'over', 1, 'Art', '', 'UTC', 45, 10, 0, 1, false, true, 'scheduled'), "
    "(3, 'cancelled', 1, 'Music', '', 'UTC', 45, 10, 0, 1, false, true, 'cancelled')",
    "INSERT INTO class_sessions (class_id, position, starts_at, status) VALUES "
    "(1, 0, '2000-01-01 10:00:00.000000', 'scheduled'), (1, 1, '2999-01-01 10:00:00.000000', 'scheduled'), "
    "(1, 2, '2998-01-01 10:00:00.000000', 'scheduled'), (2, 0, '2000-01-01 10:00:00.000000', 'scheduled'), "
    "(3, 0, '2999-01-01 10:00:00.000000', 'cancelled')",
]

_BEFORE_0009 = [
    "INSERT INTO people (id, platform, workspace_id, platform_user_id, display_name) "
    "VALUES (1, 'telegram', '', '1', 'Ann')",
    "INSERT INTO communities (id, platform, workspace_id, chat_id, title, publish_policy) "
    "VALUES (1, 'telegram', '', '-100', 'Chess parents', 'anyone')",
    "INSERT INTO classes (id, public_id, teacher_id, title, description, timezone, duration_minutes, seats, "
    "seats_taken, sessions_count, requires_approval, zoom_enabled, status) "
    "VALUES (1, 'by_link', 1, 'Chess', '', 'UTC', 45, 10, 0, 1, false, true, 'scheduled'), "
    "(2, 'in_group', 1, 'Art', '', 'UTC', 45, 10, 0, 1, false, true, 'scheduled')",
    "INSERT INTO publications (class_id, community_id) VALUES (2, 1)",
]

_BEFORE_0007 = [
    "INSERT INTO people (id, platform, workspace_id, platform_user_id, display_name) "
    "VALUES (1, 'telegram', '', '1', 'Ann'), (2, 'telegram', '', '2', 'Bea')",
    "INSERT INTO classes (id, public_id, teacher_id, title, description, timezone, duration_minutes, seats, "
    "seats_taken, sessions_count, requires_approval, zoom_enabled, status) "
    "VALUES (1, 'c1', 1, 'Chess', '', 'UTC', 45, 10, 2, 1, false, true, 'scheduled')",
    "INSERT INTO bookings (id, public_id, class_id, parent_id, child_name, status, request_key) "
    "VALUES (1, 'b1', 1, 2, 'Mia', 'confirmed', 'k1'), (2, 'b2', 1, 2, 'Leo', 'confirmed', 'k2')",
    "INSERT INTO jobs (kind, dedupe_key, payload, run_at, attempts, status) VALUES ('booking.digest', "
    "'digest:1:9', '{\"class_id\": 1, \"booking_ids\": [1], \"count\": 1}', CURRENT_TIMESTAMP, 0, 'pending')",
]
