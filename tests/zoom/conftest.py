"""The Zoom tests' world: ClassBot's web routes and core against the Zoom test server, on a clock they move."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from classbot_fakes.zoom import FakeZoom

from tests.support.clock import MovableClock
from tests.support.zoom_app import ZoomWorld, zoom_world


@pytest.fixture
def clock() -> MovableClock:
    return MovableClock()


@pytest.fixture
async def world(
    database_url: str, fake_zoom: FakeZoom, tmp_path: Path, clock: MovableClock
) -> AsyncIterator[ZoomWorld]:
    async with zoom_world(database_url, fake_zoom, tmp_path, clock=clock) as built:
        yield built
