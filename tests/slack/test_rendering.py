"""Slack rendering and form reading on their own: escaping, Slack's command names, Block Kit that Slack accepts,
one error per wrong field, and no link ever headed for a channel."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest
from classbot_fakes.slack import check_blocks, check_view

from bot.core.bookings import CANCEL_BOOKING_YES, cancel_booking_question
from bot.core.class_input import parse_one_line
from bot.core.communities import CommunityRef
from bot.core.messages import Said, SaidButton
from bot.core.prices import Price
from bot.core.views import BookingView, ClassView
from bot.handlers.slack.blocks import message_blocks, parent_booking, plain, public_class, teacher_class
from bot.handlers.slack.installations import Workspaces
from bot.handlers.slack.modal import booking_view, new_class_view, read_new_class
from bot.handlers.slack.notifier import SlackNotifier
from bot.i18n.catalogs import Catalogs

ENGLISH = Catalogs().translator("en")
SPANISH = Catalogs().translator("es")


def _class(title: str = "Chess", *, seats_left: int = 3) -> ClassView:
    start = datetime.now(UTC) + timedelta(days=2)
    return ClassView("AbCdEf123456", title, "", "ann", start, "Europe/Madrid", 45, 5, seats_left, 1, "scheduled", False)


def _form(**typed: str) -> dict[str, dict[str, dict[str, object]]]:
    values = {
        "title": "Chess",
        "date": (date.today() + timedelta(days=3)).isoformat(),
        "time": "16:30",
        "duration": "45",
        "seats": "5",
        "sessions": "1",
        "timezone": "Europe/Madrid",
    } | typed
    keys = {"date": "selected_date", "time": "selected_time"}
    return {block: {"value": {keys.get(block, "value"): value}} for block, value in values.items()}


def test_typed_text_is_escaped_and_commands_are_said_the_slack_way() -> None:
    assert plain("<!channel> & <https://evil.example|your link>") == (
        "&lt;!channel&gt; &amp; &lt;https://evil.example|your link&gt;"
    )
    assert plain("See /mybookings, /classes and /myclasses; send /connect.") == (
        "See /classbot bookings, /classbot classes and /classbot mine; send /classbot connect."
    )
    assert plain("https://example.org/classes stays a link") == "https://example.org/classes stays a link"


def test_everything_drawn_is_block_kit_slack_accepts() -> None:
    booking = BookingView("BkBkBk123456", "AbCdEf123456", "Chess", "Mia", "confirmed", datetime.now(UTC), "UTC")
    text, blocks = message_blocks(Said("x" * 7000, (SaidButton("Join", url="https://zoom.example/j/1"),)))

    for t in (ENGLISH, SPANISH):
        form = new_class_view(t, timezone="Europe/Madrid", day=date(2027, 3, 14), channel_id="C1")
        assert check_view(form) == []
        line = "T" * 200 + " | 2027-03-14 16:30 | 45 | 8 | approve | min 3 | no zoom | about: " + "d" * 2000
        filled = new_class_view(
            t, timezone="UTC", day=date(2027, 3, 14), channel_id=None, draft=parse_one_line(line, "Europe/Madrid")
        )
        assert check_view(filled) == []  # the longest title and description Slack's limits take
        assert check_view(booking_view(_class(seats_left=0), ["Mia", "Leo"], t)) == []
        assert check_blocks(public_class(_class("T" * 300), t, in_channel=True), "message") == []
        assert check_blocks(teacher_class(_class(), t) + parent_booking(booking, t), "home") == []
    assert check_blocks(blocks, "message") == []
    assert len(text) <= 3000
    assert booking_view(_class(seats_left=0), [], ENGLISH)["submit"]["text"] == "Join the waitlist"
    assert booking_view(_class(seats_left=0), [], SPANISH)["submit"]["text"] == "A la lista de espera"


def test_cancelling_a_booking_asks_the_cores_question_first() -> None:
    booking = BookingView("BkBkBk123456", "AbCdEf123456", "Chess", "Mia", "confirmed", datetime.now(UTC), "UTC")
    for t in (ENGLISH, SPANISH):
        [cancel] = [
            element
            for block in parent_booking(booking, t)
            for element in block.get("elements", [])
            if element.get("action_id", "").startswith("cb:")
        ]
        assert cancel["confirm"]["text"]["text"] == t(cancel_booking_question(booking))
        assert cancel["confirm"]["confirm"]["text"] == t(CANCEL_BOOKING_YES)
    assert ENGLISH(cancel_booking_question(booking)).startswith("Cancel Mia's seat in “Chess”?")
    assert "paid" not in ENGLISH(cancel_booking_question(booking))


def test_the_cancel_question_of_a_paid_booking_says_what_happens_to_the_money() -> None:
    booking = BookingView("BkBkBk123456", "AbCdEf123456", "Chess", "Mia", "confirmed", None, "Europe/Madrid")
    until = datetime(2027, 3, 13, 15, 30, tzinfo=UTC)
    paid = replace(booking, paid=Price(1250, "EUR"), refund_until=until)
    too_late = replace(booking, paid=Price(1250, "EUR"))
    for t in (ENGLISH, SPANISH):
        [cancel] = [
            element
            for block in parent_booking(paid, t)
            for element in block.get("elements", [])
            if element.get("action_id", "").startswith("cb:")
        ]
        assert cancel["confirm"]["text"]["text"] == t(cancel_booking_question(paid))
        assert check_blocks(parent_booking(paid, t) + parent_booking(too_late, t), "home") == []
        longest = replace(paid, class_title="T" * 200, child_name="M" * 100)
        [cut] = [
            element["confirm"]["text"]["text"]
            for block in parent_booking(longest, t)
            for element in block.get("elements", [])
            if element.get("action_id", "").startswith("cb:")
        ]
        assert "€12.50" in cut  # Slack's dialog cuts a long question at its end, never the money
    asked = ENGLISH(cancel_booking_question(paid))
    assert asked == (
        "Cancelled before Sat, Mar 13, 2027, 16:30 (Europe/Madrid), the €12.50 you paid comes back; after that it "
        "does not. Cancel Mia's seat in “Chess”? The seat goes to the next child waiting, if there is one."
    )
    assert ENGLISH(cancel_booking_question(too_late)).startswith(
        "The €12.50 you paid does not come back: the class is too close. Cancel Mia's seat"
    )
    assert "€12.50" in SPANISH(cancel_booking_question(paid))


def test_the_form_reports_every_wrong_field_on_its_own_block() -> None:
    wrong = read_new_class(
        _form(title="", duration="4", seats="many", sessions="99", timezone="Mars/Olympus", min_bookings="two"),
        ENGLISH,
    )
    approved = {"approval": {"value": {"selected_options": [{"value": "yes"}]}}}
    right = read_new_class(_form(min_bookings="2") | approved, ENGLISH)

    assert wrong.draft is None
    assert set(wrong.errors) == {"title", "duration", "seats", "sessions", "timezone", "min_bookings"}
    assert "is not a timezone" in wrong.errors["timezone"]
    assert "no es una zona horaria" in read_new_class(_form(timezone="Mars/Olympus"), SPANISH).errors["timezone"]
    assert right.errors == {}
    assert right.draft is not None
    assert (right.draft.min_bookings, right.draft.requires_approval, right.draft.seats) == (2, True, 5)


async def test_a_link_is_never_posted_to_a_channel() -> None:
    notifier = SlackNotifier(Workspaces("http://127.0.0.1:9/api/", bot_token="xoxb-test", installations=None))
    message = Said("New class", (SaidButton("Join", url="https://zoom.example/j/1"),))

    with pytest.raises(ValueError, match="never carry links"):
        await notifier.post_to_community(CommunityRef("slack", "C1", "T1", "chess"), message)
