"""How a class and a booking read, wherever they are shown: the card, a session's time, seats and bookings
counted, what one Book request did, and the notice of a moved class."""

from __future__ import annotations

from datetime import datetime

from bot.core.prices import Price, amount_shown, price_of
from bot.core.views import BookingOutcome, ClassView
from bot.core.words.labels import FREE
from bot.i18n.texts import Moment, Text, lines, ntr, plain, tr


def local_time(moment: datetime | None, timezone: str) -> Moment:
    """A session's start, shown in the class's timezone in each reader's own date format."""
    return Moment(moment, timezone)


def ages_text(age_min: int | None, age_max: int | None) -> Text | None:
    """A class's age range as parents read it; None when it has none."""
    if age_min is not None and age_max is not None:
        if age_min == age_max:
            return tr("For age {age}", age=age_min)
        return tr("Ages {youngest}\u2013{oldest}", youngest=age_min, oldest=age_max)
    if age_min is not None:
        return tr("Ages {youngest} and up", youngest=age_min)
    if age_max is not None:
        return tr("Ages up to {oldest}", oldest=age_max)
    return None


def card_text(view: ClassView) -> Text:
    """A class as parents read it: title, teacher, next time with its timezone, its ages, seats left, and who may
    book it."""
    when = local_time(view.next_start, view.timezone)
    if view.sessions > 1:
        schedule = tr(
            "{when}, {minutes} min, weekly x{sessions}",
            when=when,
            minutes=view.duration_minutes,
            sessions=view.sessions,
        )
    else:
        schedule = tr("{when}, {minutes} min", when=when, minutes=view.duration_minutes)
    if view.full:
        seats = tr("full: join the waitlist")
    else:
        seats = ntr("{left} of {n} seat left", "{left} of {n} seats left", view.seats, left=view.seats_left)
    if view.anyone_with_link:
        audience = tr("Anyone with its link can book it.")
    else:
        audience = tr("For the members of the groups where it is announced.")
    parts = [tr("“{title}” with {teacher}", title=view.title, teacher=view.teacher_name), schedule, seats, audience]
    if (ages := ages_text(view.age_min, view.age_max)) is not None:
        parts.insert(2, ages)
    if (price := price_of(view.price_amount, view.price_currency)) is not None:
        parts.insert(-1, tr("Price: {amount} per child", amount=amount_shown(price)))
        parts.insert(-1, refund_rule(view.refund_hours))
    if view.description:
        parts.insert(1, plain(view.description[:300]))
    return lines(*parts)


# Asked where a Telegram teacher types a class's price (the guided form, the edit menu): Telegram takes Stars.
PRICE_ASKED = tr("Type the price per child in Telegram Stars, like 250 XTR.")


def refund_rule(hours: int) -> Text:
    """A paid class's refund rule as its card and the teacher's summaries say it (``bot.core.refunds``)."""
    if hours == 0:
        return tr("Full refund if cancelled before the class starts.")
    return ntr(
        "Full refund if cancelled at least {n} hour before the first session.",
        "Full refund if cancelled at least {n} hours before the first session.",
        hours,
    )


def refund_choice(hours: int) -> Text:
    """A refund rule as a button offers it where the rule is asked."""
    return tr("Until the class starts") if hours == 0 else tr("Until {hours} h before", hours=hours)


def refund_rule_asked(low: int, high: int) -> Text:
    """Where a teacher types a paid class's refund rule, and when what they typed does not fit: what to type."""
    return tr(
        "Type how many hours before the first session a parent who cancels still gets the whole price back: a whole "
        "number from {low} (until the class starts) to {high}, like 24.",
        low=low,
        high=high,
    )


def price_text(amount: int | None, currency: str | None) -> Text:
    """A class's price per child as the teacher's summaries say it: the amount, or "Free"."""
    price = price_of(amount, currency)
    return FREE if price is None else tr("{amount} per child", amount=amount_shown(price))


NO_ZOOM_MEETING = tr("No Zoom meeting: parents get no link.")  # a class's setting, where it is chosen and told


