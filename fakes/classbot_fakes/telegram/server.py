"""``FakeTelegram``: the Telegram Bot API on 127.0.0.1, in a daemon thread with its own event loop.

    with FakeTelegram() as telegram:
        ann = telegram.add_user("Ann")
        # TELEGRAM_BOT_TOKEN=telegram.token, TELEGRAM_BASE_URL=telegram.base_url
        ann.send("/start")
        reply = await telegram.wait_for_message(ann)

The server and the test share state behind one lock; every accessor returns copies or frozen snapshots.
"""

from __future__ import annotations

import dataclasses
import os
import re
import secrets
import time
from collections.abc import Callable, Iterable
from typing import Any

from starlette.types import ASGIApp

from ..runner import ServedFake
from .app import build_app
from .chats import commands_key
from .driver import TelegramDriver
from .limits import RateLimits, ScriptedFault
from .payments import CardCharge, PaymentProvider, StarCharge, deliver_again
from .people import ChatRef, FakeGroup, FakeUser, chat_id_of
from .records import SentMessage, TelegramCall
from .render import bot_user
from .spec import load_essentials, load_spec
from .state import BotIdentity, GroupRecord, TelegramWorld, UserRecord
from .waiting import Waiting
from .webhook import WebhookSender


class FakeTelegram(ServedFake, TelegramDriver, Waiting):
    """The Bot API for tests: calls checked against the Bot API document (``spec_path``), or, with
    ``validate=False``, decoded from the package's summary of the methods the fake implements and not checked."""

    def __init__(
        self,
        *,
        token: str = "123456:TEST-token",  # noqa: S107 - the fake's own made-up bot
        bot_username: str = "classbot_test_bot",
        bot_name: str = "ClassBot",
        latency: float = 0.0,
        enforce_limits: bool = False,
        limits_clock: Callable[[], float] = time.monotonic,  # a test that counts a burst freezes it
        privacy_mode: bool = True,
        callback_query_ttl: float | None = 15.0,
        webhook_attempts: int = 4,
        webhook_max_pause: float = 2.0,
        spec_path: str | os.PathLike[str] | None = None,
        validate: bool = True,
        port: int = 0,
        start_timeout: float = 10.0,
    ) -> None:
        bot = BotIdentity(id=int(token.split(":", 1)[0]), token=token, first_name=bot_name, username=bot_username)
        self._world = TelegramWorld(
            bot,
            latency=latency,
            privacy_mode=privacy_mode,
            callback_query_ttl=callback_query_ttl,
            limits=RateLimits(enforce=enforce_limits, clock=limits_clock),
        )
        self._spec_path = spec_path
        self._validate = validate
        super().__init__("FakeTelegram", port=port, start_timeout=start_timeout)
        self._sender = WebhookSender(self._world, attempts=webhook_attempts, max_retry_delay=webhook_max_pause)

    # -- lifecycle ---------------------------------------------------------------------------------------------

    def _app(self) -> ASGIApp:
        return build_app(self._world, load_spec(self._spec_path) if self._validate else load_essentials())

    def _before_serving(self, port: int) -> None:
        with self._world.lock:
            self._world.closing = False

    def _after_serving(self) -> None:
        self._sender.start()

    def _before_stopping(self) -> None:
        """Answer waiting long polls and stop webhook delivery."""
        with self._world.lock:
            self._world.closing = True
            self._world.changes.notify()
        self._sender.stop()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def base_url(self) -> str:
        """What ClassBot's TELEGRAM_BASE_URL (python-telegram-bot's ``base_url``) should be."""
        return f"{self.url}/bot"

    @property
    def token(self) -> str:
        return self._world.bot.token

    @property
    def bot_id(self) -> int:
        return self._world.bot.id

    @property
    def bot_username(self) -> str:
        return self._world.bot.username

    @property
    def bot_user(self) -> dict[str, Any]:
        with self._world.lock:
            return bot_user(self._world)

    # -- users and groups --------------------------------------------------------------------------------------

    def add_user(
        self, first_name: str, *, last_name: str | None = None, username: str | None = None, language_code: str = "en"
    ) -> FakeUser:
        """A Telegram user who has not started the bot yet (so the bot cannot message them)."""
        with self._world.lock:
            user_id = self._world.new_user_id()
            self._world.users[user_id] = UserRecord(user_id, first_name, last_name, username, language_code)
            self._world.changes.notify()
        return FakeUser(self, user_id)

    def continue_update_ids(self, next_update_id: int) -> None:
        """Number updates on from an earlier server's, as Telegram does for a bot: a bot that remembers the update
        ids it handled (a database recorded elsewhere) must not take a new update for one it already had."""
        with self._world.lock:
            self._world.next_update_id = max(self._world.next_update_id, next_update_id)

    def carry_over_user(self, first_name: str) -> FakeUser:
        """A user who started the bot under an earlier server (a database recorded elsewhere): the bot may message
        them at once. Ids are given in order, so carrying users over in their recorded order gives their ids."""
        user = self.add_user(first_name)
        with self._world.lock:
            self._world.users[user.id].started = True
        return user

    def add_group(
        self,
        title: str,
        *,
        members: Iterable[FakeUser] = (),
        admins: Iterable[FakeUser] = (),
        username: str | None = None,
        with_bot: bool = False,
    ) -> FakeGroup:
        """A supergroup: the first admin is its creator, the others administrators. The bot is not in it unless
        ``with_bot`` (as a plain member, without the updates ``add_bot_to_group`` sends)."""
        admins = list(admins)
        statuses = {user.id: "member" for user in members}
        statuses |= {user.id: "creator" if index == 0 else "administrator" for index, user in enumerate(admins)}
        with self._world.lock:
            group_id = self._world.new_group_id()
            self._world.groups[group_id] = GroupRecord(
                group_id, title, username, statuses, bot_status="member" if with_bot else "left"
            )
            self._world.changes.notify()
        return FakeGroup(self, group_id)

    # -- time, limits and faults -------------------------------------------------------------------------------

    @property
    def latency(self) -> float:
        with self._world.lock:
            return self._world.latency

    @latency.setter
    def latency(self, seconds: float) -> None:
        with self._world.lock:
            self._world.latency = seconds

    @property
    def enforce_limits(self) -> bool:
        with self._world.lock:
            return self._world.limits.enforce

    @enforce_limits.setter
    def enforce_limits(self, enforce: bool) -> None:
        """Telegram's flood limits on sent messages: 30/s overall, ~1/s per chat (bursts of 3), 20/min per group."""
        with self._world.lock:
            self._world.limits.enforce = enforce

    def fail_next(
        self,
        method: str | None,
        error_code: int,
        description: str | None = None,
        *,
        retry_after: int | None = None,
        times: int = 1,
        after: bool = False,
        delay: float | None = None,
        text: str | None = None,
    ) -> None:
        """Answer the next ``times`` calls of ``method`` (any method if None) with this error, after ``delay``
        seconds. Without a description a 429 says "Too Many Requests: retry after N" (N = ``retry_after`` or 1).
        ``error_code=DROPPED`` answers nothing and closes the connection (a timeout, when ``delay`` outlasts the
        bot's read timeout). ``after=True``: the method runs first (the message is delivered), then its answer
        is replaced: the response lost after delivery. ``text``: only calls whose text matches this regex."""
        lowered = method.lower() if method else None
        pattern = re.compile(text) if text else None
        fault = ScriptedFault(lowered, error_code, description, retry_after, times, after, delay, pattern)
        with self._world.lock:
            self._world.faults.add(fault)

    def set_fault_rates(
        self,
        rate_limited: float = 0.0,
        seed: int = 0,
        *,
        server_error: float = 0.0,
        lost_after: float = 0.0,
        text: str | None = None,
    ) -> None:
        """Random faults with these probabilities, reproducible from ``seed``: 429s (retry after 1), 500s and
        502s before the method runs, and (``lost_after``) the method runs, then its answer is a 502 or never
        comes; the 5xx and lost answers only for calls whose text matches the ``text`` regex, if given.
        getUpdates, getMe and the webhook methods are spared."""
        pattern = re.compile(text) if text else None
        with self._world.lock:
            self._world.faults.set_rates(
                rate_limited=rate_limited, server_error=server_error, seed=seed, lost_after=lost_after, text=pattern
            )

    def clear_faults(self) -> None:
        with self._world.lock:
            self._world.faults.clear()

    # -- the transcript ----------------------------------------------------------------------------------------

    def messages(self, chat: ChatRef, *, include_deleted: bool = True) -> list[SentMessage]:
        """What the bot sent to ``chat``, in order, each as it stands now (edit history in ``history``)."""
        chat_id = chat_id_of(chat)
        with self._world.lock:
            return [
                message.snapshot()
                for message in self._world.messages.get(chat_id, [])
                if message.sender_id == self._world.bot.id and (include_deleted or not message.deleted)
            ]

    def last_message(self, chat: ChatRef) -> SentMessage:
        found = self.messages(chat, include_deleted=False)
        if not found:
            raise LookupError(f"the bot sent nothing to chat {chat_id_of(chat)}")
        return found[-1]

    def all_messages(self) -> list[SentMessage]:
        """Every message the bot sent, in every chat, in chat then message order."""
        with self._world.lock:
            chats = list(self._world.messages)
        return [message for chat_id in chats for message in self.messages(chat_id)]

    def connect_payment_provider(self, charge: PaymentProvider, *, token: str | None = None) -> str:
        """A payment provider connected to the bot (BotFather's Payments): invoices in money name the token
        answered here; paying one calls ``charge`` (amount, currency, title), which takes the money at the provider
        and answers its charge id (the Stripe test server's ``charge_card``, say)."""
        token = token or f"284685063:TEST:{secrets.token_hex(8)}"
        with self._world.lock:
            self._world.payment_providers[token] = charge
        return token

    def send_payment_again(self, charge_id: str) -> int:
        """Deliver the ``successful_payment`` message of ``charge_id`` once more, in an update of its own, as
        Telegram may after a restart; the new update's id."""
        with self._world.lock:
            update_id = deliver_again(self._world, charge_id)
        if update_id is None:
            raise LookupError(f"no successful payment {charge_id!r}, or the bot does not take messages")
        return update_id

    def card_charges(self, user: ChatRef | None = None) -> list[CardCharge]:
        """The payments made through a provider, of ``user`` or of everyone: Telegram's and the provider's ids."""
        with self._world.lock:
            return [
                made for made in self._world.card_charges.values() if user is None or made.user_id == chat_id_of(user)
            ]

    def star_charges(self, user: ChatRef | None = None) -> list[StarCharge]:
        """The Stars payments made (``FakeUser.pay``), of ``user`` or of everyone, with whether each was refunded."""
        with self._world.lock:
            return [
                dataclasses.replace(made)
                for made in self._world.star_charges.values()
                if user is None or made.user_id == chat_id_of(user)
            ]

    @property
    def calls(self) -> list[TelegramCall]:
        with self._world.lock:
            return list(self._world.calls)

    def count(self, method: str | None = None, *, ok: bool | None = None) -> int:
        """How many calls of ``method`` (any letter case; all methods if None), only successful or failed ones
        if ``ok`` says so."""
        return sum(
            1
            for call in self.calls
            if (method is None or call.method.lower() == method.lower()) and (ok is None or call.ok == ok)
        )

    def clear_calls(self) -> None:
        with self._world.lock:
            self._world.calls.clear()

    @property
    def long_polls_waiting(self) -> int:
        """How many getUpdates calls are waiting for an update right now (1 while a bot is polling idly)."""
        with self._world.lock:
            return self._world.polls_waiting

    @property
    def pending_updates(self) -> list[dict[str, Any]]:
        """Updates queued and not yet confirmed (getUpdates offset) or delivered (webhook)."""
        with self._world.lock:
            return list(self._world.updates)

    @property
    def webhook_most_in_flight(self) -> int:
        """The most webhook requests that were ever open at once (at most setWebhook's ``max_connections``)."""
        with self._world.lock:
            return self._sender.most_in_flight

    @property
    def dropped_webhook_updates(self) -> list[dict[str, Any]]:
        """Updates the webhook refused every time they were delivered."""
        with self._world.lock:
            return list(self._world.webhook_dropped)

    @property
    def webhook_url(self) -> str | None:
        with self._world.lock:
            return self._world.webhook.url if self._world.webhook else None

    def commands(self, scope: dict[str, Any] | None = None, language_code: str = "") -> list[dict[str, str]]:
        """The commands set with setMyCommands for ``scope`` (default scope if None) and ``language_code``."""
        with self._world.lock:
            return [dict(command) for command in self._world.commands.get(commands_key(scope, language_code), [])]
