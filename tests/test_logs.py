"""A failure's traceback is scrubbed like any message: a library's exception that names a URL with a token in it
(Telegram's URLs hold the bot token) reaches the log masked, in text and in JSON."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest

from bot.support.logs import configure_logging

TOKEN = "123456:AAE-secret_Token"  # a made-up Telegram bot token


@pytest.fixture
def root_logger() -> Iterator[logging.Logger]:
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield root
    root.handlers[:] = handlers
    root.setLevel(level)


def _fail_with_the_url() -> None:
    try:
        raise ConnectionError(f"Connection timeout to host https://api.telegram.org/bot{TOKEN}/sendMessage")
    except ConnectionError as cause:
        raise RuntimeError("the send failed") from cause


@pytest.mark.parametrize("log_format", ["text", "json"])
def test_a_logged_traceback_never_shows_the_bot_token(
    root_logger: logging.Logger, capsys: pytest.CaptureFixture[str], log_format: str
) -> None:
    configure_logging("INFO", log_format)

    try:
        _fail_with_the_url()
    except RuntimeError:
        logging.getLogger("bot.handlers.telegram.frontend").exception("a Telegram update failed")

    written = capsys.readouterr().err
    assert "a Telegram update failed" in written
    assert "Connection timeout to host" in written  # the traceback is there, and its cause too
    assert TOKEN not in written
    assert "AAE-secret" not in written


@pytest.mark.parametrize("log_format", ["text", "json"])
def test_a_logged_database_url_never_shows_its_password(
    root_logger: logging.Logger, capsys: pytest.CaptureFixture[str], log_format: str
) -> None:
    configure_logging("INFO", log_format)

    try:
        raise OSError("cannot connect to postgresql+asyncpg://ann:hun@ter2@db.example.org:5432/classbot")
    except OSError:
        logging.getLogger("bot.test").exception("connecting to %s failed", "postgresql://ann:hunter2@db/classbot")

    logged = capsys.readouterr().err
    assert "postgresql://ann:***@db/classbot" in logged
    assert "postgresql+asyncpg://ann:***@db.example.org:5432/classbot" in logged
    assert "hunter2" not in logged
    assert "ter2" not in logged
