"""ZoomClient against the Zoom test server: real HTTP, requests checked against Zoom's OpenAPI document.

Waits are never slept through: the client's ``sleep`` records what it was asked to wait, and the tests assert
those waits. Only the limiter and timeout tests spend real time, because real time is what they are about.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Literal
from zoneinfo import ZoneInfo

import httpx
import pytest
from classbot_fakes.zoom import FakeZoom

from bot.zoom.answers import Meaning
from bot.zoom.client import ZoomClient
from bot.zoom.credentials import ZoomAccount
from bot.zoom.errors import (
    ZoomError,
    ZoomMeetingLocked,
    ZoomNotFound,
    ZoomRateLimited,
    ZoomReconnectNeeded,
    ZoomRegistrationUnavailable,
    ZoomRequestRejected,
    ZoomScopeMissing,
    ZoomUnavailable,
)
from bot.zoom.models import Meeting, MeetingRequest, MeetingUpdate
from bot.zoom.payloads import create_meeting_body, local_start_time, zoom_weekday
from bot.zoom.ratelimit import RateCategory, ZoomRateLimiter
from bot.zoom.retry import RetryPolicy
from bot.zoom.transport import ZoomTransport
from tests.support.waiting import wait_until

REDIRECT_URI = "http://classbot.test/zoom/oauth/callback"
PARIS = "Europe/Paris"
# Our clock for Retry-After and the daily cap: 30 seconds before midnight UTC.
NOW = datetime(2026, 12, 31, 23, 59, 30, tzinfo=UTC)
# Backoffs of 0.5, 1 and 2 seconds: the jitter is pinned to the middle of its range.
POLICY = RetryPolicy(max_attempts=4, base_delay=1.0, max_delay=4.0, max_inline_wait=10.0, jitter=lambda: 0.5)
BACKOFFS = [0.5, 1.0, 2.0]
# Saturday 23 October 2027, 10:00 in Paris; the clocks go back on the 31st.
SATURDAY_CLASS = datetime(2027, 10, 23, 10, 0, tzinfo=ZoneInfo(PARIS))


def _unlimited() -> ZoomRateLimiter:
    """A limiter that never holds a call back: only the limiter's own tests should spend real time."""
    return ZoomRateLimiter({(licensed, category): 10_000 for licensed in (False, True) for category in RateCategory})


class RecordedSleeps:
    """The client's ``sleep``: remembers each requested wait and returns at once."""

    def __init__(self) -> None:
        self.waits: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)
        await asyncio.sleep(0)


class MemoryCredentials:
    """A test implementation of the ``ZoomCredentials`` port: tokens in memory, refreshed at the fake's
    real ``/oauth/token`` (Basic auth, form body, rotating refresh tokens)."""

    def __init__(self, http: httpx.AsyncClient, zoom: FakeZoom) -> None:
        self._http = http
        self._zoom = zoom
        self._tokens: dict[int, dict[str, Any]] = {}
        self.issued: list[str] = []  # every token ever handed out, for the log scan
        self.refreshes = 0
        self.reconnects: list[tuple[int, str]] = []

    def store(self, connection_id: int, answer: dict[str, Any]) -> None:
        self._tokens[connection_id] = answer
        self.issued += [answer["access_token"], answer["refresh_token"]]

    async def access_token(self, connection_id: int) -> str:
        return str(self._tokens[connection_id]["access_token"])

    async def refresh_after_rejection(self, connection_id: int, rejected_token: str) -> str:
        current = self._tokens[connection_id]
        if current["access_token"] != rejected_token:
            return str(current["access_token"])  # refreshed meanwhile by another call
        answer = await self._http.post(
            f"{self._zoom.oauth_url}/oauth/token",
            data={"grant_type": "refresh_token", "refresh_token": current["refresh_token"]},
            auth=(self._zoom.client_id, self._zoom.client_secret),
        )
        if answer.status_code != 200:
            raise ZoomReconnectNeeded("the refresh token was refused", status=answer.status_code)
        self.store(connection_id, answer.json())
        self.refreshes += 1
        return str(self._tokens[connection_id]["access_token"])

    async def reconnect_needed(self, connection_id: int, reason: str) -> None:
        self.reconnects.append((connection_id, reason))


