"""Failures on demand and Telegram's flood limits.

Telegram's broadcasting FAQ: about 30 messages per second overall, no more than one message per second in a
chat (short bursts are tolerated), at most 20 messages per minute in a group. Over a limit the Bot API answers
``429 {"description": "Too Many Requests: retry after N", "parameters": {"retry_after": N}}``.

A fault strikes before the method runs (nothing was sent) or ``after`` it (the message was delivered, then the
answer was lost: a 5xx from the front, or no answer at all). ``error_code=DROPPED`` answers nothing: the
connection closes after ``delay`` seconds, a timeout to a client whose read timeout is shorter.
"""

from __future__ import annotations

import asyncio
import math
import random
import re
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

from ..dropped import DROPPED
from .errors import BotApiError, describe, too_many_requests

# Methods that random faults never hit, so a bot can always start, poll and configure itself.
NEVER_RANDOMLY_FAILED = frozenset({"getupdates", "getme", "setwebhook", "deletewebhook", "getwebhookinfo"})


class Dropped(Exception):
    """The answer is lost: the server closes the connection instead of answering."""


@dataclass(slots=True)
class ScriptedFault:
    method: str | None
    error_code: int
    description: str | None
    retry_after: int | None
    remaining: int
    after: bool = False  # the method runs first; its answer is replaced
    delay: float | None = None
    text: re.Pattern[str] | None = None  # only calls whose ``text`` parameter matches
    scripted: bool = True  # False for a fault the random rates drew

    def matches(self, method: str, text: str) -> bool:
        if self.method is not None and self.method != method:
            return False
        return self.text is None or self.text.search(text) is not None

    @property
    def label(self) -> str:
        """How the transcript names it: "before 429", "after dropped"."""
        return f"{'after' if self.after else 'before'} {self.error_code or 'dropped'}"

    async def strike(self) -> None:
        """Wait the delay, then raise the answer (``Dropped`` for none)."""
        if self.delay:
            await asyncio.sleep(self.delay)
        if self.error_code == DROPPED:
            raise Dropped
        raise self.error()

    def error(self) -> BotApiError:
        if self.error_code == 429 and self.description is None:
            return too_many_requests(self.retry_after or 1)
        if self.description is None:
            default = {500: "Internal Server Error", 502: "Bad Gateway"}.get(self.error_code, "")
            return BotApiError(self.error_code, describe(self.error_code, default), retry_after=self.retry_after)
        return BotApiError(self.error_code, self.description, retry_after=self.retry_after)


class FaultPlan:
    """Scripted faults first, in the order given; then random ones at the configured rates."""

    def __init__(self) -> None:
        self._scripted: list[ScriptedFault] = []
        self._rng = random.Random(0)
        self.rate_limited = 0.0
        self.server_error = 0.0
        self.lost_after = 0.0
        self.text: re.Pattern[str] | None = None

    def add(self, fault: ScriptedFault) -> None:
        self._scripted.append(fault)

    def set_rates(
        self,
        *,
        rate_limited: float,
        server_error: float,
        seed: int,
        lost_after: float = 0.0,
        text: re.Pattern[str] | None = None,
    ) -> None:
        """``server_error``: 500 or 502 before the method runs; ``lost_after``: the method runs, then its answer
        is a 502 or no answer at all (half each). ``text``: the 5xx and lost answers strike only calls whose
        text matches (429s strike any call)."""
        self.text = text
        rates = (rate_limited, server_error, lost_after)
        if not (min(rates) >= 0.0 and sum(rates) <= 1.0):
            raise ValueError("fault rates must be probabilities whose sum is at most 1")
        self.rate_limited, self.server_error, self.lost_after = rates
        self._rng = random.Random(seed)

    def clear(self) -> None:
        self._scripted.clear()
        self.rate_limited = self.server_error = self.lost_after = 0.0
        self.text = None

    def take(self, method: str, text: str = "") -> ScriptedFault | None:
        """The fault for a call of ``method`` whose ``text`` parameter is ``text``, if one strikes."""
        lowered = method.lower()
        for fault in self._scripted:
            if fault.matches(lowered, text):
                fault.remaining -= 1
                if fault.remaining <= 0:
                    self._scripted.remove(fault)
                return fault
        if lowered in NEVER_RANDOMLY_FAILED or not (self.rate_limited or self.server_error or self.lost_after):
            return None
        draw = self._rng.random()
        if draw < self.rate_limited:
            return ScriptedFault(lowered, 429, None, 1, 1, scripted=False)
        if self.text is not None and self.text.search(text) is None:
            return None
        if draw < self.rate_limited + self.server_error:
            return ScriptedFault(lowered, self._rng.choice((500, 502)), None, None, 1, scripted=False)
        if draw < self.rate_limited + self.server_error + self.lost_after:
            return ScriptedFault(lowered, self._rng.choice((502, DROPPED)), None, None, 1, after=True, scripted=False)
        return None

    def put_back(self, fault: ScriptedFault) -> None:
        """An after-the-effect fault whose call failed on its own (a flood limit, a bad parameter) never struck:
        a scripted one waits for the next matching call, so a test that scripts it sees it strike."""
        if not fault.scripted:
            return
        if fault in self._scripted:
            fault.remaining += 1
        else:
            fault.remaining = 1
            self._scripted.insert(0, fault)


class RateLimits:
    """Telegram's flood limits on sent messages, enforced only when ``enforce`` is on."""

    def __init__(
        self,
        *,
        enforce: bool = False,
        per_second: int = 30,
        per_chat_rate: float = 1.0,
        per_chat_burst: int = 3,
        per_group_minute: int = 20,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.enforce = enforce
        self.per_second = per_second
        self.per_chat_rate = per_chat_rate
        self.per_chat_burst = per_chat_burst
        self.per_group_minute = per_group_minute
        self._clock = clock
        self._overall: deque[float] = deque()
        self._groups: dict[int, deque[float]] = {}
        self._chats: dict[int, tuple[float, float]] = {}

    def admit(self, chat_id: int, *, is_group: bool) -> None:
        """Count one message to ``chat_id``, or raise the 429 Telegram would answer instead."""
        if not self.enforce:
            return
        now = self._clock()
        waits = [_window_wait(self._overall, self.per_second, 1.0, now)]
        group_hits = self._groups.setdefault(chat_id, deque()) if is_group else None
        if group_hits is not None:
            waits.append(_window_wait(group_hits, self.per_group_minute, 60.0, now))
        tokens, last = self._chats.get(chat_id, (float(self.per_chat_burst), now))
        tokens = min(float(self.per_chat_burst), tokens + (now - last) * self.per_chat_rate)
        if tokens < 1.0:
            waits.append((1.0 - tokens) / self.per_chat_rate)
        wait = max(waits)
        if wait > 0:
            raise too_many_requests(max(1, math.ceil(wait)))
        self._chats[chat_id] = (tokens - 1.0, now)
        self._overall.append(now)
        if group_hits is not None:
            group_hits.append(now)


def _window_wait(hits: deque[float], limit: int, window: float, now: float) -> float:
    """Seconds until one more hit fits in the sliding ``window`` (0 if it fits now)."""
    while hits and now - hits[0] >= window:
        hits.popleft()
    return 0.0 if len(hits) < limit else hits[0] + window - now
