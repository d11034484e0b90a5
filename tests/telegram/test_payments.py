"""Paid classes in Telegram Stars, through the real process against the test server: an invoice after the child's
name, the link once paid, a seat not paid in time given back, and a parent's cancellation refunded once inside the
teacher's refund rule and not outside it, told so before confirming."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
import pytest
from classbot_fakes.telegram import FakeUser, SentMessage

from tests.telegram.world import TelegramWorld, class_time, telegram_world

pytestmark = pytest.mark.slow


def _is_invoice(message: SentMessage) -> bool:
    return message.invoice is not None


def _in_three_hours() -> str:
    """A start three hours from now, in the teacher's timezone (their Zoom profile's): "now" is inside a rule of
    two hours before it, and outside one of 48."""
    return (datetime.now(ZoneInfo("Europe/Madrid")) + timedelta(hours=3)).strftime("%Y-%m-%d %H:%M")


async def _teacher_with_paid_class(
    world: TelegramWorld, seats: int, *, when: str | None = None, rule: str = ""
) -> tuple[FakeUser, str]:
    tg = world.telegram
    teacher = tg.add_user("Ann")
    zoom_user = world.zoom.add_user(email="ann@example.org", timezone="Europe/Madrid")
    teacher.start_private_chat()
    await world.said(teacher, "books kids' online classes")
    await world.connect_zoom(teacher, zoom_user.id)
    teacher.send(f"/newclass Chess | {when or class_time()} | 45 | {seats} | price 250 XTR{rule}")
    created = await world.said(teacher, "Created")
    assert "250 ⭐" in (created.text or "")
    assert "Full refund if cancelled at least" in (created.text or "")  # the teacher's rule, 24 hours unless chosen
    [share] = [url for url in created.urls if "start=c_" in url]
    return teacher, share


async def _hold_seat(world: TelegramWorld, parent: FakeUser, share: str, child: str) -> None:
    parent.open_deep_link(share)
    card = await world.said(parent, "Chess")
    assert "Price: 250 ⭐ per child" in (card.text or "")
    assert "Full refund if cancelled at least" in (card.text or "")
    parent.press(card, card.button_texts[0])  # "Book a seat", or "Join the waitlist" when full
    await world.said(parent, "who is the seat for|who should go on the waitlist")
    parent.send(child)


@pytest.fixture
def world(tmp_path: Path, sqlite_url: str) -> Iterator[TelegramWorld]:
    with telegram_world(tmp_path, sqlite_url) as built:
        yield built


async def test_a_parent_pays_in_stars_and_then_gets_the_link(world: TelegramWorld) -> None:
    teacher, share = await _teacher_with_paid_class(world, seats=2)
    parent = world.telegram.add_user("Pat")
    await _hold_seat(world, parent, share, "Mia")

    await world.said(parent, "held for you for 15 minutes")
    invoice = await world.telegram.wait_for_message(parent, _is_invoice, timeout=40)
    assert invoice.invoice is not None
    assert (invoice.invoice["currency"], invoice.invoice["total_amount"]) == ("XTR", 250)
    assert world.zoom_links_in(parent) == []  # no link before the money

    attempt = await parent.pay(invoice)

    assert attempt.ok
    await world.said(parent, "Paid: Mia is booked")
    await world.said(parent, "Here is your Zoom link")
    await world.said(teacher, "New booking: Mia")
    assert world.telegram.count("refundStarPayment") == 0


async def test_a_payment_telegram_delivers_twice_books_once_and_sends_one_link(world: TelegramWorld) -> None:
    """Telegram may deliver a ``successful_payment`` again (after a restart): it is the same charge, counted once,
    not a second payment to refund."""
    _, share = await _teacher_with_paid_class(world, seats=2)
    parent = world.telegram.add_user("Pat")
    await _hold_seat(world, parent, share, "Mia")
    invoice = await world.telegram.wait_for_message(parent, _is_invoice, timeout=40)
    attempt = await parent.pay(invoice)
    await world.said(parent, "Here is your Zoom link")
    assert attempt.charge_id is not None

    world.telegram.send_payment_again(attempt.charge_id)
    parent.send("/mybookings")  # answered after the payment sent again: one chat's updates are taken in order
    await world.said(parent, "Mia")

    texts = [m.text or "" for m in world.telegram.messages(parent)]
    assert len([text for text in texts if "Paid: Mia is booked" in text]) == 1
    assert len([text for text in texts if "Here is your Zoom link" in text]) == 1
    assert world.telegram.count("refundStarPayment") == 0


async def test_a_forged_payment_update_is_refused_and_books_nothing(tmp_path: Path, sqlite_url: str) -> None:
    """Only Telegram knows the webhook's secret: a payment message posted by anyone else books nothing."""
    with telegram_world(tmp_path, sqlite_url, webhook=True) as world:
        _, share = await _teacher_with_paid_class(world, seats=2)
        parent = world.telegram.add_user("Pat")
        await _hold_seat(world, parent, share, "Mia")
        invoice = await world.telegram.wait_for_message(parent, _is_invoice, timeout=40)
        assert invoice.invoice is not None
        forged = _payment_update(parent, invoice.invoice["currency"], invoice.invoice["total_amount"])
        url = f"{world.bot.url}/telegram/webhook"
        async with httpx.AsyncClient(timeout=10) as client:
            guessed = await client.post(url, json=forged, headers={"X-Telegram-Bot-Api-Secret-Token": "guess"})
            unsigned = await client.post(url, json=forged)
        parent.send("/mybookings")
        listed = await world.said(parent, "Mia")

        assert (guessed.status_code, unsigned.status_code) == (403, 403)
        assert "Paid: Mia is booked" not in [m.text for m in world.telegram.messages(parent)]
        assert world.zoom_links_in(parent) == []
        assert "Chess" in (listed.text or "")  # still held, waiting for a real payment


