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

from bot.core.actions import Act
from bot.core.bookings import AWAITING_PAYMENT, parse_child_names
from bot.core.class_input import (
    DEFAULT_REFUND_HOURS,
    FALLBACK_TIMEZONE,
    REFUND_RULE_ASKED,
    ClassDraft,
    ClassSettings,
    apply_setting,
    parse_date,
    parse_duration,
    parse_one_line,
    parse_refund_hours,
    parse_seats,
    parse_sessions,
    parse_time,
    parse_timezone,
    parse_title,
    price_columns,
    time_read_in,
)
from bot.core.errors import InvalidInput, NotAllowed
from bot.core.messages import Button
from bot.core.views import BookingOutcome
from bot.core.words import replies
from bot.core.words.classes import (
    PRICE_ASKED,
    ages_text,
    card_text,
    describe_outcome,
    price_text,
    refund_choice,
    refund_rule,
    settings_text,
)
from bot.core.words.labels import ANY_AGE_CHOICE, FREE, teacher_buttons
from bot.core.words.refusals import NOT_APPROVED_TO_PUBLISH
from bot.core.words.replies import sent_to_parents
from bot.handlers.telegram.base import TelegramBase, answers_refusals, community_of, in_group, person_of
from bot.handlers.telegram.render import html
from bot.i18n.languages import or_source
from bot.i18n.texts import Text, joined, lines, ntr, plain, tr
from bot.i18n.translator import Translator

NEW_CLASS = "newclass"
CHILD = "child"
CHILD_ANSWERED = "child_answered"
MESSAGE_PARENTS = "msg"
MOVE = "move"
EDIT = "edit"  # the class's edit menu is open ("class"); once a setting is picked, its new value is typed ("field")

