"""``python -m bot check`` tells an operator what works and what to fix, against the real services' doubles."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from bot.check import render, run_checks
from bot.config import Settings, load_settings
from bot.fakes.telegram import FakeTelegram
from bot.fakes.zoom import FakeZoom


def _settings(sqlite_url: str, zoom: FakeZoom, telegram: FakeTelegram, token: str, secret: str = "") -> Settings:
    return load_settings(
        database_url=sqlite_url,
        zoom_client_id=zoom.client_id,
        zoom_client_secret=secret or zoom.client_secret,
        zoom_oauth_url=zoom.oauth_url,
        zoom_api_url=zoom.api_url,
        telegram_bot_token=token,
        telegram_base_url=telegram.base_url,
    )


async def test_a_good_configuration_passes_every_check(sqlite_url: str, fake_zoom: FakeZoom) -> None:
    with FakeTelegram() as telegram:
        findings = await run_checks(_settings(sqlite_url, fake_zoom, telegram, telegram.token))
    assert {f.name: f.ok for f in findings} == {
        "public URL": True,
        "database": True,
        "Zoom OAuth": True,
        "Telegram": True,
    }
    assert any("@classbot_test_bot" in f.detail for f in findings)


async def test_each_wrong_setting_is_named_with_what_to_fix(sqlite_url: str, fake_zoom: FakeZoom) -> None:
    with FakeTelegram() as telegram:
        settings = _settings(sqlite_url, fake_zoom, telegram, "999:wrong-token").model_copy(
            update={
                "zoom_client_secret": load_settings(zoom_client_id="x", zoom_client_secret="bad").zoom_client_secret
            }
        )
        findings = {f.name: f for f in await run_checks(settings)}
    assert not findings["Telegram"].ok
    assert "TELEGRAM_BOT_TOKEN" in findings["Telegram"].detail
    assert not findings["Zoom OAuth"].ok
    assert "ZOOM_CLIENT_SECRET" in findings["Zoom OAuth"].detail


def test_the_command_exits_1_and_lists_the_fixes(tmp_path: Path) -> None:
    finished = subprocess.run(
        [sys.executable, "-m", "bot", "check"], capture_output=True, text=True, timeout=60, check=False, cwd=tmp_path
    )
    assert finished.returncode == 1
    assert "FIX  chat front ends" in finished.stdout
    assert "set ZOOM_CLIENT_ID" in finished.stdout


async def test_the_report_never_shows_a_password_in_a_url(sqlite_url: str, fake_zoom: FakeZoom) -> None:
    with FakeTelegram() as telegram:
        settings = _settings(sqlite_url, fake_zoom, telegram, telegram.token).model_copy(
            update={"public_url": "https://ops:hunter2@bot.example.org"}
        )
        report = render(await run_checks(settings))
    assert "https://ops:***@bot.example.org (Zoom redirect: https://ops:***@bot.example.org/zoom/oauth/" in report
    assert f"{sqlite_url} answers; schema" in report  # the database it checked
    assert "hunter2" not in report


def test_a_database_url_refused_by_the_command_keeps_its_password_hidden(tmp_path: Path) -> None:
    finished = subprocess.run(
        [sys.executable, "-m", "bot", "check"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        cwd=tmp_path,
        env={**os.environ, "DATABASE_URL": "postgresql://ann:hunter2@db.example.org/classbot"},
    )
    assert finished.returncode == 2
    assert "DATABASE_URL must start with" in finished.stderr
    assert "postgresql://ann:***@db.example.org/classbot" in finished.stderr
    assert "hunter2" not in finished.stdout + finished.stderr