@dataclass
class Harness:
    zoom: FakeZoom
    http: httpx.AsyncClient
    credentials: MemoryCredentials
    sleeps: RecordedSleeps
    client: ZoomClient

    def with_client(self, http: httpx.AsyncClient, limiter: ZoomRateLimiter | None = None) -> ZoomClient:
        """Another client on the same credentials and sleeps (a shorter timeout, a real limiter…)."""
        limiter = limiter or _unlimited()
        return ZoomClient(
            ZoomTransport(
                http,
                self.zoom.api_url,
                self.credentials,
                retry=POLICY,
                limiter=limiter,
                sleep=self.sleeps,
                clock=lambda: NOW,
            )
        )

    async def teacher(self, *, licensed: bool = False, email: str | None = None) -> ZoomAccount:
        """A teacher who went through the OAuth code exchange (their connection id is their rank); the fake's
        transcript is cleared afterwards, so that tests count only their own calls."""
        connection_id = len(self.zoom.users) + 1
        user = self.zoom.add_user(email=email or f"teacher{connection_id}@example.org", licensed=licensed)
        code = self.zoom.authorize_code(user, redirect_uri=REDIRECT_URI)
        answer = await self.http.post(
            f"{self.zoom.oauth_url}/oauth/token",
            data={"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT_URI},
            auth=(self.zoom.client_id, self.zoom.client_secret),
        )
        tokens = answer.json()
        me = await self.client.get_me_with_token(tokens["access_token"])
        self.credentials.store(connection_id, tokens)
        self.zoom.clear_calls()
        return ZoomAccount(connection_id=connection_id, account_id=me.account_id, licensed=me.licensed)


@asynccontextmanager
async def harness(zoom: FakeZoom) -> AsyncIterator[Harness]:
    async with httpx.AsyncClient(timeout=5.0) as http:
        credentials = MemoryCredentials(http, zoom)
        sleeps = RecordedSleeps()
        client = ZoomClient(
            ZoomTransport(
                http, zoom.api_url, credentials, retry=POLICY, limiter=_unlimited(), sleep=sleeps, clock=lambda: NOW
            )
        )
        yield Harness(zoom, http, credentials, sleeps, client)


@pytest.fixture
async def h(fake_zoom: FakeZoom) -> AsyncIterator[Harness]:
    async with harness(fake_zoom) as built:
        yield built


def art_class(**changes: Any) -> MeetingRequest:
    fields: dict[str, Any] = {
        "topic": "Watercolour for 8-10 year olds",
        "start": SATURDAY_CLASS,
        "duration_minutes": 45,
        "timezone": PARIS,
        "agenda": "Bring brushes. [classbot:42]",
    }
    return MeetingRequest(**(fields | changes))


# --- building requests (no server) ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("moment", "timezone", "weekday"),
    [
        (datetime(2027, 10, 24, 12, 0, tzinfo=UTC), "Europe/Paris", 1),  # Sunday
        (datetime(2027, 10, 25, 12, 0, tzinfo=UTC), "Europe/Paris", 2),  # Monday
        (datetime(2027, 10, 23, 12, 0, tzinfo=UTC), "Europe/Paris", 7),  # Saturday
        # Friday 19:00 UTC is already Saturday 08:00 in Auckland: the weekday is the class's local one.
        (datetime(2027, 10, 22, 19, 0, tzinfo=UTC), "Pacific/Auckland", 7),
        (datetime(2027, 10, 24, 2, 0, tzinfo=UTC), "America/Los_Angeles", 7),
    ],
)
def test_the_weekly_day_is_zooms_number_of_the_local_weekday(moment: datetime, timezone: str, weekday: int) -> None:
    assert zoom_weekday(moment, timezone) == weekday


def test_the_start_is_sent_as_wall_time_in_the_class_timezone() -> None:
    assert local_start_time(datetime(2027, 10, 23, 8, 0, tzinfo=UTC), PARIS) == "2027-10-23T10:00:00"
    assert local_start_time(datetime(2027, 11, 6, 9, 0, tzinfo=UTC), PARIS) == "2027-11-06T10:00:00"


def test_a_one_session_class_is_a_plain_scheduled_meeting() -> None:
    body = create_meeting_body(art_class(weekly_sessions=1))

    assert body["type"] == 2
    assert "recurrence" not in body


