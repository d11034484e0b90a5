"""Telegram answers 502 to every sendMessage from before a class's 15-minute reminder until after the class has
started; then it recovers. The real process, in webhook mode, against the Telegram test server (its flood limits
on): each booked parent gets the reminder once, in the form that is true when it arrives ("has started: join
now", with the link), never "Reminder: … starts …"; the teacher gets the start link the same way; the worker gives
up on no job. The drain of those messages after the recovery is measured against Telegram's limit (about 30
messages a second overall).

The class is moved to start about half a minute from now (``tests.reliability.class_day``).
"""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from classbot_fakes.telegram import FakeTelegram, FakeUser

from tests.reliability.class_day import jobs_given_up_on, jobs_not_done, move_class_to
from tests.telegram.world import TelegramWorld, telegram_world

pytestmark = pytest.mark.slow

PARENTS = 60
STARTED = "has started"
HOST_STARTED = "has started: start it now"
TITLE = "Outage chess"


async def _book(world: TelegramWorld, parent: FakeUser, share: str, child: str) -> None:
    parent.open_deep_link(share)
    card = await world.said(parent, TITLE, timeout=60)
    parent.press(card, "Book a seat")
    await world.said(parent, "who is the seat for", timeout=60)
    parent.send(child)
    await world.said(parent, "Here is your Zoom link", timeout=60)


def _sent(telegram: FakeTelegram, pattern: str, *, ok: bool) -> list[tuple[float, int]]:
    """(arrival, chat) of each sendMessage whose text holds ``pattern``, answered 200 (``ok``) or not."""
    return [
        (call.at, int(call.params["chat_id"]))
        for call in telegram.calls
        if call.method.lower() == "sendmessage"
        and pattern in str(call.params.get("text", ""))
        and (call.status == 200) == ok
    ]


def _all_tried_after_start(telegram: FakeTelegram, chats: set[int]) -> bool:
    """Whether the last refused reminder of every chat was the "has started" form."""
    last: dict[int, bool] = {}
    for call in telegram.calls:
        text = str(call.params.get("text", ""))
        if call.method.lower() == "sendmessage" and call.status != 200 and ("Reminder:" in text or STARTED in text):
            last[int(call.params["chat_id"])] = STARTED in text
    return all(last.get(chat, False) for chat in chats)


async def _diagnosis(telegram: FakeTelegram, database_url: str, chats: set[int], world: TelegramWorld) -> str:
    """Who is still waiting, and the jobs not done, for a failed wait."""
    missing = chats - {chat for _, chat in _sent(telegram, STARTED, ok=True)}
    lines = await jobs_not_done(database_url)
    for chat in sorted(missing)[:3]:
        calls = [c for c in telegram.calls if str(c.params.get("chat_id")) == str(chat)]
        lines += [f"{chat}: {c.at:.1f} {c.method} {c.status} {str(c.params.get('text'))[:50]}" for c in calls[-12:]]
    return "\n".join([f"{len(missing)} chats without the message", *lines[:20], world.bot.output()[-3000:]])


async def test_a_reminder_held_back_by_telegram_502s_arrives_once_as_has_started(
    tmp_path: Path, postgres_url: str
) -> None:
    with telegram_world(tmp_path, postgres_url, webhook=True) as world:
        telegram = world.telegram
        teacher = telegram.add_user("Ann")
        teacher.start_private_chat()
        await world.said(teacher, "books kids")
        teacher.send("/timezone UTC")
        await world.said(teacher, "Your timezone is now UTC")
        await world.connect_zoom(teacher, world.zoom.add_user(email="ann@example.org", timezone="UTC").id)
        later = datetime.now(UTC).replace(second=0, microsecond=0) + timedelta(minutes=20)
        teacher.send(f"/newclass {TITLE} | {later:%Y-%m-%d %H:%M} | 45 | {PARENTS}")
        created = await world.said(teacher, "Created")
        [share] = [url for url in created.urls if "start=c_" in url]
        parents = [telegram.add_user(f"Parent{n}") for n in range(PARENTS)]
        await asyncio.gather(*(_book(world, p, share, f"Kid{n}") for n, p in enumerate(parents)))

        telegram.enforce_limits = True
        telegram.fail_next("sendMessage", 502, times=10**9)  # Telegram is away until ``clear_faults``
        now = datetime.now(UTC)
        start = now + timedelta(seconds=25)
        await move_class_to(postgres_url, share.rsplit("c_", 1)[1], start, reminder_at=now + timedelta(seconds=3))
        # The reminders are tried (and refused) before the start; Telegram recovers once every reminder's last
        # refused try was worded after it, so that no send begun before the start is still being retried.
        chats = {parent.id for parent in parents} | {teacher.id}
        await telegram.wait_until(lambda: _sent(telegram, "Reminder:", ok=False), timeout=60)
        await telegram.wait_until(lambda: _all_tried_after_start(telegram, chats), timeout=90)
        refused_after_start = datetime.now(UTC) >= start
        telegram.clear_faults()
        recovered = time.monotonic()

        try:
            await telegram.wait_until(
                lambda: {chat for _, chat in _sent(telegram, STARTED, ok=True)} >= chats, timeout=90
            )
        except TimeoutError as waited_in_vain:
            raise TimeoutError(await _diagnosis(telegram, postgres_url, chats, world)) from waited_in_vain
        delivered = sorted(at for at, _ in _sent(telegram, STARTED, ok=True))
        parent_texts = {parent.id: [m.text or "" for m in telegram.messages(parent)] for parent in parents}
        teacher_texts = [m.text or "" for m in telegram.messages(teacher)]
        limited = sum(1 for call in telegram.calls if call.status == 429 and call.at >= recovered)
        refused = sum(1 for call in telegram.calls if call.method.lower() == "sendmessage" and call.status == 502)
        buried = await jobs_given_up_on(postgres_url)

    drain = delivered[-1] - recovered
    burst = delivered[-1] - delivered[0]
    print(
        f"\n| messages held back, then sent | {len(delivered)} |"
        f"\n| recovery to last message (s) | {drain:.1f} ({len(delivered) / drain:.1f} msg/s) |"
        f"\n| first to last message (s) | {burst:.2f} ({len(delivered) / max(burst, 0.001):.1f} msg/s;"
        " Telegram allows ~30) |"
        f"\n| 429s during the drain | {limited} |"
        f"\n| sends refused during the outage, jobs given up on | {refused}, {len(buried)} |"
    )
    assert buried == []
    assert refused_after_start
    for texts in parent_texts.values():
        assert [text for text in texts if "Reminder:" in text] == []
        assert len([text for text in texts if STARTED in text]) == 1
    assert len([text for text in teacher_texts if HOST_STARTED in text]) == 1
    assert len(delivered) == PARENTS + 1
