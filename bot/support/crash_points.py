"""Crash points: named places on the booking path where a test can have the real process SIGKILL itself.

A crash test needs the process to die at one exact point (the seat taken but the parent not told, Zoom's
registrant made but not recorded, Telegram's message sent but its job not done…), which a kill from outside only
hits by luck. The composition root hands each part on that path a ``CrashPoints``; it is armed only by the
test-only setting ``CLASSBOT_CRASH_AT`` (``bot.config``) and then kills the process the first time its point is
reached. Unarmed, reaching a point is one comparison. The restarted process runs without the setting, so a
point fires once per test.
"""

from __future__ import annotations

import logging
import os
import signal
from enum import StrEnum

log = logging.getLogger(__name__)


class CrashPoint(StrEnum):
    """The points, in the order a booking passes them (``BOOKING_PATH``), then the others."""

    BOOKING_COMMITTED = "booking_committed"  # the seat taken, the booking and its (held) link job committed
    LINK_DUE = "link_due"  # the parent told they are booked, the link job made due
    BEFORE_REGISTRANT = "before_registrant"  # the link job about to ask Zoom for the child's registrant
    AFTER_REGISTRANT = "after_registrant"  # Zoom made the registrant; ClassBot has not stored its link
    BEFORE_LINK_SENT = "before_link_sent"  # the link about to go to Telegram
    AFTER_LINK_SENT = "after_link_sent"  # Telegram took the link; the job is not yet marked done
    # Off the booking path: a teacher's "Yes, cancel the class" committed, the teacher not yet answered.
    CLASS_CANCELLED = "class_cancelled"


BOOKING_PATH = tuple(point for point in CrashPoint if point is not CrashPoint.CLASS_CANCELLED)


class CrashPoints:
    """Kills the process at the armed point (none by default: a part built without one never crashes)."""

    def __init__(self, armed: CrashPoint | None = None) -> None:
        self._armed = armed

    @classmethod
    def from_setting(cls, name: str | None) -> CrashPoints:
        """Armed at the point named by ``CLASSBOT_CRASH_AT`` (test-only), or unarmed without it."""
        if not name:
            return cls()
        try:
            return cls(CrashPoint(name))
        except ValueError:
            known = ", ".join(point.value for point in CrashPoint)
            raise ValueError(f"CLASSBOT_CRASH_AT={name!r} names no crash point (known: {known})") from None

    def reach(self, point: CrashPoint) -> None:
        if point is not self._armed:
            return
        log.error("crash point %s reached: killing the process (CLASSBOT_CRASH_AT, for tests only)", point.value)
        os.kill(os.getpid(), signal.SIGKILL)
