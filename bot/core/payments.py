"""Paying for a seat: the invoice, the provider's last question before it charges, the payment, holds that run out.

A seat of a paid class is held (``awaiting_payment``) when the parent books it (``BookingService.book``). The
payment confirms it in the same transaction that writes the payment's row, and queues what a free booking queues
(the link, the teacher's notice). A hold that runs out gives the seat back to the waitlist. A payment that comes
after its hold ran out takes a free seat if there is one, and is otherwise refunded at once, the parent told:
never more children than seats, never money kept without a seat. A provider's update delivered twice is one
payment (the charge id is unique).

Every provider goes through the same ``paid``: Telegram's ``successful_payment`` and Stripe's
``checkout.session.completed`` differ only at the edges (``bot.handlers.telegram.payments``,
``bot.payments_stripe``). A card provider's hosted page (``Checkout``) is opened through ``checkout``, and its
closing unpaid (``checkout_ended``) gives the seat back at once rather than at the hold's end.
"""

from __future__ import annotations

import enum
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core import job_kinds
from bot.core.bookings import AWAITING_PAYMENT, DEFAULT_HOLD, release_seat, tell_teacher_of
from bot.core.errors import Conflict, NotAllowed, NotFound
from bot.core.messages import Message
from bot.core.notify import tell
from bot.core.prices import STARS, Price, amount_shown
from bot.core.refunds import Refunder, payer_of, queue_refund
from bot.core.words.labels import PAY_BUTTON
from bot.core.words.refusals import BOOKING_GONE, CARDS_NOT_SET_UP, HOLD_OVER, NOT_YOUR_BOOKING
from bot.core.worker import JobWorker, Unretryable
from bot.i18n.texts import Text, tr
from bot.storage import jobs
from bot.storage.bookings import Bookings
from bot.storage.classes import Classes
from bot.storage.database import Database
from bot.storage.identity import PersonRef
from bot.storage.models import Booking, Class, Payment
from bot.storage.payments import Payments
from bot.storage.people import People
from bot.support.clock import Clock

log = logging.getLogger(__name__)

TELEGRAM_STARS = "telegram_stars"
# A card payment in Telegram through its provider (Stripe): keyed by the provider's charge id, which is also what
# the refund names (Telegram refunds only Stars itself).
TELEGRAM_CARD = "telegram_card"
STRIPE = "stripe"


@dataclass(frozen=True, slots=True)
class Invoice:
    """What the parent is asked to pay for one held seat."""

    booking_public_id: str
    title: str
    child: str
    price: Price
    hold_until: datetime

    @property
    def description(self) -> Text:
        return tr("A seat for {child} in “{title}”.", child=self.child, title=self.title)


@dataclass(frozen=True, slots=True)
class CheckoutPage:
    """A card provider's payment page: its id there (to close it), and where the parent opens it."""

    session_id: str
    url: str


class Checkout(Protocol):
    """A card provider's hosted payment page for one held seat (Stripe Checkout): the same one however often it is
    asked for the same seat. The page names the parent and the seat, so that the provider's word that it was paid
    reaches ``PaymentService.paid``.

    ``expire`` closes a page so that no payment starts on it (the provider may keep it open longer than the hold);
    a page already closed or paid counts as done. A payment that had already started may still complete, and is
    then a late payment like any other."""

    async def open(self, parent: PersonRef, invoice: Invoice) -> CheckoutPage: ...

    async def expire(self, session_id: str) -> None: ...


@dataclass(frozen=True, slots=True)
class CheckoutLink:
    """Where the parent pays for a held seat, and what they pay there."""

    url: str
    invoice: Invoice


class Paid(enum.StrEnum):
    BOOKED = "booked"  # the seat is the child's now
    ALREADY = "already"  # this charge came before (a redelivered update): nothing more done
    REFUNDED = "refunded"  # no seat for it: the money goes back


