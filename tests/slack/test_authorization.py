"""Every Slack command, button and form, used by the wrong person, is refused with a clear answer and changes
nothing: another teacher, another parent, a channel member who is not a workspace admin, someone outside the
channel a class is for (its announcement's Book button, the Home tab, ``classes`` in a DM, in another channel or
sent for the class's channel, a Book press or form replayed), and anyone posting a signed request whose button
names a class or booking that is not theirs (or nothing at all). A member of the channel sees and books it.

One workspace is staged once (HTTP mode, so that requests can also be posted by hand, signed as Slack signs
them); each case then acts as the wrong person, waits for the answer, and compares the whole database before
and after (all but the record of which deliveries were seen).
"""

from __future__ import annotations

import copy
import re
import secrets
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import pytest_asyncio
from classbot_fakes.slack import FakeSlackUser, SlackMessage, SlackView, signed_headers
from classbot_fakes.slack.delivery import http_body

from tests.slack.world import SlackWorld, jobs_idle, slack_world
from tests.support.database_dump import sqlite_rows

pytestmark = [pytest.mark.slow, pytest.mark.asyncio(loop_scope="module")]

NOT_THE_TEACHER = "Only the class's teacher can do that"
FOR_MEMBERS = "This class is for members of chess. Ask its teacher for a share link."
NOTHING_LISTED = "No upcoming classes yet."


@dataclass
class Stage:
    """A channel with a class by Ann (Zoom connected) booked by Pat and Eve; Otto teaches his own class; Mo is
    a plain member of the channel; Sam is only in #art."""

    world: SlackWorld
    database: Path
    people: dict[str, FakeSlackUser]
    room_id: str
    ids: dict[str, str]
    # A press by each would-be intruder on their own Home tab; Sam's "help" command; Eve's booking form.
    templates: dict[str, dict[str, Any]]
    announcement: SlackMessage
    art_id: str
    by_hand: int = 0


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def stage(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Stage]:
    tmp = tmp_path_factory.mktemp("authorization")
    async with slack_world(tmp, f"sqlite+aiosqlite:///{tmp / 'classbot.db'}", mode="http") as world:
        slack = world.slack
        names = {"Ada": True, "Ann": False, "Otto": False, "Pat": False, "Eve": False, "Mo": False}
        people = {name: slack.add_user(name, is_admin=admin) for name, admin in names.items()}
        room = slack.add_channel("chess", members=list(people.values()))
        people["Sam"] = slack.add_user("Sam")
        art = slack.add_channel("art", members=[people["Sam"]])
        await world.set_up_channel(people["Ada"], room)
        await world.connect_zoom(people["Ann"], world.zoom.add_user(email="ann@example.org").id)
        await world.create_class(people["Ann"], "Chess", channel=room)
        announcement = await world.said(room, "New class")
        await world.book(people["Pat"], announcement, "Mia")
        await world.said(people["Pat"], "Here is your Zoom link")
        await slack.press(people["Eve"], announcement, "Book a seat")
        form = await slack.wait_for_view(people["Eve"], lambda view: view.callback_id == "book_seat")
        eve_booking = await slack.submit_view(people["Eve"], form, {"child": {"value": "Eli"}})
        await world.said(people["Eve"], "Here is your Zoom link")
        sam_help = await slack.slash(people["Sam"], "help")
        await world.create_class(people["Otto"], "Origami")

        ann_home = await slack.wait_for_home(people["Ann"], lambda view: "Chess" in view.all_text)
        pat_home = await slack.wait_for_home(people["Pat"], lambda view: "Mia" in view.all_text)
        eve_home = await slack.wait_for_home(people["Eve"], lambda view: "Eli" in view.all_text)
        otto_home = await slack.wait_for_home(people["Otto"], lambda view: "Origami" in view.all_text)
        ids = {
            "class": _id_after(ann_home, "roster:"),
            "booking": _id_after(pat_home, "cb:"),
        }
        eve_press = await slack.press(people["Eve"], eve_home, "Send me the Zoom link")
        await world.said(people["Eve"], "please don't share it")
        otto_press = await slack.press(people["Otto"], otto_home, "Roster")
        await slack.wait_for_view(people["Otto"], lambda view: view.title == "Roster")
        await slack.close_view(people["Otto"])
        await world.all_handled()
        await jobs_idle(tmp / "classbot.db")
        sam_press = copy.deepcopy(eve_press.payload)  # Sam has no button of his own to press: Eve's, as Sam
        sam_press["user"] |= {"id": people["Sam"].id, "username": "sam", "name": "sam"}
        templates = {"Eve": eve_press.payload, "Otto": otto_press.payload, "Sam": sam_press}
        templates |= {"Sam-slash": sam_help.payload, "Eve-booking": eve_booking.payload}
        yield Stage(world, tmp / "classbot.db", people, room.id, ids, templates, announcement, art.id)


