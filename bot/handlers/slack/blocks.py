"""Drawing the core's plain text and buttons in Slack's Block Kit.

Everything a person typed (titles, names, descriptions) reaches Slack escaped (``&``, ``<``, ``>``): in mrkdwn an
unescaped ``<!channel>`` in a class title would ping a whole channel, and ``<https://…|text>`` would disguise a
link. Texts are rendered in the reader's language (a ``Translator``) before they are drawn. The core speaks in
Telegram's command names; ``slack_words`` says them the Slack way. A button carrying an
action has it on the wire (``bot.core.actions``) as both its ``action_id`` and its ``value`` (unique within its
block, and checked on every press); a link button only ever appears in a direct message.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from bot.core.actions import Act, Action
from bot.core.bookings import CANCEL_BOOKING_YES, cancel_booking_question
from bot.core.messages import Button, Said, SaidButton
from bot.core.views import BookingView, ClassView
from bot.core.words import labels
from bot.core.words.classes import card_text, local_time
from bot.core.words.help import INTRO, Audience, help_sections
from bot.i18n.texts import Text, tr
from bot.i18n.translator import Translator

Block = dict[str, Any]

MAX_SECTION = 3000
MAX_BUTTON = 75
MAX_BUTTONS = 25
COMMAND = "/classbot"
YOUR_CLASSES = tr("Your classes")
YOUR_BOOKINGS = tr("Your bookings")
NO_CLASSES_TAUGHT = tr("You teach no upcoming class. `{command} new` creates one.", command=COMMAND)

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
    "/approve": f"{COMMAND} approve",
    "/stats": f"{COMMAND} stats",
    "/language": f"{COMMAND} language",
}
_COMMAND_WORD = re.compile(r"(?<![\w/.:])(/(?:" + "|".join(name[1:] for name in _COMMANDS) + r"))\b")

# What only Slack says in the help; every capability is said once, in ``bot.core.words.help``.
_OWN_HELP: dict[Audience, tuple[Text, ...]] = {
    Audience.PARENTS: (
        tr("{command} class CODE opens a class a teacher shared with you.", command=COMMAND),
        tr(
            "A class with a price is paid by card on a payment page sent to you privately; the seat is held until then."
        ),
    ),
    Audience.TEACHERS: (
        tr(
            "/newclass opens the class form: pick a channel in it to announce the class there; the one line opens "
            "it filled in. Times are read in your Slack timezone."
        ),
    ),
    Audience.ADMINS: (
        tr(
            "Invite me to the channel first (/invite @ClassBot); workspace admins run /setup there, and /approve "
            "picks the teachers."
        ),
    ),
    Audience.EVERYONE: (
        tr(
            "ClassBot's Home tab shows your Zoom connection, your classes, your bookings and the classes you can "
            "book, for a child's age if you choose one."
        ),
    ),
}
_SUBCOMMAND = re.compile(re.escape(COMMAND) + r" [a-z]+(?: CODE| AGE)?")


def help_mrkdwn(t: Translator) -> str:
    """``{command} help``: the core's help in mrkdwn, each heading bold and each command Slack's, as code."""
    parts = [escape(t(INTRO))]
    for part in help_sections(_OWN_HELP):
        sentences = "\n".join(
            f"• {_SUBCOMMAND.sub(lambda found: f'`{found[0]}`', plain(t(said)))}" for said in part.sentences
        )
        parts.append(f"*{escape(t(part.heading))}*\n{sentences}")
    return "\n\n".join(parts)


SETUP_IN_CHANNEL = tr("Run `{command} setup` inside the channel where classes should be announced.", command=COMMAND)
APPROVED_ONLY = tr(
    "Done: teachers a workspace admin approves (`{command} approve` in this channel) may publish classes here.",
    command=COMMAND,
)


def share_command(view: ClassView) -> str:
    """What a teacher shares so that someone opens the class (Slack has no deep link into an app's message)."""
    return f"{COMMAND} class {view.public_id}"


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


def button(
    label: str,
    action: Action,
    *,
    style: str | None = None,
    confirm: str | None = None,
    yes: str | None = None,
    t: Translator | None = None,
) -> Block:
    """A button that sends ``action`` back; ``confirm`` asks "are you sure?" (in ``t``'s language) first, and ``yes``
    is the answer that goes on ("Yes" unless given)."""
    element: Block = {
        "type": "button",
        "text": {"type": "plain_text", "text": _cut(label, MAX_BUTTON)},
        "action_id": action.wire[:255],
        "value": action.wire[:2000],
    }
    if style:
        element["style"] = style
    if confirm:
        assert t is not None, "a confirmation is asked in the presser's language"
        element["confirm"] = {
            "title": {"type": "plain_text", "text": t(tr("Are you sure?"))},
            "text": {"type": "plain_text", "text": _cut(confirm, 300)},
            "confirm": {"type": "plain_text", "text": _cut(yes or t(tr("Yes")), 30)},
            "deny": {"type": "plain_text", "text": t(tr("No"))},
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


def message_blocks(message: Said) -> tuple[str, list[Block]]:
    """The notification text and the blocks of a core message, already in its reader's words."""
    text = plain(message.text)
    return _cut(text, MAX_SECTION), [*text_sections(text), *actions(_elements(message.buttons))]


def _elements(buttons: Sequence[SaidButton]) -> list[Block]:
    found = []
    for index, item in enumerate(buttons):
        if item.url is not None:
            found.append(link_button(item.label, item.url, index))
        elif item.action is not None:
            found.append(button(item.label, item.action))
    return found


def card(view: ClassView, t: Translator) -> str:
    """A class card in mrkdwn, its title in bold."""
    first, _, rest = t(card_text(view)).partition("\n")
    return f"*{escape(first)}*\n{escape(rest)}"


def drawn(
    buttons: Iterable[Button],
    t: Translator,
    *,
    styles: Mapping[Act, str] | None = None,
    confirms: Mapping[Act, str] | None = None,
    yeses: Mapping[Act, str] | None = None,
) -> list[Block]:
    """The core's action buttons in ``t``'s words, coloured (``styles``) and asking "are you sure?" first
    (``confirms``, already in ``t``'s words, answered by ``yeses`` or "Yes") by what they do."""
    styles, confirms, yeses = styles or {}, confirms or {}, yeses or {}
    found = []
    for item in buttons:
        assert item.action is not None, "a link button is drawn from a said message (see message_blocks)"
        act = item.action.act
        confirm, yes = confirms.get(act), yeses.get(act)
        found.append(button(t(item.label), item.action, style=styles.get(act), confirm=confirm, yes=yes, t=t))
    return found


def book_button(view: ClassView, t: Translator) -> Block:
    return drawn([labels.book_button(view)], t, styles={Act.BOOK: "primary"})[0]


def public_class(view: ClassView, t: Translator, *, in_channel: bool) -> list[Block]:
    """A class as parents see it listed: the card, Book, and (in a channel) Take down for admins."""
    buttons = [book_button(view, t)]
    if in_channel:
        take_down = button(
            t(tr("Take down (admins)")),
            Act.UNPUBLISH.on(view.public_id),
            confirm=t(tr("Take this class down here?")),
            t=t,
        )
        buttons.append(take_down)
    return [section(card(view, t)), *actions(buttons)]


def teacher_class(view: ClassView, t: Translator) -> list[Block]:
    """A class as its teacher manages it: its card, what to share so others open it, and its buttons."""
    cancel = t(tr("Cancel “{title}”? Its bookings end and the parents are told.", title=view.title[:80]))
    styles = {Act.START_LINK: "primary", Act.CANCEL_CLASS: "danger"}
    shown = drawn(labels.teacher_buttons(view), t, styles=styles, confirms={Act.CANCEL_CLASS: cancel})
    share = context(t(tr("To share: `{share}`", share=share_command(view))))
    return [section(card(view, t)), share, *actions(shown)]


def parent_booking(booking: BookingView, t: Translator) -> list[Block]:
    """A booking as the parent manages it (its link, and its calendar file's, come by direct message)."""
    # Dates and timezone names hold none of Slack's control characters; what people typed is escaped.
    line = tr(
        "*{child}* in “{title}”, {when}",
        child=escape(booking.child_name),
        title=escape(booking.class_title),
        when=local_time(booking.next_start, booking.timezone),
    )
    if booking.status == "pending_approval":
        line = tr("{booking} _(waiting for the teacher's approval)_", booking=line)
    buttons = labels.booking_buttons(booking, join_link=tr("Send me the Zoom link"))
    sure = {Act.CANCEL_BOOKING: t(cancel_booking_question(booking))}
    yes = {Act.CANCEL_BOOKING: t(CANCEL_BOOKING_YES)}
    return [section(t(line)), *actions(drawn(buttons, t, confirms=sure, yeses=yes))]


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
