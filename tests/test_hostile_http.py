"""Malformed, oversized, wrongly typed, unsigned and stale requests at every endpoint: a clear 4xx, no state change."""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from classbot_fakes.slack import FakeSlack, signed_headers
from classbot_fakes.zoom import FakeZoom
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from slack_sdk.oauth.installation_store import Installation

from bot.app import Components
from bot.handlers.telegram.render import valid_payload
from tests.support.database_dump import dump_database
from tests.support.notifier import RecordingNotifier
from tests.support.zoom_app import ZoomWorld, zoom_components, zoom_settings, zoom_world

BIG = b"x" * (2 * 1024 * 1024)
FORM = "application/x-www-form-urlencoded"
JSON = "application/json"


@pytest.fixture
async def world(sqlite_url: str, fake_zoom: FakeZoom, tmp_path: Path) -> AsyncIterator[ZoomWorld]:
    async with zoom_world(sqlite_url, fake_zoom, tmp_path) as built:
        yield built


@pytest.mark.parametrize(
    ("method", "path", "kwargs"),
    [
        ("POST", "/zoom/webhook", {"content": b"{}"}),
        ("POST", "/zoom/webhook", {"content": BIG}),
        ("POST", "/zoom/webhook", {"content": b"\xff\xfe not json", "headers": {"x-zm-signature": "v0=00"}}),
        ("GET", "/zoom/webhook", {}),
        ("GET", "/zoom/oauth/callback", {}),
        ("GET", "/zoom/oauth/callback", {"params": {"state": "x" * 5000, "code": "y"}}),
        ("GET", "/zoom/oauth/callback", {"params": {"error": "access_denied"}}),
        ("GET", "/zoom/oauth/start", {"params": {"state": "\x00\x01"}}),
        ("POST", "/zoom/oauth/callback", {"content": BIG}),
        ("POST", "/telegram/webhook", {"json": {"update_id": 1}}),
        ("POST", "/telegram/webhook", {"content": BIG}),
        ("GET", "/nowhere", {}),
    ],
)
async def test_a_hostile_request_gets_a_4xx_and_changes_nothing(
    world: ZoomWorld, method: str, path: str, kwargs: dict[str, object]
) -> None:
    before = await dump_database(world.components)
    response = await world.web.request(method, path, **kwargs)  # type: ignore[arg-type]
    assert 400 <= response.status_code < 500, (response.status_code, response.text[:200])
    assert await dump_database(world.components) == before


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(query=st.dictionaries(st.sampled_from(["state", "code", "error"]), st.text(max_size=300), max_size=3))
async def test_no_callback_query_crashes_the_oauth_route(world: ZoomWorld, query: dict[str, str]) -> None:
    response = await world.web.get("/zoom/oauth/callback", params=query)
    assert response.status_code in (200, 400, 503)
    assert await world.connections() == []


@given(st.text(max_size=100))
def test_deep_link_payloads_are_accepted_only_in_telegrams_alphabet(payload: str) -> None:
    accepted = valid_payload(payload)
    assert accepted == (0 < len(payload) <= 64 and all(c.isascii() and (c.isalnum() or c in "_-") for c in payload))


# --- Slack: /slack/events in HTTP mode, and the multi-workspace install -------------------------------------------


@dataclass
class SlackWeb:
    components: Components
    web: httpx.AsyncClient
    slack: FakeSlack

    def signed(self, body: bytes, content_type: str = FORM, *, age: int = 0) -> dict[str, Any]:
        """``body`` with the headers Slack sends, signed ``age`` seconds ago."""
        headers = signed_headers(
            self.slack.signing_secret, body, content_type=content_type, timestamp=int(time.time()) - age
        )
        return {"content": body, "headers": headers}


@pytest.fixture
def fake_slack() -> Iterator[FakeSlack]:
    with FakeSlack() as slack:
        yield slack


