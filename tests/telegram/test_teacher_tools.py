"""A teacher moves a class and reads its roster from Telegram's /myclasses, through the real process (Slack's twin
is tests/slack/test_teacher_tools.py): a wrong or past start is named and asked again, the parents are told of
the move and the Zoom meeting follows it; the roster lists the children and comes as a .csv in the chat."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from classbot_fakes.telegram import SentMessage

from tests.support.waiting import wait_until
from tests.telegram.world import TelegramWorld, telegram_world

pytestmark = pytest.mark.slow


@pytest.fixture
def world(tmp_path: Path, sqlite_url: str) -> Iterator[TelegramWorld]:
    with telegram_world(tmp_path, sqlite_url) as built:
        yield built


def _day(days: int) -> str:
    return (datetime.now(UTC) + timedelta(days=days)).date().isoformat()


async def test_a_teacher_moves_a_class_and_gets_its_roster_as_a_spreadsheet(world: TelegramWorld) -> None:
    tg = world.telegram
    teacher, parent = tg.add_user("Ann"), tg.add_user("Pat")
    zoom_user = world.zoom.add_user(email="ann@example.org", timezone="Europe/Madrid")
    for person in (teacher, parent):
        person.start_private_chat()
        await world.said(person, "books kids")
    await world.connect_zoom(teacher, zoom_user.id)
    teacher.send(f"/newclass Chess | {_day(3)} 16:30 | 45 | 5")
    [share] = [url for url in (await world.said(teacher, "Created")).urls if "start=c_" in url]
    await world.booked(parent, share, "Chess", "Mia")

    teacher.send("/myclasses")
    card = await world.said(teacher, "“Chess” with")
    teacher.press(card, "Reschedule")
    await world.said(teacher, "Type the new start as YYYY-MM-DD HH:MM")
    teacher.send(f"{_day(5)} 25:99")
    wrong_time = await world.said(teacher, "24-hour clock")
    teacher.send(f"{_day(-30)} 10:00")
    past = await world.said(teacher, "That start is in the past")
    teacher.send(f"{_day(6)} 09:15")
    moved = await world.said(teacher, "Moved, and the parents were told")
    told = await world.said(parent, "“Chess” moved: it now starts")

    async def meeting_moved() -> bool:  # the Zoom meeting follows, by a job of its own
        starts = [m.start_time for m in world.zoom.meetings.values() if m.start_time is not None]
        return [s.astimezone(ZoneInfo("Europe/Madrid")).strftime("%Y-%m-%d %H:%M") for s in starts] == [
            f"{_day(6)} 09:15"
        ]

    await wait_until(meeting_moved, timeout=40, what="the Zoom meeting to move")
    teacher.press(card, "Roster")
    roster = await world.said(teacher, r"• Mia \(parent: Pat\)")
    teacher.press(roster, "Roster as a spreadsheet (.csv)")
    sheet = await tg.wait_for_message(teacher, lambda m: m.document is not None, timeout=40)

    assert wrong_time.text
    assert past.text
    assert "9:15" in (moved.text or "")
    assert "9:15" in (told.text or "")
    assert "Pat" in (roster.text or "")
    assert sheet.document is not None
    assert "Mia" in sheet.document.data.decode("utf-8-sig")


async def test_an_admin_keeps_publishing_to_approved_teachers_and_approves_one(world: TelegramWorld) -> None:
    """Slack's twin is tests/slack/test_teacher_tools.py::test_an_admin_keeps_publishing_to_approved_teachers_and_
    approves_one: the group's /setup chooses the policy; an unapproved teacher's class is not announced and the
    teacher is told how to be approved; a member's /approve is refused, an admin's lets the teacher publish."""
    tg = world.telegram
    admin, teacher, member = tg.add_user("Ada"), tg.add_user("Ann"), tg.add_user("Pat")
    group = tg.add_group("Music parents", members=[teacher, member], admins=[admin])
    tg.add_bot_to_group(group, by=admin)
    teacher.start_private_chat()
    await world.said(teacher, "books kids")

    def in_group(pattern: str) -> Callable[[SentMessage], bool]:
        return lambda message: bool(re.search(pattern, message.text or ""))

    admin.send("/setup", group)
    question = await tg.wait_for_message(group, in_group("Who may publish classes here"), timeout=40)
    member.press(question, "Only teachers an admin approves")
    await tg.wait_for_message(group, in_group("Only this group's admins"), timeout=40)
    admin.press(question, "Only teachers an admin approves")
    await tg.wait_for_message(group, in_group("Done: teachers an admin approves"), timeout=40)

    piano = teacher.send(f"/newclass Piano | {_day(3)} 16:30 | 45 | 5", group)
    refused = await tg.wait_for_message(group, in_group("Only teachers approved by this group's admins"), timeout=40)
    member.send("/approve", group, reply_to=piano.message_id)
    await tg.wait_for_message(group, in_group("Only this group's admins can approve teachers"), timeout=40)
    admin.send("/approve", group, reply_to=piano.message_id)
    approved = await tg.wait_for_message(group, in_group("may publish classes here now"), timeout=40)
    teacher.send(f"/newclass Guitar | {_day(3)} 17:30 | 45 | 5", group)
    announced = await tg.wait_for_message(group, in_group("New class"), timeout=40)
    member.send("/classes", group)
    listed = await tg.wait_for_message(group, in_group("Guitar"), timeout=40)

    assert "/approve" in (refused.text or "")  # the teacher is told what to do: have an admin approve them
    assert "Ann" in (approved.text or "")
    assert "Guitar" in (announced.text or "")
    assert not any("Piano" in (message.text or "") for message in tg.messages(group) if message is not refused)
    assert "Piano" not in (listed.text or "")
