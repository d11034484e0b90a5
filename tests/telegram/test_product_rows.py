"""Rows of the product contract (PRODUCT.md flows 3, 4, 7, 8 and 10) no other Telegram test checked, through the
real process against the Telegram and Zoom test servers: what the class card says, a licensed teacher's personal
links and their cancellation at Zoom, the last seat asked for by two parents at once, a cancellation moving the
waitlist up, the teacher cancelling the class (its meeting deleted at Zoom), a weekly class as one recurring
meeting, Zoom down at the booking (the link follows by itself), a meeting deleted in Zoom made again, and Zoom's
events told in the chats. Slack's twin is tests/slack/test_product_rows.py; the map is tests/product_coverage.py."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from classbot_fakes.telegram import FakeUser

from tests.support.waiting import wait_until
from tests.telegram.world import TelegramWorld, class_time, telegram_world

pytestmark = pytest.mark.slow


@pytest.fixture
def world(tmp_path: Path, sqlite_url: str) -> Iterator[TelegramWorld]:
    with telegram_world(tmp_path, sqlite_url) as built:
        yield built


async def _teacher(world: TelegramWorld, *, licensed: bool = False) -> FakeUser:
    teacher = world.telegram.add_user("Ann")
    teacher.start_private_chat()
    await world.said(teacher, "books kids")
    zoom_user = world.zoom.add_user(email="ann@example.org", timezone="Europe/Madrid", licensed=licensed)
    await world.connect_zoom(teacher, zoom_user.id)
    return teacher


async def _share(world: TelegramWorld, teacher: FakeUser, line: str) -> str:
    teacher.send(f"/newclass {line}")
    [share] = [url for url in (await world.said(teacher, "Created")).urls if "start=c_" in url]
    return share


async def _ask_for_a_seat(world: TelegramWorld, parent: FakeUser, share: str, title: str) -> None:
    parent.open_deep_link(share)
    card = await world.said(parent, f"“{title}” with")
    parent.press(card, card.button_texts[0])  # "Book a seat", or "Join the waitlist" when full
    await world.said(parent, "who is the seat for|who should go on the waitlist")


async def test_a_licensed_class_books_personal_links_the_last_seat_once_and_moves_the_waitlist_up(
    world: TelegramWorld,
) -> None:
    tg, zoom = world.telegram, world.zoom
    teacher = await _teacher(world, licensed=True)
    pat, quinn, rue = (tg.add_user(name) for name in ("Pat", "Quinn", "Rue"))
    share = await _share(world, teacher, f"Chess | {class_time()} | 45 | 2")

    pat.open_deep_link(share)
    card = await world.said(pat, "“Chess” with Ann")
    pat.press(card, "Book a seat")
    await world.said(pat, "who is the seat for")
    pat.send("Mia")
    await world.said(pat, "Booked: Mia in “Chess”. Your Zoom link follows here")
    mia_link = await world.said(pat, "Here is your Zoom link")
    told = await world.said(teacher, r"New booking: Mia for “Chess” \(1 of 2 seats taken\)")
    [meeting] = zoom.meetings.values()
    [mia] = zoom.registrants(meeting.id)

    for parent in (quinn, rue):  # the last seat, asked for by two parents at once
        await _ask_for_a_seat(world, parent, share, "Chess")
    quinn.send("Leo")
    rue.send("Zed")
    outcomes = [await world.said(parent, "Booked: |on the waitlist") for parent in (quinn, rue)]
    booked = [o for o in outcomes if "Booked: " in (o.text or "")]
    [waiting] = [p for p, o in zip((quinn, rue), outcomes, strict=True) if "waitlist" in (o.text or "")]
    await world.said(quinn if waiting is rue else rue, "Here is your Zoom link")

    pat.send("/mybookings")
    pat.press(await world.said(pat, "1. Mia in"), "1. Cancel this booking")
    pat.press(await world.said(pat, "Cancel Mia's seat"), "Yes, cancel the booking")
    await world.said(pat, "Cancelled: Mia")
    await world.said(waiting, "A seat opened in “Chess”")
    promoted = await world.said(waiting, "Here is your Zoom link")

    async def registrant_cancelled() -> bool:
        return all(r.status != "approved" for r in zoom.registrants(meeting.id) if r.id == mia.id)

    await wait_until(registrant_cancelled, timeout=40, what="Mia's registrant to be cancelled at Zoom")
    registrants = zoom.registrants(meeting.id)
    teacher.send("/myclasses")
    teacher.press(await world.said(teacher, "“Chess” with"), "Cancel the class")
    teacher.press(await world.said(teacher, "Cancel “Chess”"), "Yes, cancel the class")
    cancelled = [await world.said(parent, "“Chess” was cancelled") for parent in (quinn, rue)]
    await wait_until(lambda: _no_meetings(world), timeout=40, what="the meeting to be deleted at Zoom")

    text = card.text or ""
    assert "“Chess” with Ann" in text  # the title and the teacher
    assert "16:30 (Europe/Madrid)" in text  # the time, with its timezone
    assert "2 of 2 seats left" in text
    assert "Book a seat" in card.button_texts
    assert told.text
    assert [url for url in mia_link.urls if url == mia.join_url]  # a licensed host: Mia's own registrant link
    assert f"/j/{meeting.id}" not in " ".join(mia_link.urls)
    assert len(booked) == 1  # never more bookings than seats
    assert len(registrants) == 3  # Mia, the one booked, and the promoted child: one meeting
    assert [url for url in promoted.urls if re.search(r"/(j|w)/\d+", url)]  # the link at once
    assert all(message.text for message in cancelled)


async def _no_meetings(world: TelegramWorld) -> bool:
    return world.zoom.meetings == {}


async def test_zoom_down_at_the_booking_the_seat_stands_and_the_link_follows(world: TelegramWorld) -> None:
    """A weekly class of a licensed teacher (a personal link is a registrant call, so a meeting deleted in Zoom
    is found out at the next booking; a basic host's join_url is checked at most once a minute, see
    ``bot.core.meetings``, and test_zooms_events_are_told_in_the_private_chats covers it by Zoom's event)."""
    tg, zoom = world.telegram, world.zoom
    teacher = await _teacher(world, licensed=True)
    pat, quinn = tg.add_user("Pat"), tg.add_user("Quinn")
    share = await _share(world, teacher, f"Robotics | {class_time()} | 60 | 5 | weekly 3")

    zoom.fail_next(503, times=6, path=r"/meetings")  # Zoom is down for a while: every meeting call fails
    await _ask_for_a_seat(world, pat, share, "Robotics")
    pat.send("Mia")
    booked = await world.said(pat, "Booked: Mia")
    link = await world.said(pat, "Here is your Zoom link")  # nobody did anything
    [meeting] = zoom.meetings.values()
    [mia] = zoom.registrants(meeting.id)

    zoom.delete_meeting_out_of_band(meeting.id)  # deleted in Zoom, with no event to say so
    await _ask_for_a_seat(world, quinn, share, "Robotics")
    quinn.send("Leo")
    again = await world.said(quinn, "Here is your Zoom link")
    [remade] = zoom.meetings.values()
    await world.said(teacher, "was deleted in Zoom")
    renewed = await world.said(pat, "The Zoom meeting of “Robotics” changed: use this new link")

    assert "Your Zoom link follows here" in (booked.text or "")  # the booking stood while Zoom was down
    assert [call.status for call in zoom.calls if "/meetings" in call.path][:6] == [503] * 6
    assert (meeting.type, remade.type) == (8, 8)  # weekly: one recurring meeting
    assert len(meeting.occurrences) == 3
    assert mia.join_url in link.urls
    assert remade.id != meeting.id
    now_registered = {registrant.join_url for registrant in zoom.registrants(remade.id)}
    assert set(again.urls) & now_registered
    assert set(renewed.urls) & now_registered


async def test_zooms_events_are_told_in_the_private_chats(world: TelegramWorld) -> None:
    tg, zoom = world.telegram, world.zoom
    zoom.configure_webhook(f"{world.bot.url}/zoom/webhook", "zoom-webhook-secret")
    teacher = await _teacher(world)
    pat = tg.add_user("Pat")
    share = await _share(world, teacher, f"Chess | {class_time()} | 45 | 5")
    await _ask_for_a_seat(world, pat, share, "Chess")
    pat.send("Mia")
    await world.said(pat, "Here is your Zoom link")
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
    teacher.send("/myclasses")
    teacher.press(await world.said(teacher, "“Chess” with"), "Roster")
    await world.said(teacher, r"Mia \(parent: Pat\), attended 1 session")
    await zoom.adeliver(zoom.deauthorize(zoom.users[0], notify=False))
    await world.said(teacher, "ClassBot was removed from your Zoom account")
    pat.send("/mybookings")
    kept = await world.said(pat, "1. Mia in")

    assert moved.text
    assert [url for url in new_link.urls if f"/j/{remade.id}" in url]
    assert [url for url in live.urls if f"/j/{remade.id}" in url]
    assert "Chess" in (kept.text or "")  # the booking is kept; its link follows a reconnect
