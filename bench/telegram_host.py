"""The fake Telegram in its own process, with the people who use the bot and a control API to steer them.

    python -m bench.telegram_host [--latency 0.1] [--enforce-limits]

Prints ``TELEGRAM_BASE_URL``, ``TELEGRAM_BOT_TOKEN``, ``BOT_USERNAME`` and ``CONTROL_URL``. The control API:

    POST /users     {"count": n, "prefix": "Parent"}: n new users (who have not started the bot); their ids
    POST /act       people act and wait for the bot's answers (see ``bench.crowd.Crowd.act``)
    POST /count     {"chat", "pattern", "count", "timeout"}: messages the bot sent to a chat that match
    GET  /calls     ?since=N: Bot API calls counted by method and status from call N on
    POST /settings  {"latency": s, "enforce_limits": bool}
    GET  /webhook   the webhook the bot set, and the updates still queued for it
    POST /interpose {"secret", "connections"}: deliver webhooks over that many connections (``webhook_fanout``)
    GET  /clock     this process's monotonic clock, which every time in the answers above is read from
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import time
from typing import Any

from classbot_fakes.telegram import FakeTelegram
from starlette.routing import Route

from bench.crowd import Crowd, Transcript
from bench.hosting import json_route, serve_control
from bench.webhook_fanout import WebhookFanout


class TelegramHost:
    def __init__(self, fake: FakeTelegram) -> None:
        self.fake = fake
        self.transcript = Transcript(fake)
        self.crowd = Crowd(fake, self.transcript)
        self.fanout = WebhookFanout(fake)
        self.control_url = ""

    async def users(self, arguments: dict[str, Any]) -> dict[str, Any]:
        prefix = str(arguments.get("prefix", "Parent"))
        made = [self.fake.add_user(f"{prefix} {n}").id for n in range(int(arguments["count"]))]
        return {"ids": made}

    async def calls(self, arguments: dict[str, Any]) -> dict[str, Any]:
        return self.transcript.counts(int(arguments.get("since", 0)))

    async def settings(self, arguments: dict[str, Any]) -> dict[str, Any]:
        if "latency" in arguments:
            self.fake.latency = float(arguments["latency"])
        if "enforce_limits" in arguments:
            self.fake.enforce_limits = bool(arguments["enforce_limits"])
        return {"latency": self.fake.latency, "enforce_limits": self.fake.enforce_limits}

    async def webhook(self, arguments: dict[str, Any]) -> dict[str, Any]:
        return {
            "url": self.fake.webhook_url,
            "pending": len(self.fake.pending_updates) + self.fanout.pending,
            "dropped": len(self.fake.dropped_webhook_updates) + self.fanout.failed,
        }

    async def interpose(self, arguments: dict[str, Any]) -> dict[str, Any]:
        return await self.fanout.interpose({**arguments, "here": f"{self.control_url}/webhook-in"})

    async def clock(self, arguments: dict[str, Any]) -> dict[str, Any]:
        return {"now": time.monotonic()}


async def main_async(arguments: argparse.Namespace) -> None:
    fake = FakeTelegram(latency=arguments.latency, enforce_limits=arguments.enforce_limits)
    with fake:
        host = TelegramHost(fake)
        following = asyncio.create_task(host.transcript.follow())
        routes = [
            json_route("/users", host.users),
            json_route("/act", host.crowd.act),
            json_route("/count", host.crowd.count),
            json_route("/calls", host.calls),
            json_route("/settings", host.settings),
            json_route("/webhook", host.webhook),
            json_route("/clock", host.clock),
            json_route("/interpose", host.interpose),
            Route("/webhook-in", host.fanout.receive, methods=["POST"]),
        ]
        lines = [
            f"FAKE_TELEGRAM_URL={fake.url}",
            f"TELEGRAM_BASE_URL={fake.base_url}",
            f"TELEGRAM_BOT_TOKEN={fake.token}",
            f"BOT_USERNAME={fake.bot_username}",
        ]
        try:
            await serve_control(routes, lines, on_url=lambda url: setattr(host, "control_url", url))
        finally:
            await host.fanout.close()
            following.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await following


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.telegram_host", description=__doc__)
    parser.add_argument("--latency", type=float, default=0.0)
    parser.add_argument("--enforce-limits", action="store_true")
    asyncio.run(main_async(parser.parse_args()))


if __name__ == "__main__":
    main()
