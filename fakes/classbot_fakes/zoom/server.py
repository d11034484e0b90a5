"""``FakeZoom``: Zoom's OAuth server and REST API on 127.0.0.1, in a daemon thread with its own event loop.

    with FakeZoom() as zoom:
        teacher = zoom.add_user(email="ann@example.com", licensed=True)
        # ZOOM_OAUTH_URL=zoom.oauth_url, ZOOM_API_URL=zoom.api_url

The server and the test share state behind one lock; every accessor returns copies.
"""

from __future__ import annotations

import dataclasses
import os
import re
import secrets
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

from starlette.types import ASGIApp

from ..runner import ServedFake
from .app import build_app
from .controls import MeetingControls
from .faults import Fault
from .oauth_routes import token_body
from .spec import load_essentials, load_spec
from .state import Clock, DailyCapHeaders, FakeZoomUser, Limits, ZoomCall, ZoomWorld, zoom_id
from .webhooks import WebhookSender, deauthorization_event

DEFAULT_SCOPES: tuple[str, ...] = (
    "meeting:write:meeting",
    "meeting:read:meeting",
    "meeting:update:meeting",
    "meeting:delete:meeting",
    "meeting:read:list_meetings",
    "meeting:write:registrant",
    "meeting:read:list_registrants",
    "meeting:update:registrant_status",
    "user:read:user",
)

UserRef = FakeZoomUser | str


