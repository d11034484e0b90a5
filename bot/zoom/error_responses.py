"""Reading Zoom's error answers: what went wrong, whether trying again can help, and which ``ZoomError`` it is.

Zoom answers errors with ``{"code": int, "message": str}`` (validation errors add ``errors[]``), but gateways
in front of it answer 502/504 with HTML or nothing at all, so every field here is optional and reading never
fails. The ``x-zm-trackingid`` header is kept: it is what Zoom's support asks for.

Codes that change what the client does (from Zoom's API reference, its error-code and OAuth-error pages and its
developer forum):

- 401 with code 124 "Invalid access token": the token expired or was revoked → refresh once, retry once (any
  401 without a scope code is read so: a gateway's bare 401 means the same).
- 4700 / 4711 "Invalid access token, does not contain scopes": the grant is too narrow → reconnect, no refresh.
- 429 "You have exceeded the daily rate limit (100) of Meeting Create/Update API requests … resume … at GMT
  00:00:00", sometimes with ``X-RateLimit-Type: Daily-limit``, often with no ``Retry-After``: a daily cap.
- 404, or code 3001 "Meeting … is not found or has expired": the meeting is gone. Except 404 with code 3000,
  "Registration has not been enabled for this meeting" (adding a registrant): the meeting is there.
- 3002 (in progress) and 3007 (ended) on delete, and 3000 "cannot update or delete meetings that have started":
  the meeting is locked. Code 3000 alone also means "Cannot access meeting information", so its message decides.
- 400 code 200 "Only available for Paid user": registrants on a basic host's meeting.
"""

from __future__ import annotations

import email.utils
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import httpx

from bot.zoom.errors import (
    ZoomError,
    ZoomMeetingLocked,
    ZoomNotFound,
    ZoomPaidFeatureRequired,
    ZoomRequestRejected,
    ZoomUnavailable,
)

TOKEN_INVALID = 124
MISSING_SCOPES = frozenset({4700, 4711})
MEETING_NOT_FOUND = 3001
MEETING_IN_PROGRESS = 3002
MEETING_ENDED = 3007
MEETING_NOT_ACCESSIBLE_OR_STARTED = 3000
PAID_FEATURE = 200

_STARTED = re.compile(r"\b(started|in progress|has ended)\b", re.IGNORECASE)
_DAILY = re.compile(r"\bdaily\b", re.IGNORECASE)
# Zoom's messages should never carry a link or a token, but a message is echoed into logs and errors: be sure.
# E-mail addresses do appear (the registrant daily cap names the registrant): a parent's address is not for logs.
_LINK = re.compile(r"\b[a-z][a-z0-9+.-]*://\S+", re.IGNORECASE)
_JWT = re.compile(r"\beyJ[\w-]*\.[\w-]+\.[\w-]*")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_MESSAGE_MAX = 300


def safe_message(text: str) -> str:
    """``text`` with links, bearer tokens and e-mail addresses blanked and the length bounded, fit for a log."""
    text = _EMAIL.sub("<email>", _JWT.sub("<token>", _LINK.sub("<link>", text)))
    return text if len(text) <= _MESSAGE_MAX else text[: _MESSAGE_MAX - 1] + "…"


def seconds_until_utc_midnight(now: datetime) -> float:
    """Seconds from ``now`` to the next 00:00 UTC, when Zoom's daily caps reset."""
    now = now.astimezone(UTC)
    midnight = (now + timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
    return (midnight - now).total_seconds()


def parse_retry_after(value: str | None, now: datetime) -> float | None:
    """Seconds to wait from a ``Retry-After`` value: delta-seconds, an HTTP date, or the ISO date-time Zoom's
    rate-limit page shows (``2020-05-31T00:00:00Z``). None when absent or unreadable."""
    if not value or not value.strip():
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    moment: datetime | None
    try:
        moment = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return max(0.0, (moment - now).total_seconds())


@dataclass(frozen=True, slots=True)
class ZoomErrorAnswer:
    """The useful parts of one non-2xx answer from Zoom; ``message`` is already safe to log."""

    status: int
    code: int | None
    message: str
    tracking_id: str | None
    retry_after: str | None
    rate_limit_type: str | None

    @classmethod
    def read(cls, response: httpx.Response) -> ZoomErrorAnswer:
        code: int | None = None
        message = ""
        try:
            body = response.json() if response.content else None
        except ValueError:  # HTML error pages, truncated bodies, wrong charsets
            body = None
        if isinstance(body, dict):
            raw_code = body.get("code")
            if isinstance(raw_code, int) and not isinstance(raw_code, bool):
                code = raw_code
            elif isinstance(raw_code, str) and raw_code.isdigit():
                code = int(raw_code)
            raw_message = body.get("message") or body.get("reason")
            if isinstance(raw_message, str):
                message = safe_message(raw_message)
        if not message:
            message = response.reason_phrase or f"HTTP {response.status_code}"
            if body is None and response.content:
                message += " (the answer was not JSON)"
        return cls(
            status=response.status_code,
            code=code,
            message=message,
            tracking_id=response.headers.get("x-zm-trackingid"),
            retry_after=response.headers.get("retry-after"),
            rate_limit_type=response.headers.get("x-ratelimit-type"),
        )

    @property
    def missing_scopes(self) -> bool:
        return self.code in MISSING_SCOPES

    @property
    def token_rejected(self) -> bool:
        """The bearer token itself was refused (expired, revoked): a refresh may help."""
        return self.status == 401 and not self.missing_scopes

    @property
    def rate_limited(self) -> bool:
        return self.status == 429

    @property
    def daily_cap(self) -> bool:
        """A 429 for a per-day quota (meeting create/update per host, registrants…): it lifts at 00:00 UTC."""
        if not self.rate_limited:
            return False
        if self.rate_limit_type and self.rate_limit_type.strip().lower().startswith("daily"):
            return True
        return bool(_DAILY.search(self.message))

    @property
    def server_failed(self) -> bool:
        return self.status >= 500

    @property
    def gone(self) -> bool:
        """The object no longer exists (the registration-disabled 404 is the one 404 that does not mean so)."""
        if self.code == MEETING_NOT_FOUND:
            return True
        return self.status == 404 and self.code != MEETING_NOT_ACCESSIBLE_OR_STARTED

    @property
    def locked(self) -> bool:
        """The meeting has started or ended, so Zoom refuses to change or delete it."""
        if self.code in (MEETING_IN_PROGRESS, MEETING_ENDED):
            return True
        return self.code == MEETING_NOT_ACCESSIBLE_OR_STARTED and bool(_STARTED.search(self.message))

    def wait_seconds(self, now: datetime) -> float | None:
        return parse_retry_after(self.retry_after, now)

    def to_error(self, operation: str) -> ZoomError:
        """The ``ZoomError`` for this answer once nothing more is to be tried; ``operation`` names the call."""
        kind: type[ZoomError]
        if self.server_failed:
            kind = ZoomUnavailable
        elif self.gone:
            kind = ZoomNotFound
        elif self.locked:
            kind = ZoomMeetingLocked
        elif self.code == PAID_FEATURE:
            kind = ZoomPaidFeatureRequired
        else:
            kind = ZoomRequestRejected
        return kind(f"{operation}: {self.message}", status=self.status, code=self.code, tracking_id=self.tracking_id)
