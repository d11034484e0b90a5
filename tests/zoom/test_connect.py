"""The whole Zoom connect dance through the real web routes and the Zoom test server, and every way it fails."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from classbot_fakes.zoom import FakeZoom

from bot.storage.identity import PersonRef
from tests.support.database_dump import dump_database
from tests.support.zoom_app import ZoomWorld, query_of

TEACHER = PersonRef("telegram", "1001", display_name="Ann")
OTHER_TEACHER = PersonRef("telegram", "1002", display_name="Bob")


async def test_a_teacher_connects_zoom_and_is_told_in_chat(world: ZoomWorld) -> None:
    link = await world.connect_flow.begin(TEACHER)
    assert link.url.startswith("http://classbot.test/zoom/oauth/start?state=")

    response = await world.browser().connect(link.url)

    assert response.status_code == 200
    assert "Zoom is connected" in response.text
    assert "ann@example.org" in response.text
    [connection] = await world.connections()
    assert (connection.email, connection.display_name, connection.licensed) == ("ann@example.org", "Ann Lee", False)
    assert connection.timezone == "Europe/Madrid"
    assert connection.status == "active"
    await world.components.worker.run_due_jobs()
    assert any("ann@example.org is connected" in text for text in world.notifier.texts_for("1001"))


async def test_the_authorize_request_carries_pkce_and_the_exact_redirect(world: ZoomWorld) -> None:
    link = await world.connect_flow.begin(TEACHER)
    started = await world.web.get(link.url)
    query = query_of(started.headers["location"])
    assert query["response_type"] == "code"
    assert query["client_id"] == world.zoom.client_id
    assert query["redirect_uri"] == "http://classbot.test/zoom/oauth/callback"
    assert query["code_challenge_method"] == "S256"
    assert len(query["code_challenge"]) == 43
    assert query["state"] == query_of(link.url)["state"]


async def test_tokens_are_stored_only_encrypted(world: ZoomWorld, tmp_path: Path) -> None:
    link = await world.connect_flow.begin(TEACHER)
    await world.browser().connect(link.url)
    [connection] = await world.connections()
    access_token = world.components.cipher.decrypt(connection.access_token_enc)
    refresh_token = world.components.cipher.decrypt(connection.refresh_token_enc)
    # The decrypted token is the live one Zoom issued...
    me = httpx.get(f"{world.zoom.api_url}/users/me", headers={"Authorization": f"Bearer {access_token}"})
    assert me.status_code == 200
    # ...and neither token appears anywhere in the database in clear.
    stored = await dump_database(world.components)
    assert access_token not in stored
    assert refresh_token not in stored
    for file in tmp_path.glob("classbot.db*"):  # SQLite's file and its write-ahead log
        raw = file.read_bytes()
        assert access_token.encode() not in raw
        assert refresh_token.encode() not in raw


async def test_a_replayed_callback_is_refused_and_changes_nothing(world: ZoomWorld) -> None:
    link = await world.connect_flow.begin(TEACHER)
    browser = world.browser()
    callback = await browser.open_connect_link(link.url)
    assert (await browser.finish(callback)).status_code == 200
    before = [(c.id, c.access_token_enc) for c in await world.connections()]

    replay = await browser.finish(callback)

    assert replay.status_code == 400
    assert "already used" in replay.text
    assert [(c.id, c.access_token_enc) for c in await world.connections()] == before


async def test_an_expired_state_is_refused_and_stores_nothing(
    world: ZoomWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    link = await world.connect_flow.begin(TEACHER)
    browser = world.browser()
    callback = await browser.open_connect_link(link.url)
    real_clock = world.components.clock
    monkeypatch.setattr(world.connect_flow, "_clock", lambda: real_clock() + timedelta(minutes=11))

    response = await browser.finish(callback)

    assert response.status_code == 400
    assert "expired" in response.text
    assert await world.connections() == []


async def test_a_forged_state_is_refused_and_stores_nothing(world: ZoomWorld) -> None:
    code = world.zoom.authorize_code(world.zoom_user_id, redirect_uri="http://classbot.test/zoom/oauth/callback")
    world.web.cookies.set("classbot_zoom_state", "forged", path="/zoom/oauth")

    response = await world.web.get("/zoom/oauth/callback", params={"code": code, "state": "forged"})

    assert response.status_code == 400
    assert await world.connections() == []
    assert world.zoom.count("POST", "/oauth/token") == 0


async def test_a_missing_state_is_refused(world: ZoomWorld) -> None:
    response = await world.web.get("/zoom/oauth/callback", params={"code": "abc"})
    assert response.status_code == 400
    assert await world.connections() == []


async def test_a_state_swapped_into_another_browser_is_refused(world: ZoomWorld) -> None:
    """Bob's authorize link, completed in Ann's browser, must not attach Ann's Zoom to Bob (login CSRF)."""
    bobs_link = await world.connect_flow.begin(OTHER_TEACHER)
    bobs_callback = await world.browser().open_connect_link(bobs_link.url)
    victim = world.fresh_browser()

    response = await victim.finish(bobs_callback)

    assert response.status_code == 400
    assert "another browser" in response.text
    assert await world.connections() == []


