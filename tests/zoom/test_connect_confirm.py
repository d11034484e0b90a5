"""Connecting Zoom names both sides and waits for a confirmation; a Zoom account someone else holds moves to a new
person only when its holder agrees in their chat.

A connect link forwarded to someone else must not attach the receiver's Zoom account to the sender, and a
teacher's Zoom account must never be taken from them silently: their parents would stop getting links.
"""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest
from classbot_fakes.zoom.browser import page_form

from bot.core.actions import Act
from bot.core.errors import NotAllowed
from bot.core.messages import Said
from bot.storage.identity import PersonRef
from tests.support.clock import MovableClock
from tests.support.zoom_app import ZoomWorld

ANN = PersonRef("telegram", "1001", display_name="Ann", handle="ann_lee")
MALLORY = PersonRef("telegram", "1003", display_name="Mallory", handle="mallory")
BOB = PersonRef("telegram", "1002", display_name="Bob")


async def _chat(world: ZoomWorld, who: PersonRef) -> list[Said]:
    """What ``who`` has been told privately, once the queued notices went out."""
    await world.components.worker.run_due_jobs()
    return [said for recipient, said in world.notifier.sent if recipient.user_id == who.user_id]


def _works_at_zoom(world: ZoomWorld, access_token: str) -> bool:
    me = httpx.get(f"{world.zoom.api_url}/users/me", headers={"Authorization": f"Bearer {access_token}"})
    return me.status_code == 200


async def test_the_callback_names_both_sides_and_stores_nothing_until_confirmed(world: ZoomWorld) -> None:
    link = await world.connect_flow.begin(MALLORY)
    browser = world.browser()  # signed in to Ann's Zoom: Mallory forwarded her link to Ann
    callback = await browser.open_connect_link(link.url)

    page = await browser.finish(callback)

    assert page.status_code == 200
    assert "Connect the Zoom account ann@example.org to ClassBot for Telegram user Mallory (@mallory)?" in page.text
    form = page_form(page.text)
    assert form is not None
    assert form.method == "post"
    assert await world.connections() == []

    done = await browser.confirm(page)

    assert done.status_code == 200
    assert "Zoom is connected" in done.text
    [connection] = await world.connections()
    assert connection.email == "ann@example.org"
    assert any("ann@example.org is connected" in said.text for said in await _chat(world, MALLORY))


async def test_a_forwarded_link_cancelled_by_its_receiver_connects_nothing_and_leaves_no_grant(
    world: ZoomWorld,
) -> None:
    link = await world.connect_flow.begin(MALLORY)
    browser = world.browser()
    page = await browser.finish(await browser.open_connect_link(link.url))

    cancelled = await browser.confirm(page, decision="cancel")

    assert cancelled.status_code == 200
    assert "Nothing was connected" in cancelled.text
    assert await world.connections() == []
    assert not world.zoom.is_authorized(world.zoom_user_id)  # the grant Zoom issued for the page is revoked
    told = [said.text for said in await _chat(world, MALLORY)]
    assert any("was not connected" in text and "/connect" in text for text in told)


async def test_a_confirmation_without_its_token_or_from_another_browser_is_refused(world: ZoomWorld) -> None:
    link = await world.connect_flow.begin(MALLORY)
    browser = world.browser()
    page = await browser.finish(await browser.open_connect_link(link.url))
    form = page_form(page.text)
    assert form is not None

    forged = await browser.web.post(form.action, data={**form.fields, "csrf": "guessed", "decision": "connect"})
    elsewhere = await world.fresh_browser().web.post(form.action, data={**form.fields, "decision": "connect"})

    assert forged.status_code == 403
    assert elsewhere.status_code == 400
    assert await world.connections() == []
    # The real page still works: the refused posts spent nothing.
    assert "Zoom is connected" in (await browser.confirm(page)).text


async def test_a_confirmation_posted_twice_connects_once(world: ZoomWorld) -> None:
    link = await world.connect_flow.begin(ANN)
    browser = world.browser()
    page = await browser.finish(await browser.open_connect_link(link.url))
    assert (await browser.confirm(page)).status_code == 200
    before = [(c.id, c.access_token_enc) for c in await world.connections()]

    again = await browser.confirm(page)

    assert again.status_code == 400
    assert [(c.id, c.access_token_enc) for c in await world.connections()] == before


async def test_an_unconfirmed_page_expires_and_its_grant_is_revoked(world: ZoomWorld, clock: MovableClock) -> None:
    link = await world.connect_flow.begin(MALLORY)
    browser = world.browser()
    page = await browser.finish(await browser.open_connect_link(link.url))
    clock.advance(timedelta(minutes=11))

    late = await browser.confirm(page)

    assert late.status_code == 400
    assert "expired" in late.text
    assert await world.connections() == []
    told = [said.text for said in await _chat(world, MALLORY)]  # the expiry's job runs with the notices
    assert not world.zoom.is_authorized(world.zoom_user_id)
    assert any("not confirmed" in text for text in told)


