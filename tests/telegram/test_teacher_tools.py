"""A teacher moves a class and reads its roster from Telegram's /myclasses, through the real process (Slack's twin
is tests/slack/test_teacher_tools.py): a wrong or past start is named and asked again, the parents are told of
the move and the Zoom meeting follows it; the roster lists the children and comes as a .csv in the chat."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

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
    parent.open_deep_link(share)
    parent.press(await world.said(parent, "Chess"), "Book a seat")
    await world.said(parent, "who is the seat for")
    parent.send("Mia")
    await world.said(parent, "Here is your Zoom link")

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
