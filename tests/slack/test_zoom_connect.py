"""Connecting Zoom through the real process and Slack: the same rules as on Telegram, from the same core. The
confirmation page names the Slack person, a held Zoom account moves only when its holder presses "Hand it over"
in their direct messages, a failed connect is told there too, and a teacher's classes are in their Zoom profile's
timezone unless they chose another."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from classbot_fakes.slack import FakeSlackUser
from classbot_fakes.zoom.browser import submit

from tests.slack.world import SlackWorld, as_shown, slack_world

pytestmark = pytest.mark.slow


@pytest.fixture
async def world(tmp_path: Path, sqlite_url: str) -> AsyncIterator[SlackWorld]:
    async with slack_world(tmp_path, sqlite_url) as built:
        yield built


async def _connect_link(world: SlackWorld, user: FakeSlackUser) -> str:
    await world.slack.slash(user, "connect")
    link = (await world.said(user, "Connect your Zoom account")).element("Connect Zoom").url
    assert link is not None
    return link


async def test_a_held_zoom_account_moves_only_when_its_holder_hands_it_over(world: SlackWorld) -> None:
    ann, bob = world.slack.add_user("Ann"), world.slack.add_user("Bob")
    anns_zoom = world.zoom.add_user(email="ann@example.org")
    await world.connect_zoom(ann, anns_zoom.id)

    link = await _connect_link(world, bob)
    async with httpx.AsyncClient(timeout=10) as browser:
        started = await browser.get(link)
        zoom = await browser.get(started.headers["location"], headers={"X-Fake-Zoom-User": anns_zoom.id})
        page = await browser.get(zoom.headers["location"])
        assert "to ClassBot for Slack user bob?" in page.text  # Slack names people by their handle
        assert "asked" in (await submit(browser, page, "connect")).text

    question = await world.said(ann, "asks to connect your Zoom account ann@example.org")
    await world.said(bob, "we asked them")
    await world.slack.press(ann, question, "Hand it over")

    await world.whispered(ann, "now belongs to Slack user bob")
    await world.said(bob, "ann@example.org is connected")


async def test_a_declined_connect_is_told_in_a_direct_message(world: SlackWorld) -> None:
    ann = world.slack.add_user("Ann")
    anns_zoom = world.zoom.add_user(email="ann@example.org")
    link = await _connect_link(world, ann)

    async with httpx.AsyncClient(timeout=10) as browser:
        started = await browser.get(link)
        headers = {"X-Fake-Zoom-User": anns_zoom.id, "X-Fake-Zoom-Consent": "deny"}
        zoom = await browser.get(started.headers["location"], headers=headers)
        assert (await browser.get(zoom.headers["location"])).status_code == 400

    told = await world.said(ann, "declined in Zoom")
    assert "/classbot connect" in told.all_text  # Slack says its own command


async def test_the_new_class_form_reads_times_in_the_zoom_profiles_timezone(world: SlackWorld) -> None:
    """Product contract flow 1: the teacher's timezone defaults to their Zoom profile's (Tokyo here), before the
    one in their Slack profile (Los Angeles): the form opens in it and the class made from it is in it."""
    slack = world.slack
    teacher = slack.add_user("Ann", tz="America/Los_Angeles")
    await world.connect_zoom(teacher, world.zoom.add_user(email="ann@example.org", timezone="Asia/Tokyo").id)
    day = (datetime.now(UTC) + timedelta(days=3)).date().isoformat()

    await slack.slash(teacher, "new")
    form = await slack.wait_for_view(teacher, lambda view: view.callback_id == "new_class")
    typed = {"title": "Chess", "date": day, "time": "16:30", "duration": "45", "seats": "5"}
    created = await slack.submit_view(
        teacher, form, as_shown(form) | {block: {"value": value} for block, value in typed.items()}
    )
    told = await world.said(teacher, "Created")

    assert as_shown(form)["timezone"] == {"value": "Asia/Tokyo"}
    assert created.errors is None, created.errors
    assert "16:30 (Asia/Tokyo)" in told.all_text
