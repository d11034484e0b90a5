"""Paid classes: a seat held while the parent pays, given back when the hold runs out, confirmed by the payment,
and the money given back (once) whenever there is no seat for it."""

from __future__ import annotations

import asyncio
import csv
import io
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest
from classbot_fakes.zoom import FakeZoom
from sqlalchemy import select, update

from bot.core.actions import Act
from bot.core.bookings import DEFAULT_HOLD, cancel_booking_question
from bot.core.errors import Conflict, InvalidInput
from bot.core.payments import TELEGRAM_STARS, Paid
from bot.core.prices import Price
from bot.core.reports import weeks_in_words
from bot.core.views import ClassView
from bot.core.words.classes import card_text
from bot.core.words.roster import roster_words
from bot.i18n.catalogs import Catalogs
from bot.i18n.texts import Text, plain
from bot.storage.bookings import Bookings
from bot.storage.identity import PersonRef
from bot.storage.models import Class, Payment
from tests.support.clock import MovableClock
from tests.support.core_world import TEACHER, CoreWorld, core_world, parent
from tests.support.stars import StarLedger

PRICE = {"price_amount": 250, "price_currency": "XTR"}


@pytest.fixture
def ledger() -> StarLedger:
    return StarLedger()


@pytest.fixture
async def world(
    database_url: str, fake_zoom: FakeZoom, tmp_path: Path, clock: MovableClock, ledger: StarLedger
) -> AsyncIterator[CoreWorld]:
    async with core_world(
        database_url, fake_zoom, tmp_path, clock=clock, licensed=True, refunders={TELEGRAM_STARS: ledger}
    ) as built:
        yield built


async def _hold(world: CoreWorld, cls: ClassView, who: PersonRef, child: str = "Mia") -> str:
    outcome = await world.components.bookings.book(who, cls.public_id, [child], f"tap-{who.user_id}-{child}")
    [held] = outcome.booked
    return held.public_id


async def _priced_before_the_rule(world: CoreWorld, cls: ClassView, amount: int, currency: str) -> None:
    """A Telegram class priced in money before a Telegram teacher was refused such a price: it may still be in a
    database, and must not break anything."""
    async with world.components.database.write() as session:
        await session.execute(
            update(Class).where(Class.public_id == cls.public_id).values(price_amount=amount, price_currency=currency)
        )


async def _status(world: CoreWorld, booking: str) -> str:
    async with world.components.database.read() as session:
        found = await Bookings(session).by_public_id(booking)
        assert found is not None
        return found.status


async def _payments(world: CoreWorld) -> list[Payment]:
    async with world.components.database.read() as session:
        return list((await session.execute(select(Payment).order_by(Payment.id))).scalars())


async def _pay(world: CoreWorld, who: PersonRef, booking: str, charge: str, amount: int = 250) -> Paid:
    return await world.components.payments.paid(who, TELEGRAM_STARS, charge, booking, amount, "XTR")


async def test_a_paid_booking_holds_the_seat_and_sends_no_link_until_paid(world: CoreWorld) -> None:
    cls = await world.new_class(seats=2, **PRICE)
    booking = await _hold(world, cls, parent(1))
    await world.run_jobs()

    assert await _status(world, booking) == "awaiting_payment"
    assert (await world.components.classes.view(TEACHER, cls.public_id)).seats_left == 1
    assert world.links_to(parent(1)) == []
    invoice = await world.components.payments.invoice(parent(1), booking)
    assert (invoice.price.amount, invoice.price.currency) == (250, "XTR")
    assert await world.components.payments.may_pay(parent(1), booking, 250, "XTR") is None
    assert await world.components.payments.may_pay(parent(2), booking, 250, "XTR") is not None
    assert await world.components.payments.may_pay(parent(1), booking, 1, "XTR") is not None

    assert await _pay(world, parent(1), booking, "charge-1") is Paid.BOOKED
    await world.run_jobs()

    assert await _status(world, booking) == "confirmed"
    assert len(world.links_to(parent(1))) == 1
    assert any("Mia" in text for text in world.texts_to(TEACHER))
    [payment] = await _payments(world)
    assert (payment.amount, payment.currency, payment.state, payment.provider_charge_id) == (
        250,
        "XTR",
        "paid",
        "charge-1",
    )


