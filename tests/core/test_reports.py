"""Reports: the roster as a spreadsheet for its teacher only, and a community's numbers for its admins only."""

from __future__ import annotations

import csv
import io
import struct
from datetime import date, timedelta
from pathlib import Path

import pytest
from classbot_fakes.zoom import FakeZoom
from sqlalchemy import select

from bot.core.charts import ChartWords, render
from bot.core.communities import CommunityRef
from bot.core.errors import NotAllowed
from bot.core.reports import Reports
from bot.core.weekly import WeeklyActivity
from bot.storage.classes import Classes as ClassesStorage
from bot.storage.identity import PersonRef
from bot.storage.models import Booking
from tests.support.core_world import TEACHER, core_world, parent

GROUP = CommunityRef("telegram", "-100777", title="Parents")
ADMIN = PersonRef("telegram", "9001")


async def test_the_roster_csv_lists_the_children_and_defuses_formulas(
    sqlite_url: str, fake_zoom: FakeZoom, tmp_path: Path
) -> None:
    async with core_world(sqlite_url, fake_zoom, tmp_path) as world:
        reports = Reports(world.components.database, world.components.classes, clock=world.components.clock)
        cls = await world.new_class(seats=1)
        await world.components.bookings.book(parent(1), cls.public_id, ["=HYPERLINK(evil)"], "t1")
        await world.components.bookings.book(parent(2), cls.public_id, ["Bo"], "t2")

        english = world.components.catalogs.translator("en")
        name, body = await reports.roster_csv(TEACHER, cls.public_id, language=english)
        with pytest.raises(NotAllowed):
            await reports.roster_csv(parent(1), cls.public_id, language=english)
        _, spanish = await reports.roster_csv(
            TEACHER, cls.public_id, language=world.components.catalogs.translator("es")
        )

    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert name.endswith(".csv")
    assert rows[0] == ["child", "parent", "status", "sessions attended"]
    assert rows[1][:3] == ["'=HYPERLINK(evil)", "Parent 1", "confirmed"]
    assert rows[2][:3] == ["Bo", "", "waitlist"]
    spanish_rows = list(csv.reader(io.StringIO(spanish.decode("utf-8-sig"))))
    assert spanish_rows[0] == ["niño o niña", "familia", "estado", "sesiones a las que asistió"]
    assert spanish_rows[1][2] == "confirmada"
    assert spanish_rows[2][2] == "en lista de espera"


async def test_community_numbers_are_for_admins(sqlite_url: str, fake_zoom: FakeZoom, tmp_path: Path) -> None:
    async with core_world(sqlite_url, fake_zoom, tmp_path) as world:
        reports = Reports(world.components.database, world.components.classes, clock=world.components.clock)
        await world.components.communities.set_up(ADMIN, GROUP, admin_verified=True)
        cls = await world.new_class()
        await world.components.communities.publish(TEACHER, cls.public_id, GROUP)
        await world.components.bookings.book(parent(1), cls.public_id, ["Ada", "Bo"], "t1")

        with pytest.raises(NotAllowed):
            await reports.community_stats(GROUP, admin_verified=False)
        stats = await reports.community_stats(GROUP, admin_verified=True)

    assert (stats.classes, stats.bookings, stats.attended) == (1, 2, 0)


async def test_the_last_twelve_weeks_count_bookings_attendance_and_cancellations(
    sqlite_url: str, fake_zoom: FakeZoom, tmp_path: Path
) -> None:
    """Bookings are made now; the report is read three weeks later, so they fall in the ninth of twelve weeks,
    and the weeks with nothing show as zeros."""
    async with core_world(sqlite_url, fake_zoom, tmp_path) as world:
        later = world.clock() + timedelta(weeks=3)
        reports = Reports(world.components.database, world.components.classes, clock=lambda: later)
        await world.components.communities.set_up(ADMIN, GROUP, admin_verified=True)
        cls = await world.new_class()
        await world.components.communities.publish(TEACHER, cls.public_id, GROUP)
        booked = await world.components.bookings.book(parent(1), cls.public_id, ["Ada", "Bo", "Cy"], "t1")
        await world.components.bookings.cancel(parent(1), booked.booked[2].public_id)
        unpublished = await world.new_class(title="Not in the group")
        await world.components.bookings.book(parent(2), unpublished.public_id, ["Di"], "t2")
        async with world.components.database.write() as session:
            rows = (await session.execute(select(Booking).order_by(Booking.id))).scalars().all()
            first_session = (await ClassesStorage(session).sessions(rows[0].class_id))[0]
            week_after = world.clock() + timedelta(weeks=1)
            for booking, key in ((rows[0], "ada"), (rows[1], "bo")):
                await ClassesStorage(session).record_attendance(first_session.id, booking.id, key, week_after)
            # Ada again on another device, in the same session: one attendance still.
            await ClassesStorage(session).record_attendance(first_session.id, rows[0].id, "ada-2", week_after)

        with pytest.raises(NotAllowed):
            await reports.community_weeks(GROUP, admin_verified=False)
        group = await reports.community_weeks(GROUP, admin_verified=True)
        own = await reports.teacher_weeks(TEACHER)
        with pytest.raises(NotAllowed):
            await reports.teacher_weeks(parent(1))

    assert len(group.starts) == 12
    assert all(start.weekday() == 0 for start in group.starts)
    assert group.starts[-1] <= later.date() < group.starts[-1] + timedelta(weeks=1)
    now_week = 11 - 3
    assert group.booked == tuple(3 if week == now_week else 0 for week in range(12))
    assert group.cancelled == tuple(1 if week == now_week else 0 for week in range(12))
    assert group.attended == tuple(2 if week == now_week + 1 else 0 for week in range(12))
    assert group.totals == (3, 2, 1)
    assert own.totals == (4, 2, 1)  # the teacher's other class counts for the teacher, not for the group


def test_the_chart_is_a_png_of_reasonable_size() -> None:
    activity = WeeklyActivity(
        starts=tuple(date(2027, 1, 4) + timedelta(weeks=n) for n in range(12)),
        booked=(0, 1, 4, 2, 0, 0, 7, 3, 2, 1, 0, 5),
        attended=(0, 1, 3, 2, 0, 0, 6, 3, 1, 1, 0, 0),
        cancelled=(0, 0, 1, 0, 0, 0, 1, 0, 1, 0, 0, 0),
    )
    words = ChartWords(
        "The last 12 weeks",
        "Week starting",
        "Count",
        ("Bookings", "Attended", "Cancellations"),
        tuple(f"W{n}" for n in range(12)),
    )
    png = render(activity, words)

    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    assert png[12:16] == b"IHDR"
    width, height = struct.unpack(">II", png[16:24])
    assert (width, height) == (640, 360)
    assert 5_000 < len(png) < 200_000
    assert png.endswith(b"IEND\xaeB`\x82")
