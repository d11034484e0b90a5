"""Teachers' Zoom tokens: refreshed ahead of expiry and after a 401, once at a time, across tasks and processes."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest
from classbot_fakes.zoom import FakeZoom

from bot.storage.identity import PersonRef
from bot.zoom.credentials import ZoomAccount
from bot.zoom.errors import ZoomReconnectNeeded
from tests.support.bot_process import REPOSITORY
from tests.support.clock import MovableClock
from tests.support.zoom_app import ZoomWorld, zoom_world

TEACHER = PersonRef("telegram", "1001", display_name="Ann")


@pytest.fixture
def clock() -> MovableClock:
    return MovableClock()


@pytest.fixture
async def world(
    database_url: str, fake_zoom: FakeZoom, tmp_path: Path, clock: MovableClock
) -> AsyncIterator[ZoomWorld]:
    # A licensed (Pro) teacher: the client's own rate limiter then lets a 20-call burst through at once.
    async with zoom_world(database_url, fake_zoom, tmp_path, clock=clock, licensed=True) as built:
        yield built


def _refreshes(zoom: FakeZoom) -> int:
    return sum(
        1
        for call in zoom.calls
        if call.path == "/oauth/token" and (call.form or {}).get("grant_type") == "refresh_token"
    )


def _invalid_grants(zoom: FakeZoom) -> int:
    return sum(1 for call in zoom.calls if call.path == "/oauth/token" and call.status == 400)


def _client(world: ZoomWorld):  # type: ignore[no-untyped-def]
    assert world.components.zoom is not None
    return world.components.zoom.client


async def test_twenty_concurrent_calls_on_an_expired_token_refresh_exactly_once(world: ZoomWorld) -> None:
    account = await world.connect_teacher(TEACHER)
    world.zoom.expire_access_tokens()

    users = await asyncio.gather(*(_client(world).get_me(account) for _ in range(20)))

    assert {user.email for user in users} == {"ann@example.org"}
    assert _refreshes(world.zoom) == 1
    assert _invalid_grants(world.zoom) == 0


async def test_a_token_near_expiry_is_refreshed_before_the_call(world: ZoomWorld, clock: MovableClock) -> None:
    account = await world.connect_teacher(TEACHER)
    clock.advance(timedelta(seconds=3599 - 60))  # inside the refresh margin, before the real expiry

    await asyncio.gather(*(_client(world).get_me(account) for _ in range(20)))

    assert _refreshes(world.zoom) == 1
    assert world.zoom.count("GET", "/v2/users/me$") == 21  # 1 during connect + 20, none refused with 401
    assert all(call.status != 401 for call in world.zoom.calls)


async def test_a_teacher_who_reconnects_as_another_zoom_user_acts_as_that_user_at_once(world: ZoomWorld) -> None:
    first = await world.connect_teacher(TEACHER)
    assert (await _client(world).get_me(first)).email == "ann@example.org"  # its token is now in hand
    other = world.zoom.add_user(email="ann.school@example.org", first_name="Ann", licensed=True)
    assert world.components.zoom is not None

    link = await world.components.zoom.connect.begin(TEACHER)
    assert (await world.fresh_browser(other.id).connect(link.url)).status_code == 200
    [connection] = await world.connections()
    second = ZoomAccount(connection.id, connection.zoom_account_id, connection.licensed)

    assert (await _client(world).get_me(second)).email == "ann.school@example.org"


async def test_a_401_mid_call_refreshes_once_and_the_call_succeeds(world: ZoomWorld) -> None:
    account = await world.connect_teacher(TEACHER)
    world.zoom.expire_access_tokens()

    user = await _client(world).get_me(account)

    assert user.email == "ann@example.org"
    assert _refreshes(world.zoom) == 1
    me_calls = [call.status for call in world.zoom.calls if call.path == "/v2/users/me"]
    assert me_calls[-2:] == [401, 200]


async def test_the_rotated_refresh_token_is_committed_before_use(world: ZoomWorld) -> None:
    account = await world.connect_teacher(TEACHER)
    [before] = await world.connections()
    world.zoom.expire_access_tokens()

    await _client(world).get_me(account)

    [after] = await world.connections()
    cipher = world.components.cipher
    assert cipher.decrypt(after.refresh_token_enc) != cipher.decrypt(before.refresh_token_enc)
    # The stored pair is the live one: a second expiry refreshes with it without invalid_grant.
    world.zoom.expire_access_tokens()
    await _client(world).get_me(account)
    assert _refreshes(world.zoom) == 2
    assert _invalid_grants(world.zoom) == 0


async def test_a_dead_refresh_token_marks_reconnect_needed_and_tells_the_teacher(world: ZoomWorld) -> None:
    account = await world.connect_teacher(TEACHER)
    world.zoom.revoke_user_tokens(world.zoom_user_id)

    with pytest.raises(ZoomReconnectNeeded):
        await _client(world).get_me(account)
    with pytest.raises(ZoomReconnectNeeded):
        await _client(world).get_me(account)  # no second refresh attempt against a dead token

    [connection] = await world.connections()
    assert connection.status == "reconnect_needed"
    assert _refreshes(world.zoom) == 1
    await world.components.worker.run_due_jobs()
    told = world.notifier.texts_for("1001")
    assert sum("stopped working" in text for text in told) == 1


async def test_missing_scopes_mean_reconnect_not_a_refresh_loop(world: ZoomWorld) -> None:
    account = await world.connect_teacher(TEACHER)
    world.zoom.set_scopes(world.zoom_user_id, ["meeting:read:meeting"])

    with pytest.raises(ZoomReconnectNeeded):
        await _client(world).get_me(account)

    assert _refreshes(world.zoom) == 0
    [connection] = await world.connections()
    assert connection.status == "reconnect_needed"
    await world.components.worker.run_due_jobs()
    assert any("stopped working" in text for text in world.notifier.texts_for("1001"))


async def test_reconnecting_clears_reconnect_needed(world: ZoomWorld) -> None:
    account = await world.connect_teacher(TEACHER)
    world.zoom.revoke_user_tokens(world.zoom_user_id)
    with pytest.raises(ZoomReconnectNeeded):
        await _client(world).get_me(account)

    account = await world.connect_teacher(TEACHER)

    assert (await _client(world).get_me(account)).email == "ann@example.org"
    [connection] = await world.connections()
    assert connection.status == "active"


@pytest.mark.slow
async def test_two_processes_on_one_postgres_refresh_exactly_once(
    postgres_url: str, fake_zoom: FakeZoom, tmp_path: Path
) -> None:
    async with zoom_world(postgres_url, fake_zoom, tmp_path, licensed=True) as world:
        account = await world.connect_teacher(TEACHER)
        key = world.components.settings.encryption_key
        assert key is not None
        world.zoom.expire_access_tokens()
        go = tmp_path / "go"
        environment = {
            **os.environ,
            "PYTHONPATH": str(REPOSITORY),
            "DATABASE_URL": postgres_url,
            "ENCRYPTION_KEY": key.get_secret_value(),
            "ZOOM_CLIENT_ID": fake_zoom.client_id,
            "ZOOM_CLIENT_SECRET": fake_zoom.client_secret,
            "ZOOM_OAUTH_URL": fake_zoom.oauth_url,
            "ZOOM_API_URL": fake_zoom.api_url,
        }
        command = [sys.executable, "-m", "tests.support.refresh_burst", str(go), _account_arg(account), "20"]
        workers = [
            subprocess.Popen(command, env=environment, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
            for _ in range(2)
        ]
        go.touch()
        results = [worker.communicate(timeout=60) for worker in workers]

    for worker, (out, err) in zip(workers, results, strict=True):
        assert worker.returncode == 0, err.decode()
        assert out.decode().split() == ["ann@example.org"] * 20
    assert _refreshes(fake_zoom) == 1
    assert _invalid_grants(fake_zoom) == 0


def _account_arg(account: ZoomAccount) -> str:
    return f"{account.connection_id}:{account.account_id}:{int(account.licensed)}"
