"""One complete Slack world for a run: a scratch PostgreSQL database behind the wire counter, the fake Zoom in its
own process, the fake Slack (in this process, in threads of its own, as the tests run it) and the real bot with
only its Slack front end, in HTTP mode (signed requests to ``/slack/events``) or in Socket Mode.

    async with SlackStack(workdir, SlackOptions(mode="http")) as stack:
        code = await stack.set_up_class(seats=1000)

The teacher goes through the product's own steps: an admin invites the bot to a channel and runs ``/classbot
setup`` there, the teacher runs ``/classbot connect`` and walks the connect link in a browser (Zoom's consent as
the fake's user), then ``/classbot new`` in the channel and submits the class form.

With ``limits`` Slack's published limits are on (per method, per workspace, for this app, as Slack applies them):
``chat.postMessage`` one message a second per channel (a burst of ``POST_BURST``), ``views.*`` and ``users.info``
Tier 4 (100 a minute, with a burst), ``users.conversations`` and ``conversations.open`` Tier 3 (50 a minute); a
trigger_id works for 3 s. Zoom's Pro
limits are on too (30 registrant calls a second), and the bot paces itself to Zoom's.
"""

from __future__ import annotations

import contextlib
import os
import re
from collections.abc import Awaitable, Callable
from contextlib import AsyncExitStack
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import TracebackType
from typing import Any, Literal, Self

import asyncpg  # type: ignore[import-untyped]
from classbot_fakes.slack import FakeSlack, FakeSlackChannel, FakeSlackUser, SlackMessage
from classbot_fakes.zoom.browser import ConsentFailed, consent_in_browser
from cryptography.fernet import Fernet

from bench.hosts import Bot, Host, zoom_host
from bench.machine import cpu_seconds
from bench.pg_wire import WireCounter
from bench.postgres import ScratchDatabase, scratch_database, server_url
from tests.support.ports import free_port

TEACHER_EMAIL = "teacher@example.org"
Mode = Literal["http", "socket"]

# Slack's published limits, per method per workspace per app (https://docs.slack.dev/apis/web-api/rate-limits):
# Tier 4 "100+ per minute ... generous burst behavior", Tier 3 "50+ per minute ... sporadic bursts", and
# chat.postMessage's "1 per second per channel, short bursts > 1 allowed". The bursts are not published; these are
# the fake's choice, small enough that a sustained burst meets the per-minute rate within seconds.
TIER_4 = 100 / 60
TIER_3 = 50 / 60
TIER_BURST = 10
POST_PER_CHANNEL = 1.0
POST_BURST = 3
LIMITS: dict[str, tuple[float, int]] = {
    "chat.postMessage": (POST_PER_CHANNEL, POST_BURST),
    "chat.postEphemeral": (POST_PER_CHANNEL, POST_BURST),
    "views.open": (TIER_4, TIER_BURST),
    "views.push": (TIER_4, TIER_BURST),
    "views.update": (TIER_4, TIER_BURST),
    "views.publish": (TIER_4, TIER_BURST),
    "users.info": (TIER_4, TIER_BURST),
    "users.conversations": (TIER_3, TIER_BURST),
    "conversations.open": (TIER_3, TIER_BURST),
}
_CODE = re.compile(r"class ([A-Za-z0-9]{6,})`")


@dataclass(frozen=True, slots=True)
class SlackOptions:
    mode: Mode = "http"
    limits: bool = False  # Slack's and Zoom's rate limits enforced (and the bot's Zoom pacing on)
    count_database: bool = True
    log_level: str = "INFO"


