"""The Bot API over aiohttp: what python-telegram-bot sends arrives as Telegram reads it, and failures come back as
the library's own errors, so its handling and our pacer's retries work as they did over httpx."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator, Iterator

import pytest
from telegram import Bot, InputFile
from telegram.error import BadRequest, NetworkError, RetryAfter, TimedOut

from bot.fakes.telegram import FakeTelegram
from bot.handlers.telegram.transport import AiohttpRequest


@pytest.fixture
def fake() -> Iterator[FakeTelegram]:
    with FakeTelegram() as server:
        yield server


@pytest.fixture
async def bot(fake: FakeTelegram) -> AsyncIterator[Bot]:
    async with Bot(fake.token, base_url=fake.base_url, request=AiohttpRequest()) as client:
        yield client


async def test_a_message_with_a_keyboard_arrives_as_sent(fake: FakeTelegram, bot: Bot) -> None:
    parent = fake.add_user("Ana")
    parent.start_private_chat()

    await bot.send_message(
        parent.id,
        "<b>Booked</b>: Mia in Chess",
        parse_mode="HTML",
        reply_markup={"inline_keyboard": [[{"text": "Join", "url": "https://zoom.example/j/1"}]]},
    )

    message = fake.last_message(parent.id)
    assert message.text == "Booked: Mia in Chess"
    assert message.button_texts == ["Join"]


async def test_a_file_goes_as_multipart_with_its_name_and_caption(fake: FakeTelegram, bot: Bot) -> None:
    parent = fake.add_user("Ana")
    parent.start_private_chat()
    body = b"BEGIN:VCALENDAR\r\nSUMMARY:Chess (Mia)\r\nEND:VCALENDAR\r\n"

    await bot.send_document(parent.id, InputFile(body, filename="chess.ics"), caption="Add it to your calendar")

    message = fake.last_message(parent.id)
    assert message.document is not None
    assert message.document.data == body
    assert message.document.file_name == "chess.ics"
    assert message.caption == "Add it to your calendar"


async def test_telegram_refusals_reach_the_library_as_its_errors(fake: FakeTelegram, bot: Bot) -> None:
    parent = fake.add_user("Ana")
    parent.start_private_chat()
    fake.fail_next("sendMessage", 429, retry_after=7)

    with pytest.raises(RetryAfter) as flood:
        await bot.send_message(parent.id, "hello")
    with pytest.raises(BadRequest, match=r"(?i)chat not found"):
        await bot.send_message(999_999_999, "hello")

    assert flood.value.retry_after == 7


async def test_an_unreachable_server_is_a_network_error() -> None:
    with socket.socket() as probe:  # a port nothing listens on once this socket is closed
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    async with AiohttpRequest() as request:
        with pytest.raises(NetworkError, match="aiohttp"):
            await request.post(f"http://127.0.0.1:{port}/botTOKEN/getMe")


async def test_a_server_that_never_answers_times_out() -> None:
    async def swallow(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.read()  # reads the request, answers nothing, until the client gives up
        writer.close()

    server = await asyncio.start_server(swallow, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    async with server, AiohttpRequest(read_timeout=0.2) as request:
        with pytest.raises(TimedOut):
            await request.post(f"http://127.0.0.1:{port}/botTOKEN/getMe")
