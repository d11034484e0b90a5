"""Connecting Zoom through the real process and Telegram: the confirmation page names the Telegram person, a held
Zoom account moves only when its holder presses "Hand it over", a failed connect is told in the chat, and a
teacher who chose no timezone has their Zoom profile's."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
import pytest
from classbot_fakes.telegram import FakeUser
from classbot_fakes.zoom.browser import submit

from tests.telegram.world import TelegramWorld, telegram_world

pytestmark = pytest.mark.slow


@pytest.fixture
def world(tmp_path: Path, sqlite_url: str) -> Iterator[TelegramWorld]:
    with telegram_world(tmp_path, sqlite_url) as built:
        yield built


async def _declined_in_zoom(link: str, zoom_user_id: str) -> httpx.Response:
    """A browser signed in to Zoom as ``zoom_user_id`` follows ``link`` and declines in Zoom: the page it ends on."""
    async with httpx.AsyncClient(timeout=10) as browser:
        started = await browser.get(link)
        headers = {"X-Fake-Zoom-User": zoom_user_id, "X-Fake-Zoom-Consent": "deny"}
        zoom = await browser.get(started.headers["location"], headers=headers)
        return await browser.get(zoom.headers["location"])


async def _connect_link(world: TelegramWorld, user: FakeUser) -> str:
    user.send("/connect")
    link = (await world.said(user, "Connect your Zoom account")).button("Connect Zoom").url
    assert link is not None
    return link


async def test_a_held_zoom_account_moves_only_when_its_holder_hands_it_over(world: TelegramWorld) -> None:
    ann = world.telegram.add_user("Ann")
    bob = world.telegram.add_user("Bob", username="bob_t")
    anns_zoom = world.zoom.add_user(email="ann@example.org")
    for person in (ann, bob):
        person.start_private_chat()
    await world.connect_zoom(ann, anns_zoom.id)

    link = await _connect_link(world, bob)
    async with httpx.AsyncClient(timeout=10) as browser:
        started = await browser.get(link)
        zoom = await browser.get(started.headers["location"], headers={"X-Fake-Zoom-User": anns_zoom.id})
        page = await browser.get(zoom.headers["location"])
        assert "to ClassBot for Telegram user Bob (@bob_t)?" in page.text
        assert "already connected to ClassBot for someone else" in page.text
        assert "asked" in (await submit(browser, page, "connect")).text

    question = await world.said(ann, "asks to connect your Zoom account ann@example.org")
    await world.said(bob, "we asked them")
    bob.press_forged(question.button("Hand it over").callback_data or "")  # Bob cannot answer for Ann
    await world.said(bob, "Only the person whose Zoom account it is")

    ann.press(question, "Hand it over")

    await world.said(ann, "now belongs to Telegram user Bob")
    await world.said(bob, "ann@example.org is connected")


async def test_a_declined_connect_is_told_in_the_chat(world: TelegramWorld) -> None:
    ann = world.telegram.add_user("Ann")
    anns_zoom = world.zoom.add_user(email="ann@example.org")
    ann.start_private_chat()
    link = await _connect_link(world, ann)

    page = await _declined_in_zoom(link, anns_zoom.id)

    assert page.status_code == 400
    told = await world.said(ann, "declined in Zoom")
    assert "/connect" in (told.text or "")


async def test_disconnect_in_the_chat_revokes_at_zoom_and_a_second_one_says_none_is_connected(
    world: TelegramWorld,
) -> None:
    teacher = world.telegram.add_user("Ann")
    zoom_user = world.zoom.add_user(email="ann@example.org")
    teacher.start_private_chat()
    await world.said(teacher, "books kids")
    await world.connect_zoom(teacher, zoom_user.id)
    authorized = world.zoom.is_authorized(zoom_user.id)

    teacher.send("/disconnect")
    done = await world.said(teacher, "Your Zoom account is disconnected")
    teacher.send("/disconnect")
    again = await world.said(teacher, "No Zoom account is connected")

    assert authorized
    assert "revoked" in (done.text or "")
    assert again.text
    assert world.zoom.count("POST", "/oauth/revoke") == 1
    assert not world.zoom.is_authorized(zoom_user.id)


async def test_a_teacher_with_no_timezone_of_their_own_gets_their_zoom_profiles(world: TelegramWorld) -> None:
    """Product contract flow 1: the teacher's timezone defaults to their Zoom profile's. A teacher who never sent
    /timezone writes a class's time in Tokyo's, as their Zoom user's profile says, and the meeting is made then."""
    tg = world.telegram
    teacher, parent = tg.add_user("Ann"), tg.add_user("Pat")
    for person in (teacher, parent):
        person.start_private_chat()
        await world.said(person, "books kids")
    teacher.send("/timezone")
    unset = await world.said(teacher, "Your timezone is")
    await world.connect_zoom(teacher, world.zoom.add_user(email="ann@example.org", timezone="Asia/Tokyo").id)
    teacher.send("/timezone")
    from_zoom = await world.said(teacher, "Your timezone is")
    day = (datetime.now(UTC) + timedelta(days=3)).date()
    teacher.send(f"/newclass Chess | {day} 16:30 | 45 | 5")
    created = await world.said(teacher, "Created")
    [share] = [url for url in created.urls if "start=c_" in url]
    await world.booked(parent, share, "Chess", "Mia")

    assert "not set" in (unset.text or "")
    assert "Your timezone is Asia/Tokyo" in (from_zoom.text or "")
    assert "16:30 (Asia/Tokyo)" in (created.text or "")
    tokyo = datetime.combine(day, time(16, 30), ZoneInfo("Asia/Tokyo"))
    assert [meeting.start_time for meeting in world.zoom.meetings.values()] == [tokyo]
