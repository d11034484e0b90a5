"""Paid classes on Slack through Stripe Checkout, with the real process against the Slack, Zoom and Stripe test
servers over real HTTP: the Checkout page by DM after the child's name, the link once Stripe says it was paid, a
session that expires unpaid giving the seat to the next parent waiting, a payment after the hold booking a seat
still free and refunded when none is left, a parent's cancellation refunded through Stripe's Refund API inside the
teacher's refund rule and not outside it (told so before confirming), a cancelled class refunded once per payer,
and webhooks that are forged, stale or delivered twice. The priced class is made as a teacher makes it, through the
class form's price and refund rule fields.
"""

from __future__ import annotations

import json
import re
import sqlite3
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
import pytest
from classbot_fakes.slack import FakeSlackChannel, FakeSlackUser, SlackMessage
from classbot_fakes.stripe import FakeStripe, NotPayable, signature_header

from tests.slack.world import SlackWorld, jobs_idle, slack_world
from tests.support.waiting import wait_until

pytestmark = pytest.mark.slow

PRICE = "€12.50"


@dataclass
class PaidWorld:
    world: SlackWorld
    stripe: FakeStripe
    database: Path
    teacher: FakeSlackUser
    room: FakeSlackChannel
    pat: FakeSlackUser
    sam: FakeSlackUser

    async def paid_class(self, title: str, seats: int, **fields: str) -> SlackMessage:
        """A class in the room at 12.50 EUR per child; its announcement (the card parents book from)."""
        await self.world.create_class(
            self.teacher, title, channel=self.room, seats=str(seats), price="12.50 EUR", **fields
        )
        card = await self.world.said(self.room, f"New class.*{title}")
        assert f"Price: {PRICE} per child" in card.all_text
        assert "Full refund if cancelled at least" in card.all_text  # the teacher's rule, 24 hours unless chosen
        return card

    async def paid_booking(self, card: SlackMessage, parent: FakeSlackUser, child: str) -> str:
        """``child`` booked and paid for by ``parent``; the Stripe payment's id."""
        await self.world.book(parent, card, child)
        session_id = await self.checkout_for(parent, child)
        self.stripe.pay(session_id)
        await self.world.said(parent, f"Paid: {child} is booked")
        return str(self.stripe.session(session_id)["payment_intent"])

    async def cancelled(self, parent: FakeSlackUser, child: str) -> str:
        """``parent`` cancels ``child``'s booking from their list; the question Slack asked them first."""
        await self.world.slack.slash(parent, "bookings")
        listed = await self.world.whispered(parent, child)
        [question] = [
            element["confirm"]["text"]["text"]
            for block in listed.blocks
            for element in block.get("elements", [])
            if str(element.get("action_id", "")).startswith("cb:")
        ]
        await self.world.slack.press(parent, listed, "Cancel this booking")
        await self.world.whispered(parent, f"Cancelled: {child}")
        return str(question)

    async def checkout_for(self, parent: FakeSlackUser, child: str) -> str:
        """The Checkout Session id in the page the parent was sent by DM for ``child``."""
        offer = await self.world.said(parent, f"To keep the seat for {child}.*pay {re.escape(PRICE)} by card")
        url = offer.element(f"Pay {PRICE}").url
        assert url is not None
        assert url.startswith(f"{self.stripe.api_url}/c/pay/cs_test_")
        return url.rsplit("/", 1)[1]

    def payments(self) -> list[tuple[str, str, int, str, int]]:
        with sqlite3.connect(self.database) as connection:
            rows = connection.execute(
                "SELECT provider, provider_charge_id, amount, state, refunded_amount FROM payments ORDER BY id"
            ).fetchall()
        return [(str(a), str(b), int(c), str(d), int(e)) for a, b, c, d, e in rows]

    def booking_statuses(self) -> dict[str, str]:
        with sqlite3.connect(self.database) as connection:
            rows = connection.execute("SELECT child_name, status FROM bookings").fetchall()
        return {str(child): str(status) for child, status in rows}


