"""The shape of a Web API method in the fake: who may call it (token kinds), how its rate-limit key is found, and
the handler, which reads a ``Call`` and returns the fields of ``{"ok": true, …}`` or raises ``SlackError``."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .state import ChannelRecord, Credential, SlackWorld, TeamRecord, TokenKind, UserRecord
from .wire import ApiRequest, SlackError


@dataclass(slots=True)
class Call:
    world: SlackWorld
    request: ApiRequest
    credential: Credential | None = None
    headers: dict[str, str] = field(default_factory=dict)

    @property
    def params(self) -> dict[str, Any]:
        return self.request.params

    @property
    def team(self) -> TeamRecord:
        assert self.credential is not None, "this method needs a token"
        return self.world.teams[self.credential.team_id]

    def user(self, user_id: str | None, error: str = "user_not_found") -> UserRecord:
        found = self.world.team_user(self.team.id, user_id) if user_id else None
        if found is None:
            raise SlackError(error)
        return found

    @property
    def scopes(self) -> tuple[str, ...]:
        """The scopes the call's token carries: its workspace's bot scopes, or those its installing user granted."""
        credential = self.credential
        assert credential is not None, "this method needs a token"
        if credential.kind == "bot":
            return self.team.scopes
        if credential.kind == "user":
            token = self.request.token
            return next((i.user_scopes for i in self.world.installations if i.user_token == token), ())
        return ()

    def require_scope(self, needed: str) -> None:
        """Slack's ``missing_scope`` (with ``needed`` and ``provided``) unless the token carries ``needed``."""
        if needed not in self.scopes:
            raise SlackError("missing_scope", needed=needed, provided=",".join(self.scopes))

    def channel(self, channel_id: str | None, *, open_dm: bool = False) -> ChannelRecord:
        """The conversation ``channel_id`` names, as the bot sees it: a C/G/D id of this workspace (a private
        channel only if the bot is in it), "#name", or with ``open_dm`` a user id, which opens the DM."""
        world = self.world
        if not channel_id:
            raise SlackError("channel_not_found")
        if channel_id.startswith("#"):
            channel_id = next((c.id for c in world.channels.values() if c.name == channel_id[1:]), "")
        if open_dm and channel_id[:1] in ("U", "W"):
            user = self.user(channel_id, "channel_not_found")
            return world.open_im(user)[0]
        found = world.channels.get(channel_id)
        if found is None or found.team_id != self.team.id or (found.kind == "private" and not found.bot_member):
            raise SlackError("channel_not_found")
        return found


Handler = Callable[[Call], dict[str, Any]]


def workspace_key(call: Call) -> str | None:
    """The rate-limit bucket of a tiered method (Tier 1-4): Slack counts each method's calls per workspace, per app
    ("per API method per workspace/team per app"), whoever and whatever they are about."""
    return f"team:{call.credential.team_id}" if call.credential is not None else None


@dataclass(frozen=True, slots=True)
class Method:
    handler: Handler
    tokens: frozenset[TokenKind] = frozenset({"bot", "user"})
    rate_key: Callable[[Call], str | None] | None = None


def method(
    handler: Handler,
    *,
    tokens: tuple[TokenKind, ...] | None = ("bot", "user"),
    rate_key: Callable[[Call], str | None] | None = None,
) -> Method:
    """``tokens=None``: the method authenticates otherwise (oauth.v2.access takes client credentials)."""
    return Method(handler, frozenset(tokens or ()), rate_key)
