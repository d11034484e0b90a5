"""Telegram's multi-step flows: creating a class, naming the child for a booking, messaging parents, moving a
class. Each step's state lives in the database (``Conversations``), so a restart mid-flow loses nothing.

Every answer may be typed or picked from suggestion buttons; a wrong answer gets the core's explanation and
the same question again.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from telegram import Update
from telegram.ext import ContextTypes

from bot.core.bookings import parse_child_names
from bot.core.class_input import (
    ClassDraft,
    parse_date,
    parse_duration,
    parse_one_line,
    parse_seats,
    parse_sessions,
    parse_time,
    parse_timezone,
    parse_title,
)
from bot.core.delivery import card_text
from bot.core.errors import InvalidInput
from bot.core.messages import Button
from bot.core.views import BookingOutcome
from bot.handlers.telegram.base import TelegramBase, answers_refusals, community_of, in_group, person_of

NEW_CLASS = "newclass"
CHILD = "child"
CHILD_ANSWERED = "child_answered"
MESSAGE_PARENTS = "msg"
MOVE = "move"

_STEPS = ("timezone", "title", "date", "time", "duration", "seats", "repeat")
_QUESTIONS = {
    "timezone": "First, your timezone (Area/City, for example Europe/Madrid):",
    "title": "What is the class called? (up to 200 characters)",
    "date": "Which day does it start? Pick one or type YYYY-MM-DD.",
    "time": "At what time? Pick one or type HH:MM (24-hour clock).",
    "duration": "How many minutes does it last?",
    "seats": "How many seats?",
    "repeat": "Once, or weekly? Pick one or type the number of weekly sessions (1-52).",
}


class Flows(TelegramBase):
    # --- /newclass -------------------------------------------------------------------------------------

    @answers_refusals
    async def new_class(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        person = person_of(update)
        chat = update.effective_chat
        assert chat is not None
        timezone = await self.core.classes.default_timezone(person)
        if context.args:
            draft = parse_one_line(" ".join(context.args), timezone or "UTC")
            await self._create(update, context, draft)
            return
        if in_group(update):
            await self.reply(
                update,
                "In a group, use the one-line form:\n<code>/newclass Title | YYYY-MM-DD HH:MM | MINUTES | SEATS"
                "</code>\nor create the class step by step in our private chat.",
                [Button("Create it privately", url=self.link(context, "newclass"))],
            )
            return
        data: dict[str, Any] = {"timezone": timezone} if timezone else {}
        await self._ask(update, str(chat.id), person.user_id, data)

    async def new_class_answer(
        self, update: Update, context: ContextTypes.DEFAULT_TYPE, answer: str, data: dict[str, Any]
    ) -> None:
        step = _next_step(data)
        chat = update.effective_chat
        assert chat is not None
        person = person_of(update)
        try:
            data[step] = _PARSERS[step](answer)
        except InvalidInput as wrong:
            await self.say(update, wrong.message)
            await self._ask(update, str(chat.id), person.user_id, data)
            return
        if _next_step(data):
            await self._ask(update, str(chat.id), person.user_id, data)
            return
        await self.conversations.clear(str(chat.id), person.user_id)
        draft = ClassDraft(
            title=data["title"],
            starts_on=data["date"],
            starts_at=data["time"],
            duration_minutes=data["duration"],
            seats=data["seats"],
            timezone=data["timezone"],
            sessions=data["repeat"],
        )
        await self._create(update, context, draft)

    async def _ask(self, update: Update, chat_id: str, user_id: str, data: dict[str, Any]) -> None:
        step = _next_step(data)
        await self.conversations.put(chat_id, user_id, NEW_CLASS, _storable(data))
        await self.say(update, _QUESTIONS[step] + "\n(/cancel to stop)", _suggestions(step, data))

    @answers_refusals
    async def _create(self, update: Update, context: ContextTypes.DEFAULT_TYPE, draft: ClassDraft) -> None:
        chat = update.effective_chat
        assert chat is not None
        teacher = person_of(update)
        view = await self.core.classes.create(teacher, draft)
        if in_group(update):
            await self.core.communities.publish(teacher, view.public_id, community_of(chat))
            await self.say(update, f"Created and announced here:\n{card_text(view)}")
            return
        share = self.link(context, f"c_{view.public_id}")
        await self.say(
            update,
            f"Created:\n{card_text(view)}\n\nShare this link with parents: {share}",
            [Button("Open /myclasses to manage it", action=f"roster:{view.public_id}")],
        )
        if self.core.zoom is not None and await self.core.zoom.connect.status(teacher) != "active":
            await self.say(update, "Connect Zoom with /connect so booked parents get their links.")

    # --- booking: which child ---------------------------------------------------------------------------

    async def ask_child(self, update: Update, class_public_id: str) -> None:
        chat = update.effective_chat
        assert chat is not None
        person = person_of(update)
        view = await self.core.classes.view(class_public_id)
        names = await self.core.bookings.remembered_children(person)
        await self.conversations.put(str(chat.id), person.user_id, CHILD, {"class": class_public_id, "names": names})
        buttons = [Button(name, action=f"kid:{index}") for index, name in enumerate(names[:8])]
        question = "full: who should go on the waitlist?" if view.full else "who is the seat for?"
        await self.say(update, f"“{view.title}”: {question}\nType the child's first name, or pick one.", buttons)

    @answers_refusals
    async def child_answer(self, update: Update, names_text: str, data: dict[str, Any], request_key: str) -> None:
        chat = update.effective_chat
        assert chat is not None
        person = person_of(update)
        names = parse_child_names(names_text)
        outcome = await self.core.bookings.book(person, data["class"], names, request_key)
        # Not cleared but marked answered: if Telegram delivers this same message again (we crashed before
        # replying), the booking is looked up by its request key and the answer given again.
        answered = {"class": data["class"], "request": request_key, "names": names_text}
        await self.conversations.put(str(chat.id), person.user_id, CHILD_ANSWERED, answered)
        await self.say(update, describe_outcome(outcome))

    # --- teachers: message parents, move a class --------------------------------------------------------

    @answers_refusals
    async def message_parents_answer(self, update: Update, text: str, data: dict[str, Any]) -> None:
        chat = update.effective_chat
        assert chat is not None
        person = person_of(update)
        told = await self.core.classes.message_parents(person, data["class"], text)
        await self.conversations.clear(str(chat.id), person.user_id)
        await self.say(update, f"Sent to {told} parent{'s' if told != 1 else ''}.")

    @answers_refusals
    async def move_answer(self, update: Update, text: str, data: dict[str, Any]) -> None:
        chat = update.effective_chat
        assert chat is not None
        person = person_of(update)
        parts = text.split()
        if len(parts) != 2:
            raise InvalidInput("date", "Type the new start as YYYY-MM-DD HH:MM, for example 2027-03-21 16:30.")
        view = await self.core.classes.reschedule(person, data["class"], parse_date(parts[0]), parse_time(parts[1]))
        await self.conversations.clear(str(chat.id), person.user_id)
        await self.say(update, f"Moved, and the parents were told:\n{card_text(view)}")


def describe_outcome(outcome: BookingOutcome) -> str:
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


def _next_step(data: dict[str, Any]) -> str:
    return next((step for step in _STEPS if step not in data), "")


_PARSERS: dict[str, Any] = {
    "timezone": parse_timezone,
    "title": parse_title,
    "date": parse_date,
    "time": parse_time,
    "duration": parse_duration,
    "seats": parse_seats,
    "repeat": parse_sessions,
}


def _storable(data: dict[str, Any]) -> dict[str, Any]:
    """Dates and times as ISO text in the database; read back when the next answer arrives."""
    return {key: value.isoformat() if hasattr(value, "isoformat") else value for key, value in data.items()}


def restore(data: dict[str, Any]) -> dict[str, Any]:
    restored = dict(data)
    if isinstance(restored.get("date"), str):
        restored["date"] = parse_date(restored["date"])
    if isinstance(restored.get("time"), str):
        restored["time"] = parse_time(restored["time"][:5])
    return restored


def _suggestions(step: str, data: dict[str, Any]) -> list[Button]:
    if step == "timezone":
        zones = ["Europe/London", "Europe/Madrid", "America/New_York", "America/Los_Angeles", "Asia/Kolkata"]
        return [Button(zone, action=f"nc:{zone}") for zone in zones]
    if step == "date":
        today = datetime.now(ZoneInfo(data["timezone"])).date()
        days = [today + timedelta(days=n) for n in range(1, 8)]
        return [Button(day.strftime("%a %d %b"), action=f"nc:{day.isoformat()}") for day in days]
    values = {
        "time": ["09:00", "10:00", "16:00", "17:00", "18:00"],
        "duration": ["30", "45", "60", "90"],
        "seats": ["5", "8", "10", "15"],
    }.get(step)
    if values:
        return [Button(value, action=f"nc:{value}") for value in values]
    if step == "repeat":
        return [Button("Once", action="nc:1")] + [Button(f"Weekly, {n} times", action=f"nc:{n}") for n in (4, 8, 12)]
    return []
