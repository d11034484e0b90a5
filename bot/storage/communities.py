"""Communities (set-up groups and channels), their approved publishers, and what is published in them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import distinct, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.storage.dialect import insert_or_ignore
from bot.storage.models import Attendance, Booking, Community, CommunityPublisher, Publication


class Communities:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def find(self, platform: str, workspace_id: str, chat_id: str) -> Community | None:
        query = select(Community).where(
            Community.platform == platform, Community.workspace_id == workspace_id, Community.chat_id == chat_id
        )
        return (await self._session.execute(query)).scalar_one_or_none()

    async def ensure(self, platform: str, workspace_id: str, chat_id: str, title: str, by: int) -> Community:
        values = {
            "platform": platform,
            "workspace_id": workspace_id,
            "chat_id": chat_id,
            "title": title[:200],
            "configured_by": by,
            "publish_policy": "anyone",
        }
        await self._session.execute(
            insert_or_ignore(self._session, Community, ("platform", "workspace_id", "chat_id")), values
        )
        community = await self.find(platform, workspace_id, chat_id)
        assert community is not None
        return community

    async def approve_publisher(self, community_id: int, person_id: int) -> None:
        values = {"community_id": community_id, "person_id": person_id}
        await self._session.execute(
            insert_or_ignore(self._session, CommunityPublisher, ("community_id", "person_id")), values
        )

    async def may_publish(self, community: Community, person_id: int) -> bool:
        if community.publish_policy == "anyone":
            return True
        query = select(CommunityPublisher).where(
            CommunityPublisher.community_id == community.id, CommunityPublisher.person_id == person_id
        )
        return (await self._session.execute(query)).first() is not None

    async def publish(self, class_id: int, community_id: int) -> bool:
        """True when the class is newly published (or published again after being taken down)."""
        existing = (
            await self._session.execute(
                select(Publication).where(Publication.class_id == class_id, Publication.community_id == community_id)
            )
        ).scalar_one_or_none()
        if existing is None:
            self._session.add(Publication(class_id=class_id, community_id=community_id))
            await self._session.flush()
            return True
        if existing.unpublished_at is not None:
            existing.unpublished_at = None
            return True
        return False

    async def unpublish(self, class_id: int, community_id: int, now: datetime) -> bool:
        result = await self._session.execute(
            update(Publication)
            .where(
                Publication.class_id == class_id,
                Publication.community_id == community_id,
                Publication.unpublished_at.is_(None),
            )
            .values(unpublished_at=now)
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]

    async def activity(self, community_id: int, since: datetime) -> tuple[int, int, int]:
        """Classes published since ``since``, their bookings, and bookings with attendance."""
        published = select(Publication.class_id).where(
            Publication.community_id == community_id, Publication.published_at >= since
        )
        classes = (await self._session.execute(select(func.count()).select_from(published.subquery()))).scalar_one()
        bookings = (
            await self._session.execute(
                select(func.count()).where(Booking.class_id.in_(published), Booking.status == "confirmed")
            )
        ).scalar_one()
        attended = (
            await self._session.execute(
                select(func.count(distinct(Attendance.booking_id))).where(
                    Attendance.booking_id.in_(select(Booking.id).where(Booking.class_id.in_(published)))
                )
            )
        ).scalar_one()
        return int(classes), int(bookings), int(attended)
