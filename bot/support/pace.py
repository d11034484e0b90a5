"""An even pace that keeps its schedule: never more than the rate in any second, and no less over time.

A platform's "N requests a second" is a budget to spend, not to exceed. Spacing each send a full interval after
the previous one *woke up* spends less than it may: on a busy event loop every sleeper wakes a few milliseconds
late, and each lateness pushes all the later sends back (at 30/s, 10 ms late per wake is 23/s). So each caller
here reserves the next slot of a fixed grid (slots ``1/rate`` apart) before it sleeps: a late waker delays only
itself, and the grid keeps the long-run rate at the rate asked for.

Late wakers can bunch up (one 20 ms late, the next on time), so each also checks the sends of the last second
before it goes: if ``rate`` already went within ``window`` seconds, it waits until the oldest of them is that
old. ``window`` is a second plus a guard for arrival jitter, since the platform counts when requests arrive.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Awaitable, Callable

_JITTER_GUARD_SECONDS = 0.01


class EvenPace:
    """Turns at ``per_second``, in the order they are asked for; one per stream of sends it paces."""

    def __init__(
        self,
        per_second: float,
        *,
        clock: Callable[[], float] | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        if per_second <= 0:
            raise ValueError("the rate must be a positive number of sends per second")
        self._spacing = 1.0 / per_second
        self._most_per_window = max(1, int(per_second))
        self._window = 1.0 + _JITTER_GUARD_SECONDS
        self._clock = clock
        self._sleep = sleep
        self._next_slot = float("-inf")
        self._sent: deque[float] = deque(maxlen=self._most_per_window)

    async def turn(self) -> None:
        """Wait for this caller's slot, then until the last second's sends leave room for one more."""
        now = self._now()
        slot = max(now, self._next_slot)
        self._next_slot = slot + self._spacing  # reserved before sleeping: the grid does not move with late wakes
        if slot > now:
            await self._sleep(slot - now)
        while len(self._sent) == self._most_per_window:
            room_at = self._sent[0] + self._window
            now = self._now()
            if now >= room_at:
                break
            await self._sleep(room_at - now)
        self._sent.append(self._now())

    def _now(self) -> float:
        return self._clock() if self._clock is not None else asyncio.get_running_loop().time()
