"""What can go wrong when ClassBot talks to Zoom, as one tree the callers can catch at the depth they need.

    ZoomError                      anything Zoom answered (or failed to answer) that is not a success
    ├── ZoomNotFound               404 / code 3001: the meeting (or registrant) is gone
    ├── ZoomRateLimited            429: ``retry_after`` seconds to wait; ``daily_cap`` for the per-host
    │                              create/update cap, which lifts only at 00:00 UTC
    ├── ZoomPaidFeatureRequired    the host's plan lacks the feature (registrants on a basic account)
    ├── ZoomReconnectNeeded        the teacher must authorize again: a dead refresh token
    │                              (``invalid_grant``), missing scopes (4700/4711), a deauthorized app
    ├── ZoomUnavailable            5xx, timeouts, connection errors: still failing after the retries
    ├── ZoomMeetingLocked          the meeting has started or ended and cannot be changed (3000/3002/3007)
    └── ZoomRequestRejected        any other 4xx: Zoom's ``code`` and ``message`` say what it disliked

Every error carries Zoom's ``code`` (when there was one), the HTTP ``status`` and Zoom's ``tracking_id`` so
that an error log line can be matched with Zoom's support; none of them ever carries a token or a URL.
"""

from __future__ import annotations


class ZoomError(Exception):
    """Base of every Zoom failure; safe to log (it holds no token and no link)."""

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        code: int | None = None,
        tracking_id: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.code = code
        self.tracking_id = tracking_id

    def __str__(self) -> str:
        details = [f"{name}={value}" for name, value in self._details() if value is not None]
        return f"{self.message} ({', '.join(details)})" if details else self.message

    def _details(self) -> list[tuple[str, object]]:
        return [("status", self.status), ("code", self.code), ("tracking_id", self.tracking_id)]


class ZoomNotFound(ZoomError):
    """The object no longer exists at Zoom (deleted there, or never created)."""


class ZoomRateLimited(ZoomError):
    """Zoom refused the call for its rate limits; try again after ``retry_after`` seconds."""

    def __init__(self, message: str, *, retry_after: float, daily_cap: bool = False, **kwargs: object) -> None:
        super().__init__(message, **kwargs)  # type: ignore[arg-type]
        self.retry_after = retry_after
        self.daily_cap = daily_cap

    def _details(self) -> list[tuple[str, object]]:
        return [*super()._details(), ("retry_after", round(self.retry_after, 1)), ("daily_cap", self.daily_cap)]


class ZoomPaidFeatureRequired(ZoomError):
    """The host's Zoom plan does not include what was asked (personal registrant links need a licensed host)."""


class ZoomReconnectNeeded(ZoomError):
    """The teacher's authorization is gone or too narrow; only a new /connect can fix it."""


class ZoomUnavailable(ZoomError):
    """Zoom did not answer usefully (5xx, timeout, connection error) even after retrying."""


class ZoomMeetingLocked(ZoomError):
    """The meeting is in progress or over, so Zoom refuses to change or delete it."""


class ZoomRequestRejected(ZoomError):
    """Zoom rejected the request as invalid; ``code`` and ``message`` are Zoom's own."""