async def test_an_expired_hold_goes_back_and_the_first_waiting_parent_is_offered_it(
    world: CoreWorld, clock: MovableClock
) -> None:
    clock.stop()  # a second either side of the hold's end: a slow machine's own seconds must not count
    cls = await world.new_class(seats=1, **PRICE)
    booking = await _hold(world, cls, parent(1))
    waiting = await world.components.bookings.book(parent(2), cls.public_id, ["Leo"], "tap-2")
    assert waiting.waitlisted == ("Leo",)

    clock.advance(DEFAULT_HOLD - timedelta(seconds=1))
    await world.run_jobs()
    assert await _status(world, booking) == "awaiting_payment"

    clock.advance(timedelta(seconds=2))
    await world.run_jobs()

    assert await _status(world, booking) == "expired"
    assert await world.components.payments.may_pay(parent(1), booking, 250, "XTR") is not None
    assert any("not paid in time" in text for text in world.texts_to(parent(1)))
    [offer] = [message for who, message in world.notifier.sent if who.user_id == parent(2).user_id]
    [button] = offer.buttons
    assert button.action is not None
    assert button.action.act is Act.PAY
    promoted = button.action.value
    assert await _status(world, promoted) == "awaiting_payment"
    assert (await world.components.classes.view(TEACHER, cls.public_id)).seats_left == 0


async def test_a_late_payment_takes_a_free_seat(world: CoreWorld, clock: MovableClock) -> None:
    cls = await world.new_class(seats=2, **PRICE)
    booking = await _hold(world, cls, parent(1))
    clock.advance(DEFAULT_HOLD + timedelta(seconds=1))
    await world.run_jobs()
    assert await _status(world, booking) == "expired"

    assert await _pay(world, parent(1), booking, "late-1") is Paid.BOOKED
    await world.run_jobs()

    assert await _status(world, booking) == "confirmed"
    assert (await world.components.classes.view(TEACHER, cls.public_id)).seats_left == 1
    assert len(world.links_to(parent(1))) == 1


async def test_a_late_payment_without_a_free_seat_is_refunded_at_once(
    world: CoreWorld, clock: MovableClock, ledger: StarLedger
) -> None:
    cls = await world.new_class(seats=1, **PRICE)
    booking = await _hold(world, cls, parent(1))
    await world.components.bookings.book(parent(2), cls.public_id, ["Leo"], "tap-2")
    clock.advance(DEFAULT_HOLD + timedelta(seconds=1))
    await world.run_jobs()  # the seat goes to Leo, held for parent 2

    assert await _pay(world, parent(1), booking, "late-1") is Paid.REFUNDED
    await world.run_jobs()

    assert await _status(world, booking) == "expired"
    assert ledger.refunded == [(parent(1).user_id, "late-1", 250)]
    [payment] = await _payments(world)
    assert (payment.state, payment.refunded_amount) == ("refunded", 250)
    assert any("goes back to you" in text for text in world.texts_to(parent(1)))
    assert (await world.components.classes.view(TEACHER, cls.public_id)).seats_left == 0


async def test_the_same_payment_twice_is_counted_once(world: CoreWorld) -> None:
    cls = await world.new_class(seats=2, **PRICE)
    booking = await _hold(world, cls, parent(1))

    assert await _pay(world, parent(1), booking, "charge-1") is Paid.BOOKED
    assert await _pay(world, parent(1), booking, "charge-1") is Paid.ALREADY
    await world.run_jobs()

    assert len(await _payments(world)) == 1
    assert len(world.links_to(parent(1))) == 1
    assert (await world.components.classes.view(TEACHER, cls.public_id)).seats_left == 1


async def test_the_same_payment_arriving_five_times_at_once_books_once(world: CoreWorld) -> None:
    cls = await world.new_class(seats=2, **PRICE)
    booking = await _hold(world, cls, parent(1))

    results = await asyncio.gather(*(_pay(world, parent(1), booking, "charge-1") for _ in range(5)))

    assert sorted(results) == sorted([Paid.BOOKED, *[Paid.ALREADY] * 4])
    assert len(await _payments(world)) == 1


async def test_a_second_charge_for_a_paid_seat_is_refunded(world: CoreWorld, ledger: StarLedger) -> None:
    cls = await world.new_class(seats=2, **PRICE)
    booking = await _hold(world, cls, parent(1))
    await _pay(world, parent(1), booking, "charge-1")

    assert await _pay(world, parent(1), booking, "charge-2") is Paid.REFUNDED
    await world.run_jobs()

    assert ledger.refunded == [(parent(1).user_id, "charge-2", 250)]
    assert (await world.components.classes.view(TEACHER, cls.public_id)).seats_left == 1


