"""The even pace spends the whole budget when its callers wake late, and never more than it in any second."""

from __future__ import annotations

import asyncio

import pytest

from bot.support.pace import EvenPace


class LateClock:
    """A clock that moves only when someone sleeps, and wakes each sleeper ``lateness`` seconds late."""

    def __init__(self, lateness: list[float]) -> None:
        self.now = 0.0
        self._lateness = lateness
        self.sleeps = 0

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += seconds + self._lateness[self.sleeps % len(self._lateness)]
        self.sleeps += 1


async def _sends(pace: EvenPace, clock: LateClock, count: int) -> list[float]:
    sent = []
    for _ in range(count):
        await pace.turn()
        sent.append(clock())
    return sent


async def test_late_wakes_do_not_slow_the_pace_down() -> None:
    clock = LateClock([0.010])  # every sleeper wakes 10 ms late, as on a busy event loop
    pace = EvenPace(30, clock=clock, sleep=clock.sleep)

    sent = await _sends(pace, clock, 91)

    # 90 intervals at 30/s is 3 s (a few ms more: each second's window has a 10 ms guard for arrival jitter);
    # spacing each send a full interval after the previous wake would take 90 x 43 ms = 3.9 s.
    assert 3.0 < sent[-1] < 3.1


@pytest.mark.parametrize("lateness", [[0.0], [0.030, 0.0], [0.0, 0.020, 0.005]], ids=["on-time", "uneven", "mixed"])
async def test_no_second_holds_more_sends_than_the_rate(lateness: list[float]) -> None:
    clock = LateClock(lateness)
    pace = EvenPace(30, clock=clock, sleep=clock.sleep)

    sent = await _sends(pace, clock, 200)

    for first, at in enumerate(sent):
        within_a_second = [t for t in sent[first:] if t - at < 1.0]
        assert len(within_a_second) <= 30


async def test_callers_go_in_the_order_they_asked() -> None:
    pace = EvenPace(200)
    order: list[int] = []

    async def send(n: int) -> None:
        await pace.turn()
        order.append(n)

    await asyncio.gather(*(send(n) for n in range(10)))

    assert order == list(range(10))


def test_a_rate_must_be_positive() -> None:
    with pytest.raises(ValueError, match="positive"):
        EvenPace(0)
