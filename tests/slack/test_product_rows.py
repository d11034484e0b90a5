"""Rows of the product contract (PRODUCT.md flows 1, 3, 4, 7, 8 and 10) no other Slack test checked, through the
real process against the Slack and Zoom test servers: what the announcement's card says, a licensed teacher's
personal links and their cancellation at Zoom, the last seat asked for by two parents at once, a cancellation
moving the waitlist up, the teacher cancelling the class (its meeting deleted at Zoom), ``/classbot disconnect``,
a weekly class as one recurring meeting, Zoom down at the booking (the link follows by itself), a meeting deleted
in Zoom made again, and Zoom's events told by direct message. Telegram's twin is
tests/telegram/test_product_rows.py; the map is tests/product_coverage.py."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from classbot_fakes.slack import FakeSlackChannel, FakeSlackUser, SlackMessage

from tests.slack.world import SlackWorld, slack_world
from tests.support.waiting import wait_until

pytestmark = pytest.mark.slow


@pytest.fixture
async def world(tmp_path: Path, sqlite_url: str) -> AsyncIterator[SlackWorld]:
    async with slack_world(tmp_path, sqlite_url) as built:
        yield built


async def _channel_with_teacher(
    world: SlackWorld, *parents: str, licensed: bool = False
) -> tuple[FakeSlackUser, list[FakeSlackUser], FakeSlackChannel]:
    slack = world.slack
    admin, teacher = slack.add_user("Ada", is_admin=True), slack.add_user("Ann")
    people = [slack.add_user(name) for name in parents]
    room = slack.add_channel("chess", members=[admin, teacher, *people])
    await world.set_up_channel(admin, room)
    zoom_user = world.zoom.add_user(email="ann@example.org", timezone="Europe/Madrid", licensed=licensed)
    await world.connect_zoom(teacher, zoom_user.id)
    return teacher, people, room


async def _submit_booking(world: SlackWorld, parent: FakeSlackUser, card: SlackMessage, child: str) -> None:
    form = await world.slack.wait_for_view(parent, lambda view: view.callback_id == "book_seat")
    submitted = await world.slack.submit_view(parent, form, {"child": {"value": child}})
    assert submitted.errors is None, submitted.errors


async def _booked_chess(world: SlackWorld) -> tuple[FakeSlackUser, FakeSlackUser]:
    """Where the Zoom-event tests start: Zoom's webhook pointed at the bot, Ann teaching "Chess" in #chess and
    Pat holding a seat for Mia, its Zoom link already sent. Returns Ann and Pat."""
    world.zoom.configure_webhook(f"{world.bot.url}/zoom/webhook", "zoom-webhook-secret")
    teacher, (pat,), room = await _channel_with_teacher(world, "Pat")
    await world.create_class(teacher, "Chess", channel=room)
    await world.book(pat, await world.said(room, "New class"), "Mia")
    await world.said(pat, "Here is your Zoom link")
    return teacher, pat


async def test_a_licensed_class_books_personal_links_the_last_seat_once_and_moves_the_waitlist_up(
    world: SlackWorld,
) -> None:
    slack, zoom = world.slack, world.zoom
    teacher, (pat, quinn, rue), room = await _channel_with_teacher(world, "Pat", "Quinn", "Rue", licensed=True)
    await world.create_class(teacher, "Chess", channel=room, seats="2")
    card = await world.said(room, "New class")

    await world.book(pat, card, "Mia")
    await world.said(pat, "Booked: Mia in “Chess”. Your Zoom link follows here")
    mia_link = await world.said(pat, "Here is your Zoom link")
    told = await world.said(teacher, r"New booking: Mia for “Chess” \(1 of 2 seats taken\)")
    [meeting] = zoom.meetings.values()
    [mia] = zoom.registrants(meeting.id)

    for parent in (quinn, rue):  # the last seat, asked for by two parents at once
        await slack.press(parent, card, "Book a seat")
    await asyncio.gather(*(_submit_booking(world, p, card, c) for p, c in ((quinn, "Leo"), (rue, "Zed"))))
    outcomes = [await world.said(parent, "Booked: |on the waitlist") for parent in (quinn, rue)]
    booked = [o for o in outcomes if "Booked: " in o.all_text]
    [waiting] = [p for p, o in zip((quinn, rue), outcomes, strict=True) if "waitlist" in o.all_text]
    await world.said(quinn if waiting is rue else rue, "Here is your Zoom link")

    await slack.slash(pat, "bookings")
    await slack.press(pat, await world.whispered(pat, "Mia"), "Cancel this booking")
    await world.whispered(pat, "Cancelled: Mia")
    await world.said(waiting, "A seat opened in “Chess”")
    promoted = await world.said(waiting, "Here is your Zoom link")

    async def registrant_cancelled() -> bool:
        return all(r.status != "approved" for r in zoom.registrants(meeting.id) if r.id == mia.id)

    await wait_until(registrant_cancelled, timeout=40, what="Mia's registrant to be cancelled at Zoom")
    registrants = zoom.registrants(meeting.id)
    home = await slack.wait_for_home(teacher, lambda view: "Chess" in view.all_text)
    await slack.press(teacher, home, "Cancel the class")
    cancelled = [await world.said(parent, "“Chess” was cancelled") for parent in (quinn, rue)]

    async def no_meetings() -> bool:
        return zoom.meetings == {}

    await wait_until(no_meetings, timeout=40, what="the meeting to be deleted at Zoom")
    await world.all_handled()

    assert "“Chess” with" in card.all_text  # the title and the teacher
    assert "16:30 (Europe/Madrid)" in card.all_text  # the time, with its timezone
    assert "2 of 2 seats left" in card.all_text
    assert "Book a seat" in [button.text for button in card.buttons]
    assert told.all_text
    assert mia.join_url in mia_link.links  # a licensed host: Mia's own registrant link
    assert f"/j/{meeting.id}" not in " ".join(mia_link.links)
    assert len(booked) == 1  # never more bookings than seats
    assert len(registrants) == 3  # Mia, the one booked, and the promoted child: one meeting
    assert set(promoted.links) & {r.join_url for r in registrants}  # the link at once
    assert all(message.all_text for message in cancelled)
    slack.assert_acks_in_time()


async def test_zoom_down_at_the_booking_the_seat_stands_and_the_link_follows(world: SlackWorld) -> None:
    """A weekly class of a licensed teacher (why licensed: see the Telegram twin's docstring)."""
    slack, zoom = world.slack, world.zoom
    teacher, (pat, quinn), room = await _channel_with_teacher(world, "Pat", "Quinn", licensed=True)
    await world.create_class(teacher, "Robotics", channel=room, sessions="3")
    card = await world.said(room, "New class")

    zoom.fail_next(503, times=6, path=r"/meetings")  # Zoom is down for a while: every meeting call fails
    await world.book(pat, card, "Mia")
    booked = await world.said(pat, "Booked: Mia")
    link = await world.said(pat, "Here is your Zoom link")  # nobody did anything
    [meeting] = zoom.meetings.values()
    [mia] = zoom.registrants(meeting.id)

    zoom.delete_meeting_out_of_band(meeting.id)  # deleted in Zoom, with no event to say so
    await world.book(quinn, card, "Leo")
    again = await world.said(quinn, "Here is your Zoom link")
    [remade] = zoom.meetings.values()
    await world.said(teacher, "was deleted in Zoom")
    renewed = await world.said(pat, "The Zoom meeting of “Robotics” changed: use this new link")
    await world.all_handled()

    assert "Your Zoom link follows here" in booked.all_text  # the booking stood while Zoom was down
    assert [call.status for call in zoom.calls if "/meetings" in call.path][:6] == [503] * 6
    assert (meeting.type, remade.type) == (8, 8)  # weekly: one recurring meeting
    assert len(meeting.occurrences) == 3
    assert mia.join_url in link.links
    assert remade.id != meeting.id
    now_registered = {registrant.join_url for registrant in zoom.registrants(remade.id)}
    assert set(again.links) & now_registered
    assert set(renewed.links) & now_registered
    slack.assert_acks_in_time()


async def test_zooms_events_are_told_by_direct_message_and_disconnect_revokes(world: SlackWorld) -> None:
    slack, zoom = world.slack, world.zoom
    teacher, pat = await _booked_chess(world)
    [meeting] = zoom.meetings.values()

    later = datetime.now(UTC).replace(microsecond=0, second=0) + timedelta(days=4)
    await zoom.adeliver(zoom.update_meeting_out_of_band(meeting.id, start_time=later))
    moved = await world.said(pat, "“Chess” moved: it now starts")
    await world.said(teacher, r"\(changed in Zoom\)")
    await zoom.adeliver(zoom.delete_meeting_out_of_band(meeting.id))
    await world.said(teacher, "was deleted in Zoom. Booked parents get a new link")
    new_link = await world.said(pat, "The Zoom meeting of “Chess” changed: use this new link")
    [remade] = zoom.meetings.values()
    await zoom.adeliver(zoom.start_meeting(remade.id))
    live = await world.said(pat, "“Chess” is starting now")
    await zoom.adeliver(zoom.participant_joined(remade.id, name="Mia"))
    await slack.slash(teacher, "mine")
    await slack.press(teacher, await world.whispered(teacher, "Chess"), "Roster")
    roster = await slack.wait_for_view(teacher, lambda view: view.title == "Roster")
    await slack.close_view(teacher)
    [zoom_user] = zoom.users
    await slack.slash(teacher, "disconnect")
    await slack.wait_until(lambda: _told(world, teacher, "Your Zoom account is disconnected"))
    await slack.slash(teacher, "disconnect")
    await slack.wait_until(lambda: _told(world, teacher, "No Zoom account is connected"))
    await world.all_handled()

    assert moved.all_text
    assert [url for url in new_link.links if f"/j/{remade.id}" in url]
    assert [url for url in live.links if f"/j/{remade.id}" in url]
    assert "attended 1 session" in roster.all_text
    assert zoom.count("POST", "/oauth/revoke") == 1
    assert not zoom.is_authorized(zoom_user.id)
    slack.assert_acks_in_time()


async def test_removing_the_app_in_zoom_tells_the_teacher_and_keeps_the_bookings(world: SlackWorld) -> None:
    slack, zoom = world.slack, world.zoom
    teacher, pat = await _booked_chess(world)

    [zoom_user] = zoom.users
    await zoom.adeliver(zoom.deauthorize(zoom_user, notify=False))
    removed = await world.said(teacher, "ClassBot was removed from your Zoom account")
    await slack.slash(pat, "bookings")
    kept = await world.whispered(pat, "Mia")
    await world.all_handled()

    assert "/classbot connect" in removed.all_text  # Slack says its own command
    assert "Chess" in kept.all_text
    slack.assert_acks_in_time()


def _told(world: SlackWorld, person: FakeSlackUser, text: str) -> SlackMessage | None:
    """What the bot said to ``person`` (their direct messages, or a message only they see) with ``text``."""
    said = [*world.slack.dm(person), *world.slack.ephemeral_messages(person)]
    return next((message for message in said if text in message.all_text), None)
