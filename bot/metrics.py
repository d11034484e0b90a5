"""Prometheus metrics: counters and histograms kept in this process, rendered in the text exposition format.

One ``Metrics`` object is built by the composition root and handed to the parts that count; nothing is global.
Labels never carry a token, a link, a name or an id: only kinds, endpoints and codes, so the set of series stays
small and ``/metrics`` can be scraped by anyone allowed to reach it without leaking anything.
"""

from __future__ import annotations

import bisect
import threading
from collections import defaultdict

Labels = tuple[tuple[str, str], ...]

# Name → (type, help). Every metric ClassBot exposes is listed here, so the page documents itself.
DESCRIPTIONS: dict[str, tuple[str, str]] = {
    "classbot_bookings_total": ("counter", "Seats booked or waitlisted, by outcome."),
    "classbot_meetings_created_total": ("counter", "Zoom meetings created for classes."),
    "classbot_zoom_calls_total": ("counter", "Calls to Zoom's API, by endpoint and HTTP status."),
    "classbot_zoom_errors_total": ("counter", "Zoom error answers, by endpoint and Zoom's error code."),
    "classbot_job_failures_total": ("counter", "Failed job attempts, by kind and outcome (retry or dead)."),
    "classbot_delivery_failures_total": ("counter", "Messages a platform refused, by platform and reason."),
    "classbot_update_seconds": ("histogram", "Time to handle one chat update, by platform."),
    "classbot_jobs_pending": ("gauge", "Jobs waiting to run now."),
    "classbot_jobs_oldest_pending_seconds": ("gauge", "How long the oldest due job has waited."),
}
BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


class Metrics:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._counters: dict[str, dict[Labels, float]] = defaultdict(dict)
        self._histograms: dict[str, dict[Labels, list[float]]] = defaultdict(dict)

    def count(self, name: str, amount: float = 1.0, **labels: str) -> None:
        key = _labels(labels)
        with self._lock:
            series = self._counters[name]
            series[key] = series.get(key, 0.0) + amount

    def observe(self, name: str, seconds: float, **labels: str) -> None:
        """Record one duration; stored as bucket counts, then the sum and the count."""
        key = _labels(labels)
        with self._lock:
            values = self._histograms[name].setdefault(key, [0.0] * (len(BUCKETS) + 3))
            values[bisect.bisect_left(BUCKETS, seconds)] += 1
            values[-2] += seconds
            values[-1] += 1

    def value(self, name: str, **labels: str) -> float:
        with self._lock:
            return self._counters.get(name, {}).get(_labels(labels), 0.0)

    def render(self, gauges: dict[str, float]) -> str:
        lines: list[str] = []
        with self._lock:
            counters = {name: dict(series) for name, series in self._counters.items()}
            histograms = {name: {k: list(v) for k, v in series.items()} for name, series in self._histograms.items()}
        for name, (kind, text) in DESCRIPTIONS.items():
            lines += [f"# HELP {name} {text}", f"# TYPE {name} {kind}"]
            if kind == "counter":
                lines += [f"{name}{_text(key)} {value:g}" for key, value in sorted(counters.get(name, {}).items())]
            elif kind == "gauge" and name in gauges:
                lines.append(f"{name} {gauges[name]:g}")
            elif kind == "histogram":
                for key, values in sorted(histograms.get(name, {}).items()):
                    lines += _histogram_lines(name, key, values)
        return "\n".join(lines) + "\n"


def _histogram_lines(name: str, key: Labels, values: list[float]) -> list[str]:
    lines, running = [], 0.0
    for bound, count in zip([*BUCKETS, float("inf")], values[: len(BUCKETS) + 1], strict=True):
        running += count
        le = "+Inf" if bound == float("inf") else f"{bound:g}"
        lines.append(f"{name}_bucket{_text((*key, ('le', le)))} {running:g}")
    lines += [f"{name}_sum{_text(key)} {values[-2]:g}", f"{name}_count{_text(key)} {values[-1]:g}"]
    return lines


def _labels(labels: dict[str, str]) -> Labels:
    return tuple(sorted((name, str(value)) for name, value in labels.items()))


def _text(key: Labels) -> str:
    if not key:
        return ""
    escaped = (value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") for _, value in key)
    return "{" + ",".join(f'{name}="{value}"' for (name, _), value in zip(key, escaped, strict=True)) + "}"