async def test_the_teacher_cancelling_refunds_every_paid_parent_once(world: CoreWorld, ledger: StarLedger) -> None:
    cls = await world.new_class(seats=3, **PRICE)
    paid = [await _hold(world, cls, parent(n)) for n in (1, 2)]
    unpaid = await _hold(world, cls, parent(3))
    for n, booking in zip((1, 2), paid, strict=True):
        await _pay(world, parent(n), booking, f"charge-{n}")

    await world.components.classes.cancel(TEACHER, cls.public_id)
    await world.run_jobs()
    await world.run_jobs()

    assert sorted(ledger.refunded) == [(parent(n).user_id, f"charge-{n}", 250) for n in (1, 2)]
    assert await _status(world, unpaid) == "cancelled"
    assert all(payment.state == "refunded" for payment in await _payments(world))
    # a payment for the held seat arriving now finds no class to book: refunded too, not kept
    assert await _pay(world, parent(3), unpaid, "charge-3") is Paid.REFUNDED


async def test_a_parent_cancelling_a_day_ahead_is_refunded_and_later_is_not(
    world: CoreWorld, clock: MovableClock, ledger: StarLedger
) -> None:
    cls = await world.new_class(seats=3, days_ahead=3, **PRICE)
    early = await _hold(world, cls, parent(1))
    late = await _hold(world, cls, parent(2))
    await _pay(world, parent(1), early, "charge-1")
    await _pay(world, parent(2), late, "charge-2")

    await world.components.bookings.cancel(parent(1), early)
    clock.advance(timedelta(days=2, hours=12))
    await world.components.bookings.cancel(parent(2), late)
    await world.run_jobs()

    assert ledger.refunded == [(parent(1).user_id, "charge-1", 250)]


async def test_the_same_request_again_says_the_hold_as_the_first_answer_did(world: CoreWorld) -> None:
    cls = await world.new_class(seats=2, **PRICE)
    first = await world.components.bookings.book(parent(1), cls.public_id, ["Mia"], "tap-1")
    again = await world.components.bookings.book(parent(1), cls.public_id, ["Mia"], "tap-1")

    assert again.already_done
    assert again.booked == first.booked
    assert (again.hold_minutes, again.price_amount) == (first.hold_minutes, 250) == (15, 250)


async def test_a_held_seat_cannot_be_paid_twice_for_by_booking_again(world: CoreWorld) -> None:
    cls = await world.new_class(seats=3, **PRICE)
    await _hold(world, cls, parent(1))
    with pytest.raises(Conflict):
        await world.components.bookings.book(parent(1), cls.public_id, ["Mia"], "another-tap")


async def test_a_parent_who_asks_to_be_forgotten_is_refunded_and_the_accounts_keep_only_the_payment(
    world: CoreWorld, ledger: StarLedger
) -> None:
    cls = await world.new_class(seats=2, **PRICE)
    booking = await _hold(world, cls, parent(1))
    await _pay(world, parent(1), booking, "charge-1")

    await world.components.privacy.forget(parent(1))
    await world.run_jobs()

    assert ledger.refunded == [(parent(1).user_id, "charge-1", 250)]
    [payment] = await _payments(world)
    assert (payment.provider, payment.provider_charge_id, payment.amount, payment.currency) == (
        TELEGRAM_STARS,
        "charge-1",
        250,
        "XTR",
    )
    assert payment.created_at is not None
    assert (payment.state, payment.refunded_amount, payment.payer_id, payment.booking_id) == (
        "refunded",
        250,
        None,
        None,
    )


async def test_a_slack_parent_is_told_to_book_a_paid_class_in_telegram(world: CoreWorld) -> None:
    cls = await world.new_class(seats=2, **PRICE)
    slack_parent = PersonRef("slack", "U123", "T1", display_name="Sam")

    with pytest.raises(Conflict) as refused:
        await world.components.bookings.book(slack_parent, cls.public_id, ["Mia"], "slack-tap")

    assert "paid in Telegram Stars, which only Telegram takes: nothing was booked" in refused.value.message
    assert (await world.components.classes.view(TEACHER, cls.public_id)).seats_left == 2


