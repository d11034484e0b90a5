"""``FakeSlack``: Slack's Web API, authorize page and Socket Mode on 127.0.0.1, each in a daemon thread.

    with FakeSlack() as slack:
        ann = slack.add_user("Ann", is_admin=True)
        # SLACK_API_URL=slack.api_url, SLACK_BOT_TOKEN=slack.bot_token, SLACK_APP_TOKEN=slack.app_token
        delivery = await slack.slash(ann, "new")

The servers and the test share state behind one lock; every accessor returns copies.
"""

from __future__ import annotations

from collections.abc import Iterable

from starlette.types import ASGIApp

from ..runner import ServedFake
from .app import build_app
from .bot_http import BotHttp
from .delivery import Deliverer
from .driver import ChannelRef, SlackDriver, UserRef
from .limits import ScriptedFault
from .people import create_channel, create_team, create_user
from .records import FakeSlackChannel, FakeSlackUser, Installation
from .socket_mode import SocketModeServer
from .state import Credential, SlackWorld
from .transcript import Transcript


class FakeSlack(ServedFake, SlackDriver, BotHttp, Transcript):
    """Slack for tests: the Web API methods ClassBot uses (checked as Slack checks them), Socket Mode and HTTP
    delivery of commands, interactions and events, the OAuth install, limits and faults, and a transcript."""

    def __init__(
        self,
        *,
        signing_secret: str = "slack-signing-secret",  # noqa: S107 - the fake's own made-up app
        bot_token: str = "xoxb-test-1111-2222-fakebottoken",  # noqa: S107 - the fake's own made-up app
        app_token: str = "xapp-test-1-A0FAKEAPP01-fakeapptoken",  # noqa: S107 - the fake's own made-up app
        client_id: str = "1111.2222",
        client_secret: str = "slack-client-secret",  # noqa: S107 - the fake's own made-up app
        team_id: str = "T0001",
        bot_user_id: str = "U0BOT",
        team_name: str = "ClassBot Test",
        trigger_ttl: float = 3.0,
        http_timeout: float = 10.0,
        port: int = 0,
        socket_port: int = 0,
        start_timeout: float = 10.0,
    ) -> None:
        self._world = SlackWorld(signing_secret, app_token, client_id, client_secret, team_id, trigger_ttl=trigger_ttl)
        with self._world.lock:
            create_team(self._world, team_id, name=team_name, bot_user_id=bot_user_id, bot_token=bot_token)
            self._world.tokens[app_token] = Credential("app", team_id, bot_user_id)
        self._sockets = SocketModeServer(self._world, port=socket_port, start_timeout=start_timeout)
        self._deliverer = Deliverer(self._world, self._sockets, http_timeout=http_timeout)
        super().__init__("FakeSlack", port=port, start_timeout=start_timeout)

    # -- lifecycle ---------------------------------------------------------------------------------------------

    def _app(self) -> ASGIApp:
        return build_app(self._world)

    def _before_serving(self, port: int) -> None:
        """Socket Mode's server starts first: both addresses are known before any request can ask for them."""
        self._sockets.start()
        with self._world.lock:
            self._world.base_url = f"http://127.0.0.1:{port}"
            self._world.socket_url = f"ws://127.0.0.1:{self._sockets.port}"

    def _serving_failed(self) -> None:
        self._sockets.stop()

    def _before_stopping(self) -> None:
        """Close Socket Mode connections and its server."""
        self._sockets.stop()

    @property
    def base_url(self) -> str:
        with self._world.lock:
            if not self._world.base_url:
                raise RuntimeError("FakeSlack has not been started")
            return self._world.base_url

    @property
    def api_url(self) -> str:
        """What ClassBot's SLACK_API_URL should be (with the trailing slash slack-sdk's base_url needs)."""
        return f"{self.base_url}/api/"

    @property
    def authorize_url(self) -> str:
        """Slack's authorize page (Bolt's ``AsyncOAuthSettings(authorization_url=…)``)."""
        return f"{self.base_url}/oauth/v2/authorize"

    @property
    def socket_url(self) -> str:
        with self._world.lock:
            return self._world.socket_url

    # -- the app's credentials ---------------------------------------------------------------------------------

    @property
    def bot_token(self) -> str:
        token = self._world.teams[self._world.default_team].bot_token
        assert token is not None
        return token

    @property
    def app_token(self) -> str:
        return self._world.app_token

    @property
    def signing_secret(self) -> str:
        return self._world.signing_secret

    @property
    def client_id(self) -> str:
        return self._world.client_id

    @property
    def client_secret(self) -> str:
        return self._world.client_secret

    @property
    def team_id(self) -> str:
        return self._world.default_team

    @property
    def bot_user_id(self) -> str:
        return self._world.teams[self._world.default_team].bot_user_id

    @property
    def bot_id(self) -> str:
        return self._world.teams[self._world.default_team].bot_id

    @property
    def app_id(self) -> str:
        return self._world.app_id

    @property
    def installations(self) -> list[Installation]:
        with self._world.lock:
            return list(self._world.installations)

    def set_request_url(self, url: str | None) -> None:
        """Where commands, interactions and events go over HTTP (the bot's ``…/slack/events``) when no app is
        connected over Socket Mode; also where ``install`` finds ``/slack/install`` (same origin)."""
        with self._world.lock:
            self._world.request_url = url
            if url is not None and self._world.redirect_uri is None:
                scheme, _, rest = url.partition("://")
                self._world.redirect_uri = f"{scheme}://{rest.split('/', 1)[0]}/slack/oauth_redirect"

    def set_redirect_uri(self, url: str) -> None:
        """The app's configured redirect URL, used when the authorize request names none."""
        with self._world.lock:
            self._world.redirect_uri = url

    # -- people and channels -----------------------------------------------------------------------------------

    def add_user(
        self,
        name: str,
        *,
        is_admin: bool = False,
        is_owner: bool = False,
        tz: str = "Europe/Madrid",
        locale: str = "en-US",
        real_name: str | None = None,
        email: str | None = None,
        team_id: str | None = None,
    ) -> FakeSlackUser:
        with self._world.lock:
            team = team_id or self._world.default_team
            if team not in self._world.teams:
                create_team(self._world, team)
            return create_user(
                self._world,
                team,
                name,
                real_name=real_name,
                is_admin=is_admin,
                is_owner=is_owner,
                tz=tz,
                locale=locale,
                email=email,
            ).public()

    def add_channel(
        self,
        name: str,
        *,
        members: Iterable[UserRef],
        managers: Iterable[UserRef] = (),
        private: bool = False,
        bot_is_member: bool = False,
    ) -> FakeSlackChannel:
        """A channel of the first member's workspace (managers are members too); the bot joins only through
        ``invite_bot`` (or ``bot_is_member``, which sends no event)."""
        with self._world.lock:
            member_ids = [self._user(m).id for m in members]
            manager_ids = [self._user(m).id for m in managers]
            if not member_ids + manager_ids:
                raise ValueError("a channel needs at least one member")
            team = self._world.users[(member_ids + manager_ids)[0]].team_id
            channel = create_channel(
                self._world,
                team,
                name,
                members=member_ids,
                managers=manager_ids,
                private=private,
                creator=(manager_ids + member_ids)[0],
            )
            channel.bot_member = bot_is_member
            return channel.public()

    def join(self, user: UserRef, channel: ChannelRef) -> None:
        with self._world.lock:
            record = self._channel(channel)
            user_id = self._user(user).id
            if user_id not in record.members:
                record.members.append(user_id)
            self._world.changes.notify()

    def leave(self, user: UserRef, channel: ChannelRef) -> None:
        with self._world.lock:
            record = self._channel(channel)
            user_id = self._user(user).id
            if user_id in record.members:
                record.members.remove(user_id)
            self._world.changes.notify()

    def archive(self, channel: ChannelRef) -> None:
        """The channel is archived: nothing can be posted there, and lists leave it out when asked to."""
        with self._world.lock:
            self._channel(channel).archived = True
            self._world.changes.notify()

    def set_bot_scopes(self, scopes: Iterable[str], *, team_id: str | None = None) -> None:
        """The scopes the workspace's bot token carries, as if the app had been installed asking for these."""
        with self._world.lock:
            self._world.teams[team_id or self._world.default_team].scopes = tuple(scopes)

    def user(self, user: UserRef) -> FakeSlackUser:
        with self._world.lock:
            return self._user(user).public()

    def channel(self, channel: ChannelRef) -> FakeSlackChannel:
        with self._world.lock:
            return self._channel(channel).public()

    def dm_channel_id(self, user: UserRef) -> str:
        """The id of the user's DM with the app (opened if need be)."""
        with self._world.lock:
            return self._world.open_im(self._user(user))[0].id

    # -- Socket Mode -------------------------------------------------------------------------------------------

    @property
    def socket_connected(self) -> bool:
        return self._sockets.connected

    @property
    def socket_connections(self) -> int:
        return self._sockets.connection_count

    async def wait_for_socket(self, *, timeout: float = 10.0) -> None:
        """Until an app is connected over Socket Mode."""
        await self.wait_until(lambda: self._sockets.connected or None, timeout=timeout)

    def request_disconnect(self, reason: str = "refresh_requested") -> None:
        """Slack's ``disconnect`` message to every connection: the client reconnects."""
        self._sockets.request_disconnect(reason)

    def drop_socket_connections(self) -> None:
        self._sockets.drop_connections()

    # -- time, limits and faults -------------------------------------------------------------------------------

    def advance_clock(self, seconds: float) -> None:
        """Move the fake's clock (trigger_ids, OAuth codes, response_urls, rate-limit windows)."""
        with self._world.lock:
            self._world.clock_offset += seconds

    @property
    def latency(self) -> float:
        with self._world.lock:
            return self._world.latency

    @latency.setter
    def latency(self, seconds: float) -> None:
        """Seconds added before every Web API answer."""
        with self._world.lock:
            self._world.latency = seconds

    def set_rate_limit(self, method: str, per_second: float | None, *, burst: int = 1) -> None:
        """Limit ``method`` per channel for chat methods (e.g. "chat.postMessage", 1.0: Slack's one message per
        second per channel, ``burst`` allowed at once), per workspace for tiered ones (e.g. "views.open", 100 / 60:
        Tier 4); None lifts the limit. Over it: HTTP 429, Retry-After, ratelimited."""
        with self._world.lock:
            self._world.limits.set(method, per_second, burst)

    def fail_next(
        self, method: str, error: str, *, status: int = 200, retry_after: int | None = None, times: int = 1
    ) -> None:
        """The next ``times`` calls of ``method`` ("*": any) answer ``{"ok": false, "error": error}`` with HTTP
        ``status`` (and ``Retry-After`` when given), e.g. ``fail_next("chat.postMessage", "ratelimited",
        status=429, retry_after=1)``."""
        with self._world.lock:
            self._world.faults.add(ScriptedFault(method, error, status, retry_after, times))

    def clear_faults(self) -> None:
        with self._world.lock:
            self._world.faults.clear()
