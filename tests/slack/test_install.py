"""Installing into many workspaces, through the real process: /slack/install, Slack's consent, /slack/oauth_redirect;
the installation is stored in ClassBot's database and its token is used for that workspace."""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.slack.world import SlackWorld, slack_world

pytestmark = pytest.mark.slow


@pytest.fixture
async def world(tmp_path: Path, sqlite_url: str) -> AsyncIterator[SlackWorld]:
    async with slack_world(tmp_path, sqlite_url, mode="http", multi_workspace=True) as built:
        yield built


async def test_an_installed_workspace_is_served_with_its_own_token(world: SlackWorld, tmp_path: Path) -> None:
    slack = world.slack
    installed = await slack.install(team_id="T0002")
    refused = await slack.install(team_id="T0003", deny=True)
    [installation] = slack.installations
    teacher = slack.add_user("Tess", team_id="T0002")
    stranger = slack.add_user("Sam", team_id="T0003")

    helped = await slack.slash(teacher, "help")
    await world.connect_zoom(teacher, world.zoom.add_user(email="tess@example.org").id)  # DMs from both sides
    not_installed = await slack.slash(stranger, "help")

    assert installed.status == 200
    assert installed.state is not None
    assert refused.code is None
    assert installation.team_id == "T0002"
    assert "What ClassBot can do" in str(helped.response)
    assert "What ClassBot can do" not in str(not_installed.response)
    posts = [call for call in slack.calls if call.method == "chat.postMessage"]
    assert len(posts) >= 2  # the link (a listener) and "connected" (the worker, through the notifier)
    assert {call.token for call in posts} == {installation.bot_token}
    with sqlite3.connect(tmp_path / "classbot.db") as database:
        rows = database.execute("SELECT team_id, bot_user_id FROM slack_bots").fetchall()
        states = database.execute("SELECT count(*) FROM slack_oauth_states").fetchone()
    assert rows == [("T0002", installation.bot_user_id)]
    assert states == (1,)  # the denied install's state is left to expire; the used one is gone
    slack.assert_acks_in_time()
