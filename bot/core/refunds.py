"""Giving money back: queued in the transaction that frees the seat, carried out by the provider's refunder.

The refund rule is simple for now: everything back when the teacher (or too few bookings) cancels the class, and
when a parent cancels until ``REFUND_WINDOW`` before the first session; nothing after that. A rule each teacher
chooses can replace the window later.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, Protocol

from sqlalchemy.ext.asyncio import AsyncSession

from bot.core import job_kinds
from bot.storage import jobs
from bot.storage.identity import PersonRef
from bot.storage.models import Payment
from bot.storage.payments import Payments
from bot.storage.people import People

REFUND_WINDOW = timedelta(hours=24)


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