class SlackStack:
    """The world; ``bot_argv`` runs another program in the bot's place (the floor), with ``before_bot``'s
    settings added to its environment."""

    def __init__(
        self,
        workdir: Path,
        options: SlackOptions,
        *,
        before_bot: Callable[[SlackStack], Awaitable[dict[str, str]]] | None = None,
        bot_argv: list[str] | None = None,
    ) -> None:
        self.workdir = workdir
        self.options = options
        self._before_bot = before_bot
        self._bot_argv = bot_argv
        self._exit = AsyncExitStack()
        self.wire: WireCounter | None = None
        self._monitor: Any = None
        self.admin: FakeSlackUser | None = None
        self.teacher: FakeSlackUser | None = None
        self.room: FakeSlackChannel | None = None

    async def __aenter__(self) -> Self:
        try:
            await self._start()
        except BaseException:
            await self._exit.aclose()
            raise
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self._exit.aclose()

    async def _start(self) -> None:
        options = self.options
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.database: ScratchDatabase = await self._exit.enter_async_context(scratch_database())
        self.zoom: Host = await self._exit.enter_async_context(
            zoom_host(self.workdir, latency=0.0, per_second_limit=30 if options.limits else None, users=[TEACHER_EMAIL])
        )
        self.slack = FakeSlack()
        self.slack.start()
        self._exit.callback(self.slack.stop)
        self.admin = self.slack.add_user("Admin", is_admin=True)
        self.teacher = self.slack.add_user("Teacher")
        self.room = self.slack.add_channel("classes", members=[self.admin, self.teacher])
        extra = (await self._before_bot(self)) if self._before_bot is not None else {}
        port = None
        if options.count_database:
            self.wire = WireCounter(self.database.host, self.database.port)
            await self.wire.start()
            self._exit.push_async_callback(self.wire.stop)
            port = self.wire.port
            self._monitor = await asyncpg.connect(server_url())
            self._exit.push_async_callback(self._monitor.close)
        http_port = free_port()
        environment = {
            "DATABASE_URL": self.database.bot_url(port=port),
            "DATA_DIR": str(self.workdir / "data"),
            "ENCRYPTION_KEY": Fernet.generate_key().decode(),
            "HTTP_PORT": str(http_port),
            "PUBLIC_URL": f"http://127.0.0.1:{http_port}",
            "SLACK_API_URL": self.slack.api_url,
            "SLACK_BOT_TOKEN": self.slack.bot_token,
            "ZOOM_CLIENT_ID": self.zoom.value("ZOOM_CLIENT_ID"),
            "ZOOM_CLIENT_SECRET": self.zoom.value("ZOOM_CLIENT_SECRET"),
            "ZOOM_OAUTH_URL": self.zoom.value("ZOOM_OAUTH_URL"),
            "ZOOM_API_URL": self.zoom.value("ZOOM_API_URL"),
            "ZOOM_WEBHOOK_SECRET_TOKEN": "bench-zoom-webhook-secret",
            "ZOOM_PACED": "1" if options.limits else "0",
            "LOG_LEVEL": options.log_level,
            **extra,
        }
        if options.mode == "socket":
            environment["SLACK_APP_TOKEN"] = self.slack.app_token
        else:
            environment["SLACK_SIGNING_SECRET"] = self.slack.signing_secret
        self.bot = Bot(self.workdir, environment, argv=self._bot_argv)
        self._exit.callback(self.bot.stop)
        self.startup_seconds = await self.bot.wait_healthy()
        if options.mode == "socket":
            await self.slack.wait_for_socket(timeout=30)
        else:
            self.slack.set_request_url(f"{self.bot.url}/slack/events")

    def limits_on(self) -> None:
        """Slack's limits from now on (the set-up runs without them)."""
        for method, (per_second, burst) in LIMITS.items():
            self.slack.set_rate_limit(method, per_second, burst=burst)

    @property
    def pids(self) -> dict[str, int]:
        """The processes a run's CPU is read for: the bot, the fake Zoom, and this driver (with the fake Slack
        and the wire counter)."""
        return {"bot": self.bot.pid, "zoom": self.zoom.child.pid, "bench": os.getpid()}

    async def database_cpu(self) -> dict[int, float]:
        """CPU seconds used so far by each PostgreSQL backend connected to this run's scratch database (only the
        bot uses it while a phase is measured); empty without the wire."""
        if self._monitor is None:
            return {}
        rows = await self._monitor.fetch(
            "SELECT pid FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()", self.database.name
        )
        used: dict[int, float] = {}
        for row in rows:
            with contextlib.suppress(OSError):
                used[int(row["pid"])] = cpu_seconds(int(row["pid"]))
        return used

    async def said(self, where: FakeSlackUser | FakeSlackChannel, pattern: str, within: float = 30) -> SlackMessage:
        try:
            return await self.slack.wait_for_message(
                where, lambda message: bool(re.search(pattern, message.all_text)), ephemeral=False, timeout=within
            )
        except TimeoutError:
            raise RuntimeError(f"no message matching {pattern!r}:\n{self.bot.child.tail()}") from None

    async def set_up_class(self, *, seats: int) -> str:
        """The channel set up, the teacher's Zoom connected and a class made there; its code (as shared)."""
        slack, admin, teacher, room = self.slack, self.admin, self.teacher, self.room
        assert admin is not None
        assert teacher is not None
        assert room is not None
        await slack.invite_bot(room, by=admin)
        await self.said(room, "A workspace admin runs")
        await slack.slash(admin, "setup", channel=room)
        await self.said(room, "ClassBot is set up in this channel")
        await slack.slash(teacher, "connect")
        prompt = await self.said(teacher, "Connect your Zoom account")
        link = prompt.element("Connect Zoom").url
        assert link is not None
        try:
            await consent_in_browser(link, self.zoom.value("FAKE_ZOOM_USER_ID"), timeout=30)
        except ConsentFailed as failed:
            raise RuntimeError(f"connecting Zoom failed: {failed}") from failed
        await self.said(teacher, "is connected")
        await slack.slash(teacher, "new", channel=room)
        form = await slack.wait_for_view(teacher, lambda view: view.callback_id == "new_class", timeout=30)
        created = await slack.submit_view(teacher, form, class_form("Burst class", room, seats=seats), timeout=30)
        if created.errors is not None:
            raise RuntimeError(f"the class form was refused: {created.errors}")
        return code_of(await self.said(room, "New class"))

    def parents(self, count: int) -> list[FakeSlackUser]:
        """``count`` new parents, members of the class's channel."""
        assert self.room is not None
        made = [self.slack.add_user(f"Parent {n}") for n in range(count)]
        for parent in made:
            self.slack.join(parent, self.room)
        return made


def code_of(message: SlackMessage) -> str:
    """The class's public id from its Book button (``book:<id>``, the Act pattern's value)."""
    for button in message.buttons:
        if "Book" in (button.text or ""):
            found = re.search(r"([A-Za-z0-9]{6,})$", button.value or button.action_id or "")
            if found:
                return found.group(1)
    raise RuntimeError(f"no Book button with a class id in {message.all_text!r} {message.buttons}")


def class_form(title: str, room: FakeSlackChannel, *, seats: int) -> dict[str, Any]:
    """What the teacher types into the new-class form (as ``tests.slack.world.class_form``)."""
    values = {
        "title": title,
        "date": (datetime.now(UTC) + timedelta(days=7)).date().isoformat(),
        "time": "16:30",
        "duration": "45",
        "seats": str(seats),
        "sessions": "1",
        "timezone": "Europe/Madrid",
    }
    form: dict[str, Any] = {block: {"value": value} for block, value in values.items()}
    form["channel"] = {"value": room.id}
    return form
