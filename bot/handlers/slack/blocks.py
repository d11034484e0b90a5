"""Drawing the core's plain text and buttons in Slack's Block Kit.

Everything a person typed (titles, names, descriptions) reaches Slack escaped (``&``, ``<``, ``>``): in mrkdwn an
unescaped ``<!channel>`` in a class title would ping a whole channel, and ``<https://…|text>`` would disguise a
link. The core speaks in Telegram's command names; ``slack_words`` says them the Slack way. A button carrying an
action is ``action_id = value = "kind:opaque-id"`` (unique within its block, and checked on every press); a link
button only ever appears in a direct message.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any

from bot.core.delivery import card_text, local_time
from bot.core.messages import Button, Message
from bot.core.views import BookingOutcome, BookingView, ClassView

Block = dict[str, Any]

MAX_SECTION = 3000
MAX_BUTTON = 75
MAX_BUTTONS = 25
COMMAND = "/classbot"
FORGET_ME = "forget:yes"  # the confirmation of `/classbot forgetme`

_COMMANDS = {
    "/connect": f"{COMMAND} connect",
    "/disconnect": f"{COMMAND} disconnect",
    "/newclass": f"{COMMAND} new",
    "/myclasses": f"{COMMAND} mine",
    "/mybookings": f"{COMMAND} bookings",
    "/classes": f"{COMMAND} classes",
    "/setup": f"{COMMAND} setup",
    "/help": f"{COMMAND} help",
    "/forgetme": f"{COMMAND} forgetme",
}
_COMMAND_WORD = re.compile(r"(?<![\w/.:])(/(?:" + "|".join(name[1:] for name in _COMMANDS) + r"))\b")

HELP = (
    "*ClassBot* books kids' online classes over Zoom.\n\n"
    f"*Parents*: `{COMMAND} classes` lists upcoming classes; press *Book a seat*. Your Zoom link comes by direct "
    f"message, privately. `{COMMAND} bookings` shows your bookings.\n\n"
    f"*Teachers*: `{COMMAND} connect` links your Zoom account once. `{COMMAND} new` opens the class form (pick a "
    f"channel in it to announce the class there). `{COMMAND} mine` shows your classes: roster, start link, a "
    "message to the parents, cancel.\n\n"
    f"*Workspace admins*: invite me to a channel (`/invite @ClassBot`) and run `{COMMAND} setup` there; "
    f"`{COMMAND} stats` there shows its last 30 days.\n\n"
    "ClassBot's *Home* tab shows your Zoom connection, your classes and your bookings. "
    f"Also: `{COMMAND} disconnect`, `{COMMAND} help`, and `{COMMAND} forgetme` to have everything ClassBot keeps "
    "about you deleted."
)


def escape(text: str) -> str:
    """Slack's three control characters, as its formatting rules ask."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def slack_words(text: str) -> str:
    """The core's command names (``/mybookings``) as Slack subcommands (``/classbot bookings``)."""
    return _COMMAND_WORD.sub(lambda found: _COMMANDS[found.group(1)], text)


def plain(text: str) -> str:
    """Core text, ready for a mrkdwn field: Slack's words, escaped."""
    return escape(slack_words(text))


def section(mrkdwn: str) -> Block:
    return {"type": "section", "text": {"type": "mrkdwn", "text": _cut(mrkdwn, MAX_SECTION)}}


def context(mrkdwn: str) -> Block:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": _cut(mrkdwn, MAX_SECTION)}]}


def header(text: str) -> Block:
    return {"type": "header", "text": {"type": "plain_text", "text": _cut(text, 150)}}


def text_sections(mrkdwn: str) -> list[Block]:
    """Long text as several sections, cut at line breaks."""
    blocks, chunk = [], ""
    for line in mrkdwn.split("\n"):
        if chunk and len(chunk) + len(line) + 1 > MAX_SECTION:
            blocks.append(section(chunk))
            chunk = ""
        chunk = f"{chunk}\n{line}" if chunk else line
    return [*blocks, section(chunk or " ")]


