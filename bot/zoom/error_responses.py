"""Reading Zoom's error answers: Zoom's code, message and tracking id, and what the answer means.

Zoom answers errors with ``{"code": int, "message": str}`` (validation errors add ``errors[]``), its token
endpoint with ``{"reason": str, "error": str}``, and gateways in front of it answer 502/504 with HTML or nothing
at all, so every field here is optional and reading never fails. The ``x-zm-trackingid`` header is kept: it is
what Zoom's support asks for. What an answer means comes from the one table of Zoom's codes, ``bot.zoom.answers``;
the one thing read here beyond it is whether a 429 is the daily cap (``X-RateLimit-Type: Daily-limit``, or
"daily" in the message, often with no ``Retry-After``), which lifts only at 00:00 UTC.
"""

from __future__ import annotations

import email.utils
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import httpx

from bot.zoom.answers import Meaning, ZoomCall, meaning_of
from bot.zoom.errors import ERROR_OF_MEANING, ZoomError, ZoomRequestRejected

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
    """The useful parts of one non-2xx answer from Zoom to ``call``; ``message`` is already safe to log."""

    call: ZoomCall
    status: int
    code: int | str | None  # Zoom's numeric code, or the token endpoint's ``error`` string
    message: str
    tracking_id: str | None
    retry_after: str | None
    rate_limit_type: str | None
    meaning: Meaning

    @classmethod
    def read(cls, response: httpx.Response, call: ZoomCall) -> ZoomErrorAnswer:
        code: int | str | None = None
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
            elif isinstance(body.get("error"), str) and body["error"]:
                code = str(body["error"])  # the token endpoint's RFC 6749 error
            raw_message = body.get("message") or body.get("reason")
            if isinstance(raw_message, str):
                message = safe_message(raw_message)
        if not message:
            message = response.reason_phrase or f"HTTP {response.status_code}"
            if body is None and response.content:
                message += " (the answer was not JSON)"
        return cls(
            call=call,
            status=response.status_code,
            code=code,
            message=message,
            tracking_id=response.headers.get("x-zm-trackingid"),
            retry_after=response.headers.get("retry-after"),
            rate_limit_type=response.headers.get("x-ratelimit-type"),
            meaning=meaning_of(call, response.status_code, code, message),
        )

    @property
    def daily_cap(self) -> bool:
        """A 429 for a per-day quota (meeting create/update per host, registrants…): it lifts at 00:00 UTC."""
        if self.meaning is not Meaning.RATE_LIMITED:
            return False
        if self.rate_limit_type and self.rate_limit_type.strip().lower().startswith("daily"):
            return True
        return bool(_DAILY.search(self.message))

    def wait_seconds(self, now: datetime) -> float | None:
        return parse_retry_after(self.retry_after, now)

    def to_error(self, operation: str) -> ZoomError:
        """The ``ZoomError`` for this answer once nothing more is to be tried; ``operation`` names the call."""
        kind = ERROR_OF_MEANING.get(self.meaning, ZoomRequestRejected)
        return kind(
            f"{operation}: {self.message}",
            status=self.status,
            code=self.code,
            tracking_id=self.tracking_id,
            meaning=self.meaning,
        )
