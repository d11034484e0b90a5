"""getUpdates long polling whose offset moves past an update only once it is stored.

python-telegram-bot's own ``Updater`` confirms each batch with the next ``getUpdates`` call, whatever became of
its updates: one that met a database outage (or a crash) is gone for good. Here every update is handed to the
front end's ``feed`` (the webhook's path too: handled once, recorded as handled, raising when the database was
away), and ``getUpdates``' ``offset`` confirms only the updates below the first one not yet handled. One that
met the database away is asked for again, after a pause; those after it that were handled meanwhile come back
too and are recognised and skipped by ``feed``.

Each chat's updates are handled one after another, in order; different chats' at once, and new updates are
asked for while others are handled (every half second at most while some are under way, since ``getUpdates``
returns those at once). A chat whose update was not handled goes no further until it is.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from telegram import Bot, Update
from telegram.error import RetryAfter, TelegramError

from bot.storage.database import is_unavailable

log = logging.getLogger(__name__)

Feed = Callable[[dict[str, Any]], Awaitable[bool]]
AWAY_PAUSE = 1.0  # seconds before asking again for an update not stored, or after getUpdates failed
LONGEST_PAUSE = 10.0
BUSY_ASK = 0.5  # seconds between getUpdates while updates are under way (it answers at once then)


class Poller:
    """One long-poll loop, started and stopped with the front end."""

    def __init__(self, bot: Bot, feed: Feed, *, allowed_updates: Sequence[str], timeout: int = 20) -> None:
        self._bot = bot
        self._feed = feed
        self._allowed = list(allowed_updates)
        self._timeout = timeout
        self._task: asyncio.Task[None] | None = None
        self._next = 0  # every update below it was started (0: none seen yet)
        self._working: dict[int, asyncio.Task[bool]] = {}  # update_id -> its handling: True once handled
        self._lines: dict[object, asyncio.Task[bool]] = {}  # each chat's last update under way
        self._not_stored: set[int] = set()

    @property
    def offset(self) -> int | None:
        """The next getUpdates' offset: every update below it is handled (None: nothing seen yet)."""
        waiting = set(self._working) | self._not_stored
        if waiting:
            return min(waiting)
        return self._next or None

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="telegram-polling")

    async def stop(self) -> None:
        """Stop asking and let the updates under way finish; one not confirmed comes again at the next start."""
        if self._task is None:
            return
        self._task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._task
        self._task = None
        if self._working:  # before the front end closes its connections under them
            await asyncio.wait(list(self._working.values()))

    async def _run(self) -> None:
        pause = AWAY_PAUSE
        while True:
            if self._not_stored:  # nothing new starts (a chat's later update must not overtake it) until
                if self._working:  # what is under way is done, and the database had a moment
                    await asyncio.wait(list(self._working.values()), return_when=asyncio.FIRST_COMPLETED)
                    continue
                await asyncio.sleep(pause)
                pause = min(pause * 2, LONGEST_PAUSE)
                self._next = min(self._not_stored)  # started again from the first one not stored
                self._not_stored.clear()
            busy = bool(self._working)
            try:
                updates = await self._bot.get_updates(
                    offset=self.offset, timeout=0 if busy else self._timeout, allowed_updates=self._allowed
                )
            except RetryAfter as wait:
                await asyncio.sleep(_seconds(wait.retry_after))
                continue
            except TelegramError as failure:  # Telegram away or refusing: ask again later
                log.warning("getUpdates failed (%s); asking again in %.0f s", type(failure).__name__, pause)
                await asyncio.sleep(pause)
                pause = min(pause * 2, LONGEST_PAUSE)
                continue
            fresh = [update for update in updates if update.update_id >= self._next]
            for update in fresh:
                self._begin(update)
            if fresh and not self._not_stored:
                pause = AWAY_PAUSE
            if self._working and not fresh:
                await asyncio.wait(list(self._working.values()), timeout=BUSY_ASK, return_when=asyncio.FIRST_COMPLETED)

    def _begin(self, update: Update) -> None:
        line = _line_of(update)
        before = self._lines.get(line)
        task = asyncio.create_task(self._handle(update, before))
        self._working[update.update_id] = task
        self._lines[line] = task
        self._next = update.update_id + 1

        def done(finished: asyncio.Task[bool], update_id: int = update.update_id) -> None:
            self._working.pop(update_id, None)
            if self._lines.get(line) is finished:
                del self._lines[line]
            if finished.cancelled() or not finished.result():
                self._not_stored.add(update_id)

        task.add_done_callback(done)

    async def _handle(self, update: Update, before: asyncio.Task[bool] | None) -> bool:
        """Handle the update once the chat's update before it is done; False when it was not stored (the
        database away, or the update before it not stored)."""
        if before is not None and not await asyncio.shield(before):
            return False
        try:
            await self._feed(update.to_dict())
        except Exception as failure:
            if is_unavailable(failure):
                log.warning("update %s was not stored (the database is away); asking for it again", update.update_id)
                return False
            # A handler's own failure is answered by the error handler; the update is done with.
            log.error("a Telegram update could not be handled: %s", type(failure).__name__)
        return True


def _line_of(update: Update) -> object:
    chat = update.effective_chat
    if chat is not None:
        return ("chat", chat.id)
    user = update.effective_user
    if user is not None:
        return ("user", user.id)
    return ("update", update.update_id)


def _seconds(retry_after: object) -> float:
    total = getattr(retry_after, "total_seconds", None)
    return float(total()) if callable(total) else float(retry_after)  # type: ignore[arg-type]