@pytest.mark.parametrize(
    ("changes", "complaint"),
    [
        ({"topic": "  "}, "topic must not be empty"),
        ({"topic": "x" * 201}, "at most 200"),
        ({"start": datetime(2027, 10, 23, 10, 0)}, "timezone-aware"),
        ({"timezone": "Mars/Olympus"}, "unknown IANA timezone"),
        ({"duration_minutes": 0}, "duration_minutes"),
        ({"weekly_sessions": 51}, "weekly_sessions"),
        ({"agenda": "x" * 2001}, "at most 2000"),
    ],
)
def test_a_request_zoom_would_refuse_is_refused_before_sending(changes: dict[str, Any], complaint: str) -> None:
    with pytest.raises(ValueError, match=complaint):
        art_class(**changes)


def test_an_update_must_say_what_changes_and_in_which_timezone() -> None:
    with pytest.raises(ValueError, match="change something"):
        MeetingUpdate()
    with pytest.raises(ValueError, match="needs its timezone"):
        MeetingUpdate(start=SATURDAY_CLASS)


def test_links_and_passwords_stay_out_of_a_meetings_repr() -> None:
    meeting = Meeting(
        id="81234567890",
        uuid=None,
        topic="Art",
        type=2,
        start=SATURDAY_CLASS,
        duration=45,
        timezone=PARIS,
        agenda="",
        join_url="https://zoom.example/j/1?pwd=JOINSECRET",
        start_url="https://zoom.example/s/1?zak=STARTSECRET",
        password="PWSECRET",
    )

    assert not {"JOINSECRET", "STARTSECRET", "PWSECRET"} & set(repr(meeting).replace("'", " ").split())
    assert "SECRET" not in repr(meeting)


# --- users ----------------------------------------------------------------------------------------------


async def test_the_teacher_is_read_right_after_the_code_exchange(h: Harness) -> None:
    account = await h.teacher(licensed=True, email="ann@example.org")

    me = await h.client.get_me(account)

    fake_user = h.zoom.user("ann@example.org")
    assert (me.id, me.email, me.account_id) == (fake_user.id, "ann@example.org", fake_user.account_id)
    assert (me.licensed, me.timezone, me.first_name) == (True, fake_user.timezone, "Ann")
    assert account.licensed is True


async def test_a_refused_token_before_anything_is_stored_means_reconnect(h: Harness) -> None:
    with pytest.raises(ZoomReconnectNeeded) as raised:
        await h.client.get_me_with_token("not-a-token")

    assert raised.value.code == 124
    assert h.zoom.count("POST", "^/oauth/token$") == 0  # nothing to refresh with


# --- meetings -------------------------------------------------------------------------------------------


async def test_a_one_off_class_gets_a_kid_safe_meeting_zoom_accepts(h: Harness) -> None:
    account = await h.teacher()

    meeting = await h.client.create_meeting(account, art_class())

    assert h.zoom.calls[-1].status == 201  # the fake checks every request against Zoom's OpenAPI document
    assert meeting.id.isdigit()
    assert len(meeting.id) > 10  # int64 ids, kept as strings
    assert (meeting.type, meeting.duration, meeting.timezone) == (2, 45, PARIS)
    assert meeting.start == SATURDAY_CLASS.astimezone(UTC)
    assert meeting.start.tzinfo is UTC
    assert meeting.agenda.endswith("[classbot:42]")
    stored = h.zoom.meeting(int(meeting.id))
    assert stored.settings["waiting_room"] is True
    assert stored.settings["join_before_host"] is False
    assert stored.settings["mute_upon_entry"] is True
    assert stored.settings["approval_type"] == 2
    assert h.zoom.start_url_valid(meeting.start_url)


async def test_a_weekly_class_is_one_recurring_meeting_with_a_session_per_week(h: Harness) -> None:
    account = await h.teacher(licensed=True)

    meeting = await h.client.create_meeting(account, art_class(weekly_sessions=3, registration=True))

    assert meeting.type == 8
    local = [o.start.astimezone(ZoneInfo(PARIS)) for o in meeting.occurrences]
    # Every Saturday at 10:00 in Paris, across the end of summer time (08:00 UTC, then 09:00 UTC).
    assert [(t.date().isoformat(), t.strftime("%H:%M")) for t in local] == [
        ("2027-10-23", "10:00"),
        ("2027-10-30", "10:00"),
        ("2027-11-06", "10:00"),
    ]
    assert [o.start.hour for o in meeting.occurrences] == [8, 8, 9]
    assert all(o.duration == 45 and o.status == "available" for o in meeting.occurrences)
    sent = h.zoom.calls[-1].json
    assert isinstance(sent, dict)
    assert sent["recurrence"] == {"type": 2, "repeat_interval": 1, "weekly_days": "7", "end_times": 3}
    assert sent["start_time"] == "2027-10-23T10:00:00"
    assert h.zoom.meeting(int(meeting.id)).settings["approval_type"] == 0


