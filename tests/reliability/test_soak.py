"""Nothing lost, nothing doubled, nothing leaked: the soak under faults, under crashes, and on two processes."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.reliability.soak import Soak, SoakPlan, SoakReport

WORKER_CONCURRENCY = 16  # jobs one process runs at once (bot.core.worker.JobWorker's default)

pytestmark = pytest.mark.slow


def _assert_sound(report: SoakReport, *, duplicate_links_allowed: int = 0) -> None:
    print("\n" + report.table())  # the summary the README's reliability section quotes
    assert report.bookings > 0
    assert report.confirmed_to_parents > 0
    assert report.lost == 0
    assert report.overbooked == 0
    assert report.duplicate_meetings == 0
    assert report.duplicate_links <= duplicate_links_allowed
    assert report.missing_links == 0
    assert report.leaks == []
    assert report.stuck_jobs == 0
    assert report.reminders > 0
    assert report.missing_reminders == 0
    assert report.duplicate_reminders == 0


async def test_a_soak_with_zoom_and_telegram_faults_loses_and_leaks_nothing(tmp_path: Path, sqlite_url: str) -> None:
    _assert_sound(await Soak(tmp_path, sqlite_url, SoakPlan.chosen()).run())


async def test_a_soak_with_the_process_killed_five_times_loses_nothing(tmp_path: Path, sqlite_url: str) -> None:
    report = await Soak(tmp_path, sqlite_url, SoakPlan.chosen(kills=5)).run()
    assert report.kills == 5
    # Delivery is at least once: a message sent in the instant between Telegram's answer and our record of it
    # is sent again after a SIGKILL. Never more than the messages in flight when the process died.
    _assert_sound(report, duplicate_links_allowed=report.kills * WORKER_CONCURRENCY)


async def test_two_processes_on_one_postgres_behind_one_webhook_stay_exact(tmp_path: Path, postgres_url: str) -> None:
    plan = SoakPlan.chosen(processes=2, kills=2, expire_tokens_midway=True)
    report = await Soak(tmp_path, postgres_url, plan).run()
    assert report.kills == 2
    assert report.token_refreshes == plan.teachers  # each teacher's token refreshed once, by one of the two
    assert report.failed_refreshes == 0
    _assert_sound(report, duplicate_links_allowed=report.kills * WORKER_CONCURRENCY)
