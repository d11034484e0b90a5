"""What ClassBot does about each kind of answer from Zoom: the core's half of the one table of Zoom's codes.

``bot.zoom.answers`` says what each code Zoom documents *means* (``Meaning``); ``ACTIONS`` here says what the
core *does* about each meaning, and whom it tells:

- retry: the job tries again, after Zoom's ``Retry-After``, at 00:00 UTC for a daily cap, else after a backoff;
  a code ClassBot does not know is retried too, but only ``UNKNOWN_ATTEMPTS`` times, then the teacher is told;
- retry later: the job looks again every ten minutes, waiting for something slow (a meeting in progress to end,
  the operator to fix the Zoom app's settings);
- refresh: the token is refreshed once and the call sent once more (the transport does it within the call);
- replace the meeting: the same path as Zoom's ``meeting.deleted`` webhook (``MeetingKeeper.replace``);
- reconnect: the connection is marked "reconnect needed" and the teacher asked to send /connect; Zoom jobs wait
  for it and go out at once when they reconnect;
- the meeting's own link: a parent gets the meeting's join link instead of a personal one;
- give up: the job is buried and the people named are told (the teacher in chat, the operator in the log).

Where it happens: the Zoom transport settles refreshes and short retries within a call; ``MeetingKeeper``
replaces meetings and falls back to the meeting's link where the call was made; ``retry_delay`` is the worker's
policy for the rest, and ``ZoomGiveUps`` tells the teacher of a Zoom job given up on.
"""

from __future__ import annotations

import enum
import logging
from dataclasses import dataclass
from typing import Any

from bot.core.messages import Message
from bot.core.notify import tell
from bot.core.worker import NEVER, backoff_seconds
from bot.i18n.texts import tr
from bot.storage.bookings import Bookings
from bot.storage.classes import Classes
from bot.storage.database import Database
from bot.support.clock import Clock
from bot.zoom.answers import Meaning
from bot.zoom.errors import ZoomError, ZoomRateLimited

log = logging.getLogger(__name__)

# A job waiting on something slow looks again this often (a reconnect also makes Zoom jobs due at once).
RETRY_LATER_SECONDS = 600.0
# A code the table does not know is tried this many times (about half a minute of backoff), then given up.
UNKNOWN_ATTEMPTS = 6


class Step(enum.Enum):
    RETRY = "retry"
    RETRY_LATER = "retry later"
    REFRESH = "refresh the token"
    REPLACE_MEETING = "replace the meeting"
    RECONNECT = "ask the teacher to reconnect"
    MEETING_LINK = "send the meeting's own link"
    GIVE_UP = "give up"


class Whom(enum.Enum):
    TEACHER = "the teacher"  # in chat
    OPERATOR = "the operator"  # an error in the log, with Zoom's tracking id


@dataclass(frozen=True, slots=True)
class Action:
    """What the core does about one meaning. ``attempts`` bounds a retry: then it gives up and tells ``tell``."""

    step: Step
    tell: tuple[Whom, ...] = ()
    attempts: int | None = None


_TEACHER, _OPERATOR = Whom.TEACHER, Whom.OPERATOR

ACTIONS: dict[Meaning, Action] = {
    Meaning.TRANSIENT: Action(Step.RETRY),
    Meaning.RATE_LIMITED: Action(Step.RETRY),
    Meaning.TOKEN_REFUSED: Action(Step.REFRESH),  # refused again after the refresh: reconnect
    Meaning.AUTHORIZATION_GONE: Action(Step.RECONNECT, (_TEACHER,)),
    Meaning.MEETING_GONE: Action(Step.REPLACE_MEETING, (_TEACHER,)),
    Meaning.MEETING_IN_PROGRESS: Action(Step.RETRY_LATER),  # it ends within hours; then the change goes through
    Meaning.MEETING_ENDED: Action(Step.GIVE_UP),  # nothing is left to change: nobody needs to hear
    Meaning.NO_REGISTRATION: Action(Step.MEETING_LINK),
    Meaning.MEETING_FULL: Action(Step.GIVE_UP, (_TEACHER,)),
    Meaning.HOST_NOT_ALLOWED: Action(Step.GIVE_UP, (_TEACHER,)),  # only the teacher's Zoom admin can allow it
    Meaning.CODE_REFUSED: Action(Step.GIVE_UP, (_TEACHER,)),  # the connect page tells them to start again
    Meaning.APP_MISCONFIGURED: Action(Step.RETRY_LATER, (_OPERATOR,)),  # links follow once the settings are fixed
    Meaning.REQUEST_REFUSED: Action(Step.GIVE_UP, (_OPERATOR, _TEACHER)),  # a bug: trying again changes nothing
    Meaning.UNKNOWN: Action(Step.RETRY, (_TEACHER,), attempts=UNKNOWN_ATTEMPTS),
}


