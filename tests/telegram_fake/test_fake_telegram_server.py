"""The fake Telegram behaves like the Bot API, as seen through python-telegram-bot's own ``telegram.Bot``.

Where PTB reshapes an answer (it strips "Bad Request: " and re-capitalises descriptions), the raw HTTP answer is
checked too, against Telegram's exact wording.
"""

from __future__ import annotations

import asyncio
import datetime as dtm
import json
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import telegram
from classbot_fakes.runner import ThreadedServer
from classbot_fakes.telegram import SECRET_HEADER, EntityParseError, FakeTelegram, load_spec, parse_html
from classbot_fakes.telegram.errors import BotApiError
from classbot_fakes.telegram.limits import RateLimits
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, InputFile
from telegram.ext import ApplicationBuilder, CommandHandler, ContextTypes

REPO = Path(__file__).resolve().parents[2]


async def raw_call(fake: FakeTelegram, method: str, *, token: str | None = None, **params: Any) -> httpx.Response:
    """POST ``params`` form-encoded, non-strings as JSON, the way python-telegram-bot does."""
    form = {key: value if isinstance(value, str) else json.dumps(value) for key, value in params.items()}
    async with httpx.AsyncClient() as client:
        return await client.post(f"{fake.url}/bot{token or fake.token}/{method}", data=form)


def keyboard(*buttons: InlineKeyboardButton) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([list(buttons)])


def conforms(type_name: str, value: Any) -> None:
    """``value`` is a ``type_name`` of the Bot API spec, with nothing the spec does not list."""
    problem = load_spec().check(type_name, value, name=type_name, strict=True)
    assert problem is None, f"{type_name}: {problem} in {value}"


# -- the basics: getMe, tokens, unknown methods --------------------------------------------------------------------


async def test_get_me_answers_the_bot(fake_telegram: FakeTelegram, bot: telegram.Bot) -> None:
    me = await bot.get_me()

    assert (me.id, me.username, me.is_bot) == (123456, "classbot_test_bot", True)
    assert me.can_join_groups
    assert not me.can_read_all_group_messages
    assert fake_telegram.count("getMe") == 2  # Bot.initialize() called it once already
    body = (await raw_call(fake_telegram, "getMe")).json()
    assert body["ok"] is True
    conforms("User", body["result"])


async def test_unknown_method_is_404_not_found(fake_telegram: FakeTelegram, bot: telegram.Bot) -> None:
    response = await raw_call(fake_telegram, "sendTelepathy", chat_id=1)

    assert response.status_code == 404
    assert response.json() == {"ok": False, "error_code": 404, "description": "Not Found"}
    with pytest.raises(telegram.error.EndPointNotFound):
        await bot.do_api_request("sendTelepathy")


async def test_wrong_token_is_401_unauthorized_and_malformed_token_404(fake_telegram: FakeTelegram) -> None:
    wrong = await raw_call(fake_telegram, "getMe", token="123456:not-the-token")
    malformed = await raw_call(fake_telegram, "getMe", token="no-colon-here")

    assert wrong.status_code == 401
    assert wrong.json() == {"ok": False, "error_code": 401, "description": "Unauthorized"}
    assert malformed.json() == {"ok": False, "error_code": 404, "description": "Not Found"}
    with pytest.raises(telegram.error.InvalidToken):
        async with telegram.Bot("123456:not-the-token", base_url=fake_telegram.base_url):
            pass


async def test_methods_are_case_insensitive_and_take_get_query_or_json_bodies(fake_telegram: FakeTelegram) -> None:
    ann = fake_telegram.add_user("Ann")
    ann.start_private_chat()
    async with httpx.AsyncClient() as client:
        by_query = await client.get(
            f"{fake_telegram.base_url}{fake_telegram.token}/SENDMESSAGE?chat_id={ann.id}&text=q"
        )
        by_json = await client.post(
            f"{fake_telegram.base_url}{fake_telegram.token}/sendMessage",
            json={
                "chat_id": ann.id,
                "text": "j",
                "reply_markup": {"inline_keyboard": [[{"text": "A", "url": "https://a.example"}]]},
            },
        )

    assert by_query.json()["result"]["text"] == "q"
    assert by_json.json()["result"]["reply_markup"]["inline_keyboard"][0][0]["url"] == "https://a.example"
    assert [m.text for m in fake_telegram.messages(ann)] == ["q", "j"]


