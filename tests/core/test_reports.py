"""Reports: the roster as a spreadsheet for its teacher only, and a community's numbers for its admins only."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from classbot_fakes.zoom import FakeZoom

from bot.core.communities import CommunityRef
from bot.core.errors import NotAllowed
from bot.core.reports import Reports
from bot.storage.identity import PersonRef
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
