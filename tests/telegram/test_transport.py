"""The Bot API over aiohttp: what python-telegram-bot sends arrives as Telegram reads it, and failures come back as
the library's own errors, so its handling and our pacer's retries work as they did over httpx."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator, Iterator

import pytest
from classbot_fakes.telegram import FakeTelegram
from telegram import Bot, InputFile
from telegram.error import BadRequest, NetworkError, RetryAfter, TimedOut

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

    await bot.send_document(parent.id, InputFile(body, filename="Ajedrez (Mía).ics"), caption="Add it to your calendar")

    message = fake.last_message(parent.id)
    assert message.document is not None
    assert message.document.data == body
    assert message.document.file_name == "Ajedrez (Mía).ics"  # as named, not percent-encoded
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


async def test_an_unreachable_server_is_a_network_error_that_names_no_token() -> None:
    with socket.socket() as probe:  # a port nothing listens on once this socket is closed
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    async with AiohttpRequest() as request:
        with pytest.raises(NetworkError, match="aiohttp") as failed:
            await request.post(f"http://127.0.0.1:{port}/bot123:SECRET-token/getMe")

    assert "SECRET-token" not in repr(failed.value) + repr(failed.value.__cause__)


@pytest.fixture
async def silent_server() -> AsyncIterator[str]:
    """A server that reads each request and never answers: the client's read timeout is all that ends a call."""

    async def swallow(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.read()  # until the client gives up and closes
        writer.close()

    server = await asyncio.start_server(swallow, "127.0.0.1", 0)
    async with server:
        yield f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}/bot123:SECRET-token/getMe"


async def test_a_server_that_never_answers_times_out_on_the_read_timeout(silent_server: str) -> None:
    # No other timeout is set, so without the read timeout the call would wait for the guard below.
    unbounded = {"write_timeout": None, "connect_timeout": None, "pool_timeout": None}
    async with AiohttpRequest(read_timeout=0.2, **unbounded) as request, asyncio.timeout(10):
        with pytest.raises(TimedOut) as timed_out:
            await request.post(silent_server)

    assert "SECRET-token" not in repr(timed_out.value) + repr(timed_out.value.__cause__)


async def test_a_calls_own_read_timeout_wins_over_the_default(silent_server: str) -> None:
    unbounded = {"read_timeout": None, "write_timeout": None, "connect_timeout": None, "pool_timeout": None}
    async with AiohttpRequest(**unbounded) as request, asyncio.timeout(10):
        with pytest.raises(TimedOut):
            await request.post(silent_server, read_timeout=0.2)


async def test_the_transport_works_before_it_is_initialized_and_not_after_it_is_shut(fake: FakeTelegram) -> None:
    """As python-telegram-bot's own: the job worker may send before the front end has started."""
    get_me = f"{fake.base_url}{fake.token}/getMe"
    request = AiohttpRequest()
    early = await request.post(get_me)
    await request.initialize()
    await request.initialize()  # twice, as python-telegram-bot may: one session all the same
    await request.shutdown()

    with pytest.raises(NetworkError, match="not initialized"):  # the library wraps our RuntimeError
        await request.post(get_me)
    async with request:
        again = await request.post(get_me)

    assert early == again
