"""What the person who acted is told, on any platform: the outcome of a button or a command, the private links
they asked for, the Zoom connection's steps, the "forget me" confirmation and the language menu."""

from __future__ import annotations

from bot.core.actions import FORGET_ME, Act
from bot.core.connect import ConnectLink
from bot.core.messages import Button, Message
from bot.core.payments import CheckoutLink
from bot.core.prices import amount_shown
from bot.core.views import BookingView, ClassView
from bot.core.words import refusals
from bot.core.words.classes import card_text, settings_text, start_link_text
from bot.core.words.labels import CONNECT_ZOOM, JOIN_ON_ZOOM, START_ON_ZOOM, YES_FORGET_ME, language_buttons
from bot.i18n.languages import SUPPORTED
from bot.i18n.texts import Text, lines, ntr, plain, tr

SORRY = tr("Sorry, something went wrong. Please try again in a moment.")
# The database is away for a while: nothing was done, and the same tap or command works once it is back.
TRY_AGAIN_IN_A_MINUTE = tr(
    "ClassBot cannot reach its records right now, so nothing was done. Please try again in a minute."
)
WHAT_CLASSBOT_CAN_DO = tr("What ClassBot can do")
UPCOMING_CLASSES = tr("Upcoming classes")
NO_UPCOMING_CLASSES = tr("No upcoming classes yet.")


def no_classes_for_age(age: int) -> Text:
    """What a list filtered by a child's age (``/classes 8``) says when nothing fits."""
    return tr("No upcoming classes for age {age}. Without the age, the list shows every class.", age=age)


NO_ZOOM_APP = refusals.NO_ZOOM_APP

# --- parents -------------------------------------------------------------------------------------------------


def booking_cancelled(booking: BookingView) -> Text:
    return tr(
        "Cancelled: {child} in “{title}”. The seat is free again.", child=booking.child_name, title=booking.class_title
    )


def join_link(url: str) -> Message:
    """A parent's Zoom link, asked for with a button (sent privately only)."""
    return Message(tr("Your Zoom link (it is yours: please don't share it)."), (Button(JOIN_ON_ZOOM, url=url),))


def zone_question(class_zone: str) -> Message:
    """Asked once after a booking (Telegram tells no one's timezone): the reader's own zone, so class times are
    also shown as their clock reads them. The class's zone is one tap; any other is typed."""
    return Message(
        tr(
            "Which timezone do you live in? I'll show class times in it too. Tap {zone} if it is yours, or type "
            "yours as Area/City, for example America/New_York.",
            zone=class_zone,
        ),
        (Button(plain(class_zone), Act.TIMEZONE.on(class_zone)),),
    )


def zone_chosen(zone: str) -> Text:
    return tr("Your timezone is {zone}: class times are shown in it too.", zone=zone)


# --- teachers ------------------------------------------------------------------------------------------------


def approved(booking: BookingView) -> Text:
    return tr("Approved: {child} is in “{title}”.", child=booking.child_name, title=booking.class_title)


def declined(booking: BookingView) -> Text:
    return tr("Declined: {child}; the parent was told.", child=booking.child_name)


def class_cancelled(view: ClassView) -> Text:
    return tr("“{title}” is cancelled; the parents were told.", title=view.title)


def sent_to_parents(n: int) -> Text:
    return ntr("Sent to {n} parent.", "Sent to {n} parents.", n)


def start_link(view: ClassView, url: str) -> Message:
    """The host's start link, asked for with a button (sent privately only)."""
    return Message(start_link_text(view), (Button(START_ON_ZOOM, url=url),))


def zoom_added(view: ClassView) -> Text:
    """A class made without Zoom now has it (``ClassService.add_zoom``)."""
    return tr(
        "“{title}” now has a Zoom meeting: each parent booked gets their link privately. It is made with the first "
        "link, or now with Create the Zoom meeting now.",
        title=view.title,
    )


def connect_link(link: ConnectLink) -> Message:
    """The link that connects a teacher's Zoom account (sent privately only)."""
    text = ntr(
        "Connect your Zoom account: the link works once, for {n} minute.",
        "Connect your Zoom account: the link works once, for {n} minutes.",
        link.expires_minutes,
    )
    return Message(text, (Button(CONNECT_ZOOM, url=link.url),))


def disconnected(done: bool) -> Text:
    """The answer to disconnecting Zoom: ``done`` when an account was connected (and is no longer)."""
    if not done:
        return tr("No Zoom account is connected.")
    return tr("Your Zoom account is disconnected, and ClassBot's access to it was revoked.")


# --- group admins --------------------------------------------------------------------------------------------


def taken_down(taken: bool) -> Text:
    """The answer to Take down: ``taken`` when the class was listed in that group or channel."""
    return tr("Taken down: it is no longer listed here.") if taken else tr("It was not listed here.")


# --- anyone --------------------------------------------------------------------------------------------------


def forget_me() -> Message:
    """The warning before a person is forgotten, and the one button that confirms it."""
    warning = tr(
        "This cancels your bookings and your classes (everyone booked is told), disconnects your Zoom account "
        "and deletes everything ClassBot keeps about you. It cannot be undone."
    )
    return Message(warning, (Button(YES_FORGET_ME, FORGET_ME),))


def language_menu(code: str) -> Message:
    """The language a person is spoken to in (``code``), and a button per language to change it."""
    return Message(tr("I speak {language} with you. Choose a language:", language=SUPPORTED[code]), language_buttons())


def now_speaking(code: str) -> Text:
    return tr("Done: I speak {language} with you now.", language=SUPPORTED[code])


def kept_to_groups(view: ClassView) -> Text:
    """The teacher closed the class's link: who may see and book it now."""
    return tr(
        "“{title}” is now for the members of the groups where it is announced, and the parents already "
        "booked; its link no longer opens it to others.",
        title=view.title,
    )


def edited(view: ClassView, told: int) -> Text:
    """The teacher's answer once a class is changed: how many parents were told, then the card as it is now."""
    saved = tr("Saved.")
    if told:
        saved = ntr("Saved, and {n} parent was told.", "Saved, and {n} parents were told.", told)
    settings = settings_text(view)
    return lines(saved, card_text(view), *([settings] if settings is not None else []))


def moved(view: ClassView) -> Text:
    return tr("Moved, and the parents were told:\n{card}", card=card_text(view))


ANYONE_MAY_PUBLISH = tr("Done: any member may publish classes here.")


def checkout_offer(link: CheckoutLink, minutes: int) -> Message:
    """The card payment page for one held seat, sent to the parent alone (its link is theirs): the price, how
    long the seat stays held, and the page's button."""
    invoice = link.invoice
    amount = amount_shown(invoice.price)
    text = ntr(
        "To keep the seat for {child} in “{title}”, pay {amount} by card within {n} minute. Then your Zoom link "
        "comes here.",
        "To keep the seat for {child} in “{title}”, pay {amount} by card within {n} minutes. Then your Zoom link "
        "comes here.",
        minutes,
        child=invoice.child,
        title=invoice.title,
        amount=amount,
    )
    return Message(text, (Button(tr("Pay {amount}", amount=amount), url=link.url),))
