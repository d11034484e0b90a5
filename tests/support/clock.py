"""A clock the test moves by hand, for expiries and refresh margins."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta


class MovableClock:
    def __init__(self, start: datetime | None = None) -> None:
        self._offset = timedelta()
        self._start = start

    def __call__(self) -> datetime:
        base = self._start if self._start is not None else datetime.now(UTC)
        return base + self._offset

    def advance(self, delta: timedelta) -> None:
        self._offset += delta

    def stop(self) -> None:
        """From now on only ``advance`` moves the clock: a test whose steps must fall within some seconds of
        each other holds on a slow machine too."""
        self._start, self._offset = self(), timedelta()