def _payment_update(parent: FakeUser, currency: str, amount: int) -> dict[str, object]:
    """What a forger would post: a payment message for the held seat, made up."""
    return {
        "update_id": 10**6,
        "message": {
            "message_id": 10**6,
            "date": int(datetime.now(UTC).timestamp()),
            "chat": {"id": parent.id, "type": "private", "first_name": "Pat"},
            "from": {"id": parent.id, "is_bot": False, "first_name": "Pat"},
            "successful_payment": {
                "currency": currency,
                "total_amount": amount,
                "invoice_payload": "forged",
                "telegram_payment_charge_id": "stxFORGED",
                "provider_payment_charge_id": "",
            },
        },
    }


@pytest.fixture
def quick_world(tmp_path: Path, sqlite_url: str) -> Iterator[TelegramWorld]:
    with telegram_world(tmp_path, sqlite_url, settings={"PAYMENT_HOLD_SECONDS": "2"}) as built:
        yield built


async def test_a_seat_not_paid_in_time_goes_to_the_waitlist_and_the_old_invoice_is_refused(
    quick_world: TelegramWorld,
) -> None:
    world = quick_world
    _, share = await _teacher_with_paid_class(world, seats=1)
    first, second = world.telegram.add_user("Pat"), world.telegram.add_user("Sue")
    await _hold_seat(world, first, share, "Mia")
    invoice = await world.telegram.wait_for_message(first, _is_invoice, timeout=40)
    await _hold_seat(world, second, share, "Leo")
    await world.said(second, "on the waitlist")

    await world.said(first, "not paid in time")
    offer = await world.said(second, "A seat opened in “Chess” for Leo")
    assert "Pay for the seat" in offer.button_texts

    attempt = await first.pay(invoice)
    assert not attempt.ok
    assert "no longer held" in (attempt.error_message or "")
    assert world.telegram.star_charges(first) == []


