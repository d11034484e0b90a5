"""The database goes away in the middle of a booking rush and comes back: nothing lost, nothing doubled, and no
process restarted. PostgreSQL behind a proxy that refuses and cuts connections for 20 s under two processes; a
SQLite file another connection holds locked for 10 s.

While it is away /healthz says 503, and Telegram's webhook updates are answered non-2xx so that Telegram sends
them again; afterwards every tap answered "Booked" holds one seat, Zoom has one registrant for it, and its link
arrived once (the test servers' records say so, not ClassBot's tables). On SQLite the writers wait the lock out
(their busy timeout is longer), so the webhook answers 200, only later.

Slack sends a command or an interaction once: the person is told to try again in a minute; an event is answered
503 and worked on when Slack sends it again. In Telegram's polling mode getUpdates' offset is held below an
update not stored, so it is asked for again and handled once the database is back.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from bot.storage.database import Database
from bot.storage.models import Booking
from tests.reliability.database_proxy import DatabaseProxy
from tests.reliability.outage import DatabaseOutageRun, LockedSqlite, OutageReport, ProxiedPostgres
from tests.reliability.soak import SoakPlan
from tests.slack.world import slack_world
from tests.telegram.world import TelegramWorld, telegram_world

pytestmark = pytest.mark.slow

TRY_AGAIN = "try again in a minute"
PLAN = SoakPlan(
    teachers=1, classes_per_teacher=4, parents=24, bookings=36, processes=2, reminders=False, cancellations=False
)


def _assert_survived(outcome: OutageReport) -> None:
    report = outcome.soak
    print(
        f"\n| outage (s) | {outcome.outage_seconds:.1f} |"
        f"\n| /healthz during (by status) | {dict(outcome.health_during)} |"
        f"\n| webhook answers (by status) | {dict(outcome.webhook_answers)} |"
        f"\n| recovery: outage end to last link (s) | {outcome.recovery_seconds:.1f} |"
        f"\n{report.table()}"
    )
    assert report.bookings == PLAN.bookings
    assert len(report.tap_to_link) + (report.bookings - report.confirmed_to_parents) == report.bookings
    assert outcome.health_during[503] > 0
    assert set(outcome.health_during) == {503}, outcome.health_during
    assert outcome.health_after == [200] * len(outcome.health_after)
    assert outcome.restarted == 0
    assert outcome.dropped_updates == 0
    # Every tap answered once: a child is told "Booked" once, or put on the waitlist, never both.
    assert all(count == 1 for count in outcome.booked_replies.values()), outcome.booked_replies
    assert report.confirmed_to_parents == len(outcome.booked_replies)
    assert report.missing_links == 0
    assert report.duplicate_links == 0
    assert report.wrong_links == 0
    assert report.registrants_missing == 0
    assert report.registrants_without_seat == 0
    assert report.links_to_waitlisted == 0
    assert report.wrong_seat_counts == 0
    assert report.duplicate_meetings == 0
    assert report.leaks == []


async def test_postgres_away_for_20_seconds_under_two_processes_loses_nothing(
    tmp_path: Path, postgres_url: str
) -> None:
    outage = ProxiedPostgres(postgres_url)
    try:
        outcome = await DatabaseOutageRun(tmp_path, outage, PLAN, seconds=20).run_outage()
    finally:
        outage.proxy.stop()
    assert outage.proxy.cut > 0  # connections were open when it went away, and were cut
    assert any(status >= 500 for status in outcome.webhook_answers)  # Telegram was told to send updates again
    _assert_survived(outcome)


async def test_sqlite_locked_for_10_seconds_loses_nothing(tmp_path: Path, sqlite_url: str) -> None:
    plan = SoakPlan(**{**PLAN.__dict__, "processes": 1})
    outcome = await DatabaseOutageRun(tmp_path, LockedSqlite(sqlite_url), plan, seconds=10).run_outage()
    _assert_survived(outcome)


async def test_slack_asks_to_try_again_and_resends_events_while_postgres_is_away(
    tmp_path: Path, postgres_url: str
) -> None:
    """Slack never sends an interaction or a command again: the person is told, where they acted, to try again in
    a minute. An event is answered 503 (not acknowledged) so that Slack sends it again, and then it is worked on."""
    proxy = DatabaseProxy(postgres_url)
    proxy.start()
    try:
        async with slack_world(tmp_path, proxy.url, mode="http") as world:
            slack = world.slack
            admin, teacher, parent = slack.add_user("Ada", is_admin=True), slack.add_user("Ann"), slack.add_user("Pat")
            room = slack.add_channel("music", members=[admin, teacher, parent])
            await world.set_up_channel(admin, room)
            await world.connect_zoom(teacher, world.zoom.add_user(email="ann@example.org").id)
            await world.create_class(teacher, "Piano", channel=room)
            card = await world.said(room, "New class")
            pid = world.bot.process.pid

            proxy.take_down()
            pressed = await slack.press(parent, card, "Book a seat")
            await world.whispered(parent, TRY_AGAIN)
            command = await slack.slash(parent, "bookings")
            home = await slack.open_home(parent)
            proxy.bring_back()

            await world.book(parent, card, "Mia")
            await world.said(parent, "Here is your Zoom link")
            home_again = await slack.redeliver(home, reason="http_error")
            await slack.wait_until(
                lambda: any(c.method == "views.publish" and c.params.get("user_id") == parent.id for c in slack.calls)
            )
            health = httpx.get(f"{world.bot.url}/healthz", timeout=5).status_code
            still_running = world.bot.process.poll() is None and world.bot.process.pid == pid
    finally:
        proxy.stop()
    assert pressed.acked  # an interaction is acknowledged at once, whatever follows
    assert TRY_AGAIN in str(command.response)  # the command's own answer, shown to the person alone
    assert home.status == 503  # not acknowledged: Slack sends the event again
    assert home_again.status == 200
    assert health == 200
    assert still_running
    assert len([m for m in slack.dm(parent) if "Booked: Mia" in m.all_text]) == 1


async def test_in_polling_mode_every_tap_made_while_postgres_is_away_becomes_one_booking_after(
    tmp_path: Path, postgres_url: str
) -> None:
    """getUpdates' offset stays below an update that was not stored: Telegram keeps it, the poller asks for it
    again once the database is back, and each parent's tap made during the outage is one booking, answered once."""
    proxy = DatabaseProxy(postgres_url)
    proxy.start()
    children = [f"Kid{n}" for n in range(3)]
    try:
        with telegram_world(tmp_path, proxy.url) as world:
            teacher = world.telegram.add_user("Tess")
            teacher.start_private_chat()
            await world.said(teacher, "books kids")
            when = (datetime.now(UTC) + timedelta(days=3)).strftime("%Y-%m-%d 16:30")
            teacher.send(f"/newclass Chess | {when} | 45 | 5")
            created = await world.said(teacher, "Created:")
            [share] = [url for url in created.urls if "start=c_" in url]
            parents = [world.telegram.add_user(f"Parent{n}") for n in range(len(children))]
            for parent in parents:
                parent.open_deep_link(share)
                card = await world.said(parent, "“Chess”")
                parent.press(card, card.button_texts[0])
                await world.said(parent, "who is the seat for")
            proxy.take_down()
            taps = [parent.send(child) for parent, child in zip(parents, children, strict=True)]
            tapped = {tap.update_id for tap in taps}
            # The process got the taps, could not store them, and left them with Telegram.
            await _logged(world, "was not stored", times=len(children))
            assert tapped <= {update["update_id"] for update in world.telegram.pending_updates}
            proxy.bring_back()
            for parent, child in zip(parents, children, strict=True):
                await world.said(parent, f"Booked: {child} in “Chess”")
            said = [m.text or "" for parent in parents for m in world.telegram.messages(parent)]
    finally:
        proxy.stop()
    assert [text for text in said if TRY_AGAIN in text or "Sorry" in text] == []
    assert sorted(text.split()[1] for text in said if text.startswith("Booked: ")) == children
    database = Database.connect(postgres_url)
    try:
        async with database.read() as session:
            booked = (await session.execute(select(Booking.child_name))).scalars().all()
    finally:
        await database.dispose()
    assert sorted(booked) == children


async def _logged(world: TelegramWorld, words: str, *, times: int, timeout: float = 60) -> None:
    """Until the process's log holds ``words`` on ``times`` lines (read as it grows)."""
    deadline = asyncio.get_running_loop().time() + timeout
    while world.bot.output().count(words) < times:
        assert asyncio.get_running_loop().time() < deadline, world.bot.output()[-3000:]
        await asyncio.sleep(0.1)
