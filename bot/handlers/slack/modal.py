"""The modals: the new-class form, "who is the seat for?", a teacher's message to the parents, editing and moving a
class and an admin's approval of a teacher, and reading what people typed into them.

Reading checks every field with the core's own parsers (``bot.core.class_input``) and collects one message per
wrong field, keyed by the field's block, so that Slack shows them all inside the form at once
(``response_action: errors``). The form's block ids are the core's field names, so a refusal from the core for
the class as a whole (a start in the past, too many sessions for Zoom) lands on the field it names. Labels, hints
and messages are in the person's language (``t``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time
from typing import Any

from bot.core.class_input import (
    DEFAULT_REFUND_HOURS,
    ClassDraft,
    ClassSettings,
    parse_ages,
    parse_date,
    parse_description,
    parse_duration,
    parse_minimum,
    parse_refund_hours,
    parse_seats,
    parse_sessions,
    parse_time,
    parse_timezone,
    parse_title,
    price_columns,
    time_read_in,
)
from bot.core.errors import InvalidInput
from bot.core.prices import price_of, price_typed
from bot.core.views import ClassView
from bot.core.words.classes import NO_ZOOM_MEETING
from bot.core.words.labels import (
    AGES,
    APPROVE,
    APPROVE_EACH_BOOKING,
    BOOK_A_SEAT,
    CANCEL,
    DESCRIPTION,
    JOIN_THE_WAITLIST,
    MESSAGE_THE_PARENTS,
    MINIMUM_BOOKINGS,
    PRICE,
    REFUND_RULE,
    SEATS,
    TITLE,
)
from bot.core.words.labels import EDIT as EDIT_LABEL
from bot.core.words.labels import RESCHEDULE as RESCHEDULE_LABEL
from bot.handlers.slack.blocks import Block, card, escape, section
from bot.i18n.texts import Text, tr
from bot.i18n.translator import Translator

NEW_CLASS = "new_class"
BOOK = "book_seat"
CHILD = "child"
MESSAGE_PARENTS = "message_parents"
WORDS = "words"
RESCHEDULE = "reschedule"
EDIT_CLASS = "edit_class"
APPROVE_TEACHER = "approve_teacher"
TEACHER = "teacher"
_BOOKINGS = tr("Bookings")  # the approval checkbox's field
_AGES_HINT = tr("Like 7-10. Leave empty for any age.")
_PRICE_HINT = tr("Like 250 XTR (Telegram Stars) or 12.50 EUR. Leave empty for a free class.")
_REFUND_HINT = tr(
    "For a paid class: hours before the first session until which a parent who cancels gets the whole price back "
    "(0: until the class starts)."
)
_FIELDS = frozenset(
    {
        "title",
        "description",
        "date",
        "time",
        "duration",
        "seats",
        "sessions",
        "timezone",
        "min_bookings",
        "ages",
        "price",
        "refund",
        "zoom",
        "channel",
    }
)


def field_block(field: str) -> str:
    """The form's block for a field the core named (the title for a refusal of the whole form)."""
    return field if field in _FIELDS else "title"


def _plain(text: str) -> dict[str, Any]:
    return {"type": "plain_text", "text": text}


def _input(block_id: str, label: str, element: Block, *, hint: str = "", optional: bool = False) -> Block:
    block: Block = {"type": "input", "block_id": block_id, "label": _plain(label), "element": element}
    if hint:
        block["hint"] = _plain(hint)
    if optional:
        block["optional"] = True
    return block


def _text(initial: str = "", *, multiline: bool = False, max_length: int | None = None) -> Block:
    element: Block = {"type": "plain_text_input", "action_id": "value", "multiline": multiline}
    if initial:
        element["initial_value"] = initial
    if max_length:
        element["max_length"] = max_length
    return element


