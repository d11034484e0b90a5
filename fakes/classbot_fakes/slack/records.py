"""What tests read from the fake: users, channels, messages, views, Web API calls, deliveries to the bot, acks and
installations. All are frozen snapshots (lists and dicts inside are copies): ask the fake again for news."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from . import content

Transport = Literal["socket", "http"]
ACK_DEADLINE = 3.0  # seconds: Slack's limit for acknowledging a command, an interaction or an event


@dataclass(frozen=True, slots=True)
class FakeSlackUser:
    id: str
    team_id: str
    name: str
    real_name: str
    is_admin: bool
    is_owner: bool
    tz: str
    locale: str
    email: str
    is_bot: bool = False


@dataclass(frozen=True, slots=True)
class FakeSlackChannel:
    id: str
    team_id: str
    name: str
    is_private: bool
    members: tuple[str, ...]
    managers: tuple[str, ...]
    bot_is_member: bool


@dataclass(frozen=True, slots=True)
class MessageVersion:
    text: str | None
    blocks: list[dict[str, Any]]


@dataclass(frozen=True, slots=True)
class SlackMessage:
    """A message in a channel or DM. ``source`` says how it came: "chat.postMessage", "chat.postEphemeral",
    "response_url" (the bot's ``respond()``) or "ack" (a slash command's acknowledgement body). Ephemeral
    messages (``ephemeral_to`` set) were seen by that user only, and vanish on reload."""

    channel: str
    ts: str
    user: str
    text: str | None
    blocks: list[dict[str, Any]]
    thread_ts: str | None
    ephemeral_to: str | None
    source: str
    history: tuple[MessageVersion, ...] = ()
    deleted: bool = False
    attachments: list[dict[str, Any]] = field(default_factory=list)

    @property
    def ephemeral(self) -> bool:
        return self.ephemeral_to is not None

    @property
    def edited(self) -> bool:
        return bool(self.history)

    @property
    def all_text(self) -> str:
        return content.all_text(self.text, self.blocks, self.attachments)

    @property
    def links(self) -> list[str]:
        return content.links(self.text, self.blocks, self.attachments)

    @property
    def buttons(self) -> list[content.Element]:
        return [e for e in content.elements(self.blocks) if e.type == "button"]

    def element(self, action_id_or_text: str) -> content.Element:
        return content.find_element(self.blocks, action_id_or_text, where=f"message {self.ts} in {self.channel}")


@dataclass(frozen=True, slots=True)
class SlackView:
    """A modal or a Home tab as the fake holds it. ``json`` is the view object Slack returns and sends back."""

    id: str
    type: str
    user_id: str
    json: dict[str, Any]
    closed: bool = False
    history: tuple[dict[str, Any], ...] = ()

    @property
    def blocks(self) -> list[dict[str, Any]]:
        return list(self.json.get("blocks") or [])

    @property
    def callback_id(self) -> str:
        return str(self.json.get("callback_id") or "")

    @property
    def private_metadata(self) -> str:
        return str(self.json.get("private_metadata") or "")

    @property
    def hash(self) -> str:
        return str(self.json.get("hash") or "")

    @property
    def title(self) -> str:
        title = self.json.get("title")
        return str(title.get("text", "")) if isinstance(title, dict) else ""

    @property
    def all_text(self) -> str:
        return content.all_text(None, self.blocks, self.json.get("title"), self.json.get("submit"))

    @property
    def links(self) -> list[str]:
        return content.links(None, self.blocks)

    def element(self, action_id_or_text: str) -> content.Element:
        return content.find_element(self.blocks, action_id_or_text, where=f"view {self.id}")


@dataclass(frozen=True, slots=True)
class SlackFile:
    """A file the bot uploaded (files.getUploadURLExternal, the upload URL, files.completeUploadExternal) and
    where it was shared: ``channel`` (a DM's id for a direct message) with ``comment`` as its message's text, or
    None when the upload was completed without a channel (the file then stays private to the bot)."""

    id: str
    filename: str
    title: str
    data: bytes
    channel: str | None
    comment: str | None
    uploader: str
    ts: str | None


@dataclass(frozen=True, slots=True)
class SlackCall:
    """One Web API request: the merged arguments (JSON-valued ones decoded), the token and what was answered."""

    method: str
    http_method: str
    params: dict[str, Any]
    token: str | None
    status: int
    ok: bool
    error: str | None
    at: float


@dataclass(frozen=True, slots=True)
class Ack:
    """A Socket Mode acknowledgement: ``{"envelope_id": …, "payload": …}`` and how long after the envelope."""

    envelope_id: str
    kind: str
    seconds: float
    payload: dict[str, Any] | None


@dataclass(frozen=True, slots=True)
class Delivery:
    """One thing Slack delivered to the bot and what came back. Over Socket Mode, ``response`` is the ack's
    payload and ``seconds`` the time to the ack; over HTTP, ``status`` and ``response`` are the bot's answer
    (JSON decoded when it is JSON) and ``seconds`` the time to answer. ``seconds`` is None without an answer."""

    kind: str
    transport: Transport
    payload: dict[str, Any]
    envelope_id: str | None = None
    seconds: float | None = None
    status: int | None = None
    response: Any = None
    retry_num: int = 0
    retry_reason: str | None = None
    trigger_id: str | None = None
    failure: str | None = None
    headers: dict[str, str] = field(default_factory=dict)

    @property
    def acked(self) -> bool:
        if self.transport == "socket":
            return self.seconds is not None
        return self.status == 200

    @property
    def in_time(self) -> bool:
        return self.acked and self.seconds is not None and self.seconds <= ACK_DEADLINE

    @property
    def errors(self) -> dict[str, str] | None:
        """A view submission's ``{"response_action": "errors", "errors": {block_id: message}}``, else None."""
        if isinstance(self.response, dict) and self.response.get("response_action") == "errors":
            return dict(self.response.get("errors") or {})
        return None


@dataclass(frozen=True, slots=True)
class Installation:
    """What oauth.v2.access handed out for one install."""

    team_id: str
    user_id: str
    bot_token: str
    bot_user_id: str
    scopes: tuple[str, ...]
    user_scopes: tuple[str, ...]
    user_token: str | None


@dataclass(frozen=True, slots=True)
class InstallResult:
    """The walk through /slack/install, Slack's authorize page and the bot's redirect URI."""

    authorize_url: str
    redirect_url: str
    status: int
    body: str
    location: str | None
    code: str | None
    state: str | None
