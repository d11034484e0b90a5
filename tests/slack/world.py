"""The real ClassBot process with its Slack front end, against FakeSlack and FakeZoom over real HTTP."""

from __future__ import annotations

import re
import sqlite3
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Literal

import httpx
from classbot_fakes.slack import FakeSlack, FakeSlackChannel, FakeSlackUser, SlackMessage, SlackView
from classbot_fakes.zoom import FakeZoom
from cryptography.fernet import Fernet

from tests.support.bot_process import BotProcess
from tests.support.ports import free_port
from tests.support.waiting import wait_until
from tests.support.zoom_consent import consent_in_browser

ZOOM_LINK = re.compile(r"/(j|s|w)/\d+")
Mode = Literal["socket", "http"]
Where = FakeSlackUser | FakeSlackChannel


def class_form(title: str, *, days: int = 3, channel: FakeSlackChannel | None = None, **fields: str) -> dict[str, Any]:
    """What a teacher types into the new-class modal (the fake, unlike Slack, fills in no initial values)."""
    values = {
        "title": title,
        "date": (datetime.now(UTC) + timedelta(days=days)).date().isoformat(),
        "time": "16:30",
        "duration": "45",
        "seats": "5",
        "sessions": "1",
        "timezone": "Europe/Madrid",
    } | fields
    form = {block: {"value": value} for block, value in values.items()}
    if channel is not None:
        form["channel"] = {"value": channel.id}
    return form


def as_shown(form: SlackView) -> dict[str, dict[str, Any]]:
    """What Slack submits for a form left as it opened: each input's initial value (the fake fills in none)."""
    initial = {"initial_value", "initial_date", "initial_time", "initial_conversation"}
    values: dict[str, dict[str, Any]] = {}
    for block in form.blocks:
        element = block.get("element") or {}
        if block.get("type") != "input":
            continue
        shown = next((element[key] for key in initial if key in element), None)
        if "initial_options" in element:
            shown = [option["value"] for option in element["initial_options"]]
        if shown is not None:
            values[block["block_id"]] = {element["action_id"]: shown}
    return values


@dataclass
class SlackWorld:
    bot: BotProcess
    slack: FakeSlack
    zoom: FakeZoom
    mode: Mode

    async def said(self, where: Where, pattern: str, *, timeout: float = 20) -> SlackMessage:
        """The next message from the bot, not ephemeral, in ``where`` (a user: their DM) matching ``pattern``."""
        return await self.slack.wait_for_message(
            where, lambda message: bool(re.search(pattern, message.all_text)), ephemeral=False, timeout=timeout
        )

    async def whispered(self, user: FakeSlackUser, pattern: str, *, timeout: float = 20) -> SlackMessage:
        """The next ephemeral message shown to ``user`` (anywhere) matching ``pattern``."""
        return await self.slack.wait_until(
            lambda: next(
                (m for m in self.slack.ephemeral_messages(user) if re.search(pattern, m.all_text)),
                None,
            ),
            timeout=timeout,
        )

    async def connect_zoom(self, teacher: FakeSlackUser, zoom_user_id: str) -> None:
        command = await self.slack.slash(teacher, "connect")
        assert command.in_time, command
        prompt = await self.said(teacher, "Connect your Zoom account")
        link = prompt.element("Connect Zoom").url
        assert link is not None
        await consent_in_browser(link, zoom_user_id)
        await self.said(teacher, "is connected")

    async def set_up_channel(self, admin: FakeSlackUser, channel: FakeSlackChannel) -> None:
        await self.slack.invite_bot(channel, by=admin)
        await self.said(channel, "A workspace admin runs")
        await self.slack.slash(admin, "setup", channel=channel)
        await self.said(channel, "ClassBot is set up in this channel")

    async def create_class(
        self, teacher: FakeSlackUser, title: str, *, channel: FakeSlackChannel | None = None, **fields: str
    ) -> SlackView:
        """``/classbot new`` and a filled-in form; returns the form as it was submitted."""
        await self.slack.slash(teacher, "new", channel=channel)
        form = await self.slack.wait_for_view(teacher, lambda view: view.callback_id == "new_class")
        created = await self.slack.submit_view(teacher, form, class_form(title, channel=channel, **fields))
        assert created.errors is None, created.errors
        return form

    async def book(self, parent: FakeSlackUser, card: SlackMessage | SlackView, child: str) -> None:
        await self.slack.press(parent, card, "Book a seat")
        form = await self.slack.wait_for_view(parent, lambda view: view.callback_id == "book_seat")
        booked = await self.slack.submit_view(parent, form, {"child": {"value": child}})
        assert booked.errors is None, booked.errors

    def zoom_links_in(self, where: Where | str) -> list[str]:
        return [url for message in self.slack.messages(where) for url in message.links if ZOOM_LINK.search(url)]

    async def all_handled(self, *, extra: int = 0, timeout: float = 20) -> None:
        """Until the bot has finished working on every delivery so far (its listeners' own count, on /metrics at
        its metrics port), and on ``extra`` requests posted to it by hand."""
        kinds = ("slash_commands", "interactive", "events_api")
        wanted = extra + sum(1 for d in self.slack.deliveries if d.kind in kinds)
        async with httpx.AsyncClient() as client:

            async def finished() -> bool:
                page = (await client.get(f"{self.bot.metrics_url}/metrics")).text
                found = re.search(r'^classbot_update_seconds_count\{platform="slack"\} (\d+)', page, re.M)
                return found is not None and int(found.group(1)) >= wanted

            await wait_until(finished, timeout=timeout, what=f"the bot to finish {wanted} Slack deliveries")


