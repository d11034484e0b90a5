"""The chart's library is loaded only when a chart is drawn: starting ClassBot imports everything its start-up
imports (the entry point, the composition root, both front ends and the core) and matplotlib is not among them,
so start-up time and idle memory stay what they were."""

from __future__ import annotations

import subprocess
import sys

_START_UP = """
import sys
import bot.__main__, bot.runtime, bot.app
import bot.handlers.telegram.frontend, bot.handlers.slack.commands, bot.core.reports, bot.core.charts
heavy = sorted(name for name in ("matplotlib", "numpy", "PIL") if name in sys.modules)
print(",".join(heavy) or "none")
import datetime
from bot.core.charts import ChartWords, render
from bot.core.weekly import WeeklyActivity
words = ChartWords("t", "x", "y", ("a", "b", "c"), ("w",))
render(WeeklyActivity((datetime.date(2027, 1, 4),), (1,), (1,), (0,)), words)
print("matplotlib" in sys.modules)
"""


def test_starting_imports_no_plotting_library_and_drawing_does() -> None:
    done = subprocess.run([sys.executable, "-c", _START_UP], capture_output=True, text=True, timeout=120, check=True)
    before, after = done.stdout.split()
    assert before == "none"
    assert after == "True"  # the check can fail: drawing does import it
