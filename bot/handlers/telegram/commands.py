"""Telegram's commands: /start with deep links, /help, /connect, /disconnect, /timezone, /cancel, /setup,
/classes, /myclasses and /mybookings. Each reads the update, calls the core, and formats the answer.
"""

from __future__ import annotations

from telegram import BotCommand, Update
from telegram.constants import ChatMemberStatus
from telegram.error import Forbidden
from telegram.ext import ContextTypes

from bot.core.class_input import parse_timezone
from bot.core.delivery import card_text, local_time
from bot.core.messages import Button
from bot.core.notify import reachable_again
from bot.core.views import ClassView
from bot.handlers.telegram.base import TelegramBase, answers_refusals, community_of, in_group, person_of
from bot.handlers.telegram.render import html, valid_payload

COMMANDS = [
    BotCommand("start", "Start, or open a class from a link"),
    BotCommand("help", "What ClassBot can do"),
    BotCommand("classes", "Upcoming classes"),
    BotCommand("mybookings", "Your bookings and links"),
    BotCommand("newclass", "Create a class (teachers)"),
    BotCommand("myclasses", "Your classes: roster, start link, changes"),
    BotCommand("connect", "Connect your Zoom account (teachers)"),
    BotCommand("disconnect", "Disconnect your Zoom account"),
    BotCommand("timezone", "Show or set your timezone"),
    BotCommand("setup", "Set ClassBot up in this group (admins)"),
    BotCommand("cancel", "Leave what you are doing"),
    BotCommand("forgetme", "Delete everything ClassBot keeps about you"),
    BotCommand("stats", "This group's last 30 days (admins)"),
]

HELP = (
    "<b>ClassBot</b> books kids' online classes over Zoom.\n\n"
    "<b>Parents</b>: /classes shows what is coming; tap Book. Your Zoom link comes here, privately. "
    "/mybookings shows your bookings, links and calendar files.\n\n"
    "<b>Teachers</b>: /connect links your Zoom account once. /newclass creates a class step by step, or in one "
    "line: <code>/newclass Title | YYYY-MM-DD HH:MM | MINUTES | SEATS | weekly N</code> (the last part is "
    "optional). /myclasses shows rosters, start links and lets you change or cancel a class.\n\n"
    "<b>Group admins</b>: add me to the group and send /setup there."
)


