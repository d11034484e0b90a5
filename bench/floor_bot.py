"""The floor: the least a Telegram bot must do for a parent's booking, so ClassBot's CPU has a yardstick.

    python -m bench.floor_bot     (settings from the environment, as ClassBot's; see ``serve``)

Same stack as ClassBot (python-telegram-bot inside a Starlette app under uvicorn, webhook mode with the secret
header, 64 concurrent updates, the Bot API over ClassBot's aiohttp transport, one shared httpx client for Zoom) and
the same external calls as ClassBot for each of a parent's three interactions:

1. ``/start c_<class>`` (the share link): the class card with its Book button;
2. the Book button: the callback's answer and the question "who is the seat for?";
3. the typed name: the reply, the question of the parent's timezone (ClassBot asks it at a first booking),
   Zoom's ``POST /meetings/{id}/registrants``, the parent's private link message, and the teacher's notice
   gathered as ClassBot gathers it: the first booking of a class opens a window of ``DIGEST_WINDOW_SECONDS``,
   and at its end one message tells the teacher of every booking made in it.

The class's Zoom meeting is made at its first booking, as ClassBot makes it (a look at the user's meetings, then
the new meeting). Nothing else: no database, no jobs, no rate limiter, no checks; the state (who was asked, the
bookings not yet told) lives in memory. The access token comes from the environment (``FLOOR_ZOOM_TOKEN``), so no
OAuth happens while it is measured.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import os
import secrets
from datetime import UTC, datetime, timedelta
from html import escape
from typing import Any

import httpx
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ParseMode
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from bot.core.job_kinds import DIGEST_NAMES, DIGEST_WINDOW_SECONDS
from bot.handlers.telegram.transport import AiohttpRequest

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"  # noqa: S105 - a header name
WEBHOOK_PATH = "/telegram/webhook"
TITLE = "Floor class"
SEATS = 1000
TIMEZONE = "America/New_York"


class Floor:
    def __init__(self, zoom: httpx.AsyncClient, teacher_chat: int) -> None:
        self._zoom = zoom
        self._teacher = teacher_chat
        self._meeting: str | None = None
        self._meeting_made = asyncio.Lock()
        self._asked: dict[int, str] = {}  # parent's chat -> the class they are naming a child for
        self._untold: list[str] = []  # children booked since the teacher's last notice
        self._digest: asyncio.Task[None] | None = None
        self._taken = 0
        self._timezone_asked: set[int] = set()  # parents asked their timezone (ClassBot asks at a first booking)

    async def card(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        chat = update.effective_chat
        assert chat is not None
        payload = context.args[0] if context.args else ""
        if not payload.startswith("c_"):
            await chat.send_message("Hello from the floor.")
            return
        class_id = payload[2:]
        book = InlineKeyboardMarkup([[InlineKeyboardButton("Book a seat", callback_data=f"book:{class_id}")]])
        await chat.send_message(
            f"<b>{TITLE}</b>\nNext: in 7 days, 16:30 UTC, 45 min\n{self._taken} of {SEATS} seats taken",
            parse_mode=ParseMode.HTML,
            reply_markup=book,
        )

    async def ask(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query, chat = update.callback_query, update.effective_chat
        assert query is not None
        assert chat is not None
        await query.answer()
        self._asked[chat.id] = (query.data or "").removeprefix("book:")
        await chat.send_message(f"“{TITLE}”: who is the seat for?\nType the child's first name.")

    async def name(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        chat, message = update.effective_chat, update.effective_message
        assert chat is not None
        assert message is not None
        if self._asked.pop(chat.id, None) is None:
            return
        child = escape(message.text or "", quote=False)
        self._taken += 1
        await chat.send_message(
            f"Booked: {child} in “{TITLE}”. Your Zoom link follows here.", parse_mode=ParseMode.HTML
        )
        if chat.id not in self._timezone_asked:
            self._timezone_asked.add(chat.id)
            zone = InlineKeyboardMarkup([[InlineKeyboardButton(TIMEZONE, callback_data=f"tz:{TIMEZONE}")]])
            await chat.send_message(
                f"Which timezone do you live in? I'll show class times in it too. Tap {TIMEZONE} if it is yours, "
                f"or type yours as Area/City, for example {TIMEZONE}.",
                reply_markup=zone,
            )
        self._untold.append(child)
        if self._digest is None:
            self._digest = asyncio.create_task(self._tell_teacher(context))
        meeting = await self._meeting_id()
        answer = await self._zoom.post(
            f"/meetings/{meeting}/registrants",
            json={"email": f"parent-{secrets.token_hex(6)}@classbot.example", "first_name": child[:64]},
        )
        answer.raise_for_status()
        link = InlineKeyboardMarkup([[InlineKeyboardButton("Join the class on Zoom", url=answer.json()["join_url"])]])
        await context.bot.send_message(
            chat.id,
            f"You're booked: {child} in “{TITLE}”. Here is your Zoom link; keep this message.",
            parse_mode=ParseMode.HTML,
            reply_markup=link,
        )

    async def _tell_teacher(self, context: ContextTypes.DEFAULT_TYPE) -> None:
        """One notice for the bookings of one window, as ClassBot's digest job."""
        await asyncio.sleep(DIGEST_WINDOW_SECONDS)
        untold, self._untold, self._digest = self._untold, [], None
        names = ", ".join(untold[:DIGEST_NAMES])
        if len(untold) > DIGEST_NAMES:
            names += f" and {len(untold) - DIGEST_NAMES} more"
        taken = f"{self._taken} of {SEATS} seats taken"
        if len(untold) == 1:
            text = f"New booking: {untold[0]} for “{TITLE}” ({taken})."
        else:
            text = f"{len(untold)} new bookings for “{TITLE}”: {names} ({taken})."
        await context.bot.send_message(self._teacher, text, parse_mode=ParseMode.HTML)

    async def _meeting_id(self) -> str:
        async with self._meeting_made:
            if self._meeting is None:
                self._meeting = await create_meeting(self._zoom)
            return self._meeting


