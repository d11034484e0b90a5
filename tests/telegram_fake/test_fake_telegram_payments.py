"""The fake's Stars payments: invoices checked as the Bot API says, the pre-checkout question, the payment
message, and refunds given once."""

from __future__ import annotations

import asyncio

import pytest
import telegram
from classbot_fakes.telegram import FakeTelegram, load_spec
from telegram import LabeledPrice


def conforms(type_name: str, value: object) -> None:
    problem = load_spec().check(type_name, value, name=type_name, strict=True)
    assert problem is None, f"{type_name}: {problem} in {value}"


async def _invoice(bot: telegram.Bot, chat_id: int, *, amount: int = 250) -> telegram.Message:
    return await bot.send_invoice(
        chat_id, "Chess", "A seat for Mia", "booking-1", "XTR", [LabeledPrice("Chess", amount)], provider_token=""
    )


async def test_a_stars_invoice_needs_no_provider_and_exactly_one_price(
    fake_telegram: FakeTelegram, bot: telegram.Bot
) -> None:
    ann = fake_telegram.add_user("Ann")
    ann.start_private_chat()

    sent = await _invoice(bot, ann.id)

    assert sent.invoice is not None
    assert (sent.invoice.currency, sent.invoice.total_amount) == ("XTR", 250)
    assert fake_telegram.last_message(ann).invoice == sent.invoice.to_dict()
    with pytest.raises(telegram.error.BadRequest, match=r"(?i)payment_provider_invalid"):
        await bot.send_invoice(ann.id, "Chess", "Seat", "b", "XTR", [LabeledPrice("Chess", 1)], provider_token="tok")
    two = [LabeledPrice("Chess", 1), LabeledPrice("Tip", 1)]
    with pytest.raises(telegram.error.BadRequest, match=r"(?i)stars_invoice_invalid"):
        await bot.send_invoice(ann.id, "Chess", "Seat", "b", "XTR", two, provider_token="")
    with pytest.raises(telegram.error.BadRequest, match=r"(?i)currency_total_amount_invalid"):
        await _invoice(bot, ann.id, amount=0)


async def test_paying_asks_the_bot_and_a_yes_sends_the_payment_which_refunds_once(
    fake_telegram: FakeTelegram, bot: telegram.Bot
) -> None:
    ann = fake_telegram.add_user("Ann")
    ann.start_private_chat()
    await _invoice(bot, ann.id)
    invoice = fake_telegram.last_message(ann)

    async def answer_yes() -> telegram.Update:
        while True:
            for update in await bot.get_updates(timeout=1, allowed_updates=["pre_checkout_query", "message"]):
                await bot.get_updates(offset=update.update_id + 1, timeout=0)
                if update.pre_checkout_query is not None:
                    conforms("PreCheckoutQuery", update.pre_checkout_query.to_dict())
                    await update.pre_checkout_query.answer(ok=True)
                    continue
                if update.message is not None and update.message.successful_payment is not None:
                    return update

    bot_side = asyncio.create_task(answer_yes())
    attempt = await ann.pay(invoice)
    paid = await asyncio.wait_for(bot_side, 10)

    assert attempt.ok
    assert paid.message is not None
    assert paid.message.successful_payment is not None
    conforms("SuccessfulPayment", paid.message.successful_payment.to_dict())
    assert paid.message.successful_payment.invoice_payload == "booking-1"
    assert paid.message.successful_payment.telegram_payment_charge_id == attempt.charge_id
    assert attempt.charge_id is not None
    assert await bot.refund_star_payment(ann.id, attempt.charge_id)
    with pytest.raises(telegram.error.BadRequest, match=r"(?i)charge_already_refunded"):
        await bot.refund_star_payment(ann.id, attempt.charge_id)
    with pytest.raises(telegram.error.BadRequest, match=r"(?i)charge_not_found"):
        await bot.refund_star_payment(ann.id, "stxUNKNOWN")
    [charge] = fake_telegram.star_charges(ann)
    assert charge.refunded