def new_class_view(
    t: Translator, *, timezone: str, day: date, channel_id: str | None, draft: ClassDraft | None = None
) -> dict[str, Any]:
    """The class form; ``channel_id`` (where the command was typed) is offered for the announcement, and
    ``draft`` (the one-line text typed after ``new``) fills it in for the teacher to check."""

    def say(text: Text) -> str:
        return t(text)

    channel: Block = {
        "type": "conversations_select",
        "action_id": "value",
        "placeholder": _plain(say(tr("Pick a channel"))),
        "filter": {"include": ["public", "private"], "exclude_bot_users": True},
    }
    if channel_id:
        channel["initial_conversation"] = channel_id
    approval = _checkbox(say(APPROVE_EACH_BOOKING), ticked=draft is not None and draft.requires_approval)
    # Ticked means no meeting, so that a form submitted without the box (older, or not filled in) keeps Zoom.
    no_zoom = _checkbox(say(NO_ZOOM_MEETING), ticked=draft is not None and not draft.zoom_enabled)
    day_picker = {
        "type": "datepicker",
        "action_id": "value",
        "initial_date": (draft.starts_on if draft else day).isoformat(),
    }
    starts_at = draft.starts_at.strftime("%H:%M") if draft else "17:00"
    minimum = str(draft.min_bookings) if draft and draft.min_bookings else ""
    ages = f"{draft.age_min}-{draft.age_max}" if draft and draft.age_min is not None else ""
    price = _price_typed(draft.price_amount, draft.price_currency) if draft else ""
    refund = str(draft.refund_hours if draft else DEFAULT_REFUND_HOURS)
    blocks = [
        _input("title", say(TITLE), _text(draft.title if draft else "", max_length=200)),
        _input(
            "description",
            say(DESCRIPTION),
            _text(draft.description if draft else "", multiline=True, max_length=2000),
            optional=True,
        ),
        _input("date", say(tr("First day")), day_picker),
        _input(
            "time",
            say(tr("Start time")),
            {"type": "timepicker", "action_id": "value", "initial_time": starts_at},
            hint=say(time_read_in(timezone)) + " " + say(tr("Change it in the Timezone field below.")),
        ),
        _input(
            "duration",
            say(tr("Minutes")),
            _text(str(draft.duration_minutes) if draft else "45"),
            hint=say(tr("How long each session lasts, 5 to 600 minutes.")),
        ),
        _input("seats", say(SEATS), _text(str(draft.seats) if draft else "8")),
        _input(
            "sessions",
            say(tr("Weekly sessions")),
            _text(str(draft.sessions) if draft else "1"),
            hint=say(tr("1 for a one-off class; up to 50 for Zoom.")),
        ),
        _input(
            "timezone",
            say(tr("Timezone")),
            _text(draft.timezone if draft else timezone),
            hint=say(tr("Area/City, like Europe/Madrid or America/New_York.")),
        ),
        _input("approval", say(_BOOKINGS), approval, optional=True),
        _input(
            "min_bookings",
            say(MINIMUM_BOOKINGS),
            _text(minimum),
            optional=True,
            hint=say(
                tr("If fewer children are booked a day before it starts, the class is cancelled and parents told.")
            ),
        ),
        _input(
            "ages",
            say(AGES),
            _text(ages),
            optional=True,
            hint=say(_AGES_HINT),
        ),
        _input("price", say(PRICE), _text(price), optional=True, hint=say(_PRICE_HINT)),
        _refund_input(say(REFUND_RULE), refund, say(_REFUND_HINT)),
        _input("zoom", say(tr("Zoom meeting")), no_zoom, optional=True),
        _input(
            "channel",
            say(tr("Announce in")),
            channel,
            optional=True,
            hint=say(tr("A channel where ClassBot is set up. Leave empty to keep the class unlisted.")),
        ),
    ]
    return {
        "type": "modal",
        "callback_id": NEW_CLASS,
        "title": _plain(say(tr("New class"))),
        "submit": _plain(say(tr("Create"))),
        "close": _plain(say(CANCEL)),
        "blocks": blocks,
    }