def button(label: str, action: str, *, style: str | None = None, confirm: str | None = None) -> Block:
    """A button that sends ``action`` back; ``confirm`` asks "are you sure?" in Slack before it does."""
    element: Block = {
        "type": "button",
        "text": {"type": "plain_text", "text": _cut(label, MAX_BUTTON)},
        "action_id": action[:255],
        "value": action[:2000],
    }
    if style:
        element["style"] = style
    if confirm:
        element["confirm"] = {
            "title": {"type": "plain_text", "text": "Are you sure?"},
            "text": {"type": "plain_text", "text": _cut(confirm, 300)},
            "confirm": {"type": "plain_text", "text": "Yes"},
            "deny": {"type": "plain_text", "text": "No"},
            "style": "danger",
        }
    return element


def link_button(label: str, url: str, index: int = 0) -> Block:
    return {
        "type": "button",
        "text": {"type": "plain_text", "text": _cut(label, MAX_BUTTON)},
        "action_id": f"url:{index}",
        "url": url,
        "style": "primary",
    }


def actions(elements: Iterable[Block]) -> list[Block]:
    """An actions block (none when there is nothing to press)."""
    shown = list(elements)[:MAX_BUTTONS]
    return [{"type": "actions", "elements": shown}] if shown else []


def message_blocks(message: Message) -> tuple[str, list[Block]]:
    """The notification text and the blocks of a core message."""
    text = plain(message.text)
    return _cut(text, MAX_SECTION), [*text_sections(text), *actions(_elements(message.buttons))]


def _elements(buttons: Sequence[Button]) -> list[Block]:
    found = []
    for index, item in enumerate(buttons):
        if item.url is not None:
            found.append(link_button(item.label, item.url, index))
        elif item.action is not None:
            found.append(button(item.label, item.action))
    return found


def card(view: ClassView) -> str:
    """A class card in mrkdwn, its title in bold."""
    first, _, rest = card_text(view).partition("\n")
    return f"*{escape(first)}*\n{escape(rest)}"


def book_button(view: ClassView) -> Block:
    label = "Join the waitlist" if view.full else "Book a seat"
    return button(label, f"book:{view.public_id}", style="primary")


def public_class(view: ClassView, *, in_channel: bool) -> list[Block]:
    """A class as parents see it listed: the card, Book, and (in a channel) Take down for admins."""
    buttons = [book_button(view)]
    if in_channel:
        buttons.append(button("Take down (admins)", f"unpub:{view.public_id}", confirm="Take this class down here?"))
    return [section(card(view)), *actions(buttons)]


def teacher_class(view: ClassView) -> list[Block]:
    """A class as its teacher manages it."""
    cancel = f"Cancel “{view.title[:80]}”? Its bookings end and the parents are told."
    return [
        section(card(view)),
        *actions(
            [
                button("Roster", f"roster:{view.public_id}"),
                button("Start link", f"start:{view.public_id}", style="primary"),
                button("Message the parents", f"msg:{view.public_id}"),
                button("Cancel the class", f"cc:{view.public_id}", style="danger", confirm=cancel),
            ]
        ),
    ]


def parent_booking(booking: BookingView) -> list[Block]:
    """A booking as the parent manages it (its link comes by direct message)."""
    line = f"*{escape(booking.child_name)}* in “{escape(booking.class_title)}”, "
    line += escape(local_time(booking.next_start, booking.timezone))
    if booking.status == "pending_approval":
        line += " _(waiting for the teacher's approval)_"
    buttons = [button("Cancel this booking", f"cb:{booking.public_id}", confirm="Cancel this booking?")]
    if booking.status == "confirmed":
        buttons.insert(0, button("Send me the Zoom link", f"link:{booking.public_id}"))
    return [section(line), *actions(buttons)]


def describe_outcome(outcome: BookingOutcome) -> str:
    """What one Book request did, for the parent (plain text)."""
    lines = []
    for booking in outcome.booked:
        if booking.status == "pending_approval":
            lines.append(f"{booking.child_name}: the teacher approves bookings; you will hear here.")
        else:
            lines.append(f"Booked: {booking.child_name} in “{booking.class_title}”. Your Zoom link follows here.")
    for child in outcome.waitlisted:
        lines.append(f"The class is full: {child} is on the waitlist and gets the first free seat.")
    if outcome.already_done:
        lines.append("(You had already asked for this; nothing was booked twice.)")
    return "\n".join(lines)


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