def _in_three_hours() -> dict[str, str]:
    """The class form's day and time for a start three hours from now (in the form's Europe/Madrid): "now" is
    inside a refund rule of two hours before it, and outside one of 48."""
    start = datetime.now(ZoneInfo("Europe/Madrid")) + timedelta(hours=3)
    return {"date": start.date().isoformat(), "time": start.strftime("%H:%M")}


def _pay_urls(world: SlackWorld, parent: FakeSlackUser) -> list[str]:
    """The Checkout pages sent to ``parent`` so far."""
    return [url for message in world.slack.messages(parent) for url in message.links if "/c/pay/" in url]


async def _paid_world(tmp_path: Path, sqlite_url: str, hold_seconds: int) -> AsyncIterator[PaidWorld]:
    with FakeStripe() as stripe:
        settings = {
            "STRIPE_SECRET_KEY": stripe.secret_key,
            "STRIPE_WEBHOOK_SECRET": stripe.webhook_secret,
            "STRIPE_API_URL": stripe.api_url,
            "PAYMENT_HOLD_SECONDS": str(hold_seconds),
        }
        async with slack_world(tmp_path, sqlite_url, environment=settings) as world:
            stripe.configure_webhook(f"{world.bot.url}/stripe/webhook")
            slack = world.slack
            admin, teacher = slack.add_user("Ada", is_admin=True), slack.add_user("Ann")
            pat, sam = slack.add_user("Pat"), slack.add_user("Sam")
            room = slack.add_channel("chess-club", members=[admin, teacher, pat, sam])
            await world.set_up_channel(admin, room)
            await world.connect_zoom(teacher, world.zoom.add_user(email="ann@example.org").id)
            yield PaidWorld(world, stripe, tmp_path / "classbot.db", teacher, room, pat, sam)


@pytest.fixture
async def paid(tmp_path: Path, sqlite_url: str) -> AsyncIterator[PaidWorld]:
    async for built in _paid_world(tmp_path, sqlite_url, hold_seconds=900):
        yield built


@pytest.fixture
async def quick(tmp_path: Path, sqlite_url: str) -> AsyncIterator[PaidWorld]:
    """Seats held for 2 seconds: a hold runs out long before its Checkout Session's own ``expires_at`` (Stripe's
    30 minutes at least), so only ClassBot closing the session at the hold's end stops a payment there."""
    async for built in _paid_world(tmp_path, sqlite_url, hold_seconds=2):
        yield built


async def test_a_slack_parent_pays_by_card_and_gets_the_link_once(paid: PaidWorld) -> None:
    world, stripe = paid.world, paid.stripe
    card = await paid.paid_class("Chess", seats=2)
    parent = paid.pat

    await world.book(parent, card, "Mia")
    await world.said(parent, "Mia: the seat in “Chess” is held for you for 15 minutes")
    session_id = await paid.checkout_for(parent, "Mia")
    session = stripe.session(session_id)
    assert (session["amount_total"], session["currency"], session["metadata"]["platform"]) == (1250, "eur", "slack")
    assert 30 * 60 <= session["expires_at"] - session["created"] <= 24 * 3600  # Stripe's rule for expires_at
    assert world.zoom_links_in(parent) == []

    [delivery] = stripe.pay(session_id)

    assert delivery.status == 200
    await world.said(parent, "Paid: Mia is booked in “Chess”")
    await world.said(parent, "Here is your Zoom link")
    await world.said(paid.teacher, "New booking: Mia")
    [(provider, charge, amount, state, _)] = paid.payments()
    assert (provider, charge, amount, state) == ("stripe", stripe.session(session_id)["payment_intent"], 1250, "paid")

    again = stripe.redeliver(delivery.event_id)  # Stripe never heard our answer: the same event once more
    assert [attempt.status for attempt in again] == [200]
    await jobs_idle(paid.database)
    assert len(paid.payments()) == 1
    assert sum("Paid: Mia" in message.all_text for message in world.slack.messages(parent)) == 1
    await world.slack.slash(parent, "bookings")
    listed = await world.whispered(parent, "Mia")
    [question] = [
        element["confirm"]["text"]["text"]
        for block in listed.blocks
        for element in block.get("elements", [])
        if str(element.get("action_id", "")).startswith("cb:")
    ]
    assert re.match(
        r"Cancelled before .*16:30.*, the €12\.50 you paid comes back; after that it does not\. Cancel Mia's seat",
        question,
    ), question
    assert all("/c/pay/" not in message.all_text for message in world.slack.messages(paid.room))
    assert all(not message.links for message in world.slack.all_messages() if message.ephemeral)
    assert stripe.count("POST", "/v1/checkout/sessions") == 1
    assert stripe.refunds() == []
    assert "Traceback" not in world.bot.output()
    assert stripe.secret_key not in world.bot.output()


