"""Creating workspaces, users and channels in the world (the caller holds the lock)."""

from __future__ import annotations

import re

from . import ids
from .state import ChannelRecord, Credential, SlackWorld, TeamRecord, UserRecord

DEFAULT_BOT_SCOPES: tuple[str, ...] = (
    "app_mentions:read",
    "channels:read",
    "chat:write",
    "commands",
    "files:write",
    "groups:read",
    "im:history",
    "im:read",
    "im:write",
    "users:read",
)


def create_team(
    world: SlackWorld,
    team_id: str,
    *,
    name: str | None = None,
    bot_user_id: str | None = None,
    bot_token: str | None = None,
) -> TeamRecord:
    """A workspace with the app's bot user in it; the app is installed there when ``bot_token`` is given."""
    domain = re.sub(r"[^a-z0-9-]", "-", (name or f"workspace-{team_id}").lower()).strip("-")
    team = TeamRecord(
        team_id,
        name or f"Workspace {team_id}",
        domain,
        bot_user_id or ids.slack_id("U"),
        ids.slack_id("B"),
        bot_token,
        DEFAULT_BOT_SCOPES if bot_token else (),
    )
    world.teams[team_id] = team
    world.users[team.bot_user_id] = UserRecord(
        team.bot_user_id, team_id, "classbot", "ClassBot", is_bot=True, bot_id=team.bot_id, tz="America/Los_Angeles"
    )
    if bot_token:
        world.tokens[bot_token] = Credential("bot", team_id, team.bot_user_id)
    return team


def create_user(
    world: SlackWorld,
    team_id: str,
    name: str,
    *,
    real_name: str | None = None,
    is_admin: bool = False,
    is_owner: bool = False,
    tz: str = "Europe/Madrid",
    locale: str = "en-US",
    email: str | None = None,
) -> UserRecord:
    handle = re.sub(r"[^a-z0-9._-]", ".", name.lower())
    user = UserRecord(
        ids.slack_id("U"),
        team_id,
        handle,
        real_name or name,
        is_admin or is_owner,
        is_owner,
        tz,
        locale,
        email or f"{handle}@example.com",
    )
    world.users[user.id] = user
    world.changes.notify()
    return user


def create_channel(
    world: SlackWorld,
    team_id: str,
    name: str,
    *,
    members: list[str],
    managers: list[str],
    private: bool,
    creator: str,
) -> ChannelRecord:
    if any(c.name == name and c.team_id == team_id and not c.is_dm for c in world.channels.values()):
        raise ValueError(f"a channel #{name} exists already in {team_id}")
    if not re.fullmatch(r"[a-z0-9_-]{1,80}", name):
        raise ValueError(f"#{name}: Slack channel names are 1-80 lower-case letters, digits, '-' and '_'")
    for user_id in [*members, *managers]:
        if world.team_user(team_id, user_id) is None:
            raise ValueError(f"{user_id} is not a user of {team_id}")
    channel = ChannelRecord(
        ids.slack_id("C"),
        team_id,
        name,
        "private" if private else "public",
        list(dict.fromkeys(members + managers)),
        creator,
        managers=list(managers),
    )
    world.channels[channel.id] = channel
    world.changes.notify()
    return channel


def owner_of(world: SlackWorld, team_id: str) -> UserRecord:
    """The workspace's owner (else its first admin, else its first person; one is made up if it has nobody)."""
    people = [u for u in world.users.values() if u.team_id == team_id and not u.is_bot and not u.deleted]
    for wanted in (lambda u: u.is_owner, lambda u: u.is_admin, lambda u: True):
        found = next((u for u in people if wanted(u)), None)
        if found is not None:
            return found
    return create_user(world, team_id, "owner", real_name="Workspace Owner", is_owner=True)
