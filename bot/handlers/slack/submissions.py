"""What happens when a modal is submitted: a class is created (and announced), seats are booked, a teacher's
message goes to the class's parents, a class is edited or moves, or an admin approves a teacher for a channel.

Slack waits for the acknowledgement of a submission to decide what the modal does, so the quick part comes
first: the fields are read and the core's use case runs (a database transaction, no Zoom call), and a refusal
goes back into the form as field errors. Only a success closes the form; then the person gets a direct message
and their Home tab is refreshed. A booking not decided within ``DECIDE_WITHIN`` closes the form anyway (Slack
would show an error after 3 s) and tells a refusal by direct message too. The booking's request key is the
modal's id, so however often Slack delivers one submission, it books once.
"""

from __future__ import annotations

import asyncio
import logging

from slack_bolt.kwargs_injection.async_args import AsyncArgs

from bot.core.bookings import AWAITING_PAYMENT, parse_child_names
from bot.core.errors import CoreError, InvalidInput
from bot.core.ids import looks_like_public_id
from bot.core.messages import Message
from bot.core.views import BookingOutcome, ClassView
from bot.core.words import replies
from bot.core.words.classes import describe_outcome, settings_text
from bot.core.words.replies import SORRY, sent_to_parents
from bot.handlers.slack.base import PLATFORM, SlackBase, answers_refusals, community, is_workspace_admin, person_of
from bot.handlers.slack.blocks import COMMAND, card, escape, plain
from bot.handlers.slack.modal import (
    CHILD,
    TEACHER,
    WORDS,
    field_block,
    form_values,
    read_child,
    read_edit,
    read_new_class,
    read_reschedule,
    read_teacher,
    read_words,
)
from bot.i18n.texts import Text, tr
from bot.i18n.translator import Translator
from bot.storage.identity import PersonRef

log = logging.getLogger(__name__)

# Slack shows the person an error when a submission is not acknowledged within 3 seconds, even if the work behind
# it then succeeds. A booking not decided this long after its submission arrived (a busy moment) closes the form
# instead, and its outcome, even a refusal, goes to the parent by direct message, as a success's always does.
DECIDE_WITHIN = 2.0

_PICK = tr("Pick the teacher to approve.")
_OUT_OF_DATE = tr("This form is out of date: open it again.")
_NOT_SET_UP = tr(
    "ClassBot is not set up in that channel: a workspace admin runs `{command} setup` there first.", command=COMMAND
)


class _FormAnswer:
    """A submission's one acknowledgement: the form closed, or errors shown in it, whichever comes first."""

    def __init__(self, args: AsyncArgs) -> None:
        self._args = args
        self._given = False

    async def close(self) -> None:
        if not self._given:
            self._given = True
            await self._args.ack()

    async def show_error(self, block: str, text: str) -> bool:
        """Show ``text`` on ``block`` of the form; False when the form was already closed (then tell another way)."""
        if self._given:
            return False
        self._given = True
        await self._args.ack(response_action="errors", errors={block: text})
        return True


def class_form_errors(problem: Exception, t: Translator, doing: str) -> dict[str, str]:
    """What the class form (new or edit) shows when the core refuses it or fails: a wrong field on that field's
    block, any other refusal on the title, anything unexpected (logged, as ``doing`` failed) as "sorry"."""
    if isinstance(problem, InvalidInput):
        return {field_block(problem.field): t(problem.text)}
    if isinstance(problem, CoreError):
        return {"title": t(problem.text)}
    log.error("%s from Slack failed", doing, exc_info=problem)
    return {"title": t(SORRY)}


