"""The Slack floor: the least a slack-bolt app must do for a parent's booking, so ClassBot's CPU has a yardstick.

    python -m bench.slack_floor_bot     (settings from the environment, as ClassBot's; see ``serve``)

Same stack as ClassBot's Slack front end (slack-bolt's AsyncApp behind its Starlette adapter at ``/slack/events``
under uvicorn, signed requests checked, or Socket Mode with ``SLACK_APP_TOKEN``; slack-sdk's AsyncWebClient with
ClassBot's retry handlers; one shared httpx client for Zoom) and the same Web API and Zoom calls as ClassBot for
each of a parent's three interactions:

1. ``/classbot class CODE`` (the code a teacher shares): acknowledged; the parent's channels asked of Slack
   (``users.conversations``, as ClassBot checks who may see the class) and their profile (``users.info``, their
   locale and timezone); the class card with its Book button through the command's ``response_url``;
2. the Book button: acknowledged; the profile again (ClassBot keeps nothing of someone who only looked); the
   "who is the seat for?" modal by ``views.open`` with the press's trigger_id;
3. the submitted modal: the profile (once: the row the booking makes keeps the locale and zone); the
   acknowledgement that closes it; the "Booked" direct message and the Home tab published; Zoom's registrant
   call, the private link message and the Home tab again; and the teacher's notice gathered as ClassBot gathers
   it: the first booking of a window opens ``DIGEST_WINDOW_SECONDS``, at its end one direct message tells the
   teacher of every booking in it, and their Home tab is published.

The class's Zoom meeting is made at its first booking (a look at the user's meetings, then the new meeting), as
ClassBot makes it. Nothing else: no database, no jobs, no checks beyond Bolt's; state lives in memory. The Zoom
access token comes from the environment (``FLOOR_ZOOM_TOKEN``), so no OAuth happens while it is measured.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import secrets
from typing import Any

import httpx
import uvicorn
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.adapter.starlette.async_handler import AsyncSlackRequestHandler
from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncRespond
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
)
from slack_sdk.web.async_client import AsyncWebClient
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from bench.floor_bot import create_meeting
from bot.core.job_kinds import DIGEST_NAMES, DIGEST_WINDOW_SECONDS

TITLE = "Floor class"
SEATS = 1000
CODE = "FloorClass01"


def _text(words: str) -> list[dict[str, Any]]:
    return [{"type": "section", "text": {"type": "mrkdwn", "text": words}}]


class SlackFloor:
    def __init__(self, client: AsyncWebClient, zoom: httpx.AsyncClient, teacher: str) -> None:
        self._client = client
        self._zoom = zoom
        self._teacher = teacher
        self._meeting: str | None = None
        self._meeting_made = asyncio.Lock()
        self._untold: list[str] = []
        self._digest: asyncio.Task[None] | None = None
        self._taken = 0
        self._booked: dict[str, list[str]] = {}  # a parent's children, for their Home tab

    async def _profile(self, user: str) -> None:
        await self._client.users_info(user=user, include_locale=True)

    async def card(self, ack: AsyncAck, body: dict[str, Any], respond: AsyncRespond) -> None:
        await ack()
        user = str(body["user_id"])
        await self._client.users_conversations(
            user=user, types="public_channel,private_channel", exclude_archived=True, limit=1000
        )
        await self._profile(user)
        blocks = [
            *_text(f"*“{TITLE}”*\nNext: in 7 days, 16:30, 45 min\n{SEATS - self._taken} of {SEATS} seats left"),
            {
                "type": "actions",
                "elements": [
                    {
                        "type": "button",
                        "text": {"type": "plain_text", "text": "Book a seat"},
                        "action_id": f"book:{CODE}",
                        "value": f"book:{CODE}",
                    }
                ],
            },
        ]
        await respond(text=TITLE, blocks=blocks, response_type="ephemeral", replace_original=False)

    async def book(self, ack: AsyncAck, body: dict[str, Any]) -> None:
        await ack()
        await self._profile(str(body["user"]["id"]))
        modal = {
            "type": "modal",
            "callback_id": "book_seat",
            "private_metadata": CODE,
            "title": {"type": "plain_text", "text": "Book a seat"},
            "submit": {"type": "plain_text", "text": "Book"},
            "close": {"type": "plain_text", "text": "Cancel"},
            "blocks": [
                *_text(f"*“{TITLE}”*\nWho is the seat for?"),
                {
                    "type": "input",
                    "block_id": "child",
                    "label": {"type": "plain_text", "text": "Child's first name"},
                    "element": {"type": "plain_text_input", "action_id": "value", "max_length": 300},
                },
            ],
        }
        await self._client.views_open(trigger_id=str(body["trigger_id"]), view=modal)

    async def name(self, ack: AsyncAck, body: dict[str, Any], view: dict[str, Any]) -> None:
        user = str(body["user"]["id"])
        await self._profile(user)
        child = str(view["state"]["values"]["child"]["value"]["value"]).strip()[:64]
        self._taken += 1
        await ack()
        self._booked.setdefault(user, []).append(child)
        await self._dm(user, f"Booked: {child} in “{TITLE}”. Your Zoom link follows here.")
        await self._home(user)
        self._untold.append(child)
        if self._digest is None:
            self._digest = asyncio.create_task(self._tell_teacher())
        meeting = await self._meeting_id()
        answer = await self._zoom.post(
            f"/meetings/{meeting}/registrants",
            json={"email": f"parent-{secrets.token_hex(6)}@classbot.example", "first_name": child},
        )
        answer.raise_for_status()
        link = {
            "type": "actions",
            "elements": [
                {
                    "type": "button",
                    "text": {"type": "plain_text", "text": "Join the class on Zoom"},
                    "url": answer.json()["join_url"],
                }
            ],
        }
        words = f"You're booked: {child} in “{TITLE}”. Here is your Zoom link; keep this message."
        await self._client.chat_postMessage(
            channel=user, text=words, blocks=[*_text(words), link], unfurl_links=False, unfurl_media=False
        )
        await self._home(user)

    async def _dm(self, user: str, words: str) -> None:
        await self._client.chat_postMessage(
            channel=user, text=words, blocks=_text(words), unfurl_links=False, unfurl_media=False
        )

    async def _home(self, user: str) -> None:
        children = ", ".join(self._booked.get(user, [])) or "no bookings yet"
        home = {"type": "home", "blocks": [*_text(f"*ClassBot*\nYour bookings: {children} in “{TITLE}”")]}
        await self._client.views_publish(user_id=user, view=home)

    async def _tell_teacher(self) -> None:
        """One notice for the bookings of one window, as ClassBot's digest job, and the teacher's Home tab."""
        await asyncio.sleep(DIGEST_WINDOW_SECONDS)
        untold, self._untold, self._digest = self._untold, [], None
        names = ", ".join(untold[:DIGEST_NAMES])
        if len(untold) > DIGEST_NAMES:
            names += f" and {len(untold) - DIGEST_NAMES} more"
        taken = f"{self._taken} of {SEATS} seats taken"
        if len(untold) == 1:
            words = f"New booking: {untold[0]} for “{TITLE}” ({taken})."
        else:
            words = f"{len(untold)} new bookings for “{TITLE}”: {names} ({taken})."
        await self._client.chat_postMessage(channel=self._teacher, text=words, blocks=_text(words), unfurl_links=False)
        await self._home(self._teacher)

    async def _meeting_id(self) -> str:
        async with self._meeting_made:
            if self._meeting is None:
                self._meeting = await create_meeting(self._zoom)
            return self._meeting


def build(env: dict[str, str], zoom: httpx.AsyncClient) -> AsyncApp:
    client = AsyncWebClient(
        token=env["SLACK_BOT_TOKEN"],
        base_url=env["SLACK_API_URL"],
        timeout=10,
        retry_handlers=[
            AsyncConnectionErrorRetryHandler(max_retry_count=1),
            AsyncRateLimitErrorRetryHandler(max_retry_count=2),
        ],
    )
    app = AsyncApp(client=client, signing_secret=env.get("SLACK_SIGNING_SECRET", ""))
    floor = SlackFloor(client, zoom, env["FLOOR_TEACHER"])
    app.command("/classbot")(floor.card)
    app.action(f"book:{CODE}")(floor.book)
    app.view("book_seat")(floor.name)
    return app


async def serve() -> None:
    env = dict(os.environ)
    zoom = httpx.AsyncClient(
        base_url=env["ZOOM_API_URL"], headers={"Authorization": f"Bearer {env['FLOOR_ZOOM_TOKEN']}"}, timeout=10
    )
    app = build(env, zoom)
    adapter = AsyncSlackRequestHandler(app)

    async def events(request: Request) -> Response:
        return await adapter.handle(request)

    async def healthz(request: Request) -> Response:
        return JSONResponse({"status": "ok"})

    socket: AsyncSocketModeHandler | None = None
    if env.get("SLACK_APP_TOKEN"):
        socket = AsyncSocketModeHandler(app, env["SLACK_APP_TOKEN"])
        await socket.connect_async()  # type: ignore[no-untyped-call]
    web = Starlette(routes=[Route("/slack/events", events, methods=["POST"]), Route("/healthz", healthz)])
    server = uvicorn.Server(
        uvicorn.Config(
            web, host="127.0.0.1", port=int(env["HTTP_PORT"]), lifespan="off", log_config=None, access_log=False
        )
    )
    try:  # uvicorn stops on SIGTERM by itself
        await server.serve()
    finally:
        if socket is not None:
            with contextlib.suppress(Exception):
                await socket.close_async()  # type: ignore[no-untyped-call]
        await zoom.aclose()


def main() -> None:
    try:  # the same event loop as ClassBot's server (bot/runtime.py), so the ratio compares like with like
        import uvloop
    except ImportError:
        asyncio.run(serve())
        return
    with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
        runner.run(serve())


if __name__ == "__main__":
    main()
