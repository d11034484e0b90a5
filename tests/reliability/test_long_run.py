"""A long run of one real process: its memory, its tables and its speed hold steady, and nothing is lost.

``tests/reliability/long_run.py`` drives it (a simulated day at a time, the process's clock stepped by the
test-only ``CLASSBOT_CLOCK_STEP_SECONDS``). CI runs 12,000 updates; ``LONG_RUN_UPDATES=200000`` the full size,
by hand (README, Reliability).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.core.inbound import REDELIVERY_WINDOW
from bot.core.worker import FINISHED_JOB_RETENTION
from tests.reliability.long_run import DAY, LongRun, LongRunPlan, LongRunReport

pytestmark = pytest.mark.slow

RSS_GROWTH = 1.10  # after the warm-up, at most 10% more
TABLE_GROWTH = 1.15  # a purged table's rows, end against the first day its purge had kicked in (daily noise)
P99_GROWTH = 1.20


def _assert_steady(report: LongRunReport) -> None:
    plan, days = report.plan, report.days
    print("\n" + report.table())  # the figures the README's Reliability table quotes
    # Nothing lost: every booking's parent got its link once; every booking still held when its class's
    # reminder came due got that reminder once, and each teacher theirs.
    assert report.bookings > 0
    assert report.missing_links == 0
    assert report.repeated_links == 0
    assert report.stray_links == 0
    assert report.reminders > 0
    assert report.missing_reminders == 0
    assert report.repeated_reminders == 0
    assert report.stray_reminders == 0
    assert report.missing_teacher_reminders == 0
    assert report.dead_jobs == 0
    # Memory: what the process holds at the end is what it held after the warm-up, give or take 10%.
    warm, end = days[plan.warm_up_days - 1], days[-1]
    assert end.rss_kb <= warm.rss_kb * RSS_GROWTH, f"RSS {warm.rss_kb} kB after warm-up, {end.rss_kb} kB at the end"
    # The tables hold a retention's worth of work, not every day's: once each purge has kicked in, their rows
    # stop growing with the days (the day after a retention ran out is compared with the last).
    events_from = int(REDELIVERY_WINDOW / DAY) + 2
    jobs_from = int(FINISHED_JOB_RETENTION / DAY) + 2
    assert plan.days > jobs_from + 5, "the run must outlast the finished jobs' retention"
    assert end.events <= days[events_from].events * TABLE_GROWTH, [d.events for d in days]
    assert end.jobs <= days[jobs_from].jobs * TABLE_GROWTH, [d.jobs for d in days]
    assert end.oldest_done_job_days <= FINISHED_JOB_RETENTION / DAY + 1  # purged within a day of its time
    # Speed: the p99 from a parent's tap to the link, the last days against the first after the warm-up.
    start_p99, end_p99 = report.p99(*report.start_window), report.p99(*report.end_window)
    assert report.samples(*report.start_window) >= 500
    assert end_p99 <= start_p99 * P99_GROWTH, (
        f"p99 tap to link {start_p99:.3f} s at the start, {end_p99:.3f} s at the end"
    )


async def test_a_long_run_keeps_memory_tables_and_speed_steady_and_loses_nothing(
    tmp_path: Path, sqlite_url: str
) -> None:
    _assert_steady(await LongRun(tmp_path, sqlite_url, LongRunPlan.chosen()).run())
