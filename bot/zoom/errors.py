"""What can go wrong when ClassBot talks to Zoom, as one tree the callers can catch at the depth they need.

    ZoomError                        anything Zoom answered (or failed to answer) that is not a success
    ├── ZoomNotFound                 the meeting is gone (deleted, expired, no longer the teacher's)
    ├── ZoomRateLimited              429: ``retry_after`` seconds to wait; ``daily_cap`` for the per-host
    │                                create/update cap, which lifts only at 00:00 UTC
    ├── ZoomRegistrationUnavailable  no personal links here (a basic host, registration turned off)
    ├── ZoomReconnectNeeded          the teacher must authorize again: a dead refresh token
    │                                (``invalid_grant``), missing scopes (4700/4711), a Zoom user gone
    ├── ZoomScopeMissing             a scope added after the teacher connected is not in their token: that one
    │                                call cannot be made, everything else works (``ApiCall.newer_scope``)
    ├── ZoomUnavailable              5xx, timeouts, connection errors: still failing after the retries
    ├── ZoomMeetingLocked            the meeting has started or ended and cannot be changed (3000/3002/3007)
    └── ZoomRequestRejected          any other refusal: Zoom's ``code`` and ``message`` say what it disliked

The class is a convenience; what decides is ``meaning`` (``bot.zoom.answers``), which the core maps to what it
does. Every error carries Zoom's ``code`` (when there was one), the HTTP ``status`` and Zoom's ``tracking_id`` so
that an error log line can be matched with Zoom's support; none of them ever carries a token or a URL.
"""

from __future__ import annotations

from bot.zoom.answers import Meaning


class ZoomError(Exception):
    """Base of every Zoom failure; safe to log (it holds no token and no link)."""

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        code: int | str | None = None,
        tracking_id: str | None = None,
        meaning: Meaning | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.code = code
        self.tracking_id = tracking_id
        self.meaning = meaning if meaning is not None else self.usual_meaning

    usual_meaning = Meaning.UNKNOWN  # what an error of this class means when the raiser did not say

    def __str__(self) -> str:
        details = [f"{name}={value}" for name, value in self._details() if value is not None]
        return f"{self.message} ({', '.join(details)})" if details else self.message

    def _details(self) -> list[tuple[str, object]]:
        return [("status", self.status), ("code", self.code), ("tracking_id", self.tracking_id)]


class ZoomNotFound(ZoomError):
    """The meeting no longer exists at Zoom for this teacher (deleted or expired there, or in another account)."""

    usual_meaning = Meaning.MEETING_GONE


class ZoomRateLimited(ZoomError):
    """Zoom refused the call for its rate limits; try again after ``retry_after`` seconds."""

    usual_meaning = Meaning.RATE_LIMITED

    def __init__(self, message: str, *, retry_after: float, daily_cap: bool = False, **kwargs: object) -> None:
        super().__init__(message, **kwargs)  # type: ignore[arg-type]
        self.retry_after = retry_after
        self.daily_cap = daily_cap

    def _details(self) -> list[tuple[str, object]]:
        return [*super()._details(), ("retry_after", round(self.retry_after, 1)), ("daily_cap", self.daily_cap)]


class ZoomRegistrationUnavailable(ZoomError):
    """No personal registrant link can be had: the host's plan lacks registrants, or the meeting's is off."""

    usual_meaning = Meaning.NO_REGISTRATION


class ZoomReconnectNeeded(ZoomError):
    """The teacher's authorization is gone or too narrow; only a new /connect can fix it."""

    usual_meaning = Meaning.AUTHORIZATION_GONE


class ZoomScopeMissing(ZoomError):
    """The teacher's token lacks the scope of a call ClassBot added after they connected (``ApiCall.newer_scope``).

    Not a broken connection: every call the teacher authorized still works, and the caller does without this one
    (as ClassBot did before it made the call) until the teacher connects again and Zoom grants the new scope.
    """

    usual_meaning = Meaning.AUTHORIZATION_GONE


class ZoomUnavailable(ZoomError):
    """Zoom did not answer usefully (5xx, timeout, connection error) even after retrying."""

    usual_meaning = Meaning.TRANSIENT


class ZoomMeetingLocked(ZoomError):
    """The meeting is in progress or over, so Zoom refuses to change or delete it."""

    usual_meaning = Meaning.MEETING_IN_PROGRESS


class ZoomRequestRejected(ZoomError):
    """Zoom refused the request; ``code``, ``message`` and ``meaning`` say why."""


ERROR_OF_MEANING: dict[Meaning, type[ZoomError]] = {
    Meaning.TRANSIENT: ZoomUnavailable,
    Meaning.AUTHORIZATION_GONE: ZoomReconnectNeeded,
    Meaning.MEETING_GONE: ZoomNotFound,
    Meaning.MEETING_IN_PROGRESS: ZoomMeetingLocked,
    Meaning.MEETING_ENDED: ZoomMeetingLocked,
    Meaning.NO_REGISTRATION: ZoomRegistrationUnavailable,
}
"""The class of the error for an answer of each meaning; any other meaning is a ``ZoomRequestRejected``.
(Rate limits become ``ZoomRateLimited``, which needs its wait, where the wait is known.)"""
