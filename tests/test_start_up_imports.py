"""The heavy libraries of rarely pressed buttons load when first used: starting ClassBot imports everything its
start-up imports (the entry point, the composition root, both front ends and the core) and neither the chart's
plotting library nor the calendar file's is among them, so start-up time and idle memory stay what they were."""

from __future__ import annotations

import subprocess
import sys

_START_UP = """
import sys
import bot.__main__, bot.runtime, bot.app
import bot.handlers.telegram.frontend, bot.handlers.slack.commands, bot.core.reports, bot.core.charts
import bot.core.calendar
heavy = sorted(name for name in ("matplotlib", "numpy", "PIL", "icalendar") if name in sys.modules)
print(",".join(heavy) or "none")
import datetime
from bot.core.calendar import booking_calendar
from bot.core.charts import ChartWords, render
from bot.core.weekly import WeeklyActivity
words = ChartWords("t", "x", "y", ("a", "b", "c"), ("w",))
render(WeeklyActivity((datetime.date(2027, 1, 4),), (1,), (1,), (0,)), words)
now = datetime.datetime(2027, 1, 4, tzinfo=datetime.UTC)
written = booking_calendar(
    uid="b1", title="Chess", child="Mia", starts=[now], duration_minutes=45, join_url=None, description="", now=now
)
print(",".join(sorted(name for name in ("matplotlib", "icalendar") if name in sys.modules)))
print(b"BEGIN:VEVENT" in written)
"""


def test_starting_imports_neither_heavy_library_and_using_them_does() -> None:
    done = subprocess.run([sys.executable, "-c", _START_UP], capture_output=True, text=True, timeout=120, check=True)
    before, after, wrote_event = done.stdout.split()
    assert before == "none"
    assert after == "icalendar,matplotlib"  # the check can fail: drawing and writing do import them
    assert wrote_event == "True"
