"""Group writing: small writes that arrive while one is in flight go to the database together, in the next.

Under a burst many tasks finish the same kind of small write at once (a job done, an update handled), each a
statement and a round trip of its own. Written one at a time, they queue for pooled connections anyway; a
writer that takes all that have arrived and writes them with one statement does the same work in one round trip.
A lone write goes at once (one hop of the event loop later), so nothing waits for company.

Each caller still waits for its own write, and gets its failure: nothing is reported written before it is.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Generic, TypeVar

_Item = TypeVar("_Item")


class GroupedWrites(Generic[_Item]):
    """Feeds ``write`` every item added meanwhile, in the order added; one ``write`` at a time."""

    def __init__(self, write: Callable[[list[_Item]], Awaitable[None]]) -> None:
        self._write = write
        self._waiting: list[tuple[_Item, asyncio.Future[None]]] = []
        self._writer: asyncio.Task[None] | None = None

    async def add(self, item: _Item) -> None:
        """Return once ``item`` is written, with whatever else came meanwhile; raise what its write raised."""
        written = asyncio.get_running_loop().create_future()
        self._waiting.append((item, written))
        if self._writer is None:
            self._writer = asyncio.create_task(self._write_waiting(), name="grouped-writes")
        await asyncio.shield(written)  # a caller that gives up does not cancel the others' write

    async def _write_waiting(self) -> None:
        try:
            while self._waiting:
                batch, self._waiting = self._waiting, []
                try:
                    await self._write([item for item, _ in batch])
                except Exception as error:
                    for _, written in batch:
                        if not written.done():
                            written.set_exception(error)
                except BaseException:
                    for _, written in batch:
                        written.cancel()
                    raise
                else:
                    for _, written in batch:
                        if not written.done():
                            written.set_result(None)
        finally:
            self._writer = None
            for _, written in self._waiting:  # only when cancelled: the callers must not wait forever
                if not written.done():
                    written.cancel()
            self._waiting = []
