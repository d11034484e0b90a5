"""Forgetting a person on request (``/forgetme``): what they booked is cancelled, what they teach is cancelled,
their Zoom authorization is revoked, and then everything ClassBot kept about them is deleted.

Other people are told as usual (a freed seat goes to the waitlist, parents of a cancelled class hear of it);
only then is the person's row deleted, which removes their children's names, tokens and classes with it.

Nothing of the person may stay behind in Zoom either, and Zoom may not answer at that moment:

- A child registered in a teacher's meeting leaves it through a durable job that carries the registration
  itself (``job_kinds.Registration``): the parent is deleted at once, and a cancellation Zoom refuses at first (5xx,
  a timeout, a busy worker) is retried until Zoom takes it, with nothing to read from the deleted booking.
- A teacher's cancelled classes' meetings are deleted at Zoom with the teacher's own authorization, so the
  teacher is erased (and that authorization revoked) only once Zoom confirmed every deletion. When Zoom is down
  the rest waits in a durable job (``job_kinds.ERASE_AFTER_ZOOM``) that tries again, for at most ``ZOOM_PATIENCE``:
  after that the person is erased anyway, the meetings left in their own Zoom account.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.core import job_kinds
from bot.core.bookings import BookingService
from bot.core.classes import ClassService
from bot.core.connect import ConnectService
from bot.core.meetings import MeetingKeeper
from bot.core.notify import NOTIFY_JOB
from bot.core.words.classes import bookings_counted
from bot.core.worker import JobWorker
from bot.i18n.texts import Text, ntr, tr
from bot.storage.bookings import Bookings
from bot.storage.classes import Classes
from bot.storage.database import Database
from bot.storage.identity import PersonRef
from bot.storage.jobs import drop_waiting
from bot.storage.people import People
from bot.support.clock import Clock
from bot.zoom.errors import ZoomRateLimited, ZoomUnavailable

log = logging.getLogger(__name__)

# How long a teacher's erasure waits for Zoom to delete their meetings before erasing them anyway: longer than
# Zoom's outages last, short enough that "forget me" is done within a day.
ZOOM_PATIENCE = timedelta(days=1)
# Meetings deleted at once: a teacher with a hundred classes is done in seconds, within Zoom's per-second limit.
_DELETING_AT_ONCE = 4
# Zoom failures that trying again later can overcome (the worker's retry policy knows how long to wait).
_PASSING = (ZoomUnavailable, ZoomRateLimited)


@dataclass(frozen=True, slots=True)
class Forgotten:
    bookings_cancelled: int
    classes_cancelled: int
    zoom_disconnected: bool
    # False while the person waits for Zoom to delete their meetings (``job_kinds.ERASE_AFTER_ZOOM``).
    erased: bool = True

    def summary(self) -> Text:
        """What was done, for the person who asked (told in the language they had before being forgotten)."""
        bookings = bookings_counted(self.bookings_cancelled)
        classes = ntr("{n} class", "{n} classes", self.classes_cancelled)
        if not self.erased:
            return tr(
                "Done: {bookings} and {classes} cancelled. Zoom is not answering right now, so your Zoom "
                "meetings, and then everything about you, will be deleted as soon as it does.",
                bookings=bookings,
                classes=classes,
            )
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

    def register(self, worker: JobWorker) -> None:
        worker.register(job_kinds.ERASE_AFTER_ZOOM, self.erase_after_zoom)

    async def forget(self, who: PersonRef) -> Forgotten:
        booked = await self._bookings.for_parent(who)
        for booking in booked:
            await self._bookings.cancel(who, booking.public_id)
        now = self._clock()
        async with self._database.read() as session:
            person = await People(session).find(who)
            taught = await Classes(session).upcoming_of_teacher(person.id, now) if person else []
        for public_id in taught:
            await self._classes.cancel(who, public_id, reason=tr("its teacher left ClassBot"))
        log.info("forgetting a person on request: %d bookings, %d classes cancelled", len(booked), len(taught))
        if person is None:
            return Forgotten(len(booked), len(taught), False)
        erasure = job_kinds.Erasure(person.id, person.created_at, since=now)
        try:
            disconnected = await self._erase(erasure)
        except _PASSING as failure:
            log.warning("Zoom did not delete a forgotten teacher's meetings (%s): trying again", type(failure).__name__)
            async with self._database.write() as session:
                await job_kinds.erase_after_zoom(session, erasure, self._clock())
            return Forgotten(len(booked), len(taught), False, erased=False)
        return Forgotten(len(booked), len(taught), disconnected)

    async def erase_after_zoom(self, payload: dict[str, Any]) -> None:
        """The job finishing a ``forget`` that Zoom held up; a failure Zoom may get over is raised, to retry."""
        await self._erase(job_kinds.Erasure.from_payload(payload))

    async def _erase(self, erasure: job_kinds.Erasure) -> bool:
        """Delete the person's cancelled classes' meetings at Zoom, revoke their Zoom authorization and erase them;
        True if Zoom was disconnected. Raises a Zoom failure worth waiting out, until ``ZOOM_PATIENCE`` after the
        erasure began. Nothing is done to a person who is not the one meant (erased already, their id reused)."""
        async with self._database.read() as session:
            person = await People(session).get(erasure.person_id)
        if person is None or person.created_at != erasure.person_created:
            async with self._database.write() as session:
                await job_kinds.erased(session, erasure.person_id)
            return False
        try:
            await self._delete_meetings(person.id)
        except _PASSING as failure:
            if self._clock() - erasure.since < ZOOM_PATIENCE:
                raise
            log.warning("Zoom did not delete a forgotten teacher's meetings for a day (%s): erasing anyway", failure)
        disconnected = bool(self._connect and await self._connect.disconnect_person(person.id))
        async with self._database.write() as session:
            found = await People(session).get(person.id)
            if found is not None and found.created_at == erasure.person_created:
                await _unregister_everywhere(session, found.id, self._clock())
                await drop_waiting(session, NOTIFY_JOB, "person_id", found.id)
                await People(session).erase(found)
            await job_kinds.erased(session, person.id)
        return disconnected

    async def _delete_meetings(self, teacher_id: int) -> None:
        """Delete at Zoom every meeting of the teacher's cancelled classes (each is forgotten here once Zoom
        confirms, so a second run does the rest only). Every meeting is tried; then a failure worth waiting out
        is raised. One no retry can delete (the teacher's Zoom is gone or refuses) is left, and logged."""
        async with self._database.read() as session:
            class_ids = await Classes(session).cancelled_with_meetings(teacher_id)
        slots = asyncio.Semaphore(_DELETING_AT_ONCE)

        async def delete(class_id: int) -> None:
            async with slots:
                await self._meetings.delete(class_id)

        outcomes = await asyncio.gather(*(delete(class_id) for class_id in class_ids), return_exceptions=True)
        failures = [outcome for outcome in outcomes if isinstance(outcome, BaseException)]
        for failure in failures:
            if not isinstance(failure, Exception):
                raise failure  # cancelled: the process is stopping
        passing = [failure for failure in failures if isinstance(failure, _PASSING)]
        if passing:
            raise passing[0]
        if failures:
            kinds = sorted({type(failure).__name__ for failure in failures})
            log.warning("could not delete %d Zoom meetings of a forgotten teacher: %s", len(failures), kinds)


async def _unregister_everywhere(session: AsyncSession, parent_id: int, now: datetime) -> None:
    """Queue the cancellation of every Zoom registration the parent's bookings still have, past classes' too: the
    cancelled bookings' are queued already (once per booking), the others would keep the child's name in the
    teacher's meeting. Each job carries what it needs, so it works after the parent is deleted."""
    for booking, cls in await Bookings(session).registered_of_parent(parent_id):
        registration = job_kinds.registration_of(booking, cls)
        if registration is not None:
            await job_kinds.cancel_registrant(session, registration, now)