# -- spec validation --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "description"),
    [
        ({"text": "hi"}, "Bad Request: chat_id is empty"),
        ({"chat_id": "{ann}"}, "Bad Request: message text is empty"),
        ({"chat_id": "{ann}", "text": ""}, "Bad Request: message text is empty"),
        (
            {"chat_id": "{ann}", "text": "hi", "disable_notification": "maybe"},
            "Bad Request: invalid disable_notification specified",
        ),
        (
            {"chat_id": "{ann}", "text": "hi", "message_thread_id": "x1"},
            "Bad Request: invalid message_thread_id specified",
        ),
        ({"chat_id": "{ann}", "text": "hi", "parse_mode": "BBCode"}, "Bad Request: unsupported parse_mode"),
        (
            {"chat_id": "{ann}", "text": "hi", "reply_markup": "{not json"},
            "Bad Request: can't parse reply keyboard markup JSON object",
        ),
        ({"chat_id": "{ann}", "text": "hi", "reply_markup": "[]"}, "Bad Request: object expected as reply markup"),
        (
            {"chat_id": "{ann}", "text": "hi", "reply_markup": {"inline_keyboard": [{"text": "x"}]}},
            'Bad Request: field "inline_keyboard" of the InlineKeyboardMarkup must be an Array of Arrays',
        ),
        (
            {"chat_id": "{ann}", "text": "hi", "reply_markup": {"inline_keyboard": [[{"callback_data": "x"}]]}},
            "Bad Request: can't parse inline keyboard button: Can't find field \"text\"",
        ),
        (
            {"chat_id": "{ann}", "text": "hi", "reply_markup": {"inline_keyboard": [[{"text": "x"}]]}},
            "Bad Request: can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard",
        ),
        (
            {
                "chat_id": "{ann}",
                "text": "hi",
                "reply_markup": {"inline_keyboard": [[{"text": "x", "url": "javascript:alert(1)"}]]},
            },
            "Bad Request: BUTTON_URL_INVALID",
        ),
        (
            {"chat_id": "{ann}", "text": "hi", "link_preview_options": {"is_disabled": "yes"}},
            'Bad Request: field "is_disabled" must be of type Boolean',
        ),
        (
            {"chat_id": "{ann}", "text": "hi", "reply_parameters": {"chat_id": 1}},
            'Bad Request: can\'t find field "message_id"',
        ),
        (
            {"chat_id": "{ann}", "text": "hi", "reply_parameters": {"message_id": 99}},
            "Bad Request: message to be replied not found",
        ),
        ({"chat_id": "@nobody", "text": "hi"}, "Bad Request: chat not found"),
        ({"chat_id": 42, "text": "hi"}, "Bad Request: chat not found"),
    ],
)
async def test_send_message_rejects_what_telegram_rejects(
    fake_telegram: FakeTelegram, params: dict[str, Any], description: str
) -> None:
    ann = fake_telegram.add_user("Ann")
    ann.start_private_chat()
    filled = {key: str(ann.id) if value == "{ann}" else value for key, value in params.items()}

    response = await raw_call(fake_telegram, "sendMessage", **filled)

    assert response.status_code == 400
    assert response.json() == {"ok": False, "error_code": 400, "description": description}
    assert fake_telegram.messages(ann) == []


async def test_unknown_parameters_are_ignored_and_legacy_ones_honoured(fake_telegram: FakeTelegram) -> None:
    ann = fake_telegram.add_user("Ann")
    ann.start_private_chat()

    response = await raw_call(
        fake_telegram,
        "sendMessage",
        chat_id=ann.id,
        text="see https://example.com",
        disable_web_page_preview=True,
        foo=1,
    )

    assert response.status_code == 200
    conforms("Message", response.json()["result"])
    assert fake_telegram.last_message(ann).link_preview_disabled
    assert fake_telegram.last_message(ann).urls == ["https://example.com"]


# -- sending: HTML, keyboards, limits ----------------------------------------------------------------------------


async def test_send_message_with_html_and_an_inline_keyboard(fake_telegram: FakeTelegram, bot: telegram.Bot) -> None:
    ann = fake_telegram.add_user("Ann", username="ann")
    ann.start_private_chat()
    markup = keyboard(
        InlineKeyboardButton("Book", callback_data="book:7"),
        InlineKeyboardButton("Zoom", url="https://zoom.example/j/1"),
    )

    sent = await bot.send_message(
        ann.id,
        '<b>Chess</b> for kids &amp; teens <a href="https://t.me/classbot_test_bot?start=c7">share</a>',
        parse_mode="HTML",
        reply_markup=markup,
    )

    assert sent.text == "Chess for kids & teens share"
    assert sent.from_user is not None
    assert sent.from_user.id == fake_telegram.bot_id
    assert [e.type for e in sent.entities] == ["bold", "text_link"]
    assert sent.reply_markup == markup
    message = fake_telegram.last_message(ann)
    assert (message.message_id, message.text, message.parse_mode) == (sent.message_id, sent.text, "HTML")
    assert message.sent_text is not None
    assert message.sent_text.startswith("<b>Chess</b>")
    assert message.button("Book").callback_data == "book:7"
    assert message.button("Zoom").url == "https://zoom.example/j/1"
    assert message.urls == ["https://zoom.example/j/1", "https://t.me/classbot_test_bot?start=c7"]
    conforms("Message", sent.to_dict())


async def test_a_bare_less_than_with_html_is_a_bad_request(fake_telegram: FakeTelegram, bot: telegram.Bot) -> None:
    ann = fake_telegram.add_user("Ann")
    ann.start_private_chat()

    with pytest.raises(telegram.error.BadRequest, match=r"(?i)can't parse entities"):
        await bot.send_message(ann.id, "ages 5 < 7", parse_mode="HTML")
    raw = await raw_call(fake_telegram, "sendMessage", chat_id=ann.id, text="ages 5 < 7", parse_mode="HTML")

    assert raw.json()["description"] == 'Bad Request: can\'t parse entities: Unsupported start tag "" at byte offset 7'
    await bot.send_message(ann.id, "ages 5 &lt; 7", parse_mode="HTML")
    assert fake_telegram.last_message(ann).text == "ages 5 < 7"


