"""A platform's membership lists for tests of the core: who is in which community, as the platform would say."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from bot.core.communities import CommunityRef
from bot.storage.identity import PersonRef


@dataclass
class Directory:
    """Answers ``MembershipSource.memberships`` from its lists, and counts the questions asked."""

    members: dict[tuple[str, str, str], set[str]] = field(default_factory=dict)  # community -> user ids
    questions: int = 0
    down: bool = False  # the platform does not answer

    def join(self, community: CommunityRef, *people: PersonRef) -> None:
        self.members.setdefault(_key(community), set()).update(person.user_id for person in people)

    def leave(self, community: CommunityRef, person: PersonRef) -> None:
        self.members.get(_key(community), set()).discard(person.user_id)

    async def memberships(self, person: PersonRef, communities: Sequence[CommunityRef]) -> dict[str, bool]:
        self.questions += 1
        if self.down:
            raise ConnectionError("the platform does not answer")
        return {c.chat_id: person.user_id in self.members.get(_key(c), set()) for c in communities}


def _key(community: CommunityRef) -> tuple[str, str, str]:
    return (community.platform, community.workspace_id, community.chat_id)