async def test_forged_and_stale_webhooks_are_refused_and_change_nothing(paid: PaidWorld) -> None:
    world, stripe = paid.world, paid.stripe
    card = await paid.paid_class("Chess", seats=2)
    parent = paid.pat
    await world.book(parent, card, "Mia")
    session_id = await paid.checkout_for(parent, "Mia")
    stripe.configure_webhook("http://127.0.0.1:9/nowhere", attempts=1)  # the real delivery goes nowhere
    [lost] = stripe.pay(session_id)
    event = json.loads(lost.body)
    url = f"{world.bot.url}/stripe/webhook"

    async with httpx.AsyncClient(timeout=10) as client:

        async def post(body: str, signature: str) -> httpx.Response:
            headers = {"content-type": "application/json", "stripe-signature": signature}
            return await client.post(url, content=body.encode(), headers=headers)

        cheaper = lost.body.replace('"amount_total": 1250', '"amount_total": 1')
        tampered = await post(cheaper, lost.signature)
        wrong_secret = await post(lost.body, signature_header(lost.body, "whsec_someone_else"))
        stale = await post(
            lost.body, signature_header(lost.body, stripe.webhook_secret, timestamp=int(time.time()) - 301)
        )
        unsigned = await post(lost.body, "")

        assert [answer.status_code for answer in (tampered, wrong_secret, stale, unsigned)] == [400, 400, 400, 400]
        assert paid.payments() == []
        assert paid.booking_statuses() == {"Mia": "awaiting_payment"}

        fresh = await post(lost.body, signature_header(lost.body, stripe.webhook_secret))
        assert fresh.status_code == 200
    await world.said(parent, "Paid: Mia is booked")
    assert [row[1] for row in paid.payments()] == [event["data"]["object"]["payment_intent"]]


async def test_an_abandoned_checkout_gives_the_seat_to_the_next_parent_waiting(paid: PaidWorld) -> None:
    world, stripe = paid.world, paid.stripe
    card = await paid.paid_class("Chess", seats=1)
    first, second = paid.pat, paid.sam
    await world.book(first, card, "Mia")
    abandoned = await paid.checkout_for(first, "Mia")
    await world.book(second, card, "Leo")  # the class is full: Leo waits
    await world.said(second, "Leo is on the waitlist")

    [expired] = stripe.let_expire(abandoned)

    assert expired.status == 200
    await world.said(first, "The seat held for Mia in “Chess” was not paid in time")
    offer = await world.said(second, "A seat opened in “Chess” for Leo")
    await world.slack.press(second, offer, "Pay for the seat")
    session_id = await paid.checkout_for(second, "Leo")
    await world.slack.press(second, offer, "Pay for the seat")  # twice: the same page (one session per booking)

    async def offered_twice() -> bool:
        return len(_pay_urls(world, second)) == 2

    await wait_until(offered_twice, timeout=20, what="the second Checkout message")
    assert set(_pay_urls(world, second)) == {f"{stripe.api_url}/c/pay/{session_id}"}
    creations = [call for call in stripe.calls if call.path == "/v1/checkout/sessions"]
    assert len(creations) == 3  # Mia's, Leo's, and Leo's again: replayed under the booking's idempotency key
    assert creations[1].idempotency_key == creations[2].idempotency_key
    assert len(stripe.sessions()) == 2

    stripe.pay(session_id)
    await world.said(second, "Paid: Leo is booked")
    await world.said(second, "Here is your Zoom link")
    assert paid.booking_statuses() == {"Mia": "expired", "Leo": "confirmed"}
    assert world.zoom_links_in(first) == []


