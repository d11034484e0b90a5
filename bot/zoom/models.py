"""What the Zoom client takes and gives back: small frozen dataclasses instead of Zoom's JSON.

Conventions that hold everywhere:

- Meeting ids are strings. Zoom's ids are int64 and already exceed 10 digits; as strings they survive every
  database column type and JSON encoder unchanged.
- Every datetime is timezone-aware; the ones read from Zoom are in UTC.
- Links and passwords (``join_url``, ``start_url``, ``password``) are kept out of ``repr`` so that logging a
  result, or an assertion message that prints one, never leaks them.

Requests validate themselves on construction, so a bad one fails here, with a message saying what is wrong,
rather than as a 400 from Zoom after a network round trip.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

TOPIC_MAX_LENGTH = 200
AGENDA_MAX_LENGTH = 2000
# Zoom schedules at most 50 occurrences of a recurring meeting unless its support raises the limit.
MAX_WEEKLY_SESSIONS = 50


@dataclass(frozen=True, slots=True)
class ZoomUser:
    """The Zoom user behind a connection (``GET /users/me``)."""

    id: str
    email: str
    first_name: str
    last_name: str
    licensed: bool  # Zoom user type 2; basic (1) hosts cannot have registrants
    timezone: str | None  # IANA name from the profile; None when the profile has none
    account_id: str


@dataclass(frozen=True, slots=True)
class Occurrence:
    """One session of a recurring (type 8) meeting."""

    occurrence_id: str
    start: datetime
    duration: int
    status: str  # "available" or "deleted"


@dataclass(frozen=True, slots=True)
class Meeting:
    """A meeting as Zoom describes it after a create or a get; ``start_url`` is fresh for about two hours."""

    id: str
    uuid: str | None
    topic: str
    type: int  # 2 scheduled, 8 recurring with a fixed time
    start: datetime
    duration: int
    timezone: str | None
    agenda: str
    join_url: str = field(repr=False)
    start_url: str = field(repr=False)
    password: str | None = field(repr=False)
    occurrences: tuple[Occurrence, ...] = ()


@dataclass(frozen=True, slots=True)
class MeetingSummary:
    """A line of ``GET /users/me/meetings``: enough to find a meeting again (its agenda carries our marker)."""

    id: str
    uuid: str | None
    topic: str
    type: int
    start: datetime | None  # None for recurring meetings without a fixed time
    duration: int | None
    timezone: str | None
    agenda: str


@dataclass(frozen=True, slots=True)
class Registrant:
    """A parent registered to a meeting; ``join_url`` is personal to them.

    Zoom returns no ``join_url`` when the meeting requires manual approval; ClassBot's meetings approve
    automatically, so None means the meeting was changed at Zoom and the meeting's own link must do.
    """

    registrant_id: str
    meeting_id: str
    join_url: str | None = field(repr=False)


def _check_text(name: str, value: str, max_length: int, *, required: bool) -> None:
    if required and not value.strip():
        raise ValueError(f"{name} must not be empty")
    if len(value) > max_length:
        raise ValueError(f"{name} is {len(value)} characters long; Zoom accepts at most {max_length}")


def _check_start(start: datetime) -> None:
    if start.tzinfo is None or start.utcoffset() is None:
        raise ValueError("start must be timezone-aware")


def _check_timezone(timezone: str) -> None:
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown IANA timezone {timezone!r}") from None


def _check_duration(duration_minutes: int) -> None:
    if not 0 < duration_minutes <= 24 * 60:
        raise ValueError("duration_minutes must be between 1 and 1440")


def _check_sessions(weekly_sessions: int | None) -> None:
    if weekly_sessions is not None and not 1 <= weekly_sessions <= MAX_WEEKLY_SESSIONS:
        raise ValueError(f"weekly_sessions must be between 1 and {MAX_WEEKLY_SESSIONS}")


@dataclass(frozen=True, slots=True)
class MeetingRequest:
    """A meeting to create for a class.

    ``start`` is the first session; it is sent to Zoom as local time in ``timezone``, and a weekly class
    repeats on that local weekday. ``weekly_sessions`` of None or 1 makes a one-off (type 2) meeting, more
    makes a recurring one (type 8). ``registration`` asks for personal registrant links (licensed hosts only).
    """

    topic: str
    start: datetime
    duration_minutes: int
    timezone: str
    agenda: str = ""
    weekly_sessions: int | None = None
    registration: bool = False

    def __post_init__(self) -> None:
        _check_text("topic", self.topic, TOPIC_MAX_LENGTH, required=True)
        _check_text("agenda", self.agenda, AGENDA_MAX_LENGTH, required=False)
        _check_start(self.start)
        _check_timezone(self.timezone)
        _check_duration(self.duration_minutes)
        _check_sessions(self.weekly_sessions)

    @property
    def recurring(self) -> bool:
        return self.weekly_sessions is not None and self.weekly_sessions > 1


@dataclass(frozen=True, slots=True)
class MeetingUpdate:
    """Changes to an existing meeting; fields left None are not sent.

    A new ``start`` needs its ``timezone`` (it is sent as local time there). Zoom requires the recurrence
    again when the start of a recurring meeting moves, so pass ``weekly_sessions`` with ``start`` for a weekly
    class: the meeting then repeats on the new start's weekday for that many sessions.
    """

    topic: str | None = None
    start: datetime | None = None
    duration_minutes: int | None = None
    timezone: str | None = None
    agenda: str | None = None
    weekly_sessions: int | None = None

    def __post_init__(self) -> None:
        if self.topic is not None:
            _check_text("topic", self.topic, TOPIC_MAX_LENGTH, required=True)
        if self.agenda is not None:
            _check_text("agenda", self.agenda, AGENDA_MAX_LENGTH, required=False)
        if self.start is not None:
            _check_start(self.start)
            if self.timezone is None:
                raise ValueError("a new start needs its timezone")
        if self.timezone is not None:
            _check_timezone(self.timezone)
        if self.duration_minutes is not None:
            _check_duration(self.duration_minutes)
        _check_sessions(self.weekly_sessions)
        if self.weekly_sessions is not None and self.start is None:
            raise ValueError("weekly_sessions is only sent with a new start")
        if all(getattr(self, f.name) is None for f in fields(self)):
            raise ValueError("an update must change something")
