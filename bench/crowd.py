"""Many people acting at once inside the fake Telegram's process, timed on the fake's own clock.

The fake's ``wait_for_message`` wakes every waiter on every change; with a thousand parents waiting that is a
million wake-ups, and the driver, not the bot, would be measured. Instead one ``Transcript`` follows the fake's
call log (only the new part, every couple of milliseconds) and wakes the waiters of the one chat a message went
to. Times are ``time.monotonic()`` in this process: a person's action is stamped just before the update is
queued for the bot, and a bot message with the moment the fake recorded the ``sendMessage`` call that made it.
"""

from __future__ import annotations

import asyncio
import json
import re
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from classbot_fakes.telegram import FakeTelegram, FakeUser

_POLL_SECONDS = 0.002


@dataclass(frozen=True, slots=True)
class Sent:
    """One message the bot sent to a chat: when the fake recorded it, and its text and buttons as sent."""

    at: float
    words: str


class Transcript:
    def __init__(self, fake: FakeTelegram) -> None:
        self._fake = fake
        self._seen = 0
        self.by_chat: dict[int, list[Sent]] = defaultdict(list)
        self._changed: dict[int, asyncio.Event] = defaultdict(asyncio.Event)

    async def follow(self) -> None:
        while True:
            self.catch_up()
            await asyncio.sleep(_POLL_SECONDS)

    def catch_up(self) -> None:
        calls = self._fake.calls
        for call in calls[self._seen :]:
            if call.method.lower() != "sendmessage" or not call.ok:
                continue
            chat = int(call.params["chat_id"])
            markup = call.params.get("reply_markup", "")
            words = f"{call.params.get('text', '')}\n{markup if isinstance(markup, str) else json.dumps(markup)}"
            self.by_chat[chat].append(Sent(call.at, words))
            self._changed[chat].set()
        self._seen = len(calls)

    def counts(self, since: int) -> dict[str, Any]:
        calls = self._fake.calls
        counted = Counter(f"{call.method} {call.status}" for call in calls[since:])
        sent_at = sorted(call.at for call in calls[since:] if call.method.lower() == "sendmessage" and call.ok)
        return {"total": len(calls), "by_method": dict(counted), "sent_at": sent_at}

    async def wait(
        self,
        chat: int,
        start: int,
        pattern: re.Pattern[str],
        count: int,
        quiet: float,
        deadline: float,
        fail: re.Pattern[str] | None = None,
        weigh: Callable[[re.Match[str]], int] = lambda _match: 1,
    ) -> tuple[list[Sent], bool]:
        """Messages to ``chat`` from index ``start`` on matching ``pattern``: once ``count`` arrived (each
        message counting as ``weigh`` says), or once one arrived and none followed for ``quiet`` seconds, or
        whatever arrived by ``deadline``; and whether a message matching ``fail`` came first (the wait ends)."""
        changed = self._changed[chat]
        while True:
            changed.clear()
            found = []
            weight = 0
            for sent in self.by_chat[chat][start:]:
                if match := pattern.search(sent.words):
                    found.append(sent)
                    weight += weigh(match)
                elif fail is not None and fail.search(sent.words):
                    return found, True
            now = time.monotonic()
            if weight >= count or now >= deadline:
                return found, False
            wait = deadline - now
            if found and quiet:
                wait = min(wait, found[-1].at + quiet - now)
                if wait <= 0:
                    return found, False
            try:
                await asyncio.wait_for(changed.wait(), wait)
            except TimeoutError:
                continue


class Crowd:
    """People doing one action each (open a deep link, press a button, type) and waiting for the bot's answer."""

    def __init__(self, fake: FakeTelegram, transcript: Transcript) -> None:
        self._fake = fake
        self._transcript = transcript

    async def act(self, request: dict[str, Any]) -> dict[str, Any]:
        """``{"users": [...], "action": {...}, "expect": {"pattern", "count", "quiet", "fail"}, "rate", "timeout"}``.

        ``rate`` > 0 spreads the actions evenly at that many per second; 0 acts for everyone at once. Texts may
        name ``{n}``, the person's position in ``users``. A message matching ``fail`` ends that person's wait.
        """
        users = [FakeUser(self._fake, int(user)) for user in request["users"]]
        action: dict[str, Any] = request["action"]
        expect: dict[str, Any] = request.get("expect", {})
        pattern = re.compile(str(expect.get("pattern", "")), re.S)
        count, quiet = int(expect.get("count", 1)), float(expect.get("quiet", 0))
        fail = re.compile(str(expect["fail"]), re.S) if expect.get("fail") else None
        rate, timeout = float(request.get("rate", 0)), float(request.get("timeout", 60))
        keep = bool(request.get("return_messages", False))
        self._transcript.catch_up()
        began = time.monotonic()
        deadline = began + timeout
        tasks = []
        for position, user in enumerate(users):
            if rate > 0:
                await asyncio.sleep(max(0.0, began + position / rate - time.monotonic()))
                self._transcript.catch_up()
            start = len(self._transcript.by_chat[user.id])
            acted = time.monotonic()
            self._do(user, position, action)
            wait = self._transcript.wait(user.id, start, pattern, count, quiet, deadline, fail)
            tasks.append((user.id, acted, asyncio.ensure_future(wait)))
        results = []
        for user_id, acted, task in tasks:
            found, failed = await task
            result: dict[str, Any] = {
                "user": user_id,
                "acted": acted,
                "first": found[0].at if found else None,
                "last": found[-1].at if found else None,
                "matched": len(found),
                "failed": failed,
            }
            if keep:
                result["messages"] = [sent.words for sent in found]
                result["times"] = [sent.at for sent in found]
            results.append(result)
        return {"began": began, "ended": time.monotonic(), "results": results}

    def _do(self, user: FakeUser, position: int, action: dict[str, Any]) -> None:
        kind = action["kind"]
        if kind == "start":
            user.start_private_chat()
        elif kind == "send":
            user.send(str(action["text"]).replace("{n}", str(position)))
        elif kind == "deeplink":
            user.open_deep_link(str(action["url"]))
        elif kind == "press":
            label = str(action["button"])
            found = [m for m in self._fake.messages(user, include_deleted=False) if label in m.button_texts]
            if not found:
                raise LookupError(f"user {user.id} has no message with a {label!r} button")
            user.press(found[-1], label)
        else:
            raise ValueError(f"unknown action {kind!r}")

    async def count(self, request: dict[str, Any]) -> dict[str, Any]:
        """How many messages to ``chat`` match ``pattern`` (waiting up to ``timeout`` for ``count`` of them).

        With ``tally``, a message counts as the number its ``n`` group holds (a digest of several bookings),
        or 1 without one; ``matched`` is then that sum."""
        chat = int(request["chat"])
        pattern = re.compile(str(request.get("pattern", "")), re.S)
        wanted, timeout = int(request.get("count", 0)), float(request.get("timeout", 0))
        tally = bool(request.get("tally", False))

        def weigh(match: re.Match[str]) -> int:
            number = match.groupdict().get("n") if tally else None
            return int(number) if number else 1

        self._transcript.catch_up()
        found, _ = await self._transcript.wait(chat, 0, pattern, wanted, 0, time.monotonic() + timeout, weigh=weigh)
        matched = sum(weigh(match) for sent in found if (match := pattern.search(sent.words)))
        return {"matched": matched, "last": found[-1].at if found else None, "now": time.monotonic()}