def _id_after(view: SlackView, prefix: str) -> str:
    found = re.search(re.escape(prefix) + r"([A-Za-z0-9_-]+)", str(view.blocks))
    assert found is not None, f"no {prefix} button in {view.all_text[:200]}"
    return found.group(1)


async def _post_by_hand(stage: Stage, kind: str, payload: dict[str, Any]) -> httpx.Response:
    """Post ``payload`` to the bot signed as Slack signs it (as anyone holding the signing secret could)."""
    body, content_type = http_body(kind, payload)
    headers = signed_headers(stage.world.slack.signing_secret, body, content_type=content_type)
    async with httpx.AsyncClient(timeout=10) as client:
        answer = await client.post(f"{stage.world.bot.url}/slack/events", content=body, headers=headers)
    assert answer.status_code == 200, answer.text
    stage.by_hand += 1
    return answer


def _new_trigger() -> str:
    return f"{secrets.randbelow(10**10)}.{secrets.randbelow(10**10)}.{secrets.token_hex(16)}"


async def _forge(stage: Stage, who: str, action: str) -> None:
    """``who`` presses a button carrying ``action`` on their Home tab: a request Slack signed, as Slack would
    send it if the button were there (or as anyone holding the signing secret could)."""
    payload = copy.deepcopy(stage.templates[who])
    payload["trigger_id"] = _new_trigger()
    payload["actions"][0] |= {"action_id": action, "value": action}
    await _post_by_hand(stage, "interactive", payload)


def _forged(who: str, action: str) -> Callable[[Stage], Awaitable[None]]:
    async def act(stage: Stage) -> None:
        await _forge(stage, who, action.format(**stage.ids))

    return act


def _command(
    who: str, text: str, *, in_room: bool = True, channel: str | None = None
) -> Callable[[Stage], Awaitable[None]]:
    async def act(stage: Stage) -> None:
        where = getattr(stage, channel) if channel else stage.room_id if in_room else None
        await stage.world.slack.slash(stage.people[who], text, channel=where)

    return act


async def _lists_for_the_room_from_outside(stage: Stage) -> None:
    """Sam's own ``/classbot help``, sent again as ``classes`` from #chess, where he is not."""
    payload = dict(stage.templates["Sam-slash"])
    payload |= {"text": "classes", "channel_id": stage.room_id, "channel_name": "chess", "trigger_id": _new_trigger()}
    await _post_by_hand(stage, "slash_commands", payload)


async def _presses_the_announcement(stage: Stage) -> None:
    await stage.world.slack.press(stage.people["Sam"], stage.announcement, "Book a seat")


async def _take_down_as_a_member(stage: Stage) -> None:
    slack, member = stage.world.slack, stage.people["Mo"]
    await slack.slash(member, "classes", channel=stage.room_id)
    listed = await stage.world.whispered(member, "Chess")
    await slack.press(member, listed, "Take down (admins)")


