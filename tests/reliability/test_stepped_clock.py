"""The test-only stepped clock: off unless set, a step ahead per advance, refused when it would not move."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.config import ConfigError, load_settings
from bot.support.clock import utc_now
from bot.support.stepped_clock import SteppedClock, clock_from_setting

NOON = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)


def test_without_the_setting_the_process_keeps_the_real_clock() -> None:
    assert clock_from_setting(None) is None
    assert load_settings().classbot_clock_step_seconds is None


def test_each_advance_moves_the_clock_one_step_and_real_time_flows_under_it() -> None:
    real = [NOON]
    clock = SteppedClock(timedelta(days=1), real=lambda: real[0])
    assert clock() == NOON
    assert clock.advance() == 1
    assert clock.advance() == 2
    real[0] += timedelta(minutes=5)
    assert clock() == NOON + timedelta(days=2, minutes=5)
    assert clock.ahead == timedelta(days=2)


def test_the_setting_builds_a_stepped_clock_and_says_so(caplog: pytest.LogCaptureFixture) -> None:
    clock = clock_from_setting(3600)
    assert isinstance(clock, SteppedClock)
    assert abs(clock() - utc_now()) < timedelta(seconds=5)
    assert "for tests only; never set it in production" in caplog.text


def test_a_step_that_would_not_move_the_clock_is_refused() -> None:
    with pytest.raises(ConfigError, match="CLASSBOT_CLOCK_STEP_SECONDS"):
        load_settings(classbot_clock_step_seconds=0)
    with pytest.raises(ValueError, match="forward"):
        SteppedClock(timedelta(0))
