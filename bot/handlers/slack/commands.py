"""``/classbot`` and its subcommands: connect, disconnect, new, classes, mine, bookings, setup, stats, forgetme
and help.

A subcommand that only reads the database answers in its acknowledgement (Slack shows it to the person alone);
``forgetme`` answers there too, with the button that confirms it (pressing it is handled in ``actions``).
The others acknowledge at once and then work: ``new`` opens the form while its trigger_id is fresh (3 seconds),
``setup`` and ``stats`` ask Slack whether the person is an admin, ``connect`` and ``disconnect`` talk to Zoom. Anything
unknown gets the help.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from slack_bolt.kwargs_injection.async_args import AsyncArgs
from slack_sdk.errors import SlackApiError

from bot.core.class_input import parse_timezone
from bot.core.errors import CoreError, NotAllowed
from bot.core.reports import Reports
from bot.handlers.slack.account import ZoomAccount
from bot.handlers.slack.base import answers_refusals, channel_of, community, is_workspace_admin, person_of
from bot.handlers.slack.blocks import (
    COMMAND,
    FORGET_ME,
    HELP,
    Block,
    actions,
    button,
    escape,
    parent_booking,
    public_class,
    section,
    teacher_class,
)
from bot.handlers.slack.home import HomeTab
from bot.handlers.slack.modal import new_class_view

if TYPE_CHECKING:
    from bot.app import Components

log = logging.getLogger(__name__)

_MOST_LISTED = 20  # two blocks each, within Slack's 50 per message
_FORGET_WARNING = (
    "This cancels your bookings and your classes (everyone booked is told), disconnects your Zoom account "
    "and deletes everything ClassBot keeps about you. It cannot be undone."
)
_NOT_AN_ADMIN = (
    "Only workspace admins and owners can set ClassBot up in a channel. (Slack does not tell apps who manages a "
    "channel, so a channel manager who is not a workspace admin needs to ask one.)"
)


class Commands(ZoomAccount):
    def __init__(self, components: Components, home: HomeTab) -> None:
        super().__init__(components, home)
        self.reports = Reports(components.database, components.classes, clock=components.clock)

    async def slash(self, args: AsyncArgs) -> None:
        text = str((args.command or {}).get("text") or "").strip()
        word = text.split(maxsplit=1)[0].lower() if text else "help"
        routes: dict[str, Callable[[AsyncArgs], Awaitable[None]]] = {
            "help": self.help,
            "connect": self.connect,
            "disconnect": self.disconnect_command,
            "new": self.new,
            "classes": self.classes,
            "mine": self.mine,
            "bookings": self.bookings,
            "setup": self.setup,
            "stats": self.stats,
            "forgetme": self.forget_me,
        }
        route = routes.get(word)
        if route is None:
            await args.ack(
                text=f"I don't know “{escape(word[:40])}”.",
                blocks=[section(f"I don't know “{escape(word[:40])}”."), section(HELP)],
            )
            return
        await route(args)

    async def help(self, args: AsyncArgs) -> None:
        await args.ack(text="What ClassBot can do", blocks=[section(HELP)])

    async def connect(self, args: AsyncArgs) -> None:
        await args.ack(text="I'm sending you a direct message with the link to connect your Zoom account.")
        if await self.first_time(args):
            await self._connect(args)

    @answers_refusals
    async def _connect(self, args: AsyncArgs) -> None:
        await self.send_connect_link(args)

    async def disconnect_command(self, args: AsyncArgs) -> None:
        await args.ack(text="Disconnecting your Zoom account…")
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
        tomorrow = datetime.now(ZoneInfo(timezone)).date() + timedelta(days=1)
        trigger = str(args.body.get("trigger_id", ""))
        await args.client.views_open(
            trigger_id=trigger, view=new_class_view(timezone=timezone, day=tomorrow, channel_id=channel)
        )

    async def _slack_timezone(self, args: AsyncArgs) -> str:
        """The person's timezone in their Slack profile, else UTC (quickly: the trigger_id is short-lived)."""
        try:
            async with asyncio.timeout(1.0):
                found = await args.client.users_info(user=person_of(args).user_id)
            return parse_timezone(str((found.get("user") or {}).get("tz") or "UTC"))
        except (TimeoutError, SlackApiError, CoreError):
            return "UTC"

    async def classes(self, args: AsyncArgs) -> None:
        channel = channel_of(args)
        if channel:
            views = await self.core.communities.upcoming(community(args, channel))
        elif self.core.settings.slack_client_id is not None:
            # Installed in many workspaces: a list across them would show one community's classes to another.
            await args.ack(text=f"Run `{COMMAND} classes` in a channel to see the classes announced there.")
            return
        else:
            views = await self.core.classes.upcoming_published("slack")
        if not views:
            await args.ack(text="No upcoming classes yet.")
            return
        blocks = [block for view in views[:_MOST_LISTED] for block in public_class(view, in_channel=bool(channel))]
        await args.ack(text="Upcoming classes", blocks=blocks)

    async def mine(self, args: AsyncArgs) -> None:
        views = await self.core.classes.for_teacher(person_of(args))
        if not views:
            await args.ack(text=f"You teach no upcoming class. `{COMMAND} new` creates one.")
            return
        blocks: list[Block] = [block for view in views[:_MOST_LISTED] for block in teacher_class(view)]
        await args.ack(text="Your classes", blocks=blocks)

    async def bookings(self, args: AsyncArgs) -> None:
        found = await self.core.bookings.for_parent(person_of(args))
        if not found:
            await args.ack(text=f"You have no upcoming bookings. `{COMMAND} classes` lists the classes.")
            return
        blocks = [block for booking in found[:_MOST_LISTED] for block in parent_booking(booking)]
        await args.ack(text="Your bookings", blocks=blocks)

    async def stats(self, args: AsyncArgs) -> None:
        channel = channel_of(args)
        if channel is None:
            await args.ack(text=f"Run `{COMMAND} stats` inside a channel where ClassBot is set up.")
            return
        await args.ack()
        if await self.first_time(args):
            await self._stats(args, channel)

    @answers_refusals
    async def _stats(self, args: AsyncArgs, channel: str) -> None:
        admin = await is_workspace_admin(args.client, person_of(args).user_id)
        if not admin:
            await self.answer(args, "Only workspace admins and owners can see a channel's numbers.")
            return
        numbers = await self.reports.community_stats(community(args, channel), admin_verified=admin)
        await self.answer(
            args,
            f"Last 30 days here: {numbers.classes} class(es) announced, {numbers.bookings} booking(s), "
            f"{numbers.attended} attended ({numbers.attendance_rate:.0%}).",
        )

    async def forget_me(self, args: AsyncArgs) -> None:
        """Nothing is deleted yet: the person confirms with the button, which only they see."""
        await args.ack(
            text=_FORGET_WARNING,
            blocks=[section(_FORGET_WARNING), *actions([button("Yes, forget me", FORGET_ME, style="danger")])],
        )

    async def setup(self, args: AsyncArgs) -> None:
        channel = channel_of(args)
        if channel is None:
            await args.ack(text=f"Run `{COMMAND} setup` inside the channel where classes should be announced.")
            return
        await args.ack(text="Setting ClassBot up in this channel…")
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
        text = (
            f"ClassBot is set up in this channel by <@{person.user_id}>: classes published here are announced, "
            f"and `{COMMAND} classes` lists them. Zoom links are only ever sent by direct message."
        )
        try:
            await args.client.chat_postMessage(channel=channel, text=text)
        except SlackApiError as refused:
            if refused.response.get("error") not in ("not_in_channel", "channel_not_found"):
                raise
            await self.answer(
                args, "Set up. Now invite me to this channel (/invite @ClassBot) so that I can announce classes here."
            )