def settings_text(view: ClassView) -> Text | None:
    """What the teacher chose beyond the card (approval, a minimum, no Zoom meeting), told when the class is made;
    None when every setting is the default."""
    said: list[Text] = []
    if view.requires_approval:
        said.append(tr("You approve each booking yourself."))
    if view.min_bookings:
        said.append(
            ntr(
                "Cancelled, with the parents told, if fewer than {n} child is booked a day before it starts.",
                "Cancelled, with the parents told, if fewer than {n} children are booked a day before it starts.",
                view.min_bookings,
            )
        )
    if not view.zoom_enabled:
        said.append(NO_ZOOM_MEETING)
    return lines(*said) if said else None


def start_link_text(view: ClassView) -> Text:
    """What goes with a start link the teacher asked for (the link itself is the message's button)."""
    return tr(
        "Start “{title}” ({when}). This link logs you in as the host for about two hours: never share it.",
        title=view.title,
        when=local_time(view.next_start, view.timezone),
    )


def describe_outcome(outcome: BookingOutcome) -> Text:
    """What one Book request did, told to the parent on any platform; the same words for each delivery of it."""
    said: list[Text] = []
    for booking in outcome.booked:
        if booking.status == "pending_approval":
            said.append(tr("{child}: the teacher approves bookings; you will hear here.", child=booking.child_name))
        elif booking.status == "awaiting_payment":
            said.append(
                ntr(
                    "{child}: the seat in “{title}” is held for you for {n} minute. Pay to keep it.",
                    "{child}: the seat in “{title}” is held for you for {n} minutes. Pay to keep it.",
                    outcome.hold_minutes,
                    child=booking.child_name,
                    title=booking.class_title,
                )
            )
        else:
            said.append(
                tr(
                    "Booked: {child} in “{title}”. Your Zoom link follows here.",
                    child=booking.child_name,
                    title=booking.class_title,
                )
            )
    for child in outcome.waitlisted:
        said.append(tr("The class is full: {child} is on the waitlist and gets the first free seat.", child=child))
    ages = ages_text(outcome.age_min, outcome.age_max)
    for child, age in outcome.outside_ages:
        said.append(
            tr(
                "Note: {child} is {age}, outside the teacher's range for this class ({ages}). "
                "The booking stands; the teacher may want to know.",
                child=child,
                age=age,
                ages=ages if ages is not None else plain(""),
            )
        )
    # A request that came before (``already_done``: delivered again after a crash) reads as it did the first time:
    # it asked for the same seats, and they are what it got.
    return lines(*said)


def seats_taken(taken: int, seats: int) -> Text:
    return ntr("{taken} of {n} seat taken", "{taken} of {n} seats taken", seats, taken=taken)


def bookings_counted(n: int) -> Text:
    return ntr("{n} booking", "{n} bookings", n)


def moved(title: str, when: Moment) -> Text:
    """The parents' notice of a class that starts at another time (moved by its teacher here or in Zoom)."""
    return tr("“{title}” moved: it now starts {when}.", title=title, when=when)


def changed(
    title: str,
    *,
    new_title: str | None,
    description: str | None,
    ages: Text | None,
    price: Price | bool | None = False,
) -> Text:
    """One parent's notice of what the teacher changed in a class they booked or wait for (None: not changed);
    ``description`` empty: it was removed; ``ages`` is the new range, as the card says it, or "any age";
    ``price`` the new price, None for free now (False: not changed)."""
    said: list[Text] = [tr("The teacher changed “{title}”:", title=title)]
    if new_title is not None:
        said.append(tr("• It is now called “{title}”.", title=new_title))
    if description is not None:
        if description:
            said.append(tr("• New description: {description}", description=description[:300]))
        else:
            said.append(tr("• The description was removed."))
    if ages is not None:
        said.append(tr("• Now for: {ages}.", ages=ages))
    if isinstance(price, Price):
        said.append(tr("• New price: {amount} per child, for seats not yet booked.", amount=amount_shown(price)))
    elif price is None:
        said.append(tr("• It is free now."))
    return lines(*said)


ANY_AGE = tr("any age")  # a class without an age range, where its range is told
