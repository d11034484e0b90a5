"""Slack answers 503 ``service_unavailable`` to every chat.postMessage from before a class's 15-minute reminder
until after the class has started; then it recovers. The real process, in HTTP mode, against the Slack test
server (chat.postMessage limited to about one message a second per conversation, as Slack limits it): each booked
parent gets the reminder once, in their direct messages, in the form that is true when it arrives ("has started:
join now", with the link), never "Reminder: … starts …"; the teacher gets the start link the same way; the
channel sees none of it; the worker gives up on no job. The drain after the recovery is measured.

The class is moved to start about half a minute from now (``tests.reliability.class_day``).
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from classbot_fakes.slack import FakeSlack, FakeSlackUser

from tests.reliability.class_day import jobs_given_up_on, jobs_not_done, move_class_to, public_id_of
from tests.slack.world import ZOOM_LINK, SlackWorld, slack_world

pytestmark = pytest.mark.slow

PARENTS = 30
STARTED = "has started"
HOST_STARTED = "has started: start it now"
TITLE = "Outage art"


def _posts(slack: FakeSlack, pattern: str, *, ok: bool) -> list[tuple[float, str]]:
    """(arrival, conversation) of each chat.postMessage whose text holds ``pattern``, accepted (``ok``) or not."""
    return [
        (call.at, str(call.params.get("channel")))
        for call in slack.calls
        if call.method == "chat.postMessage" and pattern in _text(call.params) and call.ok == ok
    ]


def _text(params: dict[str, object]) -> str:
    return f"{params.get('text', '')} {params.get('blocks', '')}"


def _last_refusals(slack: FakeSlack) -> dict[str, bool]:
    """For each conversation a reminder was refused in: whether the last refused try was the "has started" form."""
    last: dict[str, bool] = {}
    for call in slack.calls:
        text = _text(call.params)
        if call.method == "chat.postMessage" and not call.ok and ("Reminder:" in text or STARTED in text):
            last[str(call.params.get("channel"))] = STARTED in text
    return last


def _all_tried_after_start(slack: FakeSlack, expected: int) -> bool:
    last = _last_refusals(slack)
    return len(last) == expected and all(last.values())


async def _book(world: SlackWorld, parent: FakeSlackUser, card: object, child: str) -> None:
    await world.book(parent, card, child)  # type: ignore[arg-type]
    await world.said(parent, "Here is your Zoom link", timeout=60)


async def test_a_reminder_held_back_by_a_slack_outage_arrives_once_as_has_started(
    tmp_path: Path, postgres_url: str
) -> None:
    async with slack_world(tmp_path, postgres_url, mode="http") as world:
        slack = world.slack
        admin, teacher = slack.add_user("Ada", is_admin=True), slack.add_user("Ann")
        parents = [slack.add_user(f"Parent{n}") for n in range(PARENTS)]
        room = slack.add_channel("art", members=[admin, teacher, *parents])
        await world.set_up_channel(admin, room)
        await world.connect_zoom(teacher, world.zoom.add_user(email="ann@example.org", timezone="UTC").id)
        later = datetime.now(UTC).replace(second=0, microsecond=0) + timedelta(minutes=20)
        fields = {"date": later.date().isoformat(), "time": f"{later:%H:%M}", "timezone": "UTC"}
        await world.create_class(teacher, TITLE, channel=room, seats=str(PARENTS), **fields)
        card = await world.said(room, "New class")
        for n, parent in enumerate(parents):
            await _book(world, parent, card, f"Kid{n}")

        slack.set_rate_limit("chat.postMessage", 1.0, burst=3)  # about one a second per conversation
        slack.fail_next("chat.postMessage", "service_unavailable", status=503, times=10**9)
        now = datetime.now(UTC)
        start = now + timedelta(seconds=25)
        await move_class_to(postgres_url, await public_id_of(postgres_url, TITLE), start, now + timedelta(seconds=3))
        # Slack recovers once every reminder's last refused try was worded after the start, so that no send
        # begun before the start is still being retried.
        await slack.wait_until(lambda: _posts(slack, "Reminder:", ok=False), timeout=60)
        await slack.wait_until(lambda: _all_tried_after_start(slack, PARENTS + 1), timeout=90)
        refused_after_start = datetime.now(UTC) >= start
        slack.clear_faults()
        recovered = time.monotonic()

        def everyone_told() -> bool:
            return all(
                any(STARTED in message.all_text for message in slack.messages(user)) for user in [*parents, teacher]
            )

        try:
            await slack.wait_until(everyone_told, timeout=90)
        except TimeoutError as waited_in_vain:
            lines = await jobs_not_done(postgres_url)
            raise TimeoutError("\n".join([*lines[:20], world.bot.output()[-3000:]])) from waited_in_vain
        delivered = sorted(at for at, _ in _posts(slack, STARTED, ok=True))
        parent_texts = {parent.id: [m.all_text for m in slack.messages(parent)] for parent in parents}
        parent_links = {parent.id: world.zoom_links_in(parent) for parent in parents}
        teacher_texts = [m.all_text for m in slack.messages(teacher)]
        room_texts = [m.all_text for m in slack.messages(room)]
        room_links = world.zoom_links_in(room)
        limited = sum(1 for call in slack.calls if call.status == 429 and call.at >= recovered)
        refused = sum(1 for call in slack.calls if call.method == "chat.postMessage" and call.status == 503)
        buried = await jobs_given_up_on(postgres_url)

    drain = delivered[-1] - recovered
    burst = delivered[-1] - delivered[0]
    print(
        f"\n| messages held back, then sent | {len(delivered)} |"
        f"\n| recovery to last message (s) | {drain:.1f} ({len(delivered) / drain:.1f} msg/s) |"
        f"\n| first to last message (s) | {burst:.2f} ({len(delivered) / max(burst, 0.001):.1f} msg/s;"
        " Slack allows about 1 a second in each conversation, each parent's is their own) |"
        f"\n| 429s during the drain | {limited} |"
        f"\n| posts refused during the outage, jobs given up on | {refused}, {len(buried)} |"
    )
    assert buried == []
    assert refused_after_start
    for parent_id, texts in parent_texts.items():
        assert [text for text in texts if "Reminder:" in text] == []
        assert len([text for text in texts if STARTED in text]) == 1
        assert all("/j/" in link for link in parent_links[parent_id])  # a join link, never a start link
    assert len([text for text in teacher_texts if HOST_STARTED in text]) == 1
    assert [text for text in room_texts if STARTED in text or "Reminder:" in text] == []
    assert [link for link in room_links if ZOOM_LINK.search(link)] == []
    assert len(delivered) == PARENTS + 1
