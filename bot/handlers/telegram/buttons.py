"""Telegram's button presses and free-text answers.

A button's callback data is an ``Action`` (``bot.core.actions``) on the wire; nothing in it is trusted. Every
press goes to a core use case that checks the presser against the class or booking (only its teacher, only its
parent, only a group's admins), and a forged or stale id gets a short alert, never a crash. Private links are
only ever sent into the presser's private chat.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import replace
from functools import cached_property
from typing import Any

from telegram import CallbackQuery, InputFile, Update
from telegram.error import BadRequest
from telegram.ext import ContextTypes

from bot.core.actions import FORGET_ME, Act, Action
from bot.core.bookings import CANCEL_BOOKING_YES
from bot.core.class_input import REFUND_RULE_ASKED
from bot.core.errors import NotAllowed
from bot.core.messages import Button
from bot.core.words import replies
from bot.core.words.classes import PRICE_ASKED, card_text
from bot.core.words.labels import APPROVAL_OFF, APPROVAL_ON, ROSTER_AS_CSV, edit_menu, teacher_buttons
from bot.core.words.refusals import BUTTON_GONE
from bot.core.words.roster import roster_words
from bot.handlers.telegram.addressing import Addressee, addressee, command_word, hears_every_command, not_mine
from bot.handlers.telegram.base import answers_refusals, community_of, in_group, person_of
from bot.handlers.telegram.commands import FORGET_PRIVATELY
from bot.handlers.telegram.flows import CHILD, CHILD_ANSWERED, EDIT, MESSAGE_PARENTS, MOVE, NEW_CLASS, Flows, restore
from bot.handlers.telegram.languages import Languages
from bot.handlers.telegram.payments import answer_pre_checkout, successful_payment
from bot.handlers.telegram.render import html
from bot.i18n.texts import Text, joined, lines, ntr, plain, tr

log = logging.getLogger(__name__)


async def _answer(query: CallbackQuery, text: str | None = None, **options: Any) -> None:
    """Stop the button's spinner. A press that waited too long (Telegram forgets it after a while) is still done."""
    try:
        await query.answer(text, **options)
    except BadRequest as refused:
        log.info("a button press could not be answered (%s); doing what it asked anyway", refused.message)


Route = Callable[[Update, ContextTypes.DEFAULT_TYPE, str], Awaitable[None]]
_NOT_UNDERSTOOD = tr("I didn't get that. /help lists what I can do.")
_START_LINKS_PRIVATELY = tr("Start links are only sent in our private chat.")


class _RosterMarks:
    """A roster line's start, in plain words (the whole message is escaped into HTML)."""

    def entry(self, child: str, parent: str) -> Text:
        return tr("• {child} (parent: {parent})", child=child, parent=parent)

    def waiting(self, entry: Text) -> Text:
        return tr("{entry} (waiting for your approval)", entry=entry)


_ROSTER_MARKS = _RosterMarks()
_CLEAR = tr("Type - to remove it.")
_EDIT_PROMPTS = {  # the settings of ``class_input.EDITABLE`` a teacher types a new value for
    "title": tr("Type the new title (up to 200 characters)."),
    "description": joined(" ", tr("Type the new description."), _CLEAR),
    "seats": tr("Type the number of seats (never fewer than the seats already taken)."),
    "ages": joined(" ", tr("Type the children's ages, like 7-10."), _CLEAR),
    "min_bookings": joined(" ", tr("Type the fewest children for the class to go ahead, like 3."), _CLEAR),
    "price": joined(" ", PRICE_ASKED, _CLEAR),
    "refund": REFUND_RULE_ASKED,
}


