"""The one place that reads ClassBot's configuration: environment variables, then a ``.env`` file.

Everything else receives a frozen, typed ``Settings``. A missing or invalid value becomes a ``ConfigError``
whose message is one line naming the variable and saying what to fix; the command line prints it and exits 2.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

from cryptography.fernet import Fernet
from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

_TELEGRAM_SECRET = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
_SUPPORTED_DATABASES = ("sqlite+aiosqlite", "postgresql+asyncpg")


class ConfigError(Exception):
    """A configuration value is missing or wrong; ``str()`` is the one line shown to the operator."""


class Settings(BaseSettings):
    """ClassBot's settings; the field names are the environment variables (see ``.env.example``)."""

    model_config = SettingsConfigDict(
        env_file=".env",
        env_file_encoding="utf-8",
        env_ignore_empty=True,  # FOO= in a .env file means "not set", as operators expect
        extra="ignore",
        frozen=True,
        case_sensitive=False,
    )

    database_url: str = "sqlite+aiosqlite:///data/classbot.db"
    data_dir: Path = Path("data")
    public_url: str = "http://localhost:8080"
    http_host: str = "127.0.0.1"
    http_port: int = Field(default=8080, ge=1, le=65535)
    encryption_key: SecretStr | None = None

    zoom_client_id: str | None = None
    zoom_client_secret: SecretStr | None = None
    zoom_webhook_secret_token: SecretStr | None = None
    zoom_oauth_url: str = "https://zoom.us"
    zoom_api_url: str = "https://api.zoom.us/v2"
    # Calls paced to Zoom's published per-second limits (bot.zoom.ratelimit); false only for a Zoom without
    # limits, such as a benchmark of raw capacity.
    zoom_paced: bool = True

    telegram_bot_token: SecretStr | None = None
    telegram_base_url: str = "https://api.telegram.org/bot"
    telegram_webhook: bool = False
    telegram_webhook_secret: SecretStr | None = None
    # Under Telegram's overall flood limit (about 30/s) by enough for requests that arrive a little bunched
    # (at 29/s an even pace met a few 429s under load); 0 turns pacing off (per chat too).
    telegram_messages_per_second: float = Field(default=28.0, ge=0)

    slack_bot_token: SecretStr | None = None
    slack_app_token: SecretStr | None = None
    slack_signing_secret: SecretStr | None = None
    slack_client_id: str | None = None
    slack_client_secret: SecretStr | None = None
    slack_api_url: str = "https://slack.com/api/"

    # Days a job given up on keeps what it was to do (a message's words, a child's name) for an operator to look
    # into; then only its kind, times and error remain (docs/privacy.md).
    dead_job_retention_days: int = Field(default=14, ge=0, le=3650)

    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"] = "INFO"
    log_format: Literal["text", "json"] = "text"

    @field_validator("log_level", mode="before")
    @classmethod
    def _upper_level(cls, value: Any) -> Any:
        return value.upper() if isinstance(value, str) else value

    @field_validator("database_url")
    @classmethod
    def _known_database(cls, value: str) -> str:
        if not value.startswith(tuple(f"{scheme}://" for scheme in _SUPPORTED_DATABASES)):
            raise ValueError(
                "must start with sqlite+aiosqlite:/// or postgresql+asyncpg:// "
                "(for example sqlite+aiosqlite:///data/classbot.db)"
            )
        return value

    @field_validator("public_url", "zoom_oauth_url", "zoom_api_url", "telegram_base_url", "slack_api_url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError("must be an http:// or https:// URL with a host")
        if parts.query or parts.fragment:
            raise ValueError("must not carry a query string or a fragment")
        return value

    @field_validator("encryption_key")
    @classmethod
    def _fernet_keys(cls, value: SecretStr | None) -> SecretStr | None:
        if value is None:
            return None
        for key in value.get_secret_value().split(","):
            try:
                Fernet(key.strip())
            except ValueError:
                raise ValueError(
                    "each comma-separated key must be a Fernet key (32 url-safe base64 bytes); "
                    "make one with: python -m bot genkey"
                ) from None
        return value

    @field_validator("telegram_webhook_secret")
    @classmethod
    def _telegram_secret_shape(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not _TELEGRAM_SECRET.match(value.get_secret_value()):
            raise ValueError("must be 1-256 characters of A-Z, a-z, 0-9, _ and - (Telegram's rule)")
        return value

    @field_validator("slack_app_token")
    @classmethod
    def _slack_app_token_shape(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not value.get_secret_value().startswith("xapp-"):
            raise ValueError("must be an app-level token starting with xapp- (Socket Mode)")
        return value

    @model_validator(mode="after")
    def _complete_groups(self) -> Settings:
        """Settings that only make sense together must be given together."""
        if bool(self.zoom_client_id) != bool(self.zoom_client_secret):
            missing = "ZOOM_CLIENT_SECRET" if self.zoom_client_id else "ZOOM_CLIENT_ID"
            raise _SettingMissing(missing, "is required when the other Zoom OAuth credential is set")
        if self.telegram_webhook and self.telegram_bot_token is None:
            raise _SettingMissing("TELEGRAM_BOT_TOKEN", "is required when TELEGRAM_WEBHOOK is on")
        if self.telegram_webhook and self.telegram_webhook_secret is None:
            raise _SettingMissing(
                "TELEGRAM_WEBHOOK_SECRET", "is required in webhook mode so that forged updates are refused"
            )
        slack_http_mode = self.slack_configured and self.slack_app_token is None
        if slack_http_mode and self.slack_signing_secret is None:
            raise _SettingMissing(
                "SLACK_SIGNING_SECRET", "is required for Slack's HTTP mode (or set SLACK_APP_TOKEN for Socket Mode)"
            )
        if bool(self.slack_client_id) != bool(self.slack_client_secret):
            missing = "SLACK_CLIENT_SECRET" if self.slack_client_id else "SLACK_CLIENT_ID"
            raise _SettingMissing(missing, "is required when the other Slack OAuth credential is set")
        return self

    @property
    def zoom_configured(self) -> bool:
        return self.zoom_client_id is not None

    @property
    def telegram_configured(self) -> bool:
        return self.telegram_bot_token is not None

    @property
    def slack_configured(self) -> bool:
        return self.slack_bot_token is not None or self.slack_client_id is not None

    @property
    def zoom_redirect_uri(self) -> str:
        return self.public_url.rstrip("/") + "/zoom/oauth/callback"

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


class _SettingMissing(ValueError):
    """Raised inside the model validator so that the message can name the variable itself."""

    def __init__(self, variable: str, problem: str) -> None:
        super().__init__(f"{variable} {problem}")
        self.variable = variable


def load_settings(**overrides: Any) -> Settings:
    """Read and validate the settings; raise ``ConfigError`` with one line for the first problem found."""
    try:
        return Settings(**overrides)
    except ValidationError as invalid:
        raise ConfigError(_describe(invalid)) from None


def _describe(invalid: ValidationError) -> str:
    error = invalid.errors()[0]
    cause = error.get("ctx", {}).get("error")
    if isinstance(cause, _SettingMissing):
        return f"Configuration error: {cause}."
    variable = str(error["loc"][0]).upper() if error["loc"] else "configuration"
    message = error["msg"].removeprefix("Value error, ").removeprefix("Input ")
    shown = error.get("input")
    secret = "SECRET" in variable or "TOKEN" in variable or variable == "ENCRYPTION_KEY"
    if isinstance(shown, str) and not secret:
        return f"Configuration error: {variable} {message} (got {shown!r})."
    return f"Configuration error: {variable} {message}."
