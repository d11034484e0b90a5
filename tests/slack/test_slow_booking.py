"""A parent books in a slow moment: the database answers slowly (each answer held back by a proxy), so the booking
is not decided within Slack's 3 seconds. The form still closes in time (Slack would otherwise show the parent an
error although the seat was booked), and the outcome, a seat or a refusal, comes by direct message, once."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from classbot_fakes.slack import FakeSlackChannel, FakeSlackUser

from tests.reliability.database_proxy import DatabaseProxy
from tests.slack.world import SlackWorld, slack_world

pytestmark = pytest.mark.slow

SLOW_ANSWERS = 0.6  # seconds each database answer is held back: a booking's statements then take over 3 s


@pytest.fixture
def proxy(postgres_url: str) -> Iterator[DatabaseProxy]:
    proxy = DatabaseProxy(postgres_url)
    proxy.start()
    try:
        yield proxy
    finally:
        proxy.stop()


@pytest.fixture
async def world(tmp_path: Path, proxy: DatabaseProxy) -> AsyncIterator[SlackWorld]:
    async with slack_world(tmp_path, proxy.url, mode="http") as built:
        yield built


async def _class_on_offer(world: SlackWorld) -> tuple[FakeSlackUser, FakeSlackUser, FakeSlackChannel]:
    slack = world.slack
    admin, teacher, parent = slack.add_user("Ada", is_admin=True), slack.add_user("Ann"), slack.add_user("Pat")
    room = slack.add_channel("chess", members=[admin, teacher, parent])
    await world.set_up_channel(admin, room)
    await world.connect_zoom(teacher, world.zoom.add_user(email="ann@example.org").id)
    await world.create_class(teacher, "Slow chess", channel=room)
    return teacher, parent, room


async def test_a_booking_slower_than_slacks_deadline_closes_the_form_in_time_and_is_told_by_dm(
    world: SlackWorld, proxy: DatabaseProxy
) -> None:
    slack = world.slack
    _, parent, room = await _class_on_offer(world)
    await slack.press(parent, await world.said(room, "New class"), "Book a seat")
    form = await slack.wait_for_view(parent, lambda view: view.callback_id == "book_seat")

    proxy.answer_delay = SLOW_ANSWERS
    submitted = await slack.submit_view(parent, form, {"child": {"value": "Mia"}})
    proxy.answer_delay = 0.0
    booked = await world.said(parent, "Here is your Zoom link", timeout=60)
    await world.all_handled(timeout=60)

    assert submitted.errors is None
    assert submitted.seconds is not None
    assert submitted.seconds < 3.0
    assert [url for url in booked.links if "/j/" in url]
    assert len([m for m in slack.messages(parent) if "Here is your Zoom link" in m.all_text]) == 1
    slack.assert_acks_in_time()


async def test_a_refusal_decided_after_the_form_closed_comes_by_dm(world: SlackWorld, proxy: DatabaseProxy) -> None:
    slack = world.slack
    teacher, parent, room = await _class_on_offer(world)
    await slack.press(parent, await world.said(room, "New class"), "Book a seat")
    form = await slack.wait_for_view(parent, lambda view: view.callback_id == "book_seat")
    home = await slack.wait_for_home(teacher, lambda view: "Slow chess" in view.all_text)
    await slack.press(teacher, home, "Cancel the class")
    await slack.wait_for_home(teacher, lambda view: "You teach no upcoming class" in view.all_text)

    proxy.answer_delay = 2 * SLOW_ANSWERS
    submitted = await slack.submit_view(parent, form, {"child": {"value": "Mia"}})
    proxy.answer_delay = 0.0
    refused = await world.said(parent, "cancelled", timeout=60)
    await world.all_handled(timeout=60)

    assert submitted.errors is None  # the form closed in time; the refusal went by direct message
    assert submitted.seconds is not None
    assert submitted.seconds < 3.0
    assert "Slow chess" in refused.all_text
    assert not world.zoom_links_in(parent)
    slack.assert_acks_in_time()


async def test_a_book_press_in_a_slow_moment_still_opens_the_form(world: SlackWorld, proxy: DatabaseProxy) -> None:
    """Slack honours a press's trigger for 3 s; a form that takes longer to make opens as an hourglass in time and
    becomes the form, instead of failing with expired_trigger and leaving the parent with nothing."""
    slack = world.slack
    _, parent, room = await _class_on_offer(world)
    card = await world.said(room, "New class")

    proxy.answer_delay = SLOW_ANSWERS
    await slack.press(parent, card, "Book a seat")
    # Each of the form's statements waits for its answer: the form is made in about 10 s.
    form = await slack.wait_for_view(parent, lambda view: view.callback_id == "book_seat", timeout=90)
    proxy.answer_delay = 0.0
    await slack.submit_view(parent, form, {"child": {"value": "Mia"}})
    await world.said(parent, "Here is your Zoom link", timeout=60)

    refused = [call.error for call in slack.calls if call.method.startswith("views.") and not call.ok]
    assert refused == []
    assert slack.count("views.update") == 1  # the hourglass became the form
    assert "Slow chess" in form.all_text
