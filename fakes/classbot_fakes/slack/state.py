"""What the fake Slack knows: workspaces, users, channels and DMs, messages, views, triggers, tokens, and the
transcript. One ``SlackWorld`` is shared by the server threads and the test; every read or write happens under
``world.lock`` (a re-entrant lock; functions that take a world assume the caller holds it) and every change ends
with ``world.changes.notify()``, which wakes the test's waits.
"""

from __future__ import annotations

import copy
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from ..changes import ChangeFeed
from . import ids
from .limits import FaultPlan, RateLimits
from .records import (
    Ack,
    Delivery,
    FakeSlackChannel,
    FakeSlackUser,
    Installation,
    MessageVersion,
    SlackCall,
    SlackFile,
    SlackMessage,
    SlackView,
)

ChannelKind = Literal["public", "private", "im", "mpim"]
TokenKind = Literal["bot", "app", "user"]


@dataclass(slots=True)
class TeamRecord:
    id: str
    name: str
    domain: str
    bot_user_id: str
    bot_id: str
    bot_token: str | None
    scopes: tuple[str, ...] = ()


@dataclass(slots=True)
class UserRecord:
    id: str
    team_id: str
    name: str
    real_name: str
    is_admin: bool = False
    is_owner: bool = False
    tz: str = "Europe/Madrid"
    locale: str = "en-US"
    email: str = ""
    is_bot: bool = False
    bot_id: str | None = None
    deleted: bool = False

    def public(self) -> FakeSlackUser:
        return FakeSlackUser(
            self.id,
            self.team_id,
            self.name,
            self.real_name,
            self.is_admin,
            self.is_owner,
            self.tz,
            self.locale,
            self.email,
            self.is_bot,
        )


@dataclass(slots=True)
class ChannelRecord:
    id: str
    team_id: str
    name: str
    kind: ChannelKind
    members: list[str]
    creator: str
    created: int = field(default_factory=lambda: int(time.time()))
    managers: list[str] = field(default_factory=list)
    bot_member: bool = False
    archived: bool = False

    @property
    def is_dm(self) -> bool:
        return self.kind in ("im", "mpim")

    def public(self) -> FakeSlackChannel:
        return FakeSlackChannel(
            self.id,
            self.team_id,
            self.name,
            self.kind == "private",
            tuple(self.members),
            tuple(self.managers),
            self.bot_member,
        )


@dataclass(slots=True)
class StoredMessage:
    channel: str
    ts: str
    user: str
    text: str | None
    blocks: list[dict[str, Any]]
    thread_ts: str | None = None
    ephemeral_to: str | None = None
    source: str = "chat.postMessage"
    history: list[MessageVersion] = field(default_factory=list)
    deleted: bool = False
    attachments: list[dict[str, Any]] = field(default_factory=list)

    def snapshot(self) -> SlackMessage:
        return SlackMessage(
            self.channel,
            self.ts,
            self.user,
            self.text,
            copy.deepcopy(self.blocks),
            self.thread_ts,
            self.ephemeral_to,
            self.source,
            tuple(self.history),
            self.deleted,
            copy.deepcopy(self.attachments),
        )


@dataclass(slots=True)
class StoredView:
    id: str
    type: str
    user_id: str
    team_id: str
    json: dict[str, Any]
    closed: bool = False
    history: list[dict[str, Any]] = field(default_factory=list)

    def snapshot(self) -> SlackView:
        return SlackView(self.id, self.type, self.user_id, copy.deepcopy(self.json), self.closed, tuple(self.history))


@dataclass(slots=True)
class TriggerRecord:
    id: str
    user_id: str
    team_id: str
    issued: float
    used: bool = False
    view_id: str | None = None  # the modal an interaction came from: what views.push stacks onto


@dataclass(slots=True)
class ResponseUrl:
    id: str
    team_id: str
    user_id: str
    channel_id: str
    message_ts: str | None
    issued: float
    uses: int = 0


@dataclass(slots=True)
class EnvelopeRecord:
    envelope_id: str
    kind: str
    sent_at: float
    ack: Ack | None = None
    on_ack: Callable[[dict[str, Any] | None], None] | None = None  # what Slack does with the ack's payload
    ack_error: Exception | None = None


@dataclass(slots=True)
class OAuthCode:
    code: str
    team_id: str
    user_id: str
    scopes: tuple[str, ...]
    user_scopes: tuple[str, ...]
    redirect_uri: str | None
    issued: float
    used: bool = False


@dataclass(slots=True)
class UploadRecord:
    """A file between files.getUploadURLExternal and files.completeUploadExternal: ``data`` is None until its
    bytes are posted to the upload URL (``key`` is that URL's last part)."""

    id: str
    team_id: str
    uploader: str
    filename: str
    length: int
    key: str
    data: bytes | None = None
    completed: bool = False


