"""Telegram's commands: /start with deep links, /help, /connect, /disconnect, /timezone, /cancel,
/setup, /classes, /myclasses and /mybookings. Each reads the update, calls the core, and formats the answer.
"""

from __future__ import annotations

from telegram import BotCommand, Update
from telegram.constants import ChatMemberStatus
from telegram.error import Forbidden
from telegram.ext import ContextTypes

from bot.core.actions import Act
from bot.core.class_input import age_asked, parse_timezone
from bot.core.messages import Button
from bot.core.reports import chart_png, weeks_in_words
from bot.core.weekly import WeeklyActivity
from bot.core.words import replies
from bot.core.words import stats as stats_words
from bot.core.words.classes import card_text, local_time
from bot.core.words.help import INTRO, Audience, help_sections
from bot.core.words.labels import book_button, book_label, booking_buttons, policy_buttons, teacher_buttons
from bot.handlers.telegram.addressing import name_me
from bot.handlers.telegram.base import TelegramBase, answers_refusals, community_of, in_group, person_of
from bot.handlers.telegram.render import html, valid_payload
from bot.i18n.texts import Text, joined, lines, plain, tr
from bot.i18n.translator import Translator

_MOST_LISTED = 10  # classes in one /classes answer: one message, numbered buttons
_MOST_BOOKINGS_LISTED = 20  # bookings in one /mybookings answer: three buttons each, of Telegram's 100
FORGET_PRIVATELY = tr("Send /forgetme in our private chat.")

_COMMANDS = (
    ("start", tr("Start, or open a class from a link")),
    ("help", replies.WHAT_CLASSBOT_CAN_DO),
    ("classes", replies.UPCOMING_CLASSES),
    ("mybookings", tr("Your bookings and links")),
    ("newclass", tr("Create a class (teachers)")),
    ("myclasses", tr("Your classes: roster, start link, changes")),
    ("connect", tr("Connect your Zoom account (teachers)")),
    ("disconnect", tr("Disconnect your Zoom account")),
    ("timezone", tr("Show or set your timezone")),
    ("language", tr("Show or change the language")),
    ("setup", tr("Set ClassBot up in this group (admins)")),
    ("cancel", tr("Leave what you are doing")),
    ("forgetme", tr("Delete everything ClassBot keeps about you")),
    ("stats", tr("Numbers and a weekly chart: a group's (admins), or your classes' (teachers)")),
)


def _open_private_first(name: str) -> Text:
    return tr("{name}, open a private chat with me first, then try again there.", name=name)


def _open_private(url: str) -> Button:
    return Button(tr("Open the private chat"), url=url)


def bot_commands(t: Translator) -> list[BotCommand]:
    """The command menu in one language (Telegram shows each user the list for their app's language)."""
    return [BotCommand(name, t(description)) for name, description in _COMMANDS]


# What only Telegram says in the help; every capability is said once, in ``bot.core.words.help``.
_OWN_HELP: dict[Audience, tuple[Text, ...]] = {
    Audience.PARENTS: (
        tr("A class's link opens it in our private chat, with its Book a seat button."),
        tr("A class with a price is paid in Telegram Stars as you book; the seat is held for you until then."),
    ),
    Audience.TEACHERS: (
        tr("/newclass with nothing after it asks step by step, with buttons."),
        tr("Times are read in your timezone: /timezone shows or sets it."),
    ),
    Audience.ADMINS: (
        tr("Add me to the group and send /setup there; reply /approve to a teacher's message to approve them."),
    ),
    Audience.EVERYONE: (tr("/cancel leaves what you are doing."),),
}


def help_html(t: Translator) -> str:
    """``/help``: the core's help in Telegram's HTML, each heading bold."""
    parts = [html(t(INTRO))]
    for part in help_sections(_OWN_HELP):
        sentences = "\n".join(f"• {html(t(said))}" for said in part.sentences)
        parts.append(f"<b>{html(t(part.heading))}</b>\n{sentences}")
    return "\n\n".join(parts)