async def test_each_get_hands_out_a_fresh_start_url(h: Harness) -> None:
    account = await h.teacher()
    created = await h.client.create_meeting(account, art_class())

    first = await h.client.get_meeting(account, created.id)
    second = await h.client.get_meeting(account, created.id)

    assert len({created.start_url, first.start_url, second.start_url}) == 3
    assert [s.url for s in h.zoom.start_urls(int(created.id))] == [
        created.start_url,
        first.start_url,
        second.start_url,
    ]
    assert first.join_url == created.join_url


async def test_an_update_patches_then_reads_the_meeting_back(h: Harness) -> None:
    account = await h.teacher()
    created = await h.client.create_meeting(account, art_class())
    h.zoom.clear_calls()
    later = SATURDAY_CLASS + timedelta(hours=2)

    updated = await h.client.update_meeting(
        account, created.id, MeetingUpdate(topic="Watercolour (moved)", start=later, timezone=PARIS)
    )

    assert [(c.method, c.status) for c in h.zoom.calls] == [("PATCH", 204), ("GET", 200)]
    assert h.zoom.calls[0].json == {
        "topic": "Watercolour (moved)",
        "timezone": PARIS,
        "start_time": "2027-10-23T12:00:00",
    }
    assert (updated.topic, updated.start) == ("Watercolour (moved)", later.astimezone(UTC))
    assert updated.duration == 45  # untouched fields stay
    assert h.zoom.start_url_valid(updated.start_url)


async def test_moving_a_weekly_class_moves_every_session(h: Harness) -> None:
    account = await h.teacher()
    created = await h.client.create_meeting(account, art_class(weekly_sessions=2))
    sunday = SATURDAY_CLASS + timedelta(days=1, hours=-1)

    updated = await h.client.update_meeting(
        account, created.id, MeetingUpdate(start=sunday, timezone=PARIS, weekly_sessions=2)
    )

    local = [o.start.astimezone(ZoneInfo(PARIS)) for o in updated.occurrences]
    assert [(t.strftime("%A %H:%M")) for t in local] == ["Sunday 09:00", "Sunday 09:00"]


async def test_deleting_a_meeting_that_is_already_gone_is_fine(h: Harness) -> None:
    account = await h.teacher()
    deleted_here = await h.client.create_meeting(account, art_class())
    deleted_in_zoom = await h.client.create_meeting(account, art_class())
    h.zoom.delete_meeting_out_of_band(int(deleted_in_zoom.id))

    await h.client.delete_meeting(account, deleted_here.id)
    await h.client.delete_meeting(account, deleted_here.id)
    await h.client.delete_meeting(account, deleted_in_zoom.id)

    assert h.zoom.meetings == {}
    assert h.zoom.count("DELETE") == 3
    with pytest.raises(ZoomNotFound) as raised:
        await h.client.get_meeting(account, deleted_in_zoom.id)
    assert (raised.value.status, raised.value.code) == (404, 3001)


async def test_a_meeting_in_progress_cannot_be_changed_or_deleted(h: Harness) -> None:
    account = await h.teacher()
    meeting = await h.client.create_meeting(account, art_class())
    h.zoom.start_meeting(int(meeting.id))

    with pytest.raises(ZoomMeetingLocked) as on_delete:
        await h.client.delete_meeting(account, meeting.id)
    with pytest.raises(ZoomMeetingLocked) as on_update:
        await h.client.update_meeting(account, meeting.id, MeetingUpdate(topic="Too late"))

    assert (on_delete.value.code, on_update.value.code) == (3002, 3000)


