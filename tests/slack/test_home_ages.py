"""The App Home tab's classes to book filtered by a child's age, as ``/classbot classes 8`` does, through the real
process: a menu of ages 3 to 17 (or any age) above the list; a choice lists only the classes whose age range holds
it (a class with no range fits every age), says so when none does, and stays chosen when the tab is opened
again."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.slack.world import SlackWorld, slack_world

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
