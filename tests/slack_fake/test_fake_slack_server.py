"""The fake Slack behaves like Slack as seen through slack-sdk's AsyncWebClient, its Socket Mode client, its
SignatureVerifier, and Bolt's AsyncApp in Socket Mode and HTTP mode (with the OAuth install)."""

from __future__ import annotations

import contextlib
import json
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from classbot_fakes.runner import ThreadedServer
from classbot_fakes.slack import FakeSlack, check_blocks, check_view, load_spec
from classbot_fakes.slack.app import METHODS
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.adapter.starlette.async_handler import AsyncSlackRequestHandler
from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncRespond
from slack_bolt.oauth.async_oauth_settings import AsyncOAuthSettings
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_async_handlers import AsyncRateLimitErrorRetryHandler
from slack_sdk.oauth.installation_store import FileInstallationStore
from slack_sdk.oauth.state_store import FileOAuthStateStore
from slack_sdk.signature import SignatureVerifier
from slack_sdk.socket_mode.aiohttp import SocketModeClient
from slack_sdk.socket_mode.request import SocketModeRequest
from slack_sdk.socket_mode.response import SocketModeResponse
from slack_sdk.web.async_client import AsyncWebClient
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.types import ASGIApp

REPO = Path(__file__).resolve().parents[2]

MODAL: dict[str, Any] = {
    "type": "modal",
    "callback_id": "new_class",
    "title": {"type": "plain_text", "text": "New class"},
    "submit": {"type": "plain_text", "text": "Create"},
    "blocks": [
        {
            "type": "input",
            "block_id": "title",
            "label": {"type": "plain_text", "text": "Title"},
            "element": {"type": "plain_text_input", "action_id": "value"},
        },
        {
            "type": "input",
            "block_id": "seats",
            "optional": True,
            "label": {"type": "plain_text", "text": "Seats"},
            "element": {
                "type": "static_select",
                "action_id": "pick",
                "options": [{"text": {"type": "plain_text", "text": str(n)}, "value": str(n)} for n in (5, 10, 20)],
            },
        },
    ],
}


