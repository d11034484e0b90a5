"""What the fake Zoom knows: users, meetings, registrants, the clock, and the transcript of calls.

One ``ZoomWorld`` is shared by the server thread and the test thread; every read or write of it happens under
``world.lock`` (a plain ``threading.Lock``: the functions that take a world assume the caller holds it).
"""

from __future__ import annotations

import base64
import secrets
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any, Literal

from .faults import FaultPlan, PerSecondLimiter
from .oauth import OAuthStore

MeetingStatus = Literal["waiting", "started", "ended"]
RegistrantStatus = Literal["approved", "pending", "denied", "cancelled"]
DailyCapHeaders = Literal["documented", "observed"]

START_URL_LIFETIME = timedelta(hours=2)


def zoom_id() -> str:
    """A 22-character id in the alphabet of Zoom's user, account and registrant ids."""
    return base64.urlsafe_b64encode(secrets.token_bytes(16)).rstrip(b"=").decode()


def meeting_uuid() -> str:
    """A meeting UUID as Zoom prints them: base64 of 16 bytes, padding included (it may contain '/')."""
    return base64.b64encode(secrets.token_bytes(16)).decode()


def zoom_time(moment: datetime) -> str:
    """Zoom's UTC timestamp format, ``yyyy-MM-ddTHH:mm:ssZ``."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class Clock:
    """The fake's notion of now: a source (the wall clock unless injected) plus an offset tests can advance."""

    def __init__(self, source: Callable[[], datetime] | None = None) -> None:
        self._source = source or (lambda: datetime.now(UTC))
        self._offset = timedelta()

    def now(self) -> datetime:
        return self._source() + self._offset

    def advance(self, seconds: float) -> None:
        self._offset += timedelta(seconds=seconds)


@dataclass(frozen=True, slots=True)
class FakeZoomUser:
    """A Zoom user (a snapshot: ask the fake again after changing its scopes)."""

    id: str
    email: str
    first_name: str
    last_name: str
    type: int
    timezone: str
    account_id: str
    scopes: tuple[str, ...]
    pmi: int
    created_at: datetime

    @property
    def licensed(self) -> bool:
        return self.type == 2


@dataclass(slots=True)
class FakeZoomOccurrence:
    occurrence_id: str
    start_time: datetime
    duration: int
    status: str = "available"


@dataclass(frozen=True, slots=True)
class IssuedStartUrl:
    """A start_url handed out by the fake, and when (it logs its holder in as host for two hours)."""

    url: str
    zak: str
    issued_at: datetime


@dataclass(slots=True)
class FakeZoomMeeting:
    id: int
    uuid: str
    host_id: str
    topic: str
    type: int
    start_time: datetime | None
    duration: int
    timezone: str
    agenda: str
    created_at: datetime
    password: str
    encrypted_password: str
    settings: dict[str, Any]
    recurrence: dict[str, Any] | None = None
    occurrences: list[FakeZoomOccurrence] = field(default_factory=list)
    status: MeetingStatus = "waiting"
    start_urls: list[IssuedStartUrl] = field(default_factory=list)


@dataclass(slots=True)
class FakeZoomRegistrant:
    id: str
    meeting_id: int
    email: str
    first_name: str
    last_name: str
    status: RegistrantStatus
    join_url: str
    created_at: datetime
    occurrence_ids: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ZoomCall:
    """One request the fake received, and the status it answered."""

    method: str
    path: str
    query: dict[str, str]
    json: object | None
    form: dict[str, str] | None
    headers: dict[str, str]
    status: int  # what the client was answered (0: nothing, the connection was dropped)
    fault: str | None = None  # the injected fault, if any: "before 502", "after dropped", ...
    effect_status: int | None = None  # under an "after" fault: what Zoom's operation answered before it was lost

    @property
    def took_effect(self) -> bool:
        """Whether Zoom acted on the call, whatever the client was told."""
        status = self.effect_status if self.effect_status is not None else self.status
        return (self.fault is None or self.effect_status is not None) and 200 <= status < 300


@dataclass(slots=True)
class Limits:
    """Knobs the test thread may turn while the server runs."""

    latency: float = 0.0
    daily_meeting_cap: int = 100
    registrant_daily_cap: int | None = 3
    per_second_limit: int | None = None
    daily_cap_headers: DailyCapHeaders = "documented"


class ZoomWorld:
    """Every piece of fake state, behind one lock."""

    def __init__(
        self,
        *,
        client_id: str,
        client_secret: str,
        access_token_ttl: int,
        limits: Limits,
        clock: Clock,
    ) -> None:
        self.lock = threading.Lock()
        self.client_id = client_id
        self.client_secret = client_secret
        self.clock = clock
        self.limits = limits
        self.base_url = ""
        self.users: dict[str, FakeZoomUser] = {}
        self.meetings: dict[int, FakeZoomMeeting] = {}
        self.registrants: dict[int, list[FakeZoomRegistrant]] = {}
        self.oauth = OAuthStore(clock.now, access_token_ttl)
        self.faults = FaultPlan()
        self.per_second = PerSecondLimiter()
        self.calls: list[ZoomCall] = []
        self.daily_writes: dict[tuple[str, date], int] = {}
        self.registrant_adds: dict[tuple[str, date], int] = {}
        self.page_tokens: dict[str, int] = {}

    def now(self) -> datetime:
        return self.clock.now()

    def find_user(self, ref: str) -> FakeZoomUser | None:
        """A user by id or (case-insensitive) email."""
        if ref in self.users:
            return self.users[ref]
        return next((u for u in self.users.values() if u.email.lower() == ref.lower()), None)

    def new_meeting_number(self) -> int:
        """An 11-digit meeting number, like Zoom's recent ones (they no longer fit in 32 bits)."""
        while True:
            number = 80_000_000_000 + secrets.randbelow(19_999_999_999)
            if number not in self.meetings:
                return number

    def issue_start_url(self, meeting: FakeZoomMeeting) -> str:
        zak = secrets.token_urlsafe(48)
        url = f"{self.base_url}/s/{meeting.id}?zak={zak}"
        meeting.start_urls.append(IssuedStartUrl(url=url, zak=zak, issued_at=self.now()))
        return url

    def join_url(self, meeting: FakeZoomMeeting) -> str:
        return f"{self.base_url}/j/{meeting.id}?pwd={meeting.encrypted_password}"
