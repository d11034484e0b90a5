"""Forgetting a person on request (``/forgetme``): what they booked is cancelled, what they teach is cancelled,
their Zoom authorization is revoked, and then everything ClassBot kept about them is deleted.

Other people are told as usual (a freed seat goes to the waitlist, parents of a cancelled class hear of it);
only then is the person's row deleted, which removes their children's names, tokens and classes with it.

A child registered in a teacher's Zoom meeting leaves it through a durable job that carries the registration
itself (``work.Registration``): the parent is deleted at once, and a cancellation Zoom refuses at first (5xx, a
timeout, a busy worker) is retried until Zoom takes it, with nothing to read from the deleted booking.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.core import work
from bot.core.bookings import BookingService
from bot.core.classes import ClassService
from bot.core.clock import Clock
from bot.core.connect import ConnectService
from bot.core.identity import PersonRef
from bot.core.meetings import MeetingKeeper
from bot.core.texts import Text, ntr, tr
from bot.storage.bookings import Bookings
from bot.storage.classes import Classes
from bot.storage.database import Database
from bot.storage.people import People

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Forgotten:
    bookings_cancelled: int
    classes_cancelled: int
    zoom_disconnected: bool

    def summary(self) -> Text:
        """What was done, for the person who asked (told in the language they had before being forgotten)."""
        bookings = ntr("{n} booking", "{n} bookings", self.bookings_cancelled)
        classes = ntr("{n} class", "{n} classes", self.classes_cancelled)
        if self.zoom_disconnected:
            return tr(
                "Done: {bookings} and {classes} cancelled, Zoom disconnected, and everything about you deleted.",
                bookings=bookings,
                classes=classes,
            )
        return tr(
            "Done: {bookings} and {classes} cancelled, and everything about you deleted.",
            bookings=bookings,
            classes=classes,
        )


class PrivacyService:
    def __init__(
        self,
        database: Database,
        bookings: BookingService,
        classes: ClassService,
        meetings: MeetingKeeper,
        connect: ConnectService | None,
        *,
        clock: Clock,
    ) -> None:
        self._clock = clock
        self._database = database
        self._bookings = bookings
        self._classes = classes
        self._meetings = meetings
        self._connect = connect

    async def forget(self, who: PersonRef) -> Forgotten:
        booked = await self._bookings.for_parent(who)
        for booking in booked:
            await self._bookings.cancel(who, booking.public_id)
        taught = await self._classes.for_teacher(who)
        for view in taught:
            await self._delete_meeting(view.public_id)
            await self._classes.cancel(who, view.public_id, reason=tr("its teacher left ClassBot"))
        disconnected = bool(self._connect and await self._connect.disconnect(who))
        async with self._database.write() as session:
            person = await People(session).find(who)
            if person is not None:
                await _unregister_everywhere(session, person.id, self._clock())
                await People(session).erase(person)
        log.info("forgot a person on request: %d bookings, %d classes", len(booked), len(taught))
        return Forgotten(len(booked), len(taught), disconnected)

    async def _delete_meeting(self, class_public_id: str) -> None:
        """Delete the class's Zoom meeting now: once the class row is gone, no job could find it."""
        async with self._database.read() as session:
            cls = await Classes(session).by_public_id(class_public_id)
        if cls is None or cls.meeting_id is None:
            return
        try:
            await self._meetings.delete(cls.id)
        except Exception as failure:  # Zoom down or the teacher's Zoom already gone: forgetting goes on
            log.warning("could not delete the Zoom meeting of a forgotten teacher's class: %s", type(failure).__name__)


async def _unregister_everywhere(session: AsyncSession, parent_id: int, now: datetime) -> None:
    """Queue the cancellation of every Zoom registration the parent's bookings still have, past classes' too: the
    cancelled bookings' are queued already (once per booking), the others would keep the child's name in the
    teacher's meeting. Each job carries what it needs, so it works after the parent is deleted."""
    for booking, cls in await Bookings(session).registered_of_parent(parent_id):
        registration = work.registration_of(booking, cls)
        if registration is not None:
            await work.cancel_registrant(session, registration, now)
