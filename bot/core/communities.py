"""Communities: groups and channels where classes are announced and booked, configured by their admins.

Whether someone is an admin is for the platform to say (Telegram's getChatAdministrators, Slack's users.info):
the front end asks the platform and passes the answer as ``admin_verified``. Nothing a user types can make
them an admin here. Community posts never carry a Zoom link: only class cards with a way to book privately.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy.ext.asyncio import AsyncSession

from bot.core import job_kinds
from bot.core.errors import InvalidInput, NotAllowed, NotFound
from bot.core.views import ClassView
from bot.core.words.refusals import CLASS_GONE, NOT_APPROVED_TO_PUBLISH, NOT_SET_UP
from bot.i18n.texts import tr
from bot.storage.classes import Classes
from bot.storage.communities import Communities
from bot.storage.database import Database
from bot.storage.identity import PersonRef
from bot.storage.listings import Listings
from bot.storage.models import Community
from bot.storage.people import People
from bot.support.clock import Clock

if TYPE_CHECKING:  # the audience rule names communities, so only the name is imported here
    from bot.core.audience import Audience

POLICIES = ("anyone", "approved")


@dataclass(frozen=True, slots=True)
class CommunityRef:
    """A group (Telegram) or channel (Slack) as its platform names it."""

    platform: str
    chat_id: str
    workspace_id: str = ""
    title: str = ""


class CommunityService:
    def __init__(self, database: Database, audience: Audience, *, clock: Clock) -> None:
        self._database = database
        self._audience = audience
        self._clock = clock

    async def set_up(
        self, admin: PersonRef, community: CommunityRef, *, admin_verified: bool, policy: str = "anyone"
    ) -> None:
        if not admin_verified:
            raise NotAllowed(tr("Only this group's admins can set ClassBot up here."))
        if policy not in POLICIES:
            raise InvalidInput("policy", tr("Choose who may publish: anyone, or approved teachers only."))
        async with self._database.write() as session:
            person = await People(session).ensure(admin)
            row = await Communities(session).ensure(
                community.platform, community.workspace_id, community.chat_id, community.title, person.id
            )
            row.publish_policy = policy
            row.title = community.title[:200] or row.title

    async def approve_teacher(
        self, admin: PersonRef, community: CommunityRef, teacher: PersonRef, *, admin_verified: bool
    ) -> None:
        if not admin_verified:
            raise NotAllowed(tr("Only this group's admins can approve teachers."))
        async with self._database.write() as session:
            row = await self._set_up_community(session, community)
            person = await People(session).ensure(teacher)
            await Communities(session).approve_publisher(row.id, person.id)

    async def is_set_up(self, community: CommunityRef) -> bool:
        async with self._database.read() as session:
            return (
                await Communities(session).find(community.platform, community.workspace_id, community.chat_id)
                is not None
            )

    async def may_publish(self, teacher: PersonRef, community: CommunityRef) -> bool:
        """Whether the community's policy lets the teacher publish there (``publish`` refuses otherwise); refused
        where ClassBot is not set up. Asked before a class is made inside a group: such a class is for the group's
        members, so made and then refused its announcement, it would be seen by no one."""
        async with self._database.read() as session:
            row = await self._set_up_community(session, community)
            if row.publish_policy == "anyone":
                return True
            person = await People(session).find(teacher)
            return person is not None and await Communities(session).may_publish(row, person.id)

    async def publish(self, teacher: PersonRef, class_public_id: str, community: CommunityRef) -> ClassView:
        """Announce the teacher's class in the community (once), if its policy lets the teacher publish."""
        now = self._clock()
        async with self._database.write() as session:
            row = await self._set_up_community(session, community)
            person = await People(session).ensure(teacher)
            cls = await Classes(session).by_public_id(class_public_id)
            if cls is None:
                raise NotFound(CLASS_GONE)
            if cls.teacher_id != person.id:
                raise NotAllowed(tr("Only the class's teacher can publish it."))
            if not await Communities(session).may_publish(row, person.id):
                raise NotAllowed(NOT_APPROVED_TO_PUBLISH)
            if await Communities(session).publish(cls.id, row.id):
                await job_kinds.announce(session, cls.id, row.id, now)
            return ClassView.of(await Classes(session).row(cls, now))

    async def unpublish(
        self, admin: PersonRef, class_public_id: str, community: CommunityRef, *, admin_verified: bool
    ) -> bool:
        async with self._database.write() as session:
            row = await self._set_up_community(session, community)
            cls = await Classes(session).by_public_id(class_public_id)
            if cls is None:
                raise NotFound(CLASS_GONE)
            person = await People(session).find(admin)
            if not admin_verified and (person is None or person.id != cls.teacher_id):
                raise NotAllowed(tr("Only this group's admins or the class's teacher can take a class down."))
            return await Communities(session).unpublish(cls.id, row.id, self._clock())

    async def upcoming(
        self, viewer: PersonRef, community: CommunityRef, limit: int = 50, *, age: int | None = None
    ) -> list[ClassView]:
        """The ``limit`` soonest classes published in ``community``, for a member of it (its platform says); with a
        child's ``age``, only those whose age range, if any, includes it."""
        await self._audience.require_member(viewer, community)
        async with self._database.query() as connection:
            rows = await Listings(connection).classes_in_community(
                community.platform, community.workspace_id, community.chat_id, self._clock(), limit, age=age
            )
        return [ClassView.of(row) for row in rows]

    async def _set_up_community(self, session: AsyncSession, community: CommunityRef) -> Community:
        row = await Communities(session).find(community.platform, community.workspace_id, community.chat_id)
        if row is None:
            raise NotAllowed(NOT_SET_UP)
        return row
