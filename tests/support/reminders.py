"""A class start whose reminder comes while a test runs, with no change behind the bot process's back."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta


def soon_start() -> datetime:
    """A start on a whole minute (as a teacher types it) whose 15-minute reminder is due 40 to 100 seconds from
    now: time enough to make and book the class first, and a reminder within about a minute (the soak test's
    classes "starting in about 16 minutes" do the same)."""
    return (datetime.now(UTC) + timedelta(minutes=16, seconds=40)).replace(second=0, microsecond=0)
