"""A connect that fails is told in the teacher's private chat too, with what to do: the browser tab may be closed,
be someone else's, or show the page to someone who is not the teacher."""

from __future__ import annotations

from datetime import timedelta

from bot.storage.identity import PersonRef
from tests.support.clock import MovableClock
from tests.support.zoom_app import ZoomWorld, query_of

TEACHER = PersonRef("telegram", "1001", display_name="Ann")


async def _told(world: ZoomWorld) -> list[str]:
    await world.components.worker.run_due_jobs()
    return world.notifier.texts_for(TEACHER.user_id)


async def test_a_consent_declined_in_zoom_is_told_in_chat(world: ZoomWorld) -> None:
    link = await world.connect_flow.begin(TEACHER)
    browser = world.browser()

    await browser.finish(await browser.open_connect_link(link.url, consent=False))

    [told] = await _told(world)
    assert "declined in Zoom" in told
    assert "/connect" in told


async def test_an_expired_link_is_told_in_chat_when_it_comes_back(world: ZoomWorld, clock: MovableClock) -> None:
    link = await world.connect_flow.begin(TEACHER)
    browser = world.browser()
    callback = await browser.open_connect_link(link.url)
    clock.advance(timedelta(minutes=11))

    page = await browser.finish(callback)

    assert page.status_code == 400
    [told] = await _told(world)
    assert "expired" in told
    assert "/connect" in told


async def test_an_expired_link_opened_from_the_chat_is_told_too(world: ZoomWorld, clock: MovableClock) -> None:
    link = await world.connect_flow.begin(TEACHER)
    clock.advance(timedelta(minutes=11))

    page = await world.web.get(link.url)

    assert page.status_code == 400
    [told] = await _told(world)
    assert "expired" in told


async def test_a_replayed_callback_is_told_once_in_chat(world: ZoomWorld) -> None:
    link = await world.connect_flow.begin(TEACHER)
    browser = world.browser()
    callback = await browser.open_connect_link(link.url)
    await browser.finish(callback)
    before = len(await _told(world))

    for _ in range(3):
        replay = await browser.finish(callback)
        assert replay.status_code == 400
        assert "already used" in replay.text

    told = (await _told(world))[before:]
    assert len(told) == 1
    assert "opened again after it had been used" in told[0]


async def test_zoom_down_during_the_exchange_is_told_in_chat(world: ZoomWorld) -> None:
    link = await world.connect_flow.begin(TEACHER)
    browser = world.browser()
    callback = await browser.open_connect_link(link.url)
    world.zoom.fail_next(503, path="/oauth/token")

    await browser.finish(callback)

    [told] = await _told(world)
    assert "Zoom did not answer" in told
    assert "/connect again in a few minutes" in told


async def test_a_code_zoom_refuses_is_told_in_chat(world: ZoomWorld) -> None:
    link = await world.connect_flow.begin(TEACHER)
    browser = world.browser()
    query = query_of(await browser.open_connect_link(link.url))
    query["code"] = "not-a-code-zoom-issued"

    await browser.web.get("/zoom/oauth/callback", params=query)

    [told] = await _told(world)
    assert "Zoom did not accept" in told


async def test_a_link_finished_in_another_browser_is_told_to_its_owner(world: ZoomWorld) -> None:
    link = await world.connect_flow.begin(TEACHER)
    callback = await world.browser().open_connect_link(link.url)

    await world.fresh_browser().finish(callback)

    [told] = await _told(world)
    assert "different browser" in told


async def test_a_made_up_link_tells_no_one(world: ZoomWorld) -> None:
    await world.connect_flow.begin(TEACHER)

    page = await world.web.get("/zoom/oauth/callback", params={"code": "x", "state": "made-up"})

    assert page.status_code == 400
    assert await _told(world) == []
