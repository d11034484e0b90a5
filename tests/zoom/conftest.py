"""A running fake Zoom for every test that asks for one."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.fakes.zoom import FakeZoom


@pytest.fixture
def fake_zoom() -> Iterator[FakeZoom]:
    """A started FakeZoom with no users yet; stopped after the test."""
    with FakeZoom() as zoom:
        yield zoom