CASES: list[tuple[str, str, Callable[[Stage], Awaitable[None]], str]] = [
    ("another teacher opens the roster", "Otto", _forged("Otto", "roster:{class}"), NOT_THE_TEACHER),
    ("another teacher asks for the start link", "Otto", _forged("Otto", "start:{class}"), NOT_THE_TEACHER),
    ("a parent cancels the class", "Eve", _forged("Eve", "cc:{class}"), NOT_THE_TEACHER),
    ("another teacher writes to the parents", "Otto", _forged("Otto", "msg:{class}"), NOT_THE_TEACHER),
    ("another teacher moves the class", "Otto", _forged("Otto", "move:{class}"), NOT_THE_TEACHER),
    ("another teacher asks for the roster spreadsheet", "Otto", _forged("Otto", "csv:{class}"), NOT_THE_TEACHER),
    ("another teacher opens the class to anyone", "Otto", _forged("Otto", "open:{class}"), NOT_THE_TEACHER),
    ("another teacher keeps the class to its channels", "Otto", _forged("Otto", "shut:{class}"), NOT_THE_TEACHER),
    (
        "another teacher approves a booking",
        "Otto",
        _forged("Otto", "approve:{booking}"),
        "Only the class's teacher can approve or decline",
    ),
    (
        "another teacher declines a booking",
        "Otto",
        _forged("Otto", "decline:{booking}"),
        "Only the class's teacher can approve or decline",
    ),
    (
        "another parent cancels a booking",
        "Eve",
        _forged("Eve", "cb:{booking}"),
        "Only the parent who made a booking can cancel it",
    ),
    (
        "another parent asks for a booking's link",
        "Eve",
        _forged("Eve", "link:{booking}"),
        "Only the parent who made a booking can see its link",
    ),
    (
        "another parent asks for a booking's calendar",
        "Eve",
        _forged("Eve", "ics:{booking}"),
        "Only the parent who made a booking can see its link",
    ),
    ("a button that names no id", "Eve", _forged("Eve", "roster:<script>"), "This button is no longer valid"),
    ("a button for no such class", "Eve", _forged("Eve", "cc:nope00000000"), "That class no longer exists"),
    ("a forged forgetme confirmation", "Eve", _forged("Eve", "forget:everyone"), "This button is no longer valid"),
    ("a member sets the channel up", "Mo", _command("Mo", "setup"), "Only workspace admins and owners"),
    ("a member asks for the channel's numbers", "Mo", _command("Mo", "stats"), "Only workspace admins and owners"),
    (
        "a member takes a class down",
        "Mo",
        _take_down_as_a_member,
        "Only this group's admins or the class's teacher can take a class down",
    ),
    ("forgetme, not yet confirmed", "Eve", _command("Eve", "forgetme", in_room=False), "cannot be undone"),
    ("someone outside the channel presses Book on its announcement", "Sam", _presses_the_announcement, FOR_MEMBERS),
    ("a Book press replayed from someone else's Home tab", "Sam", _forged("Sam", "book:{class}"), FOR_MEMBERS),
    (
        "classes in a DM, by someone outside the channel",
        "Sam",
        _command("Sam", "classes", in_room=False),
        NOTHING_LISTED,
    ),
    ("classes in another channel", "Sam", _command("Sam", "classes", channel="art_id"), NOTHING_LISTED),
    (
        "classes sent for a channel he is not in",
        "Sam",
        _lists_for_the_room_from_outside,
        "Only members of chess see the classes listed there",
    ),
]


@pytest.mark.parametrize(("who", "act", "answer"), [case[1:] for case in CASES], ids=[case[0] for case in CASES])
async def test_the_wrong_person_is_refused_clearly_and_nothing_changes(
    stage: Stage, who: str, act: Callable[[Stage], Awaitable[None]], answer: str
) -> None:
    world, person = stage.world, stage.people[who]
    await jobs_idle(stage.database)
    before = sqlite_rows(stage.database)
    told_before = {(m.channel, m.ts) for m in _to(world, person)}

    await act(stage)
    told = await world.slack.wait_until(lambda: _new_answer(world, person, told_before, answer), timeout=20)
    await world.all_handled(extra=stage.by_hand)

    assert told.links == []  # no start or join link reached the wrong person
    assert sqlite_rows(stage.database) == before
    assert world.bot.process.poll() is None


def _to(world: SlackWorld, person: FakeSlackUser) -> list[SlackMessage]:
    """What the bot said to ``person``: their direct messages and the messages only they see."""
    return [*world.slack.dm(person), *world.slack.ephemeral_messages(person)]


def _new_answer(world: SlackWorld, person: FakeSlackUser, before: set[tuple[str, str]], answer: str) -> Any:
    return next((m for m in _to(world, person) if (m.channel, m.ts) not in before and answer in m.all_text), None)


