"""The core's Notifier for Slack: direct messages to people, announcements to channels.

A direct message is ``chat.postMessage`` with the user's id as the channel (Slack opens the app's DM), so links
reach the person alone and stay in their history, unlike ephemeral messages. A channel post never carries a link.
Slack's refusals sort into "never" (``Unretryable``: the user is gone), "not now" (``RecipientUnreachable``: the
bot is not in the channel yet, or the workspace uninstalled it; ``reachable_again`` sends them when invited),
"Slack is away" (``PlatformUnavailable``: no connection, a timeout, a 5xx, Slack's own failures, a rate limit
still in force once the client's retries gave up; the job waits out the outage) and anything else, which the
worker retries a few times. Each delivered DM also refreshes the person's Home tab: every message
the core sends a person is news about their classes or bookings.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

import aiohttp
from slack_sdk.errors import SlackApiError

from bot.core.communities import CommunityRef
from bot.core.messages import Said
from bot.core.notify import RecipientUnreachable
from bot.core.outages import PlatformUnavailable
from bot.core.worker import Unretryable
from bot.handlers.slack.blocks import message_blocks
from bot.handlers.slack.installations import Workspaces
from bot.storage.identity import PersonRef

log = logging.getLogger(__name__)

_GONE = frozenset({"user_not_found", "cannot_dm_bot", "user_disabled", "is_archived", "channel_is_archived"})
_NOT_NOW = frozenset(
    {"not_in_channel", "channel_not_found", "invalid_auth", "account_inactive", "token_revoked", "not_authed"}
)

# Slack's answers (``error``) that say Slack itself is failing or too busy, not that it refuses this message.
_AWAY = frozenset({"ratelimited", "fatal_error", "internal_error", "service_unavailable", "request_timeout"})

AfterPrivate = Callable[[PersonRef], Awaitable[None]]


class SlackNotifier:
    def __init__(self, workspaces: Workspaces) -> None:
        self._workspaces = workspaces
        self._after_private: AfterPrivate | None = None

    def after_private(self, callback: AfterPrivate) -> None:
        """Run ``callback`` (never failing the delivery) after each direct message."""
        self._after_private = callback

    async def send_private(self, recipient: PersonRef, message: Said) -> None:
        text, blocks = message_blocks(message)
        await self._post(recipient.workspace_id, recipient.user_id, text, blocks)
        if self._after_private is not None:
            try:
                await self._after_private(recipient)
            except Exception:  # the message is delivered; a stale Home tab must not make the job send it again
                log.warning("could not refresh a Slack Home tab after a direct message", exc_info=True)

    async def post_to_community(self, community: CommunityRef, message: Said) -> None:
        if any(button.url for button in message.buttons):
            raise ValueError("channel posts never carry links")  # a private link must never reach a channel
        text, blocks = message_blocks(message)
        await self._post(community.workspace_id, community.chat_id, text, blocks)

    async def _post(self, team_id: str, channel: str, text: str, blocks: list[dict[str, object]]) -> None:
        client = await self._workspaces.client_for(team_id)
        try:
            await client.chat_postMessage(channel=channel, text=text, blocks=blocks, unfurl_links=False)
        except (aiohttp.ClientError, TimeoutError, ConnectionError) as failed:
            raise PlatformUnavailable("slack", f"{type(failed).__name__}: {failed}") from failed
        except SlackApiError as refused:
            error = str(refused.response.get("error", ""))
            if error in _AWAY or refused.response.status_code >= 500:
                raise PlatformUnavailable("slack", f"{error or refused.response.status_code}") from refused
            if error in _GONE:
                raise Unretryable(f"Slack will not deliver to {channel}: {error}") from None
            if error in _NOT_NOW:
                raise RecipientUnreachable(f"Slack cannot deliver to {channel} now: {error}") from None
            raise