def section(text: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


def book_button(value: str = "class-1") -> dict[str, Any]:
    button = {"type": "button", "action_id": "book", "value": value, "text": {"type": "plain_text", "text": "Book"}}
    return {"type": "actions", "block_id": "card", "elements": [button]}


async def refusal(call: Any) -> SlackApiError:
    """The SlackApiError an awaited Web API call raises."""
    with pytest.raises(SlackApiError) as raised:
        await call
    return raised.value


@contextlib.contextmanager
def serving(app: ASGIApp) -> Iterator[str]:
    """``app`` on 127.0.0.1 in its own thread; yields its base URL."""
    server = ThreadedServer(app, name="bot-under-test")
    server.start(server.bind())
    try:
        yield f"http://127.0.0.1:{server.port}"
    finally:
        server.stop()


def bolt_routes(app: AsyncApp) -> Starlette:
    """Bolt's Starlette adapter on the paths ClassBot serves."""
    handler = AsyncSlackRequestHandler(app)

    async def endpoint(request: Request) -> Response:
        return await handler.handle(request)

    return Starlette(
        routes=[
            Route("/slack/events", endpoint, methods=["POST"]),
            Route("/slack/install", endpoint, methods=["GET"]),
            Route("/slack/oauth_redirect", endpoint, methods=["GET"]),
        ]
    )


# -- auth and the basics -----------------------------------------------------------------------------------------


async def test_auth_test_answers_the_bot(fake_slack: FakeSlack, slack_client: AsyncWebClient) -> None:
    answer = await slack_client.auth_test()

    assert answer["ok"] is True
    assert (answer["team_id"], answer["user_id"], answer["bot_id"]) == ("T0001", "U0BOT", fake_slack.bot_id)
    assert answer["url"] == "https://classbot-test.slack.com/"
    assert "chat:write" in answer.headers["x-oauth-scopes"]
    assert fake_slack.count("auth.test") == 1


async def test_a_wrong_missing_or_misplaced_token_is_refused(fake_slack: FakeSlack) -> None:
    wrong = await refusal(AsyncWebClient(token="xoxb-not-issued", base_url=fake_slack.api_url).auth_test())
    missing = await refusal(AsyncWebClient(base_url=fake_slack.api_url).auth_test())
    app_token = AsyncWebClient(token=fake_slack.app_token, base_url=fake_slack.api_url)
    wrong_kind = await refusal(app_token.chat_postMessage(channel="C1", text="hi"))

    assert wrong.response.status_code == 200
    assert wrong.response.data == {"ok": False, "error": "invalid_auth"}
    assert missing.response["error"] == "not_authed"
    assert wrong_kind.response["error"] == "not_allowed_token_type"
    async with httpx.AsyncClient() as raw:
        in_json = await raw.post(f"{fake_slack.api_url}auth.test", json={"token": fake_slack.bot_token})
        in_form = await raw.post(f"{fake_slack.api_url}auth.test", data={"token": fake_slack.bot_token})
        unknown = await raw.post(f"{fake_slack.api_url}chat.teleport", data={"token": fake_slack.bot_token})
    assert in_json.json()["error"] == "not_authed"  # Slack reads no token from a JSON body
    assert in_form.json()["ok"] is True
    assert unknown.json()["error"] == "unknown_method"


async def test_methods_keep_to_the_spec(fake_slack: FakeSlack, slack_client: AsyncWebClient) -> None:
    """Each method, called as the document describes (GET query or POST), answers the fields it promises; without
    an argument the document (or real Slack, where it is stale) requires, it refuses with a documented error."""
    spec = load_spec()
    ann = fake_slack.add_user("Ann")
    room = fake_slack.add_channel("yoga", members=[ann], bot_is_member=True)
    posted = await slack_client.chat_postMessage(channel=room.id, text="card")
    doomed = await slack_client.chat_postMessage(channel=room.id, text="to delete")
    await slack_client.views_open(trigger_id=fake_slack.issue_trigger_id(ann), view=MODAL)
    arguments: dict[str, Any] = {
        "auth.test": lambda: {},
        "users.info": lambda: {"user": ann.id},
        "conversations.info": lambda: {"channel": room.id},
        "conversations.members": lambda: {"channel": room.id},
        "users.conversations": lambda: {"user": ann.id},
        "conversations.open": lambda: {"users": ann.id},
        "chat.postMessage": lambda: {"channel": room.id, "text": "hi"},
        "chat.postEphemeral": lambda: {"channel": room.id, "user": ann.id, "text": "hi"},
        "chat.update": lambda: {"channel": room.id, "ts": posted["ts"], "text": "edited"},
        "chat.delete": lambda: {"channel": room.id, "ts": doomed["ts"]},
        "views.open": lambda: {"trigger_id": fake_slack.issue_trigger_id(ann), "view": MODAL},
        "views.push": lambda: {"trigger_id": fake_slack.issue_trigger_id(ann), "view": MODAL | {"callback_id": "p"}},
        "views.update": lambda: {"view_id": fake_slack.current_view(ann).id, "view": MODAL},  # type: ignore[union-attr]
        "views.publish": lambda: {"user_id": ann.id, "view": {"type": "home", "blocks": []}},
    }
    headers = {"Authorization": f"Bearer {fake_slack.bot_token}"}

    async def call(raw: httpx.AsyncClient, http_method: str, method: str, args: dict[str, Any]) -> dict[str, Any]:
        url = f"{fake_slack.api_url}{method}"
        response = await (raw.get(url, params=args) if http_method == "GET" else raw.post(url, json=args))
        assert response.status_code == 200
        answer: dict[str, Any] = response.json()
        return answer

    on_their_own = {"oauth.v2.access", "apps.connections.open", "files.getUploadURLExternal"}
    assert set(METHODS) - set(arguments) == on_their_own | {"files.completeUploadExternal"}
    for missing in ("apps.connections.open", "files.getUploadURLExternal", "files.completeUploadExternal"):
        assert spec.method(missing) is None  # missing from the document
    async with httpx.AsyncClient(headers=headers) as raw:
        for method, make in arguments.items():
            documented = spec.method(method)
            assert documented is not None, method
            answer = await call(raw, documented.http_method, method, make())
            assert answer["ok"] is True, (method, answer)
            assert set(documented.success_fields) <= set(answer), (method, answer)
            for name in documented.required:
                refused = await call(
                    raw, documented.http_method, method, {k: v for k, v in make().items() if k != name}
                )
                assert refused["ok"] is False, (method, name)
                assert documented.errors is None or refused["error"] in documented.errors, (method, name, refused)


async def test_who_is_in_which_channel_as_slack_lists_it(fake_slack: FakeSlack, slack_client: AsyncWebClient) -> None:
    """users.conversations lists a person's channels of the types asked (public only by default), private ones only
    where the bot is too, archived ones unless excluded; conversations.members pages through a channel."""
    ann, bea = fake_slack.add_user("Ann"), fake_slack.add_user("Bea")
    chess = fake_slack.add_channel("chess", members=[ann, bea], bot_is_member=True)
    art = fake_slack.add_channel("art", members=[ann])
    staff = fake_slack.add_channel("staff", members=[ann], private=True, bot_is_member=True)
    secret = fake_slack.add_channel("secret", members=[ann], private=True)
    old = fake_slack.add_channel("old", members=[ann])
    fake_slack.archive(old)
    fake_slack.leave(bea, chess)

    public = await slack_client.users_conversations(user=ann.id)
    every = await slack_client.users_conversations(
        user=ann.id, types="public_channel,private_channel", exclude_archived=True
    )
    first = await slack_client.users_conversations(user=ann.id, types="public_channel", limit=1)
    rest = await slack_client.users_conversations(
        user=ann.id, types="public_channel", limit=1000, cursor=first["response_metadata"]["next_cursor"]
    )
    bea_in = await slack_client.users_conversations(user=bea.id)
    members = await slack_client.conversations_members(channel=chess.id, limit=1)
    wrong_type = await refusal(slack_client.users_conversations(user=ann.id, types="public_channel,dm"))

    assert {c["id"] for c in public["channels"]} == {chess.id, art.id, old.id}
    assert {c["id"] for c in every["channels"]} == {chess.id, art.id, staff.id}  # not #secret, not archived #old
    assert secret.id not in {c["id"] for c in every["channels"]}
    assert all("is_member" not in c and "num_members" not in c for c in every["channels"])
    assert len(first["channels"]) == 1
    assert {c["id"] for c in first["channels"] + rest["channels"]} == {chess.id, art.id, old.id}
    assert rest["response_metadata"]["next_cursor"] == ""
    assert bea_in["channels"] == []
    assert members["members"] == [ann.id]
    assert members["response_metadata"]["next_cursor"] != ""
    assert wrong_type.response["error"] == "invalid_types"


async def test_membership_methods_need_their_read_scopes(fake_slack: FakeSlack, slack_client: AsyncWebClient) -> None:
    """Without groups:read nothing private is listed (missing_scope names what is needed and what the token has);
    without channels:read nothing public."""
    ann = fake_slack.add_user("Ann")
    chess = fake_slack.add_channel("chess", members=[ann], bot_is_member=True)
    staff = fake_slack.add_channel("staff", members=[ann], private=True, bot_is_member=True)
    fake_slack.set_bot_scopes(["chat:write", "commands", "channels:read"])

    public = await slack_client.users_conversations(user=ann.id, types="public_channel")
    chess_members = await slack_client.conversations_members(channel=chess.id)
    private = await refusal(slack_client.users_conversations(user=ann.id, types="public_channel,private_channel"))
    staff_members = await refusal(slack_client.conversations_members(channel=staff.id))
    fake_slack.set_bot_scopes(["chat:write", "commands"])
    no_public = await refusal(slack_client.users_conversations(user=ann.id))

    assert [c["id"] for c in public["channels"]] == [chess.id]
    assert chess_members["members"] == [ann.id, fake_slack.bot_user_id]
    assert (private.response["error"], private.response["needed"]) == ("missing_scope", "groups:read")
    assert private.response["provided"] == "chat:write,commands,channels:read"
    assert (staff_members.response["error"], staff_members.response["needed"]) == ("missing_scope", "groups:read")
    assert (no_public.response["error"], no_public.response["needed"]) == ("missing_scope", "channels:read")


# -- chat --------------------------------------------------------------------------------------------------------


async def test_post_message_to_a_user_id_opens_a_dm(fake_slack: FakeSlack, slack_client: AsyncWebClient) -> None:
    ann = fake_slack.add_user("Ann")

    posted = await slack_client.chat_postMessage(channel=ann.id, text="Your link: https://zoom.us/j/1")
    opened = await slack_client.conversations_open(users=ann.id)

    assert posted["channel"].startswith("D")
    assert posted["channel"] == opened["channel"]["id"] == fake_slack.dm_channel_id(ann)
    assert opened["already_open"] is True
    assert posted["message"]["bot_id"] == fake_slack.bot_id
    assert posted["message"]["user"] == "U0BOT"
    [message] = fake_slack.dm(ann)
    assert message.ts == posted["ts"]
    assert message.links == ["https://zoom.us/j/1"]
    assert fake_slack.messages(posted["channel"]) == fake_slack.messages(ann) == [message]
    assert (await fake_slack.wait_for_message(ann, lambda m: "zoom" in m.all_text)).ts == posted["ts"]


@pytest.mark.filterwarnings("ignore:The top-level `text` argument is missing:UserWarning")
async def test_post_message_keeps_slacks_rules(fake_slack: FakeSlack, slack_client: AsyncWebClient) -> None:
    ann = fake_slack.add_user("Ann")
    room = fake_slack.add_channel("yoga", members=[ann])
    secret = fake_slack.add_channel("staff", members=[ann], private=True)

    outside = await refusal(slack_client.chat_postMessage(channel=room.id, text="hello"))
    hidden = await refusal(slack_client.conversations_info(channel=secret.id))
    await fake_slack.invite_bot(room, notify=False)
    empty = await refusal(slack_client.chat_postMessage(channel=room.id))
    long_text = await refusal(slack_client.chat_postMessage(channel=room.id, blocks=[section("x" * 3001)]))
    too_many = await refusal(slack_client.chat_postMessage(channel=room.id, blocks=[section("x")] * 51))
    value = book_button("v" * 2001)
    long_value = await refusal(slack_client.chat_postMessage(channel=room.id, text="card", blocks=[value]))
    unknown = await refusal(slack_client.chat_postMessage(channel="C0NOPE", text="hello"))
    blocks_only = await slack_client.chat_postMessage(channel=room.id, blocks=[section("Yoga at 10:00"), book_button()])

    assert outside.response["error"] == "not_in_channel"
    assert hidden.response["error"] == "channel_not_found"
    assert empty.response["error"] == "no_text"
    assert long_text.response["error"] == "invalid_blocks"
    assert long_text.response["response_metadata"]["messages"] == [
        "[ERROR] must be less than 3001 characters [json-pointer:/blocks/0/text/text]"
    ]
    assert too_many.response["error"] == "invalid_blocks"
    assert "/blocks/0/elements/0/value" in long_value.response["response_metadata"]["messages"][0]
    assert unknown.response["error"] == "channel_not_found"
    assert blocks_only["warning"] == "missing_text_or_fallback_or_attachments"
    [card] = fake_slack.messages(room)
    assert [b.action_id for b in card.buttons] == ["book"]
    assert all(block.get("block_id") for block in card.blocks)  # Slack fills in block_ids


async def test_form_and_query_arguments_are_read_like_json(fake_slack: FakeSlack) -> None:
    ann = fake_slack.add_user("Ann")
    headers = {"Authorization": f"Bearer {fake_slack.bot_token}"}
    async with httpx.AsyncClient(headers=headers) as raw:
        form = await raw.post(
            f"{fake_slack.api_url}chat.postMessage",
            data={"channel": ann.id, "text": "hi", "blocks": json.dumps([section("from a form")])},
        )
        bad_blocks = await raw.post(f"{fake_slack.api_url}chat.postMessage", data={"channel": ann.id, "blocks": "{x"})
        query = await raw.get(f"{fake_slack.api_url}users.info", params={"user": ann.id})
        not_json = await raw.post(
            f"{fake_slack.api_url}auth.test", content=b"{nope", headers={"Content-Type": "application/json"}
        )

    assert form.json()["ok"] is True
    assert fake_slack.dm(ann)[0].blocks[0]["text"]["text"] == "from a form"
    assert bad_blocks.json()["error"] == "invalid_blocks_format"
    assert query.json()["user"]["id"] == ann.id
    assert not_json.json()["error"] == "invalid_json"


async def test_update_and_ephemeral_messages(fake_slack: FakeSlack, slack_client: AsyncWebClient) -> None:
    ann, bea = fake_slack.add_user("Ann"), fake_slack.add_user("Bea")
    room = fake_slack.add_channel("yoga", members=[ann], bot_is_member=True)
    posted = await slack_client.chat_postMessage(channel=room.id, text="3 seats left")

    await slack_client.chat_update(channel=room.id, ts=posted["ts"], text="2 seats left")
    missing = await refusal(slack_client.chat_update(channel=room.id, ts="1.000001", text="x"))
    outsider = await refusal(slack_client.chat_postEphemeral(channel=room.id, user=bea.id, text="psst"))
    ephemeral = await slack_client.chat_postEphemeral(channel=room.id, user=ann.id, text="only you")

    card = fake_slack.messages(room, ephemeral=False)[0]
    assert (card.text, [v.text for v in card.history]) == ("2 seats left", ["3 seats left"])
    assert missing.response["error"] == "message_not_found"
    assert outsider.response["error"] == "user_not_in_channel"
    [shown] = fake_slack.ephemeral_messages(ann)
    assert (shown.ts, shown.channel, shown.ephemeral_to) == (ephemeral["message_ts"], room.id, ann.id)


# -- files -------------------------------------------------------------------------------------------------------

PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4


async def test_files_upload_v2_shares_a_file_in_a_dm_and_a_channel(
    fake_slack: FakeSlack, slack_client: AsyncWebClient
) -> None:
    """slack-sdk's files_upload_v2 (three steps) works unchanged; the fake records each file with its bytes and where
    it went, and the DM or channel gets a message with the comment. Without a channel the file stays private."""
    ann = fake_slack.add_user("Ann")
    room = fake_slack.add_channel("chess", members=[ann], bot_is_member=True)
    dm = (await slack_client.conversations_open(users=ann.id))["channel"]["id"]

    to_dm = await slack_client.files_upload_v2(
        channel=dm, content=PNG, filename="chart.png", title="Chart", initial_comment="Your chart"
    )
    await slack_client.files_upload_v2(channel=room.id, content=b"hello", filename="a.txt")
    await slack_client.files_upload_v2(content=b"kept", filename="private.txt")

    methods = [c.method for c in fake_slack.calls if c.method.startswith("files.")]
    shared = fake_slack.files(ann)
    assert methods == ["files.getUploadURLExternal", "files.completeUploadExternal"] * 3
    assert to_dm["file"]["id"] == shared[0].id
    assert [(f.filename, f.title, f.data, f.comment) for f in shared] == [("chart.png", "Chart", PNG, "Your chart")]
    assert [f.data for f in fake_slack.files(room)] == [b"hello"]
    assert [f.channel for f in fake_slack.files()] == [dm, room.id, None]
    assert fake_slack.files()[0].uploader == fake_slack.bot_user_id
    assert [m.text for m in fake_slack.messages(ann)] == ["Your chart"]
    assert [m.source for m in fake_slack.messages(room)] == ["files.completeUploadExternal"]


async def test_file_uploads_are_refused_as_slack_refuses_them(
    fake_slack: FakeSlack, slack_client: AsyncWebClient
) -> None:
    """files:write is needed; a file id never issued, never uploaded or already completed is file_not_found; the
    upload URL takes exactly the announced length; the bot must be in the channel it shares into, named by its
    conversation id."""
    ann = fake_slack.add_user("Ann")
    outside = fake_slack.add_channel("art", members=[ann])
    never = await refusal(slack_client.files_completeUploadExternal(files=[{"id": "F0NOTAFILE", "title": "x"}]))
    issued = await slack_client.files_getUploadURLExternal(filename="a.txt", length=5)
    not_uploaded = await refusal(slack_client.files_completeUploadExternal(files=[{"id": issued["file_id"]}]))
    async with httpx.AsyncClient() as raw:
        too_long = await raw.post(issued["upload_url"], content=b"123456")
        uploaded = await raw.post(issued["upload_url"], content=b"12345")
    not_in = await refusal(
        slack_client.files_completeUploadExternal(files=[{"id": issued["file_id"]}], channel_id=outside.id)
    )
    by_user_id = await refusal(
        slack_client.files_completeUploadExternal(files=[{"id": issued["file_id"]}], channel_id=ann.id)
    )
    dm = (await slack_client.conversations_open(users=ann.id))["channel"]["id"]
    done = await slack_client.files_completeUploadExternal(files=[{"id": issued["file_id"]}], channel_id=dm)
    again = await refusal(slack_client.files_completeUploadExternal(files=[{"id": issued["file_id"]}]))
    no_length = await refusal(slack_client.api_call("files.getUploadURLExternal", params={"filename": "a.txt"}))
    zero = await refusal(slack_client.files_getUploadURLExternal(filename="a.txt", length=0))
    fake_slack.set_bot_scopes(["chat:write", "commands"])
    unscoped = await refusal(slack_client.files_getUploadURLExternal(filename="a.txt", length=5))
    unscoped_done = await refusal(slack_client.files_completeUploadExternal(files=[{"id": issued["file_id"]}]))

    assert never.response["error"] == "file_not_found"
    assert not_uploaded.response["error"] == "file_not_found"
    assert (too_long.status_code, uploaded.status_code, uploaded.text) == (400, 200, "OK - 5")
    assert not_in.response["error"] == "not_in_channel"
    assert by_user_id.response["error"] == "channel_not_found"  # channel_id takes a conversation's id only
    assert done["files"] == [{"id": issued["file_id"], "title": "a.txt"}]
    assert again.response["error"] == "file_not_found"
    assert no_length.response["error"] == "invalid_arguments"
    assert zero.response["error"] == "missing_argument"
    assert (unscoped.response["error"], unscoped.response["needed"]) == ("missing_scope", "files:write")
    assert unscoped_done.response["error"] == "missing_scope"
    assert [f.channel for f in fake_slack.files()] == [fake_slack.dm_channel_id(ann)]


# -- people and conversations ------------------------------------------------------------------------------------


async def test_users_info_and_conversations(fake_slack: FakeSlack, slack_client: AsyncWebClient) -> None:
    ann = fake_slack.add_user("Ann", is_admin=True, tz="America/New_York", locale="es-ES")
    bea = fake_slack.add_user("Bea")
    room = fake_slack.add_channel("yoga", members=[bea], managers=[ann])

    info = (await slack_client.users_info(user=ann.id, include_locale=True))["user"]
    plain = (await slack_client.users_info(user=bea.id))["user"]
    bot = (await slack_client.users_info(user=fake_slack.bot_user_id))["user"]
    unknown = await refusal(slack_client.users_info(user="U0NOBODY"))
    channel = (await slack_client.conversations_info(channel=room.id, include_num_members=True))["channel"]
    first = await slack_client.conversations_members(channel=room.id, limit=1)
    second = await slack_client.conversations_members(channel=room.id, cursor=first["response_metadata"]["next_cursor"])
    not_a_dm = await refusal(slack_client.conversations_open(channel=room.id))

    assert (info["is_admin"], info["is_owner"], info["tz"], info["locale"]) == (
        True,
        False,
        "America/New_York",
        "es-ES",
    )
    assert info["tz_offset"] in (-4 * 3600, -5 * 3600)
    assert "locale" not in plain
    assert plain["is_admin"] is False
    assert bot["is_bot"] is True
    assert bot["profile"]["bot_id"] == fake_slack.bot_id
    assert unknown.response["error"] == "user_not_found"
    assert (channel["name"], channel["is_member"], channel["num_members"]) == ("yoga", False, 2)
    assert first["members"] + second["members"] == [bea.id, ann.id]
    assert second["response_metadata"]["next_cursor"] == ""
    assert not_a_dm.response["error"] == "method_not_supported_for_channel_type"
    assert fake_slack.channel(room).managers == (ann.id,)


# -- views -------------------------------------------------------------------------------------------------------


async def test_views_open_needs_a_fresh_unused_trigger_id(fake_slack: FakeSlack, slack_client: AsyncWebClient) -> None:
    ann = fake_slack.add_user("Ann")

    expired = await refusal(slack_client.views_open(trigger_id=fake_slack.issue_trigger_id(ann, age=3.5), view=MODAL))
    unknown = await refusal(slack_client.views_open(trigger_id="123.456.abc", view=MODAL))
    trigger = fake_slack.issue_trigger_id(ann)
    bad_view = await refusal(slack_client.views_open(trigger_id=trigger, view=MODAL | {"submit": None}))
    opened = await slack_client.views_open(trigger_id=trigger, view=MODAL)
    reused = await refusal(slack_client.views_open(trigger_id=trigger, view=MODAL))
    later = fake_slack.issue_trigger_id(ann)
    fake_slack.advance_clock(3.1)
    aged = await refusal(slack_client.views_open(trigger_id=later, view=MODAL))

    assert expired.response["error"] == "expired_trigger_id"
    assert unknown.response["error"] == "invalid_trigger_id"
    assert bad_view.response["error"] == "invalid_arguments"
    assert bad_view.response["response_metadata"]["messages"] == [
        "[ERROR] must provide submit when using input blocks [json-pointer:/view/submit]"
    ]
    assert opened["view"]["id"].startswith("V")
    assert opened["view"]["callback_id"] == "new_class"
    assert reused.response["error"] == "exchanged_trigger_id"
    assert aged.response["error"] == "expired_trigger_id"
    [view] = fake_slack.opened_views(ann)
    assert view.id == opened["view"]["id"] == fake_slack.current_view(ann).id  # type: ignore[union-attr]


async def test_views_publish_update_and_push(fake_slack: FakeSlack, slack_client: AsyncWebClient) -> None:
    ann = fake_slack.add_user("Ann")
    home = {"type": "home", "blocks": [section("Your classes: none yet")]}

    published = await slack_client.views_publish(user_id=ann.id, view=home)
    stale_hash = published["view"]["hash"]
    await slack_client.views_publish(user_id=ann.id, view={"type": "home", "blocks": [section("Yoga, Monday")]})
    conflict = await refusal(slack_client.views_publish(user_id=ann.id, view=home, hash=stale_hash))
    not_home = await refusal(slack_client.views_publish(user_id=ann.id, view=MODAL))
    nobody = await refusal(slack_client.views_publish(user_id="U0NOBODY", view=home))
    opened = await slack_client.views_open(
        trigger_id=fake_slack.issue_trigger_id(ann), view=MODAL | {"external_id": "x1"}
    )
    updated = await slack_client.views_update(
        external_id="x1", view=MODAL | {"title": {"type": "plain_text", "text": "Edit"}}
    )
    for depth in (2, 3):
        await slack_client.views_push(
            trigger_id=fake_slack.issue_trigger_id(ann), view=MODAL | {"callback_id": f"d{depth}"}
        )
    too_deep = await refusal(slack_client.views_push(trigger_id=fake_slack.issue_trigger_id(ann), view=MODAL))
    long_title = MODAL | {"title": {"type": "plain_text", "text": "x" * 25}}
    bad_title = await refusal(slack_client.views_update(view_id=opened["view"]["id"], view=long_title))

    home_view = fake_slack.home_view(ann)
    assert home_view is not None
    assert "Yoga, Monday" in home_view.all_text
    assert home_view.id == published["view"]["id"]
    assert len(home_view.history) == 1
    assert conflict.response["error"] == "hash_conflict"
    assert not_home.response["error"] == nobody.response["error"] == "invalid_arguments"
    assert nobody.response["response_metadata"]["messages"] == ["invalid `user_id`"]
    assert updated["view"]["id"] == opened["view"]["id"]
    assert updated["view"]["title"]["text"] == "Edit"
    assert too_deep.response["error"] == "push_limit_reached"
    assert "/view/title/text" in bad_title.response["response_metadata"]["messages"][0]
    assert [v.callback_id for v in fake_slack.opened_views(ann)] == ["new_class", "d2", "d3"]
    assert fake_slack.current_view(ann).json["previous_view_id"] is not None  # type: ignore[union-attr]


def test_block_kit_checks() -> None:
    assert check_blocks([section("ok"), {"type": "divider"}, book_button()], "message") == []
    assert check_blocks([{"type": "carousel"}], "message") == [
        "[ERROR] unsupported block type: carousel [json-pointer:/blocks/0/type]"
    ]
    assert check_blocks([{"type": "header", "text": {"type": "mrkdwn", "text": "x"}}], "message") == [
        "[ERROR] must be one of plain_text [json-pointer:/blocks/0/text/type]"
    ]
    duplicated = [book_button(), book_button()]
    assert check_blocks(duplicated, "message") == ["[ERROR] duplicate block_id: card [json-pointer:/blocks/1/block_id]"]
    assert check_blocks([section("x")] * 100, "home") == []
    assert check_view({"type": "home", "blocks": []}) == []
    assert check_view({"type": "modal", "blocks": []}) == ["[ERROR] missing required field [json-pointer:/view/title]"]


# -- rate limits and faults --------------------------------------------------------------------------------------


async def test_rate_limit_is_a_429_with_retry_after(fake_slack: FakeSlack, slack_client: AsyncWebClient) -> None:
    ann = fake_slack.add_user("Ann")
    fake_slack.set_rate_limit("chat.postMessage", 1.0)

    await slack_client.chat_postMessage(channel=ann.id, text="one")
    limited = await refusal(slack_client.chat_postMessage(channel=ann.id, text="two"))
    patient = AsyncWebClient(
        token=fake_slack.bot_token, base_url=fake_slack.api_url, retry_handlers=[AsyncRateLimitErrorRetryHandler()]
    )
    started = time.monotonic()
    await patient.chat_postMessage(channel=ann.id, text="three")

    assert limited.response.status_code == 429
    assert limited.response.headers["Retry-After"] == "1"
    assert limited.response.data == {"ok": False, "error": "ratelimited"}
    assert time.monotonic() - started >= 0.9  # it waited Retry-After before trying again
    assert [m.text for m in fake_slack.dm(ann)] == ["one", "three"]
    assert fake_slack.count("chat.postMessage", ok=False) >= 2


async def test_a_tiered_method_is_limited_per_workspace_whoever_it_is_for(
    fake_slack: FakeSlack, slack_client: AsyncWebClient
) -> None:
    ann, bob = fake_slack.add_user("Ann"), fake_slack.add_user("Bob")
    fake_slack.set_rate_limit("views.open", 100 / 60, burst=2)

    await slack_client.views_open(trigger_id=fake_slack.issue_trigger_id(ann), view=MODAL)
    await slack_client.views_open(trigger_id=fake_slack.issue_trigger_id(bob), view=MODAL)
    limited = await refusal(slack_client.views_open(trigger_id=fake_slack.issue_trigger_id(bob), view=MODAL))
    other_method = await slack_client.users_info(user=bob.id)

    assert limited.response.status_code == 429
    assert limited.response.headers["Retry-After"] == "1"  # 100 a minute: the next call's room within a second
    assert other_method["ok"]  # each method has its own budget


async def test_fail_next_scripts_errors(fake_slack: FakeSlack, slack_client: AsyncWebClient) -> None:
    ann = fake_slack.add_user("Ann")
    fake_slack.fail_next("chat.postMessage", "ratelimited", status=429, retry_after=1)
    fake_slack.fail_next("users.info", "fatal_error", status=500)
    patient = AsyncWebClient(
        token=fake_slack.bot_token, base_url=fake_slack.api_url, retry_handlers=[AsyncRateLimitErrorRetryHandler()]
    )

    await patient.chat_postMessage(channel=ann.id, text="after one retry")
    broken = await refusal(slack_client.users_info(user=ann.id))

    assert fake_slack.count("chat.postMessage") == 2
    assert broken.response.status_code == 500
    assert broken.response["error"] == "fatal_error"
    assert (await slack_client.users_info(user=ann.id))["ok"] is True


# -- OAuth -------------------------------------------------------------------------------------------------------


@pytest.mark.filterwarnings("ignore:BasicAuth is deprecated:DeprecationWarning")  # inside slack-sdk
async def test_oauth_v2_access_takes_a_code_from_the_authorize_page(fake_slack: FakeSlack) -> None:
    ann = fake_slack.add_user("Ann", is_owner=True)
    redirect_uri = "http://127.0.0.1:9/slack/oauth_redirect"
    query = {
        "client_id": fake_slack.client_id,
        "scope": "commands,chat:write",
        "user_scope": "users:read",
        "redirect_uri": redirect_uri,
        "state": "s-1",
    }
    async with httpx.AsyncClient() as browser:
        allowed = await browser.get(fake_slack.authorize_url, params=query | {"fake_user": ann.id})
        denied = await browser.get(fake_slack.authorize_url, params=query | {"fake_consent": "deny"})
        stranger = await browser.get(fake_slack.authorize_url, params=query | {"client_id": "9.9"})
    location = urlsplit(allowed.headers["location"])
    code = parse_qs(location.query)["code"][0]
    client = AsyncWebClient(base_url=fake_slack.api_url)
    secret = fake_slack.client_secret

    wrong_uri = await refusal(client.oauth_v2_access(client_id="1111.2222", client_secret=secret, code=code))
    bad_secret = await refusal(client.oauth_v2_access(client_id="1111.2222", client_secret="nope", code=code))
    answer = await client.oauth_v2_access(
        client_id=fake_slack.client_id, client_secret=secret, code=code, redirect_uri=redirect_uri
    )
    again = await refusal(
        client.oauth_v2_access(
            client_id=fake_slack.client_id, client_secret=secret, code=code, redirect_uri=redirect_uri
        )
    )

    assert (allowed.status_code, f"{location.scheme}://{location.netloc}{location.path}") == (302, redirect_uri)
    assert parse_qs(location.query)["state"] == ["s-1"]
    assert parse_qs(urlsplit(denied.headers["location"]).query) == {"error": ["access_denied"], "state": ["s-1"]}
    assert stranger.status_code == 400
    assert wrong_uri.response["error"] == "bad_redirect_uri"
    assert bad_secret.response["error"] == "bad_client_secret"
    assert again.response["error"] == "invalid_code"
    assert answer["access_token"] == fake_slack.bot_token  # a workspace keeps its bot token across installs
    assert (answer["token_type"], answer["bot_user_id"], answer["team"]) == (
        "bot",
        "U0BOT",
        {"id": "T0001", "name": "ClassBot Test"},
    )
    assert answer["authed_user"]["id"] == ann.id
    assert answer["authed_user"]["access_token"].startswith("xoxp-")
    assert "commands" in answer["scope"].split(",")
    user_client = AsyncWebClient(token=answer["authed_user"]["access_token"], base_url=fake_slack.api_url)
    assert (await user_client.auth_test())["user_id"] == ann.id


@pytest.mark.filterwarnings("ignore:BasicAuth is deprecated:DeprecationWarning")  # inside slack-sdk
async def test_install_walks_bolts_install_page_and_redirect(fake_slack: FakeSlack, tmp_path: Path) -> None:
    app = AsyncApp(
        signing_secret=fake_slack.signing_secret,
        client=AsyncWebClient(base_url=fake_slack.api_url),
        oauth_settings=AsyncOAuthSettings(
            client_id=fake_slack.client_id,
            client_secret=fake_slack.client_secret,
            scopes=["commands", "chat:write", "users:read"],
            installation_store=FileInstallationStore(base_dir=str(tmp_path / "installations")),
            state_store=FileOAuthStateStore(expiration_seconds=600, base_dir=str(tmp_path / "states")),
            authorization_url=fake_slack.authorize_url,
        ),
    )
    with serving(bolt_routes(app)) as bot_url:
        fake_slack.set_request_url(f"{bot_url}/slack/events")
        result = await fake_slack.install(team_id="T0002")
        refused = await fake_slack.install(deny=True)

    installation = await app.installation_store.async_find_installation(enterprise_id=None, team_id="T0002")  # type: ignore[union-attr]
    [done] = fake_slack.installations
    assert result.status == 200
    assert result.code is not None
    assert result.state is not None
    assert result.redirect_url.startswith(f"{bot_url}/slack/oauth_redirect?code=")
    assert installation is not None
    assert installation.bot_token == done.bot_token
    assert done.team_id == "T0002"
    assert done.bot_token.startswith("xoxb-")
    assert done.bot_token != fake_slack.bot_token
    assert refused.code is None
    assert "error=access_denied" in refused.redirect_url
    assert fake_slack.count("oauth.v2.access") == 1
    installed = AsyncWebClient(token=done.bot_token, base_url=fake_slack.api_url)
    assert (await installed.auth_test())["team_id"] == "T0002"


# -- Socket Mode -------------------------------------------------------------------------------------------------


async def test_socket_mode_round_trip_with_bolt(fake_slack: FakeSlack) -> None:
    ann = fake_slack.add_user("Ann")
    app = AsyncApp(
        client=AsyncWebClient(token=fake_slack.bot_token, base_url=fake_slack.api_url),
        signing_secret=fake_slack.signing_secret,
    )
    commands: list[str] = []

    @app.command("/classbot")
    async def on_command(ack: AsyncAck, command: dict[str, Any], client: AsyncWebClient) -> None:
        await ack("Opening the form…")
        commands.append(command["text"])
        await client.views_open(trigger_id=command["trigger_id"], view=MODAL)

    @app.view("new_class")
    async def on_submit(ack: AsyncAck, view: dict[str, Any], body: dict[str, Any], client: AsyncWebClient) -> None:
        title = view["state"]["values"]["title"]["value"]["value"]
        if len(title) < 3:
            await ack(response_action="errors", errors={"title": "Use at least 3 characters"})
            return
        await ack()
        await client.chat_postMessage(channel=body["user"]["id"], text=f"Created {title}", blocks=[book_button()])

    @app.action("book")
    async def on_book(ack: AsyncAck, respond: AsyncRespond, action: dict[str, Any]) -> None:
        await ack()
        await respond(replace_original=True, text=f"Booked {action['value']}")

    handler = AsyncSocketModeHandler(app, fake_slack.app_token)
    await handler.connect_async()  # type: ignore[no-untyped-call]
    try:
        await fake_slack.wait_for_socket()
        command = await fake_slack.slash(ann, "new")
        modal = await fake_slack.wait_for_view(ann)
        too_short = await fake_slack.submit_view(ann, modal, {"title": {"value": "Yo"}})
        still_open = fake_slack.current_view(ann)
        created = await fake_slack.submit_view(ann, modal, {"title": {"value": "Yoga"}, "seats": {"pick": "10"}})
        closed = fake_slack.current_view(ann)
        card = await fake_slack.wait_for_message(ann, lambda m: m.text == "Created Yoga")
        await fake_slack.press(ann, card, "Book")
        booked = await fake_slack.wait_for_edit(card)
        fake_slack.request_disconnect()
        await fake_slack.wait_until(
            lambda: (fake_slack.socket_connections == 1 and fake_slack.socket_connected) or None
        )
        after_reconnect = await fake_slack.slash(ann, "help")
    finally:
        await handler.close_async()  # type: ignore[no-untyped-call]

    assert commands == ["new", "help"]
    assert command.transport == "socket"
    assert command.acked
    assert command.in_time
    assert command.response == {"text": "Opening the form…"}
    assert [m.text for m in fake_slack.ephemeral_messages(ann)][:1] == ["Opening the form…"]
    assert too_short.errors == {"title": "Use at least 3 characters"}
    assert still_open is not None
    assert still_open.id == modal.id
    assert created.errors is None
    assert closed is None
    assert created.payload["view"]["state"]["values"]["seats"]["pick"]["selected_option"]["value"] == "10"
    assert booked.text == "Booked class-1"
    assert after_reconnect.acked
    assert {a.kind for a in fake_slack.acks} == {"slash_commands", "interactive"}
    fake_slack.assert_acks_in_time()


async def test_socket_mode_envelopes_and_acks_with_the_sdk_client(fake_slack: FakeSlack) -> None:
    ann = fake_slack.add_user("Ann")
    received: list[SocketModeRequest] = []

    async def listener(client: SocketModeClient, request: SocketModeRequest) -> None:
        received.append(request)
        if request.type == "events_api" and request.retry_attempt == 0:
            return  # no ack: Slack would retry
        await client.send_socket_mode_response(SocketModeResponse(envelope_id=request.envelope_id))

    client = SocketModeClient(app_token=fake_slack.app_token, web_client=AsyncWebClient(base_url=fake_slack.api_url))
    client.socket_mode_request_listeners.append(listener)  # type: ignore[arg-type]
    await client.connect()  # type: ignore[no-untyped-call]
    try:
        first = await fake_slack.open_home(ann, timeout=0.5)
        retried = await fake_slack.redeliver(first, reason="http_timeout")
    finally:
        await client.close()  # type: ignore[no-untyped-call]

    assert first.failure is not None
    assert not first.acked
    assert retried.acked
    assert retried.retry_num == 1
    assert [r.type for r in received] == ["events_api", "events_api"]
    assert received[0].payload["event"]["type"] == "app_home_opened"
    assert received[0].payload["event_id"] == received[1].payload["event_id"]
    assert (received[1].retry_attempt, received[1].retry_reason) == (1, "http_timeout")
    assert received[0].accepts_response_payload is False
    assert any("no ack" in problem for problem in fake_slack.late_acks())


# -- HTTP mode ---------------------------------------------------------------------------------------------------


async def test_http_requests_are_signed_like_slacks(fake_slack: FakeSlack) -> None:
    ann = fake_slack.add_user("Ann")
    received: list[tuple[dict[str, str], bytes]] = []

    async def events(request: Request) -> Response:
        received.append((dict(request.headers), await request.body()))
        return Response(status_code=200)

    verifier = SignatureVerifier(fake_slack.signing_secret)
    with serving(Starlette(routes=[Route("/slack/events", events, methods=["POST"])])) as bot_url:
        fake_slack.set_request_url(f"{bot_url}/slack/events")
        command = await fake_slack.slash(ann, "bookings")
        event = await fake_slack.open_home(ann)
        await fake_slack.redeliver(event)
        await fake_slack.post_badly_signed()
        await fake_slack.post_stale()

    (slash_headers, slash_body), (event_headers, event_body), (retry_headers, retry_body), forged, stale = received
    assert command.transport == "http"
    assert command.status == 200
    assert verifier.is_valid_request(slash_body, slash_headers)
    assert slash_headers["content-type"] == "application/x-www-form-urlencoded"
    form = {key: values[0] for key, values in parse_qs(slash_body.decode()).items()}
    assert (form["command"], form["text"], form["user_id"]) == ("/classbot", "bookings", ann.id)
    assert form["trigger_id"] == command.trigger_id
    assert form["response_url"].startswith(fake_slack.base_url)
    assert verifier.is_valid_request(event_body, event_headers)
    assert json.loads(event_body)["type"] == "event_callback"
    assert json.loads(retry_body)["event_id"] == json.loads(event_body)["event_id"]
    assert (retry_headers["x-slack-retry-num"], retry_headers["x-slack-retry-reason"]) == ("1", "http_timeout")
    assert "x-slack-retry-num" not in event_headers
    assert not verifier.is_valid_request(forged[1], forged[0])
    assert not verifier.is_valid_request(stale[1], stale[0])
    assert verifier.is_valid(stale[1], stale[0]["x-slack-request-timestamp"], stale[0]["x-slack-signature"]) is False


async def test_bolt_in_http_mode(fake_slack: FakeSlack) -> None:
    ann = fake_slack.add_user("Ann")
    room = fake_slack.add_channel("yoga", members=[ann])
    app = AsyncApp(
        client=AsyncWebClient(token=fake_slack.bot_token, base_url=fake_slack.api_url),
        signing_secret=fake_slack.signing_secret,
    )
    joined: list[str] = []

    @app.command("/classbot")
    async def on_command(ack: AsyncAck, command: dict[str, Any]) -> None:
        await ack(f"You said {command['text']}")

    @app.event("member_joined_channel")
    async def on_join(event: dict[str, Any], client: AsyncWebClient) -> None:
        joined.append(event["channel"])
        await client.chat_postMessage(channel=event["channel"], text="Hello, yoga")

    with serving(bolt_routes(app)) as bot_url:
        fake_slack.set_request_url(f"{bot_url}/slack/events")
        challenge = await fake_slack.url_verification("c-123")
        command = await fake_slack.slash(ann, "classes", channel=room)
        invited = await fake_slack.invite_bot(room, by=ann)
        greeting = await fake_slack.wait_for_message(room, ephemeral=False)
        forged = await fake_slack.post_badly_signed()
        stale = await fake_slack.post_stale()
        unsigned = await fake_slack.post_to_bot(b'{"type":"url_verification","challenge":"x"}', signed=False)

    assert challenge.status == 200
    assert challenge.response == {"challenge": "c-123"}
    assert command.status == 200
    assert command.response == "You said classes"
    assert command.in_time
    [answer] = fake_slack.ephemeral_messages(ann)
    assert (answer.text, answer.channel, answer.source) == ("You said classes", room.id, "ack")
    assert invited is not None
    assert invited.status == 200
    assert joined == [room.id]
    assert greeting.text == "Hello, yoga"
    assert fake_slack.channel(room).bot_is_member
    assert (forged.status, stale.status, unsigned.status) == (401, 401, 401)


async def test_nowhere_to_deliver_is_a_clear_error(fake_slack: FakeSlack) -> None:
    ann = fake_slack.add_user("Ann")

    with pytest.raises(RuntimeError, match="set_request_url"):
        await fake_slack.slash(ann, "help")


def test_cli_prints_the_api_url_and_serves() -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "classbot_fakes.slack", "--port", "0", "--user", "Ann"],
        cwd=REPO,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        lines = [process.stdout.readline().strip() for _ in range(9)]
        settings = dict(line.split("=", 1) for line in lines)
        me = httpx.post(
            f"{settings['SLACK_API_URL']}auth.test",
            headers={"Authorization": f"Bearer {settings['SLACK_BOT_TOKEN']}"},
            timeout=10,
        ).json()
    finally:
        process.terminate()
        process.wait(timeout=10)
    assert lines[0].startswith("SLACK_API_URL=http://127.0.0.1:")
    assert lines[0].endswith("/api/")
    assert me["ok"] is True
    assert me["user_id"] == "U0BOT"
    assert settings["FAKE_SLACK_USER"].startswith("Ann:U")