@pytest.mark.parametrize(
    ("html", "error"),
    [
        ("<b>bold", 'Can\'t find end tag corresponding to start tag "b"'),
        ("<div>x</div>", 'Unsupported start tag "div" at byte offset 0'),
        ("x</b>", "Unexpected end tag at byte offset 1"),
        ("<b>x</i>", 'Unmatched end tag at byte offset 4, expected "</b>", found "</i>"'),
        ("<span>x</span>", 'Tag "span" must have class "tg-spoiler" at byte offset 0'),
        ("<b", "Unclosed start tag at byte offset 0"),
        ('<a href="x', "Unclosed start tag at byte offset 0"),
        ("é <", "Unclosed start tag at byte offset 3"),
        ("<tg-emoji emoji-id=abc>x</tg-emoji>", "Invalid custom emoji identifier specified"),
    ],
)
def test_html_errors_use_telegrams_wording(html: str, error: str) -> None:
    with pytest.raises(EntityParseError) as raised:
        parse_html(html)
    assert raised.value.message == error


def test_html_entities_offsets_and_references() -> None:
    text, entities = parse_html(
        '<b>A <i>b</i></b> &lt;&gt;&amp;&quot;&#65;&#x42; 😀<u>u</u> <span class="tg-spoiler">s</span> '
        '<pre><code class="language-python">x = 1</code></pre><blockquote expandable>q</blockquote> &nbsp;'
    )

    assert text == 'A b <>&"AB 😀u s x = 1q &nbsp;'
    assert entities == [
        {"type": "bold", "offset": 0, "length": 3},
        {"type": "italic", "offset": 2, "length": 1},
        {"type": "underline", "offset": 13, "length": 1},  # the emoji before it counts two UTF-16 units
        {"type": "spoiler", "offset": 15, "length": 1},
        {"type": "pre", "offset": 17, "length": 5, "language": "python"},
        {"type": "expandable_blockquote", "offset": 22, "length": 1},
    ]


async def test_markdown_modes_check_their_syntax(fake_telegram: FakeTelegram) -> None:
    ann = fake_telegram.add_user("Ann")
    ann.start_private_chat()

    v2 = await raw_call(fake_telegram, "sendMessage", chat_id=ann.id, text="Price: 3.50", parse_mode="MarkdownV2")
    legacy = await raw_call(fake_telegram, "sendMessage", chat_id=ann.id, text="ask @ann_bot", parse_mode="Markdown")
    fine = await raw_call(fake_telegram, "sendMessage", chat_id=ann.id, text="*Price:* 3\\.50", parse_mode="MarkdownV2")

    assert v2.json()["description"] == (
        "Bad Request: can't parse entities: Character '.' is reserved and must be escaped with the preceding '\\'"
    )
    assert legacy.json()["description"] == (
        "Bad Request: can't parse entities: Can't find end of the entity starting at byte offset 8"
    )
    assert fine.json()["result"]["text"] == "Price: 3.50"
    assert fine.json()["result"]["entities"] == [{"type": "bold", "offset": 0, "length": 6}]


async def test_text_is_limited_to_4096_characters_after_parsing(fake_telegram: FakeTelegram, bot: telegram.Bot) -> None:
    ann = fake_telegram.add_user("Ann")
    ann.start_private_chat()

    with pytest.raises(telegram.error.BadRequest, match=r"(?i)message is too long"):
        await bot.send_message(ann.id, "x" * 4097)
    await bot.send_message(ann.id, "<b>" + "é" * 4096 + "</b>", parse_mode="HTML")  # markup does not count

    assert len(fake_telegram.messages(ann)) == 1
    assert (await raw_call(fake_telegram, "sendMessage", chat_id=ann.id, text="y" * 4097)).json() == {
        "ok": False,
        "error_code": 400,
        "description": "Bad Request: message is too long",
    }
    whitespace = await raw_call(fake_telegram, "sendMessage", chat_id=ann.id, text="<b> </b>", parse_mode="HTML")
    assert whitespace.json()["description"] == "Bad Request: text must be non-empty"


async def test_callback_data_is_limited_to_64_bytes(fake_telegram: FakeTelegram, bot: telegram.Bot) -> None:
    ann = fake_telegram.add_user("Ann")
    ann.start_private_chat()

    with pytest.raises(telegram.error.BadRequest, match="Button_data_invalid"):
        await bot.send_message(ann.id, "pick", reply_markup=keyboard(InlineKeyboardButton("x", callback_data="a" * 65)))
    with pytest.raises(telegram.error.BadRequest):
        await bot.send_message(ann.id, "pick", reply_markup=keyboard(InlineKeyboardButton("x", callback_data="é" * 33)))
    await bot.send_message(ann.id, "pick", reply_markup=keyboard(InlineKeyboardButton("x", callback_data="a" * 64)))

    assert [m.button_texts for m in fake_telegram.messages(ann)] == [["x"]]


# -- who the bot may message ------------------------------------------------------------------------------------


async def test_a_user_who_never_started_the_bot_cannot_be_messaged_until_they_do(
    fake_telegram: FakeTelegram, bot: telegram.Bot
) -> None:
    ann = fake_telegram.add_user("Ann")

    with pytest.raises(telegram.error.Forbidden, match="bot can't initiate conversation with a user"):
        await bot.send_message(ann.id, "your link")
    raw = await raw_call(fake_telegram, "sendMessage", chat_id=ann.id, text="your link")
    assert (raw.status_code, raw.json()) == (
        403,
        {"ok": False, "error_code": 403, "description": "Forbidden: bot can't initiate conversation with a user"},
    )

    started = ann.open_deep_link("https://t.me/classbot_test_bot?start=class_7")
    updates = await bot.get_updates()
    await bot.send_message(ann.id, "your link")

    assert started.text == "/start class_7"
    assert updates[-1].message is not None
    assert updates[-1].message.text == "/start class_7"
    assert [m.text for m in fake_telegram.messages(ann)] == ["your link"]


