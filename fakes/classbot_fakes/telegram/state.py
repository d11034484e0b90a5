"""What the fake Telegram knows: the bot, users, groups, messages per chat, pending updates, and the transcript.

One ``TelegramWorld`` is shared by the server thread and the test; every read or write happens under
``world.lock`` (functions that take a world assume the caller holds it) and every change ends with
``world.changes.notify()``, which wakes long polls, the webhook sender and the test's waits.
"""

from __future__ import annotations

import itertools
import secrets
import threading
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..changes import ChangeFeed
from .limits import FaultPlan, RateLimits
from .markup import inline_buttons
from .records import CallbackAnswer, MessageVersion, SentDocument, SentMessage, SentPhoto, TelegramCall

if TYPE_CHECKING:
    from .payments import CardCharge, InvoiceRecord, PaymentProvider, PreCheckoutRecord, StarCharge

# getUpdates' default: every update type except these (Bot API, getUpdates "allowed_updates").
NOT_SENT_BY_DEFAULT = frozenset({"chat_member", "message_reaction", "message_reaction_count"})
# Telegram's ids no longer fit in 32 bits; start the fake's above that to catch narrow columns.
FIRST_USER_ID = 5_000_000_001
FIRST_SUPERGROUP_ID = -1_001_000_000_001


@dataclass(slots=True)
class BotIdentity:
    id: int
    token: str
    first_name: str
    username: str


@dataclass(slots=True)
class UserRecord:
    id: int
    first_name: str
    last_name: str | None
    username: str | None
    language_code: str | None
    started: bool = False
    blocked: bool = False


@dataclass(slots=True)
class GroupRecord:
    id: int
    title: str
    username: str | None
    # user id -> "creator" | "administrator" | "member" | "restricted" | "left" | "kicked"
    statuses: dict[int, str]
    bot_status: str = "left"
    bot_rights: dict[str, bool] = field(default_factory=dict)
    # Another bot in the group spoke after ours: in privacy mode, bare commands ("/help") then go to that bot.
    other_bot_spoke_last: bool = False

    # A restricted user (status "restricted"): whether they are in the group now, and may write there. Telegram
    # keeps a restriction when its user leaves, so a restricted user may be outside the group.
    restrictions: dict[int, Restriction] = field(default_factory=dict)

    def in_chat(self, user_id: int) -> bool:
        """The user is in the group now (sees its messages), whatever their rights."""
        status = self.statuses.get(user_id, "left")
        restriction = self.restrictions.get(user_id)
        return status in ("creator", "administrator", "member") or (
            status == "restricted" and restriction is not None and restriction.is_member
        )

    def may_write(self, user_id: int) -> bool:
        restriction = self.restrictions.get(user_id)
        if self.statuses.get(user_id) == "restricted":
            return restriction is not None and restriction.is_member and restriction.can_send_messages
        return self.in_chat(user_id)


@dataclass(slots=True)
class Restriction:
    is_member: bool
    can_send_messages: bool = False


@dataclass(slots=True)
class StoredMessage:
    chat_id: int
    message_id: int
    date: int
    sender_id: int
    text: str | None = None
    sent_text: str | None = None
    parse_mode: str | None = None
    entities: list[dict[str, Any]] = field(default_factory=list)
    reply_markup: dict[str, Any] | None = None
    document: SentDocument | None = None
    photo: SentPhoto | None = None
    caption: str | None = None
    reply_to: int | None = None
    link_preview_disabled: bool = False
    edit_date: int | None = None
    deleted: bool = False
    history: list[MessageVersion] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)  # service fields, e.g. new_chat_members

    def snapshot(self) -> SentMessage:
        return SentMessage(
            chat_id=self.chat_id,
            message_id=self.message_id,
            date=self.date,
            text=self.text,
            sent_text=self.sent_text,
            parse_mode=self.parse_mode,
            entities=tuple(dict(entity) for entity in self.entities),
            reply_markup=self.reply_markup,
            buttons=inline_buttons(self.reply_markup),
            document=self.document,
            photo=self.photo,
            caption=self.caption,
            reply_to_message_id=self.reply_to,
            link_preview_disabled=self.link_preview_disabled,
            edit_date=self.edit_date,
            deleted=self.deleted,
            history=tuple(self.history),
            sender_id=self.sender_id,
            invoice=self.extra.get("invoice"),
        )


@dataclass(slots=True)
class CallbackQueryRecord:
    id: str
    user_id: int
    chat_id: int
    message_id: int
    data: str
    created: float
    answer: CallbackAnswer | None = None