async def create_meeting(zoom: httpx.AsyncClient) -> str:
    start = (datetime.now(UTC) + timedelta(days=7)).strftime("%Y-%m-%dT16:30:00")
    body = {
        "topic": TITLE,
        "type": 2,
        "start_time": start,
        "timezone": "UTC",
        "duration": 45,
        "settings": {"approval_type": 0, "registrants_email_notification": False},
    }
    (await zoom.get("/users/me/meetings", params={"type": "upcoming"})).raise_for_status()  # as ClassBot looks first
    answer = await zoom.post("/users/me/meetings", json=body)
    answer.raise_for_status()
    return str(answer.json()["id"])


def web_app(application: Application[Any, Any, Any, Any, Any, Any], secret: str) -> Starlette:
    async def webhook(request: Request) -> Response:
        if not hmac.compare_digest(request.headers.get(SECRET_HEADER, "").encode(), secret.encode()):
            return JSONResponse({"error": "forbidden"}, status_code=403)
        update = Update.de_json(await request.json(), application.bot)
        await application.update_queue.put(update)
        return JSONResponse({"ok": True})

    async def healthz(request: Request) -> Response:
        return JSONResponse({"status": "ok"})

    return Starlette(routes=[Route(WEBHOOK_PATH, webhook, methods=["POST"]), Route("/healthz", healthz)])


async def serve() -> None:
    env = os.environ
    zoom = httpx.AsyncClient(
        base_url=env["ZOOM_API_URL"], headers={"Authorization": f"Bearer {env['FLOOR_ZOOM_TOKEN']}"}, timeout=10
    )
    application = (
        ApplicationBuilder()
        .token(env["TELEGRAM_BOT_TOKEN"])
        .base_url(env["TELEGRAM_BASE_URL"])
        .request(AiohttpRequest())
        .updater(None)
        .concurrent_updates(64)
        .build()
    )
    floor = Floor(zoom, int(env["FLOOR_TEACHER_CHAT"]))
    application.add_handler(CommandHandler("start", floor.card))
    application.add_handler(CallbackQueryHandler(floor.ask))
    application.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, floor.name))
    await application.initialize()
    secret = env["TELEGRAM_WEBHOOK_SECRET"]
    await application.bot.set_webhook(env["PUBLIC_URL"].rstrip("/") + WEBHOOK_PATH, secret_token=secret)
    await application.start()
    server = uvicorn.Server(
        uvicorn.Config(
            web_app(application, secret),
            host="127.0.0.1",
            port=int(env["HTTP_PORT"]),
            lifespan="off",
            log_config=None,
            access_log=False,
        )
    )
    try:  # uvicorn stops on SIGTERM by itself
        await server.serve()
    finally:
        with contextlib.suppress(Exception):
            await application.stop()
            await application.shutdown()
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
