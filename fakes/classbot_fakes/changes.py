"""Waiting for a fake's state to change, from threads and from event loops alike, without polling.

Everything that changes the world calls ``notify()`` with the world lock held; it wakes the threads waiting on the
condition and sets an ``asyncio.Event`` on every loop that is waiting, through ``call_soon_threadsafe``. A waiter
registers first, then checks, then sleeps, so no change between its check and its sleep is lost.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


class ChangeFeed:
    def __init__(self, lock: threading.RLock) -> None:
        self._lock = lock
        self.condition = threading.Condition(lock)
        self.version = 0
        self._loops: dict[int, tuple[asyncio.AbstractEventLoop, asyncio.Event]] = {}

    def notify(self) -> None:
        """Wake every waiter; the caller holds the lock."""
        self.version += 1
        self.condition.notify_all()
        for key, (loop, event) in list(self._loops.items()):
            try:
                loop.call_soon_threadsafe(event.set)
            except RuntimeError:  # that loop is closed; its waiter is gone
                self._loops.pop(key, None)

    async def wait_for(self, check: Callable[[], T | None], timeout: float) -> T | None:
        """``check()`` (run under the lock) once it returns something other than None, or None after ``timeout``."""
        loop = asyncio.get_running_loop()
        event = asyncio.Event()
        key = id(event)
        with self._lock:
            self._loops[key] = (loop, event)
        try:
            deadline = loop.time() + timeout
            while True:
                event.clear()
                with self._lock:
                    result = check()
                if result is not None:
                    return result
                remaining = deadline - loop.time()
                if remaining <= 0:
                    return None
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(event.wait(), remaining)
        finally:
            with self._lock:
                self._loops.pop(key, None)

    def wait_for_sync(self, check: Callable[[], T | None], timeout: float) -> T | None:
        """The blocking form of ``wait_for``, for threads."""
        deadline = time.monotonic() + timeout
        with self.condition:
            while True:
                result = check()
                if result is not None:
                    return result
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return None
                self.condition.wait(remaining)