def action_for(error: ZoomError) -> Action:
    return ACTIONS[error.meaning]


def zoom_error_in(failure: BaseException) -> ZoomError | None:
    """The Zoom answer behind a job's failure, if Zoom's answer is what failed it."""
    if isinstance(failure, ZoomError):
        return failure
    if isinstance(failure.__cause__, ZoomError):
        return failure.__cause__
    return None


def retry_delay(failure: BaseException, attempts: int) -> float | None:
    """The worker's wait after a job failed on a Zoom answer (``NEVER`` to give up); None for other failures."""
    error = zoom_error_in(failure)
    if error is None:
        return None
    action = action_for(error)
    if Whom.OPERATOR in action.tell:
        log.error("Zoom refused what ClassBot asked; the operator must look: %s", error)
    if action.step is Step.RETRY:
        if action.attempts is not None and attempts >= action.attempts:
            return NEVER
        if isinstance(error, ZoomRateLimited):
            return error.retry_after
        return backoff_seconds(attempts)
    if action.step in (Step.RETRY_LATER, Step.RECONNECT, Step.REFRESH):
        return RETRY_LATER_SECONDS
    if action.step is Step.REPLACE_MEETING:
        return 1.0  # the meeting was replaced where Zoom said so: the next attempt finds the new one
    return NEVER  # give up; so too a personal link refused where no fallback applies


class ZoomGiveUps:
    """Tells the teacher of a class when a Zoom job for it is given up on (the worker's ``given_up`` hook)."""

    def __init__(self, database: Database, *, clock: Clock) -> None:
        self._database = database
        self._clock = clock

    async def booking_job(self, payload: dict[str, Any], failure: Exception) -> None:
        """A job naming a booking (its link, its registration) was given up on."""
        async with self._database.read() as session:
            bookings = Bookings(session)
            if "booking" in payload:
                booking = await bookings.by_public_id(str(payload["booking"]))
            else:
                booking = await bookings.get(int(payload["booking_id"]))
        if booking is not None:
            await self._tell_teacher(booking.class_id, failure)

    async def class_job(self, payload: dict[str, Any], failure: Exception) -> None:
        """A job naming a class (its start link, its meeting's changes) was given up on."""
        await self._tell_teacher(int(payload["class_id"]), failure)

    async def _tell_teacher(self, class_id: int, failure: Exception) -> None:
        error = zoom_error_in(failure)
        if error is None or Whom.TEACHER not in action_for(error).tell:
            return
        now = self._clock()
        async with self._database.write() as session:
            cls = await Classes(session).get(class_id)
            if cls is None:
                return
            text = tr(
                "Zoom refused what ClassBot asked for “{title}”, so some parents may have no Zoom link yet. "
                "Zoom said: “{zoom_says}” (code {code}). Check the class in your Zoom account.",
                title=cls.title,
                zoom_says=error.message.partition(": ")[2] or error.message,
                code=error.code if error.code is not None else error.status or "-",
            )
            # Once a day per class and code: a burst of bookings meeting the same refusal is one message.
            key = f"zoom-refused:{class_id}:{error.code}:{now.date().isoformat()}"
            await tell(session, cls.teacher_id, Message(text), now=now, dedupe_key=key)
