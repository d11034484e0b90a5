"""Grouped statements: small reads or writes that arrive while one is in flight go to the database together.

Under a burst many tasks make the same small statement at once (is this update new, where is this person in
their flow, this job is done), each a round trip and a pooled connection of its own. Made one at a time, they
queue for connections anyway; a runner that takes all that have arrived and makes them one statement does the
same work in one round trip. A lone call goes at once (one hop of the event loop later): nothing waits for
company.

Each caller still waits for its own answer, and gets its failure: nothing is reported written before it is.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from typing import Generic, TypeVar

_Item = TypeVar("_Item")
_Answer = TypeVar("_Answer")


class Grouped(Generic[_Item, _Answer]):
    """Feeds ``run`` every item added meanwhile, in the order added, one ``run`` at a time; ``run`` answers each
    item, in the same order."""

    def __init__(self, run: Callable[[list[_Item]], Awaitable[Sequence[_Answer]]], *, most: int = 500) -> None:
        """``most``: items per run at most, so no statement outgrows the database's limit on parameters."""
        self._run = run
        self._most = most
        self._waiting: list[tuple[_Item, asyncio.Future[_Answer]]] = []
        self._runner: asyncio.Task[None] | None = None

    async def add(self, item: _Item) -> _Answer:
        """``item``'s answer, once its group ran; raise what the group's run raised."""
        answered: asyncio.Future[_Answer] = asyncio.get_running_loop().create_future()
        self._waiting.append((item, answered))
        if self._runner is None:
            self._runner = asyncio.create_task(self._run_waiting(), name="grouped-statements")
        return await asyncio.shield(answered)  # a caller that gives up does not cancel the others' statement

    async def _run_waiting(self) -> None:
        try:
            while self._waiting:
                group, self._waiting = self._waiting[: self._most], self._waiting[self._most :]
                try:
                    answers = await self._run([item for item, _ in group])
                    if len(answers) != len(group):
                        raise ValueError(f"{len(answers)} answers to {len(group)} items")
                except Exception as error:
                    for _, answered in group:
                        if not answered.done():
                            answered.set_exception(error)
                except BaseException:
                    for _, answered in group:
                        answered.cancel()
                    raise
                else:
                    for (_, answered), answer in zip(group, answers, strict=True):
                        if not answered.done():
                            answered.set_result(answer)
        finally:
            self._runner = None
            for _, answered in self._waiting:  # only when cancelled: the callers must not wait forever
                answered.cancel()
            self._waiting = []


class GroupedWrites(Grouped[_Item, None]):
    """``Grouped`` for writes, which answer nothing: ``write`` takes the items and returns nothing."""

    def __init__(self, write: Callable[[list[_Item]], Awaitable[None]], *, most: int = 500) -> None:
        async def run(items: list[_Item]) -> list[None]:
            await write(items)
            return [None] * len(items)

        super().__init__(run, most=most)
