"""The whole product in Slack, through the real process: connect, the class form, announce, book, links by DM only.

Each test runs ``python -m bot`` against FakeSlack and FakeZoom; the main flow runs once over Socket Mode and once
over HTTP (signed requests to /slack/events).
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from tests.slack.world import ZOOM_LINK, Mode, SlackWorld, as_shown, class_form, slack_world

pytestmark = pytest.mark.slow


@pytest.fixture(params=["socket", "http"])
async def world(request: pytest.FixtureRequest, tmp_path: Path, sqlite_url: str) -> AsyncIterator[SlackWorld]:
    mode: Mode = request.param
    async with slack_world(tmp_path, sqlite_url, mode=mode) as built:
        yield built


async def test_a_class_made_in_the_form_is_announced_and_booked_with_links_sent_privately(world: SlackWorld) -> None:
    slack, zoom = world.slack, world.zoom
    admin, teacher, parent = slack.add_user("Ada", is_admin=True), slack.add_user("Ann"), slack.add_user("Pat")
    room = slack.add_channel("chess-club", members=[admin, teacher, parent])
    zoom_user = zoom.add_user(email="ann@example.org", timezone="Europe/Madrid")

    await slack.invite_bot(room, by=admin)
    await world.said(room, "A workspace admin runs")
    await slack.slash(parent, "setup", channel=room)  # not an admin: refused, and told so privately
    await world.whispered(parent, "Only workspace admins and owners")
    await slack.slash(admin, "setup", channel=room)
    await world.said(room, "ClassBot is set up in this channel")
    await world.connect_zoom(teacher, zoom_user.id)

    await slack.slash(teacher, "new", channel=room)
    form = await slack.wait_for_view(teacher, lambda view: view.callback_id == "new_class")
    wrong_fields = await slack.submit_view(teacher, form, class_form("Chess", channel=room, seats="0", duration="4"))
    in_the_past = await slack.submit_view(teacher, form, class_form("Chess", channel=room, days=-400))
    still_open = slack.current_view(teacher)
    title = "Chess <!channel> & friends"
    created = await slack.submit_view(teacher, form, class_form(title, channel=room))

    assert wrong_fields.errors is not None
    assert set(wrong_fields.errors) == {"seats", "duration"}
    assert "from 1 to 1000" in wrong_fields.errors["seats"]
    assert in_the_past.errors == {"date": "That start is in the past: choose a date and time still to come."}
    assert still_open is not None
    assert still_open.id == form.id
    assert created.errors is None
    assert slack.current_view(teacher) is None
    created_message = await world.said(teacher, r"Created: \*“Chess &lt;!channel&gt; &amp; friends”")
    assert f"<#{room.id}>" in created_message.all_text  # announced there, said with a channel link
    announcement = await world.said(room, "New class")
    assert "&lt;!channel&gt;" in announcement.all_text  # typed text cannot ping the channel
    assert all("<!channel>" not in message.all_text for message in slack.all_messages())

    await world.book(parent, announcement, "Mia")
    await world.said(parent, "Booked: Mia")
    link_message = await world.said(parent, "Here is your Zoom link")
    [join_url] = [url for url in link_message.links if "/j/" in url]
    await world.said(teacher, "New booking: Mia")

    home = await slack.wait_for_home(teacher, lambda view: "Chess" in view.all_text and "4 of 5" in view.all_text)
    await slack.press(teacher, home, "Start link")
    start = await world.said(teacher, "logs you in as the host")
    [start_url] = [url for url in start.links if "/s/" in url]
    assert zoom.start_url_valid(start_url)
    await slack.wait_for_home(parent, lambda view: "Mia" in view.all_text)

    await slack.slash(parent, "classes", channel=room)
    listed = await world.whispered(parent, "4 of 5 seats left")
    assert listed.buttons
    assert world.zoom_links_in(room) == []
    assert all(not ZOOM_LINK.search(message.all_text) for message in slack.messages(room))
    assert all(message.links == [] for message in slack.all_messages() if message.ephemeral)
    assert join_url not in world.zoom_links_in(teacher)
    assert start_url not in world.zoom_links_in(parent)
    slack.assert_acks_in_time()
    output = world.bot.output()
    assert "Traceback" not in output
    assert not ZOOM_LINK.search(output)
    assert slack.bot_token not in output


async def test_teachers_manage_classes_and_parents_their_bookings(world: SlackWorld) -> None:
    slack, zoom = world.slack, world.zoom
    admin, teacher, parent = slack.add_user("Ada", is_owner=True), slack.add_user("Ann"), slack.add_user("Pat")
    room = slack.add_channel("art", members=[admin, teacher, parent])
    await world.set_up_channel(admin, room)
    await world.connect_zoom(teacher, zoom.add_user(email="ann@example.org").id)
    await world.create_class(teacher, "Art club", channel=room)
    await world.book(parent, await world.said(room, "New class"), "Leo")
    await world.said(parent, "Here is your Zoom link")

    mine = await slack.slash(teacher, "mine")
    [listed] = slack.ephemeral_messages(teacher)[-1:]
    await slack.press(teacher, listed, "Roster")
    roster = await slack.wait_for_view(teacher, lambda view: view.title == "Roster")
    bookings = await slack.slash(parent, "bookings")
    [booking] = slack.ephemeral_messages(parent)[-1:]
    await slack.press(parent, booking, "Send me the Zoom link")
    again = await world.said(parent, "it is yours: please don't share it")
    await slack.press(parent, booking, "Add to calendar (.ics)")
    [calendar_url] = (await world.said(parent, "calendar file")).links
    async with httpx.AsyncClient(timeout=10) as browser:
        calendar = await browser.get(calendar_url)
        forged = await browser.get(calendar_url[:-8] + "AAAAAAAA")
    await slack.press(parent, booking, "Cancel this booking")
    await world.whispered(parent, "Cancelled: Leo")
    await world.said(teacher, "Leo no longer comes")
    home = await slack.wait_for_home(teacher, lambda view: "5 of 5 seats left" in view.all_text)
    await slack.press(teacher, home, "Cancel the class")
    await slack.wait_for_home(teacher, lambda view: "You teach no upcoming class" in view.all_text)
    unknown = await slack.slash(parent, "frobnicate")

    assert (mine.acked, bookings.acked) == (True, True)
    assert "Leo" in roster.all_text
    assert any("/j/" in url for url in again.links)
    assert calendar.status_code == 200
    assert calendar.headers["content-type"].startswith("text/calendar")
    assert calendar.headers["cache-control"] == "no-store"
    assert "SUMMARY:Art club (Leo)" in calendar.text
    assert (forged.status_code, "not valid" in forged.text) == (404, True)
    assert "I don't know “frobnicate”" in str(unknown.response)
    assert "/classbot connect" in str(unknown.response)
    slack.assert_acks_in_time()
    assert world.bot.stop() == 0  # SIGTERM: Slack stops first, work in flight drains, a clean exit


async def test_new_with_a_line_opens_the_form_filled_in_and_names_a_wrong_part(world: SlackWorld) -> None:
    slack, zoom = world.slack, world.zoom
    teacher = slack.add_user("Ann")
    await world.connect_zoom(teacher, zoom.add_user(email="ann@example.org", timezone="Europe/Madrid").id)
    when = (datetime.now(UTC) + timedelta(days=3)).strftime("%Y-%m-%d")

    await slack.slash(teacher, f"new Chess | {when} 16:30 | 45 | 5 | zoom maybe")
    await world.whispered(teacher, "“zoom maybe” is not a part I know")
    await slack.slash(teacher, f"new Chess | {when} 16:30 | 45 | 5 | min 6")
    await world.whispered(teacher, "minimum number of bookings must be from 1 to the seats")
    assert slack.current_view(teacher) is None  # no form for a wrong line

    line = f"new Chess | {when} 16:30 | 45 | 5 | approve | min 2 | no zoom | about: Openings | endgames"
    await slack.slash(teacher, line)
    form = await slack.wait_for_view(
        teacher, lambda view: view.callback_id == "new_class" and "Openings" in json.dumps(view.json)
    )
    shown = as_shown(form)
    assert shown["title"] == {"value": "Chess"}
    assert shown["date"] == {"value": when}
    assert shown["time"] == {"value": "16:30"}
    assert (shown["seats"], shown["min_bookings"]) == ({"value": "5"}, {"value": "2"})
    assert shown["approval"] == shown["zoom"] == {"value": ["yes"]}
    fewer_seats = await slack.submit_view(teacher, form, shown | {"seats": {"value": "1"}})
    assert fewer_seats.errors is not None  # the minimum is checked again against the seats in the form
    assert "minimum number of bookings" in fewer_seats.errors["min_bookings"]
    assert not any("Created" in message.all_text for message in slack.all_messages())  # nothing made so far
    created = await slack.submit_view(teacher, form, shown)
    assert created.errors is None, created.errors
    told = await world.said(teacher, "Created")
    for said in ("Openings | endgames", "You approve each booking yourself", "fewer than 2 children", "No Zoom"):
        assert said in told.all_text
    await slack.wait_for_home(teacher, lambda view: "Chess" in view.all_text)
    assert zoom.meetings == {}


async def test_ages_in_the_form_on_the_card_in_the_list_and_with_the_childs_name(world: SlackWorld) -> None:
    slack, zoom = world.slack, world.zoom
    admin, teacher, parent = slack.add_user("Ada", is_admin=True), slack.add_user("Ann"), slack.add_user("Pat")
    room = slack.add_channel("kids-club", members=[admin, teacher, parent])
    await world.set_up_channel(admin, room)
    await world.connect_zoom(teacher, zoom.add_user(email="ann@example.org", timezone="Europe/Madrid").id)

    await slack.slash(teacher, "new", channel=room)
    form = await slack.wait_for_view(teacher, lambda view: view.callback_id == "new_class")
    wrong = await slack.submit_view(teacher, form, class_form("Chess", channel=room, ages="10-7"))
    assert wrong.errors is not None
    assert "from the youngest to the oldest" in wrong.errors["ages"]
    created = await slack.submit_view(teacher, form, class_form("Chess", channel=room, ages="7-10"))
    assert created.errors is None, created.errors
    chess = await world.said(room, "New class(.|\n)*Chess")
    assert "Ages 7\u201310" in chess.all_text
    await world.create_class(teacher, "Art", channel=room, ages="11-14")
    await world.said(room, "New class(.|\n)*Art")

    await slack.slash(parent, "classes 8")
    listed = await world.whispered(parent, "Chess")
    assert "Art" not in listed.all_text
    await slack.slash(parent, "classes 3")
    await world.whispered(parent, "No upcoming classes for age 3")
    await slack.slash(parent, "classes eight")
    await world.whispered(parent, "“eight” is not an age")

    await world.book(parent, chess, "Leo 5")
    told = await world.said(parent, "Booked: Leo in")
    assert "Leo is 5, outside the teacher's range for this class (Ages 7\u201310)" in told.all_text
    await slack.press(parent, chess, "Book a seat")
    again = await slack.wait_for_view(parent, lambda view: view.callback_id == "book_seat")
    assert "Leo 5" in again.all_text  # the age is remembered with the name