async def test_the_meeting_list_follows_every_page() -> None:
    with FakeZoom(daily_meeting_cap=400) as zoom:
        async with harness(zoom) as h:
            account = await h.teacher(licensed=True)
            requests = [art_class(topic=f"Class {n}", start=SATURDAY_CLASS + timedelta(days=n)) for n in range(301)]
            created = await asyncio.gather(*(h.client.create_meeting(account, r) for r in requests))
            h.zoom.clear_calls()

            listed = await h.client.list_meetings(account)

            assert sorted(m.id for m in listed) == sorted(m.id for m in created)
            assert [c.query.get("page_size") for c in h.zoom.calls] == ["300", "300"]
            assert "next_page_token" in h.zoom.calls[1].query
            assert all(m.agenda.endswith("[classbot:42]") and m.start is not None for m in listed)


async def test_a_meeting_id_that_is_not_a_number_is_refused_before_sending(h: Harness) -> None:
    account = await h.teacher()

    with pytest.raises(ValueError, match="digits"):
        await h.client.get_meeting(account, "123/registrants")
    assert h.zoom.count(path="/meetings/") == 0


# --- registrants ----------------------------------------------------------------------------------------


async def test_a_licensed_host_gives_each_parent_a_personal_link(h: Harness) -> None:
    account = await h.teacher(licensed=True)
    meeting = await h.client.create_meeting(account, art_class(weekly_sessions=4, registration=True))

    mum = await h.client.add_registrant(account, meeting.id, email="mum@example.org", first_name="Maria")
    dad = await h.client.add_registrant(account, meeting.id, email="dad@example.org", first_name="Dan", last_name="Ro")
    await h.client.cancel_registrant(account, meeting.id, registrant_id=dad.registrant_id, email="dad@example.org")

    assert mum.meeting_id == meeting.id
    assert None not in (mum.join_url, dad.join_url)
    assert len({mum.join_url, dad.join_url, meeting.join_url}) == 3
    statuses = {r.email: r.status for r in h.zoom.registrants(int(meeting.id))}
    assert statuses == {"mum@example.org": "approved", "dad@example.org": "cancelled"}


async def test_registrant_calls_on_a_deleted_meeting_say_the_meeting_is_gone(h: Harness) -> None:
    account = await h.teacher(licensed=True)
    meeting = await h.client.create_meeting(account, art_class(registration=True))
    mum = await h.client.add_registrant(account, meeting.id, email="mum@example.org", first_name="Maria")
    h.zoom.delete_meeting_out_of_band(int(meeting.id))

    with pytest.raises(ZoomNotFound) as cancelling:
        await h.client.cancel_registrant(account, meeting.id, registrant_id=mum.registrant_id, email="mum@example.org")
    with pytest.raises(ZoomNotFound) as adding:
        await h.client.add_registrant(account, meeting.id, email="dad@example.org", first_name="Dan")

    assert cancelling.value.meaning is adding.value.meaning is Meaning.MEETING_GONE
    assert (adding.value.status, adding.value.code) == (404, 300)  # what Zoom documents for registrants


async def test_a_basic_host_cannot_have_registrants(h: Harness) -> None:
    account = await h.teacher(licensed=False)
    meeting = await h.client.create_meeting(account, art_class(registration=True))

    with pytest.raises(ZoomRegistrationUnavailable) as raised:
        await h.client.add_registrant(account, meeting.id, email="mum@example.org", first_name="Maria")

    assert (raised.value.status, raised.value.code) == (400, 200)


async def test_a_meeting_without_registration_is_not_mistaken_for_a_missing_one(h: Harness) -> None:
    account = await h.teacher(licensed=True)
    meeting = await h.client.create_meeting(account, art_class(registration=False))

    with pytest.raises(ZoomRegistrationUnavailable) as raised:
        await h.client.add_registrant(account, meeting.id, email="mum@example.org", first_name="Maria")

    assert not isinstance(raised.value, ZoomNotFound)
    assert (raised.value.status, raised.value.code) == (404, 3000)


