"""The playground's clock: real time plus a jump the newcomer asks for, so a reminder due tomorrow comes now.

ClassBot reads the time through one ``Clock`` (``bot.support.clock``): its worker, its use cases and its Telegram
handlers all see this clock, so moving it is the same as the day passing. Production keeps ``utc_now``; nothing
in ClassBot's own code knows about the jump. The clock never goes back.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.support.clock import Clock, utc_now


class JumpingClock:
    """``utc_now`` moved forward by the jumps made so far."""

    def __init__(self, real: Clock = utc_now) -> None:
        self._real = real
        self._ahead = timedelta(0)

    def __call__(self) -> datetime:
        return self._real() + self._ahead

    @property
    def ahead(self) -> timedelta:
        return self._ahead

    def jump_to(self, moment: datetime) -> timedelta:
        """Move forward so that it is ``moment`` now; how far the clock moved (zero if that moment has passed)."""
        step = max(timedelta(0), moment - self())
        self._ahead += step
        return step