@pytest.fixture
async def slack_web(
    sqlite_url: str, fake_zoom: FakeZoom, fake_slack: FakeSlack, tmp_path: Path
) -> AsyncIterator[SlackWeb]:
    """ClassBot installed (in its database) into the fake's workspace, taking Slack's requests over HTTP."""
    settings = zoom_settings(
        sqlite_url,
        fake_zoom,
        tmp_path,
        slack_client_id=fake_slack.client_id,
        slack_client_secret=fake_slack.client_secret,
        slack_signing_secret=fake_slack.signing_secret,
        slack_api_url=fake_slack.api_url,
    )
    async with zoom_components(settings, RecordingNotifier()) as (components, web):
        assert components.slack is not None
        assert components.slack.platform.installing is not None
        installed = Installation(
            app_id=fake_slack.app_id,
            team_id=fake_slack.team_id,
            bot_token=fake_slack.bot_token,
            bot_id=fake_slack.bot_id,
            bot_user_id=fake_slack.bot_user_id,
            user_id="U0INSTALLER",
        )
        await components.slack.platform.installing.installations.async_save(installed)
        yield SlackWeb(components, web, fake_slack)


def _command(team_id: str = "T0001") -> bytes:
    return f"command=%2Fclassbot&text=help&team_id={team_id}&user_id=U0PARENT&trigger_id=1.2.3".encode()


def _signed_json(value: object) -> tuple[bytes, str]:
    return json.dumps(value).encode(), JSON


SLACK_EVENTS: list[tuple[str, Any]] = [
    ("empty and unsigned", lambda w: {"content": b""}),
    ("a command, unsigned", lambda w: {"content": _command(), "headers": {"content-type": FORM}}),
    (
        "a command, wrongly signed",
        lambda w: {"content": _command(), "headers": w.signed(b"something else")["headers"]},
    ),
    ("a command signed six minutes ago", lambda w: w.signed(_command(), age=360)),
    ("a command signed for six minutes from now", lambda w: w.signed(_command(), age=-360)),
    (
        "a timestamp that is no number",
        lambda w: {
            "content": _command(),
            "headers": w.signed(_command())["headers"] | {"X-Slack-Request-Timestamp": "1e9"},
        },
    ),
    (
        "a signature that is not ASCII",
        lambda w: {
            "content": _command(),
            "headers": w.signed(_command())["headers"] | {"X-Slack-Signature": b"v0=\xe9"},
        },
    ),
    ("oversized", lambda w: {"content": BIG}),
    ("not UTF-8", lambda w: {"content": b"command=\xff\xfe", "headers": w.signed(_command())["headers"]}),
    ("not JSON, signed", lambda w: w.signed(b"{not json", JSON)),
    ("a JSON list, signed", lambda w: w.signed(*_signed_json([]))),
    ("a JSON object of no kind, signed", lambda w: w.signed(*_signed_json({"team_id": "T0001"}))),
    ("an interaction that is not JSON, signed", lambda w: w.signed(b"payload=%7Bnot+json")),
    ("a form of no kind, signed", lambda w: w.signed(b"a=1&b=2")),
    (
        "an event that is a string, signed",
        lambda w: w.signed(*_signed_json({"type": "event_callback", "team_id": "T0001", "event": "app_home_opened"})),
    ),
    (
        "button presses that are a number, signed",
        lambda w: w.signed(
            *_signed_json({"type": "block_actions", "team": {"id": "T0001"}, "user": {"id": "U1"}, "actions": 5})
        ),
    ),
    (
        "a press of no button, signed",
        lambda w: w.signed(
            *_signed_json({"type": "block_actions", "team": {"id": "T0001"}, "user": {"id": "U1"}, "actions": []})
        ),
    ),
    (
        "a submission whose view and user are wrongly typed, signed",
        lambda w: w.signed(
            *_signed_json({"type": "view_submission", "team": {"id": "T0001"}, "user": 5, "view": "book_seat"})
        ),
    ),
]