async def test_a_registrant_is_found_by_its_address_on_a_later_page() -> None:
    with FakeZoom() as zoom:
        async with harness(zoom) as h:
            account = await h.teacher(licensed=True)
            meeting = await h.client.create_meeting(account, art_class(registration=True))
            added = await asyncio.gather(
                *(
                    h.client.add_registrant(account, meeting.id, email=f"parent{n}@example.org", first_name="P")
                    for n in range(302)
                )
            )
            last = next(r for r in added if r.registrant_id == h.zoom.registrants(int(meeting.id))[-1].id)
            last_email = h.zoom.registrants(int(meeting.id))[-1].email
            h.zoom.clear_calls()

            found = await h.client.find_registrant(account, meeting.id, email=last_email.upper())
            missing = await h.client.find_registrant(account, meeting.id, email="nobody@example.org")

            assert found == last
            assert missing is None
            assert [(c.query.get("page_size"), "next_page_token" in c.query) for c in h.zoom.calls] == [
                ("300", False),
                ("300", True),
                ("300", False),
                ("300", True),
            ]


async def test_finding_a_registrant_stops_at_the_first_page_that_has_it(h: Harness) -> None:
    account = await h.teacher(licensed=True)
    meeting = await h.client.create_meeting(account, art_class(registration=True))
    mum = await h.client.add_registrant(account, meeting.id, email="mum@example.org", first_name="Maria")
    h.zoom.clear_calls()

    assert await h.client.find_registrant(account, meeting.id, email="mum@example.org") == mum
    assert h.zoom.count("GET", "/registrants$") == 1


async def test_a_token_granted_before_the_list_scope_finds_nothing_and_stays_connected(h: Harness) -> None:
    account = await h.teacher(licensed=True)
    meeting = await h.client.create_meeting(account, art_class(registration=True))
    await h.client.add_registrant(account, meeting.id, email="mum@example.org", first_name="Maria")
    older = [s for s in h.zoom.users[0].scopes if s != "meeting:read:list_registrants"]
    h.zoom.set_scopes(h.zoom.users[0], older)

    with pytest.raises(ZoomScopeMissing) as raised:
        await h.client.find_registrant(account, meeting.id, email="mum@example.org")

    assert (raised.value.status, raised.value.code) == (400, 4711)
    assert h.credentials.reconnects == []
    assert h.credentials.refreshes == 0
    assert (await h.client.get_meeting(account, meeting.id)).id == meeting.id  # everything else still works


# --- tokens ---------------------------------------------------------------------------------------------


async def test_a_token_that_expired_mid_call_is_refreshed_once(h: Harness) -> None:
    account = await h.teacher()
    meeting = await h.client.create_meeting(account, art_class())
    h.zoom.expire_access_tokens()
    h.zoom.clear_calls()

    fetched = await h.client.get_meeting(account, meeting.id)

    assert fetched.id == meeting.id
    assert h.credentials.refreshes == 1
    assert [(c.method, c.path, c.status) for c in h.zoom.calls] == [
        ("GET", f"/v2/meetings/{meeting.id}", 401),
        ("POST", "/oauth/token", 200),
        ("GET", f"/v2/meetings/{meeting.id}", 200),
    ]
    assert h.sleeps.waits == []


async def test_a_token_refused_again_after_a_refresh_means_reconnect(h: Harness) -> None:
    account = await h.teacher()
    h.zoom.fail_next(401, times=2, path="^/v2/")

    with pytest.raises(ZoomReconnectNeeded):
        await h.client.get_me(account)

    assert h.credentials.refreshes == 1
    assert h.zoom.count("GET", "^/v2/users/me$") == 2
    assert [cid for cid, _ in h.credentials.reconnects] == [account.connection_id]


async def test_missing_scopes_mean_reconnect_without_any_refresh(h: Harness) -> None:
    account = await h.teacher()
    h.zoom.set_scopes(h.zoom.users[0], ["user:read:user", "meeting:read:meeting"])

    with pytest.raises(ZoomReconnectNeeded) as raised:
        await h.client.create_meeting(account, art_class())

    assert raised.value.code == 4711
    assert h.credentials.refreshes == 0
    assert h.zoom.count("POST", "meetings") == 1
    [(connection_id, reason)] = h.credentials.reconnects
    assert connection_id == account.connection_id
    assert "does not contain scopes" in reason


# --- rate limits ----------------------------------------------------------------------------------------


async def test_a_per_second_429_without_retry_after_is_retried_after_a_backoff(h: Harness) -> None:
    account = await h.teacher()
    h.zoom.fail_next(429, times=2, method="POST", path="/meetings$")

    await h.client.create_meeting(account, art_class())

    assert h.sleeps.waits == BACKOFFS[:2]
    assert h.zoom.count("POST", "/meetings$") == 3
    assert len(h.zoom.meetings) == 1


