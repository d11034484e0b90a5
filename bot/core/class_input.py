"""Reading and checking what a teacher types for a class, the same way on every platform.

Each ``parse_*`` function takes the raw text of one field and returns the value or raises ``InvalidInput``
naming the field and saying what to type instead. ``ClassDraft.validated`` checks the whole class at once.
The one-line form ``Title | YYYY-MM-DD HH:MM | MINUTES | SEATS`` with optional named parts after it
(``weekly N | ages N-M | approve | min N | price 250 XTR | refund 24h | no zoom | about: text``) is parsed by
``parse_one_line``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.core.errors import InvalidInput
from bot.core.prices import parse_price
from bot.core.words.classes import refund_rule_asked
from bot.i18n.texts import Text, joined, tr

TITLE_MAX = 200
DESCRIPTION_MAX = 2000
DURATION_RANGE = (5, 600)
SEATS_RANGE = (1, 1000)
SESSIONS_RANGE = (1, 52)
DEFAULT_REFUND_HOURS = 24  # the refund rule of a class whose teacher chose none (every paid class's, before)
REFUND_HOURS_RANGE = (0, 720)  # from "until it starts" to 30 days before: further ahead is no rule parents expect
REFUND_RULE_ASKED = refund_rule_asked(*REFUND_HOURS_RANGE)  # what to type, said where it is asked and refused
AGE_RANGE = (0, 99)  # the ages a class's range and a child's age may name
_INPUT_MAX = 10_000  # anything longer is not a field value; refuse before any parsing work
# The timezone of a teacher who has none (not chosen, none in their Zoom profile): the times they type are read in it.
FALLBACK_TIMEZONE = "UTC"

_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_TIME = re.compile(r"^(\d{1,2})[:.h](\d{2})$")
_WEEKLY = re.compile(r"^weekly\s+(\d{1,3})$", re.IGNORECASE)
_HOURS = re.compile(r"^(\d{1,6})\s*(?:h|hr|hrs|hours?)?$", re.IGNORECASE)


def _clean(raw: str, field: str) -> str:
    if len(raw) > _INPUT_MAX:
        raise InvalidInput(field, tr("That is far too long for this answer."))
    return " ".join(raw.split())


def parse_title(raw: str) -> str:
    title = _clean(raw, "title")
    if not title:
        raise InvalidInput("title", tr("The title is empty: give the class a name (up to 200 characters)."))
    if len(title) > TITLE_MAX:
        raise InvalidInput(
            "title",
            tr("The title has {length} characters; keep it to {most} or fewer.", length=len(title), most=TITLE_MAX),
        )
    return title


def parse_description(raw: str) -> str:
    if len(raw) > _INPUT_MAX:
        raise InvalidInput("description", tr("That description is far too long."))
    description = raw.strip()
    if len(description) > DESCRIPTION_MAX:
        raise InvalidInput(
            "description", tr("Keep the description to {most} characters or fewer.", most=DESCRIPTION_MAX)
        )
    return description


def parse_date(raw: str) -> date:
    text = _clean(raw, "date")
    match = _DATE.match(text)
    if match is None:
        raise InvalidInput(
            "date", tr("“{typed}” is not a date: type it as YYYY-MM-DD, for example 2027-03-14.", typed=text[:40])
        )
    try:
        return date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        raise InvalidInput(
            "date", tr("{typed} is not a day of the calendar: check the month and the day.", typed=text)
        ) from None


def parse_time(raw: str) -> time:
    text = _clean(raw, "time")
    match = _TIME.match(text)
    if match is None or int(match[1]) > 23 or int(match[2]) > 59:
        raise InvalidInput(
            "time", tr("“{typed}” is not a time: type it as HH:MM on a 24-hour clock, like 16:30.", typed=text[:40])
        )
    return time(int(match[1]), int(match[2]))


def _does_not_fit(text: str, explain: Text) -> Text:
    return joined(" ", tr("“{typed}” does not fit.", typed=text[:20]), explain)


def _whole_number(raw: str, field: str, bounds: tuple[int, int], explain: Text) -> int:
    """A whole number within ``bounds``; ``explain`` (filled with ``low`` and ``high``) says what to type."""
    text = _clean(raw, field)
    low, high = bounds
    if not text.isascii() or not text.isdigit() or not low <= int(text) <= high:
        raise InvalidInput(field, _does_not_fit(text, explain))
    return int(text)


def _field_range(field: str, low: int, high: int) -> Text:
    explain = {
        "duration": tr("The duration must be a whole number of minutes from {low} to {high}.", low=low, high=high),
        "seats": tr("The seats must be a whole number from {low} to {high}.", low=low, high=high),
        "sessions": tr("The weekly sessions must be a whole number from {low} to {high}.", low=low, high=high),
    }
    return explain[field]


def parse_duration(raw: str) -> int:
    return _whole_number(raw, "duration", DURATION_RANGE, _field_range("duration", *DURATION_RANGE))


def parse_seats(raw: str) -> int:
    return _whole_number(raw, "seats", SEATS_RANGE, _field_range("seats", *SEATS_RANGE))


def parse_sessions(raw: str) -> int:
    return _whole_number(raw, "sessions", SESSIONS_RANGE, _field_range("sessions", *SESSIONS_RANGE))


def parse_refund_hours(raw: str) -> int:
    """A paid class's refund rule: how many hours before the first session a cancelling parent still gets the
    money back, typed as ``48``, ``48h`` or ``48 hours``; empty: the default (24). 0: until the class starts."""
    text = _clean(raw, "refund")
    if not text:
        return DEFAULT_REFUND_HOURS
    hours = _HOURS.match(text)
    low, high = REFUND_HOURS_RANGE
    if hours is None or not low <= int(hours[1]) <= high:
        raise InvalidInput("refund", _does_not_fit(text, REFUND_RULE_ASKED))
    return int(hours[1])


def parse_timezone(raw: str) -> str:
    name = _clean(raw, "timezone")
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise InvalidInput(
            "timezone",
            tr("“{typed}” is not a timezone: use a name like Europe/Madrid or America/New_York.", typed=name[:60]),
        ) from None
    return name


@dataclass(frozen=True, slots=True)
class ClassDraft:
    """A class as the teacher described it; times are local to ``timezone``."""

    title: str
    starts_on: date
    starts_at: time
    duration_minutes: int
    seats: int
    timezone: str
    sessions: int = 1
    description: str = ""
    requires_approval: bool = False
    min_bookings: int | None = None
    zoom_enabled: bool = True
    age_min: int | None = None  # the ages the class is meant for (``parse_ages``); None: any age
    age_max: int | None = None
    # The price per child (``bot.core.prices``): both None for a free class.
    price_amount: int | None = None
    price_currency: str | None = None
    # A paid class's refund rule (``parse_refund_hours``, ``bot.core.refunds``).
    refund_hours: int = DEFAULT_REFUND_HOURS

    def first_start(self) -> datetime:
        """The first session's start as an aware datetime."""
        return datetime.combine(self.starts_on, self.starts_at, ZoneInfo(self.timezone))

    def session_starts(self) -> list[datetime]:
        """Each session's start: weekly at the same local time (so DST changes keep the clock time)."""
        first = self.first_start()
        zone = ZoneInfo(self.timezone)
        return [datetime.combine(first.date() + timedelta(weeks=n), first.time(), zone) for n in range(self.sessions)]

    def check_settings(self) -> None:
        """Raises ``InvalidInput`` when the settings do not fit the class (a minimum above its seats): checked
        as each setting is chosen, not only when the class is made."""
        check_minimum(self.min_bookings, self.seats)
        check_paid(self.price_amount, requires_approval=self.requires_approval)

    def validated(self, now: datetime) -> ClassDraft:
        """The draft, checked as a whole; raises ``InvalidInput`` for the first problem."""
        parse_title(self.title)
        parse_timezone(self.timezone)
        if self.first_start() <= now:
            raise InvalidInput("date", tr("That start is in the past: choose a date and time still to come."))
        for value, (low, high), field in (
            (self.duration_minutes, DURATION_RANGE, "duration"),
            (self.seats, SEATS_RANGE, "seats"),
            (self.sessions, SESSIONS_RANGE, "sessions"),
            (self.refund_hours, REFUND_HOURS_RANGE, "refund"),
        ):
            if not low <= value <= high:
                raise InvalidInput(field, REFUND_RULE_ASKED if field == "refund" else _field_range(field, low, high))
        self.check_settings()
        return replace(self, title=parse_title(self.title), description=parse_description(self.description))