def _refund_input(label: str, hours: str, hint: str) -> Block:
    """A paid class's refund rule, in hours (empty: the default)."""
    return _input("refund", label, _text(hours, max_length=20), optional=True, hint=hint)


def _price_typed(amount: int | None, currency: str | None) -> str:
    """A class's price as the form's field holds it (``12.50 EUR``); empty for a free class."""
    price = price_of(amount, currency)
    return "" if price is None else price_typed(price)


def _checkbox(label: str, *, ticked: bool) -> Block:
    """One checkbox (value ``yes``), ticked or not to begin with."""
    option = {"text": _plain(label), "value": "yes"}
    element: Block = {"type": "checkboxes", "action_id": "value", "options": [option]}
    if ticked:
        element["initial_options"] = [option]
    return element


@dataclass(frozen=True, slots=True)
class ClassForm:
    draft: ClassDraft | None
    errors: dict[str, str]
    channel_id: str | None


def read_new_class(values: dict[str, Any], t: Translator) -> ClassForm:
    """The draft the form describes, or a message (in ``t``'s language) for each wrong field."""
    errors: dict[str, str] = {}

    def parsed(block: str, parse: Any, raw: str) -> Any:
        try:
            return parse(raw)
        except InvalidInput as wrong:
            errors[field_block(block)] = t(wrong.text)
            return None

    title = parsed("title", parse_title, _value(values, "title"))
    description = parsed("description", parse_description, _value(values, "description"))
    starts_on = parsed("date", parse_date, _value(values, "date", "selected_date"))
    starts_at = parsed("time", parse_time, _value(values, "time", "selected_time"))
    duration = parsed("duration", parse_duration, _value(values, "duration"))
    seats = parsed("seats", parse_seats, _value(values, "seats"))
    sessions = parsed("sessions", parse_sessions, _value(values, "sessions"))
    timezone = parsed("timezone", parse_timezone, _value(values, "timezone"))
    minimum = parsed("min_bookings", parse_minimum, _value(values, "min_bookings"))
    ages = parsed("ages", parse_ages, _value(values, "ages"))
    price = parsed("price", price_columns, _value(values, "price"))
    refund = parsed("refund", parse_refund_hours, _value(values, "refund"))
    channel = _value(values, "channel", "selected_conversation") or None
    if errors:
        return ClassForm(None, errors, channel)
    draft = ClassDraft(
        title=title,
        starts_on=starts_on,
        starts_at=starts_at,
        duration_minutes=duration,
        seats=seats,
        timezone=timezone,
        sessions=sessions,
        description=description,
        requires_approval=_ticked(values, "approval"),
        min_bookings=minimum,
        zoom_enabled=not _ticked(values, "zoom"),
        age_min=ages[0],
        age_max=ages[1],
        price_amount=price[0],
        price_currency=price[1],
        refund_hours=refund,
    )
    return ClassForm(draft, {}, channel)


def _ticked(values: dict[str, Any], block: str) -> bool:
    """Whether a checkbox block was ticked (not, when the form has no such block)."""
    options = _entry(values, block).get("selected_options")
    chosen = options if isinstance(options, list) else []
    return "yes" in [option.get("value") for option in chosen if isinstance(option, dict)]


def booking_view(view: ClassView, remembered: list[str], t: Translator) -> dict[str, Any]:
    """Asks which child the seat is for; the class travels in ``private_metadata`` (and is checked on submit)."""
    question = t(tr("Who should go on the waitlist?") if view.full else tr("Who is the seat for?"))
    hint = t(tr("Several children: separate their names with commas."))
    if remembered:
        hint = t(
            tr(
                "Several children: separate their names with commas. You booked for: {names}.",
                names=", ".join(remembered[:8]),
            )
        )
    name = _text(remembered[0] if remembered else "", max_length=300)
    child = _input(CHILD, t(tr("Child's first name")), name, hint=hint)
    return {
        "type": "modal",
        "callback_id": BOOK,
        "private_metadata": view.public_id,
        "title": _plain(t(BOOK_A_SEAT)),
        "submit": _plain(t(JOIN_THE_WAITLIST if view.full else tr("Book"))),
        "close": _plain(t(CANCEL)),
        "blocks": [section(card(view, t)), section(escape(question)), child],
    }


