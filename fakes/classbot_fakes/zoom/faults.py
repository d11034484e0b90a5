"""Failures on demand: scripted faults, random 5xx/429 rates, and Zoom's per-second limit.

Zoom's 429s come in two kinds (developers.zoom.us "Rate limits", and devforum reports):
- per second: ``{"code":429,"message":"You have reached the maximum per-second rate limit for this API. Try
  again later."}`` with ``X-RateLimit-Category``, ``X-RateLimit-Type: QPS``, ``X-RateLimit-Limit`` and
  ``X-RateLimit-Remaining`` but no ``Retry-After``;
- daily (see ``daily_cap_response``): ``X-RateLimit-Type: Daily-limit`` and ``Retry-After`` as an ISO date-time
  of the next 00:00 UTC in the documentation, while users reported the per-host meeting cap without either.
Gateway errors (502, 503, 504) answer HTML, not JSON.

A fault strikes before the request runs (Zoom refused it: nothing happened) or ``after`` it (the meeting was
created, the registrant added, the meeting deleted, and then the gateway answered 502 or the connection died):
the second kind is what makes a client that retries blindly create a second meeting. ``status=DROPPED`` answers
nothing at all: the connection is closed after ``delay`` seconds, which a client sees as a timeout when the delay
exceeds its read timeout, or as a dropped connection otherwise; either way it cannot know whether Zoom acted.
"""

from __future__ import annotations

import json
import random
import re
import time
from collections import deque
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from http import HTTPStatus

from ..dropped import DROPPED

PER_SECOND_MESSAGE = "You have reached the maximum per-second rate limit for this API. Try again later."
DAILY_CAP_MESSAGE = (
    "You have exceeded the daily rate limit ({cap}) of Meeting Create/Update API requests permitted for this "
    "particular user. You may resume these requests at GMT 00:00:00."
)
# Calls that change something at Zoom: only these can fail after their effect in a way a client must care about.
MUTATING = frozenset({"POST", "PUT", "PATCH", "DELETE"})


@dataclass(frozen=True, slots=True)
class FaultResponse:
    status: int
    body: bytes
    content_type: str
    headers: dict[str, str]


@dataclass(slots=True)
class Fault:
    """A canned answer for the next ``remaining`` requests matching ``method`` and the ``path`` regex."""

    status: int
    remaining: int
    method: str | None = None
    path: re.Pattern[str] | None = None
    retry_after: float | str | None = None
    body: dict[str, object] | str | None = None
    delay: float | None = None
    after: bool = False  # the request runs first; this answer replaces Zoom's

    @property
    def label(self) -> str:
        """How the transcript names it: "before 502", "after dropped"."""
        return f"{'after' if self.after else 'before'} {self.status or 'dropped'}"

    def matches(self, method: str, path: str) -> bool:
        if self.method is not None and self.method.upper() != method.upper():
            return False
        return self.path is None or self.path.search(path) is not None

    def response(self, category: str) -> FaultResponse:
        headers: dict[str, str] = {}
        if self.status == 429 and self.body is None:
            headers |= qps_headers(category, limit=30)
        if self.retry_after is not None:
            headers["Retry-After"] = str(self.retry_after)
        body = self.body if self.body is not None else default_body(self.status)
        if isinstance(body, str):
            return FaultResponse(self.status, body.encode(), "text/html; charset=utf-8", headers)
        return FaultResponse(self.status, json.dumps(body).encode(), "application/json;charset=UTF-8", headers)


def default_body(status: int) -> dict[str, object] | str:
    """What Zoom would most plausibly send with ``status`` when the test did not say."""
    if status in (502, 503, 504):
        phrase = f"{status} {HTTPStatus(status).phrase}"
        return f"<html><head><title>{phrase}</title></head><body><center><h1>{phrase}</h1></center></body></html>"
    if status == 429:
        return {"code": 429, "message": PER_SECOND_MESSAGE}
    if status == 401:
        return {"code": 124, "message": "Invalid access token."}
    phrase = HTTPStatus(status).phrase if status in HTTPStatus._value2member_map_ else "Error"
    return {"code": status, "message": f"{phrase}."}


def qps_headers(category: str, *, limit: int) -> dict[str, str]:
    return {
        "X-RateLimit-Category": category,
        "X-RateLimit-Type": "QPS",
        "X-RateLimit-Limit": str(limit),
        "X-RateLimit-Remaining": "0",
    }


def next_utc_midnight(now: datetime) -> datetime:
    today = now.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    return today + timedelta(days=1)


class FaultPlan:
    """Scripted faults first, in the order given; then the random rates."""

    def __init__(self) -> None:
        self._scripted: list[Fault] = []
        self._rng = random.Random(0)
        self.server_error_rate = 0.0
        self.rate_limited_rate = 0.0
        self.after_effect_rate = 0.0

    def add(self, fault: Fault) -> None:
        self._scripted.append(fault)

    def set_rates(self, *, server_error: float, rate_limited: float, seed: int, after_effect: float = 0.0) -> None:
        """``after_effect``: the share of changing API calls (POST, PUT, PATCH, DELETE under /v2) that run and
        then answer a gateway 502 or drop the connection (half each).

        The token endpoint gets only the faults before the effect at random: a refresh whose answer is lost has
        already rotated the refresh token, which leaves any client with a dead one (Zoom's design; the teacher
        must connect again). That is a scripted case of its own (``fail_next``), not noise for a soak.
        """
        rates = (server_error, rate_limited, after_effect)
        if not (min(rates) >= 0.0 and sum(rates) <= 1.0):
            raise ValueError("fault rates must be probabilities whose sum is at most 1")
        self.server_error_rate, self.rate_limited_rate, self.after_effect_rate = rates
        self._rng = random.Random(seed)

    def clear(self) -> None:
        self._scripted.clear()
        self.server_error_rate = self.rate_limited_rate = self.after_effect_rate = 0.0

    def take(self, method: str, path: str) -> Fault | None:
        for fault in self._scripted:
            if fault.matches(method, path):
                fault.remaining -= 1
                if fault.remaining <= 0:
                    self._scripted.remove(fault)
                return fault
        if self.server_error_rate or self.rate_limited_rate or self.after_effect_rate:
            draw = self._rng.random()
            if draw < self.server_error_rate:
                return Fault(status=self._rng.choice((500, 502, 503, 504)), remaining=1)
            if draw < self.server_error_rate + self.rate_limited_rate:
                return Fault(status=429, remaining=1)
            after = self.server_error_rate + self.rate_limited_rate + self.after_effect_rate
            if draw < after and method.upper() in MUTATING and path.startswith("/v2/"):
                return Fault(status=self._rng.choice((502, DROPPED)), remaining=1, after=True)
        return None


class PerSecondLimiter:
    """Counts requests per account over the last second of real (monotonic) time."""

    def __init__(self) -> None:
        self._hits: dict[str, deque[float]] = {}

    def allow(self, account_id: str, limit: int) -> bool:
        now = time.monotonic()
        hits = self._hits.setdefault(account_id, deque())
        while hits and now - hits[0] >= 1.0:
            hits.popleft()
        if len(hits) >= limit:
            return False
        hits.append(now)
        return True