async def test_the_checkout_page_closes_at_stripe_when_the_hold_ends(quick: PaidWorld) -> None:
    world, stripe = quick.world, quick.stripe
    card = await quick.paid_class("Chess", seats=1)
    await world.book(quick.pat, card, "Mia")
    session_id = await quick.checkout_for(quick.pat, "Mia")
    assert stripe.session(session_id)["expires_at"] - time.time() > 25 * 60  # Stripe's own end is far away

    await world.said(quick.pat, "was not paid in time", timeout=30)

    async def expired_at_stripe() -> bool:
        return stripe.session(session_id)["status"] == "expired"

    await wait_until(expired_at_stripe, timeout=20, what="the Checkout Session to be expired at Stripe")
    [delivery] = stripe.wait_for_delivery("checkout.session.expired")  # Stripe tells of it: nothing held by then
    assert delivery.status == 200
    with pytest.raises(NotPayable):
        stripe.pay(session_id)  # the parent opens the page too late: Stripe takes no payment there
    async with httpx.AsyncClient(timeout=10) as client:
        page = await client.get(f"{stripe.api_url}/c/pay/{session_id}")
    assert page.status_code == 410
    assert stripe.count("POST", f"/v1/checkout/sessions/{session_id}/expire") == 1
    await jobs_idle(quick.database)
    assert quick.booking_statuses() == {"Mia": "expired"}
    assert quick.payments() == []
    assert stripe.refunds() == []


async def test_a_payment_that_beats_the_closing_page_with_no_seat_left_is_refunded(quick: PaidWorld) -> None:
    world, stripe = quick.world, quick.stripe
    card = await quick.paid_class("Chess", seats=1)
    late, waiting = quick.pat, quick.sam
    await world.book(late, card, "Mia")
    session_id = await quick.checkout_for(late, "Mia")
    expire = f"/v1/checkout/sessions/{session_id}/expire"
    stripe.fail(expire)  # Stripe has trouble closing the page: the payment under way on it completes
    await world.book(waiting, card, "Leo")  # the class is full: Leo waits
    await world.said(late, "was not paid in time", timeout=30)  # the hold ran out; Leo holds the seat now
    await world.said(waiting, "A seat opened in “Chess” for Leo")

    async def closing_tried() -> bool:
        return stripe.count("POST", expire) >= 1

    await wait_until(closing_tried, timeout=20, what="ClassBot to ask Stripe to expire the session")
    stripe.pay(session_id)  # Mia's payment was under way: the money comes with no seat for it

    await world.said(late, "no longer free when the payment came, so all of it \\(€12.50\\) goes back")
    await world.said(late, "Refunded: €12.50 for “Chess”")
    [refund] = stripe.refunds()
    assert (refund["amount"], refund["payment_intent"]) == (1250, stripe.session(session_id)["payment_intent"])
    assert [row[3] for row in quick.payments()] == ["refunded"]
    assert world.zoom_links_in(late) == []

    stripe.fail(expire, failing=False)  # Stripe is back: the page, paid by now, is left as it is

    async def closing_done() -> bool:
        with sqlite3.connect(quick.database) as connection:
            rows = connection.execute("SELECT status FROM jobs WHERE kind = 'checkout.expire'").fetchall()
        return [status for (status,) in rows] == ["done"]

    await wait_until(closing_done, timeout=30, what="the closing of the paid page to be settled")
    assert stripe.session(session_id)["status"] == "complete"
    assert [row[3] for row in quick.payments()] == ["refunded"]