async def test_a_429_waits_as_long_as_retry_after_says(h: Harness) -> None:
    account = await h.teacher()
    h.zoom.fail_next(429, retry_after=3, path="^/v2/users/me$")

    await h.client.get_me(account)

    assert h.sleeps.waits == [3.0]


async def test_a_429_asking_for_a_long_wait_is_left_to_the_callers_job(h: Harness) -> None:
    account = await h.teacher()
    h.zoom.fail_next(429, retry_after=120, path="^/v2/users/me$")

    with pytest.raises(ZoomRateLimited) as raised:
        await h.client.get_me(account)

    assert (raised.value.retry_after, raised.value.daily_cap) == (120.0, False)
    assert h.sleeps.waits == []
    assert h.zoom.count("GET", "^/v2/users/me$") == 1


@pytest.mark.parametrize("headers", ["documented", "observed"])
async def test_the_daily_cap_is_raised_at_once_with_the_wait_until_utc_midnight(
    headers: Literal["documented", "observed"],
) -> None:
    with FakeZoom(daily_meeting_cap=1, daily_cap_headers=headers) as zoom:
        async with harness(zoom) as h:
            account = await h.teacher()
            await h.client.create_meeting(account, art_class())

            with pytest.raises(ZoomRateLimited) as raised:
                await h.client.create_meeting(account, art_class())

            assert (raised.value.daily_cap, raised.value.retry_after) == (True, 30.0)
            assert h.zoom.count("POST", "/meetings$") == 2  # not retried
            assert h.sleeps.waits == []


async def test_the_client_paces_a_basic_host_under_zooms_per_second_limit(h: Harness) -> None:
    account = await h.teacher()
    meeting = await h.client.create_meeting(account, art_class())
    h.zoom.per_second_limit = 5  # Zoom Free allows 4 light calls a second; the fake refuses the 6th in a second
    paced = h.with_client(h.http, ZoomRateLimiter())
    h.zoom.clear_calls()

    await asyncio.gather(*(paced.get_meeting(account, meeting.id) for _ in range(8)))

    assert [c.status for c in h.zoom.calls] == [200] * 8


# --- Zoom failing ---------------------------------------------------------------------------------------


async def test_server_errors_are_retried_with_backoff_then_zoom_is_unavailable(h: Harness) -> None:
    account = await h.teacher()
    h.zoom.fail_next(503, times=10, path="^/v2/users/me$")

    with pytest.raises(ZoomUnavailable) as raised:
        await h.client.get_me(account)

    assert h.sleeps.waits == BACKOFFS
    assert h.zoom.count("GET", "^/v2/users/me$") == POLICY.max_attempts
    assert raised.value.status == 503
    assert "not JSON" in str(raised.value)  # the gateway's HTML page was read without failing


async def test_a_passing_outage_is_invisible_to_the_caller(h: Harness) -> None:
    account = await h.teacher()
    h.zoom.fail_next(502, times=2, path="^/v2/users/me$")

    me = await h.client.get_me(account)

    assert me.account_id == account.account_id
    assert h.sleeps.waits == BACKOFFS[:2]


@pytest.mark.parametrize("body", ["<html><body>Oops</body></html>", ""])
async def test_an_error_that_is_not_json_is_still_an_error_with_its_status(h: Harness, body: str) -> None:
    account = await h.teacher()
    h.zoom.fail_next(400, body=body, path="^/v2/users/me$")

    with pytest.raises(ZoomRequestRejected) as raised:
        await h.client.get_me(account)

    assert (raised.value.status, raised.value.code) == (400, None)
    assert "<html>" not in str(raised.value)


async def test_a_create_that_met_a_server_error_is_not_sent_again(h: Harness) -> None:
    account = await h.teacher()
    h.zoom.fail_next(500, method="POST", path="/meetings$")

    with pytest.raises(ZoomUnavailable):
        await h.client.create_meeting(account, art_class())

    assert h.zoom.count("POST", "/meetings$") == 1
    assert h.sleeps.waits == []


async def test_timeouts_are_retried_then_zoom_is_unavailable(h: Harness) -> None:
    account = await h.teacher()
    h.zoom.latency = 0.5
    async with httpx.AsyncClient(timeout=0.1) as impatient:
        with pytest.raises(ZoomUnavailable, match="ReadTimeout"):
            await h.with_client(impatient).get_me(account)

    assert h.sleeps.waits == BACKOFFS
    await wait_until(_calls_recorded(h.zoom, "^/v2/users/me$", 4), timeout=5, what="the four attempts to arrive")


