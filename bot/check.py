"""``python -m bot check``: is this configuration going to work? A readable report with what to fix.

Every check runs, each bounded in time, and each problem is reported (never only the first): ``FIX`` for what
stops ClassBot from working, ``WARN`` for what works here but not for real users (a PUBLIC_URL Zoom cannot reach,
no webhook secret, a key kept only in a file). An unreachable service is named with the address that was tried.
Nothing is changed: the database is only asked ``SELECT 1`` and whether migrations are pending, the platforms
only who the bot is.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Literal
from urllib.parse import urlsplit

import httpx
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection

from bot.config import Settings, shown_url
from bot.storage.cipher import KEY_FILE_NAME
from bot.storage.database import Database
from bot.storage.migrate import alembic_config

_TIMEOUT = httpx.Timeout(8.0)
_LOCAL_HOSTS = ("localhost", "127.0.0.1", "::1", "0.0.0.0")  # noqa: S104 - names compared, nothing bound
Level = Literal["ok", "warn", "fix"]


@dataclass(frozen=True, slots=True)
class Finding:
    name: str
    level: Level
    detail: str

    @property
    def ok(self) -> bool:
        """Nothing to fix (a warning still works)."""
        return self.level != "fix"


@dataclass(frozen=True, slots=True)
class _Check:
    name: str
    address: str  # what is contacted, named when it cannot be reached
    run: Callable[[], Awaitable[str]]


async def run_checks(settings: Settings) -> list[Finding]:
    """Every check, run together; then what the settings alone say (the front ends, Zoom, secrets)."""
    # Alembic announces its migration context at INFO; the report is the only output wanted here.
    logging.getLogger("alembic").setLevel(logging.WARNING)
    async with httpx.AsyncClient(timeout=_TIMEOUT) as http:
        checks = [
            _Check("database", shown_url(settings.database_url), lambda: _database(settings)),
            *_platform_checks(settings, http),
        ]
        results = [_public_url(settings), *await asyncio.gather(*(_run(check) for check in checks))]
    results += _settings_findings(settings)
    return results


def render(findings: list[Finding]) -> str:
    width = max(len(finding.name) for finding in findings)
    marks = {"ok": "ok  ", "warn": "WARN", "fix": "FIX "}
    lines = [f"{marks[f.level]}  {f.name.ljust(width)}  {f.detail}".rstrip() for f in findings]
    bad = sum(f.level == "fix" for f in findings)
    warned = sum(f.level == "warn" for f in findings)
    summary = "All good." if not bad else f"{bad} thing{'s' if bad > 1 else ''} to fix."
    if warned:
        summary += f" {warned} warning{'s' if warned > 1 else ''}."
    lines.append(summary)
    return "\n".join(lines)


def _platform_checks(settings: Settings, http: httpx.AsyncClient) -> list[_Check]:
    checks = []
    if settings.zoom_configured:
        token_url = settings.zoom_oauth_url.rstrip("/") + "/oauth/token"
        checks.append(_Check("Zoom OAuth", token_url, lambda: _zoom(settings, http)))
    if settings.telegram_configured:
        checks.append(_Check("Telegram", settings.telegram_base_url, lambda: _telegram(settings, http)))
    if settings.slack_configured:
        checks.append(_Check("Slack", settings.slack_api_url, lambda: _slack(settings, http)))
    if settings.stripe_configured:
        checks.append(_Check("Stripe", settings.stripe_api_url, lambda: _stripe(settings, http)))
    return checks


async def _run(check: _Check) -> Finding:
    try:
        return Finding(check.name, "ok", await check.run())
    except CheckFailed as failed:
        return Finding(check.name, failed.level, str(failed))
    except (httpx.HTTPError, OSError, TimeoutError) as failure:
        reason = type(failure).__name__
        return Finding(check.name, "fix", f"{check.address} is not reachable ({reason}): check it and the network")


class CheckFailed(Exception):
    def __init__(self, detail: str, level: Level = "fix") -> None:
        super().__init__(detail)
        self.level: Level = level


def _settings_findings(settings: Settings) -> list[Finding]:
    """What the settings alone tell: what is missing, and what only works on this machine."""
    found: list[Finding] = []
    if not (settings.telegram_configured or settings.slack_configured):
        found.append(Finding("chat front ends", "fix", "none configured: set TELEGRAM_BOT_TOKEN or SLACK_BOT_TOKEN"))
    if not settings.zoom_configured:
        found.append(Finding("Zoom", "fix", "not configured: set ZOOM_CLIENT_ID and ZOOM_CLIENT_SECRET"))
    elif settings.zoom_webhook_secret_token is None:
        found.append(
            Finding(
                "Zoom webhooks",
                "warn",
                "ZOOM_WEBHOOK_SECRET_TOKEN is unset: meetings deleted or changed in Zoom will not be noticed "
                "(copy the Secret Token from the app's Feature page)",
            )
        )
    if settings.encryption_key is None:
        found.append(
            Finding(
                "encryption key",
                "warn",
                f"ENCRYPTION_KEY is unset: a key is made and kept in {settings.data_dir / KEY_FILE_NAME}; back it up "
                "with the database, or set ENCRYPTION_KEY (python -m bot genkey)",
            )
        )
    return found


def _public_url(settings: Settings) -> Finding:
    parts = urlsplit(settings.public_url)
    shown = f"{shown_url(settings.public_url)} (Zoom redirect: {shown_url(settings.zoom_redirect_uri)})"
    if parts.path not in ("", "/"):
        return Finding("public URL", "fix", f"PUBLIC_URL should be the site's root, without the path {parts.path!r}")
    if parts.hostname in _LOCAL_HOSTS:
        return Finding(
            "public URL",
            "warn",
            f"{shown}: only this machine can reach it, so Zoom's webhooks (and Telegram's, in webhook mode) never "
            "arrive; set PUBLIC_URL to the bot's public https address",
        )
    if parts.scheme != "https":
        return Finding(
            "public URL", "fix", "PUBLIC_URL must use https for Zoom's redirect and webhooks (and Telegram's webhook)"
        )
    return Finding("public URL", "ok", shown)


async def _database(settings: Settings) -> str:
    database = Database.connect(settings.database_url)
    try:
        if not await database.ping(5.0):
            raise CheckFailed("the database does not answer: check DATABASE_URL and that the server runs")
        async with database.engine.connect() as connection:
            current, head = await connection.run_sync(_revisions)
    finally:
        await database.dispose()
    shown = shown_url(settings.database_url)
    if current != head:
        return f"{shown} answers; schema at {current or 'nothing'}, {head} will be applied on start"
    return f"{shown} answers; schema up to date"


def _revisions(connection: Connection) -> tuple[str | None, str | None]:
    current = MigrationContext.configure(connection).get_current_revision()
    return current, ScriptDirectory.from_config(alembic_config()).get_current_head()


async def _zoom(settings: Settings, http: httpx.AsyncClient) -> str:
    secret = settings.zoom_client_secret
    assert settings.zoom_client_id is not None
    assert secret is not None
    response = await http.post(
        settings.zoom_oauth_url.rstrip("/") + "/oauth/token",
        data={"grant_type": "refresh_token", "refresh_token": "classbot-check"},
        auth=(settings.zoom_client_id, secret.get_secret_value()),
    )
    if response.status_code >= 500:
        raise CheckFailed(f"Zoom's OAuth endpoint answered {response.status_code}")
    if "invalid_client" in response.text:
        raise CheckFailed("Zoom does not know this app: check ZOOM_CLIENT_ID and ZOOM_CLIENT_SECRET")
    return "reachable, app credentials accepted"


async def _telegram(settings: Settings, http: httpx.AsyncClient) -> str:
    token = settings.telegram_bot_token
    assert token is not None
    response = await http.post(f"{settings.telegram_base_url}{token.get_secret_value()}/getMe")
    if response.status_code in (401, 404):
        raise CheckFailed("Telegram refuses the token: check TELEGRAM_BOT_TOKEN (from @BotFather)")
    body = response.json()
    if not body.get("ok"):
        raise CheckFailed(f"Telegram answered: {body.get('description', 'an error')}")
    mode = "webhook" if settings.telegram_webhook else "polling"
    return f"@{body['result'].get('username')} ({mode})"


async def _slack(settings: Settings, http: httpx.AsyncClient) -> str:
    """What ``run`` checks before it starts Slack: the bot token (one workspace) and the app-level token."""
    mode = "Socket Mode" if settings.slack_app_token else "HTTP mode at PUBLIC_URL/slack/events"
    token = settings.slack_bot_token
    if settings.slack_client_id is not None:
        where = f"many workspaces (install at {shown_url(settings.public_url.rstrip('/'))}/slack/install)"
    else:
        assert token is not None
        body = await _slack_call(settings, http, "auth.test", token.get_secret_value())
        if not body.get("ok"):
            raise CheckFailed(f"Slack refuses the token ({body.get('error')}): check SLACK_BOT_TOKEN")
        where = f"workspace {body.get('team')} as {body.get('user')}"
    if settings.slack_app_token is not None:
        body = await _slack_call(settings, http, "apps.connections.open", settings.slack_app_token.get_secret_value())
        if not body.get("ok"):
            raise CheckFailed(
                f"Slack refuses SLACK_APP_TOKEN ({body.get('error')}): use an app-level token with connections:write"
            )
    return f"{where}, {mode}"


async def _stripe(settings: Settings, http: httpx.AsyncClient) -> str:
    """The secret key, by listing one Checkout Session (a read that changes nothing); the webhook secret's shape;
    and whether anyone can pay by card (Slack parents do)."""
    key = settings.stripe_secret_key
    secret = settings.stripe_webhook_secret
    assert key is not None
    assert secret is not None
    response = await http.get(
        settings.stripe_api_url.rstrip("/") + "/v1/checkout/sessions",
        params={"limit": "1"},
        headers={"Authorization": f"Bearer {key.get_secret_value()}"},
    )
    if response.status_code == 401:
        raise CheckFailed("Stripe refuses the key: check STRIPE_SECRET_KEY (a secret key, sk_...)")
    if response.status_code != 200:
        raise CheckFailed(f"Stripe answered {response.status_code} to a read of Checkout Sessions")
    if not secret.get_secret_value().startswith("whsec_"):
        raise CheckFailed("STRIPE_WEBHOOK_SECRET is not a webhook signing secret (whsec_...)")
    if not settings.slack_configured:
        raise CheckFailed("the key works, but card payments are offered to Slack parents only", "warn")
    mode = "test mode" if key.get_secret_value().startswith(("sk_test_", "rk_test_")) else "live mode"
    return f"key accepted ({mode}); webhook at {shown_url(settings.public_url.rstrip('/'))}/stripe/webhook"


async def _slack_call(settings: Settings, http: httpx.AsyncClient, method: str, token: str) -> dict[str, object]:
    response = await http.post(settings.slack_api_url + method, headers={"Authorization": f"Bearer {token}"})
    body: dict[str, object] = response.json()
    return body
