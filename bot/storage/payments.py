"""Payments: one row per provider charge, written in the transaction that changes the booking it pays for."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.storage.models import Class, Payment


class Payments:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def by_charge(self, provider: str, charge_id: str) -> Payment | None:
        """The payment of a provider's charge, if it arrived before (a redelivered update is the same charge)."""
        query = select(Payment).where(Payment.provider == provider, Payment.provider_charge_id == charge_id)
        return (await self._session.execute(query)).scalar_one_or_none()

    async def add(self, payment: Payment) -> Payment:
        self._session.add(payment)
        await self._session.flush()
        return payment

    async def get(self, payment_id: int, *, for_update: bool = False) -> Payment | None:
        query = select(Payment).where(Payment.id == payment_id)
        if for_update:
            query = query.with_for_update()
        return (await self._session.execute(query)).scalar_one_or_none()

    async def kept_for_booking(self, booking_id: int) -> list[Payment]:
        """The booking's payments still held (paid, not refunded nor being refunded)."""
        query = select(Payment).where(Payment.booking_id == booking_id, Payment.state == "paid").order_by(Payment.id)
        return list((await self._session.execute(query)).scalars())

    async def held_by_booking(self, class_id: int) -> dict[int, tuple[int, str]]:
        """For each of the class's bookings with payments still held: what they came to, and their currency."""
        query = (
            select(Payment.booking_id, func.sum(Payment.amount), Payment.currency)
            .where(Payment.class_id == class_id, Payment.state == "paid", Payment.booking_id.is_not(None))
            .group_by(Payment.booking_id, Payment.currency)
        )
        rows = (await self._session.execute(query)).all()
        return {booking: (int(amount), currency) for booking, amount, currency in rows if booking is not None}

    async def set_state(
        self, payment_id: int, state: str, now: datetime, *, refunded_amount: int | None = None
    ) -> None:
        values: dict[str, object] = {"state": state, "updated_at": now}
        if refunded_amount is not None:
            values["refunded_amount"] = refunded_amount
        await self._session.execute(update(Payment).where(Payment.id == payment_id).values(values))

    async def totals(self, class_id: int) -> tuple[int, int]:
        """What the class's parents paid and what was given back, in the class's currency's minor unit."""
        query = select(
            func.coalesce(func.sum(Payment.amount), 0), func.coalesce(func.sum(Payment.refunded_amount), 0)
        ).where(Payment.class_id == class_id)
        paid, refunded = (await self._session.execute(query)).one()
        return int(paid), int(refunded)

    async def takings_of_teacher(self, teacher_id: int, since: datetime) -> list[tuple[str, str, int, int, int]]:
        """Per class the teacher teaches and currency, for payments made since ``since``: the class's title, the
        currency, how many payments, what they came to and what was given back (minor units), oldest class first."""
        query = (
            select(
                Class.title,
                Payment.currency,
                func.count(Payment.id),
                func.sum(Payment.amount),
                func.sum(Payment.refunded_amount),
            )
            .join(Class, Class.id == Payment.class_id)
            .where(Class.teacher_id == teacher_id, Payment.created_at >= since)
            .group_by(Class.id, Class.title, Payment.currency)
            .order_by(Class.id, Payment.currency)
        )
        rows = (await self._session.execute(query)).all()
        return [(title, currency, int(n), int(paid), int(refunded)) for title, currency, n, paid, refunded in rows]
