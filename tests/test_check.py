"""``python -m bot check`` tells an operator what works and what to fix, against the real services' doubles."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from classbot_fakes.stripe import FakeStripe
from classbot_fakes.telegram import FakeTelegram
from classbot_fakes.zoom import FakeZoom

from bot.check import render, run_checks
from bot.config import Settings, load_settings


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
    assert {f.name: f.level for f in findings} == {
        "public URL": "warn",  # the default, http://localhost:8080, is reachable only from this machine
        "database": "ok",
        "Zoom OAuth": "ok",
        "Telegram": "ok",
        "Zoom webhooks": "warn",
        "encryption key": "warn",
    }
    assert any("@classbot_test_bot" in f.detail for f in findings)
    assert render(findings).endswith("All good. 3 warnings.")


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
    assert re.search(r"^FIX +chat front ends +none configured", finished.stdout, re.MULTILINE)
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


async def test_an_unreachable_service_is_named_by_its_address(sqlite_url: str, fake_zoom: FakeZoom) -> None:
    with FakeTelegram() as telegram:
        settings = _settings(sqlite_url, fake_zoom, telegram, telegram.token)
    closed = telegram.base_url  # the server is stopped: nothing listens there any more
    findings = {f.name: f for f in await run_checks(settings)}
    assert findings["Telegram"].level == "fix"
    assert f"{closed} is not reachable" in findings["Telegram"].detail
    assert findings["Zoom OAuth"].level == "ok"  # the other checks still ran


async def test_what_works_only_on_this_machine_is_a_warning_that_says_why(sqlite_url: str, fake_zoom: FakeZoom) -> None:
    with FakeTelegram() as telegram:
        settings = _settings(sqlite_url, fake_zoom, telegram, telegram.token)
        findings = {f.name: f for f in await run_checks(settings)}
    assert "Zoom's webhooks" in findings["public URL"].detail
    assert "ZOOM_WEBHOOK_SECRET_TOKEN is unset" in findings["Zoom webhooks"].detail
    assert "ENCRYPTION_KEY is unset" in findings["encryption key"].detail


async def test_slack_installed_in_many_workspaces_is_checked_as_run_starts_it(sqlite_url: str) -> None:
    settings = load_settings(
        database_url=sqlite_url, slack_client_id="1.2", slack_client_secret="s", slack_signing_secret="x"
    )
    findings = {f.name: f for f in await run_checks(settings)}
    assert findings["Slack"].level == "ok"
    assert "many workspaces (install at http://localhost:8080/slack/install)" in findings["Slack"].detail
    assert "chat front ends" not in findings  # Slack is a front end, as `run` agrees


def test_the_command_prints_only_the_report(tmp_path: Path) -> None:
    finished = subprocess.run(
        [sys.executable, "-m", "bot", "check"], capture_output=True, text=True, timeout=60, check=False, cwd=tmp_path
    )
    lines = finished.stdout.splitlines()
    assert lines, finished.stderr
    assert all(line.startswith(("ok  ", "WARN", "FIX ")) for line in lines[:-1])
    assert "alembic" not in (finished.stdout + finished.stderr).lower()


async def test_stripe_is_checked_with_its_key_and_a_wrong_key_is_named(sqlite_url: str, fake_zoom: FakeZoom) -> None:
    with FakeTelegram() as telegram, FakeStripe() as stripe:
        base = _settings(sqlite_url, fake_zoom, telegram, telegram.token)
        stripe_settings = load_settings(
            stripe_secret_key=stripe.secret_key,
            stripe_webhook_secret=stripe.webhook_secret,
            stripe_api_url=stripe.api_url,
        )
        update = {
            name: getattr(stripe_settings, name)
            for name in ("stripe_secret_key", "stripe_webhook_secret", "stripe_api_url")
        }
        good = {f.name: f for f in await run_checks(base.model_copy(update=update))}
        wrong_key = load_settings(stripe_secret_key="sk_test_wrong", stripe_webhook_secret="whsec_x").stripe_secret_key
        wrong = {
            f.name: f for f in await run_checks(base.model_copy(update={**update, "stripe_secret_key": wrong_key}))
        }
    assert good["Stripe"].level == "warn"  # the key works; without Slack no parent is offered cards
    assert "Slack parents only" in good["Stripe"].detail
    assert wrong["Stripe"].level == "fix"
    assert "STRIPE_SECRET_KEY" in wrong["Stripe"].detail
    assert "sk_test_wrong" not in render(list(wrong.values()))
