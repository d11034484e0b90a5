"""The one place that reads ClassBot's configuration: environment variables, then a ``.env`` file.

Everything else receives a frozen, typed ``Settings``. A missing or invalid value becomes a ``ConfigError``
whose message is one line naming the variable and saying what to fix; the command line prints it and exits 2.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

from babel.numbers import list_currencies
from cryptography.fernet import Fernet
from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_core import ErrorDetails
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

_TELEGRAM_SECRET = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
_SUPPORTED_DATABASES = ("sqlite+aiosqlite", "postgresql+asyncpg")


class ConfigError(Exception):
    """Configuration values are missing or wrong: ``problems`` has one line for each, and ``str()`` is what the
    operator is shown (one line for one problem, a list for several)."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        if len(problems) == 1:
            super().__init__(f"Configuration error: {problems[0]}.")
        else:
            super().__init__("Configuration errors:\n" + "\n".join(f"- {problem}." for problem in problems))


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
    # /metrics is served only on this listener, never on the public one; no port (or 0) means not at all.
    metrics_host: str = "127.0.0.1"
    metrics_port: int = Field(default=0, ge=0, le=65535)
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
    # Card payments in Telegram through a payment provider (BotFather's Payments: Stripe), in one currency, beside
    # Telegram Stars; refunds go through the Stripe account the token is connected to (STRIPE_SECRET_KEY).
    telegram_payment_provider_token: SecretStr | None = None
    telegram_payment_currency: str | None = None

    slack_bot_token: SecretStr | None = None
    slack_app_token: SecretStr | None = None
    slack_signing_secret: SecretStr | None = None
    slack_client_id: str | None = None
    slack_client_secret: SecretStr | None = None
    slack_api_url: str = "https://slack.com/api/"

    # Card payments through Stripe Checkout (Slack parents; see docs): the secret key, the webhook endpoint's
    # signing secret (whsec_...), and the API's address (Stripe's own unless a test server stands in).
    stripe_secret_key: SecretStr | None = None
    stripe_webhook_secret: SecretStr | None = None
    stripe_api_url: str = "https://api.stripe.com"

    # Days a job given up on keeps what it was to do (a message's words, a child's name) for an operator to look
    # into; then only its kind, times and error remain (docs/privacy.md).
    dead_job_retention_days: int = Field(default=14, ge=0, le=3650)
    # Seconds a claimed job stays one process's (renewed while it runs): after a crash, its jobs wait this long
    # before another process takes them over; shorter means quicker takeover and more lease writes.
    job_lease_seconds: int = Field(default=30, ge=3, le=600)
    # How long a seat in a paid class is held while the parent pays (15 minutes).
    payment_hold_seconds: int = Field(default=900, ge=1, le=24 * 3600)

    # For tests only: the process SIGKILLs itself the first time the booking path reaches this crash point
    # (``bot.support.crash_points``). Never set in production.
    classbot_crash_at: str | None = None
    # For tests only: the process's clock moves this many seconds ahead on each SIGUSR1, so that a test lives
    # through weeks in minutes (``bot.support.stepped_clock``). Never set in production.
    classbot_clock_step_seconds: int | None = Field(default=None, ge=1)

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
        try:
            make_url(value)  # parsed here, so that a malformed URL never reaches a traceback at start-up
        except (ArgumentError, ValueError):
            raise ValueError(
                "is not a valid database URL: check the port, and percent-encode special characters in the user "
                "name and password (@ as %40, : as %3A, / as %2F)"
            ) from None
        return value

    @field_validator(
        "public_url", "zoom_oauth_url", "zoom_api_url", "telegram_base_url", "slack_api_url", "stripe_api_url"
    )
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

    @field_validator("telegram_payment_currency")
    @classmethod
    def _card_currency(cls, value: str | None) -> str | None:
        if value is None:
            return None
        code = value.strip().upper()
        if code == "XTR":
            raise ValueError("must be a currency paid by card, like EUR: Telegram Stars (XTR) need no provider")
        if code not in list_currencies():
            raise ValueError("must be a three-letter currency code, like EUR or USD")
        return code

    @field_validator("slack_app_token")
    @classmethod
    def _slack_app_token_shape(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not value.get_secret_value().startswith("xapp-"):
            raise ValueError("must be an app-level token starting with xapp- (Socket Mode)")
        return value

    @model_validator(mode="after")
    def _complete_groups(self) -> Settings:
        """Settings that only make sense together must be given together; every gap is named at once."""
        gaps: list[str] = []
        for first, second, what in (
            ("zoom_client_id", "zoom_client_secret", "Zoom OAuth"),
            ("slack_client_id", "slack_client_secret", "Slack OAuth"),
            ("stripe_secret_key", "stripe_webhook_secret", "Stripe account"),
        ):
            if bool(getattr(self, first)) != bool(getattr(self, second)):
                given, missing = (first, second) if getattr(self, first) else (second, first)
                gaps.append(f"{missing.upper()} is required when {given.upper()} is set (the {what} app's pair)")
        gaps.extend(self._telegram_card_gaps())
        if self.telegram_webhook and self.telegram_bot_token is None:
            gaps.append("TELEGRAM_BOT_TOKEN is required when TELEGRAM_WEBHOOK is on")
        if self.telegram_webhook and self.telegram_webhook_secret is None:
            gaps.append("TELEGRAM_WEBHOOK_SECRET is required in webhook mode so that forged updates are refused")
        if self.slack_http_mode and self.slack_signing_secret is None:
            gaps.append(
                "SLACK_SIGNING_SECRET is required for Slack's HTTP mode (or set SLACK_APP_TOKEN for Socket Mode)"
            )
        if self.metrics_port == self.http_port:
            gaps.append("METRICS_PORT must differ from HTTP_PORT: /metrics is never served publicly")
        if gaps:
            raise _SettingsMissing(gaps)
        return self

    def _telegram_card_gaps(self) -> list[str]:
        """Card payments in Telegram need a currency with the token, and a way to give money back: Telegram's Bot
        API refunds only Stars, so a card payment is refunded at the provider, here Stripe's Refund API. Without
        it, a cancelled class would keep parents' money with no seat, so the process does not start."""
        token, currency = self.telegram_payment_provider_token, self.telegram_payment_currency
        if token is None and currency is None:
            return []
        if token is None:
            return ["TELEGRAM_PAYMENT_PROVIDER_TOKEN is required when TELEGRAM_PAYMENT_CURRENCY is set"]
        gaps = []
        if currency is None:
            gaps.append("TELEGRAM_PAYMENT_CURRENCY (like EUR) is required when TELEGRAM_PAYMENT_PROVIDER_TOKEN is set")
        if self.telegram_bot_token is None:
            gaps.append("TELEGRAM_BOT_TOKEN is required when TELEGRAM_PAYMENT_PROVIDER_TOKEN is set")
        if self.stripe_secret_key is None:
            gaps.append(
                "STRIPE_SECRET_KEY is required when TELEGRAM_PAYMENT_PROVIDER_TOKEN is set: Telegram card payments "
                "are refunded through the Stripe account the provider token is connected to"
            )
        return gaps

    @property
    def telegram_takes_cards(self) -> bool:
        """Telegram parents may pay by card through the provider (beside Telegram Stars)."""
        return self.telegram_payment_provider_token is not None and self.telegram_payment_currency is not None

    @property
    def slack_http_mode(self) -> bool:
        """Slack's requests arrive over HTTP at /slack/events (no app-level token for Socket Mode)."""
        return self.slack_configured and self.slack_app_token is None

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
    def stripe_configured(self) -> bool:
        return self.stripe_secret_key is not None and self.stripe_webhook_secret is not None

    @property
    def zoom_redirect_uri(self) -> str:
        return self.public_url.rstrip("/") + "/zoom/oauth/callback"

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


class _SettingsMissing(ValueError):
    """Raised inside the model validator so that each message can name its variables itself."""

    def __init__(self, gaps: list[str]) -> None:
        super().__init__("; ".join(gaps))
        self.gaps = gaps


def load_settings(**overrides: Any) -> Settings:
    """Read and validate the settings; raise ``ConfigError`` naming every problem found."""
    try:
        return Settings(**overrides)
    except ValidationError as invalid:
        raise ConfigError([problem for error in invalid.errors() for problem in _describe(error)]) from None


def _describe(error: ErrorDetails) -> list[str]:
    cause = error.get("ctx", {}).get("error")
    if isinstance(cause, _SettingsMissing):
        return cause.gaps
    variable = str(error["loc"][0]).upper() if error["loc"] else "configuration"
    message = error["msg"].removeprefix("Value error, ").removeprefix("Input ")
    shown = error.get("input")
    secret = "SECRET" in variable or "TOKEN" in variable or variable == "ENCRYPTION_KEY"
    if isinstance(shown, str) and not secret:
        return [f"{variable} {message} (got {shown_url(shown)!r})"]
    return [f"{variable} {message}"]


def shown_url(value: str) -> str:
    """``value`` fit to show a person (a configuration error, ``check``): a password in it becomes ``***``.

    Every URL ClassBot shows goes through here. Not SQLAlchemy's ``make_url(...).render_as_string(hide_password=
    True)``: the URLs shown are mostly the malformed ones, which it cannot parse, and with an unescaped "@" in a
    password it puts the password's tail in the host. So everything between the user name's ":" and the last "@"
    is hidden (more than the password, if a query holds an "@"; never less), with or without a scheme.
    """
    head, separator, rest = value.partition("://")
    if not separator:
        head, rest = "", value
    userinfo, at, location = rest.rpartition("@")
    if not at or ":" not in userinfo:
        return value
    return f"{head}{separator}{userinfo.partition(':')[0]}:***@{location}"