class Submissions(SlackBase):
    async def new_class(self, args: AsyncArgs) -> None:
        view = args.view or {}
        t = await self.translator(args)
        form = read_new_class(form_values(view), t)
        if form.draft is None:
            await args.ack(response_action="errors", errors=form.errors)
            return
        if form.channel_id and not await self.core.communities.is_set_up(community(args, form.channel_id)):
            await args.ack(response_action="errors", errors={"channel": t(_NOT_SET_UP)})
            return
        if not await self.first_time(args):
            await args.ack()
            return
        try:
            # Made for a channel, it is for the channel's members; made alone, for anyone with its link.
            in_community = bool(form.channel_id)
            created = await self.core.classes.create(person_of(args, t), form.draft, in_community=in_community)
        except Exception as problem:  # told in the form, which stays open for the teacher to fix it
            await args.ack(response_action="errors", errors=class_form_errors(problem, t, "creating a class"))
            return
        await args.ack()
        await self._created(args, created, form.channel_id)

    @answers_refusals
    async def _created(self, args: AsyncArgs, created: ClassView, channel_id: str | None) -> None:
        person = person_of(args)
        t = await self.translator(args)
        where = ""
        if channel_id:
            try:
                await self.core.communities.publish(person, created.public_id, community(args, channel_id))
                where = t(tr("It is announced in <#{channel}>.", channel=channel_id)) + " "
            except CoreError as refusal:
                where = t(tr("It was not announced: {reason}", reason=plain(t(refusal.text)))) + " "
        manage = t(tr("Manage it from ClassBot's Home tab or `{command} mine`.", command=COMMAND))
        text = t(tr("Created: {card}", card=card(created, t)))
        settings = settings_text(created)
        if settings is not None:
            text += "\n" + t(settings)
        text += f"\n{where}{manage}"
        connect = self.core.connect
        if connect is not None and await connect.status(person) != "active":
            text += "\n" + t(
                tr("Connect Zoom with `{command} connect` so that booked parents get their links.", command=COMMAND)
            )
        await self.dm_formatted(args, text)
        await self.refresh_home(args)

    async def book(self, args: AsyncArgs) -> None:
        form = _FormAnswer(args)
        booking = asyncio.ensure_future(self._book_from(args, form))
        decided, _ = await asyncio.wait({booking}, timeout=DECIDE_WITHIN)
        if not decided:  # a slow moment: the form closes in time and the outcome follows by direct message
            await form.close()
            await booking

    async def _book_from(self, args: AsyncArgs, form: _FormAnswer) -> None:
        view = args.view or {}
        class_id = str(view.get("private_metadata") or "")
        t = await self.translator(args)
        try:
            children = parse_child_names(read_child(form_values(view)))
        except InvalidInput as wrong:
            await self._refuse(args, form, t, wrong.text)
            return
        if not looks_like_public_id(class_id):
            await self._refuse(args, form, t, tr("This form is out of date: press Book again."))
            return
        if not await self.first_time(args):
            await form.close()
            return

        async def confirm(outcome: BookingOutcome) -> None:
            await form.close()
            await self._booked(args, outcome, t)

        try:
            parent = person_of(args, t)
            key = f"slack:{view.get('id')}"
            await self.core.bookings.book(parent, class_id, children, key, confirm=confirm, as_typed=True)
        except CoreError as refusal:
            await self._refuse(args, form, t, refusal.text)
        except Exception:
            log.exception("a Slack booking failed")
            await self._refuse(args, form, t, SORRY)

    async def _refuse(self, args: AsyncArgs, form: _FormAnswer, t: Translator, text: Text) -> None:
        """In the form while it is open, else by direct message."""
        if not await form.show_error(CHILD, t(text)):
            await self.dm(args, Message(text))

    @answers_refusals
    async def _booked(self, args: AsyncArgs, outcome: BookingOutcome, t: Translator) -> None:
        """``t`` is the parent's, read for this submission: the booking kept their language and zone with them."""
        await self.dm(args, Message(describe_outcome(outcome)), translator=t)
        for booking in outcome.booked:
            if booking.status == AWAITING_PAYMENT:
                await self.send_checkout(args, booking.public_id)
        await self.refresh_home(args)

    async def message_parents(self, args: AsyncArgs) -> None:
        view = args.view or {}
        class_id = str(view.get("private_metadata") or "")
        words = read_words(form_values(view))
        t = await self.translator(args)
        if not looks_like_public_id(class_id):
            await args.ack(response_action="errors", errors={WORDS: t(_OUT_OF_DATE)})
            return
        if not await self.first_time(args):
            await args.ack()
            return
        try:
            told = await self.core.classes.message_parents(person_of(args), class_id, words)
        except CoreError as refusal:
            await args.ack(response_action="errors", errors={WORDS: t(refusal.text)})
            return
        except Exception:
            log.exception("a Slack message to parents failed")
            await args.ack(response_action="errors", errors={WORDS: t(SORRY)})
            return
        await args.ack()
        await self._sent(args, told)

    @answers_refusals
    async def _sent(self, args: AsyncArgs, told: int) -> None:
        await self.dm(args, Message(sent_to_parents(told)))

    async def reschedule(self, args: AsyncArgs) -> None:
        """The class moves (the core checks the teacher and the new start); a wrong field is named in the form."""
        view = args.view or {}
        class_id = str(view.get("private_metadata") or "")
        t = await self.translator(args)
        on, at, errors = read_reschedule(form_values(view), t)
        if not looks_like_public_id(class_id):
            errors = {"date": t(_OUT_OF_DATE)}
        if errors or on is None or at is None:
            await args.ack(response_action="errors", errors=errors)
            return
        if not await self.first_time(args):
            await args.ack()
            return
        try:
            moved = await self.core.classes.reschedule(person_of(args), class_id, on, at)
        except InvalidInput as wrong:
            field = wrong.field if wrong.field in ("date", "time") else "date"
            await args.ack(response_action="errors", errors={field: t(wrong.text)})
            return
        except CoreError as refusal:
            await args.ack(response_action="errors", errors={"date": t(refusal.text)})
            return
        except Exception:
            log.exception("moving a class from Slack failed")
            await args.ack(response_action="errors", errors={"date": t(SORRY)})
            return
        await args.ack()
        await self._moved(args, moved)

    @answers_refusals
    async def _moved(self, args: AsyncArgs, moved: ClassView) -> None:
        await self.dm(args, Message(replies.moved(moved)))
        await self.refresh_home(args)

    async def edit(self, args: AsyncArgs) -> None:
        """The class's settings change (the core checks the teacher, the seats taken, the class still to come);
        a wrong field, or a refusal naming one, is shown on that field in the form."""
        view = args.view or {}
        class_id = str(view.get("private_metadata") or "")
        t = await self.translator(args)
        settings, errors = read_edit(form_values(view), t)
        if not looks_like_public_id(class_id):
            errors = {"title": t(_OUT_OF_DATE)}
        if errors or settings is None:
            await args.ack(response_action="errors", errors=errors)
            return
        if not await self.first_time(args):
            await args.ack()
            return
        try:
            edited, told = await self.core.classes.edit(person_of(args), class_id, settings)
        except Exception as problem:  # told in the form, which stays open for the teacher to fix it
            await args.ack(response_action="errors", errors=class_form_errors(problem, t, "editing a class"))
            return
        await args.ack()
        await self._edited(args, edited, told)

    @answers_refusals
    async def _edited(self, args: AsyncArgs, edited: ClassView, told: int) -> None:
        await self.dm(args, Message(replies.edited(edited, told)))
        await self.refresh_home(args)

    async def approve_teacher(self, args: AsyncArgs) -> None:
        """A workspace admin (as Slack says now) lets the picked person publish in the channel the form was
        opened in; the core refuses anyone else."""
        view = args.view or {}
        channel = str(view.get("private_metadata") or "")
        teacher_id = read_teacher(form_values(view))
        t = await self.translator(args)
        if channel[:1] not in ("C", "G") or not teacher_id:
            await args.ack(response_action="errors", errors={TEACHER: t(_OUT_OF_DATE if teacher_id else _PICK)})
            return
        await args.ack()
        if await self.first_time(args):
            await self._approve_teacher(args, channel, teacher_id)

    @answers_refusals
    async def _approve_teacher(self, args: AsyncArgs, channel: str, teacher_id: str) -> None:
        person = person_of(args)
        admin = await is_workspace_admin(args.client, person.user_id)
        teacher = PersonRef(PLATFORM, teacher_id, person.workspace_id)
        await self.core.communities.approve_teacher(person, community(args, channel), teacher, admin_verified=admin)
        # Slack's ids hold none of its control characters; escaped all the same, they cannot make a mention.
        user, where = escape(teacher_id), escape(channel)
        done = tr("<@{user}> may publish classes in <#{channel}> now.", user=user, channel=where)
        await self.dm_formatted(args, (await self.translator(args))(done))