async def test_a_user_who_blocked_the_bot_gets_403_and_my_chat_member(
    fake_telegram: FakeTelegram, bot: telegram.Bot
) -> None:
    ann = fake_telegram.add_user("Ann")
    ann.start_private_chat()
    ann.block_bot()

    with pytest.raises(telegram.error.Forbidden, match="bot was blocked by the user"):
        await bot.send_message(ann.id, "hello?")
    updates = await bot.get_updates()

    assert updates[-1].my_chat_member is not None
    assert updates[-1].my_chat_member.new_chat_member.status == "kicked"
    with pytest.raises(RuntimeError, match="blocked the bot"):
        ann.send("hi")
    ann.send("/start")  # Restart unblocks
    await bot.send_message(ann.id, "welcome back")


def test_deep_links_are_checked_like_telegram_does(fake_telegram: FakeTelegram) -> None:
    ann = fake_telegram.add_user("Ann")

    with pytest.raises(ValueError, match="start payload"):
        ann.open_deep_link("https://t.me/classbot_test_bot?start=has+space")
    with pytest.raises(ValueError, match="start payload"):
        ann.open_deep_link("https://t.me/classbot_test_bot?start=" + "a" * 65)
    with pytest.raises(ValueError, match="not this bot"):
        ann.open_deep_link("https://t.me/other_bot?start=x")
    with pytest.raises(RuntimeError, match="has not started the bot"):
        ann.send("hello")
    assert ann.open_deep_link("tg://resolve?domain=classbot_test_bot&start=abc").text == "/start abc"
    assert ann.started


# -- updates: long polling, offsets, webhook ---------------------------------------------------------------------


async def test_get_updates_long_polls_and_never_redelivers_confirmed_updates(
    fake_telegram: FakeTelegram, bot: telegram.Bot
) -> None:
    ann = fake_telegram.add_user("Ann")
    waiting = asyncio.create_task(bot.get_updates(timeout=dtm.timedelta(seconds=20)))
    await fake_telegram.wait_until(lambda: fake_telegram.long_polls_waiting == 1)
    ann.send("/start")

    first = await asyncio.wait_for(waiting, timeout=10)  # answered when the update came, not after 20 s
    ann.send("/classes")
    ann.send("/mybookings")
    unconfirmed = await bot.get_updates()
    second = await bot.get_updates(offset=first[-1].update_id + 1, limit=1)
    rest = await bot.get_updates(offset=second[-1].update_id + 1)
    done = await bot.get_updates(offset=rest[-1].update_id + 1, timeout=0)

    assert [u.message.text for u in first if u.message] == ["/start"]
    assert [u.update_id for u in unconfirmed] == [first[0].update_id, first[0].update_id + 1, first[0].update_id + 2]
    assert [u.message.text for u in second + rest if u.message] == ["/classes", "/mybookings"]
    assert done == ()
    assert fake_telegram.pending_updates == []
    assert first[0].message is not None
    assert first[0].message.entities[0].type == "bot_command"
    conforms("Update", first[0].to_dict())


async def test_a_second_get_updates_ends_the_first_with_409(fake_telegram: FakeTelegram, bot: telegram.Bot) -> None:
    first = asyncio.create_task(bot.get_updates(timeout=dtm.timedelta(seconds=20)))
    await fake_telegram.wait_until(lambda: fake_telegram.long_polls_waiting == 1)

    async with telegram.Bot(fake_telegram.token, base_url=fake_telegram.base_url) as other_instance:
        second = await other_instance.get_updates(timeout=0)

    with pytest.raises(telegram.error.Conflict, match="terminated by other getUpdates request"):
        await asyncio.wait_for(first, timeout=10)
    assert second == ()


async def test_python_telegram_bot_application_polls_and_replies(fake_telegram: FakeTelegram) -> None:
    async def start(update: telegram.Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.message is not None
        assert update.effective_user is not None
        await update.message.reply_html(
            f"Hello <b>{update.effective_user.first_name}</b>, args={context.args}", do_quote=True
        )

    app = ApplicationBuilder().token(fake_telegram.token).base_url(fake_telegram.base_url).build()
    app.add_handler(CommandHandler("start", start))
    ann = fake_telegram.add_user("Ann")
    async with app:
        await app.start()
        assert app.updater is not None
        await app.updater.start_polling(timeout=dtm.timedelta(seconds=5))
        ann.open_deep_link("https://t.me/classbot_test_bot?start=c7")
        reply = await fake_telegram.wait_for_message(ann)
        await app.updater.stop()
        await app.stop()

    assert reply.text == "Hello Ann, args=['c7']"
    assert reply.reply_to_message_id is not None
    assert fake_telegram.count("deleteWebhook") == 1


class WebhookReceiver:
    """A bot's webhook endpoint on 127.0.0.1 that records what it receives, failing the first ``fail`` times."""

    def __init__(self, fail: int = 0) -> None:
        self.received: list[tuple[dict[str, str], dict[str, Any]]] = []
        self.fail = fail
        self._lock = threading.Lock()

        async def hook(request: Request) -> Response:
            body = await request.json()
            with self._lock:
                self.received.append((dict(request.headers), body))
                failing = len(self.received) <= self.fail
            return Response(status_code=500 if failing else 200)

        self.server = ThreadedServer(Starlette(routes=[Route("/hook", hook, methods=["POST"])]), name="hook")

    def __enter__(self) -> WebhookReceiver:
        self.server.start(self.server.bind())
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.stop()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.port}/hook"