class TelegramHandlers(Flows, Languages):
    """Every Telegram handler: commands, presses and typed answers, each routed to the flow it belongs to."""

    async def press(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Answer the press at once (Telegram shows a spinner until then), then do what the button says."""
        query = update.callback_query
        assert query is not None
        action = Action.parse(query.data or "")
        handler = self._routes.get(action.act) if action is not None else None
        if action is None or handler is None or not action.well_formed:
            t = await self.translator(update)
            await _answer(query, t(BUTTON_GONE), show_alert=True)
            return
        if action.act is Act.BOOK and in_group(update):  # booking happens in the private chat, opened by this link
            await _answer(query, url=self.link(context, f"b_{action.value}"))
            return
        await _answer(query)
        await self._run(update, context, handler, action.value)

    @answers_refusals
    async def _run(self, update: Update, context: ContextTypes.DEFAULT_TYPE, handler: Route, value: str) -> None:
        await handler(update, context, value)

    @cached_property
    def _routes(self) -> dict[Act, Route]:
        """Each button's handler, by its act: made at the first press, not at each one."""
        return {
            Act.BOOK: self._book,
            Act.CHILD: self._kid,
            Act.NEW_CLASS_ANSWER: self._new_class_pick,
            Act.NEW_CLASS_SETTING: self._new_class_setting,
            Act.APPROVE: self._approve,
            Act.DECLINE: self._decline,
            Act.CANCEL_BOOKING: self._confirm_cancel_booking,
            Act.CANCEL_BOOKING_CONFIRMED: self._cancel_booking,
            Act.JOIN_LINK: self._link,
            Act.CALENDAR: self._calendar,
            Act.PAY: self._pay,
            Act.ROSTER: self._roster,
            Act.START_LINK: self._start_link,
            Act.MEETING_NOW: self._meeting_now,
            Act.ADD_ZOOM: self._add_zoom,
            Act.MESSAGE_PARENTS: self._ask_message,
            Act.RESCHEDULE: self._ask_move,
            Act.EDIT: self._edit_menu,
            Act.EDIT_SETTING: self._edit_setting,
            Act.CANCEL_CLASS: self._confirm_cancel_class,
            Act.CANCEL_CLASS_CONFIRMED: self._cancel_class,
            Act.POLICY: self._policy,
            Act.UNPUBLISH: self._unpublish,
            Act.FORGET: self._forget,
            Act.ROSTER_CSV: self._roster_csv,
            Act.LANGUAGE: self.choose_language,
            Act.TIMEZONE: self._zone,
            Act.HAND_ZOOM_OVER: self._hand_zoom_over,
            Act.KEEP_ZOOM: self._keep_zoom,
            Act.SHARE_ZOOM: self._share_zoom,
            Act.OPEN_TO_LINK: self._open_to_link,
            Act.KEEP_TO_GROUPS: self._keep_to_groups,
        }

    async def text(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """A typed message outside a command: the answer to the flow the person is in, if any."""
        chat, message = update.effective_chat, update.effective_message
        assert chat is not None
        assert message is not None
        person = person_of(update)
        state = await self.conversations.get(str(chat.id), person.user_id)
        if state is None:
            if not in_group(update):
                await self.say(update, _NOT_UNDERSTOOD)
            return
        answer = message.text or ""
        request_key = f"tg:msg:{chat.id}:{message.message_id}"
        if state.flow == CHILD_ANSWERED:
            if state.data.get("request") == request_key:  # the same message again: answer it again
                await self.child_answer(update, answer, state.data, request_key)
            elif state.data.get("zone"):  # after the booking, their timezone was asked
                await self.zone_answer(update, answer)
            else:
                await self.conversations.clear(str(chat.id), person.user_id)
                await self.say(update, _NOT_UNDERSTOOD)
        elif state.flow == NEW_CLASS:
            await self.new_class_answer(update, context, answer, restore(state.data))
        elif state.flow == CHILD:
            await self.child_answer(update, answer, state.data, request_key)
        elif state.flow == MESSAGE_PARENTS:
            await self.message_parents_answer(update, answer, state.data)
        elif state.flow == MOVE:
            await self.move_answer(update, answer, state.data)
        elif state.flow == EDIT:
            await self.edit_answer(update, answer, state.data)

    async def unknown_command(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """A command ClassBot has not got: in a group it may well have been another bot's (see ``addressing``)."""
        chat, message = update.effective_chat, update.effective_message
        assert chat is not None
        text = (message.text if message is not None else None) or ""
        whom = addressee(text, context.bot.username) if in_group(update) else Addressee.ME
        if whom is Addressee.ME:
            await self.say(update, tr("I don't know that command. /help lists what I can do."))
        elif whom is Addressee.UNNAMED and not await hears_every_command(context.bot, chat.id):
            await self.say(update, not_mine(command_word(text), context.bot.username))

    # --- parents -----------------------------------------------------------------------------------------

    async def _book(self, update: Update, context: ContextTypes.DEFAULT_TYPE, class_id: str) -> None:
        await self.ask_child(update, class_id)

    async def _kid(self, update: Update, context: ContextTypes.DEFAULT_TYPE, index: str) -> None:
        chat, query = update.effective_chat, update.callback_query
        assert chat is not None
        assert query is not None
        state = await self.conversations.get(str(chat.id), person_of(update).user_id)
        request_key = f"tg:cb:{query.id}"
        if state and state.flow == CHILD_ANSWERED and state.data.get("request") == request_key:
            await self.child_answer(update, state.data["names"], state.data, request_key)  # delivered again
            return
        names = state.data.get("names", []) if state and state.flow == CHILD else []
        if state is None or not index.isdigit() or int(index) >= len(names):
            raise NotAllowed(tr("That question was already answered: tap Book again to book another seat."))
        await self.child_answer(update, names[int(index)], state.data, request_key)

    async def _zone(self, update: Update, context: ContextTypes.DEFAULT_TYPE, zone: str) -> None:
        await self.zone_answer(update, zone)

    async def _confirm_cancel_booking(
        self, update: Update, context: ContextTypes.DEFAULT_TYPE, booking_id: str
    ) -> None:
        question = await self.core.bookings.cancel_question(person_of(update), booking_id)
        await self.say(
            update, question, [Button(CANCEL_BOOKING_YES, action=Act.CANCEL_BOOKING_CONFIRMED.on(booking_id))]
        )

    async def _cancel_booking(self, update: Update, context: ContextTypes.DEFAULT_TYPE, booking_id: str) -> None:
        booking = await self.core.bookings.cancel(person_of(update), booking_id)
        await self.say(update, replies.booking_cancelled(booking))

    async def _pay(self, update: Update, context: ContextTypes.DEFAULT_TYPE, booking_id: str) -> None:
        """The invoice for a seat held for the parent, again or for the first time (a seat offered from the
        waitlist)."""
        chat = update.effective_chat
        assert chat is not None
        if in_group(update):
            raise NotAllowed(tr("Payments are only taken in our private chat."))
        invoice = await self.core.payments.invoice(person_of(update), booking_id)
        await self.invoices.send(context.bot, chat.id, invoice, await self.translator(update))

    async def pre_checkout(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Telegram asks before it takes the money: yes only while the seat is held for this parent."""
        await answer_pre_checkout(self.core, person_of(update), update, await self.translator(update))

    async def successful_payment(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """The money is taken: the booking is confirmed, or the payment refunded; the core's notices say which."""
        await successful_payment(self.core, person_of(update), update)

    async def _link(self, update: Update, context: ContextTypes.DEFAULT_TYPE, booking_id: str) -> None:
        if in_group(update):
            raise NotAllowed(tr("Links are only shown in our private chat."))
        url = await self.core.bookings.join_link(person_of(update), booking_id)
        await self.show(update, replies.join_link(url))

    async def _calendar(self, update: Update, context: ContextTypes.DEFAULT_TYPE, booking_id: str) -> None:
        if in_group(update):
            raise NotAllowed(tr("Calendars are only sent in our private chat."))
        t = await self.translator(update)
        name, body = await self.core.bookings.calendar(person_of(update), booking_id, language=t)
        chat = update.effective_chat
        assert chat is not None
        caption = t(tr("Open it to add the class to your calendar."))
        await chat.send_document(InputFile(body, filename=name), caption=caption)

    # --- teachers ----------------------------------------------------------------------------------------

    async def _new_class_pick(self, update: Update, context: ContextTypes.DEFAULT_TYPE, value: str) -> None:
        await self.new_class_answer(update, context, value, await self._new_class_so_far(update))

    async def _new_class_setting(self, update: Update, context: ContextTypes.DEFAULT_TYPE, value: str) -> None:
        await self.new_class_setting(update, context, value, await self._new_class_so_far(update))

    async def _new_class_so_far(self, update: Update) -> dict[str, Any]:
        """The answers of the class form the pressed button belongs to; refused when that form is over."""
        chat = update.effective_chat
        assert chat is not None
        state = await self.conversations.get(str(chat.id), person_of(update).user_id)
        if state is None or state.flow != NEW_CLASS:
            raise NotAllowed(tr("That question was already answered. Start again with /newclass."))
        return restore(state.data)

    async def _approve(self, update: Update, context: ContextTypes.DEFAULT_TYPE, booking_id: str) -> None:
        booking = await self.core.bookings.decide(person_of(update), booking_id, approve=True)
        await self.say(update, replies.approved(booking))

    async def _decline(self, update: Update, context: ContextTypes.DEFAULT_TYPE, booking_id: str) -> None:
        booking = await self.core.bookings.decide(person_of(update), booking_id, approve=False)
        await self.say(update, replies.declined(booking))

    async def _hand_zoom_over(self, update: Update, context: ContextTypes.DEFAULT_TYPE, request_id: str) -> None:
        await self._answer_handover(update, request_id, agree=True)

    async def _keep_zoom(self, update: Update, context: ContextTypes.DEFAULT_TYPE, request_id: str) -> None:
        await self._answer_handover(update, request_id, agree=False)

    async def _share_zoom(self, update: Update, context: ContextTypes.DEFAULT_TYPE, request_id: str) -> None:
        await self._answer_handover(update, request_id, agree=True, share=True)

    async def _answer_handover(self, update: Update, request_id: str, *, agree: bool, share: bool = False) -> None:
        connect = self.core.connect
        if connect is None:
            raise NotAllowed(replies.NO_ZOOM_APP)
        await self.say(update, await connect.answer_handover(person_of(update), request_id, agree=agree, share=share))

    async def _roster(self, update: Update, context: ContextTypes.DEFAULT_TYPE, class_id: str) -> None:
        roster = roster_words(await self.core.classes.roster(person_of(update), class_id), _ROSTER_MARKS)
        said = [card_text(roster.cls), plain(""), *(entry.text for entry in roster.entries), *roster.notes]
        buttons = [button for entry in roster.entries for button in entry.buttons]
        buttons.append(Button(ROSTER_AS_CSV, Act.ROSTER_CSV.on(class_id)))
        await self.say(update, lines(*said), buttons)

    async def _start_link(self, update: Update, context: ContextTypes.DEFAULT_TYPE, class_id: str) -> None:
        if in_group(update):
            raise NotAllowed(_START_LINKS_PRIVATELY)
        url = await self.core.classes.start_link(person_of(update), class_id)
        view = await self.core.classes.view(person_of(update), class_id)
        await self.show(update, replies.start_link(view, url))

    async def _meeting_now(self, update: Update, context: ContextTypes.DEFAULT_TYPE, class_id: str) -> None:
        """The class's Zoom meeting made now; its start link comes only in the teacher's private chat."""
        if in_group(update):
            raise NotAllowed(_START_LINKS_PRIVATELY)
        view, url = await self.core.classes.meeting_now(person_of(update), class_id)
        await self.show(update, replies.start_link(view, url))

    async def _add_zoom(self, update: Update, context: ContextTypes.DEFAULT_TYPE, class_id: str) -> None:
        view = await self.core.classes.add_zoom(person_of(update), class_id)
        await self.say(update, replies.zoom_added(view), list(teacher_buttons(view)))

    async def _ask_message(self, update: Update, context: ContextTypes.DEFAULT_TYPE, class_id: str) -> None:
        await self.core.classes.roster(person_of(update), class_id)  # only the teacher may go on
        await self._enter(
            update, MESSAGE_PARENTS, class_id, tr("Type the message for all booked parents (/cancel to stop).")
        )

    async def _ask_move(self, update: Update, context: ContextTypes.DEFAULT_TYPE, class_id: str) -> None:
        await self.core.classes.roster(person_of(update), class_id)
        await self._enter(update, MOVE, class_id, tr("Type the new start as YYYY-MM-DD HH:MM (/cancel to stop)."))

    async def _edit_menu(self, update: Update, context: ContextTypes.DEFAULT_TYPE, class_id: str) -> None:
        settings = await self.core.classes.settings(person_of(update), class_id)  # only the teacher may go on
        question = tr("What should change in “{title}”? (/cancel to stop)", title=settings.title)
        chat = update.effective_chat
        assert chat is not None
        await self.conversations.put(str(chat.id), person_of(update).user_id, EDIT, {"class": class_id})
        await self.say(
            update,
            question,
            list(edit_menu(class_id, approval_on=settings.requires_approval, paid=settings.price_amount is not None)),
        )

    async def _edit_setting(self, update: Update, context: ContextTypes.DEFAULT_TYPE, value: str) -> None:
        """A setting picked in a class's edit menu: approval is set at once; the others ask for the new value.

        The class is the button's own, never the one whose menu was opened last: a teacher scrolling back to an
        older menu edits that menu's class. The typed answer then goes to the class of this press.
        """
        chat = update.effective_chat
        assert chat is not None
        person = person_of(update)
        class_id, field = Act.EDIT_SETTING.on(value).parts
        if field not in _EDIT_PROMPTS and field not in (APPROVAL_ON, APPROVAL_OFF):
            raise NotAllowed(BUTTON_GONE)
        settings = await self.core.classes.settings(person, class_id)  # only the teacher may go on
        if field in (APPROVAL_ON, APPROVAL_OFF):
            await self.save_edit(update, class_id, replace(settings, requires_approval=field == APPROVAL_ON))
            return
        await self.conversations.put(str(chat.id), person.user_id, EDIT, {"class": class_id, "field": field})
        await self.say(update, _EDIT_PROMPTS[field])

    async def _enter(self, update: Update, flow: str, class_id: str, prompt: Text) -> None:
        chat = update.effective_chat
        assert chat is not None
        await self.conversations.put(str(chat.id), person_of(update).user_id, flow, {"class": class_id})
        await self.say(update, prompt)

    async def _open_to_link(self, update: Update, context: ContextTypes.DEFAULT_TYPE, class_id: str) -> None:
        view = await self.core.classes.open_to_link(person_of(update), class_id, anyone=True)
        share = self.link(context, f"c_{view.public_id}")
        await self.say(
            update, tr("Anyone with this link can now see and book “{title}”: {link}", title=view.title, link=share)
        )

    async def _keep_to_groups(self, update: Update, context: ContextTypes.DEFAULT_TYPE, class_id: str) -> None:
        view = await self.core.classes.open_to_link(person_of(update), class_id, anyone=False)
        await self.say(update, replies.kept_to_groups(view))

    async def _confirm_cancel_class(self, update: Update, context: ContextTypes.DEFAULT_TYPE, class_id: str) -> None:
        roster = await self.core.classes.roster(person_of(update), class_id)
        await self.say(
            update,
            ntr(
                "Cancel “{title}”? Its {n} booking ends and the parents are told.",
                "Cancel “{title}”? Its {n} bookings end and the parents are told.",
                len(roster.lines),
                title=roster.cls.title,
            ),
            [Button(tr("Yes, cancel the class"), Act.CANCEL_CLASS_CONFIRMED.on(class_id))],
        )

    async def _cancel_class(self, update: Update, context: ContextTypes.DEFAULT_TYPE, class_id: str) -> None:
        query = update.callback_query
        assert query is not None
        # The press's id stays the same when Telegram delivers the update again (the process died before it
        # answered): that delivery reads what the first would have said, not "already cancelled".
        view = await self.core.classes.cancel(person_of(update), class_id, request_key=f"tg:cb:{query.id}")
        await self.say(update, replies.class_cancelled(view))

    # --- group admins ------------------------------------------------------------------------------------

    async def _policy(self, update: Update, context: ContextTypes.DEFAULT_TYPE, policy: str) -> None:
        chat = update.effective_chat
        assert chat is not None
        admin = in_group(update) and await self.is_admin(update, context)
        await self.core.communities.set_up(person_of(update), community_of(chat), admin_verified=admin, policy=policy)
        if policy == "anyone":
            await self.say(update, replies.ANYONE_MAY_PUBLISH)
        else:
            await self.say(
                update, tr("Done: teachers an admin approves (reply /approve to them) may publish classes here.")
            )

    async def _unpublish(self, update: Update, context: ContextTypes.DEFAULT_TYPE, class_id: str) -> None:
        chat = update.effective_chat
        assert chat is not None
        if not in_group(update):
            raise NotAllowed(tr("Classes are taken down from inside their group."))
        admin = await self.is_admin(update, context)
        taken = await self.core.communities.unpublish(
            person_of(update), class_id, community_of(chat), admin_verified=admin
        )
        await self.say(update, replies.taken_down(taken))

    async def _forget(self, update: Update, context: ContextTypes.DEFAULT_TYPE, answer: str) -> None:
        if Act.FORGET.on(answer) != FORGET_ME or in_group(update):
            raise NotAllowed(FORGET_PRIVATELY)
        t = await self.translator(update)  # asked before the person, and their language, are deleted
        forgotten = await self.privacy.forget(person_of(update))
        await self.reply(update, html(t(forgotten.summary())), translator=t)

    async def _roster_csv(self, update: Update, context: ContextTypes.DEFAULT_TYPE, class_id: str) -> None:
        if in_group(update):
            raise NotAllowed(tr("Rosters are only sent in our private chat."))
        t = await self.translator(update)
        name, body = await self.reports.roster_csv(person_of(update), class_id, language=t)
        chat = update.effective_chat
        assert chat is not None
        caption = t(tr("The roster, for a spreadsheet."))
        await chat.send_document(InputFile(body, filename=name), caption=caption)
