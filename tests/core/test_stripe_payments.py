"""Card payments through Stripe in the core, against the Stripe test server and through the webhook route (in
process): fifty parents paying for ten seats at once (ten paid bookings, the forty others never charged or
refunded through Stripe's Refund API, no money kept without a seat); events ClassBot does not act on; a parent's
cancellation refunded once, also when Stripe already gave the money back; a held seat's page closed at Stripe
when the parent or the teacher cancels. SQLite and PostgreSQL (``CI=true`` with
``TEST_POSTGRES_URL``)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Iterator
from datetime import timedelta
from pathlib import Path

import pytest
import stripe as stripe_sdk
from classbot_fakes.stripe import FakeStripe, signature_header
from classbot_fakes.zoom import FakeZoom
from sqlalchemy import select

from bot.core.bookings import DEFAULT_HOLD
from bot.core.errors import Conflict
from bot.storage.identity import PersonRef
from bot.storage.models import Booking, Payment
from bot.storage.people import People
from tests.support.clock import MovableClock
from tests.support.core_world import CoreWorld, core_world

SEATS, PARENTS = 10, 50
# Classes paid by card are a Slack teacher's (Telegram's parents pay in Stars only); without Zoom, which this
# teacher has not connected.
CARD_TEACHER = PersonRef("slack", "UTEACHER", "T1", display_name="Ann Lee")
CARD_PRICE: dict[str, object] = {
    "price_amount": 1250,
    "price_currency": "EUR",
    "teacher": CARD_TEACHER,
    "zoom_enabled": False,
}


@pytest.fixture
def stripe() -> Iterator[FakeStripe]:
    with FakeStripe() as server:
        yield server


@pytest.fixture
async def world(
    database_url: str, fake_zoom: FakeZoom, tmp_path: Path, clock: MovableClock, stripe: FakeStripe
) -> AsyncIterator[CoreWorld]:
    settings = {
        "stripe_secret_key": stripe.secret_key,
        "stripe_webhook_secret": stripe.webhook_secret,
        "stripe_api_url": stripe.api_url,
    }
    async with core_world(
        database_url, fake_zoom, tmp_path, clock=clock, licensed=True, settings=settings, slack_too=True
    ) as built:
        yield built


def slack_parent(n: int) -> PersonRef:
    return PersonRef("slack", f"U{n:04d}", "T1", display_name=f"Parent {n}")


async def _rows(world: CoreWorld) -> tuple[list[Booking], list[Payment]]:
    async with world.components.database.read() as session:
        bookings = list((await session.execute(select(Booking).order_by(Booking.id))).scalars())
        payments = list((await session.execute(select(Payment).order_by(Payment.id))).scalars())
    return bookings, payments


async def _held(world: CoreWorld) -> list[Booking]:
    return [booking for booking in (await _rows(world))[0] if booking.status == "awaiting_payment"]


async def test_fifty_parents_paying_for_ten_seats_at_once_keep_money_only_for_seats(
    world: CoreWorld, clock: MovableClock, stripe: FakeStripe
) -> None:
    components = world.components
    cls = await world.new_class(seats=SEATS, **CARD_PRICE)
    parents = {slack_parent(n).user_id: slack_parent(n) for n in range(1, PARENTS + 1)}

    outcomes = await asyncio.gather(
        *(
            components.bookings.book(who, cls.public_id, [f"Kid {who.user_id}"], f"tap-{who.user_id}")
            for who in parents.values()
        )
    )
    assert sum(len(outcome.booked) for outcome in outcomes) == SEATS
    assert sum(len(outcome.waitlisted) for outcome in outcomes) == PARENTS - SEATS

    # Each parent gets a Checkout page while their seat is held and pays there in time, but Stripe's word of it is
    # late: four times the holds run out before ClassBot hears, and the seats go to the next ten waiting (the paid
    # pages are past closing: ClassBot's asking Stripe to expire them changes nothing).
    pages: dict[str, str] = {}
    for round_ in range(PARENTS // SEATS):
        held = await _held(world)
        assert len(held) == SEATS
        async with components.database.read() as session:
            people = {booking.id: await People(session).get(booking.parent_id) for booking in held}
        for booking in held:
            person = people[booking.id]
            assert person is not None
            link = await components.payments.checkout(parents[person.platform_user_id], booking.public_id)
            pages[booking.public_id] = link.url.rsplit("/", 1)[1]
            assert stripe.pay(pages[booking.public_id]) == []  # no endpoint: the events are posted below, at once
        if round_ < PARENTS // SEATS - 1:
            clock.advance(DEFAULT_HOLD + timedelta(seconds=1))
            await world.run_jobs()
    assert len(pages) == len(stripe.sessions()) == PARENTS

    # Stripe's fifty webhooks arrive together.
    events = [event for event in stripe.events() if event["type"] == "checkout.session.completed"]
    assert len(events) == PARENTS

    async def deliver(event: dict[str, object]) -> int:
        body = json.dumps(event)
        headers = {
            "content-type": "application/json",
            "stripe-signature": signature_header(body, stripe.webhook_secret),
        }
        answer = await world.zoom_world.web.post("/stripe/webhook", content=body.encode(), headers=headers)
        return answer.status_code

    assert await asyncio.gather(*(deliver(event) for event in events)) == [200] * PARENTS
    await world.run_jobs()

    bookings, payments = await _rows(world)
    confirmed = {booking.id for booking in bookings if booking.status == "confirmed"}
    kept = [payment for payment in payments if payment.state == "paid"]
    given_back = [payment for payment in payments if payment.state == "refunded"]
    assert len(confirmed) == SEATS
    assert len(kept) == SEATS
    assert {payment.booking_id for payment in kept} == confirmed  # no money kept without a seat
    assert len(given_back) == PARENTS - SEATS
    assert all(payment.refunded_amount == payment.amount == 1250 for payment in given_back)
    refunds = stripe.refunds()
    assert sorted(refund["payment_intent"] for refund in refunds) == sorted(p.provider_charge_id for p in given_back)
    assert (await components.classes.view(CARD_TEACHER, cls.public_id)).seats_left == 0
    assert {session["status"] for session in stripe.sessions()} == {"complete"}  # the 40 closings came too late
    assert sum(1 for call in stripe.calls if call.path.endswith("/expire")) == PARENTS - SEATS


async def _post(world: CoreWorld, stripe: FakeStripe, event: dict[str, object]) -> tuple[int, dict[str, object]]:
    body = json.dumps(event)
    headers = {"content-type": "application/json", "stripe-signature": signature_header(body, stripe.webhook_secret)}
    answer = await world.zoom_world.web.post("/stripe/webhook", content=body.encode(), headers=headers)
    return answer.status_code, answer.json()


async def _held_and_paid(world: CoreWorld, stripe: FakeStripe, cls_id: str, who: PersonRef) -> str:
    outcome = await world.components.bookings.book(who, cls_id, ["Mia"], f"tap-{who.user_id}")
    [held] = outcome.booked
    link = await world.components.payments.checkout(who, held.public_id)
    stripe.pay(link.url.rsplit("/", 1)[1])
    [completed] = [event for event in stripe.events() if event["type"] == "checkout.session.completed"][-1:]
    status, _ = await _post(world, stripe, completed)
    assert status == 200
    return held.public_id


async def test_events_classbot_does_not_act_on_are_acknowledged_and_change_nothing(
    world: CoreWorld, stripe: FakeStripe
) -> None:
    cls = await world.new_class(seats=2, **CARD_PRICE)
    outcome = await world.components.bookings.book(slack_parent(1), cls.public_id, ["Mia"], "tap-1")
    [held] = outcome.booked
    link = await world.components.payments.checkout(slack_parent(1), held.public_id)
    session = stripe.session(link.url.rsplit("/", 1)[1])
    unpaid = {**session, "status": "complete", "payment_status": "unpaid"}  # a delayed payment method: not yet
    not_ours = {**session, "metadata": {}, "payment_status": "paid", "payment_intent": "pi_elsewhere"}
    kinds = [
        ("payment_intent.created", session),
        ("checkout.session.completed", unpaid),
        ("checkout.session.completed", not_ours),
    ]

    answers = [
        await _post(world, stripe, {"id": f"evt_{n}", "object": "event", "type": kind, "data": {"object": obj}})
        for n, (kind, obj) in enumerate(kinds)
    ]

    assert [(status, body["outcome"]) for status, body in answers] == [(200, "ignored")] * 3
    bookings, payments = await _rows(world)
    assert payments == []
    assert [booking.status for booking in bookings] == ["awaiting_payment"]


async def test_a_parent_cancelling_in_time_is_refunded_once_through_stripe(
    world: CoreWorld, stripe: FakeStripe
) -> None:
    cls = await world.new_class(seats=2, days_ahead=3, **CARD_PRICE)
    booking = await _held_and_paid(world, stripe, cls.public_id, slack_parent(1))

    await world.components.bookings.cancel(slack_parent(1), booking)
    await world.run_jobs()

    [refund] = stripe.refunds()
    _, [payment] = await _rows(world)
    assert (refund["payment_intent"], refund["amount"]) == (payment.provider_charge_id, 1250)
    assert (payment.state, payment.refunded_amount) == ("refunded", 1250)
    assert stripe.count("POST", "/v1/refunds") == 1


async def test_a_refund_stripe_already_made_counts_as_done(world: CoreWorld, stripe: FakeStripe) -> None:
    """A refund whose answer was lost is asked again under a new key (a restart, a key expired): Stripe says
    ``charge_already_refunded``, and the payment is refunded, not failed."""
    cls = await world.new_class(seats=2, days_ahead=3, **CARD_PRICE)
    booking = await _held_and_paid(world, stripe, cls.public_id, slack_parent(1))
    _, [payment] = await _rows(world)
    stripe_sdk.StripeClient(stripe.secret_key, base_addresses={"api": stripe.api_url}).v1.refunds.create(
        {"payment_intent": payment.provider_charge_id}
    )  # given back from Stripe's dashboard, say

    await world.components.bookings.cancel(slack_parent(1), booking)
    await world.run_jobs()

    _, [payment] = await _rows(world)
    assert payment.state == "refunded"
    assert len(stripe.refunds()) == 1
    assert [call.status for call in stripe.calls if call.path == "/v1/refunds"] == [200, 400]


async def test_stripe_away_leaves_the_seat_held_and_the_page_comes_when_asked_again(
    world: CoreWorld, stripe: FakeStripe
) -> None:
    cls = await world.new_class(seats=2, **CARD_PRICE)
    outcome = await world.components.bookings.book(slack_parent(1), cls.public_id, ["Mia"], "tap-1")
    [held] = outcome.booked
    stripe.stop()
    try:
        with pytest.raises(Conflict) as refused:
            await world.components.payments.checkout(slack_parent(1), held.public_id)
    finally:
        stripe.start()

    link = await world.components.payments.checkout(slack_parent(1), held.public_id)

    assert "could not be opened just now" in refused.value.message
    assert [booking.status for booking in (await _rows(world))[0]] == ["awaiting_payment"]
    assert link.url.startswith(f"{stripe.api_url}/c/pay/")
    assert len(stripe.sessions()) == 1


async def test_cancelling_a_held_seat_closes_its_page_at_stripe(world: CoreWorld, stripe: FakeStripe) -> None:
    cls = await world.new_class(seats=3, **CARD_PRICE)
    pages = []
    for n in (1, 2):
        [held] = (await world.components.bookings.book(slack_parent(n), cls.public_id, ["Mia"], f"tap-{n}")).booked
        link = await world.components.payments.checkout(slack_parent(n), held.public_id)
        pages.append((held.public_id, link.url.rsplit("/", 1)[1]))

    await world.components.bookings.cancel(slack_parent(1), pages[0][0])  # the parent changes their mind
    await world.components.classes.cancel(CARD_TEACHER, cls.public_id)  # then the teacher cancels the class
    await world.run_jobs()

    assert [stripe.session(session_id)["status"] for _, session_id in pages] == ["expired", "expired"]
    assert sum(1 for call in stripe.calls if call.path.endswith("/expire")) == 2
    assert stripe.refunds() == []
