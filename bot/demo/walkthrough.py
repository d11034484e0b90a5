"""The walkthrough the welcome suggests, step by step: what to type and what then happens.

The README's walkthrough says the same, and a test types the README's commands into the playground and checks
what it says happens, so the three cannot drift apart. ``DATE`` stands for the classes' day, which the welcome
fills in.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

DATE = "YYYY-MM-DD"
DAYS_AHEAD = 2


@dataclass(frozen=True, slots=True)
class Step:
    typed: tuple[str, ...]  # what to type at the prompt, in order
    then: str  # what happens


STEPS = (
    Step(("/connect", ":open"), "Ann connects her Zoom account (a test one): she allows ClassBot on Zoom's page"),
    Step(
        (":in group", f"/newclass Chess | {DATE} 10:00 | 45 | 5"),
        "the class is announced in the group, with a Book a seat button (10:00 is read in UTC)",
    ),
    Step(
        (":as parent1", ":press Book a seat"),
        "Telegram opens Pat's private chat with the bot: the class, with its own Book a seat button",
    ),
    Step((":press Book a seat", "Mia"), "Pat is told Mia is booked, then gets the Zoom join link, privately"),
    Step(
        (":as teacher", ":in private", "/myclasses", ":press Start link"),
        "only Ann ever gets the start link; the group never sees a link",
    ),
    Step(
        (":in group", f"/newclass Art | {DATE} 11:00 | 45 | 5 | price 50 XTR"),
        "a paid class: 50 Telegram Stars a seat, on its card",
    ),
    Step(
        (":as parent2", ":press Book a seat", ":press Book a seat", "Leo"),
        "Sam books a seat for Leo: it is held while Sam pays, and the invoice comes privately",
    ),
    Step((":pay",), "Sam pays (test stars): Leo is booked, and Sam gets the join link"),
    Step((":skip",), "the clock jumps to the next reminder, which arrives at once"),
)


def class_day(now: datetime) -> str:
    """The day the walkthrough's classes are on: two days ahead, so that each class's reminder 24 hours before is
    still to come at any hour the walkthrough starts, and ``:skip`` reaches the first class's reminder first."""
    return (now + timedelta(days=DAYS_AHEAD)).strftime("%Y-%m-%d")


def typed(date: str = DATE) -> list[str]:
    """Every line of the walkthrough, in order, with ``date`` for the class's day."""
    return [line.replace(DATE, date) for step in STEPS for line in step.typed]


def welcome_lines(date: str) -> list[str]:
    """The walkthrough as the welcome shows it: numbered steps, each with what happens."""
    shown: list[str] = []
    for number, step in enumerate(STEPS, 1):
        shown.append(f"  {number}. " + ", then ".join(line.replace(DATE, date) for line in step.typed))
        shown.append(f"       {step.then}")
    return shown