def read_child(values: dict[str, Any]) -> str:
    return _value(values, CHILD)


def message_parents_view(view: ClassView, t: Translator) -> dict[str, Any]:
    """The teacher's words for the class's booked parents; the class travels in ``private_metadata`` (and the
    core checks on submit that the person submitting teaches it)."""
    words = _input(
        WORDS,
        t(tr("Message")),
        _text(multiline=True, max_length=3000),
        hint=t(tr("Each parent with a booking gets it by direct message, with the class's name.")),
    )
    return {
        "type": "modal",
        "callback_id": MESSAGE_PARENTS,
        "private_metadata": view.public_id,
        "title": _plain(t(MESSAGE_THE_PARENTS)),
        "submit": _plain(t(tr("Send"))),
        "close": _plain(t(CANCEL)),
        "blocks": [section(card(view, t)), words],
    }


def read_words(values: dict[str, Any]) -> str:
    return _value(values, WORDS)


def reschedule_view(view: ClassView, t: Translator) -> dict[str, Any]:
    """The class's new first start, in the class's own timezone (as its card says it); the class travels in
    ``private_metadata`` and the core checks on submit that the person submitting teaches it."""
    start = view.next_start
    day: Block = {"type": "datepicker", "action_id": "value"}
    hour: Block = {"type": "timepicker", "action_id": "value"}
    if start is not None:
        day["initial_date"], hour["initial_time"] = start.date().isoformat(), start.strftime("%H:%M")
    return {
        "type": "modal",
        "callback_id": RESCHEDULE,
        "private_metadata": view.public_id,
        "title": _plain(t(RESCHEDULE_LABEL)),
        "submit": _plain(t(tr("Move"))),
        "close": _plain(t(CANCEL)),
        "blocks": [
            section(card(view, t)),
            _input("date", t(tr("New first day")), day),
            _input("time", t(tr("New start time")), hour, hint=t(time_read_in(view.timezone))),
        ],
    }


def read_reschedule(values: dict[str, Any], t: Translator) -> tuple[date | None, time | None, dict[str, str]]:
    """The new day and time, or a message (in ``t``'s language) for each wrong field."""
    errors: dict[str, str] = {}
    on: date | None = None
    at: time | None = None
    try:
        on = parse_date(_value(values, "date", "selected_date"))
    except InvalidInput as wrong:
        errors["date"] = t(wrong.text)
    try:
        at = parse_time(_value(values, "time", "selected_time"))
    except InvalidInput as wrong:
        errors["time"] = t(wrong.text)
    return on, at, errors