async def jobs_idle(database: Path, *, timeout: float = 20) -> None:
    """Until the bot (on the SQLite file ``database``) runs no job and has no message waiting to be sent
    (a teacher's digest of new bookings waits up to five seconds to gather them)."""

    async def idle() -> bool:
        with sqlite3.connect(database) as connection:
            (busy,) = connection.execute(
                "SELECT count(*) FROM jobs WHERE status = 'running'"
                " OR (status = 'pending' AND kind IN ('notify', 'booking.digest'))"
            ).fetchone()
        return int(busy) == 0

    await wait_until(idle, timeout=timeout, what="the bot's jobs to finish")


@asynccontextmanager
async def slack_world(
    tmp_path: Path,
    database_url: str,
    *,
    mode: Mode = "socket",
    multi_workspace: bool = False,
    environment: dict[str, str] | None = None,
) -> AsyncIterator[SlackWorld]:
    """The bot process (``environment`` adds or overrides its settings) and the fakes it talks to."""
    with FakeSlack() as slack, FakeZoom() as zoom:
        port = free_port()
        settings = {
            "DATABASE_URL": database_url,
            "ENCRYPTION_KEY": Fernet.generate_key().decode(),
            "HTTP_PORT": str(port),
            "PUBLIC_URL": f"http://127.0.0.1:{port}",
            "ZOOM_CLIENT_ID": zoom.client_id,
            "ZOOM_CLIENT_SECRET": zoom.client_secret,
            "ZOOM_OAUTH_URL": zoom.oauth_url,
            "ZOOM_API_URL": zoom.api_url,
            "ZOOM_WEBHOOK_SECRET_TOKEN": "zoom-webhook-secret",
            "SLACK_API_URL": slack.api_url,
        }
        if multi_workspace:
            settings |= {"SLACK_CLIENT_ID": slack.client_id, "SLACK_CLIENT_SECRET": slack.client_secret}
        else:
            settings["SLACK_BOT_TOKEN"] = slack.bot_token
        if mode == "socket":
            settings["SLACK_APP_TOKEN"] = slack.app_token
        else:
            settings["SLACK_SIGNING_SECRET"] = slack.signing_secret
        bot = BotProcess(tmp_path, settings | (environment or {}))
        bot.start()
        try:
            bot.wait_healthy()
            if mode == "socket":
                await slack.wait_for_socket()
            else:
                slack.set_request_url(f"{bot.url}/slack/events")
            yield SlackWorld(bot, slack, zoom, mode)
        finally:
            bot.kill()
