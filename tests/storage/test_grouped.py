"""Grouped statements: what arrives together runs together, each caller gets its own answer or failure."""

from __future__ import annotations

import asyncio

import pytest

from bot.support.grouped import Grouped, GroupedWrites, padded


class Recorder:
    def __init__(self, fail_on: int | None = None) -> None:
        self.writes: list[list[int]] = []
        self.fail_on = fail_on
        self.release = asyncio.Event()
        self.release.set()

    async def write(self, items: list[int]) -> None:
        await self.release.wait()
        self.writes.append(items)
        if self.fail_on in items:
            raise RuntimeError("the database refused")


async def test_writes_arriving_together_go_in_one_write_and_each_caller_waits_for_its_own() -> None:
    recorder = Recorder()
    grouped = GroupedWrites(recorder.write)

    await asyncio.gather(*(grouped.add(n) for n in range(50)))

    assert recorder.writes == [list(range(50))]


async def test_writes_arriving_during_a_write_go_in_the_next_one() -> None:
    recorder = Recorder()
    recorder.release.clear()
    grouped = GroupedWrites(recorder.write)
    first = asyncio.create_task(grouped.add(1))
    await asyncio.sleep(0)  # the first write is now under way, held by the recorder
    later = [asyncio.create_task(grouped.add(n)) for n in (2, 3, 4)]
    await asyncio.sleep(0)
    assert not first.done()

    recorder.release.set()
    await asyncio.gather(first, *later)

    assert recorder.writes == [[1], [2, 3, 4]]


async def test_an_item_the_database_refuses_fails_only_its_own_caller_and_the_next_write_goes_on() -> None:
    recorder = Recorder(fail_on=2)
    grouped = GroupedWrites(recorder.write)

    results = await asyncio.gather(grouped.add(1), grouped.add(2), grouped.add(3), return_exceptions=True)
    await grouped.add(4)

    assert [type(result) for result in results] == [type(None), RuntimeError, type(None)]
    assert recorder.writes == [[1, 2, 3], [1], [2], [3], [4]]


async def test_a_stuck_statement_fails_its_callers_after_the_time_limit_instead_of_holding_them() -> None:
    recorder = Recorder()
    recorder.release.clear()  # the database never answers
    grouped = GroupedWrites(recorder.write, give_up_after=0.05)

    results = await asyncio.wait_for(asyncio.gather(grouped.add(1), grouped.add(2), return_exceptions=True), 5)

    assert [type(result) for result in results] == [TimeoutError, TimeoutError]
    assert recorder.writes == []


async def test_a_caller_that_gives_up_leaves_the_others_write_alone() -> None:
    recorder = Recorder()
    recorder.release.clear()
    grouped = GroupedWrites(recorder.write)
    impatient = asyncio.create_task(grouped.add(1))
    patient = asyncio.create_task(grouped.add(2))
    await asyncio.sleep(0)

    impatient.cancel()
    recorder.release.set()
    await patient

    with pytest.raises(asyncio.CancelledError):
        await impatient
    assert recorder.writes == [[1, 2]]


async def test_each_caller_gets_its_own_answer_from_the_groups_one_run() -> None:
    runs: list[list[int]] = []

    async def squares(items: list[int]) -> list[int]:
        runs.append(items)
        return [item * item for item in items]

    grouped = Grouped(squares)

    answers = await asyncio.gather(*(grouped.add(n) for n in range(10)))

    assert answers == [n * n for n in range(10)]
    assert runs == [list(range(10))]


async def test_a_run_that_answers_too_few_fails_its_callers_instead_of_leaving_them_waiting() -> None:
    async def forgetful(items: list[int]) -> list[int]:
        return items[:-1]

    grouped = Grouped(forgetful)

    results = await asyncio.wait_for(asyncio.gather(grouped.add(1), grouped.add(2), return_exceptions=True), 5)

    assert [type(result) for result in results] == [ValueError, ValueError]


async def test_a_crowd_is_written_in_groups_of_at_most_the_limit() -> None:
    recorder = Recorder()
    grouped = GroupedWrites(recorder.write, most=20)

    await asyncio.gather(*(grouped.add(n) for n in range(50)))

    assert recorder.writes == [list(range(20)), list(range(20, 40)), list(range(40, 50))]


def test_an_in_list_is_padded_to_one_of_a_few_lengths_with_a_repeat() -> None:
    assert [len(padded(list(range(n)))) for n in (1, 2, 3, 5, 9, 33)] == [1, 2, 4, 8, 16, 64]
    assert padded([1, 2, 3]) == [1, 2, 3, 3]
