"""ClassBot's App Home tab: the person's Zoom connection, the classes they teach, the seats they booked, and the
classes of their channels they can book (which channels they are in is Slack's to say: ``Audience``).

The tab is published (``views.publish``) when the person opens it and again after every change that concerns
them: their own actions, and every direct message the core sends them (a new booking, a cancelled class, a
connected Zoom account). A person's refreshes run one at a time in this process, so an older picture never
replaces a newer one. The tab holds no links: start and join links are sent by direct message on request.
It is drawn in the person's stored language (English for someone we never learned one for).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from bot.core.actions import Act
from bot.core.languages import KnownReader
from bot.core.services import Services
from bot.core.words.labels import ANY_AGE_CHOICE, CONNECT_ZOOM
from bot.core.words.replies import no_classes_for_age
from bot.handlers.slack.blocks import (
    COMMAND,
    NO_CLASSES_TAUGHT,
    YOUR_BOOKINGS,
    YOUR_CLASSES,
    Block,
    actions,
    button,
    context,
    header,
    parent_booking,
    public_class,
    section,
)
from bot.handlers.slack.blocks import teacher_class as teacher_class_blocks
from bot.handlers.slack.installations import Workspaces
from bot.i18n.texts import ntr, tr
from bot.i18n.translator import Translator
from bot.storage.identity import PersonRef
from bot.support.keyed_locks import KeyedLocks

if TYPE_CHECKING:
    from bot.core.views import BookingView, ClassView

log = logging.getLogger(__name__)

AGES = tuple(range(3, 18))  # the children's ages the tab's menu offers
# A Home tab holds at most 100 blocks: three per class taught, two per booking, and a few headers.
_MOST_SHOWN = 20
_MOST_TAUGHT_SHOWN = 12
_MOST_BOOKABLE_SHOWN = 5  # 84 blocks at most above, 14 here (the age menu, classes, "more", the footer)


class HomeTab:
    def __init__(self, services: Services, workspaces: Workspaces) -> None:
        self._core = services
        self._workspaces = workspaces
        self._locks = KeyedLocks()

    async def refresh(self, person: PersonRef) -> None:
        """Publish the tab; its classes to book are those for the child's age the person chose last (kept by the
        core with their language, so every redraw, for a press or for a direct message, keeps it)."""
        async with self._locks.hold((person.workspace_id, person.user_id)):
            view = await self.view_for(person, await self._core.languages.known_reader(person))
            client = await self._workspaces.client_for(person.workspace_id)
            await client.views_publish(user_id=person.user_id, view=view)

    async def choose_age(self, person: PersonRef, age: int | None) -> None:
        """The person picked a child's age (None: any age) in the tab's menu: kept, then the tab drawn for it."""
        await self._core.classes.choose_listing_age(person, age)
        await self.refresh(person)

    async def refresh_quietly(self, person: PersonRef) -> None:
        """Refresh, logging (not raising) a failure: the change itself already happened."""
        try:
            await self.refresh(person)
        except Exception:
            log.warning("could not refresh a Slack Home tab", exc_info=True)

    async def view_for(self, person: PersonRef, known: KnownReader) -> dict[str, Any]:
        """The tab for ``person``, drawn from what is kept of them (language, timezone, the age they list for)."""
        core = self._core
        t, age = core.catalogs.translator(known.language, known.zone), known.listing_age
        zoom = await core.connect.status(person) if core.connect is not None else None
        classes = await core.classes.for_teacher(person)
        bookings = await core.bookings.for_parent(person)
        teaching = {view.public_id for view in classes}
        bookable = [
            view
            for view in await core.classes.visible_to(person, _MOST_BOOKABLE_SHOWN + 1 + len(teaching), age=age)
            if view.public_id not in teaching
        ]
        blocks = [header("ClassBot"), *_zoom_blocks(zoom, core.connect is not None, t)]
        blocks += [header(t(YOUR_CLASSES)), *_classes_blocks(classes, t)]
        blocks += [header(t(YOUR_BOOKINGS)), *_bookings_blocks(bookings, t)]
        blocks += [header(t(tr("Classes in your channels"))), _age_filter(age, t), *_bookable_blocks(bookable, age, t)]
        footer = tr("`{command} help` lists everything ClassBot does. Links come by direct message.", command=COMMAND)
        blocks.append(context(t(footer)))
        # The age the tab is drawn for, as Slack's record of what it shows.
        return {"type": "home", "blocks": blocks, "private_metadata": "" if age is None else str(age)}


def _zoom_blocks(status: str | None, configured: bool, t: Translator) -> list[Block]:
    if not configured:
        return [section(t(tr("Zoom is not set up for this ClassBot yet: ask its operator.")))]
    if status == "active":
        confirm = t(tr("Disconnect your Zoom account from ClassBot?"))
        disconnect = button(t(tr("Disconnect Zoom")), Act.DISCONNECT_ZOOM.on("zoom"), confirm=confirm, t=t)
        return [section(t(tr(":white_check_mark: Your Zoom account is connected."))), *actions([disconnect])]
    text = tr("Connect your Zoom account so that your classes get their Zoom meetings and parents their links.")
    if status == "reconnect_needed":
        text = tr(":warning: Your Zoom connection stopped working: connect it again. Waiting links then go out.")
    return [section(t(text)), *actions([button(t(CONNECT_ZOOM), Act.CONNECT_ZOOM.on("zoom"), style="primary")])]


def _classes_blocks(classes: list[ClassView], t: Translator) -> list[Block]:
    if not classes:
        return [section(t(NO_CLASSES_TAUGHT))]
    blocks = [block for view in classes[:_MOST_TAUGHT_SHOWN] for block in teacher_class_blocks(view, t)]
    if len(classes) > _MOST_TAUGHT_SHOWN:
        blocks.append(_more(len(classes) - _MOST_TAUGHT_SHOWN, t))
    return blocks


def _age_filter(age: int | None, t: Translator) -> Block:
    """A menu of children's ages: the classes to book below are then those for a child of that age."""
    options = [_option(t(ANY_AGE_CHOICE), "any")] + [_option(str(n), str(n)) for n in AGES]
    chosen = options[0] if age is None else options[1 + AGES.index(age)]
    menu = {
        "type": "static_select",
        "action_id": Act.AGE_FILTER.on("pick").wire,
        "placeholder": {"type": "plain_text", "text": t(ANY_AGE_CHOICE)},
        "options": options,
        "initial_option": chosen,
    }
    return {"type": "section", "text": {"type": "mrkdwn", "text": t(tr("For a child of age:"))}, "accessory": menu}