@pytest.fixture
def receiver() -> Iterator[WebhookReceiver]:
    with WebhookReceiver(fail=1) as hook:
        yield hook


async def test_webhook_delivery_carries_the_secret_and_retries(
    fake_telegram: FakeTelegram, bot: telegram.Bot, receiver: WebhookReceiver
) -> None:
    ann = fake_telegram.add_user("Ann")
    assert await bot.set_webhook(receiver.url, secret_token="s3cr3t-Token_1")

    ann.send("/start")
    await fake_telegram.wait_until(lambda: not fake_telegram.pending_updates)
    info = await bot.get_webhook_info()

    assert len(receiver.received) == 2  # refused once with 500, delivered on the retry
    headers, update = receiver.received[-1]
    assert headers[SECRET_HEADER.lower()] == "s3cr3t-Token_1"
    assert headers["content-type"] == "application/json"
    assert update["message"]["text"] == "/start"
    assert receiver.received[0][1] == update
    assert info.url == receiver.url
    assert info.pending_update_count == 0
    assert info.last_error_message == "Wrong response from the webhook: 500 Internal Server Error"
    with pytest.raises(telegram.error.Conflict, match="can't use getUpdates method while webhook is active"):
        await bot.get_updates()
    assert await bot.delete_webhook()
    assert await bot.get_updates() == ()


async def test_set_webhook_checks_the_secret_token(fake_telegram: FakeTelegram) -> None:
    bad = await raw_call(fake_telegram, "setWebhook", url="https://bot.example/hook", secret_token="no spaces!")
    assert bad.json()["description"] == "Bad Request: secret token contains unallowed characters"


# -- edits, deletions, callbacks ---------------------------------------------------------------------------------


async def test_editing_with_the_same_text_is_message_is_not_modified(
    fake_telegram: FakeTelegram, bot: telegram.Bot
) -> None:
    ann = fake_telegram.add_user("Ann")
    ann.start_private_chat()
    markup = keyboard(InlineKeyboardButton("Cancel", callback_data="cancel:1"))
    sent = await bot.send_message(ann.id, "<b>3 seats left</b>", parse_mode="HTML", reply_markup=markup)

    with pytest.raises(telegram.error.BadRequest, match=r"(?i)message is not modified"):
        await bot.edit_message_text(
            "<b>3 seats left</b>", ann.id, sent.message_id, parse_mode="HTML", reply_markup=markup
        )
    await bot.edit_message_text("2 seats left", ann.id, sent.message_id)  # no reply_markup: the keyboard goes
    with pytest.raises(telegram.error.BadRequest, match=r"(?i)message to edit not found"):
        await bot.edit_message_text("x", ann.id, 999)

    message = fake_telegram.last_message(ann)
    assert (message.text, message.buttons, message.edited) == ("2 seats left", (), True)
    assert message.history[0].text == "3 seats left"
    assert message.history[0].reply_markup == markup.to_dict()
    same = await raw_call(
        fake_telegram, "editMessageText", chat_id=ann.id, message_id=sent.message_id, text="2 seats left"
    )
    assert same.json()["description"] == (
        "Bad Request: message is not modified: specified new message content and reply markup are exactly the same "
        "as a current content and reply markup of the message"
    )


async def test_edit_reply_markup_and_delete(fake_telegram: FakeTelegram, bot: telegram.Bot) -> None:
    ann = fake_telegram.add_user("Ann")
    ann.start_private_chat()
    sent = await bot.send_message(
        ann.id, "card", reply_markup=keyboard(InlineKeyboardButton("Book", callback_data="b"))
    )

    await bot.edit_message_reply_markup(
        ann.id, sent.message_id, reply_markup=keyboard(InlineKeyboardButton("Full", callback_data="f"))
    )
    assert fake_telegram.last_message(ann).button_texts == ["Full"]
    assert await bot.delete_message(ann.id, sent.message_id)
    with pytest.raises(telegram.error.BadRequest, match=r"(?i)message to delete not found"):
        await bot.delete_message(ann.id, sent.message_id)

    assert fake_telegram.messages(ann)[0].deleted
    assert fake_telegram.messages(ann, include_deleted=False) == []


async def test_pressing_a_button_sends_a_callback_query_the_bot_must_answer(
    fake_telegram: FakeTelegram, bot: telegram.Bot
) -> None:
    ann = fake_telegram.add_user("Ann", username="ann")
    ann.start_private_chat()
    await bot.send_message(ann.id, "Chess", reply_markup=keyboard(InlineKeyboardButton("Book", callback_data="book:7")))
    card = await fake_telegram.wait_for_message(ann)

    query_id = ann.press(card, "Book")
    raw_updates = (await raw_call(fake_telegram, "getUpdates")).json()["result"]
    updates = await bot.get_updates()
    query = updates[-1].callback_query
    assert query is not None
    assert query.message is not None
    await query.answer("Booked!", show_alert=True)

    assert (query.id, query.data, query.from_user.id, query.message.message_id) == (
        query_id,
        "book:7",
        ann.id,
        card.message_id,
    )
    answer = await fake_telegram.wait_for_callback_answer(query_id)
    assert (answer.text, answer.show_alert) == ("Booked!", True)
    with pytest.raises(telegram.error.BadRequest, match=r"(?i)query is too old"):
        await bot.answer_callback_query(query_id)  # a query is answered once
    with pytest.raises(telegram.error.BadRequest, match=r"(?i)query is too old"):
        await bot.answer_callback_query("1234")
    with pytest.raises(KeyError, match="buttons: \\['Book'\\]"):
        ann.press(card, "Cancel")
    for raw_update in raw_updates:
        conforms("Update", raw_update)


