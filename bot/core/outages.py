"""A chat platform that does not answer: its messages wait it out, then go out at once when it answers again.

The front ends turn "Telegram (or Slack) is unreachable or failing" (a dropped connection, a timeout, a 5xx, a
rate limit still in force once their pacers gave up) into one ``PlatformUnavailable``, apart from "this person
cannot be reached" (``RecipientUnreachable``), which waits for the person instead.

How long: a job that fails on an unavailable platform is retried every minute at most (a backoff of 1, 2, 4 …
seconds capped at ``OUTAGE_BACKOFF_CAP``), without an attempt limit, until ``OUTAGE_PATIENCE`` has passed since it
first failed; then it is buried and its kind's ``given_up`` hook runs. A day: far longer than any outage either
platform has had (hours at most), so no message is lost to one; retrying is safe because a reminder or a link
ends itself once its class is over (``timeliness``, decided when it is sent); and a platform that has not answered
for a day is no outage but a revoked token or a broken network, which the operator sees in the jobs given up on.
Counted from the first failure, not from when the job was due: a job that starts late for another reason (the
process was stopped, a backup restored) still gets a day of the platform's outage, not what is left of one.

Draining: when a send to a platform succeeds after sends to it failed, ``platform_back`` makes due now the jobs
waiting on that platform, so the backlog goes out at the pacer's rate instead of at each job's next backoff. A
waiting job is made due, never run here: the worker that claims it is the only one that sends it.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.core.worker import NEVER, backoff_seconds
from bot.storage.database import Database
from bot.storage.jobs import hurry_failed_with

OUTAGE_PATIENCE = timedelta(hours=24)
OUTAGE_BACKOFF_CAP = 60.0  # seconds: a message waits at most a minute after its platform answers again


class PlatformUnavailable(Exception):
    """The platform does not answer, or fails (not: refuses this recipient). Its text begins with the platform's
    name, which is how ``platform_back`` finds the jobs that wait on it (``Job.last_error``)."""

    def __init__(self, platform: str, reason: str) -> None:
        super().__init__(f"{platform}: {reason}")
        self.platform = platform


def retry_delay(failure: BaseException, attempts: int, failing_for: timedelta) -> float | None:
    """The worker's wait after a job failed on an unavailable platform (``NEVER`` once it has failed for a day);
    None for other failures."""
    if not isinstance(failure, PlatformUnavailable):
        return None
    if failing_for >= OUTAGE_PATIENCE:
        return NEVER
    return backoff_seconds(attempts, cap=OUTAGE_BACKOFF_CAP)


async def platform_back(database: Database, platform: str, now: datetime) -> None:
    """``platform`` answers again: the jobs that failed on its outage are due now."""
    async with database.write() as session:
        await hurry_failed_with(session, f"{PlatformUnavailable.__name__}: {platform}: ", now)