def check_minimum(min_bookings: int | None, seats: int) -> None:
    """Raises ``InvalidInput`` when a minimum number of bookings does not fit the seats."""
    if min_bookings is not None and not 1 <= min_bookings <= seats:
        raise InvalidInput("min_bookings", tr("The minimum number of bookings must be from 1 to the seats."))


def check_paid(price_amount: int | None, *, requires_approval: bool) -> None:
    """Raises ``InvalidInput`` for a paid class that also waits for the teacher's approval: the children whose
    parents pay are the ones booked."""
    if price_amount is not None and requires_approval:
        raise InvalidInput(
            "price", tr("A paid class books the children who pay: it cannot also wait for your approval.")
        )


def price_columns(raw: str) -> tuple[int | None, str | None]:
    """A price as typed (``12.50 EUR``, ``250 XTR``; empty or ``free``: none) as the class keeps it: its amount in
    the currency's minor unit and its currency, both None for a free class."""
    price = parse_price(_clean(raw, "price"))
    return (None, None) if price is None else (price.amount, price.currency)


def time_read_in(zone: str) -> Text:
    """Said wherever a teacher types a class's time: the timezone the time is read in."""
    return tr("Times are read in {zone}.", zone=zone)


_EN_DASH = "\u2013"  # typed by phones and copied from cards, as "7\u201310"
_AGES = re.compile(rf"^(\d{{1,2}})\s*(?:-|{_EN_DASH}|to)\s*(\d{{1,2}})$|^(\d{{1,2}})$", re.IGNORECASE)