# -- documents -------------------------------------------------------------------------------------------------


async def test_send_document_keeps_the_file_name_and_bytes(fake_telegram: FakeTelegram, bot: telegram.Bot) -> None:
    ann = fake_telegram.add_user("Ann")
    ann.start_private_chat()
    data = b"BEGIN:VCALENDAR\r\n" + bytes(range(256)) + b"\r\n--boundary-lookalike\r\nEND:VCALENDAR\r\n"

    sent = await bot.send_document(
        ann.id, InputFile(data, filename="chess class.ics"), caption="<i>Add it</i>", parse_mode="HTML"
    )
    again = await bot.send_document(ann.id, sent.document.file_id if sent.document else "")

    document = fake_telegram.messages(ann)[0].document
    assert document is not None
    assert (document.file_name, document.mime_type, document.data) == ("chess class.ics", "text/calendar", data)
    assert sent.document is not None
    assert sent.document.file_size == len(data)
    assert sent.caption == "Add it"
    assert sent.caption_entities[0].type == "italic"
    assert again.document is not None
    assert again.document.file_id == sent.document.file_id
    assert fake_telegram.calls[-2].files == {"document": ("chess class.ics", len(data))}
    conforms("Message", sent.to_dict())


# -- groups ----------------------------------------------------------------------------------------------------


async def test_groups_admins_membership_updates_and_privacy_mode(
    fake_telegram: FakeTelegram, bot: telegram.Bot
) -> None:
    owner, admin, parent = (fake_telegram.add_user(name) for name in ("Olga", "Adam", "Pat"))
    group = fake_telegram.add_group("Chess parents", members=[parent], admins=[owner, admin])

    with pytest.raises(telegram.error.Forbidden, match="bot is not a member of the supergroup chat"):
        await bot.send_message(group.id, "hello")
    fake_telegram.add_bot_to_group(group, by=owner)
    plain = parent.send("anyone here?", group)
    command = parent.send("/classes@classbot_test_bot", group)
    other_bot = parent.send("/classes@other_bot", group)
    fake_telegram.promote_bot(group)
    seen_as_admin = parent.send("anyone here?", group)
    updates = await bot.get_updates()
    admins = await bot.get_chat_administrators(group.id)
    chat = await bot.get_chat(group.id)

    assert group.id < 0
    assert chat.type == "supergroup"
    assert chat.title == "Chess parents"
    assert (plain.update_id, other_bot.update_id) == (None, None)
    assert command.update_id is not None
    assert seen_as_admin.update_id is not None
    kinds = [next(k for k in ("my_chat_member", "message") if getattr(u, k)) for u in updates]
    assert kinds == ["my_chat_member", "message", "message", "my_chat_member", "message"]
    assert updates[0].my_chat_member is not None
    assert updates[0].my_chat_member.from_user.id == owner.id
    assert updates[1].message is not None
    assert updates[1].message.new_chat_members[0].id == fake_telegram.bot_id
    assert updates[2].message is not None
    assert updates[2].message.entities[0].length == len("/classes@classbot_test_bot")
    assert [(a.user.id, a.status) for a in admins] == [
        (owner.id, "creator"),
        (admin.id, "administrator"),
        (fake_telegram.bot_id, "administrator"),
    ]
    assert (await bot.get_chat_member(group.id, parent.id)).status == "member"
    assert await bot.get_chat_member_count(group.id) == 4
    for member in admins:
        conforms("ChatMember", member.to_dict())
    conforms("ChatFullInfo", (await raw_call(fake_telegram, "getChat", chat_id=group.id)).json()["result"])


async def test_privacy_mode_lets_replies_to_the_bot_through(fake_telegram: FakeTelegram, bot: telegram.Bot) -> None:
    owner, parent = fake_telegram.add_user("Olga"), fake_telegram.add_user("Pat")
    group = fake_telegram.add_group("Chess parents", members=[parent], admins=[owner], with_bot=True)
    card = await bot.send_message(group.id, "Chess on Friday")

    reply = parent.send("is it free?", group, reply_to=card.message_id)
    mention = parent.send("@classbot_test_bot hi", group)
    chatter = parent.send("see you there", group)
    updates = await bot.get_updates()

    assert (reply.update_id is not None, mention.update_id is not None, chatter.update_id) == (True, True, None)
    replied = updates[0].message
    assert replied is not None
    assert replied.reply_to_message is not None
    assert replied.reply_to_message.message_id == card.message_id
    assert [m.text for m in fake_telegram.all_messages()] == ["Chess on Friday"]


async def test_leave_chat_sends_my_chat_member_and_ends_access(fake_telegram: FakeTelegram, bot: telegram.Bot) -> None:
    owner = fake_telegram.add_user("Olga")
    group = fake_telegram.add_group("Chess parents", admins=[owner], with_bot=True)

    assert await bot.leave_chat(group.id)
    updates = await bot.get_updates()

    assert updates[-1].my_chat_member is not None
    assert updates[-1].my_chat_member.new_chat_member.status == "left"
    assert group.bot_status == "left"
    with pytest.raises(telegram.error.Forbidden, match="bot is not a member of the supergroup chat"):
        await bot.get_chat_administrators(group.id)


