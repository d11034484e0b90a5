"""One help for both chats: Telegram's ``/help`` and Slack's ``/classbot help`` are drawn from the same sentences
(``bot.core.words.help``), so each names every command of its own platform and of the other (in its own
spelling), and says every capability a person can reach (the use cases of ``tests/test_parity.py``).

The commands are read from the front ends' source (Telegram's command table, Slack's subcommand routes), so a
new command without a sentence in the help fails here.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.handlers.slack.blocks import COMMAND, help_mrkdwn, slack_words
from bot.handlers.telegram.commands import help_html
from bot.i18n.catalogs import Catalogs
from bot.i18n.languages import SUPPORTED
from tests.test_parity import NOT_CALLED, use_cases

HANDLERS = Path(__file__).resolve().parents[1] / "bot" / "handlers"

# A command one platform has and the other does not need, with the reason.
ONLY_ON: dict[str, str] = {
    "start": "Telegram: the app sends it when a chat opens; the help is what it answers",
    "timezone": "Telegram: Slack gives each person's timezone",
    "cancel": "Telegram: leaves a step-by-step question; Slack's forms close themselves",
    "class": "Slack: Telegram opens a shared class from its link",
}

# Each use case a person reaches, and the words of the help that tell of it (English, in the core's command
# names; Slack's help is checked with them said the Slack way).
SAID_AS: dict[str, str] = {
    "bookings.book": "Book a seat",
    "bookings.calendar": "calendar file (.ics)",
    "bookings.cancel": "/mybookings shows your bookings",
    "bookings.decide": "your approval of each booking",
    "bookings.for_parent": "/mybookings",
    "bookings.join_link": "Your Zoom link comes to you privately",
    "calendar_links.issue": "calendar file (.ics)",
    "classes.cancel": "keep it to its groups, cancel",
    "classes.create": "/newclass creates a class",
    "classes.edit": "edit (title, description, seats, ages, price, refund rule, approval, minimum)",
    "classes.settings": "edit (title, description, seats, ages, price, refund rule, approval, minimum)",
    "classes.for_teacher": "/myclasses shows your classes",
    "classes.message_parents": "a message to the parents",
    "classes.open_to_link": "open it to anyone with its link",
    "classes.reschedule": "reschedule",
    "classes.roster": "the roster",
    "classes.set_timezone": "Times are read in your",
    "classes.start_link": "the start link",
    "classes.meeting_now": "the Zoom meeting created now",
    "classes.add_zoom": "added to a class made without Zoom",
    "classes.view": "what to share so others open it",
    "classes.visible_to": "/classes AGE those for a child of that age",
    "communities.approve_teacher": "/approve",
    "communities.publish": "announces classes there",
    "communities.set_up": "/setup",
    "communities.unpublish": "Take down (admins)",
    "communities.upcoming": "/classes there lists its classes",
    "connect.begin": "/connect links your Zoom account",
    "connect.disconnect": "/disconnect unlinks it",
    "connect.status": "/connect links your Zoom account",
    "languages.ask_zone_once": "Times are read in your",
    "languages.choose_zone": "Times are read in your",
    "languages.reader": "Times are read in your",
    "languages.choose": "/language changes your language",
    "languages.choose_for_community": "/language there sets the language",
    "privacy.forget": "/forgetme deletes everything",
    "reports.community_stats": "last 30 days",
    "reports.community_weeks": "chart of its last 12 weeks",
    "reports.roster_csv": "a spreadsheet of it",
    "reports.teacher_weeks": "weekly chart of your own classes",
    "roster_links.issue": "a spreadsheet of it",
}

# Use cases one platform has (the other's reason is in tests/test_parity.py's NOT_CALLED), and the words of its help.
SAID_ON_ONE: dict[str, tuple[str, str]] = {
    "payments.invoice": ("telegram", "paid in Telegram Stars"),
    "payments.may_pay": ("telegram", "paid in Telegram Stars"),
    "payments.paid": ("telegram", "the seat is held for you until then"),
    "payments.checkout": ("slack", "paid by card on a payment page"),
    "payments.checkout_ended": ("slack", "the seat is held until then"),
}

# Use cases that are a step of another, or no one's to ask for.
NOT_SAID: dict[str, str] = {
    "bookings.cancel_question": "the question before a cancel",
    "bookings.ensure_own_confirmed": "a check inside calendar_links.issue",
    "bookings.remembered_children": "the names offered when booking again",
    "calendar_links.calendar": "the web route behind the link",
    "roster_links.roster_csv": "the web route behind the link",
    "classes.default_timezone": "the form's preset timezone",
    "communities.is_set_up": "the class form's check before it offers a channel",
    "connect.answer_handover": "the question a Zoom account's holder gets when another person connects it",
    "languages.known_reader": "what the Home tab is drawn in, and for which age",
    "languages.of_community": "the language a community's messages are written in",
    "languages.of_reader": "the language a person's messages are written in",
    "privacy.erase_after_zoom": "the worker's job after Zoom's data is gone",
    "classes.move_on_passed_starts": "the worker's housekeeping (each class's kept next start)",
    "classes.choose_listing_age": "the Home tab's age choice, kept for its next drawing",
    "communities.may_publish": "the check before a class is made to be announced in a group",
    **{case: reason for (case, _), reason in NOT_CALLED.items() if case.startswith("connect.")},
}


def telegram_commands() -> set[str]:
    return set(re.findall(r'"(\w+)": handlers\.', (HANDLERS / "telegram" / "frontend.py").read_text()))


def slack_subcommands() -> set[str]:
    return set(re.findall(r'"(\w+)": self\.', (HANDLERS / "slack" / "commands.py").read_text()))


def mentions(text: str, command: str) -> bool:
    return re.search(re.escape(command) + r"(?![\w])", text) is not None


def test_the_commands_are_found() -> None:
    assert {"start", "newclass", "myclasses", "approve", "timezone"} <= telegram_commands()
    assert {"new", "mine", "class", "approve", "stats"} <= slack_subcommands()


@pytest.mark.parametrize("language", sorted(SUPPORTED))
def test_telegram_help_names_every_command_of_both_platforms(language: str) -> None:
    words = help_html(Catalogs().translator(language))
    slack_as_telegram = {slack_words(f"/{name}"): name for name in telegram_commands()}
    wanted = (telegram_commands() - ONLY_ON.keys()) | {
        slack_as_telegram[f"{COMMAND} {sub}"] for sub in slack_subcommands() - ONLY_ON.keys()
    }
    missing = sorted(name for name in wanted if not mentions(words, f"/{name}"))
    assert not missing, f"Telegram's help does not name: {missing}"


@pytest.mark.parametrize("language", sorted(SUPPORTED))
def test_slack_help_names_every_command_of_both_platforms(language: str) -> None:
    words = help_mrkdwn(Catalogs().translator(language))
    from_telegram = {slack_words(f"/{name}") for name in telegram_commands() - ONLY_ON.keys()}
    unmapped = sorted(command for command in from_telegram if not command.startswith(COMMAND))
    assert not unmapped, f"Telegram commands Slack's help cannot say (map them in blocks.py): {unmapped}"
    wanted = from_telegram | {f"{COMMAND} {sub}" for sub in slack_subcommands()}
    missing = sorted(command for command in wanted if not mentions(words, command))
    assert not missing, f"Slack's help does not name: {missing}"


def test_every_use_case_is_told_or_said_why_not() -> None:
    cases = {f"{service}.{method}" for service, methods in use_cases().items() for method in methods}
    untold = sorted(cases - SAID_AS.keys() - SAID_ON_ONE.keys() - NOT_SAID.keys())
    assert not untold, f"say these in bot/core/words/help.py (and list them here): {untold}"
    assert not (SAID_AS.keys() | SAID_ON_ONE.keys() | NOT_SAID.keys()) - cases, "listed but no longer a use case"


@pytest.mark.parametrize("platform", ["telegram", "slack"])
def test_both_helps_tell_every_capability(platform: str) -> None:
    t = Catalogs().translator("en")
    words = help_html(t).replace("&#x27;", "'") if platform == "telegram" else help_mrkdwn(t).replace("`", "")
    spelled = (lambda phrase: phrase) if platform == "telegram" else slack_words
    wanted = SAID_AS | {case: phrase for case, (where, phrase) in SAID_ON_ONE.items() if where == platform}
    missing = sorted(case for case, phrase in wanted.items() if spelled(phrase) not in words)
    assert not missing, f"{platform}'s help does not tell of: {missing}"
