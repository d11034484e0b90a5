"""A teacher edits a class from Slack, through the real process: Edit on the class opens its form filled in, a
wrong field (fewer seats than are taken, an upside-down age range) is shown on that field, and a saved change
moves the waitlist up and tells the parents booked or waiting, once each, by direct message."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from classbot_fakes.slack import SlackView

from tests.slack.world import SlackWorld, slack_world

pytestmark = pytest.mark.slow


@pytest.fixture
async def world(tmp_path: Path, sqlite_url: str) -> AsyncIterator[SlackWorld]:
    async with slack_world(tmp_path, sqlite_url) as built:
        yield built


def _as_filled_in(form: SlackView, **changed: Any) -> dict[str, dict[str, Any]]:
    """What Slack submits for the form as it opened (the fake, unlike Slack, fills in no initial values), with
    ``changed`` fields typed over."""
    values: dict[str, dict[str, Any]] = {}
    for block in form.blocks:
        if block.get("type") != "input":
            continue
        element = block["element"]
        if "initial_value" in element:
            values[block["block_id"]] = {"value": element["initial_value"]}
        elif element.get("initial_options"):
            values[block["block_id"]] = {"value": [option["value"] for option in element["initial_options"]]}
    for block_id, value in changed.items():
        values[block_id] = {"value": value}
    return values


async def test_a_teacher_edits_a_class_in_its_form_and_the_parents_are_told(world: SlackWorld) -> None:
    slack = world.slack
    admin = slack.add_user("Ada", is_admin=True)
    teacher, parent, waiting = slack.add_user("Ann"), slack.add_user("Pat"), slack.add_user("Quinn")
    room = slack.add_channel("chess", members=[admin, teacher, parent, waiting])
    await world.set_up_channel(admin, room)
    await world.create_class(teacher, "Chess", channel=room, seats="2", description="Openings.")
    announced = await world.said(room, "New class")
    await world.book(parent, announced, "Mia, Ava")
    await world.said(parent, "Booked")
    await world.book(waiting, announced, "Leo")
    await world.said(waiting, "on the waitlist")

    await slack.slash(teacher, "mine")
    listed = await world.whispered(teacher, "Chess")
    await slack.press(teacher, listed, "Edit")
    form = await slack.wait_for_view(teacher, lambda view: view.callback_id == "edit_class")
    too_few = await slack.submit_view(teacher, form, _as_filled_in(form, seats="1"))
    upside_down = await slack.submit_view(teacher, form, _as_filled_in(form, ages="10-7", min_bookings="many"))
    saved = await slack.submit_view(
        teacher, form, _as_filled_in(form, title="Chess club", seats="3", ages="7-10", approval=["yes"])
    )
    done = await world.said(teacher, "Saved, and 2 parents were told")
    told = [await world.said(person, "The teacher changed “Chess”") for person in (parent, waiting)]
    promoted = await world.said(waiting, "A seat opened in “Chess club”: Leo")
    await world.all_handled()

    assert _as_filled_in(form) == {
        "title": {"value": "Chess"},
        "description": {"value": "Openings."},
        "seats": {"value": "2"},
    }
    assert too_few.errors == {"seats": "2 seats are already taken: the class cannot have fewer than 2 seats."}
    assert upside_down.errors is not None
    assert set(upside_down.errors) == {"ages", "min_bookings"}
    assert saved.errors is None
    assert "“Chess club” with" in done.all_text
    assert "Ages 7\u201310" in done.all_text
    assert "You approve each booking yourself." in done.all_text
    for notice in told:
        assert "It is now called “Chess club”" in notice.all_text
        assert "Now for: Ages 7\u201310." in notice.all_text
    assert promoted.all_text  # the third seat went to the waiting child, waiting now for the teacher's approval
    assert len([m for m in slack.messages(parent) if "The teacher changed" in m.all_text]) == 1
    slack.assert_acks_in_time()