async def test_a_telegram_parent_is_told_before_any_seat_is_held_that_money_cannot_be_paid_here(
    world: CoreWorld,
) -> None:
    cls = await world.new_class(seats=2, **PRICE)
    await _priced_before_the_rule(world, cls, 1250, "EUR")

    with pytest.raises(Conflict) as refused:
        await world.components.bookings.book(parent(1), cls.public_id, ["Mia"], "tap-1")

    assert refused.value.message == (
        "“Chess for kids” is priced in EUR, but parents here can pay only in Telegram Stars: nothing was booked. "
        "Ask the teacher to price it in Telegram Stars."
    )
    assert (await world.components.classes.view(TEACHER, cls.public_id)).seats_left == 2
    async with world.components.database.read() as session:
        assert list((await session.execute(select(Payment))).scalars()) == []


async def test_a_telegram_teacher_is_refused_a_price_in_money_and_told_what_to_type(world: CoreWorld) -> None:
    with pytest.raises(InvalidInput) as refused:
        await world.new_class(seats=2, price_amount=1250, price_currency="EUR")
    cls = await world.new_class(seats=2, **PRICE)
    settings = await world.components.classes.settings(TEACHER, cls.public_id)
    with pytest.raises(InvalidInput) as refused_edit:
        await world.components.classes.edit(
            TEACHER, cls.public_id, replace(settings, price_amount=900, price_currency="EUR")
        )

    assert (refused.value.field, refused.value.message) == (
        "price",
        "Parents here pay in Telegram Stars: type the price in XTR, like 250 XTR.",
    )
    assert refused_edit.value.message == refused.value.message
    assert (await world.components.classes.view(TEACHER, cls.public_id)).price_currency == "XTR"


async def test_a_teachers_stats_say_what_each_paid_class_took_in_and_gave_back(
    world: CoreWorld, clock: MovableClock, ledger: StarLedger
) -> None:
    chess = await world.new_class(seats=3, days_ahead=3, **PRICE)
    art = await world.new_class(seats=3, days_ahead=3, title="Art", price_amount=1250, price_currency="XTR")
    await world.new_class(seats=3, title="Free play")
    art_held = await _hold(world, art, parent(3))
    await _priced_before_the_rule(world, art, 1250, "EUR")
    held = [await _hold(world, chess, parent(n)) for n in (1, 2)]
    for n, booking in zip((1, 2), held, strict=True):
        await _pay(world, parent(n), booking, f"charge-{n}")
    await world.components.payments.paid(parent(3), TELEGRAM_STARS, "charge-3", art_held, 1250, "EUR")
    await world.components.bookings.cancel(parent(1), held[0])  # three days ahead: refunded in full
    await world.run_jobs()

    weeks = await world.components.services.reports.teacher_weeks(TEACHER)
    said = Catalogs().translator("en")(weeks_in_words(weeks))

    assert [(each.title, each.payments, each.paid.amount, each.refunded.amount) for each in weeks.takings] == [
        ("Chess for kids", 2, 500, 250),
        ("Art", 1, 1250, 0),
    ]
    assert "“Chess for kids”: 2 payments, 500 ⭐ in, 250 ⭐ refunded." in said
    assert "“Art”: 1 payment, €12.50 in, €0.00 refunded." in said
    assert "Free play" not in said


async def test_the_teachers_refund_rule_decides_a_parents_refund(
    world: CoreWorld, clock: MovableClock, ledger: StarLedger
) -> None:
    generous = await world.new_class(seats=3, days_ahead=1, title="Until it starts", refund_hours=0, **PRICE)
    strict = await world.new_class(seats=3, days_ahead=3, title="Two days ahead", refund_hours=48, **PRICE)
    bookings = {}
    for n, cls in ((1, generous), (2, strict), (3, strict)):
        bookings[n] = await _hold(world, cls, parent(n))
        await _pay(world, parent(n), bookings[n], f"charge-{n}")

    clock.advance(timedelta(hours=23))  # an hour before "Until it starts", 49 before "Two days ahead"
    await world.components.bookings.cancel(parent(1), bookings[1])
    await world.components.bookings.cancel(parent(2), bookings[2])
    clock.advance(timedelta(hours=2))  # 47 hours before "Two days ahead": less than its teacher's 48
    asked = await world.components.bookings.cancel_question(parent(3), bookings[3])
    await world.components.bookings.cancel(parent(3), bookings[3])
    await world.run_jobs()

    assert sorted(ledger.refunded) == [(parent(n).user_id, f"charge-{n}", 250) for n in (1, 2)]
    assert Catalogs().translator("en")(asked).startswith("The 250 ⭐ you paid does not come back")