def parse_ages(raw: str) -> tuple[int | None, int | None]:
    """The ages a class is for, typed as ``7-10`` (or with an en dash, ``7 to 10``, one age ``8``); empty means
    any age."""
    text = _clean(raw, "ages")
    if not text:
        return None, None
    match = _AGES.match(text)
    if match is None:
        raise InvalidInput("ages", tr("“{typed}” is not an age range: type it as 7-10.", typed=text[:20]))
    youngest, oldest = (int(match[1]), int(match[2])) if match[3] is None else (int(match[3]), int(match[3]))
    check_ages(youngest, oldest)
    return youngest, oldest


def check_ages(youngest: int | None, oldest: int | None) -> None:
    """Raises ``InvalidInput`` when an age range is upside down or outside ``AGE_RANGE`` (None: no bound)."""
    low, high = AGE_RANGE
    bottom, top = low if youngest is None else youngest, high if oldest is None else oldest
    if not low <= bottom <= top <= high:
        raise InvalidInput(
            "ages",
            tr(
                "The ages must go from the youngest to the oldest, between {low} and {high}, like 7-10.",
                low=low,
                high=high,
            ),
        )


def parse_age(raw: str) -> int:
    """A child's age, as in ``/classes 8``."""
    text = _clean(raw, "age")
    if not text.isascii() or not text.isdigit() or not AGE_RANGE[0] <= int(text) <= AGE_RANGE[1]:
        raise InvalidInput(
            "age", tr("“{typed}” is not an age: type the child's age in years, like 8.", typed=text[:20])
        )
    return int(text)


def age_asked(raw: str) -> int | None:
    """The child's age a list was asked for (``/classes 8``); None when none was given."""
    return parse_age(raw) if raw.strip() else None


def parse_minimum(raw: str) -> int | None:
    """The minimum number of bookings for the class to go ahead; empty means none."""
    text = _clean(raw, "min_bookings")
    if not text:
        return None
    if not text.isascii() or not text.isdigit() or not SEATS_RANGE[0] <= int(text) <= SEATS_RANGE[1]:
        raise InvalidInput(
            "min_bookings", tr("“{typed}” is not a number of children: type a whole number, like 3.", typed=text[:20])
        )
    return int(text)


_PRICE_PART = re.compile(r"^price\s+(.+)$", re.IGNORECASE)
_REFUND_PART = re.compile(r"^refunds?\s+(.+)$", re.IGNORECASE)
_MIN = re.compile(r"^min(?:imum)?\s+(\S+)$", re.IGNORECASE)
_ABOUT = re.compile(r"^about\s*:(.*)$", re.IGNORECASE | re.DOTALL)
_AGES_PART = re.compile(r"^ages?\s+(.+)$", re.IGNORECASE)
_NO_AGES = frozenset({"no ages", "any age", "all ages"})
_APPROVE = frozenset({"approve", "approval"})
_NO_APPROVE = frozenset({"no approval", "no approve"})
_NO_MIN = frozenset({"no min", "no minimum"})
_NO_ZOOM = frozenset({"no zoom", "zoom off"})
_ZOOM = frozenset({"zoom", "zoom on"})
# What the one-line form accepts after the four required parts, said once where a teacher can read it.
ONE_LINE_OPTIONS = "weekly N | ages N-M | approve | min N | price 250 XTR | refund 24h | no zoom | about: description"