@pytest.mark.parametrize("make", [case[1] for case in SLACK_EVENTS], ids=[case[0] for case in SLACK_EVENTS])
async def test_a_hostile_slack_request_gets_a_4xx_and_changes_nothing(slack_web: SlackWeb, make: Any) -> None:
    before = await dump_database(slack_web.components)
    response = await slack_web.web.post("/slack/events", **make(slack_web))
    assert 400 <= response.status_code < 500, (response.status_code, response.text[:200])
    assert await dump_database(slack_web.components) == before
    assert slack_web.slack.count("chat.postMessage") == 0


@pytest.mark.parametrize(
    ("method", "path", "kwargs"),
    [
        ("GET", "/slack/events", {}),
        ("POST", "/slack/install", {"content": BIG}),
        ("POST", "/slack/oauth_redirect", {"content": b"code=1&state=2"}),
        ("GET", "/slack/oauth_redirect", {}),
        ("GET", "/slack/oauth_redirect", {"params": {"state": "s"}}),
        ("GET", "/slack/oauth_redirect", {"params": {"code": "c"}}),
        ("GET", "/slack/oauth_redirect", {"params": {"code": "c", "state": "x" * 5000}}),
        ("GET", "/slack/oauth_redirect", {"params": {"code": "c", "state": "\x00\x01"}}),
        (
            "GET",
            "/slack/oauth_redirect",
            {
                "params": {"code": "c", "state": "never-issued"},
                "headers": {"cookie": "slack-app-oauth-state=never-issued"},
            },
        ),
    ],
)
async def test_a_hostile_request_to_the_slack_install_gets_a_4xx_and_installs_nothing(
    slack_web: SlackWeb, method: str, path: str, kwargs: dict[str, Any]
) -> None:
    before = await dump_database(slack_web.components)
    response = await slack_web.web.request(method, path, **kwargs)
    assert 400 <= response.status_code < 500, (response.status_code, response.text[:200])
    assert await dump_database(slack_web.components) == before
    assert slack_web.slack.count("oauth.v2.access") == 0


async def test_slacks_own_signed_request_still_gets_through(slack_web: SlackWeb) -> None:
    response = await slack_web.web.post("/slack/events", **slack_web.signed(_command()))
    assert response.status_code == 200
    assert "What ClassBot can do" in response.text


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
    max_leaves=12,
)
_FIELDS = st.sampled_from(["type", "team", "team_id", "user", "event", "actions", "view", "channel", "enterprise"])


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    fields=st.dictionaries(_FIELDS, _JSON, max_size=6),
    kind=st.sampled_from(["event_callback", "block_actions", "view_submission", "shortcut", None]),
)
async def test_no_signed_body_of_any_shape_makes_the_slack_endpoint_fail(
    slack_web: SlackWeb, fields: dict[str, Any], kind: str | None
) -> None:
    if kind is not None:
        fields = {**fields, "type": kind, "team_id": "T0001"}
    response = await slack_web.web.post("/slack/events", **slack_web.signed(*_signed_json(fields)))
    assert response.status_code < 500, (fields, response.text[:200])


_FORM_VALUES = st.dictionaries(
    st.sampled_from(["title", "date", "time", "seats", "channel", "child", "words", "approval", "min_bookings"]),
    _JSON | st.dictionaries(st.just("value"), _JSON | st.dictionaries(st.text(max_size=15), _JSON, max_size=3)),
    max_size=5,
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    callback=st.sampled_from(["new_class", "book_seat", "message_parents"]),
    metadata=_JSON,
    state=_JSON | st.fixed_dictionaries({"values": _JSON | _FORM_VALUES}),
)
async def test_no_signed_form_of_any_content_makes_a_submission_fail(
    slack_web: SlackWeb, callback: str, metadata: object, state: object
) -> None:
    submission = {
        "type": "view_submission",
        "team": {"id": "T0001"},
        "user": {"id": "U0PARENT", "name": "pat"},
        "trigger_id": "1.2.3",
        "view": {"id": "V1", "type": "modal", "callback_id": callback, "private_metadata": metadata, "state": state},
    }
    response = await slack_web.web.post("/slack/events", **slack_web.signed(*_signed_json(submission)))
    assert response.status_code < 500, (submission, response.text[:200])
