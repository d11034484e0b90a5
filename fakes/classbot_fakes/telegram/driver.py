"""Playing the users' side: messages and commands, button presses, deep links, blocking, and the bot's membership
of groups. Each action stores what the user did and queues the update Telegram would send the bot.

Telegram's rules kept here: a private chat starts with Start ("/start", or "/start PAYLOAD" from a deep link), so
a user who has not started the bot cannot type to it (the driver refuses, to catch a test that skips the step);
a user who blocked the bot gets it back by starting it again. In a group with privacy mode on (the default) the
bot sees commands addressed to it ("/help@its_name"), bare commands ("/help") unless another bot spoke there after
it (Telegram gives those to the last bot that spoke), messages that mention it, replies to its messages and
service messages, unless it is an administrator. Adding, promoting, removing or blocking the bot sends
``my_chat_member``.
"""

from __future__ import annotations

import dataclasses
import re
import secrets
import time
from urllib.parse import parse_qs, urlparse

from . import payments
from .access import MEMBER_STATUSES
from .people import ChatRef, FakeGroup, FakeUser, chat_id_of
from .records import SentMessage, UserMessage
from .render import DEFAULT_BOT_RIGHTS, bot_user, group_member, member_json, message_json, my_chat_member, user_json
from .state import CallbackQueryRecord, GroupRecord, Restriction, StoredMessage, TelegramWorld, UserRecord
from .text import with_detected_entities

START_PAYLOAD = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


