"""A client-side pace for calls to Zoom, per Zoom account, so that one busy teacher does not earn 429s.

Zoom limits requests per *account* (shared by every app and user on it), per *rate-limit category* of the
endpoint (each operation's "Rate Limit Label": Light, Medium, Heavy…) and per *plan*. ClassBot only calls
Light and Medium endpoints. The numbers are Zoom's published per-second limits: Free (a basic host) Light 4/s and
Medium 2/s, Pro Light 30/s and Medium 20/s; a licensed host may be on a larger plan, so Pro is the safe guess.

This limiter only paces one process. Several processes (or other apps on the same Zoom account) share Zoom's
budget without knowing of each other, so a 429 remains possible and is handled by the client's retry loop;
the limiter just keeps a burst (a roster of 30 bookings, say) from turning into a storm of 429s.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from types import MappingProxyType
from typing import Final

from bot.support.pace import EvenPace
from bot.zoom.credentials import ZoomAccount


class RateCategory(enum.Enum):
    """Zoom's rate-limit label of an endpoint (shown as "Rate Limit Label" in Zoom's API reference)."""

    LIGHT = "Light"
    MEDIUM = "Medium"


# Requests per second, keyed by (licensed host, category). Licensed hosts get Pro limits, basic hosts Free ones.
ZOOM_LIMITS_PER_SECOND: Final[Mapping[tuple[bool, RateCategory], float]] = MappingProxyType(
    {
        (False, RateCategory.LIGHT): 4,
        (False, RateCategory.MEDIUM): 2,
        (True, RateCategory.LIGHT): 30,
        (True, RateCategory.MEDIUM): 20,
    }
)


class ZoomRateLimiter:
    """An even pace per Zoom account, category and plan, created on first use.

    Calls are evenly spaced at the limit rather than let through in bursts: Zoom does not say how it counts its
    second, and a bucket holding a second's worth would let ``limit`` go at once and ``limit`` more during the
    next second, nearly twice the limit within one second. The pace keeps its schedule when the event loop
    wakes callers late (``bot.support.pace``), so a busy bot still gets the whole budget, and never more than the limit
    in any one second. Build one limiter per running application, as the composition root does.
    """

    def __init__(self, limits: Mapping[tuple[bool, RateCategory], float] = ZOOM_LIMITS_PER_SECOND) -> None:
        missing = {(licensed, category) for licensed in (False, True) for category in RateCategory} - set(limits)
        if missing:
            raise ValueError(f"no limit given for {sorted((lic, cat.value) for lic, cat in missing)}")
        if any(rate <= 0 for rate in limits.values()):
            raise ValueError("every limit must be a positive number of requests per second")
        self._limits = dict(limits)
        # One pace per (account, licensed, category). The plan is part of the key so that a teacher who
        # upgrades gets the larger budget on the next call, without any invalidation.
        self._paces: dict[tuple[str, bool, RateCategory], EvenPace] = {}

    async def acquire(self, account: ZoomAccount, category: RateCategory) -> None:
        """Wait until a request of ``category`` may be sent for ``account``."""
        await self._pace(account, category).turn()

    def _pace(self, account: ZoomAccount, category: RateCategory) -> EvenPace:
        key = (account.account_id, account.licensed, category)
        pace = self._paces.get(key)
        if pace is None:
            pace = EvenPace(self._limits[(account.licensed, category)])
            self._paces[key] = pace
        return pace
