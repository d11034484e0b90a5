"""The App Home tab's classes to book filtered by a child's age, as ``/classbot classes 8`` does, through the real
process: a menu of ages 3 to 17 (or any age) above the list; a choice lists only the classes whose age range holds
it (a class with no range fits every age), says so when none does, and stays chosen when the tab is opened
again."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.slack.world import SlackWorld, jobs_idle, slack_world

pytestmark = pytest.mark.slow

PICK = "age:pick"  # the menu's action_id


@pytest.fixture
async def world(tmp_path: Path, sqlite_url: str) -> AsyncIterator[SlackWorld]:
    async with slack_world(tmp_path, sqlite_url) as built:
        yield built


async def test_the_home_tab_lists_the_classes_for_a_childs_age(world: SlackWorld) -> None:
    slack = world.slack
    admin, teacher, parent = slack.add_user("Ada", is_admin=True), slack.add_user("Ann"), slack.add_user("Pat")
    room = slack.add_channel("classes", members=[admin, teacher, parent])
    await world.set_up_channel(admin, room)
    await world.create_class(teacher, "Chess", channel=room, ages="7-10")
    await world.create_class(teacher, "Drawing", channel=room, ages="12-15")
    await world.create_class(teacher, "Singing", channel=room)  # any age
    for _ in range(3):
        await world.said(room, "New class")

    await slack.open_home(parent)
    every = await slack.wait_for_home(parent, lambda view: "Singing" in view.all_text and "Drawing" in view.all_text)
    await slack.press(parent, every, PICK, value="age:8")
    eight = await slack.wait_for_home(parent, lambda view: "Drawing" not in view.all_text)
    await slack.open_home(parent)  # opened again: still for age 8
    reopened = await slack.wait_for_home(parent, lambda view: "Chess" in view.all_text)
    await slack.press(parent, reopened, PICK, value="age:16")
    sixteen = await slack.wait_for_home(parent, lambda view: "Chess" not in view.all_text)
    await slack.press(parent, sixteen, PICK, value="age:any")
    again = await slack.wait_for_home(parent, lambda view: "Drawing" in view.all_text and "Chess" in view.all_text)
    await world.all_handled()

    assert "Chess" in eight.all_text
    assert "Singing" in eight.all_text
    assert "Drawing" not in reopened.all_text
    assert reopened.json["private_metadata"] == "8"
    assert "Singing" in sixteen.all_text  # no range: every age
    assert "Drawing" not in sixteen.all_text
    assert again.json["private_metadata"] == ""
    slack.assert_acks_in_time()


async def test_no_class_for_the_age_is_said(world: SlackWorld) -> None:
    slack = world.slack
    admin, teacher, parent = slack.add_user("Ada", is_admin=True), slack.add_user("Ann"), slack.add_user("Pat")
    room = slack.add_channel("classes", members=[admin, teacher, parent])
    await world.set_up_channel(admin, room)
    await world.create_class(teacher, "Chess", channel=room, ages="7-10")
    await world.said(room, "New class")
    await slack.open_home(parent)
    home = await slack.wait_for_home(parent, lambda view: "Chess" in view.all_text)
    await slack.press(parent, home, PICK, value="age:3")
    none = await slack.wait_for_home(parent, lambda view: "No upcoming classes for age 3" in view.all_text)

    assert "Chess" not in none.all_text


async def test_the_age_chosen_stays_when_a_message_redraws_the_tab(world: SlackWorld, tmp_path: Path) -> None:
    """Every direct message redraws the person's tab (the notifier): drawn again, it lists for the age chosen,
    not for any age; each person's choice is their own."""
    slack = world.slack
    admin, teacher = slack.add_user("Ada", is_admin=True), slack.add_user("Ann")
    parent, other = slack.add_user("Pat"), slack.add_user("Quinn")
    room = slack.add_channel("classes", members=[admin, teacher, parent, other])
    await world.set_up_channel(admin, room)
    await world.connect_zoom(teacher, world.zoom.add_user(email="ann@example.org", timezone="Europe/Madrid").id)
    await world.create_class(teacher, "Chess", channel=room, ages="7-10")
    await world.said(room, "New class")
    await world.create_class(teacher, "Drawing", channel=room, ages="12-15")
    announced = await world.said(room, "Drawing")
    for person in (parent, other):
        await slack.open_home(person)
    home = await slack.wait_for_home(parent, lambda view: "Drawing" in view.all_text and "Chess" in view.all_text)
    await slack.press(parent, home, PICK, value="age:8")
    picked = await slack.wait_for_home(parent, lambda view: "Drawing" not in view.all_text)

    await world.book(parent, announced, "Mia")  # Drawing booked: her link comes by direct message (the notifier)
    await slack.wait_until(lambda: world.zoom_links_in(parent) or None, timeout=30)
    await jobs_idle(tmp_path / "classbot.db")
    await world.all_handled()
    await slack.open_home(other)
    others = await slack.wait_for_home(other, lambda view: "Drawing" in view.all_text)
    redrawn = slack.home_view(parent)

    assert redrawn is not None
    assert len(redrawn.history) >= len(picked.history) + 2  # drawn for the booking and for the link's message
    assert "Mia" in redrawn.all_text
    assert redrawn.json["private_metadata"] == "8"  # still for age 8
    bookable = redrawn.all_text.split("Classes in your channels")[1]
    assert "Chess" in bookable
    assert "Drawing" not in bookable
    assert others.json["private_metadata"] == ""  # another person's tab: any age, as they left it