async def test_get_chat_member_tells_each_status_as_the_bot_api_does(
    fake_telegram: FakeTelegram, bot: telegram.Bot
) -> None:
    """Owner, administrator, member, restricted (in the group or not), left and banned: each as its ChatMember
    variant, with what the spec requires; people outside the group are "left"."""
    owner, admin, member, leaver, banned, muted, gone_muted, stranger = (
        fake_telegram.add_user(name) for name in ("Olga", "Ada", "Mo", "Lea", "Ben", "Mia", "Gil", "Sam")
    )
    group = fake_telegram.add_group(
        "Chess parents", members=[member, leaver, banned, muted, gone_muted], admins=[owner, admin], with_bot=True
    )
    await bot.get_updates()  # nothing yet: start from here
    group.leave(leaver)
    group.ban(banned, by=admin)
    group.restrict(muted)
    group.restrict(gone_muted)
    group.leave(gone_muted)  # a restriction outlives leaving: still "restricted", no longer a member
    people = {"owner": owner, "admin": admin, "member": member, "leaver": leaver, "banned": banned}
    people |= {"muted": muted, "gone_muted": gone_muted, "stranger": stranger}

    raw = {
        name: (await raw_call(fake_telegram, "getChatMember", chat_id=group.id, user_id=user.id)).json()["result"]
        for name, user in people.items()
    }
    parsed = await bot.get_chat_member(group.id, muted.id)
    updates = await bot.get_updates()

    assert {name: answer["status"] for name, answer in raw.items()} == {
        "owner": "creator",
        "admin": "administrator",
        "member": "member",
        "leaver": "left",
        "banned": "kicked",
        "muted": "restricted",
        "gone_muted": "restricted",
        "stranger": "left",
    }
    assert (raw["muted"]["is_member"], raw["gone_muted"]["is_member"]) == (True, False)
    assert raw["muted"]["can_send_messages"] is False
    assert raw["banned"]["until_date"] == 0
    for answer in raw.values():
        conforms("ChatMember", answer)
    assert isinstance(parsed, telegram.ChatMemberRestricted)
    assert parsed.is_member
    assert await bot.get_chat_member_count(group.id) == 5  # Olga, Ada, Mo, Mia and the bot
    # Service messages reach the bot even in privacy mode; chat_member updates only if it asks for them.
    left = [u.message.left_chat_member.first_name for u in updates if u.message and u.message.left_chat_member]
    assert left == ["Lea", "Ben", "Gil"]
    assert all(u.chat_member is None for u in updates)
    with pytest.raises(ValueError, match="may not write"):
        muted.send("hello?", group)
    with pytest.raises(ValueError, match="may not write"):
        leaver.send("hello?", group)


async def test_allowed_updates_filters_later_updates(fake_telegram: FakeTelegram, bot: telegram.Bot) -> None:
    ann = fake_telegram.add_user("Ann")
    await bot.get_updates(allowed_updates=["callback_query"])
    ann.send("/start")
    ann.block_bot()
    assert fake_telegram.pending_updates == []

    await bot.get_updates(allowed_updates=[])  # back to the default: everything but chat_member and reactions
    ann.unblock_bot()
    updates = await bot.get_updates()

    assert [u.my_chat_member.new_chat_member.status for u in updates if u.my_chat_member] == ["member"]


def test_flood_limits_per_chat_per_group_and_overall() -> None:
    now = [0.0]
    limits = RateLimits(enforce=True, clock=lambda: now[0])

    def refused(chat_id: int, *, is_group: bool = False) -> int | None:
        try:
            limits.admit(chat_id, is_group=is_group)
        except BotApiError as error:
            return error.retry_after if error.error_code == 429 else -error.error_code
        return None

    assert [refused(1) for _ in range(4)] == [None, None, None, 1]  # a burst of 3, then 1 a second
    now[0] = 1.0
    assert refused(1) is None
    for second in range(20):
        now[0] = 10.0 + second * 2
        assert refused(-100, is_group=True) is None
    now[0] = 49.0
    assert refused(-100, is_group=True) == 21  # 20 a minute: the first slot frees at 70 s
    now[0] = 100.0
    assert [refused(chat_id) for chat_id in range(1000, 1031)] == [None] * 30 + [1]  # 30 a second overall


async def test_a_bot_removed_from_a_group_gets_403(fake_telegram: FakeTelegram, bot: telegram.Bot) -> None:
    owner = fake_telegram.add_user("Olga")
    group = fake_telegram.add_group("Chess parents", admins=[owner], with_bot=True)
    await bot.send_message(group.id, "hello")

    fake_telegram.remove_bot_from_group(group, by=owner)

    with pytest.raises(telegram.error.Forbidden, match="bot was kicked from the supergroup chat"):
        await bot.send_message(group.id, "still here?")
    assert [m.text for m in fake_telegram.messages(group)] == ["hello"]


# -- flood limits and faults -----------------------------------------------------------------------------------


