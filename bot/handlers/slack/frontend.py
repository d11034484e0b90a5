"""The Slack front end's lifecycle: slack-bolt's AsyncApp on the process's one event loop.

Requests reach the app over Socket Mode when ``SLACK_APP_TOKEN`` is set (an outgoing websocket: no public URL
needed), otherwise over HTTP at ``/slack/events`` on our Starlette app. One workspace uses ``SLACK_BOT_TOKEN``;
with ``SLACK_CLIENT_ID``/``SLACK_CLIENT_SECRET`` the app installs into many, each workspace's token kept by
slack-sdk's installation store in our database.

Every listener acknowledges first and works after; Bolt runs that work in tasks of its own, which the front end
tracks so that ``stop`` can let them finish: stop taking deliveries, then drain, then close.

Two parts, built at two moments: ``SlackPlatform`` (clients, installations, the AsyncApp and the notifier)
first, because the core's messenger needs the notifier; ``SlackFrontEnd`` last, given the core's ``Services``,
registers the listeners and runs the whole.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
import time
from collections.abc import Awaitable, Callable
from typing import Any, cast

from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.async_app import AsyncApp
from slack_bolt.authorization import AuthorizeResult
from slack_bolt.kwargs_injection.async_args import AsyncArgs
from slack_sdk.errors import SlackApiError

from bot.config import Settings
from bot.core.services import Services
from bot.handlers.slack.actions import Actions
from bot.handlers.slack.base import Listener, ask_to_try_again
from bot.handlers.slack.blocks import COMMAND
from bot.handlers.slack.commands import Commands
from bot.handlers.slack.events import Events
from bot.handlers.slack.home import HomeTab
from bot.handlers.slack.installations import Installing, Workspaces, web_client
from bot.handlers.slack.members import SlackMembers
from bot.handlers.slack.modal import APPROVE_TEACHER, BOOK, EDIT_CLASS, MESSAGE_PARENTS, NEW_CLASS, RESCHEDULE
from bot.handlers.slack.notifier import SlackNotifier
from bot.handlers.slack.submissions import Submissions
from bot.storage.cipher import SecretCipher
from bot.storage.database import Database, is_unavailable
from bot.storage.slack_tokens import seal_slack_tokens

log = logging.getLogger(__name__)

_DRAIN_SECONDS = 10.0
_WHERE_TO_FIND = {
    "SLACK_BOT_TOKEN": "use the Bot User OAuth Token (xoxb-…) from the app's OAuth & Permissions page.",
    "SLACK_APP_TOKEN": "use an app-level token (xapp-…) with the connections:write scope, from Basic Information.",
}
_REFUSED_TOKEN = frozenset(
    {"invalid_auth", "not_authed", "account_inactive", "token_revoked", "not_allowed_token_type"}
)


class SlackPlatform:
    """Slack's clients, the installations, Bolt's AsyncApp and the notifier the core sends through."""

    def __init__(self, settings: Settings, database: Database, cipher: SecretCipher) -> None:
        self._settings = settings
        self._database = database
        self._cipher = cipher
        multi = settings.slack_client_id is not None
        bot_token = None if multi else _secret(settings.slack_bot_token)
        if multi and settings.slack_bot_token is not None:
            log.info("SLACK_CLIENT_ID is set, so each workspace's own token is used and SLACK_BOT_TOKEN is not")
        self.client = web_client(settings.slack_api_url, bot_token)
        self.installing = Installing(settings, database, cipher, self.client) if multi else None
        self.app = AsyncApp(
            name="classbot",
            logger=_bolt_logger(),
            client=self.client,
            signing_secret=_secret(settings.slack_signing_secret) or "",
            oauth_settings=self.installing.settings if self.installing else None,
            # Bolt's own AsyncAuthorize class, which its annotation (a plain callable) does not spell.
            authorize=cast("Callable[..., Awaitable[AuthorizeResult]]", self.installing.authorize)
            if self.installing
            else None,
        )
        if self.installing is not None:
            self.app.enable_token_revocation_listeners()  # an uninstall deletes the workspace's stored tokens
        self.workspaces = Workspaces(
            settings.slack_api_url,
            bot_token=bot_token,
            installations=self.installing.installations if self.installing else None,
        )
        self.notifier = SlackNotifier(self.workspaces)
        self.members = SlackMembers(self.workspaces)
        self._socket: AsyncSocketModeHandler | None = None
        self._connecting: asyncio.Task[Any] | None = None
        self.working: set[asyncio.Task[Any]] = set()

    @property
    def socket_mode(self) -> bool:
        return self._settings.slack_app_token is not None

    @property
    def http_signing_secret(self) -> str | None:
        """What ``/slack/events`` checks requests with; None in Socket Mode, where nothing arrives over HTTP."""
        return None if self.socket_mode else _secret(self._settings.slack_signing_secret)

    @property
    def install_enabled(self) -> bool:
        """Whether other workspaces can install the app (``/slack/install``)."""
        return bool(self.installing)

    async def start(self) -> None:
        """Check the tokens (a refused one stops start-up with one clear line), then open Socket Mode if asked.

        With many workspaces, Slack tokens stored in clear by an older ClassBot are encrypted first.

        The websocket is opened in the background: slack-sdk keeps retrying while Slack is unreachable, and the
        rest of ClassBot (the web server, Telegram, reminders) must not wait for it.
        """
        if self.installing is None:
            await self._check_token("SLACK_BOT_TOKEN", self.client.auth_test())
        else:
            sealed = await seal_slack_tokens(self._database, self._cipher)
            if sealed:
                log.info("encrypted %d Slack tokens that were stored in clear", sealed)
        app_token = _secret(self._settings.slack_app_token)
        if app_token is not None:
            await self._check_token("SLACK_APP_TOKEN", self.client.apps_connections_open(app_token=app_token))
            self._socket = AsyncSocketModeHandler(self.app, app_token, web_client=self.client)
            connecting = self._socket.connect_async()  # type: ignore[no-untyped-call]
            self._connecting = asyncio.create_task(connecting, name="slack-socket-mode")
        mode = "Socket Mode" if app_token else "HTTP mode at /slack/events"
        workspaces = "many workspaces (install at /slack/install)" if self.installing else "one workspace"
        log.info("Slack front end starting in %s, for %s", mode, workspaces)

    async def stop(self) -> None:
        """Stop taking deliveries, let the work already acknowledged finish, then close the connection."""
        if self._connecting is not None and not self._connecting.done():
            self._connecting.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._connecting
        if self._socket is not None:
            await self._socket.close_async()  # type: ignore[no-untyped-call]
        working = [task for task in self.working if not task.done()]
        if working:
            _, late = await asyncio.wait(working, timeout=_DRAIN_SECONDS)
            if late:
                log.warning("%d Slack listeners were still working at shutdown", len(late))

    @staticmethod
    async def _check_token(name: str, call: Awaitable[object]) -> None:
        """A refused token stops start-up with one clear line; Slack being unreachable only warns."""
        try:
            await call
        except SlackApiError as refused:
            error = str(refused.response.get("error"))
            if error in _REFUSED_TOKEN:
                raise SystemExit(f"Slack refused {name} ({error}): {_WHERE_TO_FIND[name]}") from None
            log.warning("Slack did not accept %s's check (%s); going on", name, error)
        except (OSError, TimeoutError) as failure:
            log.warning("could not reach Slack to check %s (%s); going on", name, type(failure).__name__)


class SlackFrontEnd:
    """The listeners over the core's services, on the platform's AsyncApp: started and stopped as one."""

    def __init__(self, platform: SlackPlatform, services: Services) -> None:
        self.platform = platform
        self._services = services
        home = HomeTab(services, platform.workspaces)
        platform.notifier.after_private(home.refresh_quietly)
        many_workspaces = platform.installing is not None
        commands, actions = Commands(services, home, many_workspaces=many_workspaces), Actions(services, home)
        submissions, events = Submissions(services, home), Events(services, home)
        app = platform.app
        app.command(COMMAND)(self._tracked(commands.slash))
        app.view(NEW_CLASS)(self._tracked(submissions.new_class))
        app.view(BOOK)(self._tracked(submissions.book))
        app.view(MESSAGE_PARENTS)(self._tracked(submissions.message_parents))
        app.view(RESCHEDULE)(self._tracked(submissions.reschedule))
        app.view(EDIT_CLASS)(self._tracked(submissions.edit))
        app.view(APPROVE_TEACHER)(self._tracked(submissions.approve_teacher))
        app.action(re.compile(".*"))(self._tracked(actions.press))
        app.event("app_home_opened")(self._tracked(events.home_opened))
        app.event("member_joined_channel")(self._tracked(events.member_joined))
        app.error(_on_error)

    async def start(self) -> None:
        await self.platform.start()

    async def stop(self) -> None:
        await self.platform.stop()

    def _tracked(self, listener: Listener) -> Listener:
        """``listener``, its task remembered while it runs (Bolt keeps no reference to it), and timed; a database
        outage it meets before it could answer (a command's first lookup) is told to the person."""

        async def tracked(args: AsyncArgs) -> None:
            task = asyncio.current_task()
            if task is not None:
                self.platform.working.add(task)
            started = time.perf_counter()
            try:
                await listener(args)
            except Exception as failure:
                if not is_unavailable(failure):
                    raise
                log.warning("a Slack request met a database outage; the person is asked to try again")
                await ask_to_try_again(self._services, args)
            finally:
                if task is not None:
                    self.platform.working.discard(task)
                seconds = time.perf_counter() - started
                self._services.metrics.observe("classbot_update_seconds", seconds, platform="slack")

        tracked.__name__ = tracked.__qualname__ = getattr(listener, "__name__", "listener")
        return tracked


class _TokenInClient(logging.Filter):
    """Bolt reads SLACK_BOT_TOKEN from the environment itself and warns that the client we give it (which holds
    that token, or each workspace's) wins over it. It does, as intended: the warning would only mislead."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "`token` will be unused" not in record.getMessage()


def _bolt_logger() -> logging.Logger:
    bolt = logging.getLogger("slack_bolt.classbot")
    if not any(isinstance(existing, _TokenInClient) for existing in bolt.filters):
        bolt.addFilter(_TokenInClient())
    return bolt


async def _on_error(error: Exception) -> None:
    log.error("a Slack request failed: %s", type(error).__name__, exc_info=error)


def _secret(value: object) -> str | None:
    get = getattr(value, "get_secret_value", None)
    return str(get()) if get is not None else None
