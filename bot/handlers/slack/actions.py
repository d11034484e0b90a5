"""Button presses, in channel announcements, lists, direct messages, the Home tab and the roster.

A button's ``action_id`` is an ``Action`` (``bot.core.actions``) on the wire; nothing in it is trusted. Each
press is acknowledged at once, then handed to a core use case that checks the presser against the class or
booking (only its teacher, only its parent, only a workspace admin). Book opens the "who is the seat for?" form
straight away, while the press's trigger_id is fresh (Slack honours it for 3 s); in a busy moment, when the form is
not ready within ``OPEN_WITHIN`` of the press, an hourglass opens in its place at once and becomes the form when it
is ready, so no press is lost to an expired trigger. Start and join links go to the presser by direct message,
wherever they pressed.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from slack_bolt.kwargs_injection.async_args import AsyncArgs

from bot.core.actions import FORGET_ME, Act, Action
from bot.core.errors import Conflict, CoreError, NotAllowed
from bot.core.messages import Button, Message
from bot.core.words import replies
from bot.core.words.labels import ROSTER, ROSTER_AS_CSV
from bot.core.words.refusals import BUTTON_GONE, cancelled_so_not_bookable
from bot.core.words.roster import roster_words
from bot.handlers.slack.account import ZoomConnecting
from bot.handlers.slack.base import answers_refusals, channel_of, community, is_workspace_admin, person_of
from bot.handlers.slack.blocks import (
    APPROVED_ONLY,
    COMMAND,
    SETUP_IN_CHANNEL,
    Block,
    actions,
    button,
    card,
    drawn,
    escape,
    section,
    share_command,
)
from bot.handlers.slack.home import AGES
from bot.handlers.slack.modal import booking_view, edit_view, message_parents_view, reschedule_view
from bot.i18n.languages import SUPPORTED
from bot.i18n.texts import Text, tr

log = logging.getLogger(__name__)

Route = Callable[[AsyncArgs, str], Awaitable[None]]

OPEN_WITHIN = 1.5  # seconds after the press: then the hourglass opens while the form is made (see the docstring)
_PRESSED_AT = "classbot_pressed_at"  # the press's arrival, in the request's context
# Opened when the form is late; it says nothing in words, so it needs no language (asking for one takes time).
_HOURGLASS: dict[str, Any] = {
    "type": "modal",
    "title": {"type": "plain_text", "text": "ClassBot"},
    "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": ":hourglass_flowing_sand:"}}],
}


class _RosterMarks:
    """A roster line's start in mrkdwn, the child in bold (the whole line is escaped once it is in words)."""

    def entry(self, child: str, parent: str) -> Text:
        return tr("• *{child}* (parent: {parent})", child=child, parent=parent)

    def waiting(self, entry: Text) -> Text:
        return tr("{entry} _(waiting for your approval)_", entry=entry)


_ROSTER_MARKS = _RosterMarks()


