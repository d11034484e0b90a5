"""The port through which the REST client obtains a teacher's access token.

The client knows nothing about storage or encryption: it asks for a token, and when Zoom rejects one as expired
(401, code 124) it asks for a refreshed one exactly once. The implementation over the database (single-flight
refresh across tasks and processes, rotation committed before use) lives in ``bot.core.zoom_tokens``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True, slots=True)
class ZoomAccount:
    """Which teacher's Zoom account a call acts for.

    ``connection_id`` names the stored authorization; ``account_id`` keys the client-side rate limiter (Zoom's
    limits are per account); ``licensed`` selects the plan's limits and tells whether registrants are possible.
    """

    connection_id: int
    account_id: str
    licensed: bool


class ZoomCredentials(Protocol):
    """Hands out access tokens for stored Zoom connections."""

    async def access_token(self, connection_id: int) -> str:
        """A token valid for a while yet (refreshed first if it was about to expire)."""
        ...

    async def refresh_after_rejection(self, connection_id: int, rejected_token: str) -> str:
        """A new token after Zoom rejected ``rejected_token``; raises ``ZoomReconnectNeeded`` if none can be had."""
        ...

    async def reconnect_needed(self, connection_id: int, reason: str) -> None:
        """Record that the teacher must authorize again (missing scopes, revoked app) and tell them."""
        ...