async def test_each_state_binds_to_the_person_who_asked(world: ZoomWorld, fake_zoom: FakeZoom) -> None:
    bob_zoom = fake_zoom.add_user(email="bob@example.org", licensed=True)
    anns_link = await world.connect_flow.begin(TEACHER)
    bobs_link = await world.connect_flow.begin(OTHER_TEACHER)

    assert (await world.browser().connect(anns_link.url)).status_code == 200
    assert (await world.fresh_browser(bob_zoom.id).connect(bobs_link.url)).status_code == 200

    by_email = {c.email: c for c in await world.connections()}
    assert by_email["ann@example.org"].person_id != by_email["bob@example.org"].person_id
    assert by_email["bob@example.org"].licensed


async def test_denied_consent_gives_a_clear_page_and_stores_nothing(world: ZoomWorld) -> None:
    link = await world.connect_flow.begin(TEACHER)
    browser = world.browser()
    callback = await browser.open_connect_link(link.url, consent=False)
    assert query_of(callback)["error"] == "access_denied"

    response = await browser.finish(callback)

    assert response.status_code == 400
    assert "declined" in response.text
    assert await world.connections() == []
    assert await world.unused_states() == 0


async def test_zoom_down_during_the_exchange_gives_503_and_stores_nothing(world: ZoomWorld) -> None:
    link = await world.connect_flow.begin(TEACHER)
    browser = world.browser()
    callback = await browser.open_connect_link(link.url)
    world.zoom.fail_next(503, path="/oauth/token")

    response = await browser.finish(callback)

    assert response.status_code == 503
    assert "not answering" in response.text
    assert await world.connections() == []


async def test_a_code_zoom_refuses_gives_400_and_stores_nothing(world: ZoomWorld) -> None:
    link = await world.connect_flow.begin(TEACHER)
    browser = world.browser()
    callback = await browser.open_connect_link(link.url)
    query = query_of(callback)
    query["code"] = "not-a-code-zoom-issued"

    response = await browser.web.get("/zoom/oauth/callback", params=query)

    assert response.status_code == 400
    assert "did not accept" in response.text
    assert await world.connections() == []


async def test_reconnecting_replaces_the_token_set(world: ZoomWorld) -> None:
    first = await world.connect_flow.begin(TEACHER)
    await world.browser().connect(first.url)
    [before] = await world.connections()
    second = await world.connect_flow.begin(TEACHER)
    await world.fresh_browser().connect(second.url)

    [after] = await world.connections()
    assert after.access_token_enc != before.access_token_enc
    assert after.zoom_user_id == before.zoom_user_id


async def test_disconnect_revokes_at_zoom_and_deletes_the_tokens(world: ZoomWorld) -> None:
    link = await world.connect_flow.begin(TEACHER)
    await world.browser().connect(link.url)

    assert await world.connect_flow.disconnect(TEACHER) is True

    assert await world.connections() == []
    assert world.zoom.count("POST", "/oauth/revoke") == 1
    assert not world.zoom.is_authorized(world.zoom_user_id)
    assert await world.connect_flow.disconnect(TEACHER) is False


async def test_the_start_link_refuses_unknown_states(world: ZoomWorld) -> None:
    response = await world.web.get("/zoom/oauth/start", params={"state": "nope"})
    assert response.status_code == 400
    assert "/connect" in response.text
