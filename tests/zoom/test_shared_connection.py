"""One person on Telegram and Slack may share one Zoom connection once its holder agrees: one token set, refreshed
once, used by both; either side may leave it and the other keeps it, and the tokens are revoked only when the last
one leaves.

Zoom gives one token set per Zoom user and app: two rows with their own tokens would kill each other at every
refresh, and a teacher on both apps would lose their links on one of them.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from classbot_fakes.zoom import FakeZoom

from bot.core.actions import Act
from bot.core.meetings import MeetingKeeper
from bot.i18n.texts import source
from bot.storage.identity import PersonRef
from bot.storage.people import People
from bot.zoom.client import ZoomClient
from bot.zoom.credentials import ZoomAccount
from tests.support.clock import MovableClock
from tests.support.zoom_app import ZoomWorld, zoom_world

ANN = PersonRef("telegram", "1001", display_name="Ann", handle="ann_lee")
ANN_ON_SLACK = PersonRef("slack", "U0ANN", display_name="Ann Lee", handle="ann")


@pytest.fixture
async def world(database_url: str, fake_zoom: FakeZoom, tmp_path: Path) -> AsyncIterator[ZoomWorld]:
    # Licensed: the client's own rate limiter then lets a burst of calls through at once.
    async with zoom_world(
        database_url, fake_zoom, tmp_path, clock=MovableClock(), licensed=True, slack_too=True
    ) as built:
        yield built


def _client(world: ZoomWorld) -> ZoomClient:
    assert world.components.zoom is not None
    return world.components.zoom.client


def _meetings(world: ZoomWorld) -> MeetingKeeper:
    return world.components.meetings


async def _id(world: ZoomWorld, who: PersonRef) -> int:
    async with world.components.database.read() as session:
        person = await People(session).find(who)
    assert person is not None
    return person.id


def _refreshes(zoom: FakeZoom) -> int:
    return sum(
        1
        for call in zoom.calls
        if call.path == "/oauth/token" and (call.form or {}).get("grant_type") == "refresh_token"
    )


async def _share(world: ZoomWorld) -> None:
    """Ann connected on Telegram; Ann on Slack signs in to the same Zoom account, and Ann on Telegram shares it."""
    await world.connect_teacher(ANN)
    link = await world.connect_flow.begin(ANN_ON_SLACK)
    browser = world.fresh_browser()
    await browser.confirm(await browser.finish(await browser.open_connect_link(link.url)))
    await world.components.worker.run_due_jobs()
    [question] = [said for recipient, said in world.notifier.sent if recipient.user_id == ANN.user_id and said.buttons]
    share = next(b.action for b in question.buttons if b.action and b.action.act is Act.SHARE_ZOOM)
    told = await world.connect_flow.answer_handover(ANN, share.value, agree=True, share=True)
    assert "ann@example.org is shared with Slack user Ann Lee in ClassBot" in source(told)
    await world.components.worker.run_due_jobs()
    assert any("ann@example.org is connected" in text for text in world.notifier.texts_for(ANN_ON_SLACK.user_id))


async def _account(world: ZoomWorld, who: PersonRef) -> ZoomAccount:
    return await _meetings(world).account_of_teacher(await _id(world, who))


async def test_both_sides_of_a_shared_connection_use_one_token_set_refreshed_once(world: ZoomWorld) -> None:
    await _share(world)

    [connection] = await world.connections()
    telegram, slack = await _account(world, ANN), await _account(world, ANN_ON_SLACK)
    assert telegram.connection_id == slack.connection_id == connection.id
    assert await world.connect_flow.status(ANN) == await world.connect_flow.status(ANN_ON_SLACK) == "active"
    async with world.components.database.read() as session:
        assert await People(session).zoom_timezone(await _id(world, ANN_ON_SLACK)) == "Europe/Madrid"

    world.zoom.expire_access_tokens()
    users = await asyncio.gather(*(_client(world).get_me(account) for account in [telegram, slack] * 10))

    assert {user.email for user in users} == {"ann@example.org"}
    assert _refreshes(world.zoom) == 1


@pytest.mark.parametrize("leaving", [ANN, ANN_ON_SLACK], ids=["holder", "sharer"])
async def test_one_side_disconnects_and_the_other_keeps_the_connection(world: ZoomWorld, leaving: PersonRef) -> None:
    await _share(world)
    staying = ANN_ON_SLACK if leaving is ANN else ANN
    [before] = await world.connections()

    assert await world.connect_flow.disconnect(leaving)

    assert await world.connect_flow.status(leaving) is None
    assert await world.connect_flow.status(staying) == "active"
    [after] = await world.connections()
    assert (after.id, after.person_id) == (before.id, await _id(world, staying))
    assert world.zoom.is_authorized(world.zoom_user_id)
    assert (await _client(world).get_me(await _account(world, staying))).email == "ann@example.org"

    assert await world.connect_flow.disconnect(staying)

    assert await world.connections() == []
    assert not world.zoom.is_authorized(world.zoom_user_id)


async def test_forgetting_one_side_keeps_the_tokens_for_the_other_and_both_revokes_them(world: ZoomWorld) -> None:
    await _share(world)

    forgotten = await world.components.privacy.forget(ANN)
    await world.components.worker.run_due_jobs()

    assert forgotten.zoom_disconnected
    [kept] = await world.connections()
    assert kept.person_id == await _id(world, ANN_ON_SLACK)
    assert world.zoom.is_authorized(world.zoom_user_id)
    assert (await _client(world).get_me(await _account(world, ANN_ON_SLACK))).email == "ann@example.org"

    await world.components.privacy.forget(ANN_ON_SLACK)
    await world.components.worker.run_due_jobs()

    assert await world.connections() == []
    assert not world.zoom.is_authorized(world.zoom_user_id)


async def test_removing_the_app_in_zoom_ends_the_connection_for_both_and_tells_both(world: ZoomWorld) -> None:
    await _share(world)
    told_before = len(world.notifier.sent)

    await world.connect_flow.deauthorized(world.zoom_user_id)
    await world.components.worker.run_due_jobs()

    assert await world.connections() == []
    assert await world.connect_flow.status(ANN) is None
    assert await world.connect_flow.status(ANN_ON_SLACK) is None
    removed = [recipient.user_id for recipient, said in world.notifier.sent[told_before:] if "removed" in said.text]
    assert sorted(removed) == sorted([ANN.user_id, ANN_ON_SLACK.user_id])


async def test_a_shared_connection_handed_over_to_someone_else_is_theirs_alone(world: ZoomWorld) -> None:
    await _share(world)
    bob = PersonRef("telegram", "1002", display_name="Bob")
    link = await world.connect_flow.begin(bob)
    browser = world.fresh_browser()
    await browser.confirm(await browser.finish(await browser.open_connect_link(link.url)))
    await world.components.worker.run_due_jobs()
    asked = [said for recipient, said in world.notifier.sent if recipient.user_id == ANN.user_id and said.buttons]
    give = next(b.action for b in asked[-1].buttons if b.action and b.action.act is Act.HAND_ZOOM_OVER)

    await world.connect_flow.answer_handover(ANN, give.value, agree=True)
    await world.components.worker.run_due_jobs()

    assert await world.connect_flow.status(bob) == "active"
    assert await world.connect_flow.status(ANN) is None
    assert await world.connect_flow.status(ANN_ON_SLACK) is None
    handed = [said for recipient, said in world.notifier.sent if recipient.user_id == ANN_ON_SLACK.user_id]
    assert any("you shared in ClassBot was handed over to Telegram user Bob" in said.text for said in handed)
