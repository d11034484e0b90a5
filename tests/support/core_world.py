"""ClassBot's core wired to a FakeZoom, a connected teacher, and helpers to create classes and run the worker."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from classbot_fakes.zoom import FakeZoom
from sqlalchemy import select

from bot.core.class_input import ClassDraft
from bot.core.membership import MembershipSource
from bot.core.refunds import Refunder
from bot.core.views import ClassView
from bot.storage.identity import PersonRef
from bot.storage.models import Class, Job
from bot.support.clock import Clock, utc_now
from tests.support.members import Directory
from tests.support.zoom_app import ZoomWorld, zoom_world

TEACHER = PersonRef("telegram", "1001", display_name="Ann Lee")


def parent(n: int) -> PersonRef:
    return PersonRef("telegram", str(5000 + n), display_name=f"Parent {n}")


@dataclass
class CoreWorld:
    zoom_world: ZoomWorld
    clock: Clock
    directory: Directory  # who is in which community, unless the test brought a platform of its own

    @property
    def components(self):  # type: ignore[no-untyped-def]
        return self.zoom_world.components

    @property
    def zoom(self) -> FakeZoom:
        return self.zoom_world.zoom

    @property
    def notifier(self):  # type: ignore[no-untyped-def]
        return self.zoom_world.notifier

    async def new_class(
        self,
        *,
        days_ahead: float = 3,
        seats: int = 10,
        sessions: int = 1,
        in_community: bool = False,
        title: str = "Chess for kids",
        teacher: PersonRef = TEACHER,
        **extra: object,
    ) -> ClassView:
        start = (self.clock() + timedelta(days=days_ahead)).astimezone(ZoneInfo("Europe/Madrid"))
        draft = ClassDraft(
            title=title,
            starts_on=start.date(),
            starts_at=start.time().replace(second=0, microsecond=0),
            duration_minutes=45,
            seats=seats,
            timezone="Europe/Madrid",
            sessions=sessions,
            **extra,  # type: ignore[arg-type]
        )
        return await self.components.classes.create(teacher, draft, in_community=in_community)

    async def run_jobs(self, rounds: int = 20) -> None:
        """Run due jobs until none is due (or ``rounds`` batches ran)."""
        for _ in range(rounds):
            if await self.components.worker.run_due_jobs() == 0:
                return

    async def job_states(self) -> list[tuple[str, str]]:
        async with self.components.database.read() as session:
            return [(job.kind, job.status) for job in (await session.execute(select(Job).order_by(Job.id))).scalars()]

    async def class_row(self, public_id: str) -> Class:
        async with self.components.database.read() as session:
            return (await session.execute(select(Class).where(Class.public_id == public_id))).scalar_one()

    def links_to(self, person: PersonRef) -> list[str]:
        return [
            button.url
            for recipient, message in self.notifier.sent
            if recipient.user_id == person.user_id
            for button in message.buttons
            if button.url
        ]

    def texts_to(self, person: PersonRef) -> list[str]:
        return self.notifier.texts_for(person.user_id)


@asynccontextmanager
async def core_world(
    database_url: str,
    fake_zoom: FakeZoom,
    data_dir: Path,
    *,
    clock: Clock = utc_now,
    licensed: bool = False,
    zoom_timeout: float | None = None,
    membership_sources: Mapping[str, MembershipSource] | None = None,
    refunders: Mapping[str, Refunder] | None = None,
    settings: Mapping[str, object] | None = None,
    slack_too: bool = False,
) -> AsyncIterator[CoreWorld]:
    """``membership_sources``: the platforms' word on membership (by default a ``Directory`` for both);
    ``settings`` more settings (Stripe's); ``slack_too`` records Slack's private messages too."""
    directory = Directory()
    sources = membership_sources or {"telegram": directory, "slack": directory}
    async with zoom_world(
        database_url,
        fake_zoom,
        data_dir,
        clock=clock,
        licensed=licensed,
        zoom_timeout=zoom_timeout,
        membership_sources=sources,
        refunders=refunders,
        settings=settings,
        slack_too=slack_too,
    ) as world:
        await world.connect_teacher(TEACHER)
        world.notifier.sent.clear()
        yield CoreWorld(world, clock, directory)


def in_days(clock: Clock, days: float) -> datetime:
    return clock() + timedelta(days=days)
