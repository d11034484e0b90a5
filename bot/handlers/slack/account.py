"""A teacher's Zoom account from Slack: the connect link (by direct message only) and disconnecting.

Both are reached from ``/classbot connect|disconnect`` and from the Home tab's buttons; the listener has already
acknowledged, because disconnecting revokes the grant at Zoom, which may take its time.
"""

from __future__ import annotations

from slack_bolt.kwargs_injection.async_args import AsyncArgs

from bot.core.messages import Message
from bot.core.words import replies
from bot.handlers.slack.base import SlackBase, person_of


class ZoomConnecting(SlackBase):
    async def send_connect_link(self, args: AsyncArgs) -> None:
        connect = self.core.connect
        if connect is None:
            await self.answer(args, replies.NO_ZOOM_APP)
            return
        await self.dm(args, replies.connect_link(await connect.begin(person_of(args))))

    async def disconnect(self, args: AsyncArgs) -> None:
        connect = self.core.connect
        done = connect is not None and await connect.disconnect(person_of(args))
        if done:
            await self.dm(args, Message(replies.disconnected(done)))
        else:
            await self.answer(args, replies.disconnected(done))
        await self.refresh_home(args)
