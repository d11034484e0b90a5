"""The words both front ends say, decided once in the core: what a roster shows and offers, and which buttons a
class or a booking gets. (Each front end only marks up a roster line's start and draws the buttons.)"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from datetime import UTC, datetime

from bot.core.actions import FORGET_ME, Act
from bot.core.classes import Roster, RosterLine
from bot.core.messages import Button
from bot.core.views import BookingView, ClassView
from bot.core.words import replies
from bot.core.words.labels import booking_buttons, teacher_buttons
from bot.core.words.roster import roster_words
from bot.i18n.texts import Text, plain, source

CLASS_ID = "AbCdEf123456"
START = datetime(2027, 3, 14, 15, 30, tzinfo=UTC)


def _class() -> ClassView:
    return ClassView(CLASS_ID, "Chess", "", "Ann Lee", START, "Europe/Madrid", 45, 8, 3, 1, "scheduled", False)


class _Marks:
    def entry(self, child: str, parent: str) -> Text:
        return plain(f"{child} of {parent}")

    def waiting(self, entry: Text) -> Text:
        return plain(f"{source(entry)} (waiting)")


def _said(buttons: Iterable[Button]) -> list[tuple[str, str | None]]:
    return [(source(b.label), b.action.wire if b.action else None) for b in buttons]


def test_a_roster_says_who_came_who_waits_for_the_teacher_and_who_is_on_the_waitlist() -> None:
    roster = Roster(
        _class(),
        (
            RosterLine("MiaBooking01", "Mia", "Pat", "confirmed", 2),
            RosterLine("LeoBooking02", "Leo", "Quinn", "pending_approval", 0),
        ),
        ("Ada", "Bo"),
    )

    words = roster_words(roster, _Marks())

    assert words.cls == roster.cls
    assert [source(entry.text) for entry in words.entries] == [
        "Mia of Pat, attended 2 sessions",
        "Leo of Quinn (waiting)",
    ]
    assert [_said(entry.buttons) for entry in words.entries] == [
        [],
        [("Approve Leo", "approve:LeoBooking02"), ("Decline Leo", "decline:LeoBooking02")],
    ]
    assert [source(note) for note in words.notes] == ["Waitlist: Ada, Bo"]


def test_an_empty_roster_says_so() -> None:
    words = roster_words(Roster(_class(), (), ()), _Marks())

    assert words.entries == ()
    assert [source(note) for note in words.notes] == ["No bookings yet."]


def test_a_teacher_and_a_parent_get_the_same_buttons_on_every_platform() -> None:
    assert _said(teacher_buttons(_class())) == [
        ("Roster", f"roster:{CLASS_ID}"),
        ("Start link", f"start:{CLASS_ID}"),
        ("Create the Zoom meeting now", f"meet:{CLASS_ID}"),
        ("Message the parents", f"msg:{CLASS_ID}"),
        ("Edit", f"edit:{CLASS_ID}"),
        ("Reschedule", f"move:{CLASS_ID}"),
        ("Open to anyone with the link", f"open:{CLASS_ID}"),
        ("Cancel the class", f"cc:{CLASS_ID}"),
    ]
    zoom_buttons = {"Start link", "Create the Zoom meeting now", "Add a Zoom meeting"}
    with_meeting = [label for label, _ in _said(teacher_buttons(replace(_class(), has_meeting=True)))]
    without_zoom = [label for label, _ in _said(teacher_buttons(replace(_class(), zoom_enabled=False)))]
    assert zoom_buttons.intersection(with_meeting) == {"Start link"}  # made already: nothing to create
    assert zoom_buttons.intersection(without_zoom) == {"Add a Zoom meeting"}  # no link to start
    confirmed = BookingView("MiaBooking01", CLASS_ID, "Chess", "Mia", "confirmed", START, "Europe/Madrid")
    link = plain("Get it")
    assert _said(booking_buttons(confirmed, join_link=link)) == [
        ("Get it", "link:MiaBooking01"),
        ("Add to calendar (.ics)", "ics:MiaBooking01"),
        ("Cancel this booking", "cb:MiaBooking01"),
    ]
    waiting = BookingView("LeoBooking02", CLASS_ID, "Chess", "Leo", "pending_approval", START, "Europe/Madrid")
    assert _said(booking_buttons(waiting, join_link=link)) == [("Cancel this booking", "cb:LeoBooking02")]


def test_forgetting_is_confirmed_by_its_one_button() -> None:
    message = replies.forget_me()

    assert [button.action for button in message.buttons] == [FORGET_ME]
    assert FORGET_ME.act is Act.FORGET