async def test_a_429_with_retry_after_surfaces_as_retry_after(
    fake_telegram: FakeTelegram, bot: telegram.Bot, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PTB_TIMEDELTA", "true")  # PTB 22 reports retry_after as a timedelta without warning
    ann = fake_telegram.add_user("Ann")
    ann.start_private_chat()
    fake_telegram.fail_next("sendMessage", 429, retry_after=7)

    with pytest.raises(telegram.error.RetryAfter) as raised:
        await bot.send_message(ann.id, "hi")
    await bot.send_message(ann.id, "hi again")

    assert raised.value.retry_after == dtm.timedelta(seconds=7)
    assert fake_telegram.count("sendMessage", ok=False) == 1
    assert [m.text for m in fake_telegram.messages(ann)] == ["hi again"]


async def test_flood_limits_answer_429_with_telegrams_body() -> None:
    with FakeTelegram(enforce_limits=True, limits_clock=lambda: 100.0) as fake_telegram:  # the burst takes no time
        ann = fake_telegram.add_user("Ann")
        ann.start_private_chat()
        answers = [await raw_call(fake_telegram, "sendMessage", chat_id=ann.id, text=f"#{n}") for n in range(4)]

    assert [a.status_code for a in answers] == [200, 200, 200, 429]  # a burst of three, then one a second
    assert answers[-1].json() == {
        "ok": False,
        "error_code": 429,
        "description": "Too Many Requests: retry after 1",
        "parameters": {"retry_after": 1},
    }


async def test_random_faults_are_reproducible(fake_telegram: FakeTelegram) -> None:
    ann = fake_telegram.add_user("Ann")
    ann.start_private_chat()

    async def statuses() -> list[int]:
        fake_telegram.set_fault_rates(rate_limited=0.5, seed=42)
        return [
            (await raw_call(fake_telegram, "sendChatAction", chat_id=ann.id, action="typing")).status_code
            for _ in range(12)
        ]

    first, second = await statuses(), await statuses()
    fake_telegram.clear_faults()

    assert first == second
    assert set(first) == {200, 429}
    assert (await raw_call(fake_telegram, "sendChatAction", chat_id=ann.id, action="dancing")).json()[
        "description"
    ] == ("Bad Request: wrong parameter action in request")


async def test_latency_delays_answers(fake_telegram: FakeTelegram, bot: telegram.Bot) -> None:
    fake_telegram.latency = 0.3
    loop = asyncio.get_running_loop()
    started = loop.time()
    await bot.get_me()
    assert loop.time() - started >= 0.3


# -- commands, waiting, results' shapes, CLI -------------------------------------------------------------------


async def test_set_and_get_my_commands(fake_telegram: FakeTelegram, bot: telegram.Bot) -> None:
    commands = [telegram.BotCommand("classes", "Upcoming classes"), telegram.BotCommand("mybookings", "My bookings")]

    assert await bot.set_my_commands(commands)
    with pytest.raises(telegram.error.BadRequest, match=r"(?i)bot_command_invalid"):
        await bot.set_my_commands([telegram.BotCommand("MyBookings", "x")])

    assert await bot.get_my_commands() == tuple(commands)
    assert fake_telegram.commands() == [c.to_dict() for c in commands]
    assert await bot.get_my_commands(language_code="de") == ()


async def test_wait_for_message_returns_each_message_once_and_times_out(
    fake_telegram: FakeTelegram, bot: telegram.Bot
) -> None:
    ann = fake_telegram.add_user("Ann")
    ann.start_private_chat()
    later = asyncio.create_task(fake_telegram.wait_for_message(ann, lambda m: m.text == "second"))
    await bot.send_message(ann.id, "first")
    await bot.send_message(ann.id, "second")

    assert (await later).text == "second"
    assert (await fake_telegram.wait_for_message(ann)).text == "first"
    with pytest.raises(TimeoutError, match=r"bot messages there: \[\(2, 'first'\), \(3, 'second'\)\]"):
        await fake_telegram.wait_for_message(ann, timeout=0.2)


async def test_results_match_the_spec_types(fake_telegram: FakeTelegram, bot: telegram.Bot) -> None:
    ann = fake_telegram.add_user("Ann", username="ann", last_name="Lee")
    ann.start_private_chat()
    await bot.set_webhook("https://bot.example/hook")

    info = (await raw_call(fake_telegram, "getWebhookInfo")).json()["result"]
    chat = (await raw_call(fake_telegram, "getChat", chat_id=ann.id)).json()["result"]
    member = (await raw_call(fake_telegram, "getChatMember", chat_id=ann.id, user_id=ann.id)).json()["result"]

    conforms("WebhookInfo", info)
    conforms("ChatFullInfo", chat)
    conforms("ChatMember", member)
    assert load_spec().check("User", {"id": 1}, name="from", strict=True) == 'Can\'t find field "is_bot"'


def test_cli_prints_the_base_url_and_serves() -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "classbot_fakes.telegram", "--port", "0"],
        cwd=REPO,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        lines = dict(process.stdout.readline().strip().split("=", 1) for _ in range(3))
        me = httpx.get(f"{lines['TELEGRAM_BASE_URL']}{lines['TELEGRAM_BOT_TOKEN']}/getMe", timeout=10).json()
    finally:
        process.terminate()
        process.wait(timeout=10)
    assert lines["FAKE_TELEGRAM_URL"].startswith("http://127.0.0.1:")
    assert me["result"]["username"] == "classbot_test_bot"


async def test_privacy_mode_gives_bare_commands_to_the_bot_that_spoke_last(
    fake_telegram: FakeTelegram, bot: telegram.Bot
) -> None:
    owner, parent = fake_telegram.add_user("Olga"), fake_telegram.add_user("Pat")
    group = fake_telegram.add_group("Chess parents", members=[parent], admins=[owner], with_bot=True)

    first = parent.send("/help", group)  # no other bot has spoken: ours gets it
    group.another_bot_speaks()
    bare = parent.send("/help", group)  # goes to the other bot
    addressed = parent.send("/help@classbot_test_bot", group)
    await bot.send_message(group.id, "Chess on Friday")  # ours speaks last again
    again = parent.send("/help", group)

    assert first.update_id is not None
    assert bare.update_id is None
    assert addressed.update_id is not None
    assert again.update_id is not None
