"""Pacing sends to Telegram's flood limits, per chat, so one busy chat never holds up the others.

Telegram's limits (its broadcasting FAQ): about 30 messages per second overall, about one per second in one chat
(short bursts tolerated), at most 20 per minute in a group. Over a limit it answers 429 with ``retry_after``.

python-telegram-bot's ``AIORateLimiter`` paces the overall rate with a bucket that lets a burst of 30 through at
once (so a strict one-second window sees up to 60), does not pace private chats, and on any 429 stops *every*
send for the wait. A class announced in a big group brings hundreds of bookings a minute, each telling the
same teacher: that teacher's chat then hits its own limit again and again, and each 429 froze the parents'
links too. Here:

- each chat has its own schedule: a send reserves the chat's next free moment when it arrives, so sends to one
  chat go out in arrival order at the chat's rate (a private chat: a token bucket in its "virtual scheduling"
  form, GCRA; a group: a sliding window, at most 20 sends in any 60 seconds, so a short burst goes at once);
- the overall rate is an even pace that keeps its schedule (``bot.support.pace``): sends in arrival order, never
  more than the rate in any second, and no fewer over time when the event loop wakes senders late;
- a 429 for a chat moves only that chat's schedule past ``retry_after``; the send is then tried again.

Requests that send nothing to a chat (``answerCallbackQuery``, ``getMe``, ``setWebhook``…) are not paced, nor
are those that only read one (``getChatMember``, ``getChat``…: the messages limits do not count them). A new
parent's /classes asks ``getChatMember`` of up to 100 groups: paced as sends at 28/s they took 3.6 s, and each
question used up one of its group's 20 sends a minute, holding up that group's announcements.
With ``messages_per_second=0`` nothing is paced (a Bot API server without limits, or a benchmark of raw
capacity); a 429 is still waited out and retried.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import deque
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Any

from telegram.error import BadRequest, NetworkError, RetryAfter, TimedOut
from telegram.ext import BaseRateLimiter

from bot.support.pace import EvenPace

log = logging.getLogger(__name__)

JSONResult = bool | dict[str, Any] | list[dict[str, Any]]


@dataclass(frozen=True, slots=True)
class ChatRate:
    """One chat may receive ``burst`` messages at once, then one every ``interval`` seconds."""

    interval: float
    burst: int


# A little slower than the limits themselves: requests in flight together reach Telegram a few ms apart, in
# any order, and one that arrives a hair early costs a whole second of "retry after".
PRIVATE_CHAT = ChatRate(interval=1.1, burst=3)


@dataclass(frozen=True, slots=True)
class GroupRate:
    """A group may receive at most ``limit`` messages in any ``seconds``."""

    limit: int
    seconds: float


GROUP_CHAT = GroupRate(limit=20, seconds=61.0)
_FORGET_AFTER = 10_000  # chats remembered before idle ones are dropped
_SERVER_ERROR_PAUSE = 0.5  # seconds before trying a call Telegram failed (5xx) again; longer each time


class ChatPacer(BaseRateLimiter[int]):
    """A rate limiter for python-telegram-bot that paces each chat on its own (see the module docstring)."""

    def __init__(
        self,
        *,
        messages_per_second: float = 28.0,
        private: ChatRate = PRIVATE_CHAT,
        group: GroupRate = GROUP_CHAT,
        max_retries: int = 3,
        clock: Callable[[], float] | None = None,
    ) -> None:
        self._overall = EvenPace(messages_per_second, clock=clock) if messages_per_second > 0 else None
        self._private = private
        self._group = group
        self._max_retries = max_retries
        self._clock = clock
        self._chats: dict[int | str, float] = {}  # private chat → its theoretical arrival time (GCRA)
        self._groups: dict[int | str, deque[float]] = {}  # group → its last ``limit`` reserved send times
        self._held: dict[int | str, float] = {}  # chat → when Telegram lets us send to it again (after a 429)

    async def initialize(self) -> None:
        """Nothing to set up: the schedules start empty."""

    async def shutdown(self) -> None:
        """Nothing to release."""

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, JSONResult]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> JSONResult:
        chat = None if endpoint.startswith("get") else _chat_of(data)  # reads are not sends (module docstring)
        retries = rate_limit_args if rate_limit_args is not None else self._max_retries
        for attempt in range(retries + 1):
            if chat is not None and self._overall is not None:
                await self._wait_for_turn(chat, self._overall)
            try:
                return await callback(*args, **kwargs)
            except NetworkError as failed:
                # Telegram's 5xx or a dropped connection: nothing was done as far as we can tell, so once more
                # after a moment. Not a refusal (BadRequest), and not a timeout: a send that timed out may have
                # been delivered, and a second copy is worse than the apology the handler then gives.
                if isinstance(failed, BadRequest | TimedOut) or attempt == retries:
                    raise
                log.info("Telegram failed %s (%s); trying again", endpoint, failed)
                await asyncio.sleep(_SERVER_ERROR_PAUSE * (attempt + 1))
            except RetryAfter as limited:
                if attempt == retries:
                    raise
                wait = limited.retry_after
                seconds = wait.total_seconds() if not isinstance(wait, int) else float(wait)
                log.info("Telegram asked to wait %.0f s before calling %s again", seconds, endpoint)
                if chat is not None and self._overall is not None:
                    self._hold(chat, seconds)  # the next turn of this chat waits it out
                else:
                    await asyncio.sleep(seconds + 0.1)
        raise AssertionError("unreachable: the last attempt returns or raises")

    async def _wait_for_turn(self, chat: int | str, overall: EvenPace) -> None:
        """Sleep until the chat may receive again, then until the overall pace lets a message leave."""
        delay = self._reserve(chat) - self._now()
        if delay > 0:
            await asyncio.sleep(delay)
        held = self._held.get(chat, 0.0) - self._now()  # reserved before a 429 for this chat came back
        if held > 0:
            await asyncio.sleep(held)
        await overall.turn()

    def _reserve(self, chat: int | str) -> float:
        """The moment this send may go to ``chat``; the chat's schedule moves past it (no await: no race)."""
        now = self._now()
        if _is_group(chat):
            return self._reserve_in_group(chat, now)
        rate = self._private
        arrival = max(self._chats.get(chat, now), now)
        send_at = max(now, arrival - (rate.burst - 1) * rate.interval)
        self._chats[chat] = max(arrival, send_at) + rate.interval
        if len(self._chats) > _FORGET_AFTER:
            self._chats = {key: at for key, at in self._chats.items() if at > now}
        return send_at

    def _reserve_in_group(self, chat: int | str, now: float) -> float:
        sends = self._groups.setdefault(chat, deque(maxlen=self._group.limit))
        send_at = now if len(sends) < self._group.limit else max(now, sends[0] + self._group.seconds)
        sends.append(max(send_at, sends[-1]) if sends else send_at)
        if len(self._groups) > _FORGET_AFTER:
            self._groups = {key: kept for key, kept in self._groups.items() if kept[-1] > now - self._group.seconds}
        return send_at

    def _hold(self, chat: int | str, seconds: float) -> None:
        """Telegram said this chat must wait: nothing more goes to it before then (other chats go on)."""
        now = self._now()
        resume = now + seconds + 0.1
        self._held[chat] = resume
        if not _is_group(chat):
            # The next reservation then starts at ``resume`` with one message, not a burst.
            rate = self._private
            self._chats[chat] = max(self._chats.get(chat, 0.0), resume + (rate.burst - 1) * rate.interval)
        if len(self._held) > _FORGET_AFTER:
            self._held = {key: until for key, until in self._held.items() if until > now}

    def _now(self) -> float:
        return self._clock() if self._clock is not None else asyncio.get_running_loop().time()


def _chat_of(data: dict[str, Any]) -> int | str | None:
    chat = data.get("chat_id")
    if chat is None:
        return None
    with contextlib.suppress(TypeError, ValueError):
        return int(chat)
    return str(chat)


def _is_group(chat: int | str) -> bool:
    """Groups, supergroups and channels have negative ids (or an @username)."""
    return isinstance(chat, str) or chat < 0
