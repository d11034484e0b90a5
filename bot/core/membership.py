"""Who is in a community, as its platform says now: the port each front end fills, and a brief cache before it.

Membership is never taken from a request: a button's payload, a deep link or a form names a class, not the
groups its presser is in. The platform is asked instead (Telegram: ``getChatMember``; Slack:
``users.conversations``), through a ``MembershipSource`` the front end of that platform provides.

Answers are kept briefly (``ttl``) in this process, so a list and the booking that follows it cost one question,
not one per screen. A kept "yes" is trusted until it expires: someone removed from a group keeps seeing its
classes for at most that long. A kept "no" is trusted only for lists: when a person opens or books one class
and the kept answer would refuse them, that is a doubt, and the platform is asked again (they may have just
joined). Nothing is written to the database: a refusal changes nothing.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Protocol

from bot.storage.identity import PersonRef
from bot.support.clock import Clock

if TYPE_CHECKING:  # communities' service asks memberships, so the names only are imported here
    from bot.core.communities import CommunityRef

log = logging.getLogger(__name__)

DEFAULT_TTL = timedelta(minutes=5)
_MOST_KEPT = 20_000  # answers kept at once; the oldest go first


class MembershipSource(Protocol):
    """A platform's word on membership (one per platform, given by its front end)."""

    async def memberships(self, person: PersonRef, communities: Sequence[CommunityRef]) -> dict[str, bool]:
        """For each of ``communities`` (all on the person's platform and workspace) the platform could answer
        for now, by ``chat_id``: whether the person is a member. A community it could not answer for (the
        platform did not reply, or refused for a while) is left out; a definite "no" (never joined, left,
        removed, or the bot is no longer there to ask) is ``False``."""
        ...


@dataclass(frozen=True, slots=True)
class Membership:
    """What the platform said about some communities: the ones the person is in, and those it gave no answer
    for."""

    member_of: tuple[CommunityRef, ...]
    unanswered: tuple[CommunityRef, ...]


class Memberships:
    """The platforms' answers, kept briefly (see the module docstring)."""

    def __init__(self, sources: Mapping[str, MembershipSource], *, clock: Clock, ttl: timedelta = DEFAULT_TTL) -> None:
        self._sources = dict(sources)
        self._clock = clock
        self._ttl = ttl
        self._kept: OrderedDict[tuple[str, str, str, str], tuple[bool, datetime]] = OrderedDict()

    async def of(self, person: PersonRef, communities: Sequence[CommunityRef], *, doubt_no: bool) -> Membership:
        """Which of ``communities`` the person is in. Only those of the person's own platform and workspace can
        be; ``doubt_no`` asks the platform again about any kept "no" (see the module docstring)."""
        own = [c for c in communities if c.platform == person.platform and c.workspace_id == person.workspace_id]
        now = self._clock()
        known: dict[str, bool] = {}
        to_ask: list[CommunityRef] = []
        for community in own:
            kept = self._kept.get(self._key(person, community))
            if kept is not None and now - kept[1] < self._ttl and (kept[0] or not doubt_no):
                known[community.chat_id] = kept[0]
            else:
                to_ask.append(community)
        if to_ask:
            answered = await self._ask(person, to_ask)
            for community in to_ask:
                if community.chat_id in answered:
                    self._keep(person, community, answered[community.chat_id], now)
            known |= answered
        return Membership(
            tuple(c for c in own if known.get(c.chat_id)),
            tuple(c for c in own if c.chat_id not in known),
        )

    async def _ask(self, person: PersonRef, communities: list[CommunityRef]) -> dict[str, bool]:
        source = self._sources.get(person.platform)
        if source is None:  # that platform's front end is not running here: nobody can vouch for anyone
            return {community.chat_id: False for community in communities}
        try:
            return await source.memberships(person, communities)
        except Exception:  # a source that fails outright answers nothing; its caller says "try again"
            log.warning("could not ask %s about memberships", person.platform, exc_info=True)
            return {}

    def _keep(self, person: PersonRef, community: CommunityRef, member: bool, now: datetime) -> None:
        key = self._key(person, community)
        self._kept[key] = (member, now)
        self._kept.move_to_end(key)
        while len(self._kept) > _MOST_KEPT:
            self._kept.popitem(last=False)

    @staticmethod
    def _key(person: PersonRef, community: CommunityRef) -> tuple[str, str, str, str]:
        return (community.platform, community.workspace_id, community.chat_id, person.user_id)
