"""The crash points' switch: unarmed by default, armed only at a point that exists (the kill itself is exercised
on the real process by tests/reliability/test_crash_points.py)."""

from __future__ import annotations

import pytest

from bot.config import load_settings
from bot.support.crash_points import CrashPoint, CrashPoints


def test_without_the_setting_no_point_kills() -> None:
    points = CrashPoints.from_setting(load_settings().classbot_crash_at)
    for point in CrashPoint:
        points.reach(point)  # still here


def test_a_misspelled_point_is_refused_at_start_naming_the_known_ones() -> None:
    with pytest.raises(ValueError, match="after_registrant") as refused:
        CrashPoints.from_setting("after_registrnt")
    assert "after_registrnt" in str(refused.value)


def test_the_setting_is_read_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CLASSBOT_CRASH_AT", "link_due")
    assert load_settings().classbot_crash_at == CrashPoint.LINK_DUE.value
