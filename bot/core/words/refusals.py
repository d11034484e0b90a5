"""Refusals that several use cases give, written once (each raised as a ``CoreError`` of ``bot.core.errors``)."""

from __future__ import annotations

from bot.i18n.texts import Text, tr

CLASS_GONE = tr("That class no longer exists.")
BOOKING_GONE = tr("That booking no longer exists.")
TEACHER_ONLY = tr("Only the class's teacher can do that.")
NOT_SET_UP = tr("ClassBot is not set up here yet: a group admin must send /setup first.")
NOT_APPROVED_TO_PUBLISH = tr("Only teachers approved by this group's admins can publish classes here.")
BUTTON_GONE = tr("This button is no longer valid.")
NOT_YOUR_BOOKING = tr("Only the parent who made a booking can cancel it.")
CONNECT_ZOOM_FIRST = tr("Connect Zoom with /connect first.")
NO_ZOOM_APP = tr("This ClassBot has no Zoom app configured; ask its operator.")


def booking_already(status: Text) -> Text:
    """A booking asked to change that already moved on (``status``: cancelled, declined, confirmed...)."""
    return tr("This booking was already {status}.", status=status)


def cancelled_so_not_bookable(title: str) -> Text:
    return tr("“{title}” was cancelled, so it cannot be booked.", title=title)


HOLD_OVER = tr("The seat is no longer held for you: book again to pay for a seat.")
CARDS_NOT_SET_UP = tr("Card payments are not set up on this ClassBot: ask its operator.")
