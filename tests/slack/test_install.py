"""Installing into many workspaces, through the real process: /slack/install, Slack's consent, /slack/oauth_redirect;
the installation is stored in ClassBot's database, its token encrypted, and used for that workspace."""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.slack.world import SlackWorld, slack_world

pytestmark = pytest.mark.slow


@pytest.fixture
async def world(tmp_path: Path, sqlite_url: str) -> AsyncIterator[SlackWorld]:
    # DEBUG: slack-sdk then logs every Web API answer, oauth.v2.access's token included, to be scrubbed.
    async with slack_world(
        tmp_path, sqlite_url, mode="http", multi_workspace=True, environment={"LOG_LEVEL": "DEBUG"}
    ) as built:
        yield built


def _every_value(database: Path) -> str:
    """Every value of every table in the SQLite file, as text."""
    with sqlite3.connect(database) as connection:
        tables = [name for (name,) in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        rows = [row for table in tables for row in connection.execute(f'SELECT * FROM "{table}"')]  # noqa: S608
    return "\n".join(" ".join(str(value) for value in row) for row in rows)


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


async def test_slack_tokens_are_stored_encrypted_and_never_logged(world: SlackWorld, tmp_path: Path) -> None:
    slack = world.slack
    await slack.install(team_id="T0002")
    [installation] = slack.installations
    parent = slack.add_user("Pat", team_id="T0002")
    database = tmp_path / "classbot.db"

    stored = _every_value(database)
    with sqlite3.connect(database) as connection:
        [(bot_token,)] = connection.execute("SELECT bot_token FROM slack_bots").fetchall()
        [(installed_token,)] = connection.execute("SELECT bot_token FROM slack_installations").fetchall()
    bookings = await slack.slash(parent, "bookings")
    await world.all_handled()

    assert installation.bot_token not in stored
    assert "xoxb-" not in stored
    assert bot_token.startswith("gAAAAA")  # Fernet, with ClassBot's keys
    assert installed_token.startswith("gAAAAA")
    assert "You have no upcoming bookings" in str(bookings.response)  # the workspace is served all the same
    output = world.bot.output()
    assert "oauth.v2.access" in output  # DEBUG logging did show Slack's answers…
    assert installation.bot_token not in output  # …with the token scrubbed
    assert slack.client_secret not in output


async def test_a_token_stored_in_clear_by_an_older_classbot_keeps_working_and_is_encrypted(
    world: SlackWorld, tmp_path: Path
) -> None:
    slack = world.slack
    await slack.install(team_id="T0002")
    [installation] = slack.installations
    teacher = slack.add_user("Tess", team_id="T0002")
    database = tmp_path / "classbot.db"
    assert world.bot.stop() == 0
    with sqlite3.connect(database) as connection:  # as ClassBot stored it before tokens were encrypted
        connection.execute("UPDATE slack_bots SET bot_token = ?", (installation.bot_token,))
        connection.execute("UPDATE slack_installations SET bot_token = ?", (installation.bot_token,))

    world.bot.start()
    world.bot.wait_healthy()
    helped = await slack.slash(teacher, "help")

    assert "What ClassBot can do" in str(helped.response)
    assert installation.bot_token not in _every_value(database)
    assert "encrypted 2 Slack tokens that were stored in clear" in world.bot.output()
