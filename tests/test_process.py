"""The real process: ``python -m bot`` migrates, serves /healthz (and /metrics only on its own listener), and exits
cleanly and quickly on a signal."""

from __future__ import annotations

import signal
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from cryptography.fernet import Fernet
from prometheus_client.parser import text_string_to_metric_families

from tests.support.bot_process import BotProcess

pytestmark = pytest.mark.slow


@pytest.fixture
def bot(tmp_path: Path, database_url: str) -> Iterator[BotProcess]:
    process = BotProcess(tmp_path, {"DATABASE_URL": database_url, "ENCRYPTION_KEY": Fernet.generate_key().decode()})
    yield process
    process.kill()


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_the_bot_serves_health_and_exits_0_within_10s_of_a_signal(bot: BotProcess, signum: int) -> None:
    bot.start()
    bot.wait_healthy()
    assert httpx.get(f"{bot.url}/healthz").json() == {"status": "ok"}
    started = time.monotonic()
    assert bot.stop(signum) == 0
    assert time.monotonic() - started < 10
    output = bot.output()
    assert "Traceback" not in output
    assert "stopped" in output
    assert "resuming queued work: none" in output  # a new database: nothing queued, and the log says so


def test_metrics_are_served_on_their_own_listener_and_not_on_the_public_port(bot: BotProcess) -> None:
    bot.start()
    bot.wait_healthy()
    public = httpx.get(f"{bot.url}/metrics")
    private = httpx.get(f"{bot.metrics_url}/metrics")
    elsewhere = httpx.get(f"{bot.metrics_url}/healthz")
    assert bot.stop() == 0

    assert public.status_code == 404
    assert "classbot_" not in public.text
    assert private.status_code == 200
    assert private.headers["content-type"].startswith("text/plain; version=0.0.4")
    families = {family.name: family for family in text_string_to_metric_families(private.text)}
    assert families["classbot_jobs_pending"].samples[0].value >= 0
    assert families["classbot_update_seconds"].type == "histogram"
    assert elsewhere.status_code == 404  # the metrics listener serves nothing else


def test_without_a_front_end_the_bot_says_what_to_set(bot: BotProcess) -> None:
    bot.start()
    bot.wait_healthy()
    bot.stop()
    assert "set TELEGRAM_BOT_TOKEN" in bot.output()


def test_a_first_run_makes_the_data_folder_and_a_key(tmp_path: Path) -> None:
    bot = BotProcess(tmp_path, {})
    try:
        bot.start()
        bot.wait_healthy()
        assert bot.stop() == 0
    finally:
        bot.kill()
    assert (tmp_path / "data" / "classbot.db").exists()
    assert (tmp_path / "data" / "encryption.key").stat().st_mode & 0o777 == 0o600
    assert "ENCRYPTION_KEY is not set" in bot.output()
