"""``/classbot forgetme`` through the real process: after a confirmation only the person sees, a parent's
bookings end (the waitlist moves up) and a teacher's classes end and their Zoom is disconnected; then nothing
ClassBot kept about them is left in its database."""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.slack.world import SlackWorld, jobs_idle, slack_world

pytestmark = pytest.mark.slow


@pytest.fixture
async def world(tmp_path: Path, sqlite_url: str) -> AsyncIterator[SlackWorld]:
    async with slack_world(tmp_path, sqlite_url) as built:
        yield built


def _stored(database: Path) -> str:
    """Every value of every table of ClassBot's SQLite file, as text."""
    with sqlite3.connect(database) as connection:
        tables = [name for (name,) in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        rows = [row for table in tables for row in connection.execute(f'SELECT * FROM "{table}"')]  # noqa: S608
    return "\n".join(" ".join(str(value) for value in row) for row in rows)


async def test_forgetme_frees_a_parents_seat_for_the_waitlist_and_deletes_them(
    world: SlackWorld, tmp_path: Path
) -> None:
    slack = world.slack
    admin, teacher = slack.add_user("Ada", is_admin=True), slack.add_user("Ann")
    parent, waiting = slack.add_user("Pat"), slack.add_user("Quinn")
    room = slack.add_channel("chess", members=[admin, teacher, parent, waiting])
    await world.set_up_channel(admin, room)
    await world.connect_zoom(teacher, world.zoom.add_user(email="ann@example.org").id)
    await world.create_class(teacher, "Chess", channel=room, seats="1")
    announcement = await world.said(room, "New class")
    await world.book(parent, announcement, "Mialou")
    await world.said(parent, "Here is your Zoom link")
    await world.book(waiting, announcement, "Zed")
    await world.said(waiting, "on the waitlist")

    asked = await slack.slash(parent, "forgetme")
    confirm = await world.whispered(parent, "cannot be undone")
    not_yet = _stored(tmp_path / "classbot.db")
    await slack.press(parent, confirm, "Yes, forget me")
    done = await world.whispered(parent, "Done: 1 booking")
    await world.said(teacher, "Mialou no longer comes")
    await world.said(waiting, "Here is your Zoom link")
    await world.all_handled()
    await jobs_idle(tmp_path / "classbot.db")
    stored = _stored(tmp_path / "classbot.db")
    bookings = await slack.slash(parent, "bookings")

    assert asked.acked
    assert "Mialou" in not_yet  # nothing happens before the confirmation
    assert "Zoom disconnected" not in done.all_text
    assert "Mialou" not in stored
    assert parent.id not in stored
    assert "Zed" in stored
    assert "You have no upcoming bookings" in str(bookings.response)
    slack.assert_acks_in_time()


async def test_forgetme_cancels_a_teachers_classes_and_disconnects_their_zoom(
    world: SlackWorld, tmp_path: Path
) -> None:
    slack, zoom = world.slack, world.zoom
    admin, teacher, parent = slack.add_user("Ada", is_owner=True), slack.add_user("Ann"), slack.add_user("Pat")
    room = slack.add_channel("pottery", members=[admin, teacher, parent])
    await world.set_up_channel(admin, room)
    zoom_user = zoom.add_user(email="ann@example.org")
    await world.connect_zoom(teacher, zoom_user.id)
    await world.create_class(teacher, "Pottery wheel", channel=room)
    home = await slack.wait_for_home(teacher, lambda view: "Pottery wheel" in view.all_text)
    await world.book(parent, await world.said(room, "New class"), "Leo")
    await world.said(parent, "Here is your Zoom link")

    await slack.slash(teacher, "forgetme")
    await slack.press(teacher, await world.whispered(teacher, "cannot be undone"), "Yes, forget me")
    done = await world.whispered(teacher, "Done: 0 booking")
    await world.said(parent, "“Pottery wheel” was cancelled")
    emptied = await slack.wait_for_home(teacher, lambda view: "Pottery wheel" not in view.all_text)
    await world.all_handled()
    await jobs_idle(tmp_path / "classbot.db")
    stored = _stored(tmp_path / "classbot.db")

    assert "1 class cancelled, Zoom disconnected" in done.all_text
    assert home.id == emptied.id  # the Home tab was redrawn, without the class
    assert not zoom.is_authorized(zoom_user.id)
    assert zoom.meetings == {}
    assert "Pottery wheel" not in stored
    assert teacher.id not in stored
    assert "ann@example.org" not in stored
    slack.assert_acks_in_time()
