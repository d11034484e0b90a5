"""How long the Zoom client waits between attempts, and how long it is willing to wait at all.

Transient failures (5xx, timeouts, dropped connections, per-second 429s) are retried with exponential backoff
and *full jitter*: each wait is drawn uniformly from ``[0, min(max_delay, base_delay * 2**(n-1)))``. Full
jitter spreads the retries of many workers hit by the same outage, instead of having them all come back at
once. A wait longer than ``max_inline_wait`` is not slept through inside a user-facing call: the client raises
``ZoomRateLimited`` with the wait instead, and the caller's durable job tries again later.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """Retry budget and backoff shape for calls to Zoom.

    ``max_attempts`` counts every request sent for one call, the first included, so ``1`` means no retry.
    ``jitter`` returns a number in ``[0, 1)``; tests pass a constant to make the waits predictable.
    """

    max_attempts: int = 4
    base_delay: float = 0.5
    max_delay: float = 8.0
    max_inline_wait: float = 10.0
    jitter: Callable[[], float] = field(default=random.random, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")
        if self.base_delay < 0 or self.max_delay < self.base_delay:
            raise ValueError("need 0 <= base_delay <= max_delay")
        if self.max_inline_wait < 0:
            raise ValueError("max_inline_wait must not be negative")

    def backoff(self, retry_number: int) -> float:
        """Seconds to wait before retry number ``retry_number`` (1 for the first retry), with full jitter."""
        if retry_number < 1:
            raise ValueError("retry_number starts at 1")
        # The exponent is capped so that a long retry budget cannot overflow a float.
        ceiling = min(self.max_delay, self.base_delay * 2.0 ** min(retry_number - 1, 32))
        return ceiling * self.jitter()

    def allows_retry(self, failed_attempts: int) -> bool:
        """Whether another request may be sent after ``failed_attempts`` transient failures."""
        return failed_attempts < self.max_attempts
