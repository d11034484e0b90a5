"""Zoom's webhook: only Zoom gets in, each event is processed once, and deauthorization deletes the tokens."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from classbot_fakes.zoom import FakeZoom
from classbot_fakes.zoom.webhooks import (
    deauthorization_event,
    encode,
    encrypted_token,
    event,
    signed_headers,
    url_validation_event,
)
from sqlalchemy import func, select

from bot.app import build_components, create_web_app
from bot.config import load_settings
from bot.storage.identity import PersonRef
from bot.storage.models import Job
from bot.zoom.webhook import parse_event
from tests.support.zoom_app import WEBHOOK_SECRET, ZoomWorld, zoom_world

TEACHER = PersonRef("telegram", "1001", display_name="Ann")


@pytest.fixture
async def world(database_url: str, fake_zoom: FakeZoom, tmp_path: Path) -> AsyncIterator[ZoomWorld]:
    async with zoom_world(database_url, fake_zoom, tmp_path) as built:
        yield built


async def _jobs(world: ZoomWorld) -> int:
    async with world.components.database.read() as session:
        return int((await session.execute(select(func.count()).select_from(Job))).scalar_one())


async def _post(world: ZoomWorld, body: bytes, headers: dict[str, str]):  # type: ignore[no-untyped-def]
    return await world.web.post("/zoom/webhook", content=body, headers=headers)


async def test_the_url_validation_challenge_is_answered(world: ZoomWorld) -> None:
    body = encode(url_validation_event("plain-123"))

    response = await _post(world, body, signed_headers(WEBHOOK_SECRET, body))

    assert response.status_code == 200
    assert response.json() == {
        "plainToken": "plain-123",
        "encryptedToken": encrypted_token(WEBHOOK_SECRET, "plain-123"),
    }


@pytest.mark.parametrize(
    "tamper",
    [
        pytest.param(lambda body: {"content-type": "application/json"}, id="unsigned"),
        pytest.param(lambda body: signed_headers("not-the-secret", body), id="wrong-secret"),
        pytest.param(lambda body: signed_headers(WEBHOOK_SECRET, body + b" "), id="other-body"),
        pytest.param(lambda body: signed_headers(WEBHOOK_SECRET, body, timestamp=int(time.time()) - 301), id="stale"),
        pytest.param(lambda body: signed_headers(WEBHOOK_SECRET, body, timestamp=int(time.time()) + 301), id="future"),
        pytest.param(
            lambda body: {**signed_headers(WEBHOOK_SECRET, body), "x-zm-request-timestamp": "soon"}, id="bad-stamp"
        ),
    ],
)
async def test_a_request_not_proven_to_come_from_zoom_is_refused(world: ZoomWorld, tamper) -> None:  # type: ignore[no-untyped-def]
    body = encode(event("meeting.started", {"id": "123", "host_id": "x"}, account_id="acc"))

    response = await _post(world, body, tamper(body))

    assert response.status_code == 401
    assert await _jobs(world) == 0


async def test_a_signed_validation_with_a_wrong_signature_gets_no_token(world: ZoomWorld) -> None:
    body = encode(url_validation_event("plain-123"))
    response = await _post(world, body, signed_headers("guess", body))
    assert response.status_code == 401
    assert "encryptedToken" not in response.text


async def test_a_redelivered_event_is_processed_once(world: ZoomWorld) -> None:
    body = encode(event("meeting.ended", {"id": "88012345678", "host_id": "h"}, account_id="acc"))

    first = await _post(world, body, signed_headers(WEBHOOK_SECRET, body))
    again = await _post(world, body, signed_headers(WEBHOOK_SECRET, body, timestamp=int(time.time()) + 1))

    assert first.json() == {"status": "accepted"}
    assert again.status_code == 200
    assert again.json() == {"status": "duplicate"}
    assert await _jobs(world) == 1


async def test_deauthorization_deletes_the_tokens_and_tells_the_teacher(world: ZoomWorld) -> None:
    await world.connect_teacher(TEACHER)
    zoom_user = world.zoom.user(world.zoom_user_id)
    body = encode(deauthorization_event(zoom_user, world.zoom.client_id))

    response = await _post(world, body, signed_headers(WEBHOOK_SECRET, body))
    await world.components.worker.run_due_jobs()

    assert response.status_code == 200
    assert await world.connections() == []
    await world.components.worker.run_due_jobs()  # the notification queued by the deauthorization
    assert any("removed from your Zoom account" in text for text in world.notifier.texts_for("1001"))


@pytest.mark.parametrize(
    ("body", "status"),
    [
        pytest.param(b"not json", 400, id="not-json"),
        pytest.param(b"[1, 2]", 400, id="not-an-object"),
        pytest.param(b'{"event": "meeting.started"}', 400, id="no-payload"),
        pytest.param(b'{"event": "endpoint.url_validation", "payload": {}}', 400, id="no-plain-token"),
    ],
)
async def test_a_signed_but_malformed_body_is_refused_without_effect(
    world: ZoomWorld, body: bytes, status: int
) -> None:
    response = await _post(world, body, signed_headers(WEBHOOK_SECRET, body))
    assert response.status_code == status
    assert await _jobs(world) == 0


async def test_an_oversized_body_is_refused_before_it_is_read(world: ZoomWorld) -> None:
    body = b"{" + b" " * (70 * 1024) + b"}"
    response = await _post(world, body, signed_headers(WEBHOOK_SECRET, body))
    assert response.status_code == 413
    assert await _jobs(world) == 0


async def test_without_a_secret_token_the_webhook_is_closed(database_url: str, tmp_path: Path) -> None:
    settings = load_settings(database_url=database_url, data_dir=tmp_path)
    async with build_components(settings, start_worker=False) as components:
        transport = httpx.ASGITransport(app=create_web_app(components))
        async with httpx.AsyncClient(transport=transport, base_url="http://classbot") as web:
            body = encode(url_validation_event("x"))
            response = await web.post("/zoom/webhook", content=body, headers=signed_headers("any", body))
    assert response.status_code == 503


@pytest.mark.parametrize("meeting_id", [88012345678, "88012345678"])
def test_meeting_ids_are_strings_whatever_zoom_sent(meeting_id: object) -> None:
    parsed = parse_event(event("meeting.deleted", {"id": meeting_id, "host_id": "h"}, account_id="a"))
    assert parsed.meeting_id == "88012345678"


def test_a_participant_is_keyed_by_registrant_first() -> None:
    obj = {"id": 1, "participant": {"registrant_id": "r1", "user_name": "Mia", "user_id": "16778240"}}
    parsed = parse_event(event("meeting.participant_joined", obj, account_id="a"))
    assert (parsed.participant_key, parsed.participant_name) == ("r1", "Mia")