async def test_a_zoom_account_held_by_someone_else_stays_theirs_until_they_agree(world: ZoomWorld) -> None:
    await world.connect_teacher(ANN)
    [anns] = await world.connections()
    link = await world.connect_flow.begin(BOB)
    browser = world.fresh_browser()  # Bob signs in to Ann's Zoom account (he knows her password, or it is his)
    page = await browser.finish(await browser.open_connect_link(link.url))
    assert "already connected to ClassBot for someone else" in page.text

    asked = await browser.confirm(page)

    assert asked.status_code == 200
    assert "asked" in asked.text
    [still] = await world.connections()
    assert (still.id, still.person_id, still.status) == (anns.id, anns.person_id, "active")
    # Zoom killed Ann's earlier token set when it issued Bob's page one: she holds the live one now.
    assert _works_at_zoom(world, world.components.cipher.decrypt(still.access_token_enc))
    [question] = [said for said in await _chat(world, ANN) if said.buttons]
    assert "Telegram user Bob" in question.text
    assert "ann@example.org" in question.text
    give = next(b.action for b in question.buttons if b.action and b.action.act is Act.HAND_ZOOM_OVER)

    await world.connect_flow.answer_handover(ANN, give.value, agree=True)

    [moved] = await world.connections()
    assert moved.id == anns.id
    assert moved.person_id != anns.person_id
    assert await world.connect_flow.status(BOB) == "active"
    assert await world.connect_flow.status(ANN) is None
    assert any("ann@example.org is connected" in said.text for said in await _chat(world, BOB))


async def test_the_holder_may_keep_their_zoom_account(world: ZoomWorld) -> None:
    await world.connect_teacher(ANN)
    link = await world.connect_flow.begin(BOB)
    browser = world.fresh_browser()
    await browser.confirm(await browser.finish(await browser.open_connect_link(link.url)))
    [question] = [said for said in await _chat(world, ANN) if said.buttons]
    keep = next(b.action for b in question.buttons if b.action and b.action.act is Act.KEEP_ZOOM)

    await world.connect_flow.answer_handover(ANN, keep.value, agree=False)

    assert await world.connect_flow.status(ANN) == "active"
    assert await world.connect_flow.status(BOB) is None
    assert any("kept" in said.text for said in await _chat(world, BOB))


async def test_only_the_holder_can_hand_their_zoom_account_over(world: ZoomWorld) -> None:
    await world.connect_teacher(ANN)
    link = await world.connect_flow.begin(BOB)
    browser = world.fresh_browser()
    await browser.confirm(await browser.finish(await browser.open_connect_link(link.url)))
    [question] = [said for said in await _chat(world, ANN) if said.buttons]
    give = next(b.action for b in question.buttons if b.action and b.action.act is Act.HAND_ZOOM_OVER)
    before = [(c.id, c.person_id) for c in await world.connections()]

    with pytest.raises(NotAllowed):
        await world.connect_flow.answer_handover(BOB, give.value, agree=True)

    assert [(c.id, c.person_id) for c in await world.connections()] == before


async def test_reconnecting_ones_own_zoom_account_needs_no_confirmation(world: ZoomWorld) -> None:
    await world.connect_teacher(ANN)
    [before] = await world.connections()
    link = await world.connect_flow.begin(ANN)
    browser = world.fresh_browser()

    done = await browser.finish(await browser.open_connect_link(link.url))

    assert "Zoom is connected" in done.text
    [after] = await world.connections()
    assert after.id == before.id
    assert after.access_token_enc != before.access_token_enc


async def test_a_newer_authorization_of_a_zoom_account_supersedes_an_unconfirmed_one(world: ZoomWorld) -> None:
    """Zoom kills a user's earlier tokens when it issues new ones: the earlier page must not store dead tokens."""
    first, second = world.browser(), world.fresh_browser()
    earlier = await first.finish(await first.open_connect_link((await world.connect_flow.begin(MALLORY)).url))
    later = await second.finish(await second.open_connect_link((await world.connect_flow.begin(BOB)).url))

    assert (await first.confirm(earlier)).status_code == 400
    assert "Zoom is connected" in (await second.confirm(later)).text

    [connection] = await world.connections()
    assert _works_at_zoom(world, world.components.cipher.decrypt(connection.access_token_enc))
    assert await world.connect_flow.status(BOB) == "active"
    assert await world.connect_flow.status(MALLORY) is None
