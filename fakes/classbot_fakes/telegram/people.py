"""Handles a test holds for the fake's users and groups; their actions go through the fake's driver."""

from __future__ import annotations

from typing import TYPE_CHECKING, Union

from .records import SentMessage, UserMessage

if TYPE_CHECKING:
    from .driver import TelegramDriver
    from .payments import PaymentAttempt

ChatRef = Union[int, "FakeUser", "FakeGroup"]


def chat_id_of(chat: ChatRef) -> int:
    return chat if isinstance(chat, int) else chat.id


class FakeUser:
    """A Telegram user: ``id`` is fixed; the rest is read from the fake each time."""

    __slots__ = ("_driver", "id")

    def __init__(self, driver: TelegramDriver, user_id: int) -> None:
        self._driver = driver
        self.id = user_id

    @property
    def first_name(self) -> str:
        return self._driver.user_record(self).first_name

    @property
    def username(self) -> str | None:
        return self._driver.user_record(self).username

    @property
    def language_code(self) -> str | None:
        return self._driver.user_record(self).language_code

    @property
    def started(self) -> bool:
        """Whether the user has pressed Start in the bot's private chat (so the bot may message them)."""
        return self._driver.user_record(self).started

    @property
    def blocked(self) -> bool:
        return self._driver.user_record(self).blocked

    def send(self, text: str, chat: ChatRef | None = None, *, reply_to: SentMessage | int | None = None) -> UserMessage:
        """Type ``text`` in the private chat with the bot (default) or in a group; "/..." is a bot command."""
        return self._driver.send_as(self, text, chat, reply_to=reply_to)

    def press(self, message: SentMessage, button_text: str) -> str:
        """Press the callback button labelled ``button_text`` on ``message`` as it is now; the callback query id."""
        return self._driver.press_as(self, message, button_text)

    def press_forged(self, data: str, on: SentMessage | None = None) -> str:
        """Send callback ``data`` no button of the bot carried (a tampered client), as if on the bot's message
        ``on`` (default: its last one in the private chat); the callback query id."""
        return self._driver.press_forged_as(self, data, on)

    async def pay(self, invoice_message: SentMessage, *, timeout: float = 10.0) -> PaymentAttempt:
        """Press Pay on the bot's invoice: the bot is asked (``pre_checkout_query``) and, if it says yes within
        Telegram's 10 seconds, the stars are taken and the bot gets the ``successful_payment`` message."""
        return await self._driver.pay_as(self, invoice_message, timeout=timeout)

    def open_deep_link(self, url: str) -> UserMessage:
        """Open ``https://t.me/BOT?start=PAYLOAD``: Start in the private chat, which sends "/start PAYLOAD"."""
        return self._driver.open_deep_link_as(self, url)

    def start_private_chat(self) -> UserMessage:
        return self._driver.start_private_chat(self)

    def block_bot(self) -> None:
        self._driver.block_bot(self)

    def unblock_bot(self) -> None:
        self._driver.unblock_bot(self)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, FakeUser) and other.id == self.id

    def __hash__(self) -> int:
        return hash(("user", self.id))

    def __repr__(self) -> str:
        return f"FakeUser(id={self.id})"


class FakeGroup:
    """A supergroup (negative id)."""

    __slots__ = ("_driver", "id")

    def __init__(self, driver: TelegramDriver, group_id: int) -> None:
        self._driver = driver
        self.id = group_id

    @property
    def title(self) -> str:
        return self._driver.group_record(self).title

    def status_of(self, user: FakeUser) -> str:
        """The user's status there: creator, administrator, member, restricted, left or kicked."""
        return self._driver.group_record(self).statuses.get(user.id, "left")

    @property
    def bot_status(self) -> str:
        return self._driver.group_record(self).bot_status

    def add_member(self, user: FakeUser, *, admin: bool = False) -> None:
        self._driver.add_member(self, user, admin=admin)

    def leave(self, user: FakeUser) -> None:
        self._driver.leave_group(self, user)

    def ban(self, user: FakeUser, *, by: FakeUser | None = None) -> None:
        self._driver.ban_from_group(self, user, by=by)

    def restrict(self, user: FakeUser, *, can_send_messages: bool = False, by: FakeUser | None = None) -> None:
        self._driver.restrict_in_group(self, user, can_send_messages=can_send_messages, by=by)

    def another_bot_speaks(self) -> None:
        """Another bot of the group posts a message: in privacy mode it, not ours, now gets bare commands."""
        self._driver.another_bot_speaks(self)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, FakeGroup) and other.id == self.id

    def __hash__(self) -> int:
        return hash(("group", self.id))

    def __repr__(self) -> str:
        return f"FakeGroup(id={self.id})"