class Commands(TelegramBase):
    async def start(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await self.core.resend_waiting()  # waiting private messages go out now
        payload = context.args[0] if context.args else ""
        if in_group(update):
            name = context.bot.username
            await self.say(
                update,
                lines(
                    tr("Hello! Group admins: send /setup to announce classes here. Everyone: /classes."),
                    name_me(name),
                ),
            )
            return
        if payload and valid_payload(payload):
            kind, _, value = payload.partition("_")
            if kind in ("c", "b") and value:
                await self.show_class(update, value)
                return
            if payload == "connect":
                await self.connect(update, context)
                return
        await self.help(update, context)

    @answers_refusals
    async def show_class(self, update: Update, class_public_id: str) -> None:
        view = await self.core.classes.view(person_of(update), class_public_id)
        await self.say(update, card_text(view), [book_button(view)] if view.status == "scheduled" else [])

    async def help(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        t = await self.translator(update)
        words = help_html(t)
        if in_group(update):
            words += "\n\n" + html(t(name_me(context.bot.username)))
        await self.reply(update, words, translator=t)

    async def cancel(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        chat, person = update.effective_chat, person_of(update)
        assert chat is not None
        left = await self.conversations.clear(str(chat.id), person.user_id)
        await self.say(update, tr("Done: we left that.") if left else tr("There was nothing to leave."))

    @answers_refusals
    async def connect(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        connect = self.core.connect
        if connect is None:
            await self.say(update, replies.NO_ZOOM_APP)
            return
        if in_group(update):
            await self._privately(update, context, "connect", tr("Send /connect to me in a private chat."))
            return
        await self.show(update, replies.connect_link(await connect.begin(person_of(update))))

    @answers_refusals
    async def disconnect(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        connect = self.core.connect
        done = connect is not None and await connect.disconnect(person_of(update))
        await self.say(update, replies.disconnected(done))

    @answers_refusals
    async def timezone(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        person = person_of(update)
        if context.args:
            zone = parse_timezone(" ".join(context.args))
            await self.core.classes.set_timezone(person, zone)
            await self.say(update, tr("Your timezone is now {zone}. New classes use it.", zone=zone))
            return
        current = await self.core.classes.default_timezone(person)
        await self.say(
            update,
            tr(
                "Your timezone is {zone}. Change it with /timezone Area/City, for example /timezone Europe/Madrid.",
                zone=plain(current) if current else tr("not set"),
            ),
        )

    @answers_refusals
    async def setup(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        chat = update.effective_chat
        assert chat is not None
        if not in_group(update):
            await self.say(update, tr("Send /setup inside the group where classes should be announced."))
            return
        admin = await self.is_admin(update, context)
        await self.core.communities.set_up(person_of(update), community_of(chat), admin_verified=admin)
        await self.say(
            update,
            tr(
                "ClassBot is set up here: classes published in this group are announced, and /classes lists them. "
                "Who may publish classes here? (/language sets the language of the announcements.)"
            ),
            list(policy_buttons()),
        )

    async def is_admin(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> bool:
        """Ask Telegram, never the message: the group's administrators as Telegram lists them now."""
        chat, user = update.effective_chat, update.effective_user
        assert chat is not None
        assert user is not None
        admins = await context.bot.get_chat_administrators(chat.id)
        return any(
            member.user.id == user.id and member.status in (ChatMemberStatus.OWNER, ChatMemberStatus.ADMINISTRATOR)
            for member in admins
        )

    @answers_refusals
    async def approve(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """``/approve`` as a reply to a teacher's message lets them publish in an approved-only group."""
        chat, message = update.effective_chat, update.effective_message
        assert chat is not None
        assert message is not None
        replied = message.reply_to_message
        if not in_group(update) or replied is None or replied.from_user is None:
            await self.say(update, tr("Reply /approve to a message of the teacher you approve, in the group."))
            return
        teacher = person_of(Update(0, message=replied))
        await self.core.communities.approve_teacher(
            person_of(update), community_of(chat), teacher, admin_verified=await self.is_admin(update, context)
        )
        await self.say(update, tr("{name} may publish classes here now.", name=replied.from_user.full_name))

    @answers_refusals
    async def classes(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        chat = update.effective_chat
        assert chat is not None
        # One message, not one per class: Telegram allows about one message a second in a chat (20 a minute in
        # a group), so a list of ten would trickle in for ten seconds and use up half a group's minute.
        age = age_asked(" ".join(context.args or []))  # /classes 8: those for an 8-year-old
        if in_group(update):
            listed = await self.core.communities.upcoming(person_of(update), community_of(chat), _MOST_LISTED, age=age)
        else:  # the classes of the person's groups, their own and those they booked
            listed = await self.core.classes.visible_to(person_of(update), _MOST_LISTED, age=age)
        if not listed:
            await self.say(update, replies.NO_UPCOMING_CLASSES if age is None else replies.no_classes_for_age(age))
            return
        cards = [_numbered(n, card_text(view)) for n, view in enumerate(listed, 1)]
        buttons: list[Button] = []
        for n, view in enumerate(listed, 1):
            buttons.append(Button(_numbered_action(n, book_label(view)), url=self.link(context, f"c_{view.public_id}")))
            if in_group(update):
                take_down = tr("{number}. Take down (admins)", number=n)
                buttons.append(Button(take_down, Act.UNPUBLISH.on(view.public_id)))
        await self.say(update, joined("\n\n", *cards), buttons)

    @answers_refusals
    async def my_classes(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        if in_group(update):
            await self._privately(
                update, context, "help", tr("Your classes are shown in our private chat: /myclasses.")
            )
            return
        views = await self.core.classes.for_teacher(person_of(update))
        if not views:
            await self.say(update, tr("You have no upcoming classes. Create one with /newclass."))
            return
        for view in views[:20]:
            await self.say(update, card_text(view), list(teacher_buttons(view)))

    @answers_refusals
    async def my_bookings(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        if in_group(update):
            await self._privately(
                update, context, "help", tr("Your bookings and links are shown privately: /mybookings.")
            )
            return
        bookings = await self.core.bookings.for_parent(person_of(update))
        if not bookings:
            await self.say(update, tr("You have no upcoming bookings. See /classes."))
            return
        # One message with numbered buttons, as /classes: one per booking would trickle in at Telegram's pace of
        # about one message a second in a chat.
        lines: list[Text] = []
        buttons: list[Button] = []
        for n, booking in enumerate(bookings[:_MOST_BOOKINGS_LISTED], 1):
            when = local_time(booking.next_start, booking.timezone)
            text = tr("{child} in “{title}”, {when}", child=booking.child_name, title=booking.class_title, when=when)
            if booking.status == "pending_approval":
                text = tr("{booking} (waiting for the teacher's approval)", booking=text)
            lines.append(_numbered(n, text))
            buttons += [
                Button(_numbered_action(n, button.label), button.action)
                for button in booking_buttons(booking, join_link=tr("Get my Zoom link"))
            ]
        await self.say(update, joined("\n\n", *lines), buttons)

    @answers_refusals
    async def stats(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """In a group, for its admins: the numbers there, the weekly chart privately (never in the group). In the
        private chat, for a teacher: their own classes' weeks."""
        chat, user = update.effective_chat, update.effective_user
        assert chat is not None
        assert user is not None
        t = await self.translator(update)
        if not in_group(update):
            weeks = await self.reports.teacher_weeks(person_of(update))
            await self._send_chart(context, user.id, weeks, t)
            return
        admin = await self.is_admin(update, context)
        numbers = await self.reports.community_stats(community_of(chat), admin_verified=admin)
        weeks = await self.reports.community_weeks(community_of(chat), admin_verified=admin)
        await self.say(update, numbers.summary(t.percent(numbers.attendance_rate)))
        try:
            await self._send_chart(context, user.id, weeks, t)
        except Forbidden:
            await self.say(update, _open_private_first(user.first_name), [_open_private(self.link(context, ""))])

    async def _send_chart(
        self, context: ContextTypes.DEFAULT_TYPE, chat_id: int, weeks: WeeklyActivity, t: Translator
    ) -> None:
        png = await chart_png(weeks, t)
        await context.bot.send_photo(chat_id, png, caption=html(t(stats_words.CHART_TITLE)), parse_mode="HTML")
        await context.bot.send_message(chat_id, html(t(weeks_in_words(weeks))), parse_mode="HTML")

    @answers_refusals
    async def forget_me(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        if in_group(update):
            await self.say(update, FORGET_PRIVATELY)
            return
        await self.show(update, replies.forget_me())

    async def _privately(self, update: Update, context: ContextTypes.DEFAULT_TYPE, payload: str, text: Text) -> None:
        """Answer a group command in the private chat; if Telegram refuses (never opened), say so in the group."""
        user = update.effective_user
        assert user is not None
        t = await self.translator(update)
        try:
            await context.bot.send_message(user.id, html(t(text)), parse_mode="HTML")
        except Forbidden:
            await self.say(
                update,
                _open_private_first(user.first_name),
                [_open_private(self.link(context, payload))],
            )
            return
        await self.say(update, tr("I answered you in our private chat."))


def _numbered(number: int, card: Text) -> Text:
    """An item of a list answered in one message, numbered like the buttons that go with it."""
    return tr("{number}. {card}", number=number, card=card)


def _numbered_action(number: int, label: Text) -> Text:
    """A button of a list answered in one message, numbered like the item it acts on."""
    return tr("{number}. {action}", number=number, action=label)