def apply_setting(part: str, draft: ClassDraft, *, else_description: bool = False) -> ClassDraft:
    """``draft`` with one optional setting applied, as the one-line form spells it (``weekly N``, ``approve`` /
    ``no approval``, ``ages N-M`` / ``no ages``, ``min N`` / ``no min``, ``price 250 XTR`` / ``free``,
    ``refund 24h``, ``zoom`` / ``no zoom``, ``about: text``).

    A part it does not know is refused, naming it, unless ``else_description``: then it is the description (the
    guided form, where the teacher types the description as it is)."""
    if (about := _ABOUT.match(part)) is not None:
        return replace(draft, description=parse_description(about[1]))
    words = " ".join(part.split())
    lowered = words.lower()
    if lowered.startswith("weekly"):
        weekly = _WEEKLY.match(words)
        if weekly is None:
            raise InvalidInput("sessions", tr("Write the repeats as “weekly N”, for example weekly 8."))
        return replace(draft, sessions=parse_sessions(weekly[1]))
    if lowered in _NO_AGES:
        return replace(draft, age_min=None, age_max=None)
    if lowered.split()[:1] in (["age"], ["ages"]):
        try:
            ages = _AGES_PART.match(words)
            if ages is None:
                raise InvalidInput("ages", tr("Write the ages as “ages N-M”, for example ages 7-10."))
            youngest, oldest = parse_ages(ages[1])
            return replace(draft, age_min=youngest, age_max=oldest)
        except InvalidInput:
            if not else_description:  # the guided form: a description may well start with "Ages of …"
                raise
            return replace(draft, description=parse_description(part))
    if lowered in ("free", "no price"):
        return replace(draft, price_amount=None, price_currency=None)
    if lowered.split()[:1] == ["price"]:
        try:
            priced = _PRICE_PART.match(words)
            if priced is None:
                raise InvalidInput("price", tr("Write the price as “price N CURRENCY”, for example price 250 XTR."))
            price = parse_price(priced[1])
        except InvalidInput:
            if not else_description:  # the guided form: a description may well start with "Price …"
                raise
            return replace(draft, description=parse_description(part))
        if price is None:
            return replace(draft, price_amount=None, price_currency=None)
        return replace(draft, price_amount=price.amount, price_currency=price.currency)
    if lowered.split()[:1] in (["refund"], ["refunds"]):
        try:
            refund = _REFUND_PART.match(words)
            if refund is None:
                raise InvalidInput("refund", tr("Write the refund rule as “refund N h”, for example refund 24h."))
            hours = parse_refund_hours(refund[1])
        except InvalidInput:
            if not else_description:  # the guided form: a description may well start with "Refund …"
                raise
            return replace(draft, description=parse_description(part))
        return replace(draft, refund_hours=hours)
    if lowered in _NO_MIN:
        return replace(draft, min_bookings=None)
    if lowered in _NO_APPROVE:
        return replace(draft, requires_approval=False)
    if lowered.startswith("min"):
        minimum = _MIN.match(words)
        if minimum is None:
            raise InvalidInput("min_bookings", tr("Write the minimum as “min N”, for example min 3."))
        return replace(draft, min_bookings=parse_minimum(minimum[1]))
    if lowered in _APPROVE:
        return replace(draft, requires_approval=True)
    if lowered in _NO_ZOOM:
        return replace(draft, zoom_enabled=False)
    if lowered in _ZOOM:
        return replace(draft, zoom_enabled=True)
    if else_description:
        return replace(draft, description=parse_description(part))
    raise InvalidInput(
        "form",
        tr(
            "“{typed}” is not a part I know. After the seats you may add: {options}.",
            typed=words[:40],
            options=ONE_LINE_OPTIONS,
        ),
    )


