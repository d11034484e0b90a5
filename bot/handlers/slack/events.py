"""Events the app subscribes to: a person opening the Home tab, and the bot joining a channel.

Bolt acknowledges events before the listener runs. Slack retries an event it believes was lost (same
``event_id``), so each listener first makes sure this is the event's first delivery.
"""

from __future__ import annotations

import logging

from slack_bolt.kwargs_injection.async_args import AsyncArgs
from slack_sdk.errors import SlackApiError

from bot.handlers.slack.base import SlackBase, community, person_of
from bot.handlers.slack.blocks import COMMAND
from bot.i18n.texts import tr

log = logging.getLogger(__name__)


class Events(SlackBase):
    async def home_opened(self, args: AsyncArgs) -> None:
        if (args.event or {}).get("tab") != "home" or not await self.first_time(args):
            return
        # Drawn for the age the person chose last (the core keeps it): opened again, the list stays as it was.
        await self.home.refresh_quietly(person_of(args))

    async def member_joined(self, args: AsyncArgs) -> None:
        event = args.event or {}
        if event.get("user") != args.context.bot_user_id or not await self.first_time(args):
            return  # somebody else joined: nothing for ClassBot to say
        await self.core.resend_waiting()  # announcements that waited for the invite
        channel = str(event.get("channel") or "")
        language = await self.core.languages.of_community(community(args, channel))
        greeting = self.core.catalogs.translator(language)(_GREETING)
        try:
            await args.client.chat_postMessage(channel=channel, text=greeting)
        except SlackApiError as refused:
            log.warning("could not greet a channel: %s", refused.response.get("error"))


_GREETING = tr(
    "Hello! I'm ClassBot: I announce kids' classes here, and parents book them with a button. "
    "A workspace admin runs `{command} setup` in this channel to start; `{command} help` says more.",
    command=COMMAND,
)
