"""Configuration: every bad value stops start-up with one line that names the variable and what to fix."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

from bot.config import ConfigError, load_settings


@pytest.mark.parametrize(
    ("environment", "expected"),
    [
        ({"HTTP_PORT": "abc"}, "HTTP_PORT should be a valid integer"),
        ({"HTTP_PORT": "70000"}, "HTTP_PORT should be less than or equal to 65535"),
        ({"DATABASE_URL": "mysql://db/classbot"}, "DATABASE_URL must start with sqlite+aiosqlite:///"),
        ({"PUBLIC_URL": "bot.example.org"}, "PUBLIC_URL must be an http:// or https:// URL"),
        ({"PUBLIC_URL": "https://bot.example.org/?x=1"}, "PUBLIC_URL must not carry a query string"),
        ({"ZOOM_API_URL": "ftp://zoom"}, "ZOOM_API_URL must be an http:// or https:// URL"),
        ({"ENCRYPTION_KEY": "not-a-key"}, "ENCRYPTION_KEY each comma-separated key must be a Fernet key"),
        ({"ZOOM_CLIENT_ID": "abc"}, "ZOOM_CLIENT_SECRET is required"),
        ({"ZOOM_CLIENT_SECRET": "abc"}, "ZOOM_CLIENT_ID is required"),
        (
            {"TELEGRAM_WEBHOOK": "1", "TELEGRAM_WEBHOOK_SECRET": "s"},
            "TELEGRAM_BOT_TOKEN is required when TELEGRAM_WEBHOOK is on",
        ),
        ({"TELEGRAM_WEBHOOK": "1", "TELEGRAM_BOT_TOKEN": "1:x"}, "TELEGRAM_WEBHOOK_SECRET is required"),
        (
            {"TELEGRAM_WEBHOOK": "1", "TELEGRAM_BOT_TOKEN": "1:x", "TELEGRAM_WEBHOOK_SECRET": "has spaces"},
            "TELEGRAM_WEBHOOK_SECRET must be 1-256 characters",
        ),
        ({"TELEGRAM_WEBHOOK": "maybe"}, "TELEGRAM_WEBHOOK should be a valid boolean"),
        ({"SLACK_BOT_TOKEN": "xoxb-1"}, "SLACK_SIGNING_SECRET is required for Slack's HTTP mode"),
        ({"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_APP_TOKEN": "xoxb-2"}, "SLACK_APP_TOKEN must be an app-level token"),
        ({"SLACK_CLIENT_ID": "1.2", "SLACK_SIGNING_SECRET": "s"}, "SLACK_CLIENT_SECRET is required"),
        ({"LOG_LEVEL": "loud"}, "LOG_LEVEL should be 'DEBUG', 'INFO', 'WARNING', 'ERROR' or 'CRITICAL'"),
        ({"LOG_FORMAT": "xml"}, "LOG_FORMAT should be 'text' or 'json'"),
        ({"METRICS_PORT": "8080"}, "METRICS_PORT must differ from HTTP_PORT"),
        ({"METRICS_PORT": "-1"}, "METRICS_PORT should be greater than or equal to 0"),
        ({"DEAD_JOB_RETENTION_DAYS": "-1"}, "DEAD_JOB_RETENTION_DAYS should be greater than or equal to 0"),
        ({"TELEGRAM_PAYMENT_CURRENCY": "EUR"}, "TELEGRAM_PAYMENT_PROVIDER_TOKEN is required when"),
        ({"TELEGRAM_PAYMENT_CURRENCY": "XTR"}, "Telegram Stars (XTR) need no provider"),
        ({"TELEGRAM_PAYMENT_CURRENCY": "EURO"}, "TELEGRAM_PAYMENT_CURRENCY must be a three-letter currency code"),
    ],
)
def test_a_bad_setting_is_named_with_what_to_fix(
    monkeypatch: pytest.MonkeyPatch, environment: dict[str, str], expected: str
) -> None:
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(ConfigError) as problem:
        load_settings()
    message = str(problem.value)
    assert message.startswith("Configuration error: ")
    assert expected in message
    assert "\n" not in message


def test_secret_values_are_never_echoed_back(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ENCRYPTION_KEY", "my-precious-secret")
    with pytest.raises(ConfigError) as problem:
        load_settings()
    assert "my-precious-secret" not in str(problem.value)


@pytest.mark.parametrize(
    ("database_url", "expected"),
    [
        ("postgresql://ann:hunter2@db.example.org/classbot", "must start with sqlite+aiosqlite:///"),
        ("postgresql+asyncpg://ann:hunter2@db.example.org:port/classbot", "is not a valid database URL"),
        ("postgresql+asyncpg://ann:hun@ter2@db.example.org:port/classbot", "percent-encode special characters"),
        ("ann:hunter2@db.example.org/classbot", "must start with sqlite+aiosqlite:///"),
    ],
)
def test_a_database_url_in_an_error_never_shows_its_password(
    monkeypatch: pytest.MonkeyPatch, database_url: str, expected: str
) -> None:
    monkeypatch.setenv("DATABASE_URL", database_url)
    with pytest.raises(ConfigError) as problem:
        load_settings()
    message = str(problem.value)
    assert expected in message
    assert "ann:***@" in message  # which URL it was stays clear
    assert "hunter2" not in message
    assert "ter2" not in message


def test_defaults_match_the_product_contract() -> None:
    settings = load_settings()
    assert settings.database_url == "sqlite+aiosqlite:///data/classbot.db"
    assert settings.public_url == "http://localhost:8080"
    assert (settings.http_host, settings.http_port) == ("127.0.0.1", 8080)
    assert (settings.metrics_host, settings.metrics_port) == ("127.0.0.1", 0)  # no /metrics unless asked for
    assert settings.zoom_oauth_url == "https://zoom.us"
    assert settings.zoom_api_url == "https://api.zoom.us/v2"
    assert settings.telegram_base_url == "https://api.telegram.org/bot"
    assert settings.slack_api_url == "https://slack.com/api/"
    assert (settings.log_level, settings.log_format) == ("INFO", "text")
    assert not settings.telegram_configured
    assert not settings.slack_configured
    assert not settings.zoom_configured


def test_a_dotenv_file_is_read_and_blank_values_mean_unset(tmp_path: Path) -> None:
    key = Fernet.generate_key().decode()
    (tmp_path / ".env").write_text(f"HTTP_PORT=9090\nENCRYPTION_KEY={key}\nTELEGRAM_BOT_TOKEN=\nLOG_LEVEL=debug\n")
    settings = load_settings()
    assert settings.http_port == 9090
    assert settings.encryption_key is not None
    assert settings.encryption_key.get_secret_value() == key
    assert settings.telegram_bot_token is None
    assert settings.log_level == "DEBUG"


def test_several_encryption_keys_are_accepted_for_rotation(monkeypatch: pytest.MonkeyPatch) -> None:
    keys = [Fernet.generate_key().decode() for _ in range(2)]
    monkeypatch.setenv("ENCRYPTION_KEY", ",".join(keys))
    assert load_settings().encryption_key is not None


def test_the_command_line_exits_2_with_one_line_and_no_traceback(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HTTP_PORT", "eighty")
    finished = subprocess.run(
        [sys.executable, "-m", "bot", "run"], capture_output=True, text=True, timeout=60, check=False
    )
    assert finished.returncode == 2
    assert finished.stderr.strip() == (
        "Configuration error: HTTP_PORT should be a valid integer, unable to parse string as an integer (got 'eighty')."
    )
    assert "Traceback" not in finished.stdout + finished.stderr


def test_a_card_provider_token_without_its_currency_or_a_way_to_refund_does_not_start_and_is_never_shown(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "1:x")
    monkeypatch.setenv("TELEGRAM_PAYMENT_PROVIDER_TOKEN", "284685063:TEST:very-secret")
    with pytest.raises(ConfigError) as problem:
        load_settings()
    assert problem.value.problems == [
        "TELEGRAM_PAYMENT_CURRENCY (like EUR) is required when TELEGRAM_PAYMENT_PROVIDER_TOKEN is set",
        "STRIPE_SECRET_KEY is required when TELEGRAM_PAYMENT_PROVIDER_TOKEN is set: Telegram card payments are "
        "refunded through the Stripe account the provider token is connected to",
    ]
    assert "very-secret" not in str(problem.value)
    monkeypatch.setenv("TELEGRAM_PAYMENT_CURRENCY", "eur")
    monkeypatch.setenv("STRIPE_SECRET_KEY", "sk_test_x")
    monkeypatch.setenv("STRIPE_WEBHOOK_SECRET", "whsec_x")
    settings = load_settings()
    assert (settings.telegram_takes_cards, settings.telegram_payment_currency) == (True, "EUR")
    assert "very-secret" not in repr(settings)


def test_every_missing_partner_setting_is_named_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ZOOM_CLIENT_ID", "abc")
    monkeypatch.setenv("TELEGRAM_WEBHOOK", "1")
    with pytest.raises(ConfigError) as problem:
        load_settings()
    assert problem.value.problems == [
        "ZOOM_CLIENT_SECRET is required when ZOOM_CLIENT_ID is set (the Zoom OAuth app's pair)",
        "TELEGRAM_BOT_TOKEN is required when TELEGRAM_WEBHOOK is on",
        "TELEGRAM_WEBHOOK_SECRET is required in webhook mode so that forged updates are refused",
    ]
    assert str(problem.value).startswith("Configuration errors:\n- ZOOM_CLIENT_SECRET is required")