def parse_one_line(raw: str, timezone: str) -> ClassDraft:
    """``Title | YYYY-MM-DD HH:MM | MINUTES | SEATS`` then, in any order, optional named parts
    (``weekly N``, ``ages N-M``, ``approve``, ``min N``, ``price 250 XTR``, ``refund 24h``, ``no zoom``,
    ``about: text``), in the
    teacher's timezone.

    Each part is checked on its own and a mistake names that part, so the teacher fixes one thing at a time."""
    if len(raw) > _INPUT_MAX:
        raise InvalidInput("form", tr("That is far too long for a class."))
    parts = [part.strip() for part in raw.split("|")]
    if len(parts) < 4:
        raise InvalidInput(
            "form",
            tr(
                "Use at least four parts separated by |: Title | YYYY-MM-DD HH:MM | MINUTES | SEATS, "
                "then optionally: {options}.",
                options=ONE_LINE_OPTIONS,
            ),
        )
    when = parts[1].split()
    if len(when) != 2:
        raise InvalidInput("date", tr("Give the start as YYYY-MM-DD HH:MM, for example 2027-03-14 16:30."))
    draft = ClassDraft(
        title=parse_title(parts[0]),
        starts_on=parse_date(when[0]),
        starts_at=parse_time(when[1]),
        duration_minutes=parse_duration(parts[2]),
        seats=parse_seats(parts[3]),
        timezone=parse_timezone(timezone),
    )
    optional = parts[4:]
    for index, part in enumerate(optional):
        if _ABOUT.match(part) is not None:  # the description is the rest of the line, | and all
            draft = apply_setting(" | ".join(optional[index:]), draft)
            break
        if part:
            draft = apply_setting(part, draft)
    draft.check_settings()
    return draft


_NONE = frozenset({"-", "none", "no"})  # typed, in a chat that sends no empty message, to clear a setting


@dataclass(frozen=True, slots=True)
class ClassSettings:
    """What a teacher may change on a class once it is made (``ClassService.edit``). Its times move with
    Reschedule; its Zoom meeting and sessions stay as made, since parents' links and calendars hang on them."""

    title: str
    description: str
    seats: int
    requires_approval: bool
    min_bookings: int | None = None
    age_min: int | None = None
    age_max: int | None = None
    # The price per child (``bot.core.prices``): both None for a free class.
    price_amount: int | None = None
    price_currency: str | None = None
    # A paid class's refund rule (``parse_refund_hours``); None: as it is (a form that did not show it).
    refund_hours: int | None = None

    def validated(self) -> ClassSettings:
        """The settings checked as creating a class checks them, naming the field to fix."""
        title, description = parse_title(self.title), parse_description(self.description)
        if not SEATS_RANGE[0] <= self.seats <= SEATS_RANGE[1]:
            raise InvalidInput("seats", _field_range("seats", *SEATS_RANGE))
        check_ages(self.age_min, self.age_max)
        check_minimum(self.min_bookings, self.seats)
        check_paid(self.price_amount, requires_approval=self.requires_approval)
        if self.refund_hours is not None and not REFUND_HOURS_RANGE[0] <= self.refund_hours <= REFUND_HOURS_RANGE[1]:
            raise InvalidInput("refund", REFUND_RULE_ASKED)
        return replace(self, title=title, description=description)

    def with_typed(self, field: str, raw: str) -> ClassSettings:
        """These settings with one field (``EDITABLE``) as the teacher typed it; ``-`` clears the description,
        the ages, the minimum and the price, and puts the refund rule back to its default (a chat sends no empty
        message)."""
        cleared = _clean(raw, field).lower() in _NONE
        if field == "title":
            return replace(self, title=parse_title(raw))
        if field == "description":
            return replace(self, description="" if cleared else parse_description(raw))
        if field == "seats":
            return replace(self, seats=parse_seats(raw))
        if field == "ages":
            youngest, oldest = (None, None) if cleared or raw.strip().lower() in _NO_AGES else parse_ages(raw)
            return replace(self, age_min=youngest, age_max=oldest)
        if field == "min_bookings":
            return replace(self, min_bookings=None if cleared or raw.strip().lower() in _NO_MIN else parse_minimum(raw))
        if field == "price":
            amount, currency = (None, None) if cleared else price_columns(raw)
            return replace(self, price_amount=amount, price_currency=currency)
        if field == "refund":
            return replace(self, refund_hours=DEFAULT_REFUND_HOURS if cleared else parse_refund_hours(raw))
        raise InvalidInput("form", tr("That setting cannot be changed here."))


# The settings a teacher types a new value for, in the order a menu offers them (approval is switched, not typed).
EDITABLE = ("title", "description", "seats", "ages", "min_bookings", "price", "refund")
