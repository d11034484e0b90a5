"""Logs never hold a token, a start_url or a join link: not on success, not on any failure path."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from classbot_fakes.zoom import FakeZoom

from bot.storage.identity import PersonRef
from bot.support.logs import quiet_libraries
from bot.zoom.errors import ZoomError
from bot.zoom.models import MeetingRequest
from tests.support.zoom_app import zoom_world


async def test_a_whole_session_with_failures_logs_no_secret(
    sqlite_url: str, fake_zoom: FakeZoom, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    quiet_libraries()  # as the running bot configures them: libraries that log URLs stay quiet
    secrets: set[str] = set()
    async with zoom_world(sqlite_url, fake_zoom, tmp_path, licensed=True) as world:
        assert world.components.zoom is not None
        client = world.components.zoom.client
        teacher = PersonRef("telegram", "1001")
        account = await world.connect_teacher(teacher)
        secrets |= await _stored_tokens(world)

        fake_zoom.expire_access_tokens()
        meeting = await client.create_meeting(
            account,
            MeetingRequest(
                topic="Chess for kids",
                start=datetime.now(UTC) + timedelta(days=2),
                duration_minutes=45,
                timezone="Europe/Madrid",
                registration=True,
            ),
        )
        secrets |= await _stored_tokens(world)
        fresh = await client.get_meeting(account, meeting.id)
        registrant = await client.add_registrant(account, meeting.id, email="mia@example.org", first_name="Mia")
        secrets |= {meeting.start_url, meeting.join_url, fresh.start_url, registrant.join_url or ""}
        secrets |= {meeting.password or ""}

        fake_zoom.fail_next(500, times=5, body="<html>upstream broke</html>")
        with pytest.raises(ZoomError):
            await client.get_meeting(account, meeting.id)
        fake_zoom.fail_next(400, body={"code": 300, "message": "Invalid field."})
        with pytest.raises(ZoomError):
            await client.get_meeting(account, meeting.id)
        fake_zoom.revoke_user_tokens(world.zoom_user_id)
        with pytest.raises(ZoomError):
            await client.get_meeting(account, meeting.id)
        await world.components.worker.run_due_jobs()
        await world.components.zoom.connect.disconnect(teacher)

    secrets.discard("")
    assert secrets, "the session should have produced secrets to look for"
    # ClassBot's own records, and those of the libraries it drives (the fake Zoom's access log is not ours).
    logged = "\n".join(
        f"{record.getMessage()} {record.exc_text or ''}"
        for record in caplog.records
        if record.name.split(".")[0] in {"bot", "httpx", "httpcore", "sqlalchemy", "alembic"}
    )
    assert "refresh" in logged  # the log does describe what happened...
    for secret in secrets:
        assert secret not in logged  # ...without any of the secrets


async def _stored_tokens(world) -> set[str]:  # type: ignore[no-untyped-def]
    cipher = world.components.cipher
    return {
        value
        for connection in await world.connections()
        for value in (cipher.decrypt(connection.access_token_enc), cipher.decrypt(connection.refresh_token_enc))
    }
