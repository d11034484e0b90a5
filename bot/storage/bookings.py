"""Bookings, the waitlist and remembered child names."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.storage.dialect import insert_or_ignore, locks_rows
from bot.storage.models import Booking, Child, Class, ClassSession, WaitlistEntry

HOLDS_A_SEAT = ("confirmed", "pending_approval")


class Bookings:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def of_request_or_parent(self, keys: list[str], class_id: int, parent_id: int) -> list[Booking]:
        """The bookings a request made (by its keys), and the parent's bookings holding a seat in the class."""
        holding = (Booking.parent_id == parent_id) & (Booking.class_id == class_id) & Booking.status.in_(HOLDS_A_SEAT)
        query = select(Booking).where(Booking.request_key.in_(keys) | holding).order_by(Booking.id)
        return list((await self._session.execute(query)).scalars())

    async def add(self, booking: Booking) -> Booking:
        self._session.add(booking)
        await self._session.flush()
        return booking

    async def remove(self, booking_id: int) -> None:
        """Delete a booking made earlier in the caller's transaction, which could not get its seat."""
        await self._session.execute(delete(Booking).where(Booking.id == booking_id))

    async def get(self, booking_id: int, *, for_update: bool = False) -> Booking | None:
        query = select(Booking).where(Booking.id == booking_id)
        if for_update and locks_rows(self._session):
            query = query.with_for_update()
        return (await self._session.execute(query)).scalar_one_or_none()

    async def by_public_id(self, public_id: str, *, for_update: bool = False) -> Booking | None:
        query = select(Booking).where(Booking.public_id == public_id)
        if for_update and locks_rows(self._session):
            query = query.with_for_update()
        return (await self._session.execute(query)).scalar_one_or_none()

    async def holding_seats(self, class_id: int, statuses: tuple[str, ...] = HOLDS_A_SEAT) -> list[Booking]:
        query = select(Booking).where(Booking.class_id == class_id, Booking.status.in_(statuses)).order_by(Booking.id)
        return list((await self._session.execute(query)).scalars())

    async def awaiting_digest(self, class_id: int) -> list[tuple[int, str]]:
        """The id and child of each booking in the class the teacher has not heard of yet, in booking order."""
        query = (
            select(Booking.id, Booking.child_name)
            .where(Booking.class_id == class_id, Booking.awaits_digest)
            .order_by(Booking.id)
        )
        return [(booking_id, child) for booking_id, child in await self._session.execute(query)]

    async def told_teacher(self, booking_ids: list[int]) -> None:
        await self._session.execute(update(Booking).where(Booking.id.in_(booking_ids)).values(awaits_digest=False))

    async def count_confirmed(self, class_id: int) -> int:
        query = select(func.count()).where(Booking.class_id == class_id, Booking.status == "confirmed")
        return int((await self._session.execute(query)).scalar_one())

    async def upcoming_for_parent(self, parent_id: int, now: datetime) -> list[tuple[Booking, Class, datetime]]:
        """The parent's live bookings with their class and next session, soonest first (one query)."""
        next_start = (
            select(ClassSession.class_id, func.min(ClassSession.starts_at).label("next_start"))
            .where(ClassSession.status == "scheduled", ClassSession.starts_at > now)
            .group_by(ClassSession.class_id)
            .subquery()
        )
        query = (
            select(Booking, Class, next_start.c.next_start)
            .join(Class, Class.id == Booking.class_id)
            .join(next_start, next_start.c.class_id == Class.id)
            .where(Booking.parent_id == parent_id, Booking.status.in_(HOLDS_A_SEAT), Class.status == "scheduled")
            .order_by(next_start.c.next_start, Booking.id)
        )
        return [(booking, cls, start) for booking, cls, start in await self._session.execute(query)]

    async def set_personal_link(self, booking_id: int, registrant_id: str, join_url_enc: bytes) -> None:
        await self._session.execute(
            update(Booking)
            .where(Booking.id == booking_id)
            .values(registrant_id=registrant_id, join_url_enc=join_url_enc)
        )

    async def forget_personal_links(self, class_id: int) -> None:
        """The class's meeting is gone, and with it every registrant link made for it."""
        await self._session.execute(
            update(Booking).where(Booking.class_id == class_id).values(registrant_id=None, join_url_enc=None)
        )

    async def set_status(self, booking_id: int, status: str, now: datetime) -> None:
        await self._session.execute(
            update(Booking).where(Booking.id == booking_id).values(status=status, updated_at=now)
        )


class Waitlist:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def of_request_or_parent(self, keys: list[str], class_id: int, parent_id: int) -> list[WaitlistEntry]:
        """The entries a request made (by its keys), and the parent's children waiting in the class."""
        waiting = (
            (WaitlistEntry.parent_id == parent_id)
            & (WaitlistEntry.class_id == class_id)
            & (WaitlistEntry.status == "waiting")
        )
        query = select(WaitlistEntry).where(WaitlistEntry.request_key.in_(keys) | waiting).order_by(WaitlistEntry.id)
        return list((await self._session.execute(query)).scalars())

    async def add(self, entry: WaitlistEntry) -> None:
        self._session.add(entry)
        await self._session.flush()

    async def first_waiting(self, class_id: int) -> WaitlistEntry | None:
        query = (
            select(WaitlistEntry)
            .where(WaitlistEntry.class_id == class_id, WaitlistEntry.status == "waiting")
            .order_by(WaitlistEntry.id)
            .limit(1)
        )
        if locks_rows(self._session):
            query = query.with_for_update(skip_locked=True)
        return (await self._session.execute(query)).scalar_one_or_none()

    async def waiting(self, class_id: int) -> list[WaitlistEntry]:
        query = (
            select(WaitlistEntry)
            .where(WaitlistEntry.class_id == class_id, WaitlistEntry.status == "waiting")
            .order_by(WaitlistEntry.id)
        )
        return list((await self._session.execute(query)).scalars())

    async def set_status(self, entry_id: int, status: str) -> None:
        await self._session.execute(update(WaitlistEntry).where(WaitlistEntry.id == entry_id).values(status=status))


class Children:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def remember(self, parent_id: int, name: str) -> None:
        await self._session.execute(
            insert_or_ignore(self._session, Child, {"parent_id": parent_id, "name": name}, ["parent_id", "name"])
        )

    async def names(self, parent_id: int) -> list[str]:
        query = select(Child.name).where(Child.parent_id == parent_id).order_by(Child.id)
        return list((await self._session.execute(query)).scalars())
