"""Button presses, in channel announcements, lists, direct messages, the Home tab and the roster.

A button's ``action_id`` is ``kind:opaque-id``; nothing in it is trusted. Each press is acknowledged at once,
then handed to a core use case that checks the presser against the class or booking (only its teacher, only its
parent, only a workspace admin). Book opens the "who is the seat for?" form straight away, while the press's
trigger_id is fresh. Start and join links go to the presser by direct message, wherever they pressed.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from slack_bolt.kwargs_injection.async_args import AsyncArgs

from bot.core.delivery import start_link_text
from bot.core.errors import Conflict, NotAllowed
from bot.core.ids import looks_like_public_id
from bot.core.messages import Button
from bot.core.texts import ntr, tr
from bot.handlers.slack.account import ZoomAccount
from bot.handlers.slack.base import answers_refusals, channel_of, community, is_workspace_admin, person_of
from bot.handlers.slack.blocks import COMMAND, FORGET_ME, Block, actions, button, card, escape, section
from bot.handlers.slack.modal import booking_view, message_parents_view
from bot.i18n.languages import SUPPORTED

log = logging.getLogger(__name__)

Route = Callable[[AsyncArgs, str], Awaitable[None]]
# Buttons that name no class or booking: they act on the presser alone (or, for a language, on their channel).
_PERSONAL_KINDS = frozenset({"connect", "disconnect", "forget", "lang"})


class Actions(ZoomAccount):
    async def press(self, args: AsyncArgs) -> None:
        action_id = str((args.action or {}).get("action_id") or "")
        kind, _, value = action_id.partition(":")
        route = self._routes().get(kind)
        await args.ack()
        if route is None:
            return  # a link button (Slack reports its clicks too) or something retired: nothing to do
        if not await self.first_time(args):
            return
        await self._run(args, route, kind, value)

    @answers_refusals
    async def _run(self, args: AsyncArgs, route: Route, kind: str, value: str) -> None:
        if kind not in _PERSONAL_KINDS and not looks_like_public_id(value):
            raise NotAllowed(tr("This button is no longer valid."))
        await route(args, value)

    def _routes(self) -> dict[str, Route]:
        return {
            "book": self._book,
            "roster": self._roster,
            "start": self._start_link,
            "cc": self._cancel_class,
            "msg": self._message_parents,
            "cb": self._cancel_booking,
            "link": self._join_link,
            "ics": self._calendar_link,
            "approve": self._approve,
            "decline": self._decline,
            "unpub": self._unpublish,
            "connect": self._connect,
            "disconnect": self._disconnect,
            "forget": self._forget,
            "lang": self._language,
        }

    # --- parents -----------------------------------------------------------------------------------------------

    async def _book(self, args: AsyncArgs, class_id: str) -> None:
        view = await self.core.classes.view(person_of(args), class_id)
        if view.status != "scheduled":
            raise Conflict(tr("“{title}” was cancelled, so it cannot be booked.", title=view.title))
        remembered = await self.core.bookings.remembered_children(person_of(args))
        await self._open(args, booking_view(view, remembered, await self.translator(args)))

    async def _cancel_booking(self, args: AsyncArgs, booking_id: str) -> None:
        booking = await self.core.bookings.cancel(person_of(args), booking_id)
        await self.answer(
            args,
            tr(
                "Cancelled: {child} in “{title}”. The seat is free again.",
                child=booking.child_name,
                title=booking.class_title,
            ),
        )
        await self.refresh_home(args)

    async def _join_link(self, args: AsyncArgs, booking_id: str) -> None:
        url = await self.core.bookings.join_link(person_of(args), booking_id)
        await self.dm(
            args, tr("Your Zoom link (it is yours: please don't share it)."), [Button(tr("Join on Zoom"), url=url)]
        )

    async def _calendar_link(self, args: AsyncArgs, booking_id: str) -> None:
        """Slack gives a bot no way to attach the .ics to a message: a short-lived link to it comes instead."""
        language = (await self.translator(args)).code
        url = await self.core.calendar_links.issue(person_of(args), booking_id, language)
        await self.dm(
            args,
            tr(
                "Your booking's calendar file. It holds your Zoom link when the class has one, so please don't "
                "share it. The link works for an hour."
            ),
            [Button(tr("Download the calendar (.ics)"), url=url)],
        )

    # --- teachers ----------------------------------------------------------------------------------------------

    async def _roster(self, args: AsyncArgs, class_id: str) -> None:
        roster = await self.core.classes.roster(person_of(args), class_id)
        t = await self.translator(args)
        blocks: list[Block] = [section(card(roster.cls, t))]
        for line in roster.lines:
            text = tr("• *{child}* (parent: {parent})", child=escape(line.child_name), parent=escape(line.parent_name))
            if line.status == "pending_approval":
                text = tr("{entry} _(waiting for your approval)_", entry=text)
            if line.sessions_attended:
                text = ntr(
                    "{entry}, attended {n} session",
                    "{entry}, attended {n} sessions",
                    line.sessions_attended,
                    entry=text,
                )
            blocks.append(section(t(text)))
            if line.status == "pending_approval":
                approve = t(tr("Approve {child}", child=line.child_name))
                decline = t(tr("Decline {child}", child=line.child_name))
                blocks += actions(
                    [
                        button(approve, f"approve:{line.booking_public_id}", style="primary"),
                        button(decline, f"decline:{line.booking_public_id}"),
                    ]
                )
        if not roster.lines:
            blocks.append(section(t(tr("No bookings yet."))))
        if roster.waiting:
            blocks.append(section(t(tr("Waitlist: {children}", children=escape(", ".join(roster.waiting))))))
        await self._open(args, {"type": "modal", "title": _title(t(tr("Roster"))), "blocks": blocks[:100]})

    async def _start_link(self, args: AsyncArgs, class_id: str) -> None:
        url = await self.core.classes.start_link(person_of(args), class_id)
        view = await self.core.classes.view(person_of(args), class_id)
        await self.dm(
            args,
            start_link_text(view),
            [Button(tr("Start on Zoom"), url=url)],
        )

    async def _message_parents(self, args: AsyncArgs, class_id: str) -> None:
        """The form opens for the class's teacher only; sending checks again (see ``Submissions``)."""
        roster = await self.core.classes.roster(person_of(args), class_id)  # the teacher's, or refused
        await self._open(args, message_parents_view(roster.cls, await self.translator(args)))

    async def _cancel_class(self, args: AsyncArgs, class_id: str) -> None:
        view = await self.core.classes.cancel(person_of(args), class_id)
        await self.answer(args, tr("“{title}” is cancelled; the parents were told.", title=view.title))
        await self.refresh_home(args)

    async def _approve(self, args: AsyncArgs, booking_id: str) -> None:
        booking = await self.core.bookings.decide(person_of(args), booking_id, approve=True)
        await self.answer(
            args, tr("Approved: {child} is in “{title}”.", child=booking.child_name, title=booking.class_title)
        )
        await self.refresh_home(args)

    async def _decline(self, args: AsyncArgs, booking_id: str) -> None:
        booking = await self.core.bookings.decide(person_of(args), booking_id, approve=False)
        await self.answer(args, tr("Declined: {child}; the parent was told.", child=booking.child_name))
        await self.refresh_home(args)

    # --- admins, the Home tab's Zoom buttons, forgetting ---------------------------------------------------------

    async def _unpublish(self, args: AsyncArgs, class_id: str) -> None:
        channel = channel_of(args)
        if channel is None:
            raise NotAllowed(tr("Classes are taken down from inside their channel."))
        person = person_of(args)
        admin = await is_workspace_admin(args.client, person.user_id)
        taken = await self.core.communities.unpublish(person, class_id, community(args, channel), admin_verified=admin)
        await self.answer(
            args, tr("Taken down: it is no longer listed here.") if taken else tr("It was not listed here.")
        )

    async def _language(self, args: AsyncArgs, code: str) -> None:
        """A language button: in a channel the channel's (workspace admins only), elsewhere the presser's own."""
        channel = channel_of(args)
        if channel:
            admin = await is_workspace_admin(args.client, person_of(args).user_id)
            chosen = await self.core.languages.choose_for_community(
                community(args, channel), code, admin_verified=admin
            )
            done = tr("Done: this channel's announcements are in {language} now.", language=SUPPORTED[chosen])
            await self.answer(args, done)
            return
        chosen = await self.core.languages.choose(person_of(args), code)
        await self.answer(args, tr("Done: I speak {language} with you now.", language=SUPPORTED[chosen]))
        await self.refresh_home(args)

    async def _connect(self, args: AsyncArgs, _value: str) -> None:
        await self.send_connect_link(args)

    async def _disconnect(self, args: AsyncArgs, _value: str) -> None:
        await self.disconnect(args)

    async def _forget(self, args: AsyncArgs, answer: str) -> None:
        """The confirmation of ``/classbot forgetme``: the presser, and only them, is forgotten."""
        if f"forget:{answer}" != FORGET_ME:
            raise NotAllowed(tr("This button is no longer valid: run `{command} forgetme` again.", command=COMMAND))
        t = await self.translator(args)  # asked before the person, and their language, are deleted
        forgotten = await self.core.privacy.forget(person_of(args))
        await self.answer(args, forgotten.summary(), translator=t)
        await self.refresh_home(args)

    async def _open(self, args: AsyncArgs, view: dict[str, object]) -> None:
        """Open ``view`` as a modal (stacked when the press came from one)."""
        trigger = str(args.body.get("trigger_id", ""))
        container = args.body.get("container") or {}
        if container.get("type") == "view" and (args.body.get("view") or {}).get("type") == "modal":
            await args.client.views_push(trigger_id=trigger, view=view)
        else:
            await args.client.views_open(trigger_id=trigger, view=view)


def _title(text: str) -> dict[str, str]:
    return {"type": "plain_text", "text": text}
