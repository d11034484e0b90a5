"""Fixtures every suite may use: databases on SQLite and PostgreSQL, settings, built components."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from classbot_fakes.zoom import FakeZoom
from cryptography.fernet import Fernet

from bot.app import Components, build_components
from bot.config import Settings, load_settings
from tests.support.databases import POSTGRES_SKIP_REASON, fresh_database, fresh_postgres_database


@pytest.fixture(autouse=True)
def _isolated_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Each test starts from no ClassBot settings and a working directory without a .env file."""
    for name in Settings.model_fields:
        monkeypatch.delenv(name.upper(), raising=False)
    monkeypatch.chdir(tmp_path)


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite+aiosqlite:///{tmp_path / 'classbot.db'}"


@pytest.fixture
async def postgres_url() -> AsyncIterator[str]:
    async with fresh_postgres_database() as url:
        yield url


@pytest.fixture(params=["sqlite", "postgres"])
async def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    """Runs the test once on SQLite and once on PostgreSQL."""
    async with fresh_database(request.param, tmp_path) as url:
        yield url


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return load_settings(
        database_url=database_url, data_dir=tmp_path / "data", encryption_key=Fernet.generate_key().decode()
    )


@pytest.fixture
async def components(settings: Settings) -> AsyncIterator[Components]:
    async with build_components(settings) as built:
        yield built


@pytest.fixture
def fake_zoom() -> Iterator[FakeZoom]:
    """A started FakeZoom with no users yet; stopped after the test."""
    with FakeZoom() as zoom:
        yield zoom


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Say once, at the end, how to include the PostgreSQL runs that were skipped (instead of once per test)."""
    skipped = terminalreporter.stats.get("skipped", [])
    if any(POSTGRES_SKIP_REASON in str(report.longrepr) for report in skipped):
        terminalreporter.write_line(
            "Tests that need PostgreSQL were skipped. To include them: "
            "TEST_POSTGRES_URL=postgresql+asyncpg://postgres@127.0.0.1:5432/test make test",
            yellow=True,
        )
