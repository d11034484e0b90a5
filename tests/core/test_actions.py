"""Button actions: one typed list of kinds, spelled on the wire as they always were, so buttons already sitting in
people's chats (and in queued messages) keep working; anything else pressed is recognised as not ours."""

from __future__ import annotations

import pytest

from bot.core.actions import FORGET_ME, Act, Action
from bot.core.messages import Button, Message
from bot.i18n.texts import plain

# The spellings buttons were sent with before the kinds had a type: changing one strands every button out there.
WIRE = {
    "book": Act.BOOK,
    "kid": Act.CHILD,
    "cb": Act.CANCEL_BOOKING,
    "cby": Act.CANCEL_BOOKING_CONFIRMED,
    "pay": Act.PAY,
    "open": Act.OPEN_TO_LINK,
    "shut": Act.KEEP_TO_GROUPS,
    "link": Act.JOIN_LINK,
    "ics": Act.CALENDAR,
    "nc": Act.NEW_CLASS_ANSWER,
    "ncs": Act.NEW_CLASS_SETTING,
    "roster": Act.ROSTER,
    "csv": Act.ROSTER_CSV,
    "start": Act.START_LINK,
    "meet": Act.MEETING_NOW,
    "zoomon": Act.ADD_ZOOM,
    "msg": Act.MESSAGE_PARENTS,
    "move": Act.RESCHEDULE,
    "edit": Act.EDIT,
    "es": Act.EDIT_SETTING,
    "cc": Act.CANCEL_CLASS,
    "ccy": Act.CANCEL_CLASS_CONFIRMED,
    "approve": Act.APPROVE,
    "decline": Act.DECLINE,
    "connect": Act.CONNECT_ZOOM,
    "disconnect": Act.DISCONNECT_ZOOM,
    "zgive": Act.HAND_ZOOM_OVER,
    "zkeep": Act.KEEP_ZOOM,
    "zshare": Act.SHARE_ZOOM,
    "policy": Act.POLICY,
    "unpub": Act.UNPUBLISH,
    "lang": Act.LANGUAGE,
    "tz": Act.TIMEZONE,
    "forget": Act.FORGET,
    "age": Act.AGE_FILTER,
}


def test_every_kind_keeps_its_spelling_on_the_wire() -> None:
    assert {act.value: act for act in Act} == WIRE
    assert Act.CANCEL_BOOKING.on("abcdef123456").wire == "cb:abcdef123456"
    assert FORGET_ME.wire == "forget:yes"


@pytest.mark.parametrize("wire", ["book:abcdef123456", "nc:Europe/Madrid", "lang:es", "kid:0", "policy:anyone"])
def test_a_pressed_action_reads_back_as_it_was_sent(wire: str) -> None:
    action = Action.parse(wire)
    assert action is not None
    assert action.wire == wire
    assert action.well_formed


@pytest.mark.parametrize(
    ("wire", "ours", "well_formed"),
    [
        ("zzz:1", False, False),  # a kind we never made
        ("url:0", False, False),  # Slack reports a link button's click with the id we gave it
        ("nonsense", False, False),
        ("roster:<script>", True, False),  # a record's act with something that is not a public id
        ("roster:" + "x" * 57, True, False),
        ("cc:nope00000000", True, True),  # well formed: whether it exists is the use case's question
        ("lang:", True, False),  # a choice is never empty…
        ("lang:" + "e" * 41, True, False),  # …nor long
    ],
)
def test_forged_or_foreign_actions_are_told_apart(wire: str, ours: bool, well_formed: bool) -> None:
    action = Action.parse(wire)
    assert (action is not None) == ours
    assert (action is not None and action.well_formed) == well_formed


def test_a_button_about_one_class_among_several_carries_the_class_and_the_choice() -> None:
    action = Act.EDIT_SETTING.on("abcdef123456", "min_bookings")
    assert action.wire == "es:abcdef123456:min_bookings"
    read = Action.parse(action.wire)
    assert read == action
    assert read is not None
    assert read.well_formed
    assert read.parts == ("abcdef123456", "min_bookings")
    assert len(Act.EDIT_SETTING.on("a" * 16, "c" * 40).wire.encode()) <= 64  # Telegram's callback data limit


@pytest.mark.parametrize(
    "wire",
    [
        "es:title",  # the class left out
        "es:abcdef123456",
        "es:abcdef123456:",  # the choice left out
        "es:<script>:title",  # not a public id
        "es:abcdef123456:" + "x" * 41,
    ],
)
def test_a_record_and_choice_missing_either_is_not_ours(wire: str) -> None:
    action = Action.parse(wire)
    assert action is not None
    assert not action.well_formed


def test_a_queued_message_keeps_its_typed_buttons_and_drops_a_kind_no_longer_ours() -> None:
    sent = Message(plain("Mia asks to join"), (Button(plain("Approve"), Act.APPROVE.on("abcdef123456")),))
    payload = sent.to_payload()
    assert payload["buttons"][0]["action"] == "approve:abcdef123456"
    assert Message.from_payload(payload) == sent

    payload["buttons"].append({"label": "Gone", "action": "retired:abcdef123456", "url": None})
    assert Message.from_payload(payload) == sent