async def test_a_no_charges_nothing_and_must_say_why(fake_telegram: FakeTelegram, bot: telegram.Bot) -> None:
    ann = fake_telegram.add_user("Ann")
    ann.start_private_chat()
    await _invoice(bot, ann.id)
    invoice = fake_telegram.last_message(ann)

    async def answer_no() -> None:
        while True:
            for update in await bot.get_updates(timeout=1, allowed_updates=["pre_checkout_query"]):
                await bot.get_updates(offset=update.update_id + 1, timeout=0)
                if update.pre_checkout_query is not None:
                    with pytest.raises(telegram.error.BadRequest, match=r"(?i)error_message_empty"):
                        await update.pre_checkout_query.answer(ok=False)
                    await update.pre_checkout_query.answer(ok=False, error_message="The seat went back.")
                    return

    bot_side = asyncio.create_task(answer_no())
    attempt = await ann.pay(invoice)
    await asyncio.wait_for(bot_side, 10)

    assert (attempt.ok, attempt.error_message, attempt.charge_id) == (False, "The seat went back.", None)
    assert fake_telegram.star_charges(ann) == []


async def test_an_invoice_in_money_needs_a_connected_provider_token_and_stars_refuse_one(
    fake_telegram: FakeTelegram, bot: telegram.Bot
) -> None:
    ann = fake_telegram.add_user("Ann")
    ann.start_private_chat()
    token = fake_telegram.connect_payment_provider(lambda amount, currency, title: "ch_unused")
    price = [LabeledPrice("Chess", 1250)]

    sent = await bot.send_invoice(ann.id, "Chess", "A seat for Mia", "b", "EUR", price, provider_token=token)

    assert sent.invoice is not None
    assert (sent.invoice.currency, sent.invoice.total_amount) == ("EUR", 1250)
    for refused_token in ("", "123:TEST:not-a-provider"):
        with pytest.raises(telegram.error.BadRequest, match=r"(?i)payment_provider_invalid"):
            await bot.send_invoice(ann.id, "Chess", "Seat", "b", "EUR", price, provider_token=refused_token)
    with pytest.raises(telegram.error.BadRequest, match=r"(?i)payment_provider_invalid"):
        await bot.send_invoice(ann.id, "Chess", "Seat", "b", "XTR", [LabeledPrice("Chess", 1)], provider_token=token)
    assert fake_telegram.count("sendInvoice", ok=True) == 1


async def test_a_card_payment_is_charged_at_the_provider_and_names_both_charges_and_is_no_star_refund(
    fake_telegram: FakeTelegram, bot: telegram.Bot
) -> None:
    ann = fake_telegram.add_user("Ann")
    ann.start_private_chat()
    taken: list[tuple[int, str, str]] = []

    def provider(amount: int, currency: str, title: str) -> str:
        taken.append((amount, currency, title))
        return "ch_provider_1"

    token = fake_telegram.connect_payment_provider(provider)
    await bot.send_invoice(
        ann.id, "Chess", "A seat for Mia", "booking-1", "EUR", [LabeledPrice("Chess", 1250)], provider_token=token
    )
    invoice = fake_telegram.last_message(ann)

    async def answer_yes() -> telegram.Update:
        while True:
            for update in await bot.get_updates(timeout=1, allowed_updates=["pre_checkout_query", "message"]):
                await bot.get_updates(offset=update.update_id + 1, timeout=0)
                if update.pre_checkout_query is not None:
                    await update.pre_checkout_query.answer(ok=True)
                    continue
                if update.message is not None and update.message.successful_payment is not None:
                    return update

    bot_side = asyncio.create_task(answer_yes())
    attempt = await ann.pay(invoice)
    paid = await asyncio.wait_for(bot_side, 10)

    assert attempt.ok
    assert taken == [(1250, "EUR", "Chess")]
    assert paid.message is not None
    payment = paid.message.successful_payment
    assert payment is not None
    conforms("SuccessfulPayment", payment.to_dict())
    assert (payment.currency, payment.total_amount) == ("EUR", 1250)
    assert payment.provider_payment_charge_id == "ch_provider_1"
    assert payment.telegram_payment_charge_id == attempt.charge_id
    [card] = fake_telegram.card_charges(ann)
    assert (card.charge_id, card.provider_charge_id) == (attempt.charge_id, "ch_provider_1")
    assert fake_telegram.star_charges(ann) == []
    assert attempt.charge_id is not None
    with pytest.raises(telegram.error.BadRequest, match=r"(?i)charge_not_found"):
        await bot.refund_star_payment(ann.id, attempt.charge_id)  # Telegram refunds only Stars