class PaymentService:
    def __init__(
        self,
        database: Database,
        refunders: Mapping[str, Refunder],
        *,
        clock: Clock,
        hold: timedelta = DEFAULT_HOLD,
        checkout: Checkout | None = None,
    ) -> None:
        self._database = database
        self._checkout = checkout
        self._refunders = refunders
        self._clock = clock
        self._hold = hold

    def register(self, worker: JobWorker) -> None:
        worker.register(job_kinds.HOLD_EXPIRY, self._hold_expired)
        worker.register(job_kinds.PAYMENT_REFUND, self._refund)
        worker.register(job_kinds.CHECKOUT_EXPIRE, self._expire_checkout)

    async def invoice(self, parent: PersonRef, booking_public_id: str) -> Invoice:
        """The invoice for a seat held for ``parent``; refused when the seat is not (or no longer) held."""
        async with self._database.read() as session:
            booking, cls = await self._parents_booking(session, parent, booking_public_id)
            reason = self._why_not_payable(booking, cls, self._clock())
            if reason is not None:
                raise Conflict(reason)
            assert cls.price_amount is not None
            assert cls.price_currency is not None
            assert booking.hold_until is not None
            price = Price(cls.price_amount, cls.price_currency)
            return Invoice(booking.public_id, cls.title, booking.child_name, price, booking.hold_until)

    @property
    def takes_cards(self) -> bool:
        """Whether a card provider is set up (``checkout`` can be asked for a payment page)."""
        return self._checkout is not None

    async def checkout(self, parent: PersonRef, booking_public_id: str) -> CheckoutLink:
        """The card provider's page where ``parent`` pays for a seat held for them; refused as ``invoice`` refuses,
        and for a class priced in Telegram Stars (only Telegram takes those)."""
        invoice = await self.invoice(parent, booking_public_id)
        if invoice.price.currency == STARS:
            raise Conflict(tr("“{title}” is priced in Telegram Stars: pay for it in Telegram.", title=invoice.title))
        if self._checkout is None:
            raise Conflict(CARDS_NOT_SET_UP)
        try:
            page = await self._checkout.open(parent, invoice)
        except Exception:
            # The provider is away or refused: the seat stays held, and asking again (the booking's Pay button)
            # gets the same page once the provider answers.
            log.exception("the card payment page for booking %s could not be opened", booking_public_id)
            raise Conflict(
                tr(
                    "The payment page could not be opened just now. The seat stays held for you: press “{pay}” on "
                    "your booking in a moment to try again.",
                    pay=PAY_BUTTON,
                )
            ) from None
        async with self._database.write() as session:
            booking = await Bookings(session).by_public_id(booking_public_id, for_update=True)
            if booking is None or booking.status != AWAITING_PAYMENT:
                # The hold ended while the page was being opened: the page is closed again at once.
                await jobs.add(session, job_kinds.checkout_expire_job(page.session_id, self._clock()))
                raise Conflict(HOLD_OVER)
            await Bookings(session).set_checkout(booking.id, page.session_id)
        return CheckoutLink(page.url, invoice)

    async def checkout_ended(self, booking_public_id: str) -> bool:
        """The provider's page for a held seat closed unpaid (Stripe's ``checkout.session.expired``): the seat
        goes back now, as at the hold's end. False when it is no longer held (paid, released, forgotten): the
        same word twice changes nothing."""
        async with self._database.write() as session:
            booking = await Bookings(session).by_public_id(booking_public_id, for_update=True)
            if booking is None or booking.status != AWAITING_PAYMENT:
                return False
            await Bookings(session).set_checkout(booking.id, None)  # closed at the provider already
            booking.checkout_session_id = None
            await self._release_unpaid(session, booking, self._clock())
            return True

    async def may_pay(self, parent: PersonRef, booking_public_id: str, amount: int, currency: str) -> Text | None:
        """The provider asks before it charges: None when the seat is still held for this parent at this price,
        else why not (said to the parent by the provider)."""
        try:
            async with self._database.read() as session:
                booking, cls = await self._parents_booking(session, parent, booking_public_id)
                reason = self._why_not_payable(booking, cls, self._clock())
        except (NotFound, NotAllowed) as refused:
            return refused.text
        if reason is None and (amount, currency) != (cls.price_amount, cls.price_currency):
            return tr("The price of this class changed: book again to pay the new one.")
        return reason

    async def paid(
        self, parent: PersonRef, provider: str, charge_id: str, booking_public_id: str, amount: int, currency: str
    ) -> Paid:
        """The provider took the money: confirm the booking (or take a free seat for a hold that ran out), else
        queue the refund and tell the parent. The same charge twice is done once, also when both copies arrive at
        the same moment (the second meets the first's row: unique per provider and charge)."""
        try:
            return await self._paid(parent, provider, charge_id, booking_public_id, amount, currency)
        except IntegrityError:
            async with self._database.read() as session:
                if await Payments(session).by_charge(provider, charge_id) is not None:
                    return Paid.ALREADY
            raise

    async def _paid(
        self, parent: PersonRef, provider: str, charge_id: str, booking_public_id: str, amount: int, currency: str
    ) -> Paid:
        now = self._clock()
        async with self._database.write() as session:
            if await Payments(session).by_charge(provider, charge_id) is not None:
                return Paid.ALREADY
            person = await People(session).ensure(parent)
            booking = await Bookings(session).by_public_id(booking_public_id, for_update=True)
            cls = await Classes(session).get(booking.class_id, for_update=True) if booking else None
            payment = await Payments(session).add(
                Payment(
                    provider=provider,
                    provider_charge_id=charge_id,
                    booking_id=booking.id if booking and booking.parent_id == person.id else None,
                    class_id=cls.id if cls else None,
                    payer_id=person.id,
                    amount=amount,
                    currency=currency,
                    state="paid",
                    refunded_amount=0,
                )
            )
            if booking is None or cls is None or booking.parent_id != person.id:
                await self._give_back(session, payment, None, now)
                return Paid.REFUNDED
            if booking.status == AWAITING_PAYMENT or (
                booking.status in ("expired", "cancelled")
                and cls.status == "scheduled"
                and (amount, currency) == (cls.price_amount, cls.price_currency)
                and await Classes(session).take_seats(cls, 1)
            ):
                await self._confirm(session, cls, booking, now)
                return Paid.BOOKED
            await self._give_back(session, payment, booking, now)
            return Paid.REFUNDED

    async def _hold_expired(self, payload: dict[str, Any]) -> None:
        """The job at a hold's end: a seat still not paid goes back (to the first waiting child)."""
        now = self._clock()
        async with self._database.write() as session:
            booking = await Bookings(session).by_public_id(str(payload["booking"]), for_update=True)
            if booking is None or booking.status != AWAITING_PAYMENT:
                return  # paid, cancelled, or the parent forgotten: nothing is held any more
            if booking.hold_until is not None and booking.hold_until > now:
                raise RuntimeError("hold not over yet")  # retried: a clock a little behind the job's
            await self._release_unpaid(session, booking, now)

    async def _release_unpaid(self, session: AsyncSession, booking: Booking, now: datetime) -> None:
        """A held seat not paid goes back (to the first waiting child), its parent told."""
        cls = await Classes(session).get(booking.class_id, for_update=True)
        assert cls is not None
        await release_seat(session, cls, booking, now, "expired", hold=self._hold)
        text = tr(
            "The seat held for {child} in “{title}” was not paid in time, so it went back. Book again to try "
            "for another.",
            child=booking.child_name,
            title=cls.title,
        )
        await tell(session, booking.parent_id, Message(text), now=now, dedupe_key=f"expired:{booking.id}")

    async def _expire_checkout(self, payload: dict[str, Any]) -> None:
        """The job closing a held seat's payment page at the provider once the hold is over or cancelled; retried
        while the provider is away."""
        if self._checkout is None:
            raise Unretryable("card payments are no longer set up: the page closes at the provider's own time")
        await self._checkout.expire(str(payload["session"]))

    async def _refund(self, payload: dict[str, Any]) -> None:
        """The job giving a payment back through its provider, then marking it refunded and telling the payer
        (unless they asked to be forgotten meanwhile: then there is no one left to tell)."""
        payment_id = int(payload["payment_id"])
        async with self._database.read() as session:
            payment = await Payments(session).get(payment_id)
        if payment is None or payment.state != "refunding":
            return
        payer = payer_of(payload)
        if payer is None:
            raise Unretryable("the refund names no payer: refund by hand with the provider's charge id")
        refunder = self._refunders.get(payment.provider)
        if refunder is None:
            raise RuntimeError(f"no refunder for {payment.provider}")  # retried once the platform is back
        await refunder.refund(payer, payment.provider_charge_id, payment.amount, payment.currency)
        now = self._clock()
        async with self._database.write() as session:
            await Payments(session).set_state(payment_id, "refunded", now, refunded_amount=payment.amount)
            if payment.payer_id is None:
                return
            cls = await Classes(session).get(payment.class_id) if payment.class_id is not None else None
            amount = amount_shown(Price(payment.amount, payment.currency))
            if cls is None:
                text = tr("Refunded: {amount}.", amount=amount)
            else:
                text = tr("Refunded: {amount} for “{title}”.", amount=amount, title=cls.title)
            await tell(session, payment.payer_id, Message(text), now=now, dedupe_key=f"refunded:{payment_id}")

    async def _confirm(self, session: AsyncSession, cls: Class, booking: Booking, now: datetime) -> None:
        await Bookings(session).set_status(booking.id, "confirmed", now)
        await Bookings(session).clear_hold(booking.id)
        booking.status = "confirmed"
        if cls.zoom_enabled:
            await job_kinds.send_link(session, booking.public_id, "booked", now)
        await tell_teacher_of(session, cls, booking, now)
        text = tr("Paid: {child} is booked in “{title}”.", child=booking.child_name, title=cls.title)
        await tell(session, booking.parent_id, Message(text), now=now, dedupe_key=f"paid:{booking.id}")

    async def _give_back(self, session: AsyncSession, payment: Payment, booking: Booking | None, now: datetime) -> None:
        await queue_refund(session, payment, now)
        assert payment.payer_id is not None
        price = Price(payment.amount, payment.currency)
        if booking is None:
            text = tr(
                "That payment matched no seat of yours, so all of it ({amount}) goes back to you.",
                amount=amount_shown(price),
            )
        else:
            text = tr(
                "The seat held for {child} was no longer free when the payment came, so all of it ({amount}) "
                "goes back to you.",
                child=booking.child_name,
                amount=amount_shown(price),
            )
        await tell(session, payment.payer_id, Message(text), now=now, dedupe_key=f"refunding:{payment.id}")

    async def _parents_booking(self, session: AsyncSession, parent: PersonRef, public_id: str) -> tuple[Booking, Class]:
        person = await People(session).find(parent)
        booking = await Bookings(session).by_public_id(public_id)
        if booking is None:
            raise NotFound(BOOKING_GONE)
        if person is None or booking.parent_id != person.id:
            raise NotAllowed(NOT_YOUR_BOOKING)
        cls = await Classes(session).get(booking.class_id)
        assert cls is not None
        return booking, cls

    @staticmethod
    def _why_not_payable(booking: Booking, cls: Class, now: datetime) -> Text | None:
        if cls.status != "scheduled":
            return tr("“{title}” was cancelled, so there is nothing to pay.", title=cls.title)
        if booking.status == "confirmed":
            return tr("{child}'s seat is already paid.", child=booking.child_name)
        if booking.status != AWAITING_PAYMENT or booking.hold_until is None or booking.hold_until <= now:
            return HOLD_OVER
        return None