class TelegramDriver:
    _world: TelegramWorld

    def user_record(self, user: FakeUser | int) -> UserRecord:
        with self._world.lock:
            return dataclasses.replace(self._world.users[chat_id_of(user)])

    def group_record(self, group: FakeGroup | int) -> GroupRecord:
        with self._world.lock:
            found = self._world.groups[chat_id_of(group)]
            return dataclasses.replace(found, statuses=dict(found.statuses), bot_rights=dict(found.bot_rights))

    # -- what users do -----------------------------------------------------------------------------------------

    def start_private_chat(self, user: FakeUser) -> UserMessage:
        """The user presses Start in the bot's private chat: "/start" (and the bot may message them from now on)."""
        return self.send_as(user, "/start")

    def send_as(
        self, user: FakeUser, text: str, chat: ChatRef | None = None, *, reply_to: SentMessage | int | None = None
    ) -> UserMessage:
        world = self._world
        with world.lock:
            record = world.users[user.id]
            chat_id = user.id if chat is None else chat_id_of(chat)
            if chat_id == user.id:
                self._open_private_chat(record, text)
            elif not world.groups[chat_id].may_write(user.id):
                raise ValueError(f"user {user.id} may not write in group {chat_id}")
            reply_id = reply_to.message_id if isinstance(reply_to, SentMessage) else reply_to
            message = world.store(
                StoredMessage(
                    chat_id=chat_id,
                    message_id=world.new_message_id(chat_id),
                    date=world.now(),
                    sender_id=user.id,
                    text=text,
                    entities=with_detected_entities(text, []),
                    reply_to=reply_id,
                )
            )
            update_id = world.enqueue("message", message_json(world, message)) if self._bot_sees(message) else None
            world.changes.notify()
            return UserMessage(chat_id, message.message_id, text, message.date, update_id)

    def press_as(self, user: FakeUser, message: SentMessage, button_text: str) -> str:
        with self._world.lock:
            stored = self._seen_by(user, message)
            button = stored.snapshot().button(button_text)
            if button.callback_data is None:
                raise ValueError(f"button {button_text!r} opens {button.url!r}; it is not a callback button")
            return self._callback(user, stored, button.callback_data)

    def _seen_by(self, user: FakeUser, message: SentMessage) -> StoredMessage:
        """The bot's stored ``message``, which ``user`` can see (their private chat, or a group they are in)."""
        world = self._world
        stored = world.find_message(message.chat_id, message.message_id)
        if stored is None or stored.deleted or stored.sender_id != world.bot.id:
            raise ValueError(f"no message {message.message_id} from the bot in chat {message.chat_id} to press")
        if message.chat_id != user.id and (
            message.chat_id not in world.groups or not world.groups[message.chat_id].in_chat(user.id)
        ):
            raise ValueError(f"user {user.id} cannot see chat {message.chat_id}")
        return stored

    def press_forged_as(self, user: FakeUser, data: str, on: SentMessage | None = None) -> str:
        """A modified client sends ``data`` as if pressed on ``on`` (a bot message the user sees, in a group say),
        else on the bot's last message in the user's private chat."""
        with self._world.lock:
            if on is not None:
                return self._callback(user, self._seen_by(user, on), data)
            mine = [m for m in self._world.messages.get(user.id, []) if not m.deleted]
            if not mine:
                raise ValueError(f"the bot sent nothing to user {user.id} to press on")
            return self._callback(user, mine[-1], data)

    def _callback(self, user: FakeUser, stored: StoredMessage, data: str) -> str:
        world = self._world
        with world.lock:
            query_id = str(secrets.randbits(63) | 1)
            world.callback_queries[query_id] = CallbackQueryRecord(
                query_id, user.id, stored.chat_id, stored.message_id, data, time.monotonic()
            )
            world.enqueue(
                "callback_query",
                {
                    "id": query_id,
                    "from": user_json(world.users[user.id]),
                    "message": message_json(world, stored),
                    "chat_instance": world.chat_instances.setdefault(stored.chat_id, str(secrets.randbits(62))),
                    "data": data,
                },
            )
            return query_id

    async def pay_as(self, user: FakeUser, invoice_message: SentMessage, *, timeout: float) -> payments.PaymentAttempt:
        world = self._world
        with world.lock:
            invoice = world.invoices.get((invoice_message.chat_id, invoice_message.message_id))
            if invoice is None or invoice_message.chat_id != user.id:
                raise ValueError(f"no invoice {invoice_message.message_id} in user {user.id}'s private chat")
            query = payments.ask_pre_checkout(world, user_json(world.users[user.id]), invoice)
        answered = await world.changes.wait_for(lambda: query if query.ok is not None else None, timeout)
        if answered is None:
            raise TimeoutError(f"the bot did not answer pre_checkout_query {query.id} within {timeout}s")
        if not query.ok:
            return payments.PaymentAttempt(False, query.error_message, None)
        with world.lock:
            made = payments.charge(world, query)
        return payments.PaymentAttempt(True, None, made)

    def open_deep_link_as(self, user: FakeUser, url: str) -> UserMessage:
        parsed = urlparse(url)
        query = parse_qs(parsed.query, keep_blank_values=True)
        if parsed.scheme in ("http", "https") and parsed.hostname in ("t.me", "telegram.me"):
            name = parsed.path.strip("/")
        elif parsed.scheme == "tg" and parsed.netloc == "resolve":
            name = query.get("domain", [""])[0]
        else:
            raise ValueError(f"{url!r} is not a Telegram deep link (https://t.me/BOT?start=PAYLOAD)")
        if name.lower() != self._world.bot.username.lower():
            raise ValueError(f"{url!r} opens @{name}, not this bot @{self._world.bot.username}")
        payload = query.get("start", [None])[0]
        if payload is None:
            return self.start_private_chat(user)
        if not START_PAYLOAD.match(payload):
            raise ValueError(f"Telegram passes no start payload {payload!r}: up to 64 characters of A-Z a-z 0-9 _ -")
        return self.send_as(user, f"/start {payload}")

    def block_bot(self, user: FakeUser) -> None:
        self._set_blocked(user, blocked=True)

    def unblock_bot(self, user: FakeUser) -> None:
        self._set_blocked(user, blocked=False)

    # -- the bot in groups -------------------------------------------------------------------------------------

    def add_bot_to_group(self, group: FakeGroup, *, by: FakeUser) -> None:
        """``by`` (a member) adds the bot: ``my_chat_member`` (left -> member) and a new_chat_members message."""
        world = self._world
        with world.lock:
            record = world.groups[group.id]
            if not record.in_chat(by.id):
                raise ValueError(f"user {by.id} is not a member of group {group.id}")
            self._change_bot_status(record, "member", by.id, {})
            service = world.store(
                StoredMessage(
                    chat_id=group.id,
                    message_id=world.new_message_id(group.id),
                    date=world.now(),
                    sender_id=by.id,
                    extra={"new_chat_members": [bot_user(world)]},
                )
            )
            world.enqueue("message", message_json(world, service))

    def promote_bot(self, group: FakeGroup, *, by: FakeUser | None = None, **rights: bool) -> None:
        """Make the bot an administrator (default rights: manage chat, delete messages, invite, pin) by the owner
        or ``by``; ``my_chat_member`` follows."""
        with self._world.lock:
            record = self._world.groups[group.id]
            actor = by.id if by is not None else self._owner(record)
            self._change_bot_status(record, "administrator", actor, DEFAULT_BOT_RIGHTS | rights)

    def demote_bot(self, group: FakeGroup, *, by: FakeUser | None = None) -> None:
        with self._world.lock:
            record = self._world.groups[group.id]
            self._change_bot_status(record, "member", by.id if by is not None else self._owner(record), {})

    def remove_bot_from_group(self, group: FakeGroup, *, by: FakeUser | None = None) -> None:
        """An admin removes (bans) the bot: ``my_chat_member`` to "kicked"; sending there is then 403."""
        with self._world.lock:
            record = self._world.groups[group.id]
            self._change_bot_status(record, "kicked", by.id if by is not None else self._owner(record), {})

    def add_member(self, group: FakeGroup, user: FakeUser, *, admin: bool = False) -> None:
        with self._world.lock:
            record = self._world.groups[group.id]
            record.statuses[user.id] = "administrator" if admin else "member"
            record.restrictions.pop(user.id, None)
            self._world.changes.notify()

    def leave_group(self, group: FakeGroup, user: FakeUser) -> None:
        """The user leaves: "left" (a restricted user stays restricted, outside the group), a left_chat_member
        service message, and ``chat_member`` for a bot that asked for it."""
        with self._world.lock:
            record = self._world.groups[group.id]
            if not record.in_chat(user.id):
                raise ValueError(f"user {user.id} is not in group {group.id}")
            if record.statuses[user.id] == "restricted":
                self._change_member(record, user.id, "restricted", user.id, is_member=False)
            else:
                self._change_member(record, user.id, "left", user.id)
            self._service_message(record, user.id, {"left_chat_member": user_json(self._world.users[user.id])})

    def ban_from_group(self, group: FakeGroup, user: FakeUser, *, by: FakeUser | None = None) -> None:
        """An admin bans the user: "kicked" (out, and cannot come back by themselves)."""
        with self._world.lock:
            record = self._world.groups[group.id]
            actor = by.id if by is not None else self._owner(record)
            was_in = record.in_chat(user.id)
            self._change_member(record, user.id, "kicked", actor)
            if was_in:
                self._service_message(record, actor, {"left_chat_member": user_json(self._world.users[user.id])})

    def restrict_in_group(
        self, group: FakeGroup, user: FakeUser, *, can_send_messages: bool = False, by: FakeUser | None = None
    ) -> None:
        """An admin restricts a user (muted unless ``can_send_messages``): "restricted", in the group as before."""
        with self._world.lock:
            record = self._world.groups[group.id]
            actor = by.id if by is not None else self._owner(record)
            member = record.in_chat(user.id)
            self._change_member(record, user.id, "restricted", actor, is_member=member, can_send=can_send_messages)

    def another_bot_speaks(self, group: FakeGroup) -> None:
        """Another bot in the group posts there; the next bare command goes to it, not ours (privacy mode)."""
        with self._world.lock:
            self._world.groups[group.id].other_bot_spoke_last = True
            self._world.changes.notify()

    # -- helpers (the caller holds the lock) -------------------------------------------------------------------

    def _open_private_chat(self, record: UserRecord, text: str) -> None:
        command = text.split(maxsplit=1)[0] if text.strip() else ""
        starting = command.lower() in ("/start", f"/start@{self._world.bot.username.lower()}")
        if not starting and (record.blocked or not record.started):
            state = "blocked the bot" if record.blocked else "has not started the bot"
            raise RuntimeError(f"user {record.id} {state}: send '/start' (or open a deep link) first")
        if record.blocked:
            self._set_blocked(FakeUser(self, record.id), blocked=False)
        record.started = True

    def _set_blocked(self, user: FakeUser, *, blocked: bool) -> None:
        world = self._world
        with world.lock:
            record = world.users[user.id]
            if record.blocked == blocked:
                return
            record.blocked = blocked
            statuses = ("member", "kicked") if blocked else ("kicked", "member")
            old, new = (member_json(status, bot_user(world)) for status in statuses)
            world.enqueue("my_chat_member", my_chat_member(world, user.id, user_json(record), old, new))

    def _change_member(
        self,
        group: GroupRecord,
        user_id: int,
        status: str,
        actor_id: int,
        *,
        is_member: bool = False,
        can_send: bool = False,
    ) -> None:
        world = self._world
        old = group_member(world, group, user_id)
        group.statuses[user_id] = status
        if status == "restricted":
            group.restrictions[user_id] = Restriction(is_member, can_send)
        else:
            group.restrictions.pop(user_id, None)
        new = group_member(world, group, user_id)
        world.enqueue("chat_member", my_chat_member(world, group.id, user_json(world.users[actor_id]), old, new))
        world.changes.notify()

    def _service_message(self, group: GroupRecord, sender_id: int, extra: dict[str, object]) -> None:
        """A service message in the group; a bot in it receives those even in privacy mode."""
        world = self._world
        service = world.store(
            StoredMessage(
                chat_id=group.id,
                message_id=world.new_message_id(group.id),
                date=world.now(),
                sender_id=sender_id,
                extra=dict(extra),
            )
        )
        if group.bot_status in MEMBER_STATUSES:
            world.enqueue("message", message_json(world, service))

    def _change_bot_status(self, group: GroupRecord, status: str, actor_id: int, rights: dict[str, bool]) -> None:
        world = self._world
        old = group_member(world, group, world.bot.id)
        group.bot_status, group.bot_rights = status, rights
        new = group_member(world, group, world.bot.id)
        world.enqueue("my_chat_member", my_chat_member(world, group.id, user_json(world.users[actor_id]), old, new))

    @staticmethod
    def _owner(group: GroupRecord) -> int:
        return next(user_id for user_id, status in group.statuses.items() if status == "creator")

    def _bot_sees(self, message: StoredMessage) -> bool:
        world = self._world
        group = world.groups.get(message.chat_id)
        if group is None:
            return True
        if group.bot_status not in MEMBER_STATUSES:
            return False
        if not world.privacy_mode or group.bot_status == "administrator":
            return True
        text = message.text or ""
        username = world.bot.username.lower()
        if text.startswith("/"):
            _, at, target = text.split(maxsplit=1)[0].partition("@")
            return target.lower() == username if at else not group.other_bot_spoke_last
        if f"@{username}" in text.lower():
            return True
        replied = world.find_message(message.chat_id, message.reply_to) if message.reply_to else None
        return replied is not None and replied.sender_id == world.bot.id
