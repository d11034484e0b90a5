"""When the Zoom client waits, for how long, and what it makes of Zoom's error answers (no server needed)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta, timezone

import httpx
import pytest

from bot.zoom.answers import Meaning, ZoomCall
from bot.zoom.credentials import ZoomAccount
from bot.zoom.error_responses import ZoomErrorAnswer, parse_retry_after, safe_message, seconds_until_utc_midnight
from bot.zoom.errors import (
    ZoomMeetingLocked,
    ZoomNotFound,
    ZoomRegistrationUnavailable,
    ZoomRequestRejected,
    ZoomUnavailable,
)
from bot.zoom.ratelimit import RateCategory, ZoomRateLimiter
from bot.zoom.retry import RetryPolicy

NOW = datetime(2025, 3, 14, 23, 59, 30, tzinfo=UTC)
ALMOST_ONE = 0.999999


# --- backoff --------------------------------------------------------------------------------------------


def test_backoff_doubles_from_the_base_up_to_the_cap() -> None:
    policy = RetryPolicy(base_delay=0.5, max_delay=3.0, jitter=lambda: ALMOST_ONE)

    ceilings = [policy.backoff(n) / ALMOST_ONE for n in range(1, 7)]

    assert ceilings == pytest.approx([0.5, 1.0, 2.0, 3.0, 3.0, 3.0])


def test_full_jitter_can_wait_not_at_all() -> None:
    assert RetryPolicy(jitter=lambda: 0.0).backoff(3) == 0.0


def test_default_jitter_stays_below_each_ceiling() -> None:
    policy = RetryPolicy(base_delay=1.0, max_delay=4.0)

    waits = [policy.backoff(3) for _ in range(200)]

    assert all(0.0 <= wait < 4.0 for wait in waits)
    assert len(set(waits)) > 100  # spread out, not one value


def test_a_very_long_retry_budget_does_not_overflow() -> None:
    assert RetryPolicy(max_delay=8.0, jitter=lambda: 0.5).backoff(5000) == 4.0


def test_max_attempts_counts_the_first_request() -> None:
    policy = RetryPolicy(max_attempts=3)

    assert [policy.allows_retry(failed) for failed in (1, 2, 3)] == [True, True, False]


@pytest.mark.parametrize(
    "kwargs",
    [{"max_attempts": 0}, {"base_delay": -1.0}, {"base_delay": 5.0, "max_delay": 1.0}, {"max_inline_wait": -1.0}],
)
def test_nonsense_policies_are_refused(kwargs: dict[str, float]) -> None:
    with pytest.raises(ValueError, match=r"must|need"):
        RetryPolicy(**kwargs)  # type: ignore[arg-type]


# --- Retry-After and the daily reset --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("7", 7.0),
        ("1.5", 1.5),
        ("-3", 0.0),
        ("Sat, 15 Mar 2025 00:00:00 GMT", 30.0),  # an HTTP date
        ("2025-03-15T00:00:00Z", 30.0),  # the ISO form shown on Zoom's rate-limit page
        ("2025-03-14T23:00:00Z", 0.0),  # already past
        (None, None),
        ("", None),
        ("soon", None),
    ],
)
def test_retry_after_is_read_in_every_form_zoom_uses(header: str | None, expected: float | None) -> None:
    assert parse_retry_after(header, NOW) == expected


def test_the_daily_cap_lifts_at_the_next_utc_midnight() -> None:
    assert seconds_until_utc_midnight(NOW) == 30.0
    assert seconds_until_utc_midnight(datetime(2025, 3, 15, tzinfo=UTC)) == 86400.0
    # An aware time in another zone is the same instant: 01:59:30 in UTC+2 is 23:59:30 UTC.
    assert seconds_until_utc_midnight(NOW.astimezone(timezone(timedelta(hours=2)))) == 30.0


# --- reading error answers ------------------------------------------------------------------------------


def _answer(
    status: int,
    *,
    json: object = None,
    text: str | None = None,
    call: ZoomCall = ZoomCall.MEETING_DELETE,
    **headers: str,
) -> ZoomErrorAnswer:
    if json is not None:
        response = httpx.Response(status, json=json, headers=headers)
    else:
        response = httpx.Response(status, text=text or "", headers=headers)
    return ZoomErrorAnswer.read(response, call)


def test_a_json_error_gives_code_message_and_tracking_id() -> None:
    answer = _answer(
        404,
        json={"code": 3001, "message": "Meeting 123 is not found or has expired."},
        **{"x-zm-trackingid": "v=2.0;clid=us06;rid=WEB_abc"},
    )

    assert (answer.status, answer.code, answer.tracking_id) == (404, 3001, "v=2.0;clid=us06;rid=WEB_abc")
    assert answer.message == "Meeting 123 is not found or has expired."


def test_an_html_gateway_page_is_read_without_failing() -> None:
    answer = _answer(502, text="<html><body><h1>502 Bad Gateway</h1></body></html>")

    assert answer.code is None
    assert answer.message == "Bad Gateway (the answer was not JSON)"
    assert "<html>" not in answer.message
    assert isinstance(answer.to_error("GET /users/me"), ZoomUnavailable)


def test_an_empty_error_body_is_read_without_failing() -> None:
    answer = _answer(503)

    assert (answer.code, answer.message) == (None, "Service Unavailable")


def test_a_json_body_that_is_not_an_object_is_ignored() -> None:
    assert _answer(400, json=["odd"]).code is None


def test_links_tokens_and_addresses_in_a_message_are_blanked() -> None:
    message = safe_message(
        "bad https://zoom.us/s/123?zak=eyJabc.def.ghi and eyJhbGciOi.eyJzdWIi.c2ln for mum+kid@example.co.uk"
    )

    assert message == "bad <link> and <token> for <email>"
    assert len(safe_message("x" * 5000)) == 300


@pytest.mark.parametrize(
    ("answer", "daily"),
    [
        (
            _answer(
                429,
                json={
                    "code": 429,
                    "message": "You have exceeded the daily rate limit (100) of Meeting Create/Update API "
                    "requests permitted for this particular user. You may resume these requests at GMT 00:00:00.",
                },
            ),
            True,
        ),
        (_answer(429, json={"code": 429, "message": "Too many requests"}, **{"x-ratelimit-type": "Daily-limit"}), True),
        (
            _answer(
                429,
                json={"code": 429, "message": "You have reached the maximum per-second rate limit for this API."},
                **{"x-ratelimit-type": "QPS"},
            ),
            False,
        ),
        (_answer(429), False),
        (_answer(400, json={"code": 300, "message": "daily something"}), False),
    ],
)
def test_the_daily_cap_is_told_from_the_per_second_limit(answer: ZoomErrorAnswer, daily: bool) -> None:
    assert answer.daily_cap is daily


def test_scopes_and_expired_tokens_are_told_apart() -> None:
    expired = _answer(401, json={"code": 124, "message": "Invalid access token."})
    narrow = _answer(400, json={"code": 4711, "message": "Invalid access token, does not contain scopes:[x]."})

    assert expired.meaning is Meaning.TOKEN_REFUSED  # a refresh may help
    assert narrow.meaning is Meaning.AUTHORIZATION_GONE  # only a new authorization helps
    assert _answer(401, json={"code": 4700, "message": "x"}).meaning is Meaning.AUTHORIZATION_GONE
    assert _answer(401).meaning is Meaning.TOKEN_REFUSED  # a gateway's bare 401 means the same as 124


_ADD = ZoomCall.REGISTRANT_ADD


@pytest.mark.parametrize(
    ("status", "body", "error", "call"),
    [
        (404, {"code": 3001, "message": "Meeting is not found or has expired."}, ZoomNotFound, None),
        (404, None, ZoomNotFound, None),
        (
            404,
            {"code": 3000, "message": "Registration has not been enabled for this meeting: 1."},
            ZoomRegistrationUnavailable,
            _ADD,
        ),
        (404, {"code": 300, "message": 'Meeting "1" not found or has expired.'}, ZoomNotFound, _ADD),
        (400, {"code": 3001, "message": "Meeting is not found or has expired."}, ZoomNotFound, None),
        (
            400,
            {"code": 3002, "message": "Sorry, you cannot delete this meeting since it is in progress."},
            ZoomMeetingLocked,
            None,
        ),
        (
            400,
            {"code": 3007, "message": "Sorry, you cannot delete this meeting since it has ended."},
            ZoomMeetingLocked,
            None,
        ),
        (
            400,
            {"code": 3000, "message": "You cannot update or delete meetings that have started using this method."},
            ZoomMeetingLocked,
            None,
        ),
        (400, {"code": 3000, "message": "Cannot access meeting information."}, ZoomNotFound, None),
        (400, {"code": 3000, "message": "Invalid occurrence_id."}, ZoomRequestRejected, None),
        (400, {"code": 200, "message": "Only available for Paid user: abc"}, ZoomRegistrationUnavailable, _ADD),
        (400, {"code": 300, "message": "Validation Failed."}, ZoomRequestRejected, None),
        (500, {"code": 500, "message": "Internal error"}, ZoomUnavailable, None),
    ],
)
def test_each_final_answer_becomes_its_error(
    status: int, body: object, error: type[Exception], call: ZoomCall | None
) -> None:
    call = call or ZoomCall.MEETING_DELETE
    answer = _answer(status, json=body, call=call) if body is not None else _answer(status, call=call)

    raised = answer.to_error("DELETE /meetings/{meetingId}")

    assert type(raised) is error
    assert str(raised).startswith("DELETE /meetings/{meetingId}: ")
    assert (raised.status, raised.code, raised.meaning) == (status, answer.code, answer.meaning)


# --- the client-side limiter ----------------------------------------------------------------------------

BASIC = ZoomAccount(connection_id=1, account_id="acct-basic", licensed=False)
OTHER_BASIC = ZoomAccount(connection_id=2, account_id="acct-other", licensed=False)
LICENSED = ZoomAccount(connection_id=3, account_id="acct-pro", licensed=True)


async def _acquired_at_once(limiter: ZoomRateLimiter, account: ZoomAccount, category: RateCategory) -> bool:
    """Whether a slot is granted without waiting for the bucket to drain (one event-loop turn is allowed)."""
    try:
        await asyncio.wait_for(limiter.acquire(account, category), timeout=0.01)
    except TimeoutError:
        return False
    return True


@pytest.mark.parametrize(
    ("account", "category", "spacing"),
    [
        (BASIC, RateCategory.LIGHT, 1 / 4),
        (BASIC, RateCategory.MEDIUM, 1 / 2),
        (LICENSED, RateCategory.LIGHT, 1 / 30),
        (LICENSED, RateCategory.MEDIUM, 1 / 20),
    ],
    ids=["free-light", "free-medium", "pro-light", "pro-medium"],
)
async def test_calls_are_evenly_spaced_at_the_plan_rate(
    account: ZoomAccount, category: RateCategory, spacing: float
) -> None:
    limiter = ZoomRateLimiter()
    loop = asyncio.get_running_loop()
    started = loop.time()

    for _ in range(3):
        await limiter.acquire(account, category)

    # The first call goes at once, each next one a full interval later: never a burst above the limit.
    assert 2 * spacing * 0.95 <= loop.time() - started <= 2 * spacing + 0.2


async def test_the_first_call_of_a_bucket_waits_for_nothing() -> None:
    limiter = ZoomRateLimiter()

    assert [await _acquired_at_once(limiter, BASIC, RateCategory.MEDIUM) for _ in range(2)] == [True, False]


async def test_light_and_medium_calls_have_separate_buckets() -> None:
    limiter = ZoomRateLimiter()
    await limiter.acquire(BASIC, RateCategory.MEDIUM)

    assert await _acquired_at_once(limiter, BASIC, RateCategory.LIGHT)


async def test_one_busy_account_does_not_slow_another() -> None:
    limiter = ZoomRateLimiter()
    await limiter.acquire(BASIC, RateCategory.MEDIUM)

    assert await _acquired_at_once(limiter, OTHER_BASIC, RateCategory.MEDIUM)


async def test_an_upgrade_takes_effect_on_the_next_call() -> None:
    limiter = ZoomRateLimiter()
    await limiter.acquire(BASIC, RateCategory.MEDIUM)
    upgraded = ZoomAccount(connection_id=1, account_id="acct-basic", licensed=True)

    assert await _acquired_at_once(limiter, upgraded, RateCategory.MEDIUM)


async def test_limiters_share_no_state() -> None:
    first, second = ZoomRateLimiter(), ZoomRateLimiter()
    await first.acquire(BASIC, RateCategory.MEDIUM)

    assert await _acquired_at_once(second, BASIC, RateCategory.MEDIUM)


def test_a_limit_table_must_cover_every_plan_and_category() -> None:
    with pytest.raises(ValueError, match="no limit given"):
        ZoomRateLimiter({(False, RateCategory.LIGHT): 1})
    with pytest.raises(ValueError, match="positive"):
        ZoomRateLimiter({(licensed, category): 0 for licensed in (False, True) for category in RateCategory})
