"""A teacher's Zoom account from Slack: the connect link (by direct message only) and disconnecting.

Both are reached from ``/classbot connect|disconnect`` and from the Home tab's buttons; the listener has already
acknowledged, because disconnecting revokes the grant at Zoom, which may take its time.
"""

from __future__ import annotations

from slack_bolt.kwargs_injection.async_args import AsyncArgs

from bot.core.messages import Button
from bot.handlers.slack.base import SlackBase, person_of
from bot.i18n.texts import ntr, tr


class ZoomConnecting(SlackBase):
    async def send_connect_link(self, args: AsyncArgs) -> None:
        connect = self.core.connect
        if connect is None:
            await self.answer(args, tr("This ClassBot has no Zoom app configured; ask its operator."))
            return
        link = await connect.begin(person_of(args))
        await self.dm(
            args,
            ntr(
                "Connect your Zoom account: the link works once, for {n} minute.",
                "Connect your Zoom account: the link works once, for {n} minutes.",
                link.expires_minutes,
            ),
            [Button(tr("Connect Zoom"), url=link.url)],
        )

    async def disconnect(self, args: AsyncArgs) -> None:
        connect = self.core.connect
        if connect is None or not await connect.disconnect(person_of(args)):
            await self.answer(args, tr("No Zoom account is connected."))
        else:
            await self.dm(args, tr("Your Zoom account is disconnected, and ClassBot's access to it was revoked."))
        await self.refresh_home(args)
