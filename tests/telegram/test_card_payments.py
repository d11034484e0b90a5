"""Paid classes by card on Telegram, through the operator's payment provider token, with the real process against
the Telegram, Zoom and Stripe test servers: the invoice in euros after the child's name, the provider's charge made
at Stripe, the link once paid, and the teacher's cancellation refunded once through Stripe's Refund API by the
charge id Telegram reported (Telegram refunds only Stars). Stars stay accepted beside the card currency."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from classbot_fakes.stripe import FakeStripe
from classbot_fakes.telegram import FakeUser, SentMessage

from tests.telegram.world import TelegramWorld, class_time, telegram_world

pytestmark = pytest.mark.slow

PROVIDER_TOKEN = "284685063:TEST:classbot-cards"  # the test provider's made-up token


@pytest.fixture
def stripe() -> Iterator[FakeStripe]:
    with FakeStripe() as fake:
        yield fake


@pytest.fixture
def world(tmp_path: Path, sqlite_url: str, stripe: FakeStripe) -> Iterator[TelegramWorld]:
    settings = {
        "TELEGRAM_PAYMENT_PROVIDER_TOKEN": PROVIDER_TOKEN,
        "TELEGRAM_PAYMENT_CURRENCY": "eur",
        "STRIPE_SECRET_KEY": stripe.secret_key,
        "STRIPE_WEBHOOK_SECRET": stripe.webhook_secret,
        "STRIPE_API_URL": stripe.api_url,
    }
    with telegram_world(tmp_path, sqlite_url, settings=settings) as built:
        # Telegram's Stripe provider charges the Stripe account behind the token.
        built.telegram.connect_payment_provider(stripe.charge_card, token=PROVIDER_TOKEN)
        yield built


def _is_invoice(message: SentMessage) -> bool:
    return message.invoice is not None


async def _teacher(world: TelegramWorld) -> FakeUser:
    teacher = world.telegram.add_user("Ann")
    zoom_user = world.zoom.add_user(email="ann@example.org", timezone="Europe/Madrid")
    teacher.start_private_chat()
    await world.said(teacher, "books kids' online classes")
    await world.connect_zoom(teacher, zoom_user.id)
    return teacher


async def _class(world: TelegramWorld, teacher: FakeUser, title: str, price: str) -> str:
    teacher.send(f"/newclass {title} | {class_time()} | 45 | 3 | price {price}")
    created = await world.said(teacher, "Created")
    [share] = [url for url in created.urls if "start=c_" in url]
    return share


async def _paid_seat(world: TelegramWorld, parent: FakeUser, share: str, title: str, child: str) -> SentMessage:
    """The parent holds a seat for ``child`` and pays its invoice; the invoice."""
    parent.open_deep_link(share)
    card = await world.said(parent, title)
    parent.press(card, card.button_texts[0])
    await world.said(parent, "who is the seat for")
    parent.send(child)
    invoice = await world.telegram.wait_for_message(parent, _is_invoice, timeout=40)
    attempt = await parent.pay(invoice)
    assert attempt.ok
    await world.said(parent, f"Paid: {child} is booked")
    return invoice


async def test_a_parent_pays_by_card_gets_the_link_once_and_the_cancelled_class_is_refunded_once_by_stripe(
    world: TelegramWorld, stripe: FakeStripe
) -> None:
    teacher = await _teacher(world)
    share = await _class(world, teacher, "Chess", "12.50 EUR")
    parent = world.telegram.add_user("Pat")

    invoice = await _paid_seat(world, parent, share, "Chess", "Mia")

    assert invoice.invoice is not None
    assert (invoice.invoice["currency"], invoice.invoice["total_amount"]) == ("EUR", 1250)
    [sent] = [call for call in world.telegram.calls if call.method.lower() == "sendinvoice"]
    assert sent.params["provider_token"] == PROVIDER_TOKEN
    await world.said(parent, "Here is your Zoom link")
    await world.said(teacher, "New booking: Mia")
    [card_payment] = world.telegram.card_charges(parent)
    [charged] = stripe.charges()
    assert (charged["latest_charge"], charged["amount_received"], charged["currency"]) == (
        card_payment.provider_charge_id,
        1250,
        "eur",
    )

    teacher.send("/myclasses")
    card = await world.telegram.wait_for_message(
        teacher, lambda message: "Cancel the class" in message.button_texts, timeout=40
    )
    teacher.press(card, "Cancel the class")
    question = await world.said(teacher, "Cancel “Chess”\\?")
    teacher.press(question, "Yes, cancel the class")

    await world.said(parent, "Refunded: €12.50 for “Chess”")
    [refund] = stripe.refunds()
    assert (refund["charge"], refund["amount"]) == (card_payment.provider_charge_id, 1250)
    assert stripe.count("POST", "/v1/refunds") == 1
    assert [paid["amount_refunded"] for paid in stripe.charges()] == [1250]
    assert world.telegram.count("refundStarPayment") == 0
    links = [message for message in world.telegram.messages(parent) if "Here is your Zoom link" in (message.text or "")]
    assert len(links) == 1
    assert PROVIDER_TOKEN not in world.bot.output()  # the token goes to Telegram, never to the log


async def test_stars_stay_accepted_beside_the_card_currency_and_another_currency_is_refused_saying_what_to_type(
    world: TelegramWorld, stripe: FakeStripe
) -> None:
    teacher = await _teacher(world)

    teacher.send(f"/newclass Art | {class_time()} | 45 | 3 | price 9 USD")
    refused = await world.said(teacher, "Parents here pay")
    share = await _class(world, teacher, "Chess", "250 XTR")
    parent = world.telegram.add_user("Pat")
    invoice = await _paid_seat(world, parent, share, "Chess", "Mia")

    assert "Telegram Stars or by card in EUR: type the price like 250 XTR or 12.50 EUR" in (refused.text or "")
    assert invoice.invoice is not None
    assert (invoice.invoice["currency"], invoice.invoice["total_amount"]) == ("XTR", 250)
    [sent] = [call for call in world.telegram.calls if call.method.lower() == "sendinvoice"]
    assert not sent.params.get("provider_token")
    assert len(world.telegram.star_charges(parent)) == 1
    assert stripe.charges() == []
