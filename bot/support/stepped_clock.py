"""A clock a test moves forward in the real process, a step at a time: weeks of a bot's life in minutes.

A long run (``tests/reliability/test_long_run.py``) needs what only days bring: reminders coming due, finished
jobs and remembered update ids aging past their retention and purged. The real process (``python -m bot run``)
cannot be handed a clock object, so it builds one from the test-only setting ``CLASSBOT_CLOCK_STEP_SECONDS``
(``bot.config``), as ``CLASSBOT_CRASH_AT`` arms the crash points: set, the process reads the time through a
``SteppedClock`` (the real time plus the steps taken so far), and the runtime moves it one step ahead on each
SIGUSR1, then says so in its log for the test to wait on. Never set in production, and loudly logged when it is.

Unset, ``clock_from_setting`` gives ``utc_now`` itself, so the production path holds no wrapper and costs nothing.
The clock never goes back, and real time keeps flowing under it, as the demo's ``JumpingClock`` does. A signal
carries no value, so the size of the step is the setting's; a test that waits for each step's line in the log
before it sends the next signal never has two signals merged into one.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from bot.support.clock import Clock, utc_now

log = logging.getLogger(__name__)


class SteppedClock:
    """``utc_now`` moved forward by ``step`` for each ``advance`` so far."""

    def __init__(self, step: timedelta, real: Clock = utc_now) -> None:
        if step <= timedelta(0):
            raise ValueError("a clock step must move the clock forward")
        self._step = step
        self._real = real
        self._ahead = timedelta(0)
        self._steps = 0

    def __call__(self) -> datetime:
        return self._real() + self._ahead

    @property
    def steps(self) -> int:
        return self._steps

    @property
    def ahead(self) -> timedelta:
        return self._ahead

    def advance(self) -> int:
        """Move one step ahead; the number of steps taken so far."""
        self._ahead += self._step
        self._steps += 1
        return self._steps


def clock_from_setting(step_seconds: int | None) -> SteppedClock | None:
    """A ``SteppedClock`` when ``CLASSBOT_CLOCK_STEP_SECONDS`` (test-only) is set, else None: the process keeps
    ``utc_now``."""
    if not step_seconds:
        return None
    log.warning(
        "CLASSBOT_CLOCK_STEP_SECONDS=%d: this process's clock moves %d seconds ahead on each SIGUSR1 "
        "(for tests only; never set it in production)",
        step_seconds,
        step_seconds,
    )
    return SteppedClock(timedelta(seconds=step_seconds))
