"""The one request loop behind every Zoom call: rate limit, bearer token, refresh, retries, errors.

For each request ``ZoomTransport.send``:

1. waits for a slot in the account's rate-limit bucket (``ZoomRateLimiter``);
2. sends with the teacher's bearer token (``ZoomCredentials``);
3. reads an error answer's meaning from the one table of Zoom's codes (``bot.zoom.answers``) and settles here
   what can be settled within the call:
   - a refused token (401, code 124): refresh once and send once more; refused again, the teacher must
     reconnect. An authorization that is gone (missing scopes 4700/4711, the Zoom user gone 1001/1010) means
     "reconnect needed" at once: refreshing cannot help. The exception is a call marked ``newer_scope``: its
     scope came after teachers connected, so a token without it raises ``ZoomScopeMissing`` and the
     connection stays as it is (everything the teacher authorized still works);
   - a per-second 429: wait ``Retry-After`` (or a backoff) and retry, unless the wait exceeds
     ``RetryPolicy.max_inline_wait`` (then ``ZoomRateLimited`` lets the caller's durable job retry later). On a
     daily cap it raises ``ZoomRateLimited(daily_cap=True)`` at once: nothing helps before 00:00 UTC;
   - 5xx, timeouts and connection errors: back off with full jitter and retry, then raise ``ZoomUnavailable``;
4. raises anything else as the ``ZoomError`` of its meaning, for the core to act on. A code the table does not
   know is logged as such, with Zoom's tracking id.

Creating a meeting is not idempotent, and a create that timed out or met a 5xx may have created the meeting
anyway. Retrying it here would then make a second one, and the lookup that prevents this (the core finds its
meeting by a marker in the agenda before creating again) runs in the core, not between retries here. So a call
marked ``replay_safe=False`` is retried inline only when Zoom surely did not act on it: the connection was never
made, or Zoom refused it (429, 401). Any other failure raises ``ZoomUnavailable`` at once, and the core's durable
job does its lookup before creating again.

The refresh lives in this loop rather than in an ``httpx.Auth`` flow because it shares the retry budget, the
limiter slot and the "reconnect needed" bookkeeping with the rest of the loop.

Tokens, links and passwords never reach a log line or an error message: logs name the operation by its path
template, the status, Zoom's code and its ``x-zm-trackingid``.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TypeVar

import httpx

from bot.support.metrics import Metrics
from bot.zoom.answers import Meaning, ZoomCall, call_named
from bot.zoom.credentials import ZoomAccount, ZoomCredentials
from bot.zoom.error_responses import ZoomErrorAnswer, seconds_until_utc_midnight
from bot.zoom.errors import ZoomRateLimited, ZoomReconnectNeeded, ZoomScopeMissing, ZoomUnavailable
from bot.zoom.payloads import JSONObject, UnexpectedPayload
from bot.zoom.ratelimit import RateCategory, ZoomRateLimiter
from bot.zoom.retry import RetryPolicy

logger = logging.getLogger(__name__)

T = TypeVar("T")

# Failures in which the request never left this process: safe to retry even a create.
_UNSENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)
# Zoom's codes for a token that lacks the scope of the call (answers.py: 4700, 4711).
_SCOPE_CODES = (4700, 4711)


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class ApiCall:
    """One Zoom operation: ``template`` names it in logs and errors, ``path`` is what is sent."""

    method: str
    template: str
    path: str
    category: RateCategory
    replay_safe: bool = True
    params: Mapping[str, str] | None = None
    body: JSONObject | None = None
    # The call's scope was added after teachers connected: its absence is ``ZoomScopeMissing``, not a broken
    # connection (tokens granted earlier lack it until the teacher connects again).
    newer_scope: bool = False

    @property
    def operation(self) -> str:
        return f"{self.method} {self.template}"

    @property
    def zoom_call(self) -> ZoomCall:
        return call_named(self.operation)


class ZoomTransport:
    """Sends ``ApiCall``s to Zoom for a teacher's account, or with a bare token before one is stored."""

    def __init__(
        self,
        http: httpx.AsyncClient,
        api_url: str,
        credentials: ZoomCredentials,
        *,
        retry: RetryPolicy,
        limiter: ZoomRateLimiter | None,
        sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
        clock: Callable[[], datetime] = utc_now,
        metrics: Metrics | None = None,
    ) -> None:
        self._metrics = metrics
        self._http = http
        self._api_url = api_url.rstrip("/")
        self._credentials = credentials
        self._retry = retry
        self._limiter = limiter
        self._sleep = sleep
        self._clock = clock

    async def send(self, account: ZoomAccount, call: ApiCall) -> httpx.Response:
        """The successful answer to ``call`` made as ``account``, or the ``ZoomError`` it came to."""
        token = await self._credentials.access_token(account.connection_id)
        return await self._exchange(call, account, token)

    async def send_with_token(self, access_token: str, call: ApiCall) -> httpx.Response:
        """Like ``send`` with a token that is not stored yet: no refresh, no bucket, no bookkeeping."""
        return await self._exchange(call, None, access_token)

    async def _exchange(self, call: ApiCall, account: ZoomAccount | None, token: str) -> httpx.Response:
        """Send ``call`` until it succeeds or fails for good. ``account`` is None for a token not yet stored."""
        refreshed = False
        failures = 0
        while True:
            if account is not None and self._limiter is not None:
                await self._limiter.acquire(account, call.category)
            try:
                response = await self._http.request(
                    call.method,
                    f"{self._api_url}{call.path}",
                    params=call.params,
                    json=call.body,
                    headers={"Authorization": f"Bearer {token}", "Accept": "application/json"},
                )
            except httpx.TransportError as exc:  # timeouts included
                failures += 1
                why = type(exc).__name__
                if (call.replay_safe or isinstance(exc, _UNSENT)) and self._retry.allows_retry(failures):
                    await self._back_off(call, failures, self._retry.backoff(failures), why)
                    continue
                logger.warning("Zoom %s failed: %s (attempt %d)", call.operation, why, failures)
                raise ZoomUnavailable(f"{call.operation}: {why} after {failures} attempt(s)") from exc

            if self._metrics is not None:
                self._metrics.count(
                    "classbot_zoom_calls_total", endpoint=call.operation, status=str(response.status_code)
                )
            if response.is_success:
                return response
            answer = ZoomErrorAnswer.read(response, call.zoom_call)
            meaning = answer.meaning
            if self._metrics is not None:
                self._metrics.count("classbot_zoom_errors_total", endpoint=call.operation, code=str(answer.code))

            if meaning is Meaning.TOKEN_REFUSED and account is not None and not refreshed:
                self._log_answer(call, answer, logging.INFO, "refreshing the token once")
                token = await self._credentials.refresh_after_rejection(account.connection_id, token)
                refreshed = True
                continue
            if meaning is Meaning.AUTHORIZATION_GONE and call.newer_scope and answer.code in _SCOPE_CODES:
                self._log_answer(call, answer, logging.INFO, "a scope granted only on a newer connect: done without")
                raise ZoomScopeMissing(
                    f"{call.operation}: {answer.message}",
                    status=answer.status,
                    code=answer.code,
                    tracking_id=answer.tracking_id,
                )
            if meaning in (Meaning.TOKEN_REFUSED, Meaning.AUTHORIZATION_GONE):
                self._log_answer(call, answer, logging.WARNING)
                reason = f"Zoom refused the authorization for {call.operation}: {answer.message}"
                if account is not None:
                    await self._credentials.reconnect_needed(account.connection_id, reason)
                raise ZoomReconnectNeeded(
                    reason,
                    status=answer.status,
                    code=answer.code,
                    tracking_id=answer.tracking_id,
                    meaning=Meaning.AUTHORIZATION_GONE,
                )

            if meaning is Meaning.RATE_LIMITED:
                failures += 1
                wait = self._rate_limit_wait(call, answer, failures)
                await self._back_off(call, failures, wait, f"429 code={answer.code}")
                continue

            if meaning is Meaning.TRANSIENT and call.replay_safe and self._retry.allows_retry(failures + 1):
                failures += 1
                await self._back_off(call, failures, self._retry.backoff(failures), f"HTTP {answer.status}")
                continue

            if meaning is Meaning.UNKNOWN:
                self._log_answer(call, answer, logging.WARNING, "a code ClassBot does not know: tried again later")
            else:
                quiet = meaning in (Meaning.MEETING_GONE, Meaning.NO_REGISTRATION)
                self._log_answer(call, answer, logging.INFO if quiet else logging.WARNING)
            raise answer.to_error(call.operation)

    def _rate_limit_wait(self, call: ApiCall, answer: ZoomErrorAnswer, failures: int) -> float:
        """How long to wait before retrying a 429, or raise ``ZoomRateLimited`` if not here and now."""
        now = self._clock()
        if answer.daily_cap:
            self._log_answer(call, answer, logging.WARNING, "daily cap: not retried before 00:00 UTC")
            raise ZoomRateLimited(
                f"{call.operation}: {answer.message}",
                retry_after=seconds_until_utc_midnight(now),
                daily_cap=True,
                status=answer.status,
                code=answer.code,
                tracking_id=answer.tracking_id,
            )
        wait = answer.wait_seconds(now)
        if wait is None:  # Zoom often sends no Retry-After with a per-second 429
            wait = self._retry.backoff(failures)
        if wait > self._retry.max_inline_wait or not self._retry.allows_retry(failures):
            self._log_answer(call, answer, logging.WARNING, f"rate limited for {wait:.1f}s: left to the caller")
            raise ZoomRateLimited(
                f"{call.operation}: {answer.message}",
                retry_after=wait,
                status=answer.status,
                code=answer.code,
                tracking_id=answer.tracking_id,
            )
        return wait

    async def _back_off(self, call: ApiCall, failures: int, wait: float, why: str) -> None:
        logger.warning(
            "Zoom %s failed (%s); retry %d of %d in %.2fs",
            call.operation,
            why,
            failures,
            self._retry.max_attempts - 1,
            wait,
        )
        await self._sleep(wait)

    @staticmethod
    def _log_answer(call: ApiCall, answer: ZoomErrorAnswer, level: int, outcome: str = "") -> None:
        logger.log(
            level,
            "Zoom %s answered %d code=%s tracking_id=%s: %s%s",
            call.operation,
            answer.status,
            answer.code,
            answer.tracking_id,
            answer.message,
            f" ({outcome})" if outcome else "",
        )


def read_answer(call: ApiCall, response: httpx.Response, reader: Callable[[Any], T]) -> T:
    """Turn a success answer into our model; a malformed one is Zoom not answering usefully."""
    try:
        data = response.json()
        if not isinstance(data, dict):
            raise UnexpectedPayload("the answer is not a JSON object")
        return reader(data)
    except ValueError as exc:  # JSON decoding errors and UnexpectedPayload alike
        tracking_id = response.headers.get("x-zm-trackingid")
        logger.warning(
            "Zoom %s answered %d with an unexpected body (tracking_id=%s): %s",
            call.operation,
            response.status_code,
            tracking_id,
            exc if isinstance(exc, UnexpectedPayload) else "not JSON",
        )
        raise ZoomUnavailable(
            f"{call.operation}: unexpected answer", status=response.status_code, tracking_id=tracking_id
        ) from None
