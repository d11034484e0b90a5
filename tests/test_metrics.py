"""/metrics: what an operator graphs, scraped after real work, with nothing secret in it, and only on the metrics
listener: the public app answers 404."""

from __future__ import annotations

import re
from pathlib import Path

import httpx

from bot.app import Components
from bot.fakes.zoom import FakeZoom
from bot.metrics import Metrics
from bot.web import create_metrics_app
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
    assert 'classbot_bookings_total{outcome="booked"} 1' in text
    assert 'classbot_bookings_total{outcome="waitlisted"} 1' in text
    assert 'classbot_zoom_calls_total{endpoint="POST /users/me/meetings",status="503"} 1' in text
    assert re.search(r"^classbot_jobs_pending \d+$", text, re.MULTILINE)
    assert "# TYPE classbot_update_seconds histogram" in text
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
    text = metrics.render({})
    assert 'classbot_update_seconds_bucket{platform="telegram",le="0.005"} 1' in text
    assert 'classbot_update_seconds_bucket{platform="telegram",le="0.025"} 2' in text
    assert 'classbot_update_seconds_bucket{platform="telegram",le="+Inf"} 3' in text
    assert 'classbot_update_seconds_count{platform="telegram"} 3' in text
