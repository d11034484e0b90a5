"""When bookings were made, children attended and bookings were cancelled, for the weekly chart of ``/stats``:
for the classes announced in one community, or for one teacher's classes. Only the moments are read; the core
counts them per week."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.storage.models import Attendance, Booking, Class, Publication


@dataclass(frozen=True, slots=True)
class ActivityMoments:
    booked: list[datetime]
    attended: list[datetime]  # one per booking and session, at the first join
    cancelled: list[datetime]


class Activity:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def in_community(self, community_id: int, since: datetime) -> ActivityMoments:
        """Of the classes ever announced in the community."""
        classes = select(Publication.class_id).where(Publication.community_id == community_id)
        return await self._moments(classes, since)

    async def of_teacher(self, teacher_id: int, since: datetime) -> ActivityMoments:
        classes = select(Class.id).where(Class.teacher_id == teacher_id)
        return await self._moments(classes, since)

    async def teaches_any(self, teacher_id: int) -> bool:
        """Whether the person has made a class (cancelled ones count: their weeks still have numbers)."""
        query = select(Class.id).where(Class.teacher_id == teacher_id).limit(1)
        return (await self._session.execute(query)).first() is not None

    async def _moments(self, classes: Select[int], since: datetime) -> ActivityMoments:
        booked = select(Booking.created_at).where(
            Booking.class_id.in_(classes), Booking.created_at >= since, Booking.status != "declined"
        )
        cancelled = select(Booking.updated_at).where(
            Booking.class_id.in_(classes), Booking.status == "cancelled", Booking.updated_at >= since
        )
        attended = (
            select(Attendance.session_id, Attendance.booking_id, Attendance.joined_at)
            .join(Booking, Booking.id == Attendance.booking_id)
            .where(Booking.class_id.in_(classes), Attendance.joined_at >= since)
            .order_by(Attendance.joined_at)
        )
        first_joins: dict[tuple[int, int | None], datetime] = {}
        for session_id, booking_id, joined_at in (await self._session.execute(attended)).all():
            first_joins.setdefault((session_id, booking_id), joined_at)
        return ActivityMoments(
            booked=list((await self._session.execute(booked)).scalars()),
            attended=list(first_joins.values()),
            cancelled=list((await self._session.execute(cancelled)).scalars()),
        )
