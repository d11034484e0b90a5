"""Every button ClassBot draws, as a typed action: what pressing it asks for, and what it names.

A pressed button comes back as ``kind:value`` (Telegram's callback data, Slack's ``action_id``): the kind says
what to do, the value names a class or a booking (its public id) or a short choice, or both (``kind:id:choice``),
so a button that acts on one class among several never has to remember which in the chat's state. ``Act`` is the
one list of kinds, shared by the core (which puts buttons in its messages) and both front ends (which route presses
by it).
Its spellings are the wire format: buttons already sitting in people's chats keep working only while they stay
as they are, so a member may be renamed but its value never changes.

Nothing in a pressed action is trusted: ``Action.parse`` only says whether it is one of ours and well formed;
the use case it reaches checks the presser against the class or booking every time.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from bot.core.ids import looks_like_public_id

_MOST_CHOICE = 40  # a choice (a language code, an answer to a question) is short; anything longer is forged
_PARTS = ":"  # between a record's id and the choice about it (a public id never has one; the choice may)


class Act(enum.StrEnum):
    """What a button asks for; the value is its spelling on the wire."""

    # parents
    BOOK = "book"  # open the booking of a class (its public id)
    CHILD = "kid"  # which child a seat is for: the index of a name the parent booked for before
    CANCEL_BOOKING = "cb"  # ask to cancel a booking (Telegram asks to confirm; Slack's button confirms itself)
    CANCEL_BOOKING_CONFIRMED = "cby"
    JOIN_LINK = "link"  # the parent's Zoom link, privately
    CALENDAR = "ics"  # the booking's calendar file
    PAY = "pay"  # pay for a seat held for the parent (the booking's public id): the invoice again
    # teachers
    NEW_CLASS_ANSWER = "nc"  # an answer picked in the step-by-step class form (Telegram)
    # a setting changed on the step-by-step form's last step, spelled as in the one-line form ("no zoom", "min 3"),
    # or "create" to make the class
    NEW_CLASS_SETTING = "ncs"
    ROSTER = "roster"
    ROSTER_CSV = "csv"
    START_LINK = "start"  # the host's start link, privately
    MEETING_NOW = "meet"  # create the class's Zoom meeting now (not at the first booking), start link privately
    ADD_ZOOM = "zoomon"  # a class made without Zoom gets a meeting; the parents booked get their links
    MESSAGE_PARENTS = "msg"
    RESCHEDULE = "move"
    EDIT = "edit"  # change a class's settings (Telegram offers a menu of them; Slack opens a form)
    # the setting picked in Telegram's edit menu, on its class: the class's public id and a field of
    # ``class_input.EDITABLE``, or "approval_on"/"approval_off" (what approval becomes)
    EDIT_SETTING = "es"
    OPEN_TO_LINK = "open"  # anyone with the class's link may see and book it
    KEEP_TO_GROUPS = "shut"  # only the members of the communities it is announced in
    CANCEL_CLASS = "cc"  # ask to cancel a class (Telegram asks to confirm; Slack's button confirms itself)
    CANCEL_CLASS_CONFIRMED = "ccy"
    APPROVE = "approve"  # a booking waiting for the teacher
    DECLINE = "decline"
    CONNECT_ZOOM = "connect"
    DISCONNECT_ZOOM = "disconnect"
    HAND_ZOOM_OVER = "zgive"  # the holder of a Zoom account lets whoever asked connect it (the request's id)
    KEEP_ZOOM = "zkeep"
    SHARE_ZOOM = "zshare"  # the holder of a Zoom account lets whoever asked use it too (the request's id)
    # group admins
    POLICY = "policy"  # who may publish in a group: "anyone" or "approved"
    UNPUBLISH = "unpub"
    # anyone
    LANGUAGE = "lang"  # a language code
    TIMEZONE = "tz"  # the reader's own timezone (Area/City), offered after a booking: the class's
    FORGET = "forget"  # the confirmation of "forget me": only ``FORGET_ME`` is honoured
    AGE_FILTER = "age"  # a list of classes for a child of that age (a number), or "any"

    @property
    def names_a_record(self) -> bool:
        """Whether the value is a class's or a booking's public id (else it is a short choice)."""
        return self in _NAMING_A_RECORD

    @property
    def names_a_record_and_choice(self) -> bool:
        """Whether the value is a class's public id and a short choice about it (``Action.parts``)."""
        return self in _NAMING_A_RECORD_AND_CHOICE

    def on(self, value: str, choice: str | None = None) -> Action:
        """The action on ``value``; an act naming a record and a choice takes both (the record first)."""
        return Action(self, value if choice is None else f"{value}{_PARTS}{choice}")


_NAMING_A_RECORD = frozenset(
    {
        Act.BOOK,
        Act.CANCEL_BOOKING,
        Act.CANCEL_BOOKING_CONFIRMED,
        Act.JOIN_LINK,
        Act.CALENDAR,
        Act.ROSTER,
        Act.ROSTER_CSV,
        Act.START_LINK,
        Act.MEETING_NOW,
        Act.ADD_ZOOM,
        Act.MESSAGE_PARENTS,
        Act.RESCHEDULE,
        Act.EDIT,
        Act.OPEN_TO_LINK,
        Act.KEEP_TO_GROUPS,
        Act.CANCEL_CLASS,
        Act.CANCEL_CLASS_CONFIRMED,
        Act.APPROVE,
        Act.DECLINE,
        Act.UNPUBLISH,
        Act.HAND_ZOOM_OVER,
        Act.KEEP_ZOOM,
        Act.SHARE_ZOOM,
    }
)
# A menu about one class among several the same person may have open: the id rides on each button.
_NAMING_A_RECORD_AND_CHOICE = frozenset({Act.EDIT_SETTING})


@dataclass(frozen=True, slots=True)
class Action:
    """One button's request: what to do, and to which class, booking or choice."""

    act: Act
    value: str

    @property
    def wire(self) -> str:
        """How the platform carries it (Telegram allows 64 bytes of callback data: ids and choices fit, and an id
        with a choice keeps to a two-letter kind, so "es:" with an id of 16 and a choice of 40 takes 60)."""
        return f"{self.act}:{self.value}"

    @property
    def parts(self) -> tuple[str, str]:
        """The record's public id and the choice, for an act that names both (``Act.names_a_record_and_choice``)."""
        record, _, choice = self.value.partition(_PARTS)
        return record, choice

    @property
    def well_formed(self) -> bool:
        """A public id where the act names a record, a short choice where it names one, both where it names both:
        anything else was not made by us."""
        if self.act.names_a_record_and_choice:
            record, choice = self.parts
            return looks_like_public_id(record) and _a_choice(choice)
        if self.act.names_a_record:
            return looks_like_public_id(self.value)
        return _a_choice(self.value)

    @classmethod
    def parse(cls, wire: str) -> Action | None:
        """The action ``wire`` carries, or None when its kind is not one of ours (retired, forged, a link's)."""
        kind, _, value = wire.partition(":")
        try:
            return cls(Act(kind), value)
        except ValueError:
            return None


def _a_choice(text: str) -> bool:
    return 0 < len(text) <= _MOST_CHOICE


FORGET_ME = Act.FORGET.on("yes")  # the one confirmation of "forget me" a front end honours
