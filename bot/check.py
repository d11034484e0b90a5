"""``python -m bot check``: is this configuration going to work? A readable report with what to fix.

Each check is independent and bounded in time; a failing one says what to do. Nothing is changed: the
database is only asked ``SELECT 1`` and whether migrations are pending, the platforms only who the bot is.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

import httpx
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection

from bot.config import Settings, shown_url
from bot.storage.database import Database
from bot.storage.migrate import alembic_config

_TIMEOUT = httpx.Timeout(8.0)


@dataclass(frozen=True, slots=True)
class Finding:
    name: str
    ok: bool
    detail: str


async def run_checks(settings: Settings) -> list[Finding]:
    checks: list[tuple[str, Callable[[], Awaitable[str]]]] = [
        ("public URL", lambda: _public_url(settings)),
        ("database", lambda: _database(settings)),
    ]
    async with httpx.AsyncClient(timeout=_TIMEOUT) as http:
        if settings.zoom_configured:
            checks.append(("Zoom OAuth", lambda: _zoom(settings, http)))
        if settings.telegram_configured:
            checks.append(("Telegram", lambda: _telegram(settings, http)))
        if settings.slack_bot_token is not None:
            checks.append(("Slack", lambda: _slack(settings, http)))
        results = await asyncio.gather(*(_run(name, check) for name, check in checks))
    if not (settings.telegram_configured or settings.slack_configured):
        results.append(Finding("chat front ends", False, "none configured: set TELEGRAM_BOT_TOKEN or SLACK_BOT_TOKEN"))
    if not settings.zoom_configured:
        results.append(Finding("Zoom", False, "not configured: set ZOOM_CLIENT_ID and ZOOM_CLIENT_SECRET"))
    return results


def render(findings: list[Finding]) -> str:
    width = max(len(finding.name) for finding in findings)
    lines = [f"{'ok ' if f.ok else 'FIX'}  {f.name.ljust(width)}  {f.detail}" for f in findings]
    bad = sum(not f.ok for f in findings)
    lines.append("All good." if not bad else f"{bad} thing{'s' if bad > 1 else ''} to fix.")
    return "\n".join(lines)


async def _run(name: str, check: Callable[[], Awaitable[str]]) -> Finding:
    try:
        return Finding(name, True, await check())
    except CheckFailed as failed:
        return Finding(name, False, str(failed))
    except (httpx.HTTPError, OSError, TimeoutError) as failure:
        return Finding(name, False, f"not reachable ({type(failure).__name__}): check the address and the network")


class CheckFailed(Exception):
    pass


async def _public_url(settings: Settings) -> str:
    parts = urlsplit(settings.public_url)
    if parts.path not in ("", "/"):
        raise CheckFailed(f"PUBLIC_URL should be the site's root, without the path {parts.path!r}")
    if parts.scheme != "https" and parts.hostname not in ("localhost", "127.0.0.1"):
        raise CheckFailed("PUBLIC_URL must use https for Zoom's redirect and webhooks (and Telegram's webhook)")
    return f"{shown_url(settings.public_url)} (Zoom redirect: {shown_url(settings.zoom_redirect_uri)})"


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
    webhook = "webhook secret set" if settings.zoom_webhook_secret_token else "ZOOM_WEBHOOK_SECRET_TOKEN unset"
    return f"reachable, app credentials accepted; {webhook}"


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
    token = settings.slack_bot_token
    assert token is not None
    response = await http.post(
        settings.slack_api_url + "auth.test", headers={"Authorization": f"Bearer {token.get_secret_value()}"}
    )
    body = response.json()
    if not body.get("ok"):
        raise CheckFailed(f"Slack refuses the token ({body.get('error')}): check SLACK_BOT_TOKEN")
    return f"workspace {body.get('team')} as {body.get('user')}"