class Commands(TelegramBase):
    async def start(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await reachable_again(self.core.database, self.core.clock())  # waiting private messages go out now
        payload = context.args[0] if context.args else ""
        if in_group(update):
            await self.say(update, "Hello! Group admins: send /setup to announce classes here. Everyone: /classes.")
            return
        if payload and valid_payload(payload):
            kind, _, value = payload.partition("_")
            if kind in ("c", "b") and value:
                await self.show_class(update, value)
                return
            if payload == "connect":
                await self.connect(update, context)
                return
        await self.reply(update, HELP)

    @answers_refusals
    async def show_class(self, update: Update, class_public_id: str) -> None:
        view = await self.core.classes.view(class_public_id)
        await self.say(update, card_text(view), [_book_button(view)] if view.status == "scheduled" else [])

    async def help(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await self.reply(update, HELP)

    async def cancel(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        chat, person = update.effective_chat, person_of(update)
        assert chat is not None
        left = await self.conversations.clear(str(chat.id), person.user_id)
        await self.say(update, "Done: we left that." if left else "There was nothing to leave.")

    @answers_refusals
    async def connect(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        zoom = self.core.zoom
        if zoom is None:
            await self.say(update, "This ClassBot has no Zoom app configured; ask its operator.")
            return
        if in_group(update):
            await self._privately(update, context, "connect", "Send /connect to me in a private chat.")
            return
        link = await zoom.connect.begin(person_of(update))
        await self.say(
            update,
            f"Connect your Zoom account: the link works once, for {link.expires_minutes} minutes.",
            [Button("Connect Zoom", url=link.url)],
        )

    @answers_refusals
    async def disconnect(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        zoom = self.core.zoom
        if zoom is None or not await zoom.connect.disconnect(person_of(update)):
            await self.say(update, "No Zoom account is connected.")
            return
        await self.say(update, "Your Zoom account is disconnected, and ClassBot's access to it was revoked.")

    @answers_refusals
    async def timezone(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        person = person_of(update)
        if context.args:
            zone = parse_timezone(" ".join(context.args))
            await self.core.classes.set_timezone(person, zone)
            await self.say(update, f"Your timezone is now {zone}. New classes use it.")
            return
        current = await self.core.classes.default_timezone(person)
        await self.say(
            update,
            f"Your timezone is {current or 'not set'}. Change it with /timezone Area/City, "
            "for example /timezone Europe/Madrid.",
        )

    @answers_refusals
    async def setup(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        chat = update.effective_chat
        assert chat is not None
        if not in_group(update):
            await self.say(update, "Send /setup inside the group where classes should be announced.")
            return
        admin = await self.is_admin(update, context)
        await self.core.communities.set_up(person_of(update), community_of(chat), admin_verified=admin)
        await self.say(
            update,
            "ClassBot is set up here: classes published in this group are announced, and /classes lists them. "
            "Who may publish classes here?",
            [
                Button("Any member", action="policy:anyone"),
                Button("Only teachers an admin approves", action="policy:approved"),
            ],
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
            await self.say(update, "Reply /approve to a message of the teacher you approve, in the group.")
            return
        teacher = person_of(Update(0, message=replied))
        await self.core.communities.approve_teacher(
            person_of(update), community_of(chat), teacher, admin_verified=await self.is_admin(update, context)
        )
        await self.say(update, f"{replied.from_user.full_name} may publish classes here now.")

    @answers_refusals
    async def classes(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        chat = update.effective_chat
        assert chat is not None
        if in_group(update):
            views = await self.core.communities.upcoming(community_of(chat))
        else:
            views = await self.core.classes.upcoming_published("telegram")
        if not views:
            await self.say(update, "No upcoming classes yet.")
            return
        for view in views[:10]:
            buttons = [Button(_book_button(view).label, url=self.link(context, f"c_{view.public_id}"))]
            if in_group(update):
                buttons.append(Button("Take down (admins)", action=f"unpub:{view.public_id}"))
            await self.say(update, card_text(view), buttons)

    @answers_refusals
    async def my_classes(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        if in_group(update):
            await self._privately(update, context, "help", "Your classes are shown in our private chat: /myclasses.")
            return
        views = await self.core.classes.for_teacher(person_of(update))
        if not views:
            await self.say(update, "You have no upcoming classes. Create one with /newclass.")
            return
        for view in views[:20]:
            await self.say(update, card_text(view), teacher_buttons(view))

    @answers_refusals
    async def my_bookings(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        if in_group(update):
            await self._privately(update, context, "help", "Your bookings and links are shown privately: /mybookings.")
            return
        bookings = await self.core.bookings.for_parent(person_of(update))
        if not bookings:
            await self.say(update, "You have no upcoming bookings. See /classes.")
            return
        for booking in bookings[:20]:
            text = (
                f"{booking.child_name} in “{booking.class_title}”, {local_time(booking.next_start, booking.timezone)}"
            )
            if booking.status == "pending_approval":
                text += " (waiting for the teacher's approval)"
            buttons = [Button("Cancel this booking", action=f"cb:{booking.public_id}")]
            if booking.status == "confirmed":
                buttons[:0] = [
                    Button("Get my Zoom link", action=f"link:{booking.public_id}"),
                    Button("Add to calendar (.ics)", action=f"ics:{booking.public_id}"),
                ]
            await self.say(update, text, buttons)

    @answers_refusals
    async def stats(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        chat = update.effective_chat
        assert chat is not None
        if not in_group(update):
            await self.say(update, "Send /stats inside the group.")
            return
        admin = await self.is_admin(update, context)
        numbers = await self.reports.community_stats(community_of(chat), admin_verified=admin)
        await self.say(
            update,
            f"Last 30 days here: {numbers.classes} class(es) announced, {numbers.bookings} booking(s), "
            f"{numbers.attended} attended ({numbers.attendance_rate:.0%}).",
        )

    @answers_refusals
    async def forget_me(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        if in_group(update):
            await self.say(update, "Send /forgetme in our private chat.")
            return
        await self.say(
            update,
            "This cancels your bookings and your classes (everyone booked is told), disconnects your Zoom account "
            "and deletes everything ClassBot keeps about you. It cannot be undone.",
            [Button("Yes, forget me", action="forget:yes")],
        )

    async def _privately(self, update: Update, context: ContextTypes.DEFAULT_TYPE, payload: str, text: str) -> None:
        """Answer a group command in the private chat; if Telegram refuses (never opened), say so in the group."""
        user = update.effective_user
        assert user is not None
        try:
            await context.bot.send_message(user.id, html(text), parse_mode="HTML")
        except Forbidden:
            await self.reply(
                update,
                html(f"{user.first_name}, open a private chat with me first, then try again there."),
                [Button("Open the private chat", url=self.link(context, payload))],
            )
            return
        await self.say(update, "I answered you in our private chat.")


def _book_button(view: ClassView) -> Button:
    return Button("Join the waitlist" if view.full else "Book a seat", action=f"book:{view.public_id}")


def teacher_buttons(view: ClassView) -> list[Button]:
    class_id = view.public_id
    return [
        Button("Roster", action=f"roster:{class_id}"),
        Button("Start link", action=f"start:{class_id}"),
        Button("Message the parents", action=f"msg:{class_id}"),
        Button("Reschedule", action=f"move:{class_id}"),
        Button("Cancel the class", action=f"cc:{class_id}"),
    ]