def edit_view(class_id: str, settings: ClassSettings, t: Translator) -> dict[str, Any]:
    """The class's settings as they are, for the teacher to change; the class travels in ``private_metadata`` and
    the core checks on submit that the person submitting teaches it (and that the seats stay above those taken)."""
    ages = ""
    if settings.age_min is not None or settings.age_max is not None:
        youngest, oldest = settings.age_min, settings.age_max
        ages = str(youngest) if youngest == oldest else f"{youngest or 0}-{99 if oldest is None else oldest}"
    minimum = str(settings.min_bookings) if settings.min_bookings else ""
    refund: list[Block] = []
    if settings.price_amount is not None:  # a free class has no refund rule to show
        refund.append(_refund_input(t(REFUND_RULE), str(settings.refund_hours), t(_REFUND_HINT)))
    return {
        "type": "modal",
        "callback_id": EDIT_CLASS,
        "private_metadata": class_id,
        "title": _plain(t(EDIT_LABEL)),
        "submit": _plain(t(tr("Save"))),
        "close": _plain(t(CANCEL)),
        "blocks": [
            _input("title", t(TITLE), _text(settings.title, max_length=200)),
            _input(
                "description",
                t(DESCRIPTION),
                _text(settings.description, multiline=True, max_length=2000),
                optional=True,
            ),
            _input(
                "seats",
                t(SEATS),
                _text(str(settings.seats)),
                hint=t(tr("Never fewer than the seats already taken.")),
            ),
            _input("ages", t(AGES), _text(ages), optional=True, hint=t(_AGES_HINT)),
            _input("min_bookings", t(MINIMUM_BOOKINGS), _text(minimum), optional=True),
            _input(
                "price",
                t(PRICE),
                _text(_price_typed(settings.price_amount, settings.price_currency)),
                optional=True,
                hint=t(_PRICE_HINT),
            ),
            *refund,
            _input(
                "approval",
                t(_BOOKINGS),
                _checkbox(t(APPROVE_EACH_BOOKING), ticked=settings.requires_approval),
                optional=True,
            ),
        ],
    }


def read_edit(values: dict[str, Any], t: Translator) -> tuple[ClassSettings | None, dict[str, str]]:
    """The settings the form describes, or a message (in ``t``'s language) for each wrong field."""
    errors: dict[str, str] = {}

    def parsed(block: str, parse: Any) -> Any:
        try:
            return parse(_value(values, block))
        except InvalidInput as wrong:
            errors[block] = t(wrong.text)
            return None

    title, description = parsed("title", parse_title), parsed("description", parse_description)
    seats, minimum = parsed("seats", parse_seats), parsed("min_bookings", parse_minimum)
    ages = parsed("ages", parse_ages)
    price = parsed("price", price_columns)
    # Shown for a paid class only: a form without the field keeps the class's rule (None).
    refund = parsed("refund", parse_refund_hours) if "refund" in values else None
    if errors:
        return None, errors
    settings = ClassSettings(
        title=title,
        description=description,
        seats=seats,
        requires_approval=_ticked(values, "approval"),
        min_bookings=minimum,
        age_min=ages[0],
        age_max=ages[1],
        price_amount=price[0],
        price_currency=price[1],
        refund_hours=refund,
    )
    return settings, {}


def approve_teacher_view(channel_id: str, t: Translator) -> dict[str, Any]:
    """A workspace admin picks the teacher who may publish in the channel (``private_metadata``); Slack's own
    people picker, so the teacher is a Slack user id, never a typed name."""
    picker: Block = {"type": "users_select", "action_id": "value"}
    return {
        "type": "modal",
        "callback_id": APPROVE_TEACHER,
        "private_metadata": channel_id,
        "title": _plain(t(tr("Approve a teacher"))),
        "submit": _plain(t(APPROVE)),
        "close": _plain(t(CANCEL)),
        "blocks": [
            _input(
                TEACHER,
                t(tr("Teacher")),
                picker,
                hint=t(tr("They may publish classes in this channel from now on.")),
            )
        ],
    }


def read_teacher(values: dict[str, Any]) -> str:
    return _value(values, TEACHER, "selected_user")


def form_values(view: dict[str, Any]) -> dict[str, Any]:
    """What was typed into a submitted modal, by block (nothing, when the submission is not shaped as Slack's)."""
    state = view.get("state")
    values = state.get("values") if isinstance(state, dict) else None
    return values if isinstance(values, dict) else {}


def _entry(values: dict[str, Any], block: str) -> dict[str, Any]:
    """The one element's state in ``block`` (empty when absent or not shaped as Slack's)."""
    elements = values.get(block)
    element = next(iter(elements.values()), None) if isinstance(elements, dict) else None
    return element if isinstance(element, dict) else {}


def _value(values: dict[str, Any], block: str, key: str = "value") -> str:
    value = _entry(values, block).get(key)
    return value if isinstance(value, str) else ""
