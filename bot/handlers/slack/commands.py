"""``/classbot`` and its subcommands: connect, disconnect, new, classes, class CODE, mine, bookings, setup,
approve, stats, language, forgetme and help.

A subcommand that only reads the database answers in its acknowledgement (Slack shows it to the person alone);
``forgetme`` answers there too, with the button that confirms it (pressing it is handled in ``actions``).
The others acknowledge at once and then work: ``new`` opens the form while its trigger_id is fresh (3 seconds),
``setup`` and ``stats`` ask Slack whether the person is an admin, ``classes`` which channels the person is in,
``connect`` and ``disconnect`` talk to Zoom. Anything unknown gets the help.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import timedelta
from zoneinfo import ZoneInfo

from slack_bolt.kwargs_injection.async_args import AsyncArgs
from slack_sdk.errors import SlackApiError

from bot.core.actions import Act
from bot.core.class_input import age_asked, parse_one_line, parse_timezone
from bot.core.errors import CoreError, NotAllowed
from bot.core.ids import looks_like_public_id
from bot.core.messages import Message
from bot.core.reports import weeks_in_words
from bot.core.services import Services
from bot.core.words import replies
from bot.core.words.labels import language_buttons, policy_buttons
from bot.handlers.slack.account import ZoomConnecting
from bot.handlers.slack.base import answers_refusals, channel_of, community, is_workspace_admin, person_of
from bot.handlers.slack.blocks import (
    COMMAND,
    MAX_SECTION,
    NO_CLASSES_TAUGHT,
    SETUP_IN_CHANNEL,
    YOUR_BOOKINGS,
    YOUR_CLASSES,
    Block,
    actions,
    drawn,
    escape,
    help_mrkdwn,
    parent_booking,
    public_class,
    section,
    teacher_class,
    text_sections,
)
from bot.handlers.slack.charts import send_chart
from bot.handlers.slack.home import HomeTab
from bot.handlers.slack.modal import approve_teacher_view, new_class_view
from bot.i18n.languages import SUPPORTED
from bot.i18n.texts import Text, joined, tr

log = logging.getLogger(__name__)

_MOST_LISTED = 20  # two blocks each, within Slack's 50 per message
_MOST_TAUGHT_LISTED = 16  # three blocks each
_NOT_AN_ADMIN = tr(
    "Only workspace admins and owners can set ClassBot up in a channel. (Slack does not tell apps who manages a "
    "channel, so a channel manager who is not a workspace admin needs to ask one.)"
)


class Commands(ZoomConnecting):
    def __init__(self, services: Services, home: HomeTab, *, many_workspaces: bool) -> None:
        super().__init__(services, home)
        self.reports = services.reports
        self._many_workspaces = many_workspaces

    async def slash(self, args: AsyncArgs) -> None:
        text = str((args.command or {}).get("text") or "").strip()
        word = text.split(maxsplit=1)[0].lower() if text else "help"
        routes: dict[str, Callable[[AsyncArgs], Awaitable[None]]] = {
            "help": self.help,
            "connect": self.connect,
            "disconnect": self.disconnect_command,
            "new": self.new,
            "classes": self.classes,
            "class": self.one_class,
            "approve": self.approve,
            "mine": self.mine,
            "bookings": self.bookings,
            "setup": self.setup,
            "stats": self.stats,
            "forgetme": self.forget_me,
            "language": self.language,
        }
        route = routes.get(word)
        if route is None:
            t = await self.translator(args)
            unknown = t(tr("I don't know “{word}”.", word=escape(word[:40])))
            await args.ack(text=unknown, blocks=[section(unknown), *text_sections(help_mrkdwn(t))])
            return
        await route(args)

    async def help(self, args: AsyncArgs) -> None:
        t = await self.translator(args)
        await args.ack(text=t(replies.WHAT_CLASSBOT_CAN_DO), blocks=text_sections(help_mrkdwn(t)))

    async def language(self, args: AsyncArgs) -> None:
        """The language in use, with a button per language: the person's own (their choice then wins over Slack's
        locale), or in a channel the channel's, which workspace admins set for what ClassBot posts there."""
        t = await self.translator(args)
        channel = channel_of(args)
        if channel:
            spoken = await self.core.languages.of_community(community(args, channel))
            text = tr(
                "This channel's announcements are in {language}. Workspace admins can choose another language:",
                language=SUPPORTED[spoken],
            )
            menu = Message(text, language_buttons())
        else:
            menu = replies.language_menu(t.code)
        current = t(menu.text)
        await args.ack(text=current, blocks=[section(current), *actions(drawn(menu.buttons, t))])

    async def _ack(self, args: AsyncArgs, text: Text, blocks: list[Block] | None = None) -> None:
        """Acknowledge with ``text`` in the person's language (Slack shows it to them alone)."""
        words = (await self.translator(args))(text)
        if blocks is None:
            await args.ack(text=words)
        else:
            await args.ack(text=words, blocks=blocks)

    async def connect(self, args: AsyncArgs) -> None:
        await self._ack(args, tr("I'm sending you a direct message with the link to connect your Zoom account."))
        if await self.first_time(args):
            await self._connect(args)

    @answers_refusals
    async def _connect(self, args: AsyncArgs) -> None:
        await self.send_connect_link(args)

    async def disconnect_command(self, args: AsyncArgs) -> None:
        await self._ack(args, tr("Disconnecting your Zoom account…"))
        if await self.first_time(args):
            await self._disconnect(args)

    @answers_refusals
    async def _disconnect(self, args: AsyncArgs) -> None:
        await self.disconnect(args)

    async def new(self, args: AsyncArgs) -> None:
        await args.ack()
        await self._open_form(args)

    @answers_refusals
    async def _open_form(self, args: AsyncArgs) -> None:
        person = person_of(args)
        timezone = await self.core.classes.default_timezone(person) or await self._slack_timezone(args)
        channel = channel_of(args)
        if channel and not await self.core.communities.is_set_up(community(args, channel)):
            channel = None  # only offer a channel whose admins set ClassBot up
        # ``new Title | YYYY-MM-DD HH:MM | …``: the one-line form, read by the core, fills the form in; a wrong
        # part is refused here (``answers_refusals`` names it) and no form opens.
        typed = str((args.command or {}).get("text") or "").strip().split(maxsplit=1)[1:]
        draft = parse_one_line(typed[0], timezone) if typed else None
        if draft is not None:
            self.core.classes.check_price(person, draft.price_currency)
        tomorrow = self.core.clock().astimezone(ZoneInfo(timezone)).date() + timedelta(days=1)
        trigger = str(args.body.get("trigger_id", ""))
        t = await self.translator(args)
        form = new_class_view(t, timezone=timezone, day=tomorrow, channel_id=channel, draft=draft)
        await args.client.views_open(trigger_id=trigger, view=form)

    async def _slack_timezone(self, args: AsyncArgs) -> str:
        """The person's timezone in their Slack profile, else UTC (quickly: the trigger_id is short-lived)."""
        try:
            async with asyncio.timeout(1.0):
                found = await args.client.users_info(user=person_of(args).user_id)
            return parse_timezone(str((found.get("user") or {}).get("tz") or "UTC"))
        except (TimeoutError, SlackApiError, CoreError):
            return "UTC"

    async def classes(self, args: AsyncArgs) -> None:
        await args.ack()
        if await self.first_time(args):
            await self._classes(args)

    @answers_refusals
    async def _classes(self, args: AsyncArgs) -> None:
        """Who is in which channel is Slack's to say (``users.conversations``), so the list follows the ack."""
        channel = channel_of(args)
        person = person_of(args)
        age = age_asked(str((args.command or {}).get("text") or "").strip()[len("classes") :])  # classes 8
        if channel:
            title = str((args.command or {}).get("channel_name") or "")
            where = community(args, channel, title)
            views = await self.core.communities.upcoming(person, where, _MOST_LISTED, age=age)
        else:  # the classes of the person's channels (in this workspace), their own and those they booked
            views = await self.core.classes.visible_to(person, _MOST_LISTED, age=age)
        if not views:
            await self.answer(args, replies.NO_UPCOMING_CLASSES if age is None else replies.no_classes_for_age(age))
            return
        t = await self.translator(args)
        in_channel = bool(channel)
        blocks = [block for view in views[:_MOST_LISTED] for block in public_class(view, t, in_channel=in_channel)]
        await args.respond(
            text=t(replies.UPCOMING_CLASSES), blocks=blocks, response_type="ephemeral", replace_original=False
        )

    async def one_class(self, args: AsyncArgs) -> None:
        """``/classbot class CODE``: the class a teacher shared, for someone who may see it (the core decides)."""
        parts = str((args.command or {}).get("text") or "").split()
        if len(parts) != 2 or not looks_like_public_id(parts[1]):
            await self._ack(
                args, tr("Type the class's code after `{command} class`, as its teacher shared it.", command=COMMAND)
            )
            return
        await args.ack()
        if await self.first_time(args):
            await self._one_class(args, parts[1])

    @answers_refusals
    async def _one_class(self, args: AsyncArgs, class_id: str) -> None:
        view = await self.core.classes.view(person_of(args), class_id)  # asks Slack who is in which channel
        t = await self.translator(args)
        blocks = public_class(view, t, in_channel=False)
        await args.respond(
            text=view.title[:MAX_SECTION], blocks=blocks, response_type="ephemeral", replace_original=False
        )

    async def approve(self, args: AsyncArgs) -> None:
        """``/classbot approve`` in a channel opens Slack's people picker; submitting checks the admin."""
        channel = channel_of(args)
        if channel is None:
            await self._ack(
                args, tr("Run `{command} approve` inside the channel the teacher should publish in.", command=COMMAND)
            )
            return
        await args.ack()
        trigger = str(args.body.get("trigger_id", ""))
        await self._open_approval(args, trigger, channel)

    @answers_refusals
    async def _open_approval(self, args: AsyncArgs, trigger: str, channel: str) -> None:
        await args.client.views_open(
            trigger_id=trigger, view=approve_teacher_view(channel, await self.translator(args))
        )

    async def mine(self, args: AsyncArgs) -> None:
        views = await self.core.classes.for_teacher(person_of(args))
        if not views:
            await self._ack(args, NO_CLASSES_TAUGHT)
            return
        t = await self.translator(args)
        blocks: list[Block] = [block for view in views[:_MOST_TAUGHT_LISTED] for block in teacher_class(view, t)]
        await args.ack(text=t(YOUR_CLASSES), blocks=blocks)

    async def bookings(self, args: AsyncArgs) -> None:
        found = await self.core.bookings.for_parent(person_of(args))
        if not found:
            await self._ack(
                args, tr("You have no upcoming bookings. `{command} classes` lists the classes.", command=COMMAND)
            )
            return
        t = await self.translator(args)
        blocks = [block for booking in found[:_MOST_LISTED] for block in parent_booking(booking, t)]
        await args.ack(text=t(YOUR_BOOKINGS), blocks=blocks)

    async def stats(self, args: AsyncArgs) -> None:
        channel = channel_of(args)
        if channel is None:
            await args.ack()
            if await self.first_time(args):
                await self._teacher_stats(args)
            return
        await args.ack()
        if await self.first_time(args):
            await self._stats(args, channel)

    @answers_refusals
    async def _stats(self, args: AsyncArgs, channel: str) -> None:
        admin = await is_workspace_admin(args.client, person_of(args).user_id)
        if not admin:
            await self.answer(args, tr("Only workspace admins and owners can see a channel's numbers."))
            return
        numbers = await self.reports.community_stats(community(args, channel), admin_verified=admin)
        weeks = await self.reports.community_weeks(community(args, channel), admin_verified=admin)
        t = await self.translator(args)
        summary = numbers.summary(t.percent(numbers.attendance_rate))
        await self.answer(args, joined("\n", summary, weeks_in_words(weeks)), translator=t)
        await send_chart(args, weeks, t, tr("The weekly chart of <#{channel}>, for you only.", channel=channel))

    @answers_refusals
    async def _teacher_stats(self, args: AsyncArgs) -> None:
        """Outside a channel: the weeks of the classes the person teaches, and their chart in the DM."""
        weeks = await self.reports.teacher_weeks(person_of(args))
        t = await self.translator(args)
        await self.answer(args, weeks_in_words(weeks), translator=t)
        await send_chart(args, weeks, t, tr("The weekly chart of the classes you teach."))

    async def forget_me(self, args: AsyncArgs) -> None:
        """Nothing is deleted yet: the person confirms with the button, which only they see."""
        t = await self.translator(args)
        forget = replies.forget_me()
        warning, confirm = t(forget.text), drawn(forget.buttons, t, styles={Act.FORGET: "danger"})
        await args.ack(text=warning, blocks=[section(warning), *actions(confirm)])

    async def setup(self, args: AsyncArgs) -> None:
        channel = channel_of(args)
        if channel is None:
            await self._ack(args, SETUP_IN_CHANNEL)
            return
        await self._ack(args, tr("Setting ClassBot up in this channel…"))
        if await self.first_time(args):
            await self._set_up(args, channel)

    @answers_refusals
    async def _set_up(self, args: AsyncArgs, channel: str) -> None:
        person = person_of(args)
        admin = await is_workspace_admin(args.client, person.user_id)
        title = str((args.command or {}).get("channel_name") or "")
        try:
            await self.core.communities.set_up(person, community(args, channel, title), admin_verified=admin)
        except NotAllowed:
            await self.answer(args, _NOT_AN_ADMIN)
            return
        # Posted in the channel for everyone: in the channel's language (English until an admin picks one).
        language = await self.core.languages.of_community(community(args, channel, title))
        text = self.core.catalogs.translator(language)(
            tr(
                "ClassBot is set up in this channel by <@{user}>: classes published here are announced, "
                "and `{command} classes` lists them. Zoom links are only ever sent by direct message.",
                user=person.user_id,
                command=COMMAND,
            )
        )
        try:
            await args.client.chat_postMessage(channel=channel, text=text)
        except SlackApiError as refused:
            if refused.response.get("error") not in ("not_in_channel", "channel_not_found"):
                raise
            await self.answer(
                args,
                tr("Set up. Now invite me to this channel (/invite @ClassBot) so that I can announce classes here."),
            )
        t = await self.translator(args)
        question = t(tr("Who may publish classes in this channel?"))
        choices = actions(drawn(policy_buttons(), t))
        await args.respond(
            text=question, blocks=[section(question), *choices], response_type="ephemeral", replace_original=False
        )
