"""Grouped statements: small reads or writes that arrive while one is in flight go to the database together.

Under a burst many tasks make the same small statement at once (is this update new, where is this person in
their flow, this job is done), each a round trip and a pooled connection of its own. Made one at a time, they
queue for connections anyway; a runner that takes all that have arrived and makes them one statement does the
same work in one round trip. A lone call goes at once (one hop of the event loop later): nothing waits for
company.

Each caller still waits for its own answer. A group that fails is run again item by item, so an item the
database refuses fails only its own caller, and a passing fault gets a second try; nothing is reported written
before it is. A group that takes longer than ``give_up_after`` seconds fails with ``TimeoutError``: one stuck
connection must not hold every caller waiting behind it.
"""

from __future__ import annotations

import asyncio
import contextvars
from collections.abc import Awaitable, Callable, Sequence
from typing import Generic, TypeVar

_Item = TypeVar("_Item")
_Answer = TypeVar("_Answer")


class Grouped(Generic[_Item, _Answer]):
    """Feeds ``run`` every item added meanwhile, in the order added, one ``run`` at a time; ``run`` answers each
    item, in the same order."""

    def __init__(
        self,
        run: Callable[[list[_Item]], Awaitable[Sequence[_Answer]]],
        *,
        most: int = 500,
        give_up_after: float = 30.0,
    ) -> None:
        """``most``: items per run at most, so no statement outgrows the database's limit on parameters."""
        self._run = run
        self._most = most
        self._give_up_after = give_up_after
        self._waiting: list[tuple[_Item, asyncio.Future[_Answer]]] = []
        self._runner: asyncio.Task[None] | None = None

    async def add(self, item: _Item) -> _Answer:
        """``item``'s answer, once its group ran; raise what its run raised."""
        answered: asyncio.Future[_Answer] = asyncio.get_running_loop().create_future()
        self._waiting.append((item, answered))
        if self._runner is None or self._runner.done():
            # A context of its own: the runner serves many callers, so it must not log as the first of them.
            runner = self._run_waiting()
            self._runner = asyncio.create_task(runner, name="grouped-statements", context=contextvars.Context())
        return await asyncio.shield(answered)  # a caller that gives up does not cancel the others' statement

    async def _run_waiting(self) -> None:
        try:
            while self._waiting:
                group, self._waiting = self._waiting[: self._most], self._waiting[self._most :]
                try:
                    await self._answer(group)
                except BaseException:
                    for _, answered in group:
                        answered.cancel()
                    raise
        finally:
            self._runner = None
            for _, answered in self._waiting:  # only when cancelled: the callers must not wait forever
                answered.cancel()
            self._waiting = []

    async def _answer(self, group: list[tuple[_Item, asyncio.Future[_Answer]]]) -> None:
        try:
            answers = await self._run_once([item for item, _ in group])
        except Exception as error:
            if len(group) == 1 or isinstance(error, TimeoutError):  # a stuck database: no use in asking again
                for _, answered in group:
                    if not answered.done():
                        answered.set_exception(error)
                return
            for each in group:  # item by item: only the callers of what fails again learn of a failure
                await self._answer([each])
            return
        for (_, answered), answer in zip(group, answers, strict=True):
            if not answered.done():
                answered.set_result(answer)

    async def _run_once(self, items: list[_Item]) -> Sequence[_Answer]:
        async with asyncio.timeout(self._give_up_after):
            answers = await self._run(items)
        if len(answers) != len(items):
            raise ValueError(f"{len(answers)} answers to {len(items)} items")
        return answers


class GroupedWrites(Grouped[_Item, None]):
    """``Grouped`` for writes, which answer nothing: ``write`` takes the items and returns nothing."""

    def __init__(
        self, write: Callable[[list[_Item]], Awaitable[None]], *, most: int = 500, give_up_after: float = 30.0
    ) -> None:
        async def run(items: list[_Item]) -> list[None]:
            await write(items)
            return [None] * len(items)

        super().__init__(run, most=most, give_up_after=give_up_after)


def padded(items: list[_Item]) -> list[_Item]:
    """``items`` repeated at the end up to the next power of two: an IN list of any length then takes one of a
    few shapes, and each shape is one more statement the driver prepares and keeps per connection (asyncpg keeps
    100; a shape per group size would push the hot statements out). Use only where a repeat changes nothing."""
    size = 1
    while size < len(items):
        size *= 2
    return items + items[-1:] * (size - len(items))
