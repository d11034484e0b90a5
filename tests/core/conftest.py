"""Fixtures the core tests share, held once so that a file states only how its world differs: a clock the test
moves, ClassBot's core with a fake Zoom and a connected teacher, and a bare upgraded database."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from classbot_fakes.zoom import FakeZoom

from bot.storage.database import Database
from bot.storage.migrate import upgrade_to_head
from tests.support.clock import MovableClock
from tests.support.core_world import CoreWorld, core_world


@pytest.fixture
def clock() -> MovableClock:
    """Runs from now until the test moves it; a file whose steps must fall within seconds overrides it stopped."""
    return MovableClock()


@pytest.fixture
def licensed_host() -> bool:
    """Whether the teacher's Zoom account is licensed (each booked child a registrant with a personal link) or
    basic (one meeting link for all); a file about licensed hosts overrides it to return True."""
    return False


@pytest.fixture
async def world(
    database_url: str, fake_zoom: FakeZoom, tmp_path: Path, clock: MovableClock, licensed_host: bool
) -> AsyncIterator[CoreWorld]:
    """On SQLite and on PostgreSQL (``database_url``), unless a file overrides ``database_url`` to one of them."""
    async with core_world(database_url, fake_zoom, tmp_path, clock=clock, licensed=licensed_host) as built:
        yield built


@pytest.fixture
async def database(database_url: str) -> AsyncIterator[Database]:
    """The schema alone, without ClassBot's services: for tests of the job queue and its worker."""
    database = Database.connect(database_url)
    await upgrade_to_head(database)
    yield database
    await database.dispose()
