"""What ClassBot can do, said once for every chat: the help's sections and their sentences.

Telegram's ``/help`` and Slack's ``/classbot help`` used to be two long texts that drifted apart (one listed the
roster spreadsheet and the share link, the other the ages option). Here each capability is one sentence, written
in the core's command names (``/classes``, ``/newclass``…); a front end adds the few sentences only it can say
(Slack's Home tab and channel picker, Telegram's group and ``/timezone``) with ``help_sections``, then draws the
sections in its own markup and says the commands its own way.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum

from bot.core.class_input import ONE_LINE_OPTIONS
from bot.i18n.texts import Text, plain, tr

INTRO = tr("ClassBot books kids' online classes over Zoom.")


class Audience(Enum):
    """Who a part of the help speaks to, in the order the help shows them."""

    PARENTS = "parents"
    TEACHERS = "teachers"
    ADMINS = "admins"
    EVERYONE = "everyone"


HEADINGS: dict[Audience, Text] = {
    Audience.PARENTS: tr("Parents"),
    Audience.TEACHERS: tr("Teachers"),
    Audience.ADMINS: tr("Community admins"),
    Audience.EVERYONE: tr("Everyone"),
}

ONE_LINE_FORM = plain("/newclass Title | YYYY-MM-DD HH:MM | MINUTES | SEATS")

# Every capability, once; the front ends' own sentences are added after these.
CAPABILITIES: dict[Audience, tuple[Text, ...]] = {
    Audience.PARENTS: (
        tr("/classes lists the upcoming classes, and /classes AGE those for a child of that age; press Book a seat."),
        tr("Your Zoom link comes to you privately, never in a group or channel."),
        tr("/mybookings shows your bookings: the Zoom link, a calendar file (.ics), cancel."),
    ),
    Audience.TEACHERS: (
        tr("/connect links your Zoom account once; /disconnect unlinks it."),
        tr(
            "/newclass creates a class: title, time, length and seats, and if you like a weekly repeat, a "
            "description, the children's ages, a price and until when a parent who cancels gets it back, your "
            "approval of each booking, a minimum of bookings, or no Zoom meeting."
        ),
        tr(
            "/newclass also reads the class from one line: {form}, then optionally | {options}.",
            form=ONE_LINE_FORM,
            options=plain(ONE_LINE_OPTIONS),
        ),
        tr(
            "/myclasses shows your classes: the roster (and a spreadsheet of it), the start link, the Zoom meeting "
            "created now rather than at the first booking (or added to a class made without Zoom), a message to "
            "the parents, edit (title, description, seats, ages, price, refund rule, approval, minimum), reschedule, "
            "open it to "
            "anyone with its link or keep it to its groups, cancel, and what to share so others open it."
        ),
        tr("/stats shows the numbers and the weekly chart of your own classes, privately."),
    ),
    Audience.ADMINS: (
        tr(
            "/setup, run in a group or channel, announces classes there and chooses who may publish: any member, "
            "or only teachers an admin approves with /approve."
        ),
        tr("/stats there shows its last 30 days, and sends you the chart of its last 12 weeks privately."),
        tr("/classes there lists its classes, each with Take down (admins) to remove it from there."),
        tr("/language there sets the language of its announcements."),
    ),
    Audience.EVERYONE: (
        tr("/language changes your language."),
        tr("/forgetme deletes everything ClassBot keeps about you."),
        tr("/help shows this."),
    ),
}


@dataclass(frozen=True, slots=True)
class HelpSection:
    heading: Text
    sentences: tuple[Text, ...]


def help_sections(own: Mapping[Audience, tuple[Text, ...]]) -> tuple[HelpSection, ...]:
    """The help in order: each audience's capabilities, then the sentences only this front end says (``own``)."""
    return tuple(
        HelpSection(HEADINGS[audience], CAPABILITIES[audience] + tuple(own.get(audience, ()))) for audience in Audience
    )
