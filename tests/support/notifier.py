"""A front end for tests: records every private message the core delivers, per recipient."""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.core.communities import CommunityRef
from bot.core.messages import Said
from bot.core.outages import PlatformUnavailable
from bot.storage.identity import PersonRef


@dataclass
class RecordingNotifier:
    sent: list[tuple[PersonRef, Said]] = field(default_factory=list)
    posted: list[tuple[CommunityRef, Said]] = field(default_factory=list)
    # The platform is away: every private message fails, as Telegram's 502s reach the core from its notifier.
    down: bool = False
    platform: str = "telegram"

    async def post_to_community(self, community: CommunityRef, message: Said) -> None:
        self.posted.append((community, message))

    async def send_private(self, recipient: PersonRef, message: Said) -> None:
        if self.down:
            raise PlatformUnavailable(self.platform, "NetworkError: Bad Gateway")
        self.sent.append((recipient, message))

    def texts_for(self, user_id: str) -> list[str]:
        return [message.text for recipient, message in self.sent if recipient.user_id == user_id]