async def test_a_parent_cancelling_a_day_ahead_is_refunded_once(world: TelegramWorld) -> None:
    _, share = await _teacher_with_paid_class(world, seats=2)
    parent = world.telegram.add_user("Pat")
    await _hold_seat(world, parent, share, "Mia")
    invoice = await world.telegram.wait_for_message(parent, _is_invoice, timeout=40)
    assert (await parent.pay(invoice)).ok
    await world.said(parent, "Here is your Zoom link")

    parent.send("/mybookings")
    listed = await world.said(parent, "1. Mia in")
    parent.press(listed, "1. Cancel this booking")
    question = await world.said(parent, "Cancel Mia's seat")
    assert re.match(
        r"Cancelled before .*16:30.*, the 250 ⭐ you paid comes back; after that it does not\. Cancel Mia's seat",
        question.text or "",
    ), question.text
    parent.press(question, "Yes, cancel the booking")
    await world.said(parent, "Cancelled: Mia")
    await world.said(parent, "Refunded: 250 ⭐ for “Chess”")

    [charge] = world.telegram.star_charges(parent)
    assert charge.refunded
    assert world.telegram.count("refundStarPayment", ok=True) == 1


async def _paid_booking_cancelled(world: TelegramWorld, share: str) -> tuple[FakeUser, SentMessage]:
    """A parent books and pays for Mia, then cancels from /mybookings; the question they were asked first."""
    parent = world.telegram.add_user("Pat")
    await _hold_seat(world, parent, share, "Mia")
    invoice = await world.telegram.wait_for_message(parent, _is_invoice, timeout=40)
    assert (await parent.pay(invoice)).ok
    await world.said(parent, "Paid: Mia is booked")
    parent.send("/mybookings")
    listed = await world.said(parent, "1. Mia in")
    parent.press(listed, "1. Cancel this booking")
    question = await world.said(parent, "Cancel Mia's seat")
    parent.press(question, "Yes, cancel the booking")
    await world.said(parent, "Cancelled: Mia")
    return parent, question


async def test_a_parent_cancelling_inside_the_teachers_refund_rule_is_refunded_once(world: TelegramWorld) -> None:
    teacher, share = await _teacher_with_paid_class(world, seats=2, when=_in_three_hours(), rule=" | refund 2h")
    parent, question = await _paid_booking_cancelled(world, share)

    await world.said(parent, "Refunded: 250 ⭐ for “Chess”")
    await world.said(teacher, "Mia no longer comes to “Chess”")
    assert question.text is not None
    assert question.text.startswith("Cancelled before ")
    assert "the 250 ⭐ you paid comes back; after that it does not." in question.text
    [charge] = world.telegram.star_charges(parent)
    assert charge.refunded
    assert world.telegram.count("refundStarPayment", ok=True) == 1


async def test_a_parent_cancelling_outside_the_teachers_refund_rule_is_told_first_and_not_refunded(
    world: TelegramWorld,
) -> None:
    teacher, share = await _teacher_with_paid_class(world, seats=2, when=_in_three_hours(), rule=" | refund 48h")
    parent, question = await _paid_booking_cancelled(world, share)

    # the teacher's notice is queued with the booking's cancellation, as a refund would have been
    await world.said(teacher, "Mia no longer comes to “Chess”")
    assert (question.text or "").startswith("The 250 ⭐ you paid does not come back: the class is too close.")
    [charge] = world.telegram.star_charges(parent)
    assert not charge.refunded
    assert world.telegram.count("refundStarPayment") == 0


async def test_the_teacher_cancelling_a_paid_class_refunds_each_paying_parent_once(world: TelegramWorld) -> None:
    teacher, share = await _teacher_with_paid_class(world, seats=3)
    parents = [world.telegram.add_user(name) for name in ("Pat", "Sue")]
    for parent, child in zip(parents, ("Mia", "Leo"), strict=True):
        await _hold_seat(world, parent, share, child)
        invoice = await world.telegram.wait_for_message(parent, _is_invoice, timeout=40)
        assert (await parent.pay(invoice)).ok
        await world.said(parent, "Here is your Zoom link")

    teacher.send("/myclasses")
    card = await world.telegram.wait_for_message(
        teacher, lambda message: "Cancel the class" in message.button_texts, timeout=40
    )
    teacher.press(card, "Cancel the class")
    question = await world.said(teacher, "Cancel “Chess”\\?")
    teacher.press(question, "Yes, cancel the class")

    for parent in parents:
        await world.said(parent, "Refunded: 250 ⭐ for “Chess”")
        [charge] = world.telegram.star_charges(parent)
        assert charge.refunded
    assert world.telegram.count("refundStarPayment") == 2