async def test_a_message_form_sent_for_another_teachers_class_is_refused_in_the_form(stage: Stage) -> None:
    world, otto = stage.world, stage.people["Otto"]
    slack = world.slack
    otto_home = await slack.wait_for_home(otto, lambda view: "Origami" in view.all_text)
    await slack.press(otto, otto_home, "Message the parents")
    form = await slack.wait_for_view(otto, lambda view: view.callback_id == "message_parents")
    own = await slack.submit_view(otto, form, {"words": {"value": "Hello"}})
    await world.said(otto, "Sent to 0 parents")
    await world.all_handled(extra=stage.by_hand)
    await jobs_idle(stage.database)
    before = sqlite_rows(stage.database)
    pat_told = len(slack.dm(stage.people["Pat"]))

    forged = copy.deepcopy(own.payload)  # the same form, sent again for Ann's class
    forged["trigger_id"] = f"{secrets.randbelow(10**10)}.{secrets.randbelow(10**10)}.{secrets.token_hex(16)}"
    forged["view"]["private_metadata"] = stage.ids["class"]
    body, content_type = http_body("interactive", forged)
    headers = signed_headers(slack.signing_secret, body, content_type=content_type)
    async with httpx.AsyncClient(timeout=10) as client:
        answer = await client.post(f"{world.bot.url}/slack/events", content=body, headers=headers)
    stage.by_hand += 1
    await world.all_handled(extra=stage.by_hand)

    assert answer.status_code == 200
    assert answer.json() == {"response_action": "errors", "errors": {"words": "Only the class's teacher can do that."}}
    assert sqlite_rows(stage.database) == before
    assert len(slack.dm(stage.people["Pat"])) == pat_told


async def test_a_booking_form_sent_by_someone_outside_the_channel_is_refused_in_the_form(stage: Stage) -> None:
    world, sam = stage.world, stage.people["Sam"]
    await world.all_handled(extra=stage.by_hand)
    await jobs_idle(stage.database)
    before = sqlite_rows(stage.database)

    forged = copy.deepcopy(stage.templates["Eve-booking"])  # Eve's form for Chess, sent as Sam's, for Zoe
    forged["user"] |= {"id": sam.id, "username": "sam", "name": "sam"}
    forged["trigger_id"] = _new_trigger()
    forged["view"]["id"] = "V0FORGED" + secrets.token_hex(3).upper()
    forged["view"]["state"]["values"]["child"]["value"]["value"] = "Zoe"
    answer = await _post_by_hand(stage, "interactive", forged)
    await world.all_handled(extra=stage.by_hand)

    assert answer.json() == {"response_action": "errors", "errors": {"child": FOR_MEMBERS}}
    assert sqlite_rows(stage.database) == before
    assert world.zoom_links_in(sam) == []


async def test_the_home_tab_offers_a_channels_classes_to_its_members_only(stage: Stage) -> None:
    slack, sam, mo = stage.world.slack, stage.people["Sam"], stage.people["Mo"]
    await jobs_idle(stage.database)
    before = sqlite_rows(stage.database)

    await slack.open_home(sam)
    sam_home = await slack.wait_for_home(sam, lambda view: "Classes in your channels" in view.all_text)
    await slack.open_home(mo)
    mo_home = await slack.wait_for_home(mo, lambda view: "Classes in your channels" in view.all_text)
    await stage.world.all_handled(extra=stage.by_hand)

    assert "Chess" not in sam_home.all_text
    assert "No class to book yet" in sam_home.all_text
    assert sqlite_rows(stage.database) == before
    assert "Chess" in mo_home.all_text.split("Classes in your channels", 1)[1]
    await slack.press(mo, mo_home, "Book a seat")
    form = await slack.wait_for_view(mo, lambda view: view.callback_id == "book_seat")
    assert "Chess" in form.all_text
    await slack.close_view(mo)


ALLOWED: list[tuple[str, Callable[[Stage], Awaitable[None]]]] = [
    ("classes in a DM", _command("Mo", "classes", in_room=False)),
    ("classes in the channel", _command("Mo", "classes")),
]


@pytest.mark.parametrize("act", [case[1] for case in ALLOWED], ids=[case[0] for case in ALLOWED])
async def test_a_member_of_the_channel_sees_its_class(stage: Stage, act: Callable[[Stage], Awaitable[None]]) -> None:
    world, mo = stage.world, stage.people["Mo"]
    told_before = {(m.channel, m.ts) for m in _to(world, mo)}

    await act(stage)
    listed = await world.slack.wait_until(lambda: _new_answer(world, mo, told_before, "Chess"), timeout=20)

    assert "Book a seat" in [button.text for button in listed.buttons]


async def test_a_member_books_from_the_announcement(stage: Stage) -> None:
    world, mo = stage.world, stage.people["Mo"]
    await world.book(mo, stage.announcement, "Max")
    await world.said(mo, "Booked: Max")