async def test_a_timed_out_create_is_not_sent_again_because_zoom_may_have_made_it(h: Harness) -> None:
    account = await h.teacher()
    h.zoom.latency = 0.5
    async with httpx.AsyncClient(timeout=0.1) as impatient:
        with pytest.raises(ZoomUnavailable, match="ReadTimeout"):
            await h.with_client(impatient).create_meeting(account, art_class())

    await wait_until(_calls_recorded(h.zoom, "/meetings$", 1), timeout=5, what="the create to arrive")
    assert len(h.zoom.meetings) == 1  # Zoom did create it: the core finds it by its agenda marker
    assert h.zoom.count("POST", "/meetings$") == 1
    assert h.sleeps.waits == []


async def test_a_create_that_could_not_connect_is_retried(h: Harness) -> None:
    account = await h.teacher()
    unreachable = ZoomClient(
        ZoomTransport(
            h.http, "http://127.0.0.1:9/v2", h.credentials, retry=POLICY, limiter=_unlimited(), sleep=h.sleeps
        )
    )

    with pytest.raises(ZoomUnavailable, match="ConnectError"):
        await unreachable.create_meeting(account, art_class())

    assert h.sleeps.waits == BACKOFFS  # nothing reached Zoom, so retrying cannot duplicate


def _calls_recorded(zoom: FakeZoom, path: str, count: int) -> Callable[[], Awaitable[bool]]:
    async def reached() -> bool:
        return zoom.count(path=path) >= count

    return reached


# --- nothing secret in logs -----------------------------------------------------------------------------


async def test_a_run_full_of_failures_logs_no_token_and_no_link(h: Harness, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)  # every logger, httpx and httpcore included
    account = await h.teacher(licensed=True)
    meeting = await h.client.create_meeting(account, art_class(registration=True))
    mum = await h.client.add_registrant(account, meeting.id, email="mum@example.org", first_name="Maria")
    meeting_path = f"^/v2/meetings/{meeting.id}$"
    errors: list[ZoomError] = []

    async def attempt(call: Awaitable[object]) -> None:
        try:
            await call
        except ZoomError as error:
            errors.append(error)

    h.zoom.expire_access_tokens()
    await attempt(h.client.get_meeting(account, meeting.id))  # 401, refresh, retry
    h.zoom.fail_next(429, path=meeting_path)
    await attempt(h.client.get_meeting(account, meeting.id))  # per-second 429, backoff
    h.zoom.fail_next(502, times=4, path=meeting_path)
    await attempt(h.client.get_meeting(account, meeting.id))  # HTML 502s until ZoomUnavailable
    await attempt(h.client.delete_meeting(account, "1"))  # 404, already gone
    for _ in range(3):  # Zoom takes a registrant's e-mail 3 times a day; the 4th is a 429 naming it
        await attempt(h.client.add_registrant(account, meeting.id, email="mum@example.org", first_name="Maria"))
    h.zoom.fail_next(400, body="<html>Bad request</html>", path="^/v2/users/me$")
    await attempt(h.client.get_me(account))
    h.zoom.fail_next(401, times=2, path="^/v2/users/me$")
    await attempt(h.client.get_me(account))

    assert [type(e) for e in errors] == [ZoomUnavailable, ZoomRateLimited, ZoomRequestRejected, ZoomReconnectNeeded]
    stored = h.zoom.meeting(int(meeting.id))
    issued = h.zoom.start_urls(int(meeting.id))
    secrets = [
        *h.credentials.issued,
        *(s.url for s in issued),
        *(s.zak for s in issued),
        meeting.join_url,
        stored.encrypted_password,
        stored.password,
        str(mum.join_url),
    ]
    texts = [caplog.text, *(str(e) for e in errors)]
    assert [secret for secret in secrets for text in texts if secret in text] == []
    assert "bearer" not in caplog.text.lower()
    assert "mum@example.org" not in " ".join(texts)  # Zoom's registrant-cap message names her: blanked
    assert "Zoom GET /meetings/{meetingId} answered 502 code=None tracking_id=v=2.0;clid=" in caplog.text
