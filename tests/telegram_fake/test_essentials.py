"""Without the Bot API document the fake still reads calls, from a summary that matches the document."""

from __future__ import annotations

import telegram
from classbot_fakes.telegram import FakeTelegram, load_essentials, load_spec
from classbot_fakes.telegram.app import HANDLERS
from telegram import InlineKeyboardButton, InlineKeyboardMarkup


def test_the_summary_has_every_implemented_method_as_the_document_describes_it() -> None:
    document, essentials = load_spec(), load_essentials()

    assert {name.lower() for name in essentials.methods} == {*HANDLERS, "getupdates"}
    for name, method in essentials.methods.items():
        assert method == document.methods[name], name


async def test_without_the_document_the_bot_sends_messages_with_buttons() -> None:
    with FakeTelegram(validate=False) as fake:
        ann = fake.add_user("Ann")
        ann.start_private_chat()
        async with telegram.Bot(fake.token, base_url=fake.base_url) as bot:
            markup = InlineKeyboardMarkup([[InlineKeyboardButton("Book a seat", callback_data="b_1")]])
            await bot.send_message(ann.id, "Chess <b>club</b>", parse_mode="HTML", reply_markup=markup)

        sent = fake.last_message(ann)

    assert (sent.text, sent.button("Book a seat").callback_data) == ("Chess club", "b_1")