@dataclass(slots=True)
class WebhookConfig:
    url: str
    secret_token: str | None
    max_connections: int = 40
    ip_address: str | None = None
    last_error_date: int | None = None
    last_error_message: str | None = None


class TelegramWorld:
    """Every piece of fake state, behind one lock."""

    def __init__(
        self,
        bot: BotIdentity,
        *,
        latency: float,
        privacy_mode: bool,
        callback_query_ttl: float | None,
        limits: RateLimits,
    ) -> None:
        self.lock = threading.RLock()
        self.changes = ChangeFeed(self.lock)
        self.bot = bot
        self.latency = latency
        self.privacy_mode = privacy_mode
        self.callback_query_ttl = callback_query_ttl
        self.limits = limits
        self.faults = FaultPlan()
        self.users: dict[int, UserRecord] = {}
        self.groups: dict[int, GroupRecord] = {}
        self.messages: dict[int, list[StoredMessage]] = {}
        self.last_message_id: dict[int, int] = {}
        self.updates: list[dict[str, Any]] = []
        self.next_update_id = 1
        self.allowed_updates: frozenset[str] | None = None  # None: the default set
        self.webhook: WebhookConfig | None = None
        self.webhook_dropped: list[dict[str, Any]] = []
        self.commands: dict[tuple[str, str], list[dict[str, str]]] = {}
        self.callback_queries: dict[str, CallbackQueryRecord] = {}
        self.calls: list[TelegramCall] = []
        self.files: dict[str, SentDocument] = {}
        self.consumed: set[tuple[int, int]] = set()
        self.chat_instances: dict[int, str] = {}
        # Payments in Stars (``payments``): invoices by (chat, message), questions to the bot, charges made.
        self.invoices: dict[tuple[int, int], InvoiceRecord] = {}
        self.pre_checkout_queries: dict[str, PreCheckoutRecord] = {}
        self.star_charges: dict[str, StarCharge] = {}
        # Card payments through providers: the tokens the test connected, and the payments made through them.
        self.payment_providers: dict[str, PaymentProvider] = {}
        self.card_charges: dict[str, CardCharge] = {}
        self.poll_generation = 0
        self.polls_waiting = 0
        self.poll_conflict = ""
        self.closing = False
        self._user_ids = itertools.count(FIRST_USER_ID)
        self._group_ids = itertools.count(FIRST_SUPERGROUP_ID, -1)

    # -- ids and time ------------------------------------------------------------------------------------------

    @staticmethod
    def now() -> int:
        return int(time.time())

    def new_user_id(self) -> int:
        return next(self._user_ids)

    def new_group_id(self) -> int:
        return next(self._group_ids)

    def new_message_id(self, chat_id: int) -> int:
        self.last_message_id[chat_id] = self.last_message_id.get(chat_id, 0) + 1
        return self.last_message_id[chat_id]

    @staticmethod
    def new_file_ids() -> tuple[str, str]:
        return "BQACAgIAAxk" + secrets.token_urlsafe(40), "AgAD" + secrets.token_urlsafe(9)

    # -- chats and messages ------------------------------------------------------------------------------------

    def is_group(self, chat_id: int) -> bool:
        return chat_id in self.groups

    def store(self, message: StoredMessage) -> StoredMessage:
        self.messages.setdefault(message.chat_id, []).append(message)
        group = self.groups.get(message.chat_id)
        if group is not None and message.sender_id == self.bot.id:
            group.other_bot_spoke_last = False
        return message

    def find_message(self, chat_id: int, message_id: int) -> StoredMessage | None:
        for message in self.messages.get(chat_id, []):
            if message.message_id == message_id:
                return message
        return None

    # -- updates -----------------------------------------------------------------------------------------------

    def wants(self, kind: str) -> bool:
        if self.allowed_updates is None:
            return kind not in NOT_SENT_BY_DEFAULT
        return kind in self.allowed_updates

    def enqueue(self, kind: str, payload: dict[str, Any]) -> int | None:
        """Queue an update for getUpdates or the webhook; its update_id, or None if the bot does not take that kind."""
        if not self.wants(kind):
            return None
        update_id = self.next_update_id
        self.next_update_id += 1
        self.updates.append({"update_id": update_id, kind: payload})
        self.changes.notify()
        return update_id

    def confirm(self, offset: int) -> None:
        """getUpdates' ``offset``: forget updates below it, or (negative) keep only the last ``-offset``."""
        if offset > 0:
            self.updates = [u for u in self.updates if u["update_id"] >= offset]
        elif offset < 0:
            self.updates = self.updates[offset:]

    def record(self, call: TelegramCall) -> None:
        self.calls.append(call)
        self.changes.notify()
