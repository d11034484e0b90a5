"""Slack's word on who is in a channel (``users.conversations``), for the core's audience rule
(``bot.core.membership``).

One call (paged) lists the channels, public and private, the person is in; among the private ones Slack shows
only those the bot is in too, which every channel the bot announces classes in is. Archived channels do not
count. Reading them needs the ``channels:read`` and ``groups:read`` scopes the app asks for at install; a
workspace installed without them answers ``missing_scope``, which is logged with what to do, and nobody is taken
for a member. A call that failed on the way answers nothing, and the person is asked to try again.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING

from slack_sdk.errors import SlackApiError

from bot.handlers.slack.installations import NotInstalled, Workspaces
from bot.storage.identity import PersonRef

if TYPE_CHECKING:
    from bot.core.communities import CommunityRef

log = logging.getLogger(__name__)

_MOST_PAGES = 20  # of a thousand channels each: past that, the person's other channels are not looked at


class SlackMembers:
    def __init__(self, workspaces: Workspaces) -> None:
        self._workspaces = workspaces

    async def memberships(self, person: PersonRef, communities: Sequence[CommunityRef]) -> dict[str, bool]:
        """Anything else that fails (Slack down, a network error past slack-sdk's retries) propagates: the core
        takes it as no answer."""
        try:
            channels = await self._channels_of(person)
        except NotInstalled:  # the workspace removed the app: no channel of it shows classes any more
            channels = set()
        except SlackApiError as refused:
            if refused.response.get("error") != "missing_scope":
                raise
            log.error(
                "Slack refused to list a person's channels (missing scope %s): reinstall the app with the scopes "
                "of slack-manifest.yaml",
                refused.response.get("needed"),
            )
            channels = set()
        return {community.chat_id: community.chat_id in channels for community in communities}

    async def _channels_of(self, person: PersonRef) -> set[str]:
        client = await self._workspaces.client_for(person.workspace_id)
        channels: set[str] = set()
        cursor: str | None = None
        for _ in range(_MOST_PAGES):
            page = await client.users_conversations(
                user=person.user_id,
                types="public_channel,private_channel",
                exclude_archived=True,
                limit=1000,
                cursor=cursor,
            )
            channels.update(str(channel["id"]) for channel in page.get("channels") or [])
            cursor = (page.get("response_metadata") or {}).get("next_cursor") or None
            if cursor is None:
                break
        return channels
