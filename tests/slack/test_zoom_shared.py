"""One person on Telegram and Slack shares one Zoom connection, through the real process with both front ends:
Ann connected her Zoom account on Telegram, connects it again from Slack, and answers "Share it" in her Telegram
chat; then her classes on both apps get their meetings in that one Zoom user."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from classbot_fakes.telegram import FakeTelegram
from classbot_fakes.zoom.browser import submit

from tests.slack.world import SlackWorld, slack_world
from tests.support.zoom_consent import consent_in_browser

pytestmark = pytest.mark.slow


@pytest.fixture
async def telegram() -> AsyncIterator[FakeTelegram]:
    with FakeTelegram() as fake:
        yield fake


@pytest.fixture
async def world(tmp_path: Path, sqlite_url: str, telegram: FakeTelegram) -> AsyncIterator[SlackWorld]:
    both = {"TELEGRAM_BOT_TOKEN": telegram.token, "TELEGRAM_BASE_URL": telegram.base_url}
    async with slack_world(tmp_path, sqlite_url, environment=both) as built:
        yield built


async def test_the_holder_shares_their_zoom_account_and_both_sides_make_meetings_in_it(
    world: SlackWorld, telegram: FakeTelegram
) -> None:
    anns_zoom = world.zoom.add_user(email="ann@example.org", timezone="Europe/Madrid")
    ann_tg = telegram.add_user("Ann")
    ann_tg.start_private_chat()

    def told_on_telegram(pattern: str):  # type: ignore[no-untyped-def]
        return telegram.wait_for_message(ann_tg, lambda m: pattern in (m.text or ""), timeout=40)

    await told_on_telegram("books kids")
    ann_tg.send("/connect")
    link = (await told_on_telegram("Connect your Zoom account")).button("Connect Zoom").url
    assert link is not None
    await consent_in_browser(link, anns_zoom.id)
    await told_on_telegram("is connected")

    ann_slack = world.slack.add_user("Ann")
    await world.slack.slash(ann_slack, "connect")
    slack_link = (await world.said(ann_slack, "Connect your Zoom account")).element("Connect Zoom").url
    assert slack_link is not None
    async with httpx.AsyncClient(timeout=10) as browser:
        started = await browser.get(slack_link)
        zoom = await browser.get(started.headers["location"], headers={"X-Fake-Zoom-User": anns_zoom.id})
        page = await browser.get(zoom.headers["location"])
        assert "asked" in (await submit(browser, page, "connect")).text

    question = await told_on_telegram("asks to connect your Zoom account ann@example.org")
    ann_tg.press(question, "Share it")
    await told_on_telegram("is shared with Slack user")
    await world.said(ann_slack, "ann@example.org is connected")

    when = (datetime.now(UTC) + timedelta(days=3)).strftime("%Y-%m-%d 16:30")
    ann_tg.send(f"/newclass Chess | {when} | 45 | 4")
    await told_on_telegram("Created")
    ann_tg.send("/myclasses")
    ann_tg.press(await told_on_telegram("Chess"), "Create the Zoom meeting now")
    await told_on_telegram("Start “Chess”")

    await world.create_class(ann_slack, "Drawing")
    await world.said(ann_slack, "Created")
    home = await world.slack.wait_for_home(ann_slack, lambda view: "Create the Zoom meeting now" in view.all_text)
    await world.slack.press(ann_slack, home, "Create the Zoom meeting now")
    await world.said(ann_slack, "Start “Drawing”")

    meetings = world.zoom.meetings.values()
    assert sorted(meeting.topic for meeting in meetings) == ["Chess", "Drawing"]
    assert {meeting.host_id for meeting in meetings} == {anns_zoom.id}
    refreshes = [c for c in world.zoom.calls if (c.form or {}).get("grant_type") == "refresh_token"]
    assert refreshes == []  # one token set, used by both: neither side's connect killed the other's
