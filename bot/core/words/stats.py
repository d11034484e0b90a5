"""The words of ``/stats``: the chart's title, axis and series names, its caption, and the weekly numbers as text."""

from __future__ import annotations

from bot.i18n.texts import Text, ntr, tr

CHART_TITLE = tr("The last 12 weeks")
WEEK_AXIS = tr("Week starting")
COUNT_AXIS = tr("Count")
BOOKINGS_SERIES = tr("Booked")
ATTENDED_SERIES = tr("Attended")
CANCELLED_SERIES = tr("Cancellations")
TEACHES_NOTHING = tr(
    "You teach no classes yet. In a group, /stats shows the group's numbers to its admins; "
    "here it shows the classes you teach."
)


def weekly_totals(booked: int, attended: int, cancelled: int) -> Text:
    """The chart's numbers in a sentence, for whoever cannot see the picture."""
    return tr(
        "Last 12 weeks: {booked} bookings, {attended} attended, {cancelled} cancelled.",
        booked=booked,
        attended=attended,
        cancelled=cancelled,
    )


TAKINGS_HEADING = tr("Paid classes, last 12 weeks:")


def class_takings(title: str, payments: int, paid: str, refunded: str) -> Text:
    """One paid class's money: how many payments, what they came to, what was given back."""
    return tr(
        "“{title}”: {payments}, {paid} in, {refunded} refunded.",
        title=title,
        payments=ntr("{n} payment", "{n} payments", payments),
        paid=paid,
        refunded=refunded,
    )
