"""Giving money back: queued in the transaction that frees the seat, carried out by the provider's refunder.

The rule: everything back when the teacher (or too few bookings) cancels the class, always; when a parent cancels,
everything back until the class's ``refund_hours`` before its first session (the teacher's choice, 24 unless they
chose otherwise; 0: until it starts), nothing after. "No refunds at all" is not a rule a teacher can choose: a
parent may always cancel at least until the class starts, and one rule of one number reads the same on every
card, question and form.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, Protocol

from sqlalchemy.ext.asyncio import AsyncSession

from bot.core import job_kinds
from bot.core.errors import InvalidInput
from bot.i18n.texts import tr
from bot.storage import jobs
from bot.storage.identity import PersonRef
from bot.storage.models import Class, Payment
from bot.storage.payments import Payments
from bot.storage.people import People


def refund_until(first_start: datetime | None, refund_hours: int, now: datetime) -> datetime | None:
    """Until when a parent cancelling a paid booking gets the money back (``refund_hours`` before the class's first
    session); None once that is past, or when the class has no session."""
    if first_start is None:
        return None
    until = first_start - timedelta(hours=refund_hours)
    return until if now <= until else None


async def check_rule_change(session: AsyncSession, cls: Class, refund_hours: int) -> None:
    """A teacher may give parents longer to cancel at any time, but not less once some have paid: they paid
    counting on the rule the card showed. Raises ``InvalidInput`` saying what may be typed."""
    if refund_hours <= cls.refund_hours or cls.price_amount is None:
        return
    if await Payments(session).held_by_booking(cls.id):
        raise InvalidInput(
            "refund",
            tr(
                "Parents have paid for “{title}” counting on a full refund until {hours} h before the first session: "
                "type {hours} or fewer hours.",
                title=cls.title,
                hours=cls.refund_hours,
            ),
        )


class Refunder(Protocol):
    """A payment provider's way to give a charge back (Telegram's ``refundStarPayment``). Giving back a charge
    already given back must not fail: a refund whose answer was lost is asked again."""

    async def refund(self, payer: PersonRef, charge_id: str, amount: int, currency: str) -> None: ...


async def queue_refund(session: AsyncSession, payment: Payment, now: datetime) -> None:
    """Mark the payment as being refunded and queue its refund, in the caller's transaction.

    The job names the payer as the provider knows them: a parent who asked to be forgotten (``/forgetme``) is
    deleted before the refund runs, and must still get their money back."""
    if payment.state != "paid":
        return
    payer = await People(session).get(payment.payer_id) if payment.payer_id is not None else None
    await Payments(session).set_state(payment.id, "refunding", now)
    payment.state = "refunding"
    ref = None if payer is None else PersonRef(payer.platform, payer.platform_user_id, payer.workspace_id)
    await jobs.add(session, job_kinds.refund_job(payment.id, ref, now))


def payer_of(payload: dict[str, Any]) -> PersonRef | None:
    """The payer a refund job names (see ``queue_refund``)."""
    payer = payload.get("payer")
    if not isinstance(payer, dict):
        return None
    return PersonRef(str(payer["platform"]), str(payer["user_id"]), str(payer.get("workspace_id", "")))