async def test_a_paid_class_card_says_its_refund_rule_and_a_free_one_says_none(world: CoreWorld) -> None:
    english = Catalogs().translator("en")
    paid = await world.new_class(refund_hours=48, **PRICE)
    until_start = await world.new_class(refund_hours=0, **PRICE)
    free = await world.new_class(refund_hours=48)

    assert "Full refund if cancelled at least 48 hours before the first session." in english(card_text(paid))
    assert "Full refund if cancelled before the class starts." in english(card_text(until_start))
    assert "refund" not in english(card_text(free)).lower()


async def test_once_parents_paid_the_teacher_may_give_longer_to_cancel_but_not_less(world: CoreWorld) -> None:
    cls = await world.new_class(seats=3, refund_hours=24, **PRICE)
    await _pay(world, parent(1), await _hold(world, cls, parent(1)), "charge-1")
    settings = await world.components.classes.settings(TEACHER, cls.public_id)

    with pytest.raises(InvalidInput) as refused:
        await world.components.classes.edit(TEACHER, cls.public_id, replace(settings, refund_hours=48))
    looser, _ = await world.components.classes.edit(TEACHER, cls.public_id, replace(settings, refund_hours=2))
    kept, _ = await world.components.classes.edit(TEACHER, cls.public_id, replace(settings, refund_hours=None))

    assert refused.value.field == "refund"
    assert "type 24 or fewer hours" in Catalogs().translator("en")(refused.value.text)
    assert (looser.refund_hours, kept.refund_hours) == (2, 2)


async def test_a_paid_bookings_cancel_question_says_until_when_the_money_comes_back(
    world: CoreWorld, clock: MovableClock
) -> None:
    cls = await world.new_class(seats=2, days_ahead=3, **PRICE)
    free = await world.new_class(seats=2, days_ahead=3, title="Free play")
    booking = await _hold(world, cls, parent(1))
    await _pay(world, parent(1), booking, "charge-1")
    await _hold(world, free, parent(1), "Leo")
    first = (await world.components.classes.view(TEACHER, cls.public_id)).next_start
    assert first is not None

    listed = {view.child_name: view for view in await world.components.bookings.for_parent(parent(1))}
    asked = await world.components.bookings.cancel_question(parent(1), booking)
    clock.advance(timedelta(days=2, hours=1))  # less than a day before the class: no refund any more
    asked_late = await world.components.bookings.cancel_question(parent(1), booking)
    listed_late = {view.child_name: view for view in await world.components.bookings.for_parent(parent(1))}

    assert (listed["Mia"].paid, listed["Mia"].refund_until) == (Price(250, "XTR"), first - timedelta(hours=24))
    assert (listed["Leo"].paid, listed["Leo"].refund_until) == (None, None)
    assert (listed_late["Mia"].paid, listed_late["Mia"].refund_until) == (Price(250, "XTR"), None)
    assert asked == cancel_booking_question(listed["Mia"])
    assert asked_late == cancel_booking_question(listed_late["Mia"])
    english = Catalogs().translator("en")
    assert english(asked).startswith("Cancelled before ")
    assert "the 250 ⭐ you paid comes back; after that it does not." in english(asked)
    assert english(asked_late).startswith("The 250 ⭐ you paid does not come back")
    assert "paid" not in english(cancel_booking_question(listed["Leo"]))


class _PlainMarks:
    def entry(self, child: str, parent: str) -> Text:
        return plain(f"{child} ({parent})")

    def waiting(self, entry: Text) -> Text:
        return entry


async def test_the_roster_says_who_paid_and_whose_seat_waits_for_payment(world: CoreWorld) -> None:
    cls = await world.new_class(seats=3, **PRICE)
    paid = await _hold(world, cls, parent(1), "Mia")
    await _hold(world, cls, parent(2), "Leo")
    await _pay(world, parent(1), paid, "charge-1")
    english = Catalogs().translator("en")

    roster = await world.components.classes.roster(TEACHER, cls.public_id)
    said = [english(entry.text) for entry in roster_words(roster, _PlainMarks()).entries]
    _, body = await world.components.services.reports.roster_csv(TEACHER, cls.public_id, language=english)
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))

    assert said == ["Mia (Parent 1), paid 250 ⭐", "Leo (Parent 2), not paid yet (the seat is held)"]
    assert rows[0][-1] == "paid"
    assert [(row[0], row[-1]) for row in rows[1:]] == [("Mia", "250 ⭐"), ("Leo", "")]
