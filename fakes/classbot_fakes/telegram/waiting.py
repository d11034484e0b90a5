"""Waiting, from async tests, for what the bot does: a message, an edit, a callback answer, any condition.

Waits wake on every change of the fake's state (never a fixed sleep) and give up after ``timeout`` seconds with
a TimeoutError that says what the chat holds. Predicates and conditions run under the fake's (re-entrant) lock:
keep them quick; they may read the fake.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from .people import ChatRef, chat_id_of
from .records import CallbackAnswer, SentMessage
from .state import TelegramWorld

T = TypeVar("T")
MessagePredicate = Callable[[SentMessage], bool]


class Waiting:
    _world: TelegramWorld

    async def wait_for_message(
        self, chat: ChatRef, predicate: MessagePredicate | None = None, *, timeout: float = 10.0
    ) -> SentMessage:
        """The earliest message from the bot in ``chat`` that matches ``predicate`` and that no earlier call
        returned; waits for one to arrive. Edits do not make a message new again (see ``wait_for_edit``)."""
        world = self._world
        chat_id = chat_id_of(chat)

        def unseen_match() -> SentMessage | None:
            for stored in world.messages.get(chat_id, []):
                if stored.sender_id != world.bot.id or (chat_id, stored.message_id) in world.consumed:
                    continue
                snapshot = stored.snapshot()
                if predicate is None or predicate(snapshot):
                    world.consumed.add((chat_id, stored.message_id))
                    return snapshot
            return None

        found = await world.changes.wait_for(unseen_match, timeout)
        if found is None:
            raise TimeoutError(
                f"no new matching bot message in chat {chat_id} within {timeout}s; {self._seen(chat_id)}"
            )
        return found

    async def wait_for_edit(
        self, message: SentMessage, predicate: MessagePredicate | None = None, *, timeout: float = 10.0
    ) -> SentMessage:
        """``message`` once it has been edited (or deleted) since this snapshot, and matches ``predicate``."""
        world = self._world

        def changed() -> SentMessage | None:
            stored = world.find_message(message.chat_id, message.message_id)
            if stored is None or (len(stored.history) == len(message.history) and stored.deleted == message.deleted):
                return None
            snapshot = stored.snapshot()
            return snapshot if predicate is None or predicate(snapshot) else None

        found = await world.changes.wait_for(changed, timeout)
        if found is None:
            raise TimeoutError(f"message {message.message_id} in chat {message.chat_id} not edited within {timeout}s")
        return found

    async def wait_until(self, condition: Callable[[], T | None], *, timeout: float = 10.0) -> T:
        """The first truthy value of ``condition()``, re-evaluated after every change."""
        found = await self._world.changes.wait_for(lambda: condition() or None, timeout)
        if found is None:
            raise TimeoutError(f"condition not met within {timeout}s")
        return found

    def callback_answer(self, query_id: str) -> CallbackAnswer | None:
        """What the bot answered to the callback query ``query_id`` (None while unanswered)."""
        with self._world.lock:
            query = self._world.callback_queries.get(query_id)
            if query is None:
                raise KeyError(f"no callback query {query_id!r}")
            return query.answer

    async def wait_for_callback_answer(self, query_id: str, *, timeout: float = 10.0) -> CallbackAnswer:
        found = await self._world.changes.wait_for(lambda: self.callback_answer(query_id), timeout)
        if found is None:
            raise TimeoutError(f"callback query {query_id} not answered within {timeout}s")
        return found

    def _seen(self, chat_id: int) -> str:
        with self._world.lock:
            texts = [
                (m.message_id, m.text if m.text is not None else m.caption)
                for m in self._world.messages.get(chat_id, [])
                if m.sender_id == self._world.bot.id
            ]
            webhook = (
                f"; {len(self._world.updates)} updates waiting for the webhook, "
                f"{len(self._world.webhook_dropped)} given up on"
                if self._world.webhook is not None
                else ""
            )
        seen = f"bot messages there: {texts[-5:]}" if texts else "the bot sent nothing there"
        return seen + webhook
