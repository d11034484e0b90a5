"""Telegram's word on who is in a group (``getChatMember``), for the core's audience rule (``bot.core.membership``).

Telegram answers with the person's status there now: an owner, an administrator or a member is in; someone who
left or was banned is not; a restricted person is in if Telegram says ``is_member``. A group that no longer
lets the bot ask (it was removed, or the group is gone) is a "no": nobody can be shown its classes on its word.
A request that failed on the way (a timeout, a flood wait) answers nothing, and the person is asked to try again.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING

from telegram import Bot, ChatMember, ChatMemberRestricted
from telegram.error import BadRequest, Forbidden, TelegramError

from bot.storage.identity import PersonRef

if TYPE_CHECKING:
    from bot.core.communities import CommunityRef

log = logging.getLogger(__name__)

_IN = frozenset({ChatMember.OWNER, ChatMember.ADMINISTRATOR, ChatMember.MEMBER})
_ASKED_AT_ONCE = 8  # getChatMember requests in flight for one list of classes


class TelegramMembers:
    def __init__(self, bot: Bot) -> None:
        self._bot = bot

    async def memberships(self, person: PersonRef, communities: Sequence[CommunityRef]) -> dict[str, bool]:
        at_once = asyncio.Semaphore(_ASKED_AT_ONCE)

        async def ask(community: CommunityRef) -> tuple[str, bool | None]:
            async with at_once:
                return community.chat_id, await self._is_member(community.chat_id, person.user_id)

        answers = await asyncio.gather(*(ask(community) for community in communities))
        return {chat_id: member for chat_id, member in answers if member is not None}

    async def _is_member(self, chat_id: str, user_id: str) -> bool | None:
        try:
            member = await self._bot.get_chat_member(int(chat_id), int(user_id))
        except (Forbidden, BadRequest) as refused:  # the bot is not there to ask, or the group is gone
            log.info("Telegram would not say who is in a group: %s", refused.message)
            return False
        except TelegramError as failed:  # timed out, flood wait, network: no answer this time
            log.warning("Telegram did not answer getChatMember: %s", type(failed).__name__)
            return None
        if isinstance(member, ChatMemberRestricted):
            return member.is_member
        return member.status in _IN
