"""/metrics: what an operator graphs, scraped after real work, with nothing secret in it, and only on the metrics
listener: the public app answers 404.

The page is read back with prometheus-client's own parser, as a Prometheus server would read it.
"""

from __future__ import annotations

from pathlib import Path

import httpx
from classbot_fakes.zoom import FakeZoom
from prometheus_client.parser import text_string_to_metric_families

from bot.app import Components, create_metrics_app
from bot.support.metrics import Metrics
from tests.support.core_world import core_world, parent


async def test_metrics_after_a_booking_count_it_and_its_zoom_calls(
    sqlite_url: str, fake_zoom: FakeZoom, tmp_path: Path
) -> None:
    async with core_world(sqlite_url, fake_zoom, tmp_path) as world:
        cls = await world.new_class(seats=1)
        await world.components.bookings.book(parent(1), cls.public_id, ["Ada"], "t1")
        await world.components.bookings.book(parent(2), cls.public_id, ["Bo"], "t2")
        fake_zoom.fail_next(503, method="POST", path="/v2/users/me/meetings", times=1)
        await world.run_jobs()
        await world.components.worker.run_due_jobs()
        response = await _scrape(world.components)
        tokens = {world.components.cipher.decrypt(c.access_token_enc) for c in await world.zoom_world.connections()}

    text = response.text
    assert response.status_code == 200
    samples = _samples(text)
    assert samples[("classbot_bookings_total", (("outcome", "booked"),))] == 1
    assert samples[("classbot_bookings_total", (("outcome", "waitlisted"),))] == 1
    assert samples[("classbot_zoom_calls_total", (("endpoint", "POST /users/me/meetings"), ("status", "503")))] == 1
    assert ("classbot_jobs_pending", ()) in samples
    assert _types(text)["classbot_update_seconds"] == "histogram"
    assert all(token not in text for token in tokens)
    assert "http" not in text.replace("# HELP", "")  # no link of any kind


async def test_the_public_app_answers_404_for_metrics(sqlite_url: str, fake_zoom: FakeZoom, tmp_path: Path) -> None:
    async with core_world(sqlite_url, fake_zoom, tmp_path) as world:
        public = await world.zoom_world.web.get("/metrics")
        private = await _scrape(world.components)
    assert public.status_code == 404
    assert private.status_code == 200


async def _scrape(components: Components) -> httpx.Response:
    """GET /metrics from the app of the metrics listener (``METRICS_PORT``), as Prometheus does."""
    transport = httpx.ASGITransport(app=create_metrics_app(components))
    async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1:9100") as client:
        return await client.get("/metrics")


def test_a_histogram_renders_cumulative_buckets() -> None:
    metrics = Metrics()
    for seconds in (0.004, 0.02, 3.0):
        metrics.observe("classbot_update_seconds", seconds, platform="telegram")
    samples = _samples(metrics.render({}))
    bucket = "classbot_update_seconds_bucket"
    assert samples[(bucket, (("le", "0.005"), ("platform", "telegram")))] == 1
    assert samples[(bucket, (("le", "0.025"), ("platform", "telegram")))] == 2
    assert samples[(bucket, (("le", "+Inf"), ("platform", "telegram")))] == 3
    assert samples[("classbot_update_seconds_count", (("platform", "telegram"),))] == 3
    assert abs(samples[("classbot_update_seconds_sum", (("platform", "telegram"),))] - 3.024) < 1e-9


def _samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """Every sample of the page, keyed by its name and its sorted labels, as prometheus-client parses it."""
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def _types(text: str) -> dict[str, str]:
    return {family.name: family.type for family in text_string_to_metric_families(text)}
