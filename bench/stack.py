"""One complete world for a run: a scratch PostgreSQL database, the fake Telegram and Zoom hosts in their own
processes, the wire counter in front of the database, and the real bot in Telegram webhook mode.

    async with Stack(workdir, options) as stack:
        teacher = await stack.connect_teacher()
        class_id = await stack.create_class(teacher, seats=1000)

The teacher goes through the product's own steps: /start, /connect, the browser's visit to the connect link
(our /zoom/oauth/start, then Zoom's authorize page as the fake's user, then our callback), and /newclass.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import tempfile
from collections.abc import Awaitable, Callable, Iterator
from contextlib import AsyncExitStack, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import TracebackType
from typing import Any, Self

import asyncpg  # type: ignore[import-untyped]
from classbot_fakes.zoom.browser import ConsentFailed, consent_in_browser
from cryptography.fernet import Fernet

from bench.hosts import Bot, Host, telegram_host, zoom_host
from bench.machine import cpu_seconds
from bench.pg_wire import WireCounter
from bench.postgres import ScratchDatabase, scratch_database, server_url
from tests.support.ports import free_port

TEACHER_EMAIL = "teacher@example.org"
WEBHOOK_SECRET = "bench-webhook-secret"  # noqa: S105 - made up for the fake, like every credential here
_URL = re.compile(r'"url": ?"([^"]+)"')
_CLASS_LINK = re.compile(r"start=c_([A-Za-z0-9]+)")


@dataclass(frozen=True, slots=True)
class Options:
    """How the platforms behave: answer latency, and whether their rate limits are enforced."""

    telegram_latency: float = 0.0
    zoom_latency: float = 0.0
    telegram_limits: bool = False
    zoom_per_second_limit: int | None = None
    count_database: bool = True
    log_level: str = "INFO"
    # Webhook deliveries in flight at once: Telegram's default max_connections is 40; 1 is the fake's own
    # one-at-a-time delivery (see bench.webhook_fanout).
    webhook_connections: int = 40


class Stack:
    def __init__(
        self,
        workdir: Path,
        options: Options,
        *,
        before_bot: Callable[[Stack], Awaitable[dict[str, str] | None]] | None = None,
        bot_argv: list[str] | None = None,
    ) -> None:
        self.workdir = workdir
        self.options = options
        self._before_bot = before_bot
        self._bot_argv = bot_argv
        self._exit = AsyncExitStack()
        self.wire: WireCounter | None = None
        self._monitor: Any = None  # an asyncpg connection to the server's own database, for pg_stat_activity

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
        self.telegram: Host = await self._exit.enter_async_context(
            telegram_host(self.workdir, latency=options.telegram_latency, enforce_limits=options.telegram_limits)
        )
        self.zoom: Host = await self._exit.enter_async_context(
            zoom_host(
                self.workdir,
                latency=options.zoom_latency,
                per_second_limit=options.zoom_per_second_limit,
                users=[TEACHER_EMAIL],
            )
        )
        extra = (await self._before_bot(self)) if self._before_bot is not None else None
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
            "TELEGRAM_BOT_TOKEN": self.telegram.value("TELEGRAM_BOT_TOKEN"),
            "TELEGRAM_BASE_URL": self.telegram.value("TELEGRAM_BASE_URL"),
            "TELEGRAM_WEBHOOK": "1",
            # Limits off: the bot's own pacing off too (as with a local Bot API server), to measure raw capacity.
            "TELEGRAM_MESSAGES_PER_SECOND": "28" if self.options.telegram_limits else "0",
            "TELEGRAM_WEBHOOK_SECRET": WEBHOOK_SECRET,
            "ZOOM_CLIENT_ID": self.zoom.value("ZOOM_CLIENT_ID"),
            "ZOOM_CLIENT_SECRET": self.zoom.value("ZOOM_CLIENT_SECRET"),
            "ZOOM_OAUTH_URL": self.zoom.value("ZOOM_OAUTH_URL"),
            "ZOOM_API_URL": self.zoom.value("ZOOM_API_URL"),
            "ZOOM_WEBHOOK_SECRET_TOKEN": "bench-zoom-webhook-secret",
            # Likewise the bot's pacing to Zoom's per-second limits: on exactly when the fake Zoom enforces them.
            "ZOOM_PACED": "1" if self.options.zoom_per_second_limit is not None else "0",
            "LOG_LEVEL": options.log_level,
            **(extra or {}),
        }
        self.bot_environment = environment  # for another process of ClassBot's beside it (bench.core_probes)
        self.bot = Bot(self.workdir, environment, argv=self._bot_argv)
        self._exit.callback(self.bot.stop)
        self.startup_seconds = await self.bot.wait_healthy()
        webhook = await self.telegram.call("/webhook")
        if not webhook["url"]:
            raise RuntimeError("the bot is healthy but set no Telegram webhook")
        if options.webhook_connections > 1:
            await self.telegram.call(
                "/interpose", {"secret": WEBHOOK_SECRET, "connections": options.webhook_connections}
            )

    @property
    def pids(self) -> dict[str, int]:
        """The processes a run's CPU is read for: the bot, the fakes, and this driver (with the wire counter)."""
        return {
            "bot": self.bot.pid,
            "telegram": self.telegram.child.pid,
            "zoom": self.zoom.child.pid,
            "bench": os.getpid(),
        }

    async def database_cpu(self) -> dict[int, float]:
        """CPU seconds used so far by each PostgreSQL backend serving the bot: the backends connected to this
        run's scratch database, which only the bot uses while a phase is measured (empty without the wire).

        The server runs on this machine, so its backends' /proc entries are readable; a backend gone by the
        time it is read is left out (the caller sees it missing from the second reading)."""
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

    @property
    def bot_username(self) -> str:
        return self.telegram.value("BOT_USERNAME")

    async def users(self, count: int, prefix: str) -> list[int]:
        made: list[int] = []
        while len(made) < count:  # in slices, so no request carries a huge body
            step = min(5000, count - len(made))
            made += (await self.telegram.call("/users", {"count": step, "prefix": prefix}))["ids"]
        return made

    async def act(
        self,
        users: list[int],
        action: dict[str, Any],
        expect: dict[str, Any],
        *,
        rate: float = 0.0,
        within: float = 120.0,
        return_messages: bool = False,
    ) -> dict[str, Any]:
        payload = {
            "users": users,
            "action": action,
            "expect": expect,
            "rate": rate,
            "timeout": within,
            "return_messages": return_messages,
        }
        answer: dict[str, Any] = await self.telegram.call("/act", payload)
        return answer

    async def say(self, user: int, text: str, pattern: str, within: float = 30.0) -> str:
        """``user`` types ``text``; the first answer matching ``pattern`` (text, then buttons as JSON)."""
        answer = await self.act(
            [user], {"kind": "send", "text": text}, {"pattern": pattern}, within=within, return_messages=True
        )
        [result] = answer["results"]
        if not result["matched"]:
            raise RuntimeError(f"no answer matching {pattern!r} to {text!r} within {within}s:\n{self.bot.child.tail()}")
        return str(result["messages"][0])

    async def connect_teacher(self) -> int:
        [teacher] = await self.users(1, "Teacher")
        await self.say(teacher, "/start", "ClassBot")
        prompt = await self.say(teacher, "/connect", "Connect your Zoom account")
        [link] = _URL.findall(prompt)
        zoom_user = self.zoom.value("FAKE_ZOOM_USER_ID")
        try:
            await consent_in_browser(link, zoom_user, timeout=30)
        except ConsentFailed as failed:
            raise RuntimeError(f"connecting Zoom failed: {failed}") from failed
        await self._wait_teacher(teacher, "is connected")
        return teacher

    async def _wait_teacher(self, teacher: int, pattern: str) -> None:
        found = await self.telegram.call("/count", {"chat": teacher, "pattern": pattern, "count": 1, "timeout": 30})
        if not found["matched"]:
            raise RuntimeError(f"the teacher never saw {pattern!r}:\n{self.bot.child.tail()}")

    async def create_class(self, teacher: int, *, seats: int, title: str = "Burst class") -> str:
        when = (datetime.now(UTC) + timedelta(days=7)).strftime("%Y-%m-%d 16:30")
        created = await self.say(teacher, f"/newclass {title} | {when} | 45 | {seats}", "Created")
        found = _CLASS_LINK.search(created)
        if found is None:
            raise RuntimeError(f"no share link in the bot's answer: {created!r}")
        return found.group(1)

    def share_link(self, class_id: str) -> str:
        return f"https://t.me/{self.bot_username}?start=c_{class_id}"

    async def telegram_calls(self, since: int = 0) -> dict[str, Any]:
        answer: dict[str, Any] = await self.telegram.call(f"/calls?since={since}")
        return answer

    async def zoom_calls(self, since: int = 0) -> dict[str, Any]:
        answer: dict[str, Any] = await self.zoom.call(f"/calls?since={since}")
        return answer


@contextmanager
def scratch_folder(keep: bool) -> Iterator[Path]:
    """A folder for a run's logs and files: removed afterwards, or kept (and named) with ``keep``."""
    if keep:
        folder = Path(tempfile.mkdtemp(prefix="classbot-bench-"))
        yield folder
        print(f"logs kept in {folder}", flush=True)
        return
    with tempfile.TemporaryDirectory(prefix="classbot-bench-") as scratch:
        yield Path(scratch)


def decode_markup(words: str) -> dict[str, Any]:
    """The reply markup part of what ``bench.crowd`` recorded for a message (empty when there was none)."""
    _, _, markup = words.partition("\n")
    return json.loads(markup) if markup.strip() else {}
