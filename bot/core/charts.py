"""The weekly chart of ``/stats`` as a PNG: bookings, attendance and cancellations per week, as grouped bars.

matplotlib is heavy (tens of megabytes, a second to import): it is imported inside ``render`` only, the first
time someone asks for a chart, so starting ClassBot and keeping it idle cost what they did before. Drawing uses
the Agg canvas on a ``Figure`` of its own (no pyplot, whose global figures and backend choice would be shared
state), and runs in a worker thread (``weekly_chart``) so the event loop keeps answering others meanwhile.
"""

from __future__ import annotations

import asyncio
import io
from dataclasses import dataclass

from bot.core.weekly import WeeklyActivity

_COLORS = ("#3b7dd8", "#2e9e5b", "#d9534f")  # bookings, attended, cancelled
_SIZE_INCHES = (6.4, 3.6)
_DPI = 100


@dataclass(frozen=True, slots=True)
class ChartWords:
    """The chart's words, already in the reader's language; ``weeks`` labels each week on the axis."""

    title: str
    week_axis: str
    count_axis: str
    series: tuple[str, str, str]
    weeks: tuple[str, ...]


def render(activity: WeeklyActivity, words: ChartWords) -> bytes:
    """The chart as PNG bytes (blocking: CPU work; call ``weekly_chart`` from async code)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    figure = Figure(figsize=_SIZE_INCHES, dpi=_DPI, layout="constrained")
    FigureCanvasAgg(figure)  # the figure draws on Agg, whatever backend matplotlib would pick
    axes = figure.add_subplot()
    width = 0.27
    positions = range(len(activity.starts))
    for offset, values, label, color in zip(
        (-width, 0.0, width),
        (activity.booked, activity.attended, activity.cancelled),
        words.series,
        _COLORS,
        strict=True,
    ):
        axes.bar([p + offset for p in positions], values, width, label=label, color=color)
    axes.set_title(words.title)
    axes.set_xlabel(words.week_axis)
    axes.set_ylabel(words.count_axis)
    axes.set_xticks(list(positions), words.weeks, rotation=45, ha="right", fontsize=8)
    axes.yaxis.set_major_locator(MaxNLocator(integer=True))
    axes.set_ylim(bottom=0, top=max((*activity.booked, *activity.attended, *activity.cancelled, 1)) * 1.15)
    axes.legend(fontsize=8, loc="upper left")
    axes.spines[["top", "right"]].set_visible(False)
    out = io.BytesIO()
    figure.savefig(out, format="png")
    return out.getvalue()


async def weekly_chart(activity: WeeklyActivity, words: ChartWords) -> bytes:
    """``render`` off the event loop."""
    return await asyncio.to_thread(render, activity, words)
