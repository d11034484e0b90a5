"""Malformed, oversized, wrongly typed and unsigned requests at every endpoint: a clear 4xx, no state change."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.fakes.zoom import FakeZoom
from bot.handlers.telegram.render import valid_payload
from tests.support.database_dump import dump_database
from tests.support.zoom_app import ZoomWorld, zoom_world

BIG = b"x" * (2 * 1024 * 1024)


@pytest.fixture
async def world(sqlite_url: str, fake_zoom: FakeZoom, tmp_path: Path) -> AsyncIterator[ZoomWorld]:
    async with zoom_world(sqlite_url, fake_zoom, tmp_path) as built:
        yield built


@pytest.mark.parametrize(
    ("method", "path", "kwargs"),
    [
        ("POST", "/zoom/webhook", {"content": b"{}"}),
        ("POST", "/zoom/webhook", {"content": BIG}),
        ("POST", "/zoom/webhook", {"content": b"\xff\xfe not json", "headers": {"x-zm-signature": "v0=00"}}),
        ("GET", "/zoom/webhook", {}),
        ("GET", "/zoom/oauth/callback", {}),
        ("GET", "/zoom/oauth/callback", {"params": {"state": "x" * 5000, "code": "y"}}),
        ("GET", "/zoom/oauth/callback", {"params": {"error": "access_denied"}}),
        ("GET", "/zoom/oauth/start", {"params": {"state": "\x00\x01"}}),
        ("POST", "/zoom/oauth/callback", {"content": BIG}),
        ("POST", "/telegram/webhook", {"json": {"update_id": 1}}),
        ("POST", "/telegram/webhook", {"content": BIG}),
        ("GET", "/nowhere", {}),
    ],
)
async def test_a_hostile_request_gets_a_4xx_and_changes_nothing(
    world: ZoomWorld, method: str, path: str, kwargs: dict[str, object]
) -> None:
    before = await dump_database(world.components)
    response = await world.web.request(method, path, **kwargs)  # type: ignore[arg-type]
    assert 400 <= response.status_code < 500, (response.status_code, response.text[:200])
    assert await dump_database(world.components) == before


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(query=st.dictionaries(st.sampled_from(["state", "code", "error"]), st.text(max_size=300), max_size=3))
async def test_no_callback_query_crashes_the_oauth_route(world: ZoomWorld, query: dict[str, str]) -> None:
    response = await world.web.get("/zoom/oauth/callback", params=query)
    assert response.status_code in (200, 400, 503)
    assert await world.connections() == []


@given(st.text(max_size=100))
def test_deep_link_payloads_are_accepted_only_in_telegrams_alphabet(payload: str) -> None:
    accepted = valid_payload(payload)
    assert accepted == (0 < len(payload) <= 64 and all(c.isascii() and (c.isalnum() or c in "_-") for c in payload))
