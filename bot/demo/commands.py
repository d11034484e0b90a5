"""What the newcomer types, read into one command: a playground command (``:as parent1``), a button number, or a
message for the bot. Pure parsing, so the rules live in one place and the help text beside them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

PERSONS: dict[str, str] = {"teacher": "teacher", "t": "teacher", "parent1": "parent1", "p1": "parent1"}
PERSONS |= {"parent2": "parent2", "p2": "parent2"}
PLACES: dict[str, str] = {"private": "private", "p": "private", "group": "group", "g": "group"}

HELP = """\
  :as teacher | parent1 | parent2   act as this person (also :as t, :as p1, :as p2)
  :in private | group               talk in your private chat with the bot, or in the group (also :in p, :in g)
  NUMBER                            press the button shown with that number
  :press TEXT                       press the newest button with that text where you are (:press Book a seat)
  :open                             open the latest "Connect Zoom" link, allow ClassBot on Zoom's page, confirm
  :pay                              pay the newest invoice in your private chat (test Telegram Stars)
  :skip                             move the clock forward to the next reminder, which then arrives
  :say TEXT                         send TEXT as it is (for a message that is a number or starts with ':')
  :help                             this list
  :quit                             leave (Ctrl-D too); everything is thrown away
  anything else                     a message from you, where you are: /connect, /newclass …, /mybookings, …"""


@dataclass(frozen=True, slots=True)
class Say:
    text: str


@dataclass(frozen=True, slots=True)
class Press:
    number: int


@dataclass(frozen=True, slots=True)
class PressText:
    """Press the newest button with this text in the chat where the person is."""

    text: str


@dataclass(frozen=True, slots=True)
class ActAs:
    person: str


@dataclass(frozen=True, slots=True)
class GoTo:
    place: str


@dataclass(frozen=True, slots=True)
class Simple:
    """A command without arguments."""

    name: Literal["open", "pay", "skip", "help", "quit"]


@dataclass(frozen=True, slots=True)
class Mistake:
    """Something that looks like a command but is not one; ``problem`` says what to type instead."""

    problem: str


Command = Say | Press | PressText | ActAs | GoTo | Simple | Mistake

_SIMPLE: dict[str, Literal["open", "pay", "skip", "help", "quit"]] = {
    "open": "open",
    "o": "open",
    "pay": "pay",
    "skip": "skip",
    "help": "help",
    "h": "help",
    "quit": "quit",
    "q": "quit",
    "exit": "quit",
}


def parse(line: str) -> Command | None:
    """The command ``line`` asks for; None for an empty line."""
    text = line.strip()
    if not text:
        return None
    if text.isdigit():
        return Press(int(text))
    if not text.startswith(":"):
        return Say(text)
    name, _, rest = text[1:].partition(" ")
    name, rest = name.lower(), rest.strip()
    if name == "say":
        return Say(rest) if rest else Mistake("Type :say and the message, e.g. ':say 5'.")
    if name == "press":
        return PressText(rest) if rest else Mistake("Type :press and the button's text, e.g. ':press Book a seat'.")
    if name == "as":
        person = PERSONS.get(rest.lower())
        return ActAs(person) if person else Mistake("Who? Type ':as teacher', ':as parent1' or ':as parent2'.")
    if name == "in":
        place = PLACES.get(rest.lower())
        return GoTo(place) if place else Mistake("Where? Type ':in private' or ':in group'.")
    simple = _SIMPLE.get(name)
    if simple is not None and not rest:
        return Simple(simple)
    return Mistake(f"No command :{name}. Type :help for the list.")
