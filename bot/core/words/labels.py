"""Button labels, and the buttons a class, a booking or a choice offers, with their typed actions.

A front end draws these as they are (Telegram numbers them in a list; Slack adds colours and "are you sure?"
dialogs by action), so a button says the same on every platform.
"""

from __future__ import annotations

from bot.core.actions import Act
from bot.core.messages import Button
from bot.core.views import BookingView, ClassView
from bot.i18n.languages import SUPPORTED
from bot.i18n.texts import Text, ntr, plain, tr

CANCEL = tr("Cancel")  # closes a form, or turns down a page's question, doing nothing
BOOK_A_SEAT = tr("Book a seat")
JOIN_THE_WAITLIST = tr("Join the waitlist")
CANCEL_THIS_BOOKING = tr("Cancel this booking")
ADD_TO_CALENDAR = tr("Add to calendar (.ics)")
JOIN_ON_ZOOM = tr("Join on Zoom")
PAY_BUTTON = tr("Pay for the seat")
ROSTER = tr("Roster")
START_LINK = tr("Start link")
START_ON_ZOOM = tr("Start on Zoom")
CREATE_MEETING_NOW = tr("Create the Zoom meeting now")
ADD_ZOOM_MEETING = tr("Add a Zoom meeting")
MESSAGE_THE_PARENTS = tr("Message the parents")
RESCHEDULE = tr("Reschedule")
EDIT = tr("Edit")
APPROVE = tr("Approve")
ROSTER_AS_CSV = tr("Roster as a spreadsheet (.csv)")
ANY_MEMBER = tr("Any member")
ONLY_APPROVED_TEACHERS = tr("Only teachers an admin approves")
CANCEL_THE_CLASS = tr("Cancel the class")
CONNECT_ZOOM = tr("Connect Zoom")
YES_FORGET_ME = tr("Yes, forget me")
# A class's settings, named where they are asked and changed (the class form, the edit menu and form).
TITLE = tr("Title")
DESCRIPTION = tr("Description")
SEATS = tr("Seats")
AGES = tr("Children's ages")
ANY_AGE_CHOICE = tr("Any age")  # a choice of ages that sets none (a class for all, a list of every class)
MINIMUM_BOOKINGS = tr("Minimum bookings")
APPROVE_EACH_BOOKING = tr("I approve each booking myself")
PRICE = tr("Price per child")
FREE = tr("Free")  # a class's price that is none: the choice, and the form's word for it
REFUND_RULE = tr("Refund rule")  # a paid class's: until how long before the start a cancelling parent is refunded
SETTING_LABELS = {
    "title": TITLE,
    "description": DESCRIPTION,
    "seats": SEATS,
    "ages": AGES,
    "min_bookings": MINIMUM_BOOKINGS,
    "price": PRICE,
    "refund": REFUND_RULE,  # a paid class's only (``edit_menu``)
}


def book_label(view: ClassView) -> Text:
    return JOIN_THE_WAITLIST if view.full else BOOK_A_SEAT


def book_button(view: ClassView) -> Button:
    return Button(book_label(view), Act.BOOK.on(view.public_id))


def teacher_buttons(view: ClassView) -> tuple[Button, ...]:
    """What a teacher can do with one of their classes (who may book it switches between its two states)."""
    if view.anyone_with_link:
        audience = (tr("Keep it to its groups"), Act.KEEP_TO_GROUPS)
    else:
        audience = (tr("Open to anyone with the link"), Act.OPEN_TO_LINK)
    if not view.zoom_enabled:
        zoom = [(ADD_ZOOM_MEETING, Act.ADD_ZOOM)]
    elif view.has_meeting:
        zoom = [(START_LINK, Act.START_LINK)]
    else:  # the meeting is made at the first booking, or now if the teacher asks
        zoom = [(START_LINK, Act.START_LINK), (CREATE_MEETING_NOW, Act.MEETING_NOW)]
    return tuple(
        Button(label, act.on(view.public_id))
        for label, act in (
            (ROSTER, Act.ROSTER),
            *zoom,
            (MESSAGE_THE_PARENTS, Act.MESSAGE_PARENTS),
            (EDIT, Act.EDIT),
            (RESCHEDULE, Act.RESCHEDULE),
            audience,
            (CANCEL_THE_CLASS, Act.CANCEL_CLASS),
        )
    )


def booking_buttons(booking: BookingView, *, join_link: Text) -> tuple[Button, ...]:
    """What a parent can do with a booking: once confirmed, get its Zoom link (``join_link`` says how it comes on
    the platform) and its calendar file; and cancel it."""
    cancel = Button(CANCEL_THIS_BOOKING, Act.CANCEL_BOOKING.on(booking.public_id))
    if booking.status == "awaiting_payment":
        return Button(PAY_BUTTON, Act.PAY.on(booking.public_id)), cancel
    if booking.status != "confirmed":
        return (cancel,)
    return (
        Button(join_link, Act.JOIN_LINK.on(booking.public_id)),
        Button(ADD_TO_CALENDAR, Act.CALENDAR.on(booking.public_id)),
        cancel,
    )


def approval_buttons(booking_public_id: str, child: str | None = None) -> tuple[Button, Button]:
    """Approve and Decline for a booking waiting for the teacher; with the child's name where several wait."""
    if child is None:
        approve, decline = APPROVE, tr("Decline")
    else:
        approve, decline = tr("Approve {child}", child=child), tr("Decline {child}", child=child)
    return Button(approve, Act.APPROVE.on(booking_public_id)), Button(decline, Act.DECLINE.on(booking_public_id))


def language_buttons() -> tuple[Button, ...]:
    """One button per language ClassBot speaks, each named in its own language."""
    return tuple(Button(plain(name), Act.LANGUAGE.on(code)) for code, name in SUPPORTED.items())


def policy_buttons() -> tuple[Button, Button]:
    """Who may publish classes in a community: any member, or the teachers its admins approve."""
    return (Button(ANY_MEMBER, Act.POLICY.on("anyone")), Button(ONLY_APPROVED_TEACHERS, Act.POLICY.on("approved")))


APPROVAL_ON, APPROVAL_OFF = "approval_on", "approval_off"  # the edit menu's choices that set approval


def edit_menu(class_public_id: str, *, approval_on: bool, paid: bool = False) -> tuple[Button, ...]:
    """One button per setting a teacher may change (the typed ones, then approval switched on or off); the refund
    rule only for a ``paid`` class.

    Each names its class, so a menu scrolled back to still edits its own class after another's was opened; the
    approval button names what approval becomes, so pressing it twice (or on an older menu) never flips it back.
    """
    if approval_on:
        approval = Button(tr("Approval: on (switch off)"), Act.EDIT_SETTING.on(class_public_id, APPROVAL_OFF))
    else:
        approval = Button(tr("Approval: off (switch on)"), Act.EDIT_SETTING.on(class_public_id, APPROVAL_ON))
    typed = tuple(
        Button(label, Act.EDIT_SETTING.on(class_public_id, field))
        for field, label in SETTING_LABELS.items()
        if paid or field != "refund"
    )
    return (*typed, approval)


def seat_offered(title: str, child: str, minutes: int) -> Text:
    """A seat of a paid class freed for a waiting child: held for the parent while they pay."""
    return ntr(
        "A seat opened in “{title}” for {child}: it is held for you for {n} minute. Pay to keep it.",
        "A seat opened in “{title}” for {child}: it is held for you for {n} minutes. Pay to keep it.",
        minutes,
        title=title,
        child=child,
    )