class FakeZoom(ServedFake, MeetingControls):
    """Zoom for tests: OAuth (authorize, token, revoke), the /v2 meeting API checked against Zoom's OpenAPI
    document, Zoom's limits and errors, injected faults, and a transcript of every call.

    ``validate=False`` serves without Zoom's document (``spec.load_essentials``): routes, no checks.
    ``now`` replaces the wall clock (``advance_clock`` moves either); ``registrant_daily_cap`` is Zoom's limit
    on adding one registrant email per day (None: off); ``daily_cap_headers`` chooses the 429 of the per-host
    meeting cap: "documented" (``X-RateLimit-Type: Daily-limit`` and an ISO ``Retry-After``) or "observed"
    (neither, as users reported).
    """

    def __init__(
        self,
        *,
        client_id: str = "zoom-client-id",
        client_secret: str = "zoom-client-secret",  # noqa: S107 - the fake's own made-up app
        access_token_ttl: int = 3599,
        latency: float = 0.0,
        daily_meeting_cap: int = 100,
        spec_path: str | os.PathLike[str] | None = None,
        validate: bool = True,
        port: int = 0,
        now: Callable[[], datetime] | None = None,
        registrant_daily_cap: int | None = 3,
        daily_cap_headers: DailyCapHeaders = "documented",
        start_timeout: float = 10.0,
    ) -> None:
        limits = Limits(
            latency=latency,
            daily_meeting_cap=daily_meeting_cap,
            registrant_daily_cap=registrant_daily_cap,
            daily_cap_headers=daily_cap_headers,
        )
        self._world = ZoomWorld(
            client_id=client_id,
            client_secret=client_secret,
            access_token_ttl=access_token_ttl,
            limits=limits,
            clock=Clock(now),
        )
        self._sender: WebhookSender | None = None
        self._spec_path = spec_path
        self._validate = validate
        super().__init__("FakeZoom", port=port, start_timeout=start_timeout)

    # -- lifecycle ---------------------------------------------------------------------------------------------

    def _app(self) -> ASGIApp:
        return build_app(self._world, load_spec(self._spec_path) if self._validate else load_essentials())

    def _before_serving(self, port: int) -> None:
        with self._world.lock:
            self._world.base_url = self.oauth_url

    @property
    def oauth_url(self) -> str:
        """What ClassBot's ZOOM_OAUTH_URL should be."""
        return f"http://127.0.0.1:{self.port}"

    @property
    def api_url(self) -> str:
        """What ClassBot's ZOOM_API_URL should be."""
        return f"{self.oauth_url}/v2"

    @property
    def client_id(self) -> str:
        return self._world.client_id

    @property
    def client_secret(self) -> str:
        return self._world.client_secret

    # -- users and OAuth ---------------------------------------------------------------------------------------

    def add_user(
        self,
        *,
        email: str,
        first_name: str = "Ann",
        last_name: str = "Teacher",
        licensed: bool = False,
        timezone: str = "America/New_York",
        scopes: Iterable[str] = DEFAULT_SCOPES,
        account_id: str | None = None,
    ) -> FakeZoomUser:
        """A Zoom user (type 2 licensed, else 1 basic), alone in a new account unless ``account_id`` is given."""
        with self._world.lock:
            user = FakeZoomUser(
                id=zoom_id(),
                email=email,
                first_name=first_name,
                last_name=last_name,
                type=2 if licensed else 1,
                timezone=timezone,
                account_id=account_id or zoom_id(),
                scopes=tuple(scopes),
                pmi=1_000_000_000 + secrets.randbelow(8_999_999_999),
                created_at=self._world.now(),
            )
            self._world.users[user.id] = user
            return user

    def carry_over_user(self, user_id: str, email: str, refresh_token: str, *, licensed: bool = True) -> FakeZoomUser:
        """A user recorded by an earlier server, with their id and a live grant for the refresh token a client
        still holds: a database recorded against that server (an upgrade fixture) works against this one."""
        user = self.add_user(email=email, licensed=licensed, timezone="UTC")
        with self._world.lock:
            del self._world.users[user.id]
            user = dataclasses.replace(user, id=user_id)
            self._world.users[user_id] = user
            self._world.oauth.adopt_refresh_token(user_id, refresh_token)
        return user

    def user(self, user: UserRef) -> FakeZoomUser:
        """The current record of a user (by object, id or email)."""
        with self._world.lock:
            return self._world.users[self._user_id(user)]

    @property
    def users(self) -> list[FakeZoomUser]:
        with self._world.lock:
            return list(self._world.users.values())

    def authorize_code(
        self, user: UserRef, *, redirect_uri: str, code_challenge: str | None = None, state: str | None = None
    ) -> str:
        """A code as GET /oauth/authorize would put in the redirect (``state`` only travels in that redirect)."""
        with self._world.lock:
            return self._world.oauth.issue_code(self._user_id(user), redirect_uri, code_challenge)

    def issue_tokens(self, user: UserRef) -> dict[str, object]:
        """Skip the dance: what POST /oauth/token would answer for a fresh authorization of ``user``."""
        with self._world.lock:
            code = self._world.oauth.issue_code(self._user_id(user), "fake://direct", None)
            return token_body(self._world, self._world.oauth.exchange_code(code, "fake://direct", None))

    def is_authorized(self, user: UserRef) -> bool:
        """Whether the user currently has a live grant (not revoked, not deauthorized)."""
        with self._world.lock:
            return self._world.oauth.has_grant(self._user_id(user))

    def expire_access_tokens(self, user: UserRef | None = None) -> None:
        """Every current access token (of ``user``, or of everyone) now answers 401 code 124 "expired"."""
        with self._world.lock:
            self._world.oauth.expire_access_tokens(None if user is None else self._user_id(user))

    def revoke_user_tokens(self, user: UserRef) -> None:
        with self._world.lock:
            self._world.oauth.revoke_user(self._user_id(user))

    def set_scopes(self, user: UserRef, scopes: Iterable[str]) -> FakeZoomUser:
        """Change what the app may do for ``user``; applies to tokens already issued."""
        with self._world.lock:
            current = self._world.users[self._user_id(user)]
            updated = dataclasses.replace(current, scopes=tuple(scopes))
            self._world.users[updated.id] = updated
            return updated

    def deauthorize(self, user: UserRef, *, notify: bool = True) -> dict[str, Any]:
        """The user removes the app in Zoom: tokens die, and ``app_deauthorized`` is posted if a webhook is set."""
        with self._world.lock:
            record = self._world.users[self._user_id(user)]
            self._world.oauth.revoke_user(record.id)
        payload = deauthorization_event(record, self.client_id)
        if notify and self._sender is not None:
            self.deliver(payload)
        return payload

    def configure_webhook(self, url: str, secret_token: str) -> None:
        self._sender = WebhookSender(url, secret_token)

    # -- time, limits and faults -------------------------------------------------------------------------------

    def now(self) -> datetime:
        with self._world.lock:
            return self._world.now()

    def advance_clock(self, seconds: float) -> None:
        """Move the fake's clock (codes, token expiry, daily caps, start_url age); real time is untouched."""
        with self._world.lock:
            self._world.clock.advance(seconds)

    @property
    def latency(self) -> float:
        with self._world.lock:
            return self._world.limits.latency

    @latency.setter
    def latency(self, seconds: float) -> None:
        with self._world.lock:
            self._world.limits.latency = seconds

    @property
    def per_second_limit(self) -> int | None:
        with self._world.lock:
            return self._world.limits.per_second_limit

    @per_second_limit.setter
    def per_second_limit(self, limit: int | None) -> None:
        """Requests per second per account before Zoom's per-second 429 (None: no limit)."""
        with self._world.lock:
            self._world.limits.per_second_limit = limit

    def fail_next(
        self,
        status: int,
        *,
        times: int = 1,
        method: str | None = None,
        path: str | None = None,
        retry_after: float | str | None = None,
        body: dict[str, object] | str | None = None,
        delay: float | None = None,
        after: bool = False,
    ) -> None:
        """Answer the next ``times`` matching /v2 or /oauth/token requests with ``status`` (a dict body is JSON, a
        str body HTML; the default body is what Zoom would send), after ``delay`` seconds. ``status=DROPPED``
        answers nothing and closes the connection (a timeout, when ``delay`` outlasts the client's patience).
        ``after=True``: the request runs first (the meeting is created, the registrant added, the meeting
        deleted), then its answer is replaced by the fault's."""
        pattern = re.compile(path) if path else None
        fault = Fault(status, times, method, pattern, retry_after, body, delay, after)
        with self._world.lock:
            self._world.faults.add(fault)

    def set_fault_rates(
        self, server_error: float = 0.0, rate_limited: float = 0.0, seed: int = 0, *, after_effect: float = 0.0
    ) -> None:
        """Random 5xx and per-second 429 answers (before the request runs) with these probabilities, and with
        probability ``after_effect`` a changing API call that runs and then answers 502 or drops the connection
        (never a token request: see ``FaultPlan.set_rates``); reproducible from ``seed``."""
        with self._world.lock:
            self._world.faults.set_rates(
                server_error=server_error, rate_limited=rate_limited, seed=seed, after_effect=after_effect
            )

    def clear_faults(self) -> None:
        with self._world.lock:
            self._world.faults.clear()

    # -- the transcript ----------------------------------------------------------------------------------------

    @property
    def calls(self) -> list[ZoomCall]:
        with self._world.lock:
            return list(self._world.calls)

    def count(self, method: str | None = None, path: str | None = None) -> int:
        """How many recorded calls match ``method`` and the ``path`` regex (searched, not anchored)."""
        pattern = re.compile(path) if path else None
        return sum(
            1
            for call in self.calls
            if (method is None or call.method == method.upper()) and (pattern is None or pattern.search(call.path))
        )

    def clear_calls(self) -> None:
        with self._world.lock:
            self._world.calls.clear()

    def _user_id(self, user: UserRef) -> str:
        ref = user.id if isinstance(user, FakeZoomUser) else user
        found = self._world.find_user(ref)
        if found is None:
            raise KeyError(f"no Zoom user {ref!r} in the fake")
        return found.id
