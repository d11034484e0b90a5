"""What teachers type for a class: every field read leniently, every mistake answered with what to type."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.core.bookings import child_and_age, parse_child_names
from bot.core.class_input import (
    ClassDraft,
    apply_setting,
    parse_date,
    parse_duration,
    parse_one_line,
    parse_seats,
    parse_time,
    parse_timezone,
    parse_title,
)
from bot.core.errors import InvalidInput
from bot.core.prices import Price, amount_shown

NOW = datetime(2027, 1, 10, 12, 0, tzinfo=UTC)


def test_the_one_line_form_makes_a_weekly_class_in_the_teachers_timezone() -> None:
    draft = parse_one_line("Chess for kids | 2027-03-14 16:30 | 45 | 8 | weekly 6", "Europe/Madrid")
    assert (draft.title, draft.duration_minutes, draft.seats, draft.sessions) == ("Chess for kids", 45, 8, 6)
    assert draft.first_start().isoformat() == "2027-03-14T16:30:00+01:00"
    # Weekly sessions keep the local clock time across the change to summer time (28 March 2027).
    assert [start.strftime("%H:%M %z") for start in draft.session_starts()[1:3]] == ["16:30 +0100", "16:30 +0200"]


def test_the_one_line_form_takes_named_settings_in_any_order() -> None:
    line = "Chess | 2027-03-14 16:30 | 45 | 8 | no zoom | min 3 | Approve | weekly 6 | about: Openings | endgames"
    draft = parse_one_line(line, "Europe/Madrid")
    assert (draft.sessions, draft.min_bookings, draft.requires_approval, draft.zoom_enabled) == (6, 3, True, False)
    assert draft.description == "Openings | endgames"
    plain = parse_one_line("Chess | 2027-03-14 16:30 | 45 | 8", "Europe/Madrid")
    assert (plain.sessions, plain.min_bookings, plain.requires_approval, plain.zoom_enabled) == (1, None, False, True)


def test_a_minimum_above_the_seats_is_refused_in_the_line_and_for_the_whole_class() -> None:
    with pytest.raises(InvalidInput) as in_the_line:
        parse_one_line("Chess | 2027-03-14 16:30 | 45 | 8 | min 9", "Europe/Madrid")
    draft = ClassDraft("Chess", date(2027, 3, 14), time(16, 30), 45, 8, "Europe/Madrid", min_bookings=9)
    with pytest.raises(InvalidInput) as in_the_class:
        draft.validated(NOW)
    assert in_the_line.value.field == in_the_class.value.field == "min_bookings"


@pytest.mark.parametrize(
    ("line", "field", "hint"),
    [
        ("Chess | 2027-03-14 16:30 | 45", "form", "at least four parts"),
        ("Chess | 2027-03-14 16:30 | 45 | 8 | approve | min three", "min_bookings", "like 3"),
        ("Chess | 2027-03-14 16:30 | 45 | 8 | minimum", "min_bookings", "min 3"),
        ("Chess | 2027-03-14 16:30 | 45 | 8 | zoom maybe", "form", "zoom maybe"),
        ("Chess | 2027-03-14 16:30 | 45 | 8 | about: " + "x" * 2001, "description", "2000 characters"),
        (" | 2027-03-14 16:30 | 45 | 8", "title", "The title is empty"),
        ("x" * 201 + " | 2027-03-14 16:30 | 45 | 8", "title", "keep it to 200"),
        ("Chess | 14/03/2027 16:30 | 45 | 8", "date", "YYYY-MM-DD"),
        ("Chess | 2027-02-30 16:30 | 45 | 8", "date", "not a day of the calendar"),
        ("Chess | 2027-03-14 | 45 | 8", "date", "YYYY-MM-DD HH:MM"),
        ("Chess | 2027-03-14 25:00 | 45 | 8", "time", "24-hour clock"),
        ("Chess | 2027-03-14 16:30 | 4 | 8", "duration", "from 5 to 600"),
        ("Chess | 2027-03-14 16:30 | 601 | 8", "duration", "from 5 to 600"),
        ("Chess | 2027-03-14 16:30 | forty | 8", "duration", "whole number"),
        ("Chess | 2027-03-14 16:30 | 45 | 0", "seats", "from 1 to 1000"),
        ("Chess | 2027-03-14 16:30 | 45 | 1001", "seats", "from 1 to 1000"),
        ("Chess | 2027-03-14 16:30 | 45 | 8 | every week", "form", "weekly N"),
        ("Chess | 2027-03-14 16:30 | 45 | 8 | weekly 53", "sessions", "from 1 to 52"),
        ("Chess | 2027-03-14 16:30 | 45 | 8 | ages seven", "ages", "type it as 7-10"),
        ("Chess | 2027-03-14 16:30 | 45 | 8 | ages 10-7", "ages", "from the youngest to the oldest"),
        ("Chess | 2027-03-14 16:30 | 45 | 8 | ages", "ages", "ages N-M"),
        ("Chess | 2027-03-14 16:30 | 45 | 8 | price", "price", "price N CURRENCY"),
        ("Chess | 2027-03-14 16:30 | 45 | 8 | price lots", "price", "like 250 XTR"),
        ("Chess | 2027-03-14 16:30 | 45 | 8 | price 250 ZZZ", "price", "not a currency code"),
        ("Chess | 2027-03-14 16:30 | 45 | 8 | price 2.5 XTR", "price", "0 decimals"),
        ("Chess | 2027-03-14 16:30 | 45 | 8 | price 0 XTR", "price", "from 1 to 10000 stars"),
        ("Chess | 2027-03-14 16:30 | 45 | 8 | price 1.234 EUR", "price", "2 decimals"),
        ("Chess | 2027-03-14 16:30 | 45 | 8 | price 250 XTR | approve", "price", "approval"),
    ],
)
def test_each_mistake_in_the_one_line_form_names_the_field_and_the_fix(line: str, field: str, hint: str) -> None:
    with pytest.raises(InvalidInput) as problem:
        parse_one_line(line, "Europe/Madrid")
    assert problem.value.field == field
    assert hint in problem.value.message


@pytest.mark.parametrize(
    ("part", "ages"),
    [
        ("ages 7-10", (7, 10)),
        ("Ages 6\u20139", (6, 9)),
        ("age 7 to 10", (7, 10)),
        ("ages 8", (8, 8)),
        ("", (None, None)),
    ],
)
def test_the_one_line_form_takes_an_age_range(part: str, ages: tuple[int | None, int | None]) -> None:
    draft = parse_one_line(f"Chess | 2027-03-14 16:30 | 45 | 8 | {part} | min 3", "Europe/Madrid")
    assert (draft.age_min, draft.age_max, draft.min_bookings) == (*ages, 3)


def test_a_description_that_starts_with_age_stays_a_description_in_the_guided_form() -> None:
    draft = parse_one_line("Chess | 2027-03-14 16:30 | 45 | 8", "Europe/Madrid")
    assert apply_setting("Ages of chess history", draft, else_description=True).description == "Ages of chess history"
    assert apply_setting("ages 7-10", draft, else_description=True).age_min == 7


def test_a_childs_age_is_read_from_after_their_name() -> None:
    assert [child_and_age(typed) for typed in ("Mia 8", "Mia", "Leo  10", "Room 101", "Ana María 7")] == [
        ("Mia", 8),
        ("Mia", None),
        ("Leo", 10),
        ("Room 101", None),
        ("Ana María", 7),
    ]


def test_a_start_in_the_past_is_refused() -> None:
    draft = ClassDraft("Chess", date(2027, 1, 9), time(10, 0), 45, 8, "Europe/Madrid")
    with pytest.raises(InvalidInput, match="in the past"):
        draft.validated(NOW)


def test_an_unknown_timezone_is_refused_with_an_example() -> None:
    with pytest.raises(InvalidInput, match="Europe/Madrid"):
        parse_timezone("Mars/Olympus")


def test_emoji_and_right_to_left_titles_are_kept() -> None:
    assert parse_title("  ♟️ شطرنج للأطفال  ") == "♟️ شطرنج للأطفال"


def test_lenient_times_are_understood() -> None:
    assert parse_time("9:05") == time(9, 5)
    assert parse_time("16.30") == time(16, 30)
    assert parse_time("16h30") == time(16, 30)


def test_child_names_are_split_and_deduplicated() -> None:
    assert parse_child_names("Mia, Leo\nmia,, ") == ["Mia", "Leo"]
    with pytest.raises(InvalidInput):
        parse_child_names(" , ")


@given(st.text(max_size=300))
def test_no_text_crashes_the_one_line_parser(text: str) -> None:
    try:
        draft = parse_one_line(text, "Europe/Madrid")
    except InvalidInput as problem:
        assert problem.message  # noqa: PT017 - any text either parses or is refused with words
    else:
        assert 1 <= len(draft.title) <= 200


@given(st.text(max_size=50))
def test_no_text_crashes_the_field_parsers(text: str) -> None:
    for parse in (parse_date, parse_time, parse_duration, parse_seats, parse_timezone, parse_title, parse_child_names):
        try:
            parse(text)
        except InvalidInput as problem:
            assert problem.message  # noqa: PT017 - any text either parses or is refused with words


@pytest.mark.parametrize(
    ("part", "price"),
    [
        ("price 250 XTR", (250, "XTR")),
        ("Price 250 stars", (250, "XTR")),
        ("price 12.50 EUR", (1250, "EUR")),
        ("price 12,5 eur", (1250, "EUR")),
        ("price 900 JPY", (900, "JPY")),
        ("free", (None, None)),
        ("", (None, None)),
    ],
)
def test_the_one_line_form_takes_a_price_in_the_currencys_minor_unit(
    part: str, price: tuple[int | None, str | None]
) -> None:
    draft = parse_one_line(f"Chess | 2027-03-14 16:30 | 45 | 8 | {part}", "Europe/Madrid")
    assert (draft.price_amount, draft.price_currency) == price


def test_a_description_that_starts_with_price_stays_a_description_in_the_guided_form() -> None:
    draft = ClassDraft("Chess", date(2027, 3, 14), time(16, 30), 45, 8, "Europe/Madrid")
    described = apply_setting("Price includes the board", draft, else_description=True)
    assert (described.description, described.price_amount) == ("Price includes the board", None)


@pytest.mark.parametrize(("part", "hours"), [("refund 48h", 48), ("Refund 0", 0), ("refund 72 hours", 72), ("", 24)])
def test_the_one_line_form_takes_the_teachers_refund_rule_in_hours(part: str, hours: int) -> None:
    draft = parse_one_line(f"Chess | 2027-03-14 16:30 | 45 | 8 | price 250 XTR | {part}", "Europe/Madrid")
    assert draft.refund_hours == hours


@pytest.mark.parametrize("typed", ["-5", "two days", "721", "1000000", "4.5h", "refund"])
def test_a_refund_rule_that_is_no_number_of_hours_is_answered_with_what_to_type(typed: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        parse_one_line(f"Chess | 2027-03-14 16:30 | 45 | 8 | price 250 XTR | refund {typed}", "Europe/Madrid")
    assert refused.value.field == "refund"
    assert "from 0 (until the class starts) to 720, like 24." in str(refused.value) or "refund 24h" in str(
        refused.value
    )


def test_a_description_that_starts_with_refund_stays_a_description_in_the_guided_form() -> None:
    draft = ClassDraft("Chess", date(2027, 3, 14), time(16, 30), 45, 8, "Europe/Madrid")
    described = apply_setting("Refunds are generous here", draft, else_description=True)
    assert (described.description, described.refund_hours) == ("Refunds are generous here", 24)


def test_prices_are_shown_as_people_write_them() -> None:
    assert amount_shown(Price(250, "XTR")) == "250 ⭐"
    assert amount_shown(Price(1250, "EUR")) == "€12.50"
    assert amount_shown(Price(900, "JPY")) == "¥900"