# The refund rule is asked only of a paid class (see ``_next_step``).
_STEPS = ("timezone", "title", "date", "time", "duration", "seats", "repeat", "price", "refund", "settings")
CREATE = "create"  # the settings step's last button: make the class as it stands
_MINIMUMS = (2, 3, 5)  # what the minimum button steps through, then back to none
_TO_STOP = tr("(/cancel to stop)")
_CHANGE_TIMEZONE = tr("/timezone Area/City changes it.")
_QUESTIONS = {
    "timezone": tr("First, your timezone (Area/City, for example Europe/Madrid):"),
    "title": tr("What is the class called? (up to 200 characters)"),
    "date": tr("Which day does it start? Pick one or type YYYY-MM-DD."),
    "time": tr("At what time? Pick one or type HH:MM (24-hour clock)."),
    "duration": tr("How many minutes does it last?"),
    "seats": tr("How many seats?"),
    "repeat": tr("Once, or weekly? Pick one or type the number of weekly sessions (1-52)."),
    "price": joined(" ", PRICE_ASKED, tr("Or tap Free.")),
    "refund": REFUND_RULE_ASKED,
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
            draft = parse_one_line(" ".join(context.args), timezone or FALLBACK_TIMEZONE)
            await self._create(update, context, draft)
            return
        if in_group(update):
            t = await self.translator(update)
            form = tr(
                "In a group, use the one-line form:\n<code>/newclass Title | YYYY-MM-DD HH:MM | MINUTES | SEATS"
                "</code>\nor create the class step by step in our private chat."
            )
            zone = lines(time_read_in(timezone or FALLBACK_TIMEZONE), _CHANGE_TIMEZONE)
            await self.reply(
                update,
                t(form) + "\n" + html(t(zone)),
                [Button(tr("Create it privately"), url=self.link(context, "newclass"))],
                translator=t,
            )
            return
        data: dict[str, Any] = {"timezone": timezone} if timezone else {}
        await self._ask(update, str(chat.id), person.user_id, data)

    async def new_class_answer(
        self, update: Update, context: ContextTypes.DEFAULT_TYPE, answer: str, data: dict[str, Any]
    ) -> None:
        """A typed or picked answer to the current step; on the settings step, a setting (typed text that is
        no setting is the description)."""
        step = _next_step(data)
        chat = update.effective_chat
        assert chat is not None
        person = person_of(update)
        try:
            if step == "settings":
                changed = apply_setting(answer, _draft(data), else_description=True)
                changed.check_settings()
                self.core.classes.check_price(person, changed.price_currency)
                data.update(_settings_of(changed))
            else:
                parsed = _PARSERS[step](answer)
                if step == "price" and parsed is not None:
                    self.core.classes.check_price(person, parsed[1])
                data[step] = parsed
        except InvalidInput as wrong:
            await self.say(update, wrong.text)
        await self._ask(update, str(chat.id), person.user_id, data)

    async def new_class_setting(
        self, update: Update, context: ContextTypes.DEFAULT_TYPE, setting: str, data: dict[str, Any]
    ) -> None:
        """A settings button: change one setting and ask again, or (``CREATE``) make the class."""
        if setting != CREATE or _next_step(data) != "settings":
            await self.new_class_answer(update, context, setting, data)
            return
        chat = update.effective_chat
        assert chat is not None
        await self.conversations.clear(str(chat.id), person_of(update).user_id)
        await self._create(update, context, _draft(data))

    async def _ask(self, update: Update, chat_id: str, user_id: str, data: dict[str, Any]) -> None:
        step = _next_step(data)
        await self.conversations.put(chat_id, user_id, NEW_CLASS, _storable(data))
        if step == "settings":
            draft = _draft(data)
            await self.say(update, lines(_settings_question(draft), _TO_STOP), _setting_buttons(draft))
            return
        asked = _QUESTIONS[step]
        if step == "time":  # said where the time is typed: the teacher may not know ClassBot's idea of their zone
            asked = lines(asked, time_read_in(data["timezone"]))
        question = lines(asked, _TO_STOP)
        await self.say(update, question, _suggestions(step, data, await self.translator(update), self.core.clock()))

    @answers_refusals
    async def _create(self, update: Update, context: ContextTypes.DEFAULT_TYPE, draft: ClassDraft) -> None:
        chat = update.effective_chat
        assert chat is not None
        teacher = person_of(update)
        if in_group(update) and not await self.core.communities.may_publish(teacher, community_of(chat)):
            how = tr("Ask one of them to reply /approve to a message of yours, then send /newclass again.")
            raise NotAllowed(joined(" ", NOT_APPROVED_TO_PUBLISH, how))
        view = await self.core.classes.create(teacher, draft, in_community=in_group(update))
        if in_group(update):
            # The announcement that follows here is the answer: a second card above it would say the same.
            await self.core.communities.publish(teacher, view.public_id, community_of(chat))
            return
        share = self.link(context, f"c_{view.public_id}")
        settings = settings_text(view)
        card = card_text(view) if settings is None else lines(card_text(view), settings)
        await self.say(
            update,
            tr("Created:\n{card}\n\nShare this link with parents: {link}", card=card, link=share),
            [Button(tr("Open /myclasses to manage it"), Act.ROSTER.on(view.public_id))],
        )
        if self.core.connect is not None and await self.core.connect.status(teacher) != "active":
            await self.say(update, tr("Connect Zoom with /connect so booked parents get their links."))

    # --- booking: which child ---------------------------------------------------------------------------

    async def ask_child(self, update: Update, class_public_id: str) -> None:
        chat = update.effective_chat
        assert chat is not None
        person = person_of(update)
        view = await self.core.classes.view(person, class_public_id)
        names = await self.core.bookings.remembered_children(person)
        await self.conversations.put(str(chat.id), person.user_id, CHILD, {"class": class_public_id, "names": names})
        buttons = [Button(plain(name), Act.CHILD.on(str(index))) for index, name in enumerate(names[:8])]
        if view.full:
            question = tr("“{title}”: full: who should go on the waitlist?", title=view.title)
        else:
            question = tr("“{title}”: who is the seat for?", title=view.title)
        how = tr("Type the child's first name, or pick one.") if buttons else tr("Type the child's first name.")
        await self.say(update, lines(question, how), buttons)

    @answers_refusals
    async def child_answer(self, update: Update, names_text: str, data: dict[str, Any], request_key: str) -> None:
        chat = update.effective_chat
        assert chat is not None
        person = person_of(update)
        names = parse_child_names(names_text)
        # Not cleared but marked answered: if Telegram delivers this same message again (we crashed before
        # replying), the booking is looked up by its request key and the answer given again.
        answered: dict[str, Any] = {"class": data["class"], "request": request_key, "names": names_text}

        async def confirm(outcome: BookingOutcome) -> None:
            # Telegram tells no one's timezone: asked once, after a booking, with the class's zone one tap away
            # (see ``zone_answer``); known before the chat's state is written, so it is written once.
            if outcome.booked and await self.languages.ask_zone_once(person):
                answered["zone"] = outcome.booked[0].timezone
            await self.conversations.put(str(chat.id), person.user_id, CHILD_ANSWERED, answered)
            language = self.catalogs.translator(or_source(outcome.language))
            await self.say(update, describe_outcome(outcome), translator=language)

        outcome = await self.core.bookings.book(
            person, data["class"], names, request_key, confirm=confirm, as_typed=True
        )
        await self.send_invoices(update, outcome)
        if "zone" in answered:
            # In the language the booking read (as its confirmation); asked, so no timezone of theirs is known.
            question = replies.zone_question(answered["zone"])
            t = self.catalogs.translator(or_source(outcome.language))
            await self.say(update, question.text, list(question.buttons), translator=t)

    async def send_invoices(self, update: Update, outcome: BookingOutcome) -> None:
        """An invoice (in Stars, or by card) for each seat held until paid (a paid class), in the private chat."""
        chat = update.effective_chat
        assert chat is not None
        held = [view for view in outcome.booked if view.status == AWAITING_PAYMENT]
        if not held:
            return
        t = self.catalogs.translator(or_source(outcome.language))
        for view in held:
            invoice = await self.core.payments.invoice(person_of(update), view.public_id)
            await self.invoices.send(update.get_bot(), chat.id, invoice, t)

    @answers_refusals
    async def zone_answer(self, update: Update, typed: str) -> None:
        """The reader's timezone, typed (Area/City) or picked after a booking; a name we do not know is answered
        with what to type, and the question stays open."""
        chat = update.effective_chat
        assert chat is not None
        person = person_of(update)
        zone = await self.languages.choose_zone(person, typed)
        await self.conversations.clear(str(chat.id), person.user_id)
        await self.say(update, replies.zone_chosen(zone))

    # --- teachers: message parents, move a class --------------------------------------------------------

    @answers_refusals
    async def message_parents_answer(self, update: Update, text: str, data: dict[str, Any]) -> None:
        chat = update.effective_chat
        assert chat is not None
        person = person_of(update)
        told = await self.core.classes.message_parents(person, data["class"], text)
        await self.conversations.clear(str(chat.id), person.user_id)
        await self.say(update, sent_to_parents(told))

    @answers_refusals
    async def move_answer(self, update: Update, text: str, data: dict[str, Any]) -> None:
        chat = update.effective_chat
        assert chat is not None
        person = person_of(update)
        parts = text.split()
        if len(parts) != 2:
            raise InvalidInput("date", tr("Type the new start as YYYY-MM-DD HH:MM, for example 2027-03-21 16:30."))
        view = await self.core.classes.reschedule(person, data["class"], parse_date(parts[0]), parse_time(parts[1]))
        await self.conversations.clear(str(chat.id), person.user_id)
        await self.say(update, replies.moved(view))

    @answers_refusals
    async def edit_answer(self, update: Update, text: str, data: dict[str, Any]) -> None:
        """The new value of the setting picked in the edit menu; a wrong one is explained and asked again."""
        field = data.get("field")
        if not isinstance(field, str):
            raise InvalidInput("form", tr("Tap what to change in the menu above (/cancel to stop)."))
        settings = await self.core.classes.settings(person_of(update), data["class"])
        await self.save_edit(update, data["class"], settings.with_typed(field, text))

    async def save_edit(self, update: Update, class_id: str, settings: ClassSettings) -> None:
        """The class changed as the teacher asked (the core checks who and what), then its card as it is now."""
        chat = update.effective_chat
        assert chat is not None
        person = person_of(update)
        view, told = await self.core.classes.edit(person, class_id, settings)
        await self.conversations.clear(str(chat.id), person.user_id)
        await self.say(update, replies.edited(view, told), list(teacher_buttons(view)))


def _draft(data: dict[str, Any]) -> ClassDraft:
    """The class the answers so far describe, with the settings chosen on the last step (defaults until then)."""
    return ClassDraft(
        title=data["title"],
        starts_on=data["date"],
        starts_at=data["time"],
        duration_minutes=data["duration"],
        seats=data["seats"],
        timezone=data["timezone"],
        sessions=data["repeat"],
        description=data.get("about", ""),
        requires_approval=data.get("approve", False),
        min_bookings=data.get("min"),
        zoom_enabled=data.get("zoom", True),
        age_min=(data.get("ages") or [None, None])[0],
        age_max=(data.get("ages") or [None, None])[1],
        price_amount=(data.get("price") or [None, None])[0],
        price_currency=(data.get("price") or [None, None])[1],
        refund_hours=data.get("refund", DEFAULT_REFUND_HOURS),
    )


def _settings_of(draft: ClassDraft) -> dict[str, Any]:
    """The settings of ``draft`` as the flow keeps them between messages."""
    return {
        "about": draft.description,
        "approve": draft.requires_approval,
        "min": draft.min_bookings,
        "zoom": draft.zoom_enabled,
        "ages": [draft.age_min, draft.age_max],
        "price": None if draft.price_amount is None else [draft.price_amount, draft.price_currency],
        "refund": draft.refund_hours,
    }


def _settings_question(draft: ClassDraft) -> Text:
    approval = tr("you approve each one") if draft.requires_approval else tr("confirmed at once")
    minimum = plain(str(draft.min_bookings)) if draft.min_bookings else tr("none")
    zoom = tr("yes") if draft.zoom_enabled else tr("no: parents get no link")
    description = plain(draft.description[:80]) if draft.description else tr("not given")
    ages = ages_text(draft.age_min, draft.age_max) or tr("any")
    price = [tr("Price: {price}", price=price_text(draft.price_amount, draft.price_currency))]
    if draft.price_amount is not None:
        price.append(refund_rule(draft.refund_hours))
    return lines(
        tr("Last, the settings. Tap to change them, or Create to keep them:"),
        tr("Bookings: {how}", how=approval),
        tr("Minimum bookings: {minimum}", minimum=minimum),
        tr("Zoom meeting: {zoom}", zoom=zoom),
        tr("Children's ages: {ages}", ages=ages),
        *price,
        tr("Description: {description}", description=description),
        tr(
            "Type “min N” for another minimum, “ages N-M” for the children's ages (like ages 7-10), "
            "“price 250 XTR” or “free” for the price, “refund 48h” for the hours before the start until which a "
            "parent who cancels gets the money back, or any text to use it as the description."
        ),
    )


def _setting_buttons(draft: ClassDraft) -> list[Button]:
    """Each button changes one setting (spelled as in the one-line form); the last one makes the class."""
    if draft.requires_approval:
        approval = Button(tr("Confirm bookings at once"), Act.NEW_CLASS_SETTING.on("no approval"))
    else:
        approval = Button(tr("Approve each booking myself"), Act.NEW_CLASS_SETTING.on("approve"))
    later = [n for n in _MINIMUMS if n > (draft.min_bookings or 0) and n <= draft.seats]
    if later:
        minimum = Button(
            ntr("Minimum {n} child", "Minimum {n} children", later[0]), Act.NEW_CLASS_SETTING.on(f"min {later[0]}")
        )
    else:
        minimum = Button(tr("No minimum"), Act.NEW_CLASS_SETTING.on("no min"))
    if draft.zoom_enabled:
        zoom = Button(tr("No Zoom meeting"), Act.NEW_CLASS_SETTING.on("no zoom"))
    else:
        zoom = Button(tr("With a Zoom meeting"), Act.NEW_CLASS_SETTING.on("zoom"))
    buttons = [approval, minimum, zoom]
    if draft.age_min is not None or draft.age_max is not None:
        buttons.append(Button(ANY_AGE_CHOICE, Act.NEW_CLASS_SETTING.on("no ages")))
    return [*buttons, Button(tr("Create the class"), Act.NEW_CLASS_SETTING.on(CREATE))]


def _next_step(data: dict[str, Any]) -> str:
    """The first step not answered yet; a free class (its price answered as none) has no refund rule to ask."""
    free = "price" in data and data["price"] is None
    return next((step for step in _STEPS if step not in data and not (step == "refund" and free)), "")


_PARSERS: dict[str, Any] = {
    "timezone": parse_timezone,
    "title": parse_title,
    "date": parse_date,
    "time": parse_time,
    "duration": parse_duration,
    "seats": parse_seats,
    "repeat": parse_sessions,
    "price": lambda raw: None if (columns := price_columns(raw))[0] is None else list(columns),
    "refund": parse_refund_hours,
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


def _suggestions(step: str, data: dict[str, Any], t: Translator, now: datetime) -> list[Button]:
    if step == "timezone":
        zones = ["Europe/London", "Europe/Madrid", "America/New_York", "America/Los_Angeles", "Asia/Kolkata"]
        return [Button(plain(zone), Act.NEW_CLASS_ANSWER.on(zone)) for zone in zones]
    if step == "date":
        today = now.astimezone(ZoneInfo(data["timezone"])).date()
        days = [today + timedelta(days=n) for n in range(1, 8)]
        return [Button(plain(t.day(day)), Act.NEW_CLASS_ANSWER.on(day.isoformat())) for day in days]
    values = {
        "time": ["09:00", "10:00", "16:00", "17:00", "18:00"],
        "duration": ["30", "45", "60", "90"],
        "seats": ["5", "8", "10", "15"],
    }.get(step)
    if values:
        return [Button(plain(value), Act.NEW_CLASS_ANSWER.on(value)) for value in values]
    if step == "repeat":
        weekly = [
            Button(ntr("Weekly, {n} time", "Weekly, {n} times", n), Act.NEW_CLASS_ANSWER.on(str(n))) for n in (4, 8, 12)
        ]
        return [Button(tr("Once"), Act.NEW_CLASS_ANSWER.on("1")), *weekly]
    if step == "price":
        return [Button(FREE, Act.NEW_CLASS_ANSWER.on("free"))]
    if step == "refund":
        return [Button(refund_choice(hours), Act.NEW_CLASS_ANSWER.on(str(hours))) for hours in (0, 24, 48)]
    return []
