"""Who may see and book a class: one rule for every front end (PRODUCT.md, flow 11).

A class is seen, and booked, by

- its teacher;
- the parents booked in it (holding a seat, waiting for the teacher's approval, or on its waitlist);
- the members of the communities it is published in, as their platform says now (``bot.core.membership``);
- whoever holds its share link, when its teacher chose "anyone with the link" (the default for a class made in
  a private chat; a class made in a group or channel is for its members until the teacher opens it).

A share link, a card's Book button and a list's buttons all carry the class's opaque public id, so holding the
link is naming the id. For a class open only to its communities that proves nothing: a forwarded link or a
button payload replayed by someone else is checked like any other request, against the person who sent it.

The rule is asked before anything is written, so a refusal leaves the database as it was, and outside any
transaction, as asking a platform takes a round trip over the internet.
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.core.communities import CommunityRef
from bot.core.errors import Conflict, NotAllowed, NotFound
from bot.core.membership import Membership, Memberships
from bot.core.views import ClassView
from bot.i18n.texts import Text, plain, tr
from bot.storage.audience import Audiences, ClassAudience, Place
from bot.storage.database import Database
from bot.storage.identity import PersonRef
from bot.storage.listings import Listings
from bot.support.clock import Clock

# A private list asks about at most this many communities (those with upcoming classes, oldest first): on
# Telegram each is a getChatMember the first time, and a list shows ten classes.
MOST_COMMUNITIES_ASKED = 100

NO_SUCH_CLASS = tr("That class no longer exists. Ask for a new link, or see /classes.")


class Audience:
    def __init__(self, database: Database, memberships: Memberships, *, clock: Clock) -> None:
        self._database = database
        self._memberships = memberships
        self._clock = clock

    async def require(self, viewer: PersonRef, class_public_id: str) -> None:
        """Refuse, saying what to do instead, unless ``viewer`` may see and book the class."""
        async with self._database.query() as connection:
            audience = _existing(await Audiences(connection).of_class(class_public_id, viewer))
        if not _sees_as_it_stands(audience):
            await self._require_member_of(viewer, list(audience.places))

    async def card(self, viewer: PersonRef, class_public_id: str) -> ClassView:
        """The class's card, refused as ``require`` refuses: the rule's columns, where the class is published and
        the card's columns are read in one statement (a card is shown on every share link and every Book press)."""
        async with self._database.query() as connection:
            found = await Listings(connection).card(class_public_id, self._clock(), viewer)
        if found is None:
            raise NotFound(NO_SUCH_CLASS)
        audience, row = found
        if not _sees_as_it_stands(audience):  # the platform is asked outside any transaction
            await self._require_member_of(viewer, list(audience.places))
        return ClassView.of(row)

    async def _require_member_of(self, viewer: PersonRef, places: list[Place]) -> None:
        """Refuse unless the platform says ``viewer`` is in one of ``places``, where the class is published."""
        membership = await self._memberships.of(viewer, _communities(viewer, places), doubt_no=True)
        if membership.member_of:
            return
        if membership.unanswered:
            raise Conflict(_could_not_ask(membership))
        if not places:
            raise NotAllowed(tr("This class is only for the people its teacher shares it with. Ask its teacher."))
        raise NotAllowed(
            tr(
                "This class is for members of {communities}. Ask its teacher for a share link.",
                communities=_names(places),
            )
        )

    async def require_member(self, viewer: PersonRef, community: CommunityRef) -> None:
        """Refuse unless ``viewer`` is in ``community``, as its platform says: a community's list is its own."""
        membership = await self._memberships.of(viewer, [community], doubt_no=True)
        if membership.member_of:
            return
        if membership.unanswered:
            raise Conflict(_could_not_ask(membership))
        name = plain(community.title) if community.title else tr("this group")
        raise NotAllowed(tr("Only members of {community} see the classes listed there.", community=name))

    async def visible_classes(self, viewer: PersonRef, limit: int, *, age: int | None = None) -> list[ClassView]:
        """What ``viewer`` browses privately, soonest first: the classes of the communities they are in, the
        classes they teach and those they booked (not every class whose link they might hold); with ``age``, only
        those whose age range, if they have one, includes it."""
        now = self._clock()
        async with self._database.query() as connection:
            places = await Audiences(connection).places_with_classes(
                viewer.platform, viewer.workspace_id, now, MOST_COMMUNITIES_ASKED
            )
        membership = await self._memberships.of(viewer, _communities(viewer, places), doubt_no=False)
        ids = {place.chat_id: place.id for place in places}
        member_of = sorted(ids[community.chat_id] for community in membership.member_of)
        async with self._database.query() as connection:
            rows = await Listings(connection).classes_visible(viewer, member_of, now, limit, age=age)
        return [ClassView.of(row) for row in rows]


def _existing(found: ClassAudience | None) -> ClassAudience:
    if found is None:
        raise NotFound(NO_SUCH_CLASS)
    return found


def _sees_as_it_stands(audience: ClassAudience) -> bool:
    """True when the rule lets the person see the class without asking a platform: its teacher, booked in it,
    or the class open to its link."""
    return audience.teaches or audience.booked or audience.anyone_with_link


def _communities(viewer: PersonRef, places: Sequence[Place]) -> list[CommunityRef]:
    return [CommunityRef(viewer.platform, place.chat_id, viewer.workspace_id, place.title) for place in places]


def _names(places: Sequence[Place]) -> Text:
    return plain(", ".join(place.title or place.chat_id for place in places))


def _could_not_ask(membership: Membership) -> Text:
    names = plain(", ".join(community.title or community.chat_id for community in membership.unanswered))
    return tr(
        "I could not check just now whether you are in {communities}. Please try again in a moment.",
        communities=names,
    )