def _option(text: str, choice: str) -> dict[str, Any]:
    return {"text": {"type": "plain_text", "text": text}, "value": Act.AGE_FILTER.on(choice).wire}


def _bookable_blocks(views: list[ClassView], age: int | None, t: Translator) -> list[Block]:
    if not views and age is not None:
        return [section(t(no_classes_for_age(age)))]
    if not views:
        return [section(t(tr("No class to book yet: the classes announced in your channels show here.")))]
    blocks = [block for view in views[:_MOST_BOOKABLE_SHOWN] for block in public_class(view, t, in_channel=False)]
    if len(views) > _MOST_BOOKABLE_SHOWN:
        blocks.append(context(t(tr("`{command} classes` lists more.", command=COMMAND))))
    return blocks


def _bookings_blocks(bookings: list[BookingView], t: Translator) -> list[Block]:
    if not bookings:
        return [
            section(t(tr("No upcoming bookings. `{command} classes` lists the classes you can book.", command=COMMAND)))
        ]
    blocks = [block for booking in bookings[:_MOST_SHOWN] for block in parent_booking(booking, t)]
    if len(bookings) > _MOST_SHOWN:
        blocks.append(_more(len(bookings) - _MOST_SHOWN, t))
    return blocks


def _more(n: int, t: Translator) -> Block:
    """The line under a list cut short."""
    return context(t(ntr("And {n} more later on.", "And {n} more later on.", n)))
