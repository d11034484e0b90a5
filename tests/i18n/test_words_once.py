"""A sentence a person reads is written once in the code: no text marked with tr()/ntr() is written in both chat
front ends, nor twice anywhere in the product. Words both platforms say live in ``bot.core.words``; a second copy
is how Telegram and Slack drift apart (one is reworded, the other not), and the catalog cannot tell.

The texts are found the way Babel's extraction finds them (``make messages``): the first argument of each
``tr(...)`` and ``ntr(...)`` call, read from the source with ``ast``.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

import bot

PACKAGE = Path(bot.__file__).parent
_KEYWORDS = frozenset({"tr", "ntr"})

# Not yet written once: Slack still says these itself. Each commit that moves words into the core takes them off
# this list (the test fails on a list longer than the truth, too); the last one deletes it.
_TWICE_NOT_YET = frozenset(
    {
        "Add to calendar (.ics)",
        "And {n} more later on.",
        "Approve {child}",
        "Approved: {child} is in “{title}”.",
        "Book a seat",
        "Cancel",
        "Cancel the class",
        "Cancel this booking",
        "Cancelled: {child} in “{title}”. The seat is free again.",
        "Connect Zoom",
        "Connect your Zoom account: the link works once, for {n} minute.",
        "Decline {child}",
        "Declined: {child}; the parent was told.",
        "Done: I speak {language} with you now.",
        "I speak {language} with you. Choose a language:",
        "It was not listed here.",
        "Join on Zoom",
        "Join the waitlist",
        "Message the parents",
        "No Zoom account is connected.",
        "No bookings yet.",
        "No upcoming classes yet.",
        "Only the class's teacher can do that.",
        "Roster",
        "Sent to {n} parent.",
        "Sorry, something went wrong. Please try again in a moment.",
        "Start link",
        "Start on Zoom",
        "Taken down: it is no longer listed here.",
        "This ClassBot has no Zoom app configured; ask its operator.",
        "This button is no longer valid.",
        "This cancels your bookings and your classes (everyone booked is told), disconnects your Zoom account "
        "and deletes everything ClassBot keeps about you. It cannot be undone.",
        "Upcoming classes",
        "Waitlist: {children}",
        "What ClassBot can do",
        "Yes, forget me",
        "You teach no upcoming class. `{command} new` creates one.",
        "Your Zoom account is disconnected, and ClassBot's access to it was revoked.",
        "Your Zoom link (it is yours: please don't share it).",
        "Your bookings",
        "Your classes",
        "{entry}, attended {n} session",
        "“{title}” is cancelled; the parents were told.",
        "“{title}” was cancelled, so it cannot be booked.",
    }
)


def written(root: Path) -> dict[str, list[str]]:
    """Each msgid under ``root``, with every place (``file:line``, relative to ``root``'s parent) it is written."""
    places: dict[str, list[str]] = defaultdict(list)
    for path in sorted(root.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id in _KEYWORDS
                and node.args
                and isinstance(node.args[0], ast.Constant)
                and isinstance(node.args[0].value, str)
            ):
                places[node.args[0].value].append(f"{path.relative_to(root.parent)}:{node.lineno}")
    return dict(places)


def in_both_front_ends(package: Path) -> dict[str, list[str]]:
    telegram = written(package / "handlers" / "telegram")
    slack = written(package / "handlers" / "slack")
    return {msgid: telegram[msgid] + slack[msgid] for msgid in sorted(telegram.keys() & slack.keys())}


def written_twice(package: Path) -> dict[str, list[str]]:
    return {msgid: places for msgid, places in sorted(written(package).items()) if len(places) > 1}


def test_the_scan_finds_the_texts_extraction_finds() -> None:
    found = written(PACKAGE)
    assert len(found) > 250
    assert "Book a seat" in found
    assert "{left} of {n} seat left" in found  # an ntr() singular


def test_no_sentence_is_written_in_both_front_ends() -> None:
    assert in_both_front_ends(PACKAGE) == {}


def test_each_sentence_is_written_once_in_the_product() -> None:
    assert set(written_twice(PACKAGE)) == _TWICE_NOT_YET
