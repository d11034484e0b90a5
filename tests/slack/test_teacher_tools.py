"""What Telegram's /myclasses and /setup offer, in Slack, through the real process: moving a class (its Zoom
meeting moves with it), the roster as a spreadsheet behind a one-hour link, sharing a class by its code and opening
it to anyone who has it, and an admin choosing who may publish in a channel and approving a teacher."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
import pytest

from tests.slack.world import SlackWorld, slack_world
from tests.support.waiting import wait_until

pytestmark = pytest.mark.slow


@pytest.fixture
async def world(tmp_path: Path, sqlite_url: str) -> AsyncIterator[SlackWorld]:
    async with slack_world(tmp_path, sqlite_url) as built:
        yield built


def _day(days: int) -> str:
    return (datetime.now(UTC) + timedelta(days=days)).date().isoformat()


async def test_a_teacher_moves_a_class_and_gets_its_roster_as_a_spreadsheet(world: SlackWorld) -> None:
    slack = world.slack
    admin = slack.add_user("Ada", is_admin=True)
    teacher, parent = slack.add_user("Ann"), slack.add_user("Pat")
    room = slack.add_channel("chess", members=[admin, teacher, parent])
    await world.set_up_channel(admin, room)
    await world.connect_zoom(teacher, world.zoom.add_user(email="ann@example.org").id)
    await world.create_class(teacher, "Chess", channel=room, timezone="America/New_York")
    await world.book(parent, await world.said(room, "New class"), "Mia")
    await world.said(parent, "Booked")
    await world.said(parent, "Here is your Zoom link")

    await slack.slash(teacher, "mine")
    listed = await world.whispered(teacher, "Chess")
    await slack.press(teacher, listed, "Reschedule")
    form = await slack.wait_for_view(teacher, lambda view: view.callback_id == "reschedule")
    wrong_time = await slack.submit_view(teacher, form, {"date": {"value": _day(5)}, "time": {"value": "25:99"}})
    past = await slack.submit_view(teacher, form, {"date": {"value": _day(-30)}, "time": {"value": "10:00"}})
    moved = await slack.submit_view(teacher, form, {"date": {"value": _day(6)}, "time": {"value": "09:15"}})
    told = await world.said(parent, "“Chess” moved: it now starts")
    await world.said(teacher, "Moved, and the parents were told")

    async def meeting_moved() -> bool:  # the Zoom meeting follows, by a job of its own
        starts = [m.start_time for m in world.zoom.meetings.values() if m.start_time is not None]
        return [s.astimezone(ZoneInfo("America/New_York")).strftime("%Y-%m-%d %H:%M") for s in starts] == [
            f"{_day(6)} 09:15"
        ]

    await wait_until(meeting_moved, timeout=40, what="the Zoom meeting to move")
    await slack.press(teacher, listed, "Roster")
    roster = await slack.wait_for_view(teacher, lambda view: view.title == "Roster")
    await slack.press(teacher, roster, "Roster as a spreadsheet (.csv)")
    [csv_url] = (await world.said(teacher, "Your class's roster, for a spreadsheet")).links
    async with httpx.AsyncClient(timeout=10) as browser:
        sheet = await browser.get(csv_url)
        forged = await browser.get(csv_url[:-8] + "AAAAAAAA")
    await world.all_handled()

    assert "America/New_York" in form.all_text  # the time is read in the class's timezone, and the form says so
    assert wrong_time.errors is not None
    assert set(wrong_time.errors) == {"time"}
    assert past.errors == {"date": "That start is in the past: choose a date and time still to come."}
    assert moved.errors is None
    assert "9:15" in told.all_text
    assert sheet.status_code == 200
    assert sheet.headers["content-type"].startswith("text/csv")
    assert sheet.headers["cache-control"] == "no-store"
    assert "Mia" in sheet.content.decode("utf-8-sig")
    assert (forged.status_code, "not valid" in forged.text) == (404, True)
    slack.assert_acks_in_time()


async def test_a_teacher_shares_a_class_by_its_code_and_opens_it_to_anyone_who_has_it(world: SlackWorld) -> None:
    slack = world.slack
    admin, teacher, outsider = slack.add_user("Ada", is_admin=True), slack.add_user("Ann"), slack.add_user("Eve")
    room = slack.add_channel("art", members=[admin, teacher])
    await world.set_up_channel(admin, room)
    await world.create_class(teacher, "Art club", channel=room)

    await slack.slash(teacher, "mine")
    listed = await world.whispered(teacher, "Art club")
    [share] = [line for line in listed.all_text.split("\n") if "To share:" in line]
    code = share.split("/classbot class ")[1].strip("` ")
    await slack.slash(outsider, f"class {code}")
    refused = await world.whispered(outsider, "class")
    await slack.press(teacher, listed, "Open to anyone with the link")
    opened = await world.whispered(teacher, "Anyone in this workspace can now see and book")
    await slack.slash(outsider, f"class {code}")
    card = await world.whispered(outsider, "Art club")
    await world.book(outsider, card, "Zed")
    await world.said(outsider, "Booked")
    await slack.slash(teacher, "mine")
    again = await world.whispered(teacher, "Keep it to its groups")
    await slack.press(teacher, again, "Keep it to its groups")
    kept = await world.whispered(teacher, "is now for the members of the groups")
    bad = await slack.slash(outsider, "class nonsense!")
    await world.all_handled()

    assert "Art club" not in refused.all_text
    assert f"/classbot class {code}" in opened.all_text
    assert kept.all_text
    assert "Type the class's code" in str(bad.response)
    slack.assert_acks_in_time()


async def test_an_admin_keeps_publishing_to_approved_teachers_and_approves_one(world: SlackWorld) -> None:
    slack = world.slack
    admin, teacher, member = slack.add_user("Ada", is_admin=True), slack.add_user("Ann"), slack.add_user("Pat")
    room = slack.add_channel("music", members=[admin, teacher, member])
    await world.set_up_channel(admin, room)
    question = await world.whispered(admin, "Who may publish classes in this channel?")
    await slack.press(admin, question, "Only teachers an admin approves")
    await world.whispered(admin, "Done: teachers a workspace admin approves")

    await world.create_class(teacher, "Piano", channel=room)
    await world.said(teacher, "It was not announced: Only teachers approved")
    await slack.slash(member, "approve", channel=room)
    member_form = await slack.wait_for_view(member, lambda view: view.callback_id == "approve_teacher")
    await slack.submit_view(member, member_form, {"teacher": {"value": member.id}})
    await world.said(member, "Only this group's admins can approve teachers")
    await slack.slash(admin, "approve", channel=room)
    form = await slack.wait_for_view(admin, lambda view: view.callback_id == "approve_teacher")
    approved = await slack.submit_view(admin, form, {"teacher": {"value": teacher.id}})
    done = await world.said(admin, "may publish classes in")
    await world.create_class(teacher, "Guitar", channel=room)
    await world.said(room, "New class.*Guitar")
    await world.all_handled()

    assert approved.errors is None
    assert f"<@{teacher.id}>" in done.all_text
    assert f"<#{room.id}>" in done.all_text
    assert not any("Piano" in message.all_text for message in slack.messages(room))
    slack.assert_acks_in_time()


async def test_an_admin_takes_a_class_down_and_a_member_cannot(world: SlackWorld) -> None:
    """Telegram's twin is tests/telegram/test_end_to_end.py::test_admins_take_a_class_down_and_members_cannot."""
    slack = world.slack
    admin, teacher, member = slack.add_user("Ada", is_admin=True), slack.add_user("Ann"), slack.add_user("Max")
    room = slack.add_channel("art", members=[admin, teacher, member])
    await world.set_up_channel(admin, room)
    await world.create_class(teacher, "Art club", channel=room)
    await world.said(room, "New class")

    await slack.slash(member, "classes", channel=room)
    listed = await world.whispered(member, "Art club")
    await slack.press(member, listed, "Take down (admins)")
    refused = await world.whispered(member, "Only")
    await slack.slash(admin, "classes", channel=room)
    await slack.press(admin, await world.whispered(admin, "Art club"), "Take down (admins)")
    taken = await world.whispered(admin, "Taken down")
    await slack.slash(member, "classes", channel=room)
    after = await world.whispered(member, "No upcoming classes")
    await world.all_handled()

    assert "take a class down" in refused.all_text
    assert taken.all_text
    assert "Art club" not in after.all_text
    slack.assert_acks_in_time()