async def test_a_cancelled_paid_class_refunds_every_payer_once(paid: PaidWorld) -> None:
    world, stripe = paid.world, paid.stripe
    card = await paid.paid_class("Chess", seats=3)
    parents = [paid.pat, paid.sam]
    intents = []
    for parent, child in zip(parents, ["Mia", "Leo"], strict=True):
        await world.book(parent, card, child)
        session_id = await paid.checkout_for(parent, child)
        stripe.pay(session_id)
        await world.said(parent, f"Paid: {child} is booked")
        intents.append(stripe.session(session_id)["payment_intent"])

    home = await world.slack.wait_for_home(paid.teacher, lambda view: "Chess" in view.all_text)
    await world.slack.press(paid.teacher, home, "Cancel the class")

    for parent in parents:
        await world.said(parent, "Refunded: €12.50 for “Chess”")
    await jobs_idle(paid.database)

    async def all_refunded() -> bool:
        return [row[3] for row in paid.payments()] == ["refunded", "refunded"]

    await wait_until(all_refunded, timeout=20, what="both payments to be marked refunded")
    assert sorted(refund["payment_intent"] for refund in stripe.refunds()) == sorted(intents)
    assert all(refund["amount"] == 1250 for refund in stripe.refunds())
    assert stripe.count("POST", "/v1/refunds") == 2


async def test_a_parent_cancelling_inside_the_teachers_refund_rule_is_refunded_through_stripe(
    paid: PaidWorld,
) -> None:
    world, stripe = paid.world, paid.stripe
    card = await paid.paid_class("Chess", seats=2, refund="2", **_in_three_hours())
    intent = await paid.paid_booking(card, paid.pat, "Mia")

    question = await paid.cancelled(paid.pat, "Mia")

    await world.said(paid.pat, "Refunded: €12.50 for “Chess”")
    assert "Full refund if cancelled at least 2 hours before the first session." in card.all_text
    assert question.startswith("Cancelled before ")
    assert "the €12.50 you paid comes back; after that it does not." in question
    [refund] = stripe.refunds()
    assert (refund["amount"], refund["payment_intent"]) == (1250, intent)

    async def marked_refunded() -> bool:
        return [row[3:] for row in paid.payments()] == [("refunded", 1250)]

    await wait_until(marked_refunded, timeout=20, what="the payment to be marked refunded")
    assert stripe.count("POST", "/v1/refunds") == 1


async def test_a_parent_cancelling_outside_the_teachers_refund_rule_is_told_first_and_not_refunded(
    paid: PaidWorld,
) -> None:
    world, stripe = paid.world, paid.stripe
    card = await paid.paid_class("Chess", seats=2, refund="48", **_in_three_hours())
    await paid.paid_booking(card, paid.pat, "Mia")

    question = await paid.cancelled(paid.pat, "Mia")

    # the teacher's notice is queued with the booking's cancellation, as a refund would have been
    await world.said(paid.teacher, "Mia no longer comes to “Chess”")
    await jobs_idle(paid.database)
    assert "Full refund if cancelled at least 48 hours before the first session." in card.all_text
    assert question.startswith("The €12.50 you paid does not come back: the class is too close.")
    assert paid.booking_statuses() == {"Mia": "cancelled"}
    assert [row[3:] for row in paid.payments()] == [("paid", 0)]
    assert stripe.refunds() == []
    assert stripe.count("POST", "/v1/refunds") == 0


async def test_a_payment_that_beats_the_closing_page_books_a_seat_still_free(quick: PaidWorld) -> None:
    world, stripe = quick.world, quick.stripe
    card = await quick.paid_class("Chess", seats=2)
    late = quick.pat
    await world.book(late, card, "Mia")
    session_id = await quick.checkout_for(late, "Mia")
    expire = f"/v1/checkout/sessions/{session_id}/expire"
    stripe.fail(expire)  # Stripe has trouble closing the page: the payment under way on it completes
    await world.said(late, "was not paid in time", timeout=30)  # the hold ran out; both seats are free again

    async def closing_tried() -> bool:
        return stripe.count("POST", expire) >= 1

    await wait_until(closing_tried, timeout=20, what="ClassBot to ask Stripe to expire the session")
    stripe.pay(session_id)  # Mia's payment was under way: a seat is still free for it

    await world.said(late, "Paid: Mia is booked in “Chess”")
    await world.said(late, "Here is your Zoom link")
    await world.said(quick.teacher, "New booking: Mia")
    await jobs_idle(quick.database)
    assert quick.booking_statuses() == {"Mia": "confirmed"}
    assert [row[3] for row in quick.payments()] == ["paid"]
    assert stripe.refunds() == []
