"""Prometheus metrics: counters and histograms kept in this process, exposed through prometheus-client.

One ``Metrics`` object is built by the composition root and handed to the parts that count; nothing is global:
each has its own ``CollectorRegistry``, and the text format is prometheus-client's (``generate_latest``).
Labels never carry a token, a link, a name or an id: only kinds, endpoints and codes, so the set of series stays
small and ``/metrics`` can be scraped by anyone allowed to reach it without leaking anything.

The values are kept here, not in prometheus-client's ``Counter`` objects, because those are declared with their
label names up front and add a ``_created`` series per counter; a collector reading our own counts gives the
same exposition with neither.
"""

from __future__ import annotations

import bisect
import threading
from collections import defaultdict
from collections.abc import Iterator

from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, HistogramMetricFamily, Metric
from prometheus_client.registry import Collector

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
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"


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
        """Every metric in Prometheus' text format, with ``gauges`` measured by the caller just now."""
        with self._lock:
            counters = {name: dict(series) for name, series in self._counters.items()}
            histograms = {name: {k: list(v) for k, v in series.items()} for name, series in self._histograms.items()}
        registry = CollectorRegistry(auto_describe=False)
        registry.register(_Snapshot(counters, histograms, gauges))
        return generate_latest(registry).decode()


class _Snapshot(Collector):
    """The values as they were when ``render`` was called, as prometheus-client's metric families."""

    def __init__(
        self,
        counters: dict[str, dict[Labels, float]],
        histograms: dict[str, dict[Labels, list[float]]],
        gauges: dict[str, float],
    ) -> None:
        self._counters, self._histograms, self._gauges = counters, histograms, gauges

    def collect(self) -> Iterator[Metric]:
        for name, (kind, text) in DESCRIPTIONS.items():
            if kind == "counter":
                yield _counter(name, text, self._counters.get(name, {}))
            elif kind == "histogram":
                yield _histogram(name, text, self._histograms.get(name, {}))
            elif name in self._gauges:
                yield GaugeMetricFamily(name, text, value=self._gauges[name])


def _label_names(series: dict[Labels, float] | dict[Labels, list[float]]) -> list[str]:
    first = next(iter(series), ())
    return [label for label, _ in first]


def _counter(name: str, text: str, series: dict[Labels, float]) -> CounterMetricFamily:
    family = CounterMetricFamily(name, text, labels=_label_names(series))
    for key, value in sorted(series.items()):
        family.add_metric([value for _, value in key], value)
    return family


def _histogram(name: str, text: str, series: dict[Labels, list[float]]) -> HistogramMetricFamily:
    family = HistogramMetricFamily(name, text, labels=_label_names(series))
    for key, values in sorted(series.items()):
        cumulative, buckets = 0.0, []
        for bound, count in zip([*BUCKETS, float("inf")], values[: len(BUCKETS) + 1], strict=True):
            cumulative += count
            buckets.append(("+Inf" if bound == float("inf") else repr(bound), cumulative))
        family.add_metric([value for _, value in key], buckets, sum_value=values[-2])
    return family


def _labels(labels: dict[str, str]) -> Labels:
    return tuple(sorted((name, str(value)) for name, value in labels.items()))
