"""A class's roster as its teacher reads it, on any platform: a line per booked child (with Approve and Decline
while the booking waits for the teacher), then what else there is to know (no bookings yet, the waitlist).

How a line names the child and the parent is each front end's markup (Slack puts the child in bold), so it is
asked of a ``RosterMarks``; which lines wait for approval, how attendance is counted and which buttons a line
gets are decided here, once.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from bot.core.classes import Roster
from bot.core.messages import Button
from bot.core.prices import amount_shown
from bot.core.views import ClassView
from bot.core.words.labels import approval_buttons
from bot.i18n.texts import Text, ntr, tr


class RosterMarks(Protocol):
    """A front end's wording of a roster line's start, in its markup (the names are as people typed them)."""

    def entry(self, child: str, parent: str) -> Text: ...

    def waiting(self, entry: Text) -> Text:
        """``entry`` marked as waiting for the teacher's approval."""
        ...


@dataclass(frozen=True, slots=True)
class RosterEntry:
    text: Text
    buttons: tuple[Button, ...]  # Approve and Decline while the booking waits for the teacher


@dataclass(frozen=True, slots=True)
class RosterWords:
    cls: ClassView  # shown as each front end draws a class's card
    entries: tuple[RosterEntry, ...]
    notes: tuple[Text, ...]  # after the entries: that nobody booked yet, the waitlist


def roster_words(roster: Roster, marks: RosterMarks) -> RosterWords:
    said: list[RosterEntry] = []
    for line in roster.lines:
        entry = marks.entry(line.child_name, line.parent_name)
        waiting = line.status == "pending_approval"
        if waiting:
            entry = marks.waiting(entry)
        if line.paid is not None:
            entry = tr("{entry}, paid {amount}", entry=entry, amount=amount_shown(line.paid))
        elif line.status == "awaiting_payment":
            entry = tr("{entry}, not paid yet (the seat is held)", entry=entry)
        if line.sessions_attended:
            entry = ntr(
                "{entry}, attended {n} session",
                "{entry}, attended {n} sessions",
                line.sessions_attended,
                entry=entry,
            )
        buttons = approval_buttons(line.booking_public_id, line.child_name) if waiting else ()
        said.append(RosterEntry(entry, buttons))
    notes: list[Text] = []
    if not roster.lines:
        notes.append(tr("No bookings yet."))
    if roster.waiting:
        notes.append(tr("Waitlist: {children}", children=", ".join(roster.waiting)))
    return RosterWords(roster.cls, tuple(said), tuple(notes))