class Actions(ZoomConnecting):
    async def press(self, args: AsyncArgs) -> None:
        pressed = args.action or {}
        # A menu's choice is the action its option carries; a button's is its own.
        action = Action.parse(
            str((pressed.get("selected_option") or {}).get("value") or pressed.get("action_id") or "")
        )
        route = self._routes().get(action.act) if action is not None else None
        args.context[_PRESSED_AT] = asyncio.get_running_loop().time()
        await args.ack()
        if action is None or route is None:
            return  # a link button (Slack reports its clicks too) or something retired: nothing to do
        await self._run(args, route, action)

    @answers_refusals
    async def _run(self, args: AsyncArgs, route: Route, action: Action) -> None:
        if not await self.first_time(args):
            return
        if not action.well_formed:
            raise NotAllowed(BUTTON_GONE)
        await route(args, action.value)

    def _routes(self) -> dict[Act, Route]:
        return {
            Act.BOOK: self._book,
            Act.ROSTER: self._roster,
            Act.START_LINK: self._start_link,
            Act.MEETING_NOW: self._meeting_now,
            Act.ADD_ZOOM: self._add_zoom,
            Act.CANCEL_CLASS: self._cancel_class,
            Act.MESSAGE_PARENTS: self._message_parents,
            Act.CANCEL_BOOKING: self._cancel_booking,
            Act.JOIN_LINK: self._join_link,
            Act.PAY: self._pay,
            Act.CALENDAR: self._calendar_link,
            Act.APPROVE: self._approve,
            Act.DECLINE: self._decline,
            Act.UNPUBLISH: self._unpublish,
            Act.CONNECT_ZOOM: self._connect,
            Act.DISCONNECT_ZOOM: self._disconnect,
            Act.FORGET: self._forget,
            Act.LANGUAGE: self._language,
            Act.HAND_ZOOM_OVER: self._hand_zoom_over,
            Act.KEEP_ZOOM: self._keep_zoom,
            Act.SHARE_ZOOM: self._share_zoom,
            Act.RESCHEDULE: self._reschedule,
            Act.EDIT: self._edit,
            Act.ROSTER_CSV: self._roster_csv,
            Act.OPEN_TO_LINK: self._open_to_link,
            Act.KEEP_TO_GROUPS: self._keep_to_groups,
            Act.POLICY: self._policy,
            Act.AGE_FILTER: self._age_filter,
        }

    # --- parents -----------------------------------------------------------------------------------------------

    async def _age_filter(self, args: AsyncArgs, choice: str) -> None:
        """The Home tab's classes to book, for a child of the age chosen (as ``classes 8``), or of any age."""
        age = int(choice) if choice.isdigit() and int(choice) in AGES else None
        if age is None and choice != "any":
            raise NotAllowed(BUTTON_GONE)
        await self.home.choose_age(person_of(args), age)

    async def _book(self, args: AsyncArgs, class_id: str) -> None:
        await self._open_in_time(args, self._booking_form(args, class_id))

    async def _booking_form(self, args: AsyncArgs, class_id: str) -> dict[str, Any]:
        view = await self.core.classes.view(person_of(args), class_id)
        if view.status != "scheduled":
            raise Conflict(cancelled_so_not_bookable(view.title))
        remembered = await self.core.bookings.remembered_children(person_of(args))
        return booking_view(view, remembered, await self.translator(args))

    async def _cancel_booking(self, args: AsyncArgs, booking_id: str) -> None:
        booking = await self.core.bookings.cancel(person_of(args), booking_id)
        await self.answer(args, replies.booking_cancelled(booking))
        await self.refresh_home(args)

    async def _join_link(self, args: AsyncArgs, booking_id: str) -> None:
        url = await self.core.bookings.join_link(person_of(args), booking_id)
        await self.dm(args, replies.join_link(url))

    async def _pay(self, args: AsyncArgs, booking_id: str) -> None:
        await self.send_checkout(args, booking_id)

    async def _calendar_link(self, args: AsyncArgs, booking_id: str) -> None:
        """Slack gives a bot no way to attach the .ics to a message: a short-lived link to it comes instead."""
        language = (await self.translator(args)).code
        url = await self.core.calendar_links.issue(person_of(args), booking_id, language)
        text = tr(
            "Your booking's calendar file. It holds your Zoom link when the class has one, so please don't "
            "share it. The link works for an hour."
        )
        await self.dm(args, Message(text, (Button(tr("Download the calendar (.ics)"), url=url),)))

    # --- teachers ----------------------------------------------------------------------------------------------

    async def _roster(self, args: AsyncArgs, class_id: str) -> None:
        roster = roster_words(await self.core.classes.roster(person_of(args), class_id), _ROSTER_MARKS)
        t = await self.translator(args)
        # The words hold none of Slack's control characters, so escaping them whole escapes only the names.
        blocks: list[Block] = [section(card(roster.cls, t))]
        for entry in roster.entries:
            blocks.append(section(escape(t(entry.text))))
            blocks += actions(drawn(entry.buttons, t, styles={Act.APPROVE: "primary"}))
        blocks += [section(escape(t(note))) for note in roster.notes]
        blocks += actions([button(t(ROSTER_AS_CSV), Act.ROSTER_CSV.on(roster.cls.public_id))])
        await self._open(args, {"type": "modal", "title": _title(t(ROSTER)), "blocks": blocks[:100]})

    async def _start_link(self, args: AsyncArgs, class_id: str) -> None:
        url = await self.core.classes.start_link(person_of(args), class_id)
        view = await self.core.classes.view(person_of(args), class_id)
        await self.dm(args, replies.start_link(view, url))

    async def _meeting_now(self, args: AsyncArgs, class_id: str) -> None:
        """The class's Zoom meeting made now; its start link comes by direct message, never in a channel."""
        view, url = await self.core.classes.meeting_now(person_of(args), class_id)
        await self.dm(args, replies.start_link(view, url))
        await self.refresh_home(args)

    async def _add_zoom(self, args: AsyncArgs, class_id: str) -> None:
        view = await self.core.classes.add_zoom(person_of(args), class_id)
        await self.answer(args, replies.zoom_added(view))
        await self.refresh_home(args)

    async def _message_parents(self, args: AsyncArgs, class_id: str) -> None:
        """The form opens for the class's teacher only; sending checks again (see ``Submissions``)."""
        roster = await self.core.classes.roster(person_of(args), class_id)  # the teacher's, or refused
        await self._open(args, message_parents_view(roster.cls, await self.translator(args)))

    async def _reschedule(self, args: AsyncArgs, class_id: str) -> None:
        """The form opens for the class's teacher only; moving checks again (see ``Submissions``)."""
        roster = await self.core.classes.roster(person_of(args), class_id)  # the teacher's, or refused
        await self._open(args, reschedule_view(roster.cls, await self.translator(args)))

    async def _edit(self, args: AsyncArgs, class_id: str) -> None:
        """The form opens, filled in, for the class's teacher only; saving checks again (see ``Submissions``)."""
        settings = await self.core.classes.settings(person_of(args), class_id)  # the teacher's, or refused
        await self._open(args, edit_view(class_id, settings, await self.translator(args)))

    async def _roster_csv(self, args: AsyncArgs, class_id: str) -> None:
        """Slack gives a bot no way to attach the .csv to a message: a one-hour link to it comes instead."""
        language = (await self.translator(args)).code
        url = await self.core.roster_links.issue(person_of(args), class_id, language)
        text = tr(
            "Your class's roster, for a spreadsheet. It names the children and their parents, so please don't "
            "share it. The link works for an hour."
        )
        await self.dm(args, Message(text, (Button(tr("Download the roster (.csv)"), url=url),)))

    async def _open_to_link(self, args: AsyncArgs, class_id: str) -> None:
        view = await self.core.classes.open_to_link(person_of(args), class_id, anyone=True)
        opened = tr(
            "Anyone in this workspace can now see and book “{title}”: share `{share}` with them.",
            title=view.title,
            share=share_command(view),
        )
        await self.answer(args, opened)
        await self.refresh_home(args)

    async def _keep_to_groups(self, args: AsyncArgs, class_id: str) -> None:
        view = await self.core.classes.open_to_link(person_of(args), class_id, anyone=False)
        await self.answer(args, replies.kept_to_groups(view))
        await self.refresh_home(args)

    async def _cancel_class(self, args: AsyncArgs, class_id: str) -> None:
        view = await self.core.classes.cancel(person_of(args), class_id)
        await self.answer(args, replies.class_cancelled(view))
        await self.refresh_home(args)

    async def _approve(self, args: AsyncArgs, booking_id: str) -> None:
        booking = await self.core.bookings.decide(person_of(args), booking_id, approve=True)
        await self.answer(args, replies.approved(booking))
        await self.refresh_home(args)

    async def _decline(self, args: AsyncArgs, booking_id: str) -> None:
        booking = await self.core.bookings.decide(person_of(args), booking_id, approve=False)
        await self.answer(args, replies.declined(booking))
        await self.refresh_home(args)

    # --- admins, the Home tab's Zoom buttons, forgetting ---------------------------------------------------------

    async def _hand_zoom_over(self, args: AsyncArgs, request_id: str) -> None:
        await self._answer_handover(args, request_id, agree=True)

    async def _keep_zoom(self, args: AsyncArgs, request_id: str) -> None:
        await self._answer_handover(args, request_id, agree=False)

    async def _share_zoom(self, args: AsyncArgs, request_id: str) -> None:
        await self._answer_handover(args, request_id, agree=True, share=True)

    async def _answer_handover(self, args: AsyncArgs, request_id: str, *, agree: bool, share: bool = False) -> None:
        connect = self.core.connect
        if connect is None:
            raise NotAllowed(replies.NO_ZOOM_APP)
        await self.answer(args, await connect.answer_handover(person_of(args), request_id, agree=agree, share=share))
        await self.refresh_home(args)

    async def _unpublish(self, args: AsyncArgs, class_id: str) -> None:
        channel = channel_of(args)
        if channel is None:
            raise NotAllowed(tr("Classes are taken down from inside their channel."))
        person = person_of(args)
        admin = await is_workspace_admin(args.client, person.user_id)
        taken = await self.core.communities.unpublish(person, class_id, community(args, channel), admin_verified=admin)
        await self.answer(args, replies.taken_down(taken))

    async def _policy(self, args: AsyncArgs, policy: str) -> None:
        """Who may publish in the channel (workspace admins only, as Slack says now)."""
        channel = channel_of(args)
        if channel is None:
            raise NotAllowed(SETUP_IN_CHANNEL)
        person = person_of(args)
        admin = await is_workspace_admin(args.client, person.user_id)
        await self.core.communities.set_up(person, community(args, channel), admin_verified=admin, policy=policy)
        if policy == "anyone":
            await self.answer(args, replies.ANYONE_MAY_PUBLISH)
        else:
            await self.answer(args, APPROVED_ONLY)

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
        await self.answer(args, replies.now_speaking(chosen))
        await self.refresh_home(args)

    async def _connect(self, args: AsyncArgs, _value: str) -> None:
        await self.send_connect_link(args)

    async def _disconnect(self, args: AsyncArgs, _value: str) -> None:
        await self.disconnect(args)

    async def _forget(self, args: AsyncArgs, answer: str) -> None:
        """The confirmation of ``/classbot forgetme``: the presser, and only them, is forgotten."""
        if Act.FORGET.on(answer) != FORGET_ME:
            raise NotAllowed(tr("This button is no longer valid: run `{command} forgetme` again.", command=COMMAND))
        t = await self.translator(args)  # asked before the person, and their language, are deleted
        forgotten = await self.core.privacy.forget(person_of(args))
        await self.answer(args, forgotten.summary(), translator=t)
        await self.refresh_home(args)

    async def _open(self, args: AsyncArgs, view: dict[str, object]) -> str:
        """Open ``view`` as a modal (stacked when the press came from one); its id."""
        trigger = str(args.body.get("trigger_id", ""))
        container = args.body.get("container") or {}
        if container.get("type") == "view" and (args.body.get("view") or {}).get("type") == "modal":
            opened = await args.client.views_push(trigger_id=trigger, view=view)
        else:
            opened = await args.client.views_open(trigger_id=trigger, view=view)
        return str((opened.get("view") or {}).get("id", ""))

    async def _open_in_time(self, args: AsyncArgs, form: Awaitable[dict[str, Any]]) -> None:
        """Open the form while the press's trigger is fresh: at once when it is ready within ``OPEN_WITHIN`` of
        the press, else as an hourglass that becomes the form, or the refusal, when it is ready."""
        loop = asyncio.get_running_loop()
        building = asyncio.ensure_future(form)
        pressed_at = float(args.context.get(_PRESSED_AT) or loop.time())
        ready, _ = await asyncio.wait({building}, timeout=max(0.0, pressed_at + OPEN_WITHIN - loop.time()))
        if ready:
            await self._open(args, building.result())
            return
        hourglass = await self._open(args, _HOURGLASS)
        try:
            view = await building
        except CoreError as refusal:
            said = escape((await self.translator(args))(refusal.text))
            await args.client.views_update(view_id=hourglass, view=_HOURGLASS | {"blocks": [section(said)]})
            return
        await args.client.views_update(view_id=hourglass, view=view)


def _title(text: str) -> dict[str, str]:
    return {"type": "plain_text", "text": text}