@dataclass(slots=True)
class Credential:
    kind: TokenKind
    team_id: str
    user_id: str


@dataclass(slots=True)
class SlackWorld:
    signing_secret: str
    app_token: str
    client_id: str
    client_secret: str
    default_team: str
    app_id: str = "A0FAKEAPP01"
    verification_token: str = "fake-verification-token"
    command: str = "/classbot"
    trigger_ttl: float = 3.0
    lock: threading.RLock = field(default_factory=threading.RLock)
    changes: ChangeFeed = field(init=False)
    clock_offset: float = 0.0
    latency: float = 0.0
    base_url: str = ""
    socket_url: str = ""
    request_url: str | None = None
    redirect_uri: str | None = None
    teams: dict[str, TeamRecord] = field(default_factory=dict)
    users: dict[str, UserRecord] = field(default_factory=dict)
    channels: dict[str, ChannelRecord] = field(default_factory=dict)
    ims: dict[str, str] = field(default_factory=dict)  # user id -> its DM channel with the app
    tokens: dict[str, Credential] = field(default_factory=dict)
    messages: dict[str, list[StoredMessage]] = field(default_factory=dict)
    consumed: set[tuple[str, str]] = field(default_factory=set)
    views: dict[str, StoredView] = field(default_factory=dict)
    home: dict[str, str] = field(default_factory=dict)  # user id -> home view id
    modal_stacks: dict[str, list[str]] = field(default_factory=dict)  # user id -> open modal view ids, root first
    opened: dict[str, list[str]] = field(default_factory=dict)  # user id -> every modal opened or pushed
    triggers: dict[str, TriggerRecord] = field(default_factory=dict)
    response_urls: dict[str, ResponseUrl] = field(default_factory=dict)
    tickets: dict[str, float] = field(default_factory=dict)
    codes: dict[str, OAuthCode] = field(default_factory=dict)
    installations: list[Installation] = field(default_factory=list)
    calls: list[SlackCall] = field(default_factory=list)
    uploads: dict[str, UploadRecord] = field(default_factory=dict)  # file id -> the upload
    files: list[SlackFile] = field(default_factory=list)  # completed uploads, oldest first
    deliveries: list[Delivery] = field(default_factory=list)
    envelopes: dict[str, EnvelopeRecord] = field(default_factory=dict)
    limits: RateLimits = field(default_factory=RateLimits)
    faults: FaultPlan = field(default_factory=FaultPlan)

    def __post_init__(self) -> None:
        self.changes = ChangeFeed(self.lock)

    def now(self) -> float:
        """The fake's clock (monotonic seconds, plus what ``advance_clock`` added): trigger, code and
        response_url lifetimes and rate-limit windows follow it."""
        return time.monotonic() + self.clock_offset

    # -- lookups (the caller holds the lock) -----------------------------------------------------------------------

    def team_user(self, team_id: str, user_id: str) -> UserRecord | None:
        user = self.users.get(user_id)
        return user if user is not None and user.team_id == team_id and not user.deleted else None

    def open_im(self, user: UserRecord) -> tuple[ChannelRecord, bool]:
        """The user's DM with the app (created on first use); True when it already existed."""
        existing = self.ims.get(user.id)
        if existing is not None:
            return self.channels[existing], True
        team = self.teams[user.team_id]
        channel = ChannelRecord(
            ids.slack_id("D"), user.team_id, user.id, "im", [user.id, team.bot_user_id], user.id, bot_member=True
        )
        self.channels[channel.id] = channel
        self.ims[user.id] = channel.id
        return channel, False

    def store(self, message: StoredMessage) -> StoredMessage:
        self.messages.setdefault(message.channel, []).append(message)
        self.changes.notify()
        return message

    def find_message(self, channel_id: str, ts: str) -> StoredMessage | None:
        return next((m for m in self.messages.get(channel_id, []) if m.ts == ts), None)

    def issue_trigger(self, user_id: str, team_id: str, *, age: float = 0.0, view_id: str | None = None) -> str:
        record = TriggerRecord(ids.trigger_id(), user_id, team_id, self.now() - age, view_id=view_id)
        self.triggers[record.id] = record
        return record.id

    def issue_response_url(self, team_id: str, user_id: str, channel_id: str, message_ts: str | None) -> str:
        record = ResponseUrl(ids.slack_id("R", 12), team_id, user_id, channel_id, message_ts, self.now())
        self.response_urls[record.id] = record
        return f"{self.base_url}/response/{team_id}/{record.id}"
